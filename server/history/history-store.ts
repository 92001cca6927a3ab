// HistoryStore: records what the live engine applied (every source event, in batches with their
// time and seq), checkpoints, policy-change markers and posture samples into the history
// database, and answers questions about the past (history-reader.ts).
//
// Writes are queued in memory and committed in one transaction every `flushIntervalMs` (500 ms):
// a crash loses at most that much. Each commit, and a heartbeat every second when idle, moves
// the session's `last_seen_at`, so the gap a crash leaves is known to within a second.
// Times are kept non-decreasing within a session (a clock stepping back does not reorder the past).
import type { Statement } from 'better-sqlite3';
import type { AnalysisOptions } from '../../shared/model/types.ts';
import type { ResourceKind, SourceEvent } from '../cluster/source.ts';
import { encodeCheckpoint, encodeCheckpointSync, encodeEvent, EVENT_TYPES } from './codec.ts';
import { HistoryReader, type NotRebuilt } from './history-reader.ts';
import { InstantPreparer } from './preparer.ts';
import type { PastInstant } from './rebuild.ts';
import { ObjectSet, splitKey } from './object-set.ts';
import type { PostureSample } from './posture.ts';
import { applyRetention, type RetentionResult } from './retention.ts';
import { openDatabase, type Db } from './schema.ts';

export interface HistoryStoreOptions {
  /** The SQLite file (created when missing), or `:memory:`. */
  path: string;
  /** Events, checkpoints and samples older than this are deleted (the checkpoint that starts the window is kept). */
  retentionMs: number;
  /** What is watched (the snapshot's `source`). */
  source: string;
  /** The analysis options of this session (a rebuild uses them). */
  analysis: AnalysisOptions;
  /** Commit the queue this often (ms). Default 500. 0: only on flush() (benchmarks, tests). */
  flushIntervalMs?: number;
  /** Move `last_seen_at` at least this often while idle (ms). Default 1000. */
  heartbeatMs?: number;
  /** A checkpoint after this many events... Default 2,500 (a rebuild replays 1,250 events on average: a third of its time at 5,000). */
  checkpointEvents?: number;
  /** ...or this long after the previous one, when anything happened (ms). Default 10 minutes. */
  checkpointMs?: number;
  /** Compress checkpoints on the thread pool (default) or inline (deterministic tests). */
  asyncCheckpoints?: boolean;
  /** Run the retention pass this often (ms). Default 1 hour. 0: only on demand. */
  retentionIntervalMs?: number;
  /** Clock (ms since epoch); default Date.now. */
  now?: () => number;
  log?: (message: string) => void;
}

export interface SessionOptions {
  analysis: AnalysisOptions;
}

type Row =
  | { kind: 'event'; id: number; t: number; seq: number; resource: ResourceKind; type: number; key: string | null; flags: number; data: Buffer }
  | { kind: 'marker'; t: number; eventId: number; resource: ResourceKind; change: MarkerChange; namespace: string | null; name: string | null }
  | { kind: 'posture'; t: number; seq: number; sample: PostureSample }
  | { kind: 'checkpoint'; t: number; seq: number; eventId: number; objects: number; data: Buffer };

export type MarkerChange = 'added' | 'changed' | 'deleted';

/** What a policy or namespace means for the analysis: a change elsewhere (resourceVersion, status) is no marker. */
function meaning(json: string): string {
  const o = JSON.parse(json) as { metadata?: { labels?: unknown }; spec?: unknown };
  return JSON.stringify([o.metadata?.labels ?? null, o.spec ?? null]);
}

export class HistoryStore {
  readonly path: string;
  readonly session: number;
  readonly reader: HistoryReader;
  private readonly preparer = new InstantPreparer();
  private readonly db: Db;
  private readonly set = new ObjectSet({ diagnostics: true });
  private readonly now: () => number;
  private readonly log: (message: string) => void;
  private queue: Row[] = [];
  private nextEventId: number;
  private lastEventId = 0;
  private lastT = 0;
  private lastSeq = 0;
  private eventsSinceCheckpoint = 0;
  private lastCheckpointT: number;
  private checkpointing: Promise<void> | null = null;
  private lastHeartbeat = 0;
  private readonly timers: NodeJS.Timeout[] = [];
  private closed = false;
  private readonly insert: {
    event: Statement;
    marker: Statement;
    posture: Statement;
    checkpoint: Statement;
    heartbeat: Statement;
  };
  private readonly commit: (rows: Row[], seen: number) => void;

