// Retention: what is older than the window goes, except what a rebuild inside the window needs
// (the last checkpoint at or before the window's start, and the events after it). Then free
// pages are given back to the file system (incremental vacuum): disk use follows the window.
import type { Db } from './schema.ts';

/** A session's events up to an id: `+session` makes SQLite read the id range, not every event of the session through its index. */
export const OLD_EVENTS_SQL = 'DELETE FROM events WHERE +session = ? AND id <= ?';

export interface RetentionResult {
  events: number;
  checkpoints: number;
  sessions: number;
  markers: number;
  samples: number;
}

/** Removes history older than `cutoff` (ms). The running session `current` is kept, trimmed like the others. */
export function applyRetention(db: Db, cutoff: number, current: number): RetentionResult {
  const result: RetentionResult = { events: 0, checkpoints: 0, sessions: 0, markers: 0, samples: 0 };
  const run = db.transaction(() => {
    const ended = db.prepare('SELECT id FROM sessions WHERE id <> ? AND coalesce(stopped_at, last_seen_at) < ?').all(current, cutoff) as { id: number }[];
    for (const { id } of ended) {
      result.events += db.prepare('DELETE FROM events WHERE session = ?').run(id).changes;
      result.checkpoints += db.prepare('DELETE FROM checkpoints WHERE session = ?').run(id).changes;
      result.markers += db.prepare('DELETE FROM markers WHERE session = ?').run(id).changes;
      result.samples += db.prepare('DELETE FROM posture WHERE session = ?').run(id).changes;
      result.sessions += db.prepare('DELETE FROM sessions WHERE id = ?').run(id).changes;
    }
    const spanning = db.prepare('SELECT id FROM sessions WHERE started_at < ?').all(cutoff) as { id: number }[];
    for (const { id } of spanning) {
      const start = db.prepare('SELECT event_id, t FROM checkpoints WHERE session = ? AND t <= ? ORDER BY event_id DESC LIMIT 1').get(id, cutoff) as { event_id: number; t: number } | undefined;
      // Without a checkpoint before the cutoff, a rebuild inside the window still replays from the session's start.
      if (!start) continue;
      result.events += db.prepare(OLD_EVENTS_SQL).run(id, start.event_id).changes;
      result.checkpoints += db.prepare('DELETE FROM checkpoints WHERE session = ? AND event_id < ?').run(id, start.event_id).changes;
      result.markers += db.prepare('DELETE FROM markers WHERE session = ? AND t < ?').run(id, start.t).changes;
      result.samples += db.prepare('DELETE FROM posture WHERE session = ? AND t < ?').run(id, start.t).changes;
      db.prepare('UPDATE sessions SET kept_from = ? WHERE id = ?').run(start.t, id);
    }
  });
  run();
  if (result.events + result.checkpoints + result.sessions + result.markers + result.samples > 0) db.pragma('incremental_vacuum');
  return result;
}
