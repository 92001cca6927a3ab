// The watch request under client-node's informer (ListWatch), replacing client-node 1.4.0's Watch:
// - every request first waits for the watcher's backoff gate (the informer re-watches at once
//   after a clean end, and relists at once after a 410: a flapping server would get ~1000
//   requests a second);
// - it can be aborted at any moment, also while waiting for the response headers (1.4.0's Watch
//   only hands out its AbortController once the headers are in);
// - no line (event or bookmark) for `stallTimeoutMs`, counted from the request, ends it with a
//   WatchStallError (1.4.0 overwrites its own 30 s timeout and hangs forever);
// - it asks for bookmarks (and, when configured, a server-side timeout) so a quiet but healthy
//   watch is not mistaken for a stalled one;
// - an ERROR event ends the watch with its Status code (410 -> the informer relists);
// - `done` is called at most once, never after the informer aborted the request, and never
//   before `watch()` has returned (the informer stores the returned controller after an await;
//   an early `done` could make it keep a stale controller and leak the next watch on stop()).
import http from 'node:http';
import https from 'node:https';
import readline from 'node:readline';
import { Watch } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';

/** An HTTP status answer (or a watch ERROR event) from the API server. */
export class KubeApiError extends Error {
  /** What the informer looks at: 410 makes it relist. */
  readonly statusCode: number;
  readonly reason: string | undefined;
  constructor(statusCode: number, message: string, reason?: string) {
    super(message);
    this.name = 'KubeApiError';
    this.statusCode = statusCode;
    this.reason = reason;
  }
}

export class WatchStallError extends Error {
  constructor(ms: number, connected: boolean) {
    super(connected ? `watch stalled: no event or bookmark for ${ms} ms` : `watch stalled: no response for ${ms} ms`);
    this.name = 'WatchStallError';
  }
}

/** The connection broke in the middle of the stream (socket destroyed, reset, ...). */
export class WatchBrokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WatchBrokenError';
  }
}

export type WatchEnd =
  | { kind: 'clean' }
  | { kind: 'error'; error: Error; connected: boolean };

export interface WatchHooks {
  /** Resolves when the next request may be sent; rejects when `signal` aborts. */
  gate(signal: AbortSignal): Promise<void>;
  /** The API server answered 200: the stream is open. */
  connected(): void;
  /** An event (not ERROR) arrived. */
  event(type: string): void;
  /** A line that could not be used (reported, the watch goes on). */
  skipped(why: string): void;
  /** The watch ended on its own (not aborted by the informer); called just before `done`. */
  ended(end: WatchEnd, startedAt: number): void;
}

export interface GuardedWatchOptions {
  stallTimeoutMs: number;
  /** Sent as `timeoutSeconds` when set: the server then ends the watch cleanly after that long. */
  timeoutSeconds?: () => number | undefined;
  hooks: WatchHooks;
  /** Aborted when the owner stops: no request starts after that, open ones end quietly. */
  stopSignal: AbortSignal;
}

type WatchCallback = (phase: string, apiObj: unknown, watchObj?: unknown) => void;
type DoneCallback = (err: unknown) => void;

interface FetchOptions {
  agent?: http.Agent;
  headers?: { forEach(cb: (value: string, key: string) => void): void };
}

/** Longest error body read from a failed watch request. */
const MAX_ERROR_BODY = 64 * 1024;

export class GuardedWatch extends Watch {
  private readonly kubeConfig: KubeConfig;
  private readonly options: GuardedWatchOptions;

  constructor(kubeConfig: KubeConfig, options: GuardedWatchOptions) {
    super(kubeConfig);
    this.kubeConfig = kubeConfig;
    this.options = options;
  }

  override async watch(path: string, queryParams: unknown, callback: WatchCallback, done: DoneCallback): Promise<AbortController> {
    const controller = new AbortController();
    void this.run(path, (queryParams ?? {}) as Record<string, unknown>, callback, done, controller.signal);
    return controller;
  }

