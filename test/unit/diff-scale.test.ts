// diffAnalyses on a generated cluster (400 pods, 20 namespaces, 60 policies, admin tiers) against brute force:
// every ordered pod pair asked of both analyses (the engine's pair answers are themselves checked
// against the reference in differential*.test.ts), summed into cells by the definition of
// shared/diff/types.ts. Realistic changes: a policy rewritten, a namespace relabelled, a rollout
// renaming a tenth of the pods, a pod gone and one new.
import { describe, expect, it } from 'vitest';
import { diffAnalyses } from '../../shared/diff/diff.ts';
import { analyze, type EngineAnalysis } from '../../shared/engine/engine.ts';
import { buildCluster } from '../../shared/kube/load.ts';
import type { Group } from '../../shared/matrix/matrix.ts';
import { compareText } from '../../shared/model/order.ts';
import { PortSet } from '../../shared/model/port-set.ts';
import { generateScaleCluster } from '../../server/sim/scale-cluster.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const objects = generateScaleCluster({ pods: 400, namespaces: 20, policies: 60, adminPolicies: 5, baseline: true }) as Json[];

function mutated(): Json[] {
  const out = structuredClone(objects);
  const policies = out.filter((o) => o['kind'] === 'NetworkPolicy');
  // A policy takes another one's rules; another is deleted.
  policies[3]!['spec'] = structuredClone(policies[40]!['spec']);
  out.splice(out.indexOf(policies[7]!), 1);
  const namespaces = out.filter((o) => o['kind'] === 'Namespace');
  namespaces[5]!['metadata']['labels'] = { ...namespaces[5]!['metadata']['labels'], env: 'changed' };
  const pods = out.filter((o) => o['kind'] === 'Pod');
  // A rollout: a tenth of the pods come back under new names, same labels.
  pods.forEach((p, i) => {
    if (i % 10 === 0) p['metadata']['name'] = `${p['metadata']['name']}-r`;
  });
  out.splice(out.indexOf(pods[11]!), 1);
  const extra = structuredClone(pods[12]!);
  extra['metadata']['name'] = 'extra-pod';
  extra['metadata']['labels'] = { app: 'extra' };
  delete extra['status'];
  out.push(extra);
  return out;
}

const analysisOf = (list: Json[]) => analyze(buildCluster(list.map((object) => ({ object }))).cluster, { ipBlockMatchesPods: true });

function nodeOf(a: EngineAnalysis, group: Group, i: number): string {
  const pod = a.pods[i]!;
  return group === 'pod' ? pod.id : group === 'workload' ? pod.workload : pod.namespace;
}

/** gained/lost per cell between nodes, by brute force over every pod pair of both sides. */
function bruteForce(before: EngineAnalysis, after: EngineAnalysis, group: Group): string[] {
  const cells = new Map<string, { gained: PortSet; lost: PortSet; was: PortSet; now: PortSet; changed: number }>();
  const cell = (from: string, to: string) => {
    const key = `${from} => ${to}`;
    let c = cells.get(key);
    if (!c) cells.set(key, (c = { gained: PortSet.EMPTY, lost: PortSet.EMPTY, was: PortSet.EMPTY, now: PortSet.EMPTY, changed: 0 }));
    return c;
  };
  const pod = (index: number) => ({ kind: 'pod' as const, index });
  for (const [side, a] of [['was', before], ['now', after]] as const) {
    a.pods.forEach((_, i) => {
      a.pods.forEach((__, j) => {
        if (i === j) return;
        const c = cell(nodeOf(a, group, i), nodeOf(a, group, j));
        c[side] = c[side].union(a.allowed(pod(i), pod(j)));
      });
    });
  }
  // Pairs whose pods are in the same nodes on both sides.
  const index = new Map(before.pods.map((p, i) => [p.id, i]));
  const stable = after.pods.flatMap((p, ai) => {
    const bi = index.get(p.id);
    return bi !== undefined && nodeOf(before, group, bi) === nodeOf(after, group, ai) ? [[bi, ai] as const] : [];
  });
  for (const [bi, ai] of stable) {
    for (const [bj, aj] of stable) {
      if (bi === bj) continue;
      const was = before.allowed(pod(bi), pod(bj));
      const now = after.allowed(pod(ai), pod(aj));
      if (was.equals(now)) continue;
      const c = cell(nodeOf(after, group, ai), nodeOf(after, group, aj));
      c.gained = c.gained.union(now.subtract(was));
      c.lost = c.lost.union(was.subtract(now));
      c.changed++;
    }
  }
  const out: string[] = [];
  for (const [key, c] of cells) {
    const gained = c.gained.union(c.now.subtract(c.was));
    const lost = c.lost.union(c.was.subtract(c.now));
    if (gained.isEmpty() && lost.isEmpty()) continue;
    out.push(`${key} +${gained.key()} -${lost.key()}${group === 'pod' ? '' : ` ${c.changed}`}`);
  }
  return out.sort(compareText);
}

describe('diffAnalyses = brute force over every pod pair, on a generated cluster', () => {
  const before = analysisOf(objects);
  const after = analysisOf(mutated());
  const least = { pod: 100, workload: 20, namespace: 2 };
  for (const group of ['pod', 'workload', 'namespace'] as const) {
    it(`${group} level`, () => {
      const diff = diffAnalyses(before, after, { group });
      const text = (ports: 'all' | { protocol: string; port: number; endPort: number }[]) =>
        (ports === 'all' ? PortSet.ALL : PortSet.fromRanges(ports as Parameters<typeof PortSet.fromRanges>[0])).key();
      const got = diff.connections
        .filter((c) => !c.from.startsWith('ip:') && !c.to.startsWith('ip:'))
        .map((c) => `${c.from} => ${c.to} +${text(c.gained)} -${text(c.lost)}${group === 'pod' ? '' : ` ${c.pairsChanged}`}`)
        .sort(compareText);
      const expected = bruteForce(before, after, group);
      expect(expected.length).toBeGreaterThanOrEqual(least[group]);
      expect(got).toEqual(expected);
    });
  }
});
