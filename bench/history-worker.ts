// Child process of the history benchmark: simulated hours of the M cluster under churn, written
// through the HistoryStore API as fast as it goes (time-compressed: synthetic timestamps), then
// timed rebuilds of random instants and diffs of two instants a day apart, from the file (the
// second instant of a diff prepared in a worker thread meanwhile, as the server does).
//
// The simulated API server's store and churn generator make the events (pods created Pending,
// then Running with an IP, terminating, deleted: ~30 store writes per simulated second); each is
// normalized as the informers normalize it and recorded in batches of 100 ms of simulated time
// (the live engine coalesces events within 20 ms; at 30 events/s most batches would hold one).
import { mkdtempSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diffAnalyses } from '../shared/diff/diff.ts';
import { RESOURCE_KINDS } from '../shared/model/status.ts';
import { normalizeObject } from '../server/cluster/normalize.ts';
import type { ResourceKind, SourceEvent } from '../server/cluster/source.ts';
import { HistoryReader } from '../server/history/history-reader.ts';
import { HistoryStore } from '../server/history/history-store.ts';
import { InstantPreparer } from '../server/history/preparer.ts';
import { openDatabase } from '../server/history/schema.ts';
import { Churn } from '../server/sim/churn.ts';
import { scenarioObjects } from '../server/sim/scenarios/index.ts';
import { Store } from '../server/sim/store.ts';

export interface HistoryBenchResult {
  hours: number;
  rate: number;
  events: number;
  batches: number;
  writeSeconds: number;
  bytes: { file: number; events: number; checkpoints: number; checkpointCount: number; eventCount: number };
  rebuild: { ms: number[]; replayed: number[]; pods: number };
  diff: { totalMs: number[]; diffMs: number[]; group: string; changes: number };
  rssMB: number;
}

const HOURS = Number(process.env['HISTORY_HOURS'] ?? 24);
const RATE = 30;
const BATCH_MS = 100;
const REBUILDS = Number(process.env['HISTORY_REBUILDS'] ?? 15);
const DIFFS = Number(process.env['HISTORY_DIFFS'] ?? 5);
const START = Date.UTC(2026, 0, 1);

const RESOURCE: Record<string, ResourceKind> = { Pod: 'pods', Namespace: 'namespaces', NetworkPolicy: 'networkpolicies' };
const dir = mkdtempSync(join(tmpdir(), 'tm-bench-history-'));
const path = join(dir, 'history.sqlite');
const clock = { now: START };

