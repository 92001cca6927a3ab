// Child process of the live benchmark: the M cluster in a LiveEngine, then timed events.
// Times are from apply(event) to the delta listener (coalescing window included).
import { analyze } from '../shared/engine/engine.ts';
import { generateScaleCluster, SCALE_PRESETS } from '../server/sim/scale-cluster.ts';
import type { ResourceKind, SourceEvent } from '../server/cluster/source.ts';
import { LiveEngine } from '../server/live/live-engine.ts';
import { RESOURCE_KINDS } from '../shared/model/status.ts';

type Raw = { kind: string; metadata: { name: string; namespace?: string; uid?: string; labels?: Record<string, string> }; spec?: Record<string, unknown>; status?: Record<string, unknown> };
const RESOURCE: Record<string, ResourceKind> = { Pod: 'pods', Namespace: 'namespaces', NetworkPolicy: 'networkpolicies' };
const REPEAT = 15;

const objects = generateScaleCluster({ ...SCALE_PRESETS.M, seed: 1 }) as Raw[];
const engine = new LiveEngine({ analysis: { ipBlockMatchesPods: true }, coalesceMs: 20 });
for (const r of RESOURCE_KINDS) engine.apply({ type: 'status', resource: r, status: { state: 'synced', syncedOnce: true } });
for (const o of objects) engine.apply({ type: 'upsert', resource: RESOURCE[o.kind]!, object: o });
let t = performance.now();
engine.flush();
const initialMs = performance.now() - t;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]!; };

async function timed(make: (i: number) => SourceEvent[]): Promise<{ median: number; max: number; deltas: number }> {
  const times: number[] = [];
  for (let i = 0; i < REPEAT; i++) {
    await sleep(30); // quiet period: each event is its own batch
    const events = make(i);
    const last = new Promise<void>((resolve) => {
      let seen = 0;
      const off = engine.onDelta((d) => { seen += d.events; if (seen >= events.length) { off(); resolve(); } });
    });
    const start = performance.now();
    for (const e of events) engine.apply(e);
    await last;
    times.push(performance.now() - start);
  }
  return { median: median(times), max: Math.max(...times), deltas: times.length };
}

const pods = objects.filter((o) => o.kind === 'Pod');
const namespaces = objects.filter((o) => o.kind === 'Namespace');
const clonePod = (base: Raw, name: string, ip: string): Raw => ({ ...structuredClone(base), metadata: { ...structuredClone(base.metadata), name, uid: `bench-${name}` }, status: { ...(base.status ?? {}), podIP: ip, podIPs: [{ ip }] } });
const base = pods.find((p) => p.metadata.labels?.['pod-template-hash'])!;

const results: Record<string, { median: number; max: number; deltas: number }> = {};
results['pod add (new replica)'] = await timed((i) => [{ type: 'upsert', resource: 'pods', object: clonePod(base, `${base.metadata.name}-b${i}`, `10.127.0.${i + 1}`) }]);
results['pod delete'] = await timed((i) => [{ type: 'delete', resource: 'pods', object: clonePod(base, `${base.metadata.name}-b${i}`, `10.127.0.${i + 1}`) }]);
results['pod label change (same class)'] = await timed((i) => {
  const p = structuredClone(pods[i * 37]!);
  p.metadata.labels = { ...p.metadata.labels, 'bench/revision': String(i) };
  return [{ type: 'upsert', resource: 'pods', object: p }];
});
results['pod label change (new class)'] = await timed((i) => {
  const p = structuredClone(pods[i * 41 + 5]!);
  p.metadata.labels = { ...p.metadata.labels, app: `bench-new-${i}` };
  return [{ type: 'upsert', resource: 'pods', object: p }];
});
const ns0 = namespaces[10]!.metadata.name;
const newPolicy = (i: number, port: number): Raw => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: `bench-allow-${i}`, namespace: ns0, uid: `bench-np-${i}` }, spec: { podSelector: { matchLabels: { tier: 'backend' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { env: 'prod' } } }], ports: [{ port }] }] } } as Raw);
results['policy add'] = await timed((i) => [{ type: 'upsert', resource: 'networkpolicies', object: newPolicy(i, 8080) }]);
results['policy change'] = await timed((i) => [{ type: 'upsert', resource: 'networkpolicies', object: newPolicy(i, 9090) }]);
results['policy delete'] = await timed((i) => [{ type: 'delete', resource: 'networkpolicies', object: newPolicy(i, 9090) }]);
results['namespace label change'] = await timed((i) => {
  const n = structuredClone(namespaces[(i * 13) % namespaces.length]!);
  n.metadata.labels = { ...n.metadata.labels, env: i % 2 === 0 ? 'prod' : 'staging' };
  return [{ type: 'upsert', resource: 'namespaces', object: n }];
});
// A rollout: 250 new pods of one deployment's template, 250 old ones deleted, as fast as they come.
const rollout = await (async () => {
  await sleep(30);
  const events: SourceEvent[] = [];
  for (let i = 0; i < 250; i++) events.push({ type: 'upsert', resource: 'pods', object: clonePod(base, `${base.metadata.name}-r${i}`, `10.126.${i >> 8}.${(i & 255) + 1}`) });
  for (let i = 0; i < 250; i++) events.push({ type: 'delete', resource: 'pods', object: pods[1000 + i]! });
  let seen = 0;
  let deltas = 0;
  const done = new Promise<void>((resolve) => { const off = engine.onDelta((d) => { deltas++; seen += d.events; if (seen >= events.length) { off(); resolve(); } }); });
  const start = performance.now();
  for (const e of events) engine.apply(e);
  await done;
  return { ms: performance.now() - start, deltas };
})();

t = performance.now();
analyze(engine.state.cluster(), { ipBlockMatchesPods: true });
const fullMs = performance.now() - t;
process.send?.({ initialMs, fullMs, results, rollout, rssMB: process.memoryUsage.rss() / 2 ** 20 });
process.exit(0);
