// Grouped matrices (aggregated by class keys) against a brute-force aggregation over pod pairs of
// the pod-level answers, which the differential test checks against the reference evaluator.
import { describe, expect, it } from 'vitest';
import type { DirectionReason } from '../../shared/engine/analysis.ts';
import { analyze, type EngineAnalysis } from '../../shared/engine/engine.ts';
import { buildCluster } from '../../shared/kube/load.ts';
import { GROUPS, buildMatrix, type Group } from '../../shared/matrix/matrix.ts';
import { PortSet } from '../../shared/model/port-set.ts';
import { randomCluster } from '../support/random-cluster.ts';

interface Expected {
  ports: PortSet;
  allowed: number;
  total: number;
  ingress: Set<string> | 'unisolated';
  egress: Set<string> | 'unisolated';
}

function mergeInto(current: Set<string> | 'unisolated' | undefined, reason: DirectionReason): Set<string> | 'unisolated' {
  if (reason === 'unisolated') return current ?? 'unisolated';
  const set = current === undefined || current === 'unisolated' ? new Set<string>() : current;
  for (const r of reason) set.add(`${r.policy}#${r.rule}`);
  return set;
}

function bruteForce(a: EngineAnalysis, group: Group): Map<string, Expected> {
  const nodeOf = (i: number) => {
    const p = a.pods[i]!;
    return group === 'pod' ? p.id : group === 'workload' ? p.workload : p.namespace;
  };
  const out = new Map<string, Expected>();
  const visit = (from: string, to: string, c: ReturnType<EngineAnalysis['connection']>) => {
    const key = `${from} -> ${to}`;
    const e = out.get(key) ?? { ports: PortSet.EMPTY, allowed: 0, total: 0, ingress: undefined!, egress: undefined! };
    e.total++;
    if (c) {
      e.allowed++;
      e.ports = e.ports.union(c.ports);
      e.ingress = mergeInto(e.ingress, c.reasons.ingress);
      e.egress = mergeInto(e.egress, c.reasons.egress);
    }
    out.set(key, e);
  };
  for (let i = 0; i < a.pods.length; i++) {
    for (let j = 0; j < a.pods.length; j++) {
      if (i !== j) visit(nodeOf(i), nodeOf(j), a.connection({ kind: 'pod', index: i }, { kind: 'pod', index: j }));
    }
    a.externals.forEach((e, x) => {
      if (e.asSource) visit(e.id, nodeOf(i), a.connection({ kind: 'external', index: x }, { kind: 'pod', index: i }));
      if (e.asDestination) visit(nodeOf(i), e.id, a.connection({ kind: 'pod', index: i }, { kind: 'external', index: x }));
    });
  }
  for (const [k, e] of out) if (e.allowed === 0) out.delete(k);
  return out;
}

const reasonText = (r: Set<string> | 'unisolated' | DirectionReason) =>
  r === 'unisolated' ? r : r instanceof Set ? [...r].sort().join(' ') : r.map((x) => `${x.policy}#${x.rule}`).sort().join(' ');

describe('grouped matrices equal a brute-force aggregation of pod pairs', () => {
  for (const group of GROUPS) {
    it(`${group} level on 300 random clusters`, () => {
      for (let seed = 1; seed <= 300; seed++) {
        const { cluster } = buildCluster(randomCluster(seed).map((object) => ({ object })));
        const a = analyze(cluster, { ipBlockMatchesPods: seed % 2 === 0 });
        const expected = bruteForce(a, group);
        const m = buildMatrix(a, group);
        const got = new Map(m.cells.map((c) => [`${c.from} -> ${c.to}`, c]));
        expect([...got.keys()].sort(), `seed ${seed}`).toEqual([...expected.keys()].sort());
        for (const [key, e] of expected) {
          const c = got.get(key)!;
          const where = `seed ${seed} ${group} ${key}`;
          expect(c.ports.key(), where).toBe(e.ports.key());
          if (group !== 'pod') expect(c.pairs, where).toEqual({ allowed: e.allowed, total: e.total });
          expect(reasonText(c.reasons.ingress), where).toBe(reasonText(e.ingress));
          expect(reasonText(c.reasons.egress), where).toBe(reasonText(e.egress));
        }
      }
    });
  }
});