  private async run(
    path: string,
    queryParams: Record<string, unknown>,
    callback: WatchCallback,
    done: DoneCallback,
    signal: AbortSignal,
  ): Promise<void> {
    const { hooks, stallTimeoutMs, stopSignal } = this.options;
    let finished = false;
    let request: http.ClientRequest | undefined;
    let stallTimer: NodeJS.Timeout | undefined;
    let connected = false;
    let startedAt = Date.now();

    const cleanup = (): void => {
      if (stallTimer) clearTimeout(stallTimer);
      stallTimer = undefined;
      signal.removeEventListener('abort', onAbort);
      stopSignal.removeEventListener('abort', onAbort);
      request?.destroy();
    };
    const onAbort = (): void => {
      // The informer stopped or replaced this watch: end quietly, no `done`.
      finished = true;
      cleanup();
    };
    const finish = (end: WatchEnd): void => {
      if (finished) return;
      finished = true;
      cleanup();
      hooks.ended(end, startedAt);
      // Always from a later turn of the event loop: see the file comment.
      setImmediate(() => done(end.kind === 'clean' ? null : end.error));
    };
    const armStall = (): void => {
      if (stallTimer) clearTimeout(stallTimer);
      stallTimer = setTimeout(() => finish({ kind: 'error', error: new WatchStallError(stallTimeoutMs, connected), connected }), stallTimeoutMs);
      stallTimer.unref?.();
    };

    // The informer may call watch() after stop() when a list it was waiting for resolved just before.
    if (signal.aborted || stopSignal.aborted) return;
    signal.addEventListener('abort', onAbort, { once: true });
    stopSignal.addEventListener('abort', onAbort, { once: true });
    try {
      await hooks.gate(signal);
    } catch {
      return; // aborted while waiting
    }
    if (finished) return;

    let url: URL;
    let fetchOptions: FetchOptions;
    try {
      const cluster = this.kubeConfig.getCurrentCluster();
      if (!cluster) throw new Error('no current cluster in the kubeconfig');
      url = new URL(cluster.server.replace(/\/+$/, '') + path);
      url.searchParams.set('watch', 'true');
      for (const [key, value] of Object.entries(queryParams)) {
        if (value !== undefined && value !== null) url.searchParams.set(key, String(value));
      }
      url.searchParams.set('allowWatchBookmarks', 'true');
      const timeout = this.options.timeoutSeconds?.();
      if (timeout !== undefined && timeout > 0) url.searchParams.set('timeoutSeconds', String(Math.round(timeout)));
      // Authentication (tokens, exec plugins, client certificates) and TLS exactly as for lists.
      fetchOptions = (await this.kubeConfig.applyToFetchOptions({})) as unknown as FetchOptions;
    } catch (err) {
      finish({ kind: 'error', error: asError(err), connected: false });
      return;
    }
    if (finished) return;

    const headers: Record<string, string> = { accept: 'application/json' };
    fetchOptions.headers?.forEach((value, key) => {
      headers[key] = value;
    });
    startedAt = Date.now();
    armStall();
    const send = url.protocol === 'https:' ? https.request : http.request;
    try {
      request = send(url, { method: 'GET', headers, ...(fetchOptions.agent ? { agent: fetchOptions.agent } : {}) });
    } catch (err) {
      finish({ kind: 'error', error: asError(err), connected: false });
      return;
    }
    request.on('error', (err) => finish({ kind: 'error', error: connected ? new WatchBrokenError(err.message) : err, connected }));
    request.on('response', (response) => {
      if (finished) {
        response.destroy();
        return;
      }
      if (response.statusCode !== 200) {
        readError(response, (error) => finish({ kind: 'error', error, connected: false }));
        return;
      }
      connected = true;
      armStall();
      hooks.connected();
      response.on('error', (err) => finish({ kind: 'error', error: new WatchBrokenError(err.message), connected }));
      response.on('close', () => {
        // `complete` is false when the connection died before the end of the chunked body.
        if (response.complete) finish({ kind: 'clean' });
        else finish({ kind: 'error', error: new WatchBrokenError('the connection closed in the middle of the watch'), connected });
      });
      const lines = readline.createInterface({ input: response, crlfDelay: Infinity });
      // readline re-emits the response's errors: without this listener they would be uncaught.
      lines.on('error', (err) => finish({ kind: 'error', error: new WatchBrokenError(err.message), connected }));
      lines.on('line', (line) => {
        if (finished) return;
        armStall();
        if (line.trim() === '') return;
        let data: { type?: unknown; object?: unknown };
        try {
          data = JSON.parse(line) as { type?: unknown; object?: unknown };
        } catch {
          return; // as client-node: a line that is not JSON is skipped
        }
        const type = typeof data.type === 'string' ? data.type : '';
        if (type === 'ERROR') {
          finish({ kind: 'error', error: statusError(data.object, 'watch ERROR event'), connected });
          return;
        }
        const object = data.object as { metadata?: unknown } | null | undefined;
        if (typeof object !== 'object' || object === null || typeof object.metadata !== 'object' || object.metadata === null) {
          // The informer would throw on it (obj.metadata.name) in a promise nobody awaits.
          hooks.skipped(`a ${type || 'typeless'} watch event without an object with metadata`);
          return;
        }
        hooks.event(type);
        try {
          // ListWatch's handler is async: a failure would be an unhandled rejection.
          const result: unknown = callback(type, object, data);
          if (result instanceof Promise) result.catch((err: unknown) => hooks.skipped(`the informer failed on a ${type} event: ${String(err)}`));
        } catch (err) {
          hooks.skipped(`the informer failed on a ${type} event: ${String(err)}`);
        }
      });
    });
    request.end();
  }
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/** A KubeApiError from a `Status` object (or anything else the server sent). */
export function statusError(status: unknown, fallback: string, httpCode?: number): KubeApiError {
  const s = typeof status === 'object' && status !== null ? (status as Record<string, unknown>) : {};
  const code = typeof s['code'] === 'number' ? s['code'] : (httpCode ?? 500);
  const reason = typeof s['reason'] === 'string' ? s['reason'] : undefined;
  const message = typeof s['message'] === 'string' && s['message'] !== '' ? s['message'] : fallback;
  return new KubeApiError(code, `${code}${reason ? ` ${reason}` : ''}: ${message}`, reason);
}

function readError(response: http.IncomingMessage, then: (error: KubeApiError) => void): void {
  const code = response.statusCode ?? 500;
  const fallback = http.STATUS_CODES[code] ?? 'unexpected answer';
  const chunks: Buffer[] = [];
  let size = 0;
  let reported = false;
  const report = (): void => {
    if (reported) return;
    reported = true;
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      body = undefined;
    }
    const err = statusError(body, fallback, code);
    // The HTTP status decides (a Status body may disagree or be missing).
    then(err.statusCode === code ? err : new KubeApiError(code, `${code}: ${err.message}`, err.reason));
  };
  response.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= MAX_ERROR_BODY) chunks.push(chunk);
    else response.destroy();
  });
  response.on('end', report);
  response.on('close', report);
  response.on('error', report);
}
