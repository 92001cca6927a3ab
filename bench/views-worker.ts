// Child process of the views benchmark: the M cluster in a LiveEngine fed by the sim's store and
// churn (no HTTP, no sockets), the socket benchmark's views in rooms, and each room's update timed.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { engineState } from '../server/live/engine-state.ts';
import { LiveEngine } from '../server/live/live-engine.ts';
import { Churn } from '../server/sim/churn.ts';
import { scenarioObjects } from '../server/sim/scenarios/index.ts';
import { Store } from '../server/sim/store.ts';
import { ROOM_BUILD } from '../server/socket/view-hub.ts';
import { ViewRoom } from '../server/socket/view-room.ts';
import { KeyMatrix } from '../server/views/key-matrix.ts';
import { RESOURCE_KINDS } from '../shared/model/status.ts';
import { viewIdOf, type ViewSpec } from '../shared/protocol/view.ts';

export interface ViewTimes {
  view: string;
  nodes: number;
  cells: number;
  keyCells: number;
  /** A room's first build at once, ms: the work it takes. */
  build: number[];
  /** The same build in slices, as the hub makes it: wall time, and the longest the event loop waited meanwhile (ms). */
  sliced: { ms: number; blockedMs: number }[];
  /** Updates after a policy event (every cell computed again), ms. */
  policy: number[];
  /** Updates under churn, one per flush, ms. */
  churn: number[];
}

export interface ViewsResult {
  views: ViewTimes[];
  /** The key matrix every view of a new analysis shares, made (or extended) before the rooms update, ms. */
  keyMatrix: { policy: number[]; churn: number[] };
  churnSteps: number;
  churnWrites: number;
  rssMB: number;
}

/** Flushes under churn: 30 store writes per second and a flush every 100 ms (the hub's interval), for 60 s. */
const CHURN_STEPS = 600;
const WRITES_PER_STEP = 3;
const BUILDS = 3;
const POLICY_EVENTS = 6;

const store = new Store();
store.load(scenarioObjects('M', { seed: 7, now: Date.now() }) as Record<string, unknown>[], { owned: true });
const engine = new LiveEngine({ analysis: { ipBlockMatchesPods: true }, coalesceMs: 20 });
for (const r of RESOURCE_KINDS) engine.apply({ type: 'status', resource: r, status: { state: 'synced', syncedOnce: true } });
// The sim's resources are the watched kinds, by the same names.
for (const r of RESOURCE_KINDS) for (const o of store.peekList(r)) engine.apply({ type: 'upsert', resource: r, object: structuredClone(o) });
engine.flush();
store.subscribe((e) => engine.apply({ type: e.type === 'DELETED' ? 'delete' : 'upsert', resource: e.resource, object: structuredClone(e.object) }));

const teams = store.peekList('namespaces').map((n) => (n['metadata'] as { name: string }).name);
const specs: ViewSpec[] = [
  { level: 'namespace', namespaces: 'all' },
  { level: 'workload', namespaces: 'all' },
  { level: 'namespace', namespaces: 'all', port: { protocol: 'TCP', port: 5432 } },
  { level: 'pod', namespaces: [teams[100]!, teams[101]!, teams[102]!] },
];
const timed = <T>(f: () => T): [T, number] => {
  const t = performance.now();
  const out = f();
  return [out, performance.now() - t];
};

const times: ViewTimes[] = specs.map((v) => ({ view: viewIdOf(v), nodes: 0, cells: 0, keyCells: 0, build: [], sliced: [], policy: [], churn: [] }));
let rooms: ViewRoom[] = [];
for (let k = 0; k < BUILDS; k++) {
  rooms = specs.map((v, i) => {
    const [room, ms] = timed(() => new ViewRoom(viewIdOf(v), v, engineState(engine), () => 'bench'));
    times[i]!.build.push(ms);
    return room;
  });
}
for (let k = 0; k < BUILDS; k++) {
  for (const [i, v] of specs.entries()) {
    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    const t = performance.now();
    await new ViewRoom(viewIdOf(v), v, engineState(engine), () => 'bench', ROOM_BUILD).ready;
    const ms = performance.now() - t;
    delay.disable();
    times[i]!.sliced.push({ ms, blockedMs: delay.max / 1e6 });
  }
}
engine.onDelta((d) => {
  for (const room of rooms) room.absorb(d);
});
const keyMatrix: ViewsResult['keyMatrix'] = { policy: [], churn: [] };
const flushRooms = (into: 'policy' | 'churn') => {
  engine.flush();
  keyMatrix[into].push(timed(() => KeyMatrix.of(engine.analysis))[1]);
  rooms.forEach((room, i) => times[i]![into].push(timed(() => room.flush(engineState(engine)))[1]));
};

// Policy events: a new allow rule in one namespace, then changed, then deleted (as in the live section).
const ns = teams[10]!;
const policy = (n: number, port: number) => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: `bench-allow-${n}`, namespace: ns },
  spec: { podSelector: { matchLabels: { tier: 'backend' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { env: 'prod' } } }], ports: [{ port }] }] },
});
for (let n = 0; n < POLICY_EVENTS / 3; n++) {
  store.create('networkpolicies', policy(n, 8080));
  flushRooms('policy');
  store.update('networkpolicies', policy(n, 9090));
  flushRooms('policy');
  store.delete('networkpolicies', ns, `bench-allow-${n}`);
  flushRooms('policy');
}

const churn = new Churn(store, { rate: 30, seed: 7 });
for (let step = 0; step < CHURN_STEPS; step++) {
  churn.step(WRITES_PER_STEP);
  flushRooms('churn');
}
rooms.forEach((room, i) => {
  const s = room.model.state;
  Object.assign(times[i]!, { nodes: s.nodes.size, cells: s.cells.size, keyCells: s.keyCells.size });
});
const result: ViewsResult = { views: times, keyMatrix, churnSteps: CHURN_STEPS, churnWrites: churn.stats.writes, rssMB: process.memoryUsage.rss() / 2 ** 20 };
process.send?.(result);
process.exit(0);
