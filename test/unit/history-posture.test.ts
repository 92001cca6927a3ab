// A posture sample counts what a pod-by-pod walk counts: pods open per direction, and ordered
// pairs of distinct pods with some allowed port — on random clusters with admin policies, with
// some namespaces unknown (their pods are counted apart and take part in no pair).
import { describe, expect, it } from 'vitest';
import { analyze } from '../../shared/engine/engine.ts';
import { buildCluster } from '../../shared/kube/load.ts';
import { postureSample } from '../../server/history/posture.ts';
import { Random, randomCluster } from '../support/random-cluster.ts';

describe('posture samples', () => {
  for (let seed = 1; seed <= 60; seed++) {
    it(`random cluster ${seed}`, () => {
      const { cluster } = buildCluster((randomCluster(seed, { admin: seed % 2 === 0 }) as object[]).map((object) => ({ object })));
      const a = analyze(cluster, { ipBlockMatchesPods: seed % 3 !== 0 });
      const r = new Random(seed);
      const namespaces = [...new Set(a.pods.map((p) => p.namespace))];
      const unknown = new Set(r.subset(namespaces, 0.3));
      const known = a.pods.map((p, i) => ({ p, i })).filter(({ p }) => !unknown.has(p.namespace));
      let pairs = 0;
      for (const x of known) for (const y of known) if (x.i !== y.i && !a.allowed({ kind: 'pod', index: x.i }, { kind: 'pod', index: y.i }).isEmpty()) pairs++;
      const open = (dir: 'ingress' | 'egress') => known.filter(({ i }) => !a.isolation(i)[dir]).length;
      expect(postureSample(a, unknown)).toEqual({
        pods: a.pods.length,
        unknownPods: a.pods.length - known.length,
        unprotectedIngress: open('ingress'),
        unprotectedEgress: open('egress'),
        unprotectedBoth: known.filter(({ i }) => !a.isolation(i).ingress && !a.isolation(i).egress).length,
        allowedPairs: pairs,
        policies: cluster.policies.filter((p) => !unknown.has(p.namespace)).length + cluster.adminPolicies.length + (cluster.baselineAdminPolicy ? 1 : 0),
      });
    });
  }

  it('everything unknown: figures are unknown, not zero', () => {
    const { cluster } = buildCluster((randomCluster(7) as object[]).map((object) => ({ object })));
    const s = postureSample(analyze(cluster), 'all');
    expect(s).toMatchObject({ unprotectedIngress: null, unprotectedEgress: null, unprotectedBoth: null, allowedPairs: null, policies: null });
    expect(s.unknownPods).toBe(s.pods);
  });
});
