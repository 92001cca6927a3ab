// One resource (pods, namespaces, networkpolicies or an admin tier; cluster-wide or in one namespace) watched by
// client-node's informer (ListWatch), kept alive whatever the API server does.
//
// client-node 1.4.0's informer relists after a 410 and re-watches after a clean end by itself;
// after any other error it stops for good. Here:
// - every error (socket destroyed, stall, 403/500/unreachable on list or watch) restarts it with
//   jittered exponential backoff; `start()` again resumes from the last resourceVersion (the
//   server replays what was missed, or answers 410 and the informer relists: objects missing from
//   the new list come out as deletes);
// - every request (list or watch) waits for the backoff gate first, so a server that ends every
//   watch at once (or answers 410 to every watch) is not hammered: the informer's own instant
//   re-watch / relist is slowed down here (see GuardedWatch);
// - the failure count resets once a watch has stayed open for `healthyAfterMs`;
// - status: syncing -> synced (listed and the watch is open) -> reconnecting (the watch broke or
//   keeps being closed at once) / forbidden (403) / error (anything else) -> synced again.
import { ListWatch } from '@kubernetes/client-node';
import type { KubeConfig, KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import { backoffDelay } from './backoff.ts';
import type { BackoffPolicy } from './backoff.ts';
import { GuardedWatch, KubeApiError, WatchBrokenError, WatchStallError } from './guarded-watch.ts';
import type { WatchEnd } from './guarded-watch.ts';
import { normalizeObject, objectKey, uidOf } from './normalize.ts';
import type { JsonObject } from './normalize.ts';
import type { ResourceKind, ResourceState, ResourceStatus, SourceEvent } from './source.ts';

export interface WatcherSettings {
  /** A watch without any line (event or bookmark) for this long is restarted. */
  stallTimeoutMs: number;
  /** A list that has not answered after this long is abandoned (and retried). */
  listTimeoutMs: number;
  /** A watch the server ends within this long of the request counts as "ended at once". */
  rapidEndMs: number;
  /** A watch open this long resets the failure count (the next failure waits initialMs again). */
  healthyAfterMs: number;
  backoff: BackoffPolicy;
  /** `timeoutSeconds` for each watch request (undefined: not sent). */
  watchTimeoutSeconds: () => number | undefined;
  random: () => number;
}

export interface WatchTarget {
  resource: ResourceKind;
  /** Set when only this namespace is watched. */
  namespace?: string;
  /** The informer's watch path: /api/v1/pods, /api/v1/namespaces/x/pods, ... */
  path: string;
  /** The list call (client-node's typed API); must honour `signal`. */
  list(signal: AbortSignal): Promise<KubernetesListObject<KubernetesObject>>;
}

export interface WatcherSink {
  event(event: SourceEvent): void;
  log(message: string): void;
}

/** Consecutive rapid ends after which the watcher backs off (the first one is retried at once). */
const RAPID_ENDS_BEFORE_BACKOFF = 2;

export class ResourceWatcher {
  readonly target: WatchTarget;
  private readonly settings: WatcherSettings;
  private readonly sink: WatcherSink;
  private readonly informer: ListWatch<KubernetesObject>;
  private readonly session = new AbortController();
  private current: ResourceStatus;
  private stopped = false;
  private started = false;
  /** Failures since the last healthy period: the backoff exponent. */
  private failures = 0;
  /** Consecutive watches the server ended at once. */
  private rapidEnds = 0;
  /** No request before this time (ms since epoch). */
  private nextAttemptAt = 0;
  private healthyTimer: NodeJS.Timeout | undefined;
  private probationTimer: NodeJS.Timeout | undefined;
  /** uid per object key, to turn "same name, new uid" into delete + upsert. */
  private readonly uids = new Map<string, string | undefined>();
  /** Requests sent, for tests and metrics. */
  readonly counters = { lists: 0, watches: 0, restarts: 0 };

  constructor(kubeConfig: KubeConfig, target: WatchTarget, settings: WatcherSettings, sink: WatcherSink) {
    this.target = target;
    this.settings = settings;
    this.sink = sink;
    this.current = {
      state: 'syncing',
      syncedOnce: false,
      ...(target.namespace !== undefined ? { namespace: target.namespace } : {}),
    };
    const watch = new GuardedWatch(kubeConfig, {
      stallTimeoutMs: settings.stallTimeoutMs,
      timeoutSeconds: settings.watchTimeoutSeconds,
      stopSignal: this.session.signal,
      hooks: {
        gate: async (signal) => {
          await this.gate(AbortSignal.any([signal, this.session.signal]));
          this.counters.watches++;
        },
        connected: () => this.onConnected(),
        event: () => {
          this.current = { ...this.current, lastEventAt: new Date().toISOString() };
        },
        ended: (end, startedAt) => this.onEnded(end, startedAt),
        skipped: (why) => this.sink.log(`${this.label()}: skipped ${why}`),
      },
    });
    // makeInformer(kubeConfig, path, list) is exactly `new ListWatch(path, new Watch(kubeConfig), list, false)`;
    // built by hand to put GuardedWatch underneath.
    this.informer = new ListWatch<KubernetesObject>(target.path, watch, () => this.list(), false);
    this.informer.on('add', (obj) => this.onObject('add', obj));
    this.informer.on('update', (obj) => this.onObject('update', obj));
    this.informer.on('delete', (obj) => this.onObject('delete', obj));
    this.informer.on('error', (err) => this.onError(err));
  }

  status(): ResourceStatus {
    return { ...this.current };
  }

  /** Starts the informer; does not wait for the list. */
  start(): void {
    if (this.started) throw new Error('a ResourceWatcher starts once');
    this.started = true;
    this.emitStatus();
    this.runInformer();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.session.abort(new Error('stopped'));
    this.clearTimers();
    await this.informer.stop();
  }

  private runInformer(): void {
    if (this.stopped) return;
    this.informer.start().catch((err: unknown) => this.onError(err));
  }

  /** Waits until the backoff allows the next request. */
  private gate(signal: AbortSignal): Promise<void> {
    const wait = this.nextAttemptAt - Date.now();
    if (signal.aborted) return Promise.reject(new Error('aborted'));
    if (wait <= 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(new Error('aborted'));
      };
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, wait);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  private async list(): Promise<KubernetesListObject<KubernetesObject>> {
    await this.gate(this.session.signal);
    this.counters.lists++;
    const timeout = AbortSignal.timeout(this.settings.listTimeoutMs);
    const signal = AbortSignal.any([this.session.signal, timeout]);
    try {
      const list = await this.target.list(signal);
      this.current = { ...this.current, lastEventAt: new Date().toISOString() };
      return list;
    } catch (err) {
      if (!this.session.signal.aborted && timeout.aborted) {
        throw new Error(`list did not answer within ${this.settings.listTimeoutMs} ms`, { cause: err });
      }
      throw err;
    }
  }

  private onConnected(): void {
    if (this.stopped) return;
    this.clearTimers();
    if (this.rapidEnds >= RAPID_ENDS_BEFORE_BACKOFF) {
      // After a run of watches closed at once, this one must stay open a while to count as synced.
      this.probationTimer = setTimeout(() => {
        this.rapidEnds = 0;
        this.setState('synced', undefined);
      }, this.settings.rapidEndMs);
    } else {
      this.setState('synced', undefined);
    }
    this.healthyTimer = setTimeout(() => {
      this.failures = 0;
      this.rapidEnds = 0;
    }, this.settings.healthyAfterMs);
  }

  private onEnded(end: WatchEnd, startedAt: number): void {
    this.clearTimers();
    if (this.stopped) return;
    // Ends the informer handles itself at once: a clean end (re-watch) and 410 (relist).
    const instant = end.kind === 'clean' || (end.error instanceof KubeApiError && end.error.statusCode === 410);
    if (!instant) return; // any other error reaches onError through the informer
    if (Date.now() - startedAt >= this.settings.rapidEndMs) {
      this.rapidEnds = 0;
      return;
    }
    this.rapidEnds++;
    if (this.rapidEnds < RAPID_ENDS_BEFORE_BACKOFF) return;
    this.failures++;
    this.nextAttemptAt = Date.now() + backoffDelay(this.failures, this.settings.backoff, this.settings.random);
    const what = end.kind === 'clean' ? 'ended the watch' : 'answered 410 Gone';
    this.setState(
      this.current.syncedOnce ? 'reconnecting' : 'error',
      `the API server ${what} at once, ${this.rapidEnds} times in a row`,
    );
  }

  private onError(err: unknown): void {
    if (this.stopped) return;
    this.clearTimers();
    this.failures++;
    this.counters.restarts++;
    const delay = backoffDelay(this.failures, this.settings.backoff, this.settings.random);
    this.nextAttemptAt = Date.now() + delay;
    const code = statusCodeOf(err);
    let state: ResourceState;
    if (code === 403) state = 'forbidden';
    else if (code !== undefined) state = 'error';
    else if ((err instanceof WatchStallError || err instanceof WatchBrokenError) && this.current.syncedOnce) state = 'reconnecting';
    else state = 'error';
    const message = describeError(err);
    this.sink.log(`${this.label()}: ${message}; restarting in ${delay} ms`);
    this.setState(state, message);
    // Outside the informer's error callback: it is still unwinding. The gate holds the request back.
    setImmediate(() => this.runInformer());
  }

  private onObject(verb: 'add' | 'update' | 'delete', raw: KubernetesObject): void {
    if (this.stopped) return;
    const resource = this.target.resource;
    let object: JsonObject;
    try {
      object = normalizeObject(resource, raw);
    } catch (err) {
      this.sink.log(`${this.label()}: skipped an object that could not be read: ${describeError(err)}`);
      return;
    }
    const key = objectKey(object);
    const uid = uidOf(object);
    this.current = { ...this.current, lastEventAt: new Date().toISOString() };
    if (verb === 'delete') {
      this.uids.delete(key);
      this.sink.event({ type: 'delete', resource, object });
      return;
    }
    const previous = this.uids.get(key);
    if (previous !== undefined && uid !== undefined && previous !== uid) {
      // Deleted and created again under the same name while we were not looking: the informer
      // (keyed by name) calls it an update; consumers keyed by uid need the delete.
      this.sink.event({ type: 'delete', resource, object: identityOf(object, previous) });
    }
    this.uids.set(key, uid);
    this.sink.event({ type: 'upsert', resource, object });
  }

  private setState(state: ResourceState, lastError: string | undefined): void {
    const syncedOnce = this.current.syncedOnce || state === 'synced';
    if (state === this.current.state && lastError === this.current.lastError && syncedOnce === this.current.syncedOnce) return;
    const next: ResourceStatus = { ...this.current, state, syncedOnce };
    if (lastError === undefined) delete next.lastError;
    else next.lastError = lastError;
    this.current = next;
    this.emitStatus();
  }

  private emitStatus(): void {
    if (this.stopped) return;
    this.sink.event({ type: 'status', resource: this.target.resource, status: this.status() });
  }

  private clearTimers(): void {
    if (this.healthyTimer) clearTimeout(this.healthyTimer);
    if (this.probationTimer) clearTimeout(this.probationTimer);
    this.healthyTimer = undefined;
    this.probationTimer = undefined;
  }

  private label(): string {
    return this.target.namespace === undefined ? this.target.resource : `${this.target.resource} in ${this.target.namespace}`;
  }
}

/** The HTTP status of an error from a list (ApiException `.code`) or a watch (`.statusCode`). */
export function statusCodeOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: unknown; statusCode?: unknown };
  if (typeof e.statusCode === 'number') return e.statusCode;
  if (typeof e.code === 'number') return e.code;
  return undefined;
}

