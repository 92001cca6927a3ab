// A posture sample counts what a pod-by-pod walk counts: pods open per direction, and ordered
// pairs of distinct pods with some allowed port — on random clusters with admin policies, with
// some namespaces unknown (their pods are counted apart and take part in no pair).
import { describe, expect, it } from 'vitest';
import { analyze } from '../../shared/engine/engine.ts';
import { buildCluster } from '../../shared/kube/load.ts';
import { postureSample, postureSteps } from '../../server/history/posture.ts';
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

  it('is cut in steps of at most the asked number of look-ups, with the same figures', () => {
    const { cluster } = buildCluster((randomCluster(11) as object[]).map((object) => ({ object })));
    const a = analyze(cluster);
    let lookups = 0;
    let most = 0;
    const counted = Object.assign(Object.create(a) as typeof a, {
      keyAllowedId: (s: number, d: number) => (lookups++, a.keyAllowedId(s, d)),
    });
    const steps = postureSteps(counted, new Set(), 5);
    let step = steps.next();
    for (; !step.done; step = steps.next()) {
      most = Math.max(most, lookups);
      lookups = 0;
    }
    expect(most).toBe(5);
    expect(step.value).toEqual(postureSample(a, new Set()));
  });

  it('everything unknown: figures are unknown, not zero', () => {
    const { cluster } = buildCluster((randomCluster(7) as object[]).map((object) => ({ object })));
    const s = postureSample(analyze(cluster), 'all');
    expect(s).toMatchObject({ unprotectedIngress: null, unprotectedEgress: null, unprotectedBoth: null, allowedPairs: null, policies: null });
    expect(s.unknownPods).toBe(s.pods);
  });
});
