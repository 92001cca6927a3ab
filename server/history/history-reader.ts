// Questions about the past, answered from the history database: which server run an instant
// falls in (or which gap), the timeline (runs, gaps, posture samples, policy-change markers), the
// events in a range, and the rebuild of any instant (the last checkpoint before it, then the
// events up to it). Recently rebuilt instants are kept, so stepping forward replays only the
// events in between.
import type { EngineAnalysis } from '../../shared/engine/engine.ts';
import type { ResourceKind, SourceEvent } from '../cluster/source.ts';
import { decodeEvent, EVENT_TYPES, type EventRow } from './codec.ts';
import { prepareEngine, splitKey, type ObjectSet, type PreparedEngine } from './object-set.ts';
import type { PostureSample } from './posture.ts';
import { advance, engineFrom, objectSetAt, type PastInstant, type StoredInstant } from './rebuild.ts';
import type { SessionOptions } from './history-store.ts';
import type { LiveEngine } from '../live/live-engine.ts';
import type { Db } from './schema.ts';

export interface HistoryReaderOptions {
  /** The session this process writes (it is running: its end is now). */
  currentSession?: number;
  now?: () => number;
  /** Called before every read (the writer commits its queue). */
  beforeRead?: () => void;
  /** Rebuilt instants kept for stepping and diffs (each holds a whole cluster's analysis). Default 2. */
  cacheSize?: number;
  /** A kept instant at most this many events earlier is stepped forward instead of rebuilt. Default 2,000. */
  stepLimit?: number;
}

interface SessionRow {
  id: number;
  started_at: number;
  last_seen_at: number;
  stopped_at: number | null;
  kept_from: number | null;
  source: string;
  options: string;
}

export interface SessionInfo {
  id: number;
  startedAt: string;
  /** null while it runs. */
  endedAt: string | null;
  /** `running`, `stopped` (cleanly), or `crashed` (no clean stop: it ended at its last heartbeat). */
  state: 'running' | 'stopped' | 'crashed';
  source: string;
  /** Retention removed what came before this instant (null: kept from the start). */
  keptFrom: string | null;
}

/** A time the server was not running: nothing is known about the cluster then. */
export interface Gap {
  from: string;
  /** null: up to now. */
  to: string | null;
  reason: 'stopped' | 'crashed';
}

export interface PostureRow extends PostureSample {
  t: string;
  session: number;
  seq: number;
}

export interface Marker {
  t: string;
  session: number;
  resource: ResourceKind;
  change: 'added' | 'changed' | 'deleted';
  namespace: string | null;
  name: string | null;
}

export interface Timeline {
  from: string;
  to: string;
  sessions: SessionInfo[];
  gaps: Gap[];
  posture: PostureRow[];
  /** True when samples were left out to stay within the limit (evenly; the last one is kept). */
  postureThinned: boolean;
  markers: Marker[];
  markersTruncated: boolean;
}

export interface HistoryEvent {
  id: number;
  t: string;
  session: number;
  seq: number;
  resource: ResourceKind;
  type: 'upsert' | 'delete' | 'status';
  namespace: string | null;
  name: string | null;
}

/** Why an instant cannot be rebuilt. */
export type NotRebuilt =
  | { reason: 'gap'; gap: Gap }
  | { reason: 'before-history'; earliest: string | null }
  | { reason: 'future'; now: string };

