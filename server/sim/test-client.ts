// A small HTTP client for the simulated cluster, for tests (here and in other suites): plain
// node:http/https (self-signed certificates accepted), JSON answers parsed, and a watch reader
// that yields events line by line and tells a clean end from a dropped connection.
import { request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface SimResponse<T = unknown> {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The parsed JSON body (undefined when the body is not JSON). */
  body: T;
}

export interface SimRequestOptions {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  timeoutMs?: number;
}

function open(base: string, path: string, o: SimRequestOptions, onResponse: (res: IncomingMessage) => void, onError: (err: Error) => void): () => void {
  const url = new URL(path, base);
  const headers: Record<string, string> = { Accept: 'application/json', ...o.headers };
  if (o.token !== undefined) headers['Authorization'] = `Bearer ${o.token}`;
  let payload: string | undefined;
  if (o.body !== undefined) {
    payload = typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
    headers['Content-Type'] ??= 'application/json';
    headers['Content-Length'] = String(Buffer.byteLength(payload));
  }
  const options = { method: o.method ?? 'GET', headers, rejectUnauthorized: false, agent: false as const };
  const req = url.protocol === 'https:' ? httpsRequest(url, options, onResponse) : httpRequest(url, options, onResponse);
  req.on('error', onError);
  if (o.timeoutMs !== undefined) req.setTimeout(o.timeoutMs, () => req.destroy(new Error(`timeout after ${o.timeoutMs} ms`)));
  req.end(payload);
  return () => req.destroy();
}

/** One request; resolves with the whole answer. */
export function simRequest<T = unknown>(base: string, path: string, o: SimRequestOptions = {}): Promise<SimResponse<T>> {
  return new Promise((resolve, reject) => {
    open(
      base,
      path,
      { timeoutMs: 20_000, ...o },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown;
          try {
            body = JSON.parse(text);
          } catch {
            body = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body: body as T });
        });
      },
      reject,
    );
  });
}

export interface WatchEvent {
  type: string;
  object: Record<string, unknown> & { metadata?: Record<string, unknown>; code?: number; reason?: string };
}

export interface WatchReader {
  status: number;
  headers: IncomingHttpHeaders;
  /** Every event received so far. */
  readonly events: WatchEvent[];
  /** The next event not yet returned by next(); rejects after timeoutMs. */
  next(timeoutMs?: number): Promise<WatchEvent>;
  /** Resolves with the first event (received so far or later) matching; rejects after timeoutMs. */
  waitFor(predicate: (e: WatchEvent) => boolean, timeoutMs?: number): Promise<WatchEvent>;
  /** Resolves when the stream ends: `clean` for a proper end, false when the connection broke. */
  readonly ended: Promise<{ clean: boolean }>;
  /** Aborts the request. */
  close(): void;
}

/**
 * Opens a watch (or any streaming GET); resolves once the status line and headers arrive, rejects
 * when they do not within `timeoutMs` (default 10 s: a watch must flush its headers at once).
 */
export function openWatch(base: string, path: string, o: SimRequestOptions = {}): Promise<WatchReader> {
  return new Promise((resolveOpen, rejectOpen) => {
    const headersTimer = setTimeout(() => {
      abort();
      rejectOpen(new Error(`no response headers for ${path} within ${o.timeoutMs ?? 10_000} ms`));
    }, o.timeoutMs ?? 10_000);
    const resolve = (r: WatchReader): void => {
      clearTimeout(headersTimer);
      resolveOpen(r);
    };
    const reject = (err: Error): void => {
      clearTimeout(headersTimer);
      rejectOpen(err);
    };
    const events: WatchEvent[] = [];
    let cursor = 0;
    const waiters = new Set<() => void>();
    let endResolve: (v: { clean: boolean }) => void = () => undefined;
    const ended = new Promise<{ clean: boolean }>((r) => (endResolve = r));
    let finished = false;
    const finish = (clean: boolean): void => {
      if (finished) return;
      finished = true;
      endResolve({ clean });
      for (const w of [...waiters]) w();
    };
    const wait = <T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> =>
      new Promise((res, rej) => {
        const attempt = (): boolean => {
          const found = check();
          if (found !== undefined) {
            cleanup();
            res(found);
            return true;
          }
          if (finished) {
            cleanup();
            rej(new Error(`watch ended before ${what} (${events.length} events: ${events.map((e) => e.type).join(',')})`));
            return true;
          }
          return false;
        };
        const waiter = (): void => void attempt();
        const timer = setTimeout(() => {
          cleanup();
          rej(new Error(`no ${what} within ${timeoutMs} ms (${events.length} events: ${events.map((e) => e.type).join(',')})`));
        }, timeoutMs);
        const cleanup = (): void => {
          clearTimeout(timer);
          waiters.delete(waiter);
        };
        if (!attempt()) waiters.add(waiter);
      });

    const { timeoutMs: _headersTimeout, ...requestOptions } = o;
    const abort = open(
      base,
      path,
      requestOptions,
      (res) => {
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let nl: number;
          while ((nl = buffer.indexOf('\n')) >= 0) {
            const line = buffer.slice(0, nl).trim();
            buffer = buffer.slice(nl + 1);
            if (line === '') continue;
            try {
              events.push(JSON.parse(line) as WatchEvent);
            } catch {
              events.push({ type: 'UNPARSABLE', object: { line } });
            }
          }
          for (const w of [...waiters]) w();
        });
        res.on('end', () => {
          const rest = buffer.trim();
          if (rest !== '') {
            try {
              events.push(JSON.parse(rest) as WatchEvent);
            } catch {
              events.push({ type: 'UNPARSABLE', object: { line: rest } });
            }
          }
          finish(true);
        });
        res.on('error', () => finish(false));
        res.on('close', () => finish(res.complete));
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          events,
          next: (timeoutMs = 5000) =>
            wait(() => (cursor < events.length ? events[cursor++] : undefined), timeoutMs, 'next event'),
          waitFor: (predicate, timeoutMs = 5000) => wait(() => events.find(predicate), timeoutMs, 'matching event'),
          ended,
          close: () => {
            abort();
          },
        });
      },
      reject,
    );
  });
}
