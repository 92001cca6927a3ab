// The history's reads by event id go through the id range (the table's primary key), never
// through a session's index: that index holds every event of the session, and SQLite, left to
// choose, takes it (a rebuild a day into the M cluster's history read 2.6 million index entries
// for 2,500 events).
import { describe, expect, it } from 'vitest';
import { EVENT_RANGE_SQL } from '../../server/history/history-reader.ts';
import { OLD_EVENTS_SQL } from '../../server/history/retention.ts';
import { openDatabase } from '../../server/history/schema.ts';

function plan(sql: string, args: unknown[]): string {
  const db = openDatabase(':memory:');
  try {
    return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[]).map((r) => r.detail).join('; ');
  } finally {
    db.close();
  }
}

describe('history query plans', () => {
  it('a rebuild reads the events after its checkpoint by id range', () => {
    expect(plan(EVENT_RANGE_SQL, [100, 200, 1])).toMatch(/USING INTEGER PRIMARY KEY \(rowid>\? AND rowid<\?\)/);
  });

  it('retention deletes a session’s old events by id range', () => {
    expect(plan(OLD_EVENTS_SQL, [1, 100])).toMatch(/USING INTEGER PRIMARY KEY \(rowid<\?\)/);
  });

  it('without the guard, SQLite would take the session index (what these tests keep away)', () => {
    expect(plan(EVENT_RANGE_SQL.replace('+session', 'session'), [100, 200, 1])).toMatch(/USING INDEX events_t/);
  });
});
