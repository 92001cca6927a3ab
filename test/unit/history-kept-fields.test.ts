// The history keeps of a pod only what the loader reads (server/history/kept-fields.ts): the loader
// must read the very same pod from the kept fields as from the whole object, for the simulated
// clusters' pods through a rollout (Pending, Running, Terminating) and for random pods with every
// field the loader looks at varied (host network, phases, terminated containers, deletion, IPs,
// named ports, owners).
import { describe, expect, it } from 'vitest';
import { normalizeObject } from '../../server/cluster/normalize.ts';
import { keptPod } from '../../server/history/kept-fields.ts';
import { Churn } from '../../server/sim/churn.ts';
import { scenarioObjects } from '../../server/sim/scenarios/index.ts';
import { Store } from '../../server/sim/store.ts';
import { buildCluster } from '../../shared/kube/load.ts';
import { Random, randomCluster } from '../support/random-cluster.ts';

type Json = Record<string, unknown>;

// As ClusterState loads a pod: with its kind set.
const load = (pod: object) => buildCluster([{ object: { ...pod, kind: 'Pod' } }]);

/** Pods the loader has nothing to say about (the only ones the history cuts down). */
const quiet = (pods: Json[]) => pods.filter((p) => load(p).diagnostics.length === 0);

function expectSameReading(pods: Json[]): void {
  for (const pod of pods) expect(load(keptPod(pod)), JSON.stringify(pod)).toEqual(load(pod));
}

/** A pod with the fields the loader reads set at random. */
function variedPod(r: Random, i: number): Json {
  const terminated = r.chance(0.5);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `p${i}`,
      namespace: r.pick(['default', 'a', 'b']),
      uid: `u${i}`,
      labels: r.chance(0.8) ? { app: r.pick(['web', 'db']), tier: r.pick(['1', '2']) } : undefined,
      ownerReferences: r.chance(0.7) ? [{ apiVersion: 'apps/v1', kind: r.pick(['ReplicaSet', 'StatefulSet', 'Node']), name: `w${r.int(0, 3)}`, controller: r.chance(0.8), uid: 'o' }] : undefined,
      ...(r.chance(0.3) ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
      creationTimestamp: '2026-01-01T00:00:00Z',
      resourceVersion: String(i),
    },
    spec: {
      ...(r.chance(0.2) ? { hostNetwork: r.chance(0.5) } : {}),
      containers: Array.from({ length: r.int(0, 3) }, (_, c) => ({
        name: `c${c}`,
        image: 'registry/image:1',
        ...(r.chance(0.6) ? { ports: Array.from({ length: r.int(0, 2) }, (_, p) => ({ containerPort: 80 + p, ...(r.chance(0.5) ? { name: `port${p}` } : {}), ...(r.chance(0.3) ? { protocol: 'UDP' } : {}) })) } : {}),
        resources: { requests: { cpu: '100m' } },
      })),
      initContainers: r.chance(0.3) ? [{ name: 'init', image: 'x', ports: [{ containerPort: 9 }] }] : undefined,
    },
    status: {
      phase: r.pick(['Pending', 'Running', 'Succeeded', 'Failed', undefined]),
      ...(r.chance(0.7) ? { podIP: `10.0.0.${i % 250}` } : {}),
      ...(r.chance(0.5) ? { podIPs: [{ ip: `10.0.0.${i % 250}` }, ...(r.chance(0.3) ? [{ ip: 'fd00::1' }] : [])] } : {}),
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' }],
      containerStatuses: r.chance(0.7)
        ? Array.from({ length: r.int(1, 2) }, () => ({ name: 'c', ready: false, state: terminated || r.chance(0.3) ? { terminated: { exitCode: 0 } } : { running: { startedAt: 'x' } } }))
        : undefined,
    },
  };
}

describe('the pod fields the history keeps', () => {
  it('read as the whole pod, for the S cluster pods through churn', () => {
    const store = new Store({ now: () => 0 });
    store.load(scenarioObjects('S', { now: 0, adminPolicies: false }), { owned: true });
    const seen: Json[] = [];
    store.subscribe((e) => {
      if (e.resource === 'pods' && e.type !== 'DELETED') seen.push(normalizeObject('pods', e.object));
    });
    new Churn(store, { rate: 30, seed: 3 }).step(600);
    const pods = quiet([...store.peekList('pods').map((p) => normalizeObject('pods', p)), ...seen]);
    // Pending, running and terminating pods all took part.
    expect(new Set(pods.map((p) => (p['status'] as Json | undefined)?.['phase'])).size).toBeGreaterThan(1);
    expect(pods.some((p) => (p['metadata'] as Json)['deletionTimestamp'] !== undefined)).toBe(true);
    expectSameReading(pods);
    const whole = pods.reduce((n, p) => n + JSON.stringify(p).length, 0);
    const kept = pods.reduce((n, p) => n + JSON.stringify(keptPod(p)).length, 0);
    expect(kept).toBeLessThan(whole / 2);
  });

  it('read as the whole pod, for random pods and the differential clusters', () => {
    const r = new Random(99);
    const varied = Array.from({ length: 3000 }, (_, i) => JSON.parse(JSON.stringify(variedPod(r, i))) as Json);
    const random = Array.from({ length: 200 }, (_, seed) => randomCluster(seed) as Json[]).flat().filter((o) => o['kind'] === 'Pod');
    const pods = quiet([...varied, ...random]);
    expect(pods.length).toBeGreaterThan(2000);
    // Every branch the loader has: excluded pods of each reason, named ports, owners.
    const read = pods.map((p) => load(p).cluster.pods[0]!);
    expect(new Set(read.map((p) => p.exclusion))).toEqual(new Set([null, 'hostNetwork', 'finished', 'terminated']));
    expect(read.some((p) => p.ports.some((port) => port.name !== ''))).toBe(true);
    expectSameReading(pods);
  });
});