try {
  const store = new Store({ now: () => clock.now });
  const objects = scenarioObjects('M', { now: START, adminPolicies: false }).filter((o) => RESOURCE[(o as { kind: string }).kind] !== undefined);
  store.load(objects, { owned: true });
  const churn = new Churn(store, { rate: RATE, seed: 1 });
  const history = HistoryStore.open({
    path,
    retentionMs: 30 * 86_400_000,
    source: 'simulated cluster "M" (bench)',
    analysis: { ipBlockMatchesPods: true },
    flushIntervalMs: 0,
    retentionIntervalMs: 0,
    asyncCheckpoints: false,
    now: () => clock.now,
  });

  let pending: SourceEvent[] = [];
  store.subscribe((e) => {
    const resource = e.resource as ResourceKind;
    if (!RESOURCE_KINDS.includes(resource)) return;
    const object = normalizeObject(resource, e.object);
    pending.push(e.type === 'DELETED' ? { type: 'delete', resource, object } : { type: 'upsert', resource, object });
  });

  // The initial list, as the informers deliver it, then synced.
  let seq = 0;
  let events = 0;
  let batches = 0;
  const record = (batch: SourceEvent[]) => {
    history.record(batch, clock.now, ++seq);
    events += batch.length;
    batches++;
  };
  const listed: SourceEvent[] = [];
  for (const resource of ['namespaces', 'networkpolicies', 'pods'] as const) {
    for (const object of store.peekList(resource)) listed.push({ type: 'upsert', resource, object: normalizeObject(resource, object) });
  }
  record([...RESOURCE_KINDS.map((resource): SourceEvent => ({ type: 'status', resource, status: { state: 'syncing', syncedOnce: false } })), ...listed]);
  record(RESOURCE_KINDS.map((resource): SourceEvent => ({ type: 'status', resource, status: { state: 'synced', syncedOnce: true } })));
  history.flush();
  const firstAt = clock.now;

  const started = performance.now();
  const end = START + HOURS * 3_600_000;
  let due = 0;
  let lastFlush = clock.now;
  let lastReport = performance.now();
  while (clock.now < end) {
    clock.now += BATCH_MS;
    due += (RATE * BATCH_MS) / 1000;
    const n = Math.floor(due);
    due -= n;
    churn.step(n);
    if (pending.length > 0) {
      record(pending);
      pending = [];
    }
    // Commit once per simulated half second, as the live store does.
    if (clock.now - lastFlush >= 500) {
      history.flush();
      lastFlush = clock.now;
    }
    if (performance.now() - lastReport > 30_000) {
      lastReport = performance.now();
      console.error(`[history bench] ${((clock.now - START) / 3_600_000).toFixed(1)} of ${HOURS} simulated hours, ${events} events`);
    }
  }
  const writeSeconds = (performance.now() - started) / 1000;
  await history.close();

  const db = openDatabase(path);
  const sum = (sql: string) => (db.prepare(sql).get() as { n: number | null }).n ?? 0;
  const bytes = {
    file: statSync(path).size + (existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0),
    events: sum('SELECT sum(length(data)) AS n FROM events'),
    checkpoints: sum('SELECT sum(length(data)) AS n FROM checkpoints'),
    checkpointCount: sum('SELECT count(*) AS n FROM checkpoints'),
    eventCount: sum('SELECT count(*) AS n FROM events'),
  };

  // Rebuilds of random instants, each from a fresh reader (no cache).
  let x = 12345;
  const random = () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
  const rebuildMs: number[] = [];
  const replayed: number[] = [];
  let pods = 0;
  for (let i = 0; i < REBUILDS; i++) {
    const at = firstAt + Math.floor(random() * (clock.now - firstAt));
    const reader = new HistoryReader(db, { now: () => clock.now });
    const t = performance.now();
    const past = reader.rebuild(at);
    rebuildMs.push(performance.now() - t);
    if ('reason' in past) throw new Error(`instant ${new Date(at).toISOString()} not rebuilt: ${past.reason}`);
    pods = past.engine.analysis.pods.length;
    const position = db.prepare('SELECT max(id) AS id FROM events WHERE t <= ?').get(at) as { id: number };
    const base = db.prepare('SELECT max(event_id) AS id FROM checkpoints WHERE event_id <= ?').get(position.id) as { id: number | null };
    replayed.push(position.id - (base.id ?? 0));
  }

  // Diffs of two instants a day apart (or the run's length, when shorter).
  const span = Math.min(86_400_000, clock.now - firstAt - 60_000);
  const totalMs: number[] = [];
  const preparer = new InstantPreparer();
  // Started before timing, as the server starts it with the history.
  preparer.start();
  await preparer.prepare({ checkpoint: null, events: [] });
  const diffMs: number[] = [];
  let changes = 0;
  for (let i = 0; i < DIFFS; i++) {
    const a = firstAt + 30_000 + Math.floor(random() * Math.max(1, clock.now - firstAt - span - 60_000));
    const reader = new HistoryReader(db, { now: () => clock.now });
    const t = performance.now();
    // As the server's diff does: the second instant prepared in a worker thread meanwhile.
    const [before, after] = await reader.rebuildPair(a, a + span, (stored) => preparer.prepare(stored));
    if ('reason' in before || 'reason' in after) throw new Error('a diff instant was not rebuilt');
    const d = performance.now();
    const diff = diffAnalyses(before.engine.analysis, after.engine.analysis, { group: 'namespace' });
    diffMs.push(performance.now() - d);
    totalMs.push(performance.now() - t);
    changes = diff.connections.length + diff.nodes.length;
  }
  db.close();
  await preparer.close();

  const result: HistoryBenchResult = {
    hours: HOURS,
    rate: RATE,
    events,
    batches,
    writeSeconds,
    bytes,
    rebuild: { ms: rebuildMs, replayed, pods },
    diff: { totalMs, diffMs, group: 'namespace', changes },
    rssMB: process.memoryUsage().rss / 1024 / 1024,
  };
  process.send!(result);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
