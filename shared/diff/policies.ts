// Policies added, changed (naming the spec fields that differ) and deleted, in every tier. Compared
// on the model, so only differences of meaning count (key order, selector order and the file a
// policy was read from do not).
import { compareText } from '../model/order.ts';
import type { AdminNetworkPolicy, BaselineAdminNetworkPolicy, Cluster, NetworkPolicy } from '../model/types.ts';
import { canonicalJson } from './canonical.ts';
import { policyText } from '../model/policy-text.ts';
import type { PolicyChange, PolicyTier } from './types.ts';

type AnyPolicy = NetworkPolicy | AdminNetworkPolicy | BaselineAdminNetworkPolicy;

const TIER_ORDER: readonly PolicyTier[] = ['anp', 'np', 'banp'];

/** The spec fields of a policy, as `spec.<field>` paths, in the order users read them. */
function fields(p: AnyPolicy): [string, unknown][] {
  const rules = (direction: 'ingress' | 'egress'): [string, unknown][] => p[direction].map((r, i) => [`spec.${direction}[${i}]`, r]);
  // A defaulted policyTypes differs in the spec (and in findings) from the same types written out.
  if ('podSelector' in p) return [['spec.podSelector', p.podSelector], ['spec.policyTypes', [p.policyTypes, p.policyTypesDefaulted]], ...rules('ingress'), ...rules('egress')];
  const head: [string, unknown][] = p.kind === 'AdminNetworkPolicy' ? [['spec.priority', p.priority]] : [];
  return [...head, ['spec.subject', p.subject], ...rules('ingress'), ...rules('egress')];
}

/** The fields that differ; a rule present on one side only counts as a differing field. */
export function changedFields(before: AnyPolicy, after: AnyPolicy): string[] {
  const was = new Map(fields(before).map(([k, v]) => [k, canonicalJson(v)]));
  const now = new Map(fields(after).map(([k, v]) => [k, canonicalJson(v)]));
  const order = [...fields(after).map(([k]) => k), ...fields(before).map(([k]) => k)];
  return [...new Set(order)].filter((k) => was.get(k) !== now.get(k)).sort((x, y) => fieldRank(x) - fieldRank(y) || compareFields(x, y));
}

const HEADS = ['spec.priority', 'spec.podSelector', 'spec.subject', 'spec.policyTypes'];

function fieldRank(field: string): number {
  const head = HEADS.indexOf(field);
  if (head >= 0) return head;
  return field.startsWith('spec.ingress') ? HEADS.length : HEADS.length + 1;
}

function compareFields(x: string, y: string): number {
  const index = (f: string) => Number(/\[(\d+)\]$/.exec(f)?.[1] ?? -1);
  return index(x) - index(y) || compareText(x, y);
}

function sameText(a: AnyPolicy, b: AnyPolicy): boolean {
  return policyText(a) === policyText(b);
}

function policiesOf(c: Cluster): Map<string, { tier: PolicyTier; id: string; policy: AnyPolicy }> {
  const out = new Map<string, { tier: PolicyTier; id: string; policy: AnyPolicy }>();
  for (const p of c.policies) out.set(`np\u0000${p.id}`, { tier: 'np', id: p.id, policy: p });
  for (const p of c.adminPolicies) out.set(`anp\u0000${p.name}`, { tier: 'anp', id: p.name, policy: p });
  if (c.baselineAdminPolicy) out.set(`banp\u0000${c.baselineAdminPolicy.name}`, { tier: 'banp', id: c.baselineAdminPolicy.name, policy: c.baselineAdminPolicy });
  return out;
}

export function diffPolicies(before: Cluster, after: Cluster): PolicyChange[] {
  const was = policiesOf(before);
  const now = policiesOf(after);
  const out: PolicyChange[] = [];
  const sourceOf = (w?: AnyPolicy, n?: AnyPolicy): PolicyChange['source'] | undefined => {
    const s: NonNullable<PolicyChange['source']> = {};
    if (w?.source !== undefined) s.before = w.source;
    if (n?.source !== undefined) s.after = n.source;
    return Object.keys(s).length > 0 ? s : undefined;
  };
  for (const [key, n] of now) {
    const w = was.get(key);
    // Most policies are written identically on both sides: only the others are compared by meaning.
    const differing = !w || sameText(w.policy, n.policy) ? [] : changedFields(w.policy, n.policy);
    if (w && differing.length === 0) continue;
    const change: PolicyChange = w ? { tier: n.tier, id: n.id, change: 'changed', fields: differing } : { tier: n.tier, id: n.id, change: 'added' };
    const source = sourceOf(w?.policy, n.policy);
    out.push(source ? { ...change, source } : change);
  }
  for (const [key, w] of was) {
    if (now.has(key)) continue;
    const source = sourceOf(w.policy);
    out.push({ tier: w.tier, id: w.id, change: 'deleted', ...(source ? { source } : {}) });
  }
  return out.sort((x, y) => TIER_ORDER.indexOf(x.tier) - TIER_ORDER.indexOf(y.tier) || compareText(x.id, y.id));
}