/** Why an instant cannot be shown, in words; `name` is how the asker called the instant. */
export function describeNotRebuilt(n: NotRebuilt, name: string): string {
  switch (n.reason) {
    case 'gap':
      return `the server was not running from ${n.gap.from} to ${n.gap.to ?? 'now'} (${n.gap.reason}): the cluster at ${name} is unknown`;
    case 'future':
      return `${name} is in the future (now is ${n.now})`;
    case 'before-history':
      return n.earliest === null ? 'nothing is recorded yet' : `the history starts at ${n.earliest} (older data is past the retention)`;
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * A session's events with ids in (after, upTo]. `+session` makes SQLite read the id range, not
 * the session's index: through the index it went over every event of the session (a third of a
 * second per rebuild a day into the M cluster's history). test/unit/history-query-plans.test.ts.
 */
export const EVENT_RANGE_SQL = 'SELECT resource, type, key, flags, data FROM events WHERE id > ? AND id <= ? AND +session = ? ORDER BY id';

interface Cached {
  session: number;
  eventId: number;
  engine: LiveEngine;
  set: ObjectSet;
  seq: number;
  changedAt: number | null;
}

export class HistoryReader {
  private readonly now: () => number;
  private cache: Cached[] = [];

  constructor(
    private readonly db: Db,
    private readonly options: HistoryReaderOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  private read(): void {
    this.options.beforeRead?.();
  }

  private sessionRows(): SessionRow[] {
    return this.db.prepare('SELECT * FROM sessions ORDER BY started_at, id').all() as SessionRow[];
  }

  private endOf(s: SessionRow): number | null {
    if (s.id === this.options.currentSession) return null;
    return s.stopped_at ?? s.last_seen_at;
  }

  private info(s: SessionRow): SessionInfo {
    const end = this.endOf(s);
    return {
      id: s.id,
      startedAt: iso(s.started_at),
      endedAt: end === null ? null : iso(end),
      state: end === null ? 'running' : s.stopped_at !== null ? 'stopped' : 'crashed',
      source: s.source,
      keptFrom: s.kept_from === null ? null : iso(s.kept_from),
    };
  }

  sessions(): SessionInfo[] {
    this.read();
    return this.sessionRows().map((s) => this.info(s));
  }

  /** The gaps between runs (and after the last one, when it is not running). */
  gaps(): Gap[] {
    const rows = this.sessionRows();
    const gaps: Gap[] = [];
    rows.forEach((s, i) => {
      const end = this.endOf(s);
      if (end === null) return;
      const next = rows[i + 1];
      gaps.push({ from: iso(end), to: next ? iso(Math.max(next.started_at, end)) : null, reason: s.stopped_at !== null ? 'stopped' : 'crashed' });
    });
    return gaps;
  }

  timeline(from: number, to: number, maxSamples = 2000, maxMarkers = 10_000): Timeline {
    this.read();
    const overlaps = (a: string, b: string | null) => Date.parse(a) <= to && (b === null || Date.parse(b) >= from);
    const sessions = this.sessionRows()
      .map((s) => this.info(s))
      .filter((s) => overlaps(s.startedAt, s.endedAt));
    const gaps = this.gaps().filter((g) => overlaps(g.from, g.to));
    const rows = this.db.prepare('SELECT t, session, seq, sample FROM posture WHERE t >= ? AND t <= ? ORDER BY t').all(from, to) as { t: number; session: number; seq: number; sample: string }[];
    let kept = rows;
    if (rows.length > maxSamples) {
      const step = rows.length / maxSamples;
      kept = [];
      for (let i = 0; i < maxSamples - 1; i++) kept.push(rows[Math.floor(i * step)]!);
      kept.push(rows[rows.length - 1]!);
    }
    const markers = this.db
      .prepare('SELECT t, session, resource, change, namespace, name FROM markers WHERE t >= ? AND t <= ? ORDER BY t, id LIMIT ?')
      .all(from, to, maxMarkers + 1) as { t: number; session: number; resource: ResourceKind; change: Marker['change']; namespace: string | null; name: string | null }[];
    return {
      from: iso(from),
      to: iso(to),
      sessions,
      gaps,
      posture: kept.map((r) => ({ t: iso(r.t), session: r.session, seq: r.seq, ...(JSON.parse(r.sample) as PostureSample) })),
      postureThinned: kept.length < rows.length,
      markers: markers.slice(0, maxMarkers).map((m) => ({ ...m, t: iso(m.t) })),
      markersTruncated: markers.length > maxMarkers,
    };
  }

  /** The events applied in [from, to], oldest first, at most `limit`; optionally of some resources only. */
  events(from: number, to: number, limit = 1000, resources?: readonly ResourceKind[]): { events: HistoryEvent[]; truncated: boolean } {
    this.read();
    const filter = resources && resources.length > 0 ? ` AND resource IN (${resources.map(() => '?').join(',')})` : '';
    const out: HistoryEvent[] = [];
    for (const s of this.sessionRows()) {
      const end = this.endOf(s) ?? Infinity;
      if (s.started_at > to || end < from) continue;
      const rows = this.db
        .prepare(`SELECT id, session, t, seq, resource, type, key FROM events WHERE session = ? AND t >= ? AND t <= ?${filter} ORDER BY id LIMIT ?`)
        .all(s.id, from, to, ...(resources ?? []), limit + 1 - out.length) as { id: number; session: number; t: number; seq: number; resource: ResourceKind; type: number; key: string | null }[];
      for (const r of rows) {
        const where = r.type === 2 ? { namespace: r.key, name: null } : splitKey(r.resource, r.key);
        out.push({ id: r.id, t: iso(r.t), session: r.session, seq: r.seq, resource: r.resource, type: EVENT_TYPES[r.type]!, ...where });
      }
      if (out.length > limit) break;
    }
    return { events: out.slice(0, limit), truncated: out.length > limit };
  }

  /** Where an instant falls: in a run (with the last event applied by then), or not. */
  private locate(at: number): { session: SessionRow; eventId: number; seq: number; changedAt: number | null } | NotRebuilt {
    const now = this.now();
    if (at > now) return { reason: 'future', now: iso(now) };
    const rows = this.sessionRows();
    let session: SessionRow | undefined;
    for (const s of rows) if (s.started_at <= at) session = s;
    const earliest = rows[0] ? iso(rows[0].kept_from ?? rows[0].started_at) : null;
    if (!session) return { reason: 'before-history', earliest };
    const end = this.endOf(session);
    if (end !== null && at > end) return { reason: 'gap', gap: this.gaps().find((g) => Date.parse(g.from) === end)! };
    if (session.kept_from !== null && at < session.kept_from) {
      const next = rows.find((s) => (s.kept_from ?? s.started_at) > at);
      return { reason: 'before-history', earliest: next ? iso(next.kept_from ?? next.started_at) : null };
    }
    const last = this.db.prepare('SELECT id, seq, t FROM events WHERE session = ? AND t <= ? ORDER BY t DESC, id DESC LIMIT 1').get(session.id, at) as { id: number; seq: number; t: number } | undefined;
    // Retention may have removed the events a checkpoint holds: the checkpoint then marks the position.
    const held = this.db.prepare('SELECT event_id AS id, seq, t FROM checkpoints WHERE session = ? AND t <= ? ORDER BY event_id DESC LIMIT 1').get(session.id, at) as { id: number; seq: number; t: number } | undefined;
    const position = held && (!last || held.id > last.id) ? held : last;
    return { session, eventId: position?.id ?? 0, seq: position?.seq ?? 0, changedAt: position?.t ?? null };
  }

  /**
   * The cluster as the live engine had it at `at` (ms): a rebuilt engine, or why there is none.
   * The engine is shared with the cache: read it, do not feed it.
   */
  rebuild(at: number): PastInstant | NotRebuilt {
    this.read();
    const where = this.locate(at);
    if ('reason' in where) return where;
    const { session, eventId } = where;
    const options = JSON.parse(session.options) as SessionOptions;
    let entry = this.cache.find((c) => c.session === session.id && c.eventId === eventId);
    if (!entry) {
      const step = this.options.stepLimit ?? 2000;
      const earlier = this.cache
        .filter((c) => c.session === session.id && c.eventId < eventId && eventId - c.eventId <= step)
        .sort((a, b) => b.eventId - a.eventId)[0];
      if (earlier) {
        // Step forward from an instant rebuilt before: the engine applies the events in between.
        this.cache = this.cache.filter((c) => c !== earlier);
        advance(earlier.engine, this.replay(earlier.set, session.id, earlier.eventId, eventId));
        entry = { ...earlier, eventId };
      } else {
        // The checkpoint, brought forward to the instant in the object set alone (cheap), then
        // given to a fresh engine at once: the cost is one load of the cluster, however far the
        // instant is from the checkpoint.
        const set = objectSetAt(this.stored(session.id, eventId));
        entry = { session: session.id, eventId, engine: engineFrom(prepareEngine(set), options.analysis), set, seq: 0, changedAt: null };
      }
      entry.seq = where.seq;
      entry.changedAt = where.changedAt;
      this.cache.unshift(entry);
      this.cache = this.cache.slice(0, this.options.cacheSize ?? 2);
    }
    return pastInstant(at, session, entry);
  }

  /**
   * `rebuild`, with the decoding and loading done by `prepare` (a worker thread: InstantPreparer)
   * while this thread does something else; only the analysis is made here. Its engine is its
   * own (not kept for stepping, and never one that is).
   */
  async rebuildAside(at: number, prepare: (stored: StoredInstant) => Promise<PreparedEngine>, basis: () => EngineAnalysis | undefined = () => undefined): Promise<PastInstant | NotRebuilt> {
    this.read();
    const where = this.locate(at);
    if ('reason' in where) return where;
    const { session, eventId } = where;
    // Never a kept engine: a rebuild meanwhile may step it forward in place.
    const prepared = await prepare(this.stored(session.id, eventId));
    const engine = engineFrom(prepared, (JSON.parse(session.options) as SessionOptions).analysis, basis());
    return pastInstant(at, session, { engine, seq: where.seq, changedAt: where.changedAt });
  }

  /** `a` rebuilt here (and kept) while `b` is prepared by `prepare` (see rebuildAside): a diff's two sides in the time of one. */
  async rebuildPair(a: number, b: number, prepare: (stored: StoredInstant) => Promise<PreparedEngine>): Promise<[PastInstant | NotRebuilt, PastInstant | NotRebuilt]> {
    // `b`'s analysis takes `a`'s class level when their policies and namespaces are the same.
    let basis: EngineAnalysis | undefined;
    const after = this.rebuildAside(b, prepare, () => basis);
    // Waited for below, even when rebuilding `a` throws.
    after.catch(() => {});
    const before = this.rebuild(a);
    if (!('reason' in before)) basis = before.engine.analysis;
    return [before, await after];
  }

  /** The last checkpoint of the session at or before the event, and the events after it up to the event. */
  private stored(session: number, eventId: number): StoredInstant {
    const checkpoint = this.db.prepare('SELECT event_id, data FROM checkpoints WHERE session = ? AND event_id <= ? ORDER BY event_id DESC LIMIT 1').get(session, eventId) as
      | { event_id: number; data: Buffer }
      | undefined;
    return { checkpoint: checkpoint?.data ?? null, events: this.eventRows(session, checkpoint?.event_id ?? 0, eventId) };
  }

  /** The events of a session with ids in (after, upTo], decoded in order through `set`. */
  private replay(set: ObjectSet, session: number, after: number, upTo: number): SourceEvent[] {
    return this.eventRows(session, after, upTo).map((r) => decodeEvent(set, r));
  }

  /** The stored rows of a session's events with ids in (after, upTo], in order. */
  private eventRows(session: number, after: number, upTo: number): EventRow[] {
    if (upTo <= after) return [];
    return this.db.prepare(EVENT_RANGE_SQL).all(after, upTo, session) as EventRow[];
  }
}

function pastInstant(at: number, session: SessionRow, entry: { engine: LiveEngine; seq: number; changedAt: number | null }): PastInstant {
  return {
    at: iso(at),
    session: session.id,
    seq: entry.seq,
    changedAt: entry.changedAt === null ? null : iso(entry.changedAt),
    source: session.source,
    engine: entry.engine,
  };
}
