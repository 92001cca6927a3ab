// An instant of the past, rebuilt: a checkpoint's objects and the events after it, fed to a fresh
// LiveEngine — the same state folding and analysis the live server ran — and the
// `traffic-map/analysis@1` document made from it the way the live snapshot is made.
import type { EngineAnalysis } from '../../shared/engine/engine.ts';
import type { Group } from '../../shared/matrix/matrix.ts';
import type { AnalysisOptions } from '../../shared/model/types.ts';
import type { SourceEvent } from '../cluster/source.ts';
import { LiveEngine } from '../live/live-engine.ts';
import { liveSnapshot, type LiveSnapshot } from '../live/snapshot.ts';
import { decodeCheckpoint, decodeEvent, type EventRow } from './codec.ts';
import { ObjectSet, type Checkpoint, type PreparedEngine } from './object-set.ts';

/** A LiveEngine holding a prepared state (see prepareEngine), loaded at once (not listening to anything). */
export function engineFrom(prepared: PreparedEngine, analysis: AnalysisOptions, basis?: EngineAnalysis): LiveEngine {
  const engine = new LiveEngine({ analysis, coalesceMs: 0 });
  engine.load(prepared.statuses, prepared.load, basis);
  return engine;
}

/** What rebuilding an instant reads from the store: the checkpoint before it and the events after it. */
export interface StoredInstant {
  checkpoint: Uint8Array | null;
  events: EventRow[];
}

const EMPTY: Checkpoint = { statuses: [], objects: [], lastUpserted: [] };

/** The checkpoint's objects brought forward by the events (decoded against the set as they were written). */
export function objectSetAt(stored: StoredInstant): ObjectSet {
  const set = ObjectSet.restore(stored.checkpoint ? decodeCheckpoint(stored.checkpoint) : EMPTY, { diagnostics: true });
  for (const row of stored.events) decodeEvent(set, row);
  return set;
}

/** Applies more events to a rebuilt engine, as one batch. */
export function advance(engine: LiveEngine, events: readonly SourceEvent[]): void {
  for (const e of events) engine.apply(e);
  engine.flush();
  // apply() may have armed the coalescing timer; flush() cleared it, stop() makes sure.
  engine.stop();
}

export interface PastInstant {
  /** The instant asked for (ISO). */
  at: string;
  /** The server run it falls in. */
  session: number;
  /** The live engine's seq at that instant (0 before its first batch). */
  seq: number;
  /** When the last change before `at` was applied (ISO), if any in this run. */
  changedAt: string | null;
  source: string;
  engine: LiveEngine;
}

/** The snapshot document of a past instant: the live one's shape, with `at` and `past: true`. */
export interface PastSnapshot extends LiveSnapshot {
  at: string;
  past: true;
  session: number;
  changedAt: string | null;
}

export function pastSnapshot(p: PastInstant, group: Group): PastSnapshot {
  const doc = liveSnapshot(p.engine, group, p.source);
  return { ...doc, seq: p.seq, at: p.at, past: true, session: p.session, changedAt: p.changedAt };
}
