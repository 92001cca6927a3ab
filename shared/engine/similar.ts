// The analysis of a cluster derived from the analysis of another cluster with the same namespaces
// and policies of every tier: the class level (groups, profiles, rules, tables) is kept, and the
// pods are placed as live mode places them after pod events (withPods). A diff of two past
// instants a day apart meets this case: churn replaced the pods, the policies stayed.
import type { AnalysisOptions, Cluster } from '../model/types.ts';
import { policyText } from '../model/policy-text.ts';
import { sortedById, type EngineAnalysis } from './engine.ts';

/** `cluster`'s analysis from `basis`; null when a namespace, a policy or the options differ (then analyze it afresh). */
export function analysisLike(basis: EngineAnalysis, cluster: Cluster, options: AnalysisOptions): EngineAnalysis | null {
  const was = basis.cluster;
  if (basis.options.ipBlockMatchesPods !== options.ipBlockMatchesPods) return null;
  const baseline = (c: Cluster) => (c.baselineAdminPolicy ? [c.baselineAdminPolicy] : []);
  // Equal content in the same order: rules name policies by position.
  if (!sameTexts(was.policies, cluster.policies) || !sameTexts(was.adminPolicies, cluster.adminPolicies) || !sameTexts(baseline(was), baseline(cluster))) return null;
  if (JSON.stringify(was.namespaces) !== JSON.stringify(cluster.namespaces)) return null;
  // withPods finds pods by id in sorted lists.
  if (!sortedById(cluster.pods)) return null;
  // Every pod id of either cluster is a change: their pod objects are not shared.
  const ids = new Set<string>();
  for (const p of basis.pods) ids.add(p.id);
  for (const p of cluster.pods) ids.add(p.id);
  return basis.withPods(cluster, ids);
}

function sameTexts(a: readonly object[], b: readonly object[]): boolean {
  return a.length === b.length && a.every((p, i) => policyText(p) === policyText(b[i]!));
}
