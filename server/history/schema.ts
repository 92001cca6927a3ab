// The history database: one SQLite file (better-sqlite3) in WAL mode, its tables and its version.
//
// - meta: key/value (schema version, creation time).
// - sessions: one per server run: start, last heartbeat (written at least every second, so a
//   SIGKILL leaves a gap bounded to within a second), clean stop, what was watched and with which
//   analysis options; `kept_from` once retention removed its beginning. The time between a
//   session's end and the next start is a gap.
// - events: every source event the live engine applied, in order, with the time and seq of the
//   batch it was applied in; the object JSON compressed (codec.ts).
// - checkpoints: the full object set at an event, compressed, so a rebuild replays a bounded
//   number of events.
// - markers: policy and namespace changes (for the timeline), posture: sampled figures.
import Database from 'better-sqlite3';

export const SCHEMA_VERSION = 1;

export type Db = Database.Database;

const TABLES = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sessions (
  id INTEGER PRIMARY KEY,
  started_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  stopped_at INTEGER,
  kept_from INTEGER,
  source TEXT NOT NULL,
  options TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
  id INTEGER PRIMARY KEY,
  session INTEGER NOT NULL,
  t INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  resource TEXT NOT NULL,
  type INTEGER NOT NULL,
  key TEXT,
  flags INTEGER NOT NULL,
  data BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS events_t ON events (session, t);
CREATE TABLE IF NOT EXISTS checkpoints (
  id INTEGER PRIMARY KEY,
  session INTEGER NOT NULL,
  t INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  event_id INTEGER NOT NULL,
  objects INTEGER NOT NULL,
  data BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS checkpoints_event ON checkpoints (session, event_id);
CREATE TABLE IF NOT EXISTS markers (
  id INTEGER PRIMARY KEY,
  session INTEGER NOT NULL,
  t INTEGER NOT NULL,
  event_id INTEGER NOT NULL,
  resource TEXT NOT NULL,
  change TEXT NOT NULL,
  namespace TEXT,
  name TEXT
);
CREATE INDEX IF NOT EXISTS markers_t ON markers (t);
CREATE TABLE IF NOT EXISTS posture (
  t INTEGER NOT NULL,
  session INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  sample TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS posture_t ON posture (t);
CREATE INDEX IF NOT EXISTS posture_session ON posture (session);
CREATE INDEX IF NOT EXISTS markers_session ON markers (session);
`;

/**
 * Opens (creating when needed) the history database at `path` (`:memory:` for none on disk).
 * `exclusive`: hold the file for this connection alone (the recording server): a second server
 * on the same file is refused instead of interleaving its writes.
 */
export function openDatabase(path: string, options: { exclusive?: boolean } = {}): Db {
  const db = new Database(path);
  try {
    db.pragma('busy_timeout = 2000');
    // Must precede anything written: free pages are then returned by `incremental_vacuum`.
    if (db.pragma('page_count', { simple: true }) === 0) db.pragma('auto_vacuum = INCREMENTAL');
    if (options.exclusive && path !== ':memory:') {
      db.pragma('locking_mode = EXCLUSIVE');
      // Takes the lock now (it is kept until the connection closes).
      db.exec('BEGIN IMMEDIATE; COMMIT');
    }
    if (path !== ':memory:') {
      db.pragma('journal_mode = WAL');
      // The log is reused after each checkpoint; past this size it is truncated back.
      db.pragma('journal_size_limit = 67108864');
    }
    // WAL + NORMAL: a commit survives a crash of the process (not always of the machine), without an fsync per commit.
    db.pragma('synchronous = NORMAL');
    const version = readVersion(db);
    if (version !== undefined && version > SCHEMA_VERSION) {
      throw new Error(`history file ${path} has schema version ${version}, written by a newer Traffic Map (this one reads up to ${SCHEMA_VERSION})`);
    }
    db.exec(TABLES);
    if (version === undefined) {
      db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?), (?, ?)').run('schema_version', String(SCHEMA_VERSION), 'created_at', new Date().toISOString());
    }
    return db;
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code?.startsWith('SQLITE_BUSY')) throw new Error('it is in use by another Traffic Map server (one server per history file)', { cause: err });
    throw err;
  }
}

function readVersion(db: Db): number | undefined {
  const table = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get();
  if (!table) return undefined;
  const row = db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as { value: string } | undefined;
  return row ? Number(row.value) : undefined;
}