  private constructor(
    db: Db,
    private readonly options: HistoryStoreOptions,
  ) {
    this.db = db;
    this.path = options.path;
    this.now = options.now ?? Date.now;
    this.log = options.log ?? (() => {});
    const start = this.now();
    const sessionOptions: SessionOptions = { analysis: options.analysis };
    this.session = Number(
      db.prepare('INSERT INTO sessions (started_at, last_seen_at, source, options) VALUES (?, ?, ?, ?)').run(start, start, options.source, JSON.stringify(sessionOptions)).lastInsertRowid,
    );
    this.lastT = start;
    this.lastCheckpointT = start;
    this.lastHeartbeat = start;
    const maxId = (db.prepare('SELECT max(id) AS id FROM events').get() as { id: number | null }).id;
    this.nextEventId = (maxId ?? 0) + 1;
    this.insert = {
      event: db.prepare('INSERT INTO events (id, session, t, seq, resource, type, key, flags, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)'),
      marker: db.prepare('INSERT INTO markers (session, t, event_id, resource, change, namespace, name) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      posture: db.prepare('INSERT INTO posture (t, session, seq, sample) VALUES (?, ?, ?, ?)'),
      checkpoint: db.prepare('INSERT INTO checkpoints (session, t, seq, event_id, objects, data) VALUES (?, ?, ?, ?, ?, ?)'),
      heartbeat: db.prepare('UPDATE sessions SET last_seen_at = max(last_seen_at, ?) WHERE id = ?'),
    };
    this.commit = db.transaction((rows: Row[], seen: number) => {
      const s = this.session;
      for (const r of rows) {
        if (r.kind === 'event') this.insert.event.run(r.id, s, r.t, r.seq, r.resource, r.type, r.key, r.flags, r.data);
        else if (r.kind === 'marker') this.insert.marker.run(s, r.t, r.eventId, r.resource, r.change, r.namespace, r.name);
        else if (r.kind === 'posture') this.insert.posture.run(r.t, s, r.seq, JSON.stringify(r.sample));
        else this.insert.checkpoint.run(s, r.t, r.seq, r.eventId, r.objects, r.data);
      }
      this.insert.heartbeat.run(seen, s);
    });
    this.reader = new HistoryReader(db, { currentSession: this.session, now: this.now, beforeRead: () => this.flush() });

    const flushMs = options.flushIntervalMs ?? 500;
    if (flushMs > 0) {
      const heartbeatMs = options.heartbeatMs ?? 1000;
      this.timers.push(
        setInterval(() => {
          if (this.queue.length > 0 || this.now() - this.lastHeartbeat >= heartbeatMs) this.flushSafely();
        }, flushMs),
      );
    }
    const retentionEvery = options.retentionIntervalMs ?? 3_600_000;
    if (retentionEvery > 0) this.timers.push(setInterval(() => this.retainSafely(), retentionEvery));
    for (const t of this.timers) t.unref();
  }

  /** Opens (or creates) the store and starts a session. Errors name the file. */
  static open(options: HistoryStoreOptions): HistoryStore {
    let db: Db;
    try {
      db = openDatabase(options.path, { exclusive: true });
    } catch (err) {
      throw new Error(`history file ${options.path}: ${(err as Error).message}`, { cause: err });
    }
    const store = new HistoryStore(db, options);
    if ((options.retentionIntervalMs ?? 3_600_000) > 0) store.retainSafely();
    return store;
  }

  get retentionMs(): number {
    return this.options.retentionMs;
  }

  /** Objects currently held (for tests and logs). */
  get objects(): number {
    return this.set.size;
  }

  /**
   * Records one batch the engine applied: its events in order, the time it was applied (ms) and
   * the seq the engine gave it.
   */
  record(events: readonly SourceEvent[], at: number, seq: number): void {
    if (this.closed) throw new Error('HistoryStore.record: the store is closed');
    const t = Math.max(at, this.lastT);
    this.lastT = t;
    this.lastSeq = seq;
    for (const event of events) {
      // Changes to policies and namespaces are markers, but not the initial list of a resource.
      const markable = event.type !== 'status' && event.resource !== 'pods' && this.set.synced(event.resource);
      const encoded = encodeEvent(this.set, event);
      const id = this.nextEventId++;
      this.lastEventId = id;
      this.queue.push({ kind: 'event', id, t, seq, resource: encoded.resource, type: EVENT_TYPES.indexOf(encoded.type), key: encoded.key, flags: encoded.flags, data: encoded.data });
      if (markable) {
        let change: MarkerChange | null = null;
        if (encoded.type === 'delete') change = encoded.before !== undefined ? 'deleted' : null;
        else if (encoded.before === undefined) change = 'added';
        else if (meaning(encoded.before) !== meaning(encoded.after!)) change = 'changed';
        if (change) this.queue.push({ kind: 'marker', t, eventId: id, resource: encoded.resource, change, ...splitKey(encoded.resource, encoded.key) });
      }
    }
    this.eventsSinceCheckpoint += events.length;
    const due = this.eventsSinceCheckpoint >= (this.options.checkpointEvents ?? 2_500) || (this.eventsSinceCheckpoint > 0 && t - this.lastCheckpointT >= (this.options.checkpointMs ?? 600_000));
    if (due && this.checkpointing === null) this.checkpoint(t, seq);
  }

  /** One posture sample, taken from the engine at `at` (ms). */
  recordPosture(sample: PostureSample, at: number, seq: number): void {
    this.queue.push({ kind: 'posture', t: Math.max(at, this.lastT), seq, sample });
  }

  private checkpoint(t: number, seq: number): void {
    const eventId = this.lastEventId;
    const state = this.set.checkpoint();
    this.eventsSinceCheckpoint = 0;
    this.lastCheckpointT = t;
    const row = (data: Buffer): Row => ({ kind: 'checkpoint', t, seq, eventId, objects: state.objects.length, data });
    if (this.options.asyncCheckpoints === false) {
      this.queue.push(row(encodeCheckpointSync(state)));
      return;
    }
    this.checkpointing = encodeCheckpoint(state)
      .then((data) => {
        if (!this.closed) this.queue.push(row(data));
      })
      .catch((err: unknown) => this.log(`history: a checkpoint could not be written: ${(err as Error).message}`))
      .finally(() => {
        this.checkpointing = null;
      });
  }

  /** Commits the queue now (and the heartbeat). */
  flush(): void {
    if (this.closed) return;
    const rows = this.queue;
    this.queue = [];
    const seen = Math.max(this.now(), this.lastT);
    this.commit(rows, seen);
    this.lastHeartbeat = seen;
  }

  private flushSafely(): void {
    try {
      this.flush();
    } catch (err) {
      this.log(`history: writing to ${this.path} failed: ${(err as Error).message}`);
    }
  }

  /** Deletes what is older than the retention, keeping what a rebuild of the window needs. */
  retain(): RetentionResult {
    this.flush();
    return applyRetention(this.db, this.now() - this.options.retentionMs, this.session);
  }

  private retainSafely(): void {
    try {
      const r = this.retain();
      if (r.events + r.checkpoints + r.sessions > 0) this.log(`history: retention removed ${r.events} events, ${r.checkpoints} checkpoints, ${r.sessions} sessions`);
    } catch (err) {
      this.log(`history: retention failed on ${this.path}: ${(err as Error).message}`);
    }
  }

  /** Size of the database in bytes (pages in use and free), and of its write-ahead log. */
  diskUse(): { pages: number; freePages: number; pageSize: number } {
    return {
      pages: this.db.pragma('page_count', { simple: true }) as number,
      freePages: this.db.pragma('freelist_count', { simple: true }) as number,
      pageSize: this.db.pragma('page_size', { simple: true }) as number,
    };
  }

  /** Waits for a checkpoint being compressed, commits everything, marks the session stopped, closes the file. */
  /**
   * Two past instants at once (the two sides of a diff): `b` decoded and loaded in a worker thread
   * while `a` is rebuilt here, then `b`'s analysis made here. `a` is kept for stepping, `b` is not.
   */
  /** Starts the worker thread `rebuildPair` uses (else it starts on first use). */
  startPreparer(): void {
    this.preparer.start();
  }

  rebuildPair(a: number, b: number): Promise<[PastInstant | NotRebuilt, PastInstant | NotRebuilt]> {
    return this.reader.rebuildPair(a, b, (stored) => this.preparer.prepare(stored));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.preparer.close();
    for (const t of this.timers) clearInterval(t);
    if (this.checkpointing) await this.checkpointing;
    this.flush();
    this.closed = true;
    this.db.prepare('UPDATE sessions SET stopped_at = ?, last_seen_at = max(last_seen_at, ?) WHERE id = ?').run(Math.max(this.now(), this.lastT), Math.max(this.now(), this.lastT), this.session);
    if (this.options.path !== ':memory:') this.db.pragma('wal_checkpoint(TRUNCATE)');
    this.db.close();
  }

  /** The seq of the last batch recorded. */
  get seq(): number {
    return this.lastSeq;
  }
}
