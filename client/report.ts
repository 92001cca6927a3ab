// The compliance report's content, from the same figures the overview shows (../posture.ts): for
// one instant and scope, the posture summary, per-namespace isolation, every unprotected pod, the
// policy inventory and the findings. Pure: no Vue, no DOM. The content hash covers the cluster
// state the report describes (not when it was generated), so the same state gives the same hash.
import type { Finding } from '../shared/engine/analysis.ts';
import { compareText } from '../shared/model/order.ts';
import type { PolicySummary } from '../shared/protocol/events.ts';
import type { ViewSpec, ViewState } from '../shared/protocol/view.ts';
import { computePosture, findingTitle, standingOf, type NamespacePosture, type PodStanding, type PostureCounts } from './posture.ts';

export interface ReportInput {
  /** What is watched (`source:status.source`). */
  source: string;
  /** The pod-level view of the report's scope. */
  pods: ViewState;
  /** Every policy of every tier (`policy:list`); null when it could not be had. */
  policies: readonly PolicySummary[] | null;
  /** True when the state is a past instant (time travel), not the live cluster. */
  past: boolean;
  generatedAt: Date;
}

export interface UnprotectedPod {
  id: string;
  namespace: string;
  name: string;
  workload: string;
  standing: Exclude<PodStanding, 'protected' | 'unknown'>;
}

export interface ReportModel {
  source: string;
  scope: string;
  /** ISO time of the cluster state described, and its sequence number. */
  stateAt: string;
  seq: number;
  past: boolean;
  generatedAt: string;
  counts: PostureCounts;
  namespacesKnown: number;
  withoutDefaultDeny: { ingress: number; egress: number };
  namespaces: NamespacePosture[];
  unprotected: UnprotectedPod[];
  policies: PolicySummary[] | null;
  findings: Finding[];
  /** `"all"`, or the namespaces whose policies are unknown: the report says so wherever it matters. */
  unknown: 'all' | string[];
}

/** The scope in words (the report's filters). */
export function scopeText(view: ViewSpec): string {
  const parts = [view.namespaces === 'all' ? 'all namespaces' : `namespace${view.namespaces.length === 1 ? '' : 's'} ${view.namespaces.join(', ')}`];
  if (view.labels) parts.push(`pods with labels ${view.labels}`);
  if (view.unprotectedOnly) parts.push('only unprotected pods');
  return parts.join('; ');
}

const TIER_ORDER: Record<PolicySummary['tier'], number> = { anp: 0, np: 1, banp: 2 };

/** Policies in evaluation order: AdminNetworkPolicies by priority, NetworkPolicies by namespace and name, the baseline last. */
export function policyOrder(a: PolicySummary, b: PolicySummary): number {
  return TIER_ORDER[a.tier] - TIER_ORDER[b.tier] || (a.priority ?? 0) - (b.priority ?? 0) || compareText(a.id, b.id);
}

export function reportModel(input: ReportInput): ReportModel {
  const state = input.pods;
  // The report lists no rankings: the smallest one is enough.
  const posture = computePosture(state, { top: 1 });
  const unprotected: UnprotectedPod[] = [];
  for (const n of state.nodes.values()) {
    if (n.kind !== 'pod') continue;
    const standing = standingOf(n);
    if (standing === 'protected' || standing === 'unknown') continue;
    unprotected.push({ id: n.id, namespace: n.namespace ?? '', name: n.name, workload: n.workload ?? '', standing });
  }
  unprotected.sort((a, b) => compareText(a.id, b.id));
  return {
    source: input.source,
    scope: scopeText(state.view),
    stateAt: state.at,
    seq: state.seq,
    past: input.past,
    generatedAt: input.generatedAt.toISOString(),
    counts: posture.counts,
    namespacesKnown: posture.namespacesKnown,
    withoutDefaultDeny: posture.withoutDefaultDeny,
    namespaces: posture.namespaces,
    unprotected,
    policies: input.policies ? [...input.policies].sort(policyOrder) : null,
    findings: state.findings.slice(),
    unknown: posture.unknown,
  };
}

/** What the hash covers: the report's cluster content, nothing about when or where it was made. */
function hashedContent(m: ReportModel): unknown {
  return {
    scope: m.scope,
    counts: m.counts,
    namespaces: m.namespaces,
    unprotected: m.unprotected,
    policies: m.policies,
    findings: m.findings.map((f) => [f.kind, f.severity, f.subject, f.direction ?? '', f.message]),
    unknown: m.unknown,
  };
}

/** SHA-256 (hex) of the report's content: equal states give equal hashes. */
export async function contentHash(m: ReportModel): Promise<string> {
  const bytes = new TextEncoder().encode(JSON.stringify(hashedContent(m)));
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export const STANDING_TEXT: Record<UnprotectedPod['standing'], string> = {
  'ingress-open': 'ingress open',
  'egress-open': 'egress open',
  'both-open': 'ingress and egress open',
};

export { findingTitle };
