// Retention and compaction of the history store, and how durations and the history options are read.
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { serveConfig } from '../../server/config.ts';
import type { SourceEvent } from '../../server/cluster/source.ts';
import { formatDuration, parseDuration } from '../../server/history/duration.ts';
import { HistoryStore, type HistoryStoreOptions } from '../../server/history/history-store.ts';
import { pastSnapshot } from '../../server/history/rebuild.ts';
import { defaultHistoryFile } from '../../server/history/paths.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const dir = mkdtempSync(join(tmpdir(), 'tm-history-retention-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('durations', () => {
  it.each([
    ['30d', 30 * DAY],
    ['12h', 12 * HOUR],
    ['90m', 90 * 60_000],
    [' 2d ', 2 * DAY],
    ['1.5h', 1.5 * HOUR],
  ])('%s', (text, ms) => {
    expect(parseDuration(text, '--retention')).toBe(ms);
  });

  it.each(['30', 'd', '0d', '-1d', '1w', '', '10 days'])('rejects "%s", naming the flag', (text) => {
    expect(() => parseDuration(text, '--retention')).toThrow(/^--retention must be a duration like 30d/);
  });

  it('formats back', () => {
    expect([30 * DAY, 12 * HOUR, 90 * 60_000].map(formatDuration)).toEqual(['30d', '12h', '90m']);
  });
});

describe('history options', () => {
  it('is on by default, 30 days, at the default place', () => {
    const c = serveConfig({}, {});
    expect(c.history).toBe(true);
    expect(c.historyPath).toBeUndefined();
    expect(c.retentionMs).toBe(30 * DAY);
  });

  it('--history PATH, --retention, --no-history, the environment', () => {
    expect(serveConfig({ history: '/var/lib/tm/h.sqlite', retention: '12h' }, {})).toMatchObject({ history: true, historyPath: '/var/lib/tm/h.sqlite', retentionMs: 12 * HOUR });
    expect(serveConfig({ history: false }, {}).history).toBe(false);
    expect(serveConfig({}, { TRAFFIC_MAP_HISTORY: 'off' }).history).toBe(false);
    expect(serveConfig({}, { TRAFFIC_MAP_RETENTION: '7d' }).retentionMs).toBe(7 * DAY);
    expect(() => serveConfig({ retention: '7 days' }, {})).toThrow(/--retention must be a duration/);
  });

  it('one default file per cluster, in the data directory', () => {
    const a = defaultHistoryFile('context "kind-prod" (https://127.0.0.1:6443)', { XDG_DATA_HOME: '/data' });
    const b = defaultHistoryFile('context "kind-dev" (https://127.0.0.1:6443)', { XDG_DATA_HOME: '/data' });
    expect(a).toMatch(/^\/data\/traffic-map\/history-context-kind-prod-[0-9a-f]{10}\.sqlite$/);
    expect(b).not.toBe(a);
  });
});

// A small cluster whose pods are relabelled once an hour: every batch is one hour apart.
function pod(i: number, rev: number): SourceEvent {
  return {
    type: 'upsert',
    resource: 'pods',
    object: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `web-${i}`, namespace: 'shop', uid: `uid-${i}`, labels: { app: 'web', rev: String(rev) } },
      spec: { containers: [{ name: 'c', image: 'x'.repeat(2000 + rev), ports: [{ containerPort: 80 }] }] },
      status: { phase: 'Running', podIP: `10.0.0.${i + 1}` },
    },
  };
}

const SYNCED: SourceEvent[] = (['pods', 'namespaces', 'networkpolicies', 'adminnetworkpolicies', 'baselineadminnetworkpolicies'] as const).map((resource) => ({
  type: 'status',
  resource,
  status: { state: 'synced', syncedOnce: true },
}));

function open(path: string, clock: { now: number }, extra: Partial<HistoryStoreOptions> = {}): HistoryStore {
  return HistoryStore.open({
    path,
    retentionMs: 2 * DAY,
    source: 'test',
    analysis: { ipBlockMatchesPods: true },
    flushIntervalMs: 0,
    retentionIntervalMs: 0,
    checkpointEvents: 40,
    asyncCheckpoints: false,
    now: () => clock.now,
    ...extra,
  });
}

