// Live mode places the classes of new pods into an existing analysis (`withPods`) instead of
// recomputing it; with admin tiers too, the result must equal a full analysis of the same cluster:
// every pod pair (ports and reasons), isolation and findings, on seeded random clusters.
import { describe, expect, it } from 'vitest';
import type { EndpointRef } from '../../shared/engine/analysis.ts';
import { analyze, type EngineAnalysis } from '../../shared/engine/engine.ts';
import { buildCluster } from '../../shared/kube/load.ts';
import type { Cluster } from '../../shared/model/types.ts';
import { randomCluster } from '../support/random-cluster.ts';

function answers(a: EngineAnalysis): unknown {
  const pod = (index: number): EndpointRef => ({ kind: 'pod', index });
  const pairs = a.pods.flatMap((from, i) =>
    a.pods.map((to, j) => {
      const c = a.connection(pod(i), pod(j));
      return `${from.id} -> ${to.id}: ${c ? `${c.ports.key()} ${JSON.stringify(c.reasons)}` : 'none'}`;
    }),
  );
  const isolation = a.pods.map((p, i) => `${p.id} ${JSON.stringify(a.isolation(i))}`);
  return { pairs, isolation, findings: a.findings };
}

describe('withPods with admin tiers = a full analysis', () => {
  it('seeds 1-300: half the pods first, then all of them, and back', () => {
    let compared = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const { cluster } = buildCluster(randomCluster(seed, { admin: true }).map((object) => ({ object })));
      if (cluster.adminPolicies.length === 0 && !cluster.baselineAdminPolicy) continue;
      const half: Cluster = { ...cluster, pods: cluster.pods.filter((_, i) => i % 2 === 0) };
      const changed = cluster.pods.filter((_, i) => i % 2 === 1).map((p) => p.id);
      for (const options of [{ ipBlockMatchesPods: true }, { ipBlockMatchesPods: false }]) {
        const grown = analyze(half, options).withPods(cluster, changed);
        const shrunk = analyze(cluster, options).withPods(half, changed);
        if (grown) expect(answers(grown), `seed ${seed} grown`).toEqual(answers(analyze(cluster, options)));
        if (shrunk) expect(answers(shrunk), `seed ${seed} shrunk`).toEqual(answers(analyze(half, options)));
        if (grown && shrunk) compared++;
      }
    }
    expect(compared).toBeGreaterThan(250);
  });
});
