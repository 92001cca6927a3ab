// analysisLike: a cluster's analysis derived from another's with the same namespaces and policies
// (pods placed as live mode places them) answers exactly as a fresh analysis of that cluster, on
// random clusters whose pods were dropped, relabelled, re-ported and added; the basis it came from
// answers as before, and can be derived again. Clusters that differ in a policy are not derived.
import { describe, expect, it } from 'vitest';
import type { EndpointRef } from '../../shared/engine/analysis.ts';
import { analyze, type EngineAnalysis } from '../../shared/engine/engine.ts';
import { analysisLike } from '../../shared/engine/similar.ts';
import { diffAnalyses } from '../../shared/diff/diff.ts';
import { buildCluster } from '../../shared/kube/load.ts';
import { Random, randomCluster } from '../support/random-cluster.ts';

type Json = Record<string, unknown>;
const clusterOf = (objects: unknown[]) => buildCluster(objects.map((object) => ({ object }))).cluster;
const meta = (o: Json) => o['metadata'] as Json;
const isPod = (o: unknown) => (o as Json)['kind'] === 'Pod';

/** The same objects with the pods churned: some dropped, relabelled, given another pod's ports, and new pods (labels from another cluster). */
function churned(objects: unknown[], seed: number): unknown[] {
  const r = new Random(seed);
  const donors = randomCluster(seed + 77_000).filter(isPod) as Json[];
  const pods = objects.filter(isPod) as Json[];
  const out: unknown[] = objects.filter((o) => !isPod(o));
  pods.forEach((original, i) => {
    if (r.chance(0.25)) return;
    const pod = structuredClone(original);
    const other = r.pick(pods);
    if (r.chance(0.3)) meta(pod)['labels'] = structuredClone(meta(other)['labels'] ?? {});
    if (r.chance(0.2)) pod['spec'] = structuredClone(other['spec']);
    out.push(pod);
    if (r.chance(0.4)) {
      // A new pod beside it: another name, labels of a pod of another cluster.
      const added = structuredClone(original);
      meta(added)['name'] = `${String(meta(added)['name'])}-new${i}`;
      const donor = donors.length > 0 ? r.pick(donors) : other;
      meta(added)['labels'] = structuredClone(meta(donor)['labels'] ?? {});
      out.push(added);
    }
  });
  return out;
}

/** Every answer of an analysis, by pod id: allowed ports between pods and with external ranges, isolation, findings. */
function answers(a: EngineAnalysis) {
  const pod = (index: number): EndpointRef => ({ kind: 'pod', index });
  const external = (index: number): EndpointRef => ({ kind: 'external', index });
  const out: Record<string, unknown> = {};
  a.pods.forEach((p, i) => {
    out[`iso ${p.id}`] = a.isolation(i);
    a.pods.forEach((q, j) => (out[`${p.id} -> ${q.id}`] = a.allowed(pod(i), pod(j)).toJSON()));
    a.externals.forEach((e, x) => {
      out[`${e.id} -> ${p.id}`] = a.allowed(external(x), pod(i)).toJSON();
      out[`${p.id} -> ${e.id}`] = a.allowed(pod(i), external(x)).toJSON();
    });
  });
  out['findings'] = a.findings.map((f) => JSON.stringify(f)).sort();
  return out;
}

describe('analysisLike', () => {
  it('answers as a fresh analysis on random clusters with churned pods, and leaves its basis as it was', () => {
    let derived = 0;
    for (let seed = 1; seed <= 120; seed++) {
      const objects = randomCluster(seed, { admin: seed % 3 === 0 });
      const basis = analyze(clusterOf(objects));
      const basisAnswers = answers(basis);
      for (const round of [1, 2]) {
        const cluster = clusterOf(churned(objects, seed * 10 + round));
        const like = analysisLike(basis, cluster, basis.options);
        // IPv6 appearing or namespaces only named by pods make it decline: then nothing to check.
        if (!like) continue;
        derived++;
        const fresh = analyze(cluster);
        expect(answers(like), `seed ${seed} round ${round}`).toEqual(answers(fresh));
        for (const group of ['pod', 'namespace'] as const) {
          expect(diffAnalyses(basis, like, { group }), `seed ${seed} ${group}`).toEqual(diffAnalyses(basis, fresh, { group }));
        }
      }
      expect(answers(basis), `seed ${seed}: the basis`).toEqual(basisAnswers);
    }
    expect(derived).toBeGreaterThan(150);
  });

  it('declines when a policy, a namespace or the options differ', () => {
    let declined = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const objects = randomCluster(seed);
      const basis = analyze(clusterOf(objects));
      const policy = objects.find((o) => (o as Json)['kind'] === 'NetworkPolicy') as Json | undefined;
      const namespace = objects.find((o) => (o as Json)['kind'] === 'Namespace') as Json | undefined;
      if (!policy || !namespace) continue;
      const rewritten = objects.map((o) => (o === policy ? { ...policy, spec: { ...(policy['spec'] as Json), policyTypes: ['Ingress', 'Egress'], egress: [] } } : o));
      const relabelled = objects.map((o) => (o === namespace ? { ...namespace, metadata: { ...meta(namespace), labels: { changed: 'yes' } } } : o));
      expect(analysisLike(basis, clusterOf(objects), basis.options)).not.toBeNull();
      expect(analysisLike(basis, clusterOf(objects), { ipBlockMatchesPods: !basis.options.ipBlockMatchesPods })).toBeNull();
      expect(analysisLike(basis, clusterOf(relabelled), basis.options)).toBeNull();
      const changed = clusterOf(rewritten);
      if (JSON.stringify(changed.policies) !== JSON.stringify(basis.cluster.policies)) expect(analysisLike(basis, changed, basis.options)).toBeNull();
      declined++;
    }
    expect(declined).toBeGreaterThan(10);
  });
});