/** One line for logs and `lastError`: "403 Forbidden: pods is forbidden: ...", "connect ECONNREFUSED ...". */
export function describeError(err: unknown): string {
  if (err instanceof KubeApiError) return err.message;
  const code = statusCodeOf(err);
  if (code !== undefined) {
    // client-node's ApiException: "HTTP-Code: 403\nMessage: ...\nBody: {...}\nHeaders: {...}".
    const body = (err as { body?: unknown }).body;
    const parsed = typeof body === 'string' ? tryParse(body) : body;
    if (typeof parsed === 'object' && parsed !== null) {
      const status = parsed as Record<string, unknown>;
      const reason = typeof status['reason'] === 'string' ? ` ${status['reason']}` : '';
      if (typeof status['message'] === 'string' && status['message'] !== '') return `${code}${reason}: ${status['message']}`;
    }
    const message = err instanceof Error ? (/Message: (.*)/.exec(err.message)?.[1] ?? '') : '';
    return message ? `${code}: ${message}` : `HTTP ${code}`;
  }
  if (err instanceof Error) return err.message.split('\n')[0] ?? err.name;
  return String(err);
}

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The identity of an object with an earlier uid, for the delete of a replaced object. */
function identityOf(object: JsonObject, uid: string): JsonObject {
  const meta = (object['metadata'] ?? {}) as JsonObject;
  const metadata: JsonObject = { name: meta['name'], uid };
  if (meta['namespace'] !== undefined) metadata['namespace'] = meta['namespace'];
  return { apiVersion: object['apiVersion'], kind: object['kind'], metadata };
}

