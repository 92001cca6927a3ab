// Every request the simulated server receives: a bounded log for assertions and unbounded counters
// per (resource, verb), so tests can assert "request counts bounded" for a client under faults.
import type { SimResource, SimVerb } from './resources.ts';

export interface RequestRecord {
  seq: number;
  /** ISO time the request arrived. */
  time: string;
  method: string;
  path: string;
  query: Record<string, string>;
  /** HTTP status answered; 0 while the answer has not started (delayed, or still being read). */
  status: number;
  /** Milliseconds until the status line was written (for a watch: until its headers). */
  durationMs: number;
  resource?: SimResource;
  verb?: SimVerb;
  namespace?: string;
  name?: string;
  userAgent?: string;
  /** The request's Content-Type (for PATCH: which patch type). */
  contentType?: string;
}

export interface RequestFilter {
  resource?: SimResource;
  verb?: SimVerb;
  method?: string;
  /** Exact path, or a RegExp tested against it. */
  path?: string | RegExp;
  status?: number;
  /** Only records with seq greater than this (see `mark()`). */
  after?: number;
}

function matches(r: RequestRecord, f: RequestFilter): boolean {
  if (f.resource !== undefined && r.resource !== f.resource) return false;
  if (f.verb !== undefined && r.verb !== f.verb) return false;
  if (f.method !== undefined && r.method !== f.method.toUpperCase()) return false;
  if (f.status !== undefined && r.status !== f.status) return false;
  if (f.after !== undefined && r.seq <= f.after) return false;
  if (f.path !== undefined && (typeof f.path === 'string' ? r.path !== f.path : !f.path.test(r.path))) return false;
  return true;
}

export class RequestLog {
  private log: RequestRecord[] = [];
  private seq = 0;
  private readonly counts = new Map<string, number>();
  private readonly waiters = new Set<{ filter: RequestFilter; resolve: (r: RequestRecord) => void }>();

  constructor(private readonly limit = 10_000) {}

  /** Records an arriving request (status 0 until `answered`). */
  add(record: Omit<RequestRecord, 'seq' | 'status' | 'durationMs'>): RequestRecord {
    const r: RequestRecord = { ...record, seq: ++this.seq, status: 0, durationMs: 0 };
    this.log.push(r);
    if (this.log.length > this.limit) this.log = this.log.slice(this.log.length - Math.floor(this.limit / 2));
    if (r.resource && r.verb) {
      const key = `${r.resource}:${r.verb}`;
      this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    }
    return r;
  }

  answered(record: RequestRecord, status: number, startedAt: number): void {
    if (record.status !== 0) return;
    record.status = status;
    record.durationMs = Date.now() - startedAt;
    for (const w of [...this.waiters]) {
      if (matches(record, w.filter)) {
        this.waiters.delete(w);
        w.resolve(record);
      }
    }
  }

  /** The kept records (the most recent ones), oldest first; optionally filtered. */
  entries(filter: RequestFilter = {}): RequestRecord[] {
    return this.log.filter((r) => matches(r, filter)).map((r) => ({ ...r, query: { ...r.query } }));
  }

  /** Requests per (resource, verb) since start or the last `clear()`: `{ "pods:list": 2, ... }`. */
  counters(): Record<string, number> {
    return Object.fromEntries([...this.counts.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
  }

  /** How many requests match (counters for resource/verb alone; the log otherwise). */
  count(filter: RequestFilter = {}): number {
    const keys = Object.keys(filter).filter((k) => filter[k as keyof RequestFilter] !== undefined);
    if (keys.every((k) => k === 'resource' || k === 'verb')) {
      let n = 0;
      for (const [key, c] of this.counts) {
        const [resource, verb] = key.split(':');
        if ((filter.resource === undefined || filter.resource === resource) && (filter.verb === undefined || filter.verb === verb)) n += c;
      }
      return n;
    }
    return this.log.filter((r) => matches(r, filter)).length;
  }

  /** The seq of the last request so far: pass it as `after` to look only at later requests. */
  mark(): number {
    return this.seq;
  }

  /** Resolves with the first answered request matching the filter (later ones only, unless `after`). */
  waitFor(filter: RequestFilter = {}, timeoutMs = 10_000): Promise<RequestRecord> {
    const f = { after: this.seq, ...filter };
    const done = this.log.find((r) => r.status !== 0 && matches(r, f));
    if (done) return Promise.resolve({ ...done });
    return new Promise((resolve, reject) => {
      const waiter = {
        filter: f,
        resolve: (r: RequestRecord) => {
          clearTimeout(timer);
          resolve({ ...r });
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`no request matching ${JSON.stringify({ ...f, path: f.path?.toString() })} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  clear(): void {
    this.log = [];
    this.counts.clear();
  }
}