/** Runs a session of `hours` hourly batches of 20 pod changes. Returns the batch times. */
function runHours(store: HistoryStore, clock: { now: number }, hours: number): number[] {
  const times: number[] = [];
  store.record(SYNCED, clock.now, 1);
  for (let h = 0; h < hours; h++) {
    clock.now += HOUR;
    store.record(Array.from({ length: 20 }, (_, i) => pod(i, h)), clock.now, h + 2);
    times.push(clock.now);
  }
  store.flush();
  return times;
}

function doc(store: HistoryStore, at: number): unknown {
  const past = store.reader.rebuild(at);
  if ('reason' in past) return past.reason;
  const { generatedAt: _g, ...rest } = pastSnapshot(past, 'pod');
  return rest;
}

describe('retention', () => {
  it('deletes what is older than the window, keeps the checkpoint that starts it, and rebuilds the window as before', async () => {
    const path = join(dir, 'retention.sqlite');
    const clock = { now: Date.UTC(2026, 0, 1) };
    let store = open(path, clock);
    const first = runHours(store, clock, 30);
    await store.close();
    clock.now += HOUR;
    store = open(path, clock);
    const second = runHours(store, clock, 60);

    // Before: every instant of both runs rebuilds; remember the window's answers.
    const cutoff = clock.now - 2 * DAY;
    const inWindow = second.filter((t) => t >= cutoff);
    const expected = inWindow.map((t) => doc(store, t));
    expect(expected.every((d) => typeof d === 'object')).toBe(true);
    expect(typeof doc(store, first[5]!)).toBe('object');
    const sizeBefore = statSync(path).size + statSync(`${path}-wal`).size;

    const result = store.retain();
    expect(result.sessions).toBe(1);
    expect(result.events).toBeGreaterThan(30 * 20);
    expect(result.checkpoints).toBeGreaterThan(0);

    // The window rebuilds exactly as before (from the kept checkpoint on).
    expect(inWindow.map((t) => doc(store, t))).toEqual(expected);
    // Older instants are gone, and said to be.
    expect(doc(store, first[5]!)).toBe('before-history');
    expect(doc(store, second[0]!)).toBe('before-history');
    const sessions = store.reader.sessions();
    expect(sessions).toHaveLength(1);
    expect(Date.parse(sessions[0]!.keptFrom!)).toBeLessThanOrEqual(cutoff);
    expect(Date.parse(sessions[0]!.keptFrom!)).toBeGreaterThan(cutoff - 3 * HOUR);
    // The samples and markers of the past run went with it; the gap before this run is no more.
    expect(store.reader.gaps()).toEqual([]);

    // Freed pages go back to the file system.
    const use = store.diskUse();
    expect(use.freePages).toBe(0);
    await store.close();
    expect(statSync(path).size).toBeLessThan(sizeBefore);
  });

  it('a run without a checkpoint before the cutoff keeps its events (a rebuild in the window needs them)', async () => {
    const clock = { now: Date.UTC(2026, 1, 1) };
    const store = open(':memory:', clock, { checkpointEvents: 1_000_000, checkpointMs: 100 * DAY });
    const times = runHours(store, clock, 60);
    const r = store.retain();
    expect(r.events).toBe(0);
    expect(typeof doc(store, times[0]!)).toBe('object');
    await store.close();
  });
});

describe('the history file', () => {
  const options = (path: string): HistoryStoreOptions => ({ path, retentionMs: DAY, source: 'test', analysis: { ipBlockMatchesPods: true }, flushIntervalMs: 0, retentionIntervalMs: 0 });

  it('one server at a time: a second one is refused, the next run continues the timeline', async () => {
    const path = join(dir, 'one-writer.sqlite');
    const first = HistoryStore.open(options(path));
    expect(() => HistoryStore.open(options(path))).toThrow(`history file ${path}: it is in use by another Traffic Map server`);
    await first.close();
    const next = HistoryStore.open(options(path));
    expect(next.reader.sessions().map((s) => s.state)).toEqual(['stopped', 'running']);
    await next.close();
  });

  it('a file that is not a history database: the error names it', () => {
    const path = join(dir, 'not-a-database.sqlite');
    writeFileSync(path, 'hello, this is text and not SQLite at all '.repeat(100));
    expect(() => HistoryStore.open(options(path))).toThrow(`history file ${path}: file is not a database`);
  });
});
