// Answers to `policy:selection` and `policy:list`: which pods a policy of any tier selects, which
// policies select a pod, and every policy with its tier. Admin policies are named
// `AdminNetworkPolicy/<name>` and `BaselineAdminNetworkPolicy/default`: a namespace name has no
// capital letters, so these ids never clash with a NetworkPolicy's `namespace/name`.
import { ADMIN_FINDING_KINDS } from '../../shared/engine/analysis.ts';
import type { EngineAnalysis } from '../../shared/engine/engine.ts';
import type { AdminNetworkPolicy, AdminPodSet, BaselineAdminNetworkPolicy, Labels } from '../../shared/model/types.ts';
import { selectorMatches } from '../../shared/policy/selector.ts';
import type { PolicyList, PolicySelection, PolicySelectionRequest, PolicySummary } from '../../shared/protocol/events.ts';
import { isUnknown, type Unknown } from './members.ts';
import { NotFoundError } from './not-found.ts';

type AdminPolicy = AdminNetworkPolicy | BaselineAdminNetworkPolicy;

/** `AdminNetworkPolicy/<name>` or `BaselineAdminNetworkPolicy/default`. */
export const adminPolicyId = (p: AdminPolicy): string => `${p.kind}/${p.name}`;

/** The admin policies in evaluation order: AdminNetworkPolicies by priority, then the baseline. */
function adminPolicies(a: EngineAnalysis): AdminPolicy[] {
  return [...a.cluster.adminPolicies, ...(a.cluster.baselineAdminPolicy ? [a.cluster.baselineAdminPolicy] : [])];
}

function inPodSet(set: AdminPodSet, namespaceLabels: Labels, podLabels: Labels): boolean {
  return selectorMatches(set.namespaceSelector, namespaceLabels) && (!set.podSelector || selectorMatches(set.podSelector, podLabels));
}

function namespaceLabels(a: EngineAnalysis): (name: string) => Labels {
  const byName = new Map(a.cluster.namespaces.map((n) => [n.name, n.labels]));
  return (name) => byName.get(name) ?? { 'kubernetes.io/metadata.name': name };
}

export function policySelection(a: EngineAnalysis, req: PolicySelectionRequest): PolicySelection {
  const labelsOf = namespaceLabels(a);
  if ('policy' in req) {
    const admin = adminPolicies(a).find((p) => adminPolicyId(p) === req.policy);
    if (admin) return { pods: a.pods.filter((p) => inPodSet(admin.subject, labelsOf(p.namespace), p.labels)).map((p) => p.id) };
    const policy = a.cluster.policies.find((p) => p.id === req.policy);
    if (!policy) throw new NotFoundError(`no policy ${req.policy} (NetworkPolicies are namespace/name; admin policies AdminNetworkPolicy/<name> or BaselineAdminNetworkPolicy/default)`);
    const pods = a.pods.filter((p) => p.namespace === policy.namespace && selectorMatches(policy.podSelector, p.labels)).map((p) => p.id);
    return { pods };
  }
  const i = a.podIndex(req.pod);
  if (i < 0) throw new NotFoundError(`no pod ${req.pod}`);
  const pod = a.pods[i]!;
  const selecting = a.cluster.policies.filter((p) => p.namespace === pod.namespace && selectorMatches(p.podSelector, pod.labels));
  const admin = adminPolicies(a);
  const adminSelecting = admin.filter((p) => inPodSet(p.subject, labelsOf(pod.namespace), pod.labels));
  return {
    policies: {
      ingress: selecting.filter((p) => p.policyTypes.ingress).map((p) => p.id),
      egress: selecting.filter((p) => p.policyTypes.egress).map((p) => p.id),
    },
    ...(admin.length > 0
      ? {
          adminPolicies: {
            ingress: adminSelecting.filter((p) => p.ingress.length > 0).map(adminPolicyId),
            egress: adminSelecting.filter((p) => p.egress.length > 0).map(adminPolicyId),
          },
        }
      : {}),
  };
}

/**
 * Every policy with its tier, in evaluation order. Pod counts go class by class (pods of a class
 * share namespace and labels), so the cost is policies x classes of their namespace, not pods.
 */
export function policyList(a: EngineAnalysis, unknown: Unknown): PolicyList {
  const { classes, classOfPod } = a.classSet;
  const podsOfClass = new Int32Array(classes.length);
  for (const c of classOfPod) podsOfClass[c]!++;
  const classesOf = new Map<string, number[]>();
  classes.forEach((c, id) => {
    if (podsOfClass[id] === 0) return;
    const list = classesOf.get(c.namespace);
    if (list) list.push(id);
    else classesOf.set(c.namespace, [id]);
  });
  const labelsOf = namespaceLabels(a);
  const findings = new Map<string, number>();
  for (const f of a.findings) {
    if (f.kind === 'namespace-without-default-deny') continue;
    const key = `${ADMIN_FINDING_KINDS.includes(f.kind) ? 'admin' : 'np'}:${f.subject}`;
    findings.set(key, (findings.get(key) ?? 0) + 1);
  }
  const adminUnknown = unknown === 'all';
  const admin = adminPolicies(a).map((p): PolicySummary => {
    let pods = 0;
    for (const [ns, ids] of classesOf) {
      const nsLabels = labelsOf(ns);
      if (!selectorMatches(p.subject.namespaceSelector, nsLabels)) continue;
      for (const c of ids) if (!p.subject.podSelector || selectorMatches(p.subject.podSelector, classes[c]!.labels)) pods += podsOfClass[c]!;
    }
    return {
      id: adminPolicyId(p),
      tier: p.kind === 'AdminNetworkPolicy' ? 'anp' : 'banp',
      name: p.name,
      ...(p.kind === 'AdminNetworkPolicy' ? { priority: p.priority } : {}),
      pods: adminUnknown ? null : pods,
      ingressRules: p.ingress.length,
      egressRules: p.egress.length,
      findings: findings.get(`admin:${p.name}`) ?? 0,
      unknown: adminUnknown,
    };
  });
  const policies = a.cluster.policies.map((p): PolicySummary => {
    const nsUnknown = isUnknown(unknown, p.namespace);
    let pods = 0;
    for (const c of classesOf.get(p.namespace) ?? []) if (selectorMatches(p.podSelector, classes[c]!.labels)) pods += podsOfClass[c]!;
    return {
      id: p.id,
      tier: 'np',
      name: p.name,
      namespace: p.namespace,
      pods: nsUnknown ? null : pods,
      ingressRules: p.policyTypes.ingress ? p.ingress.length : null,
      egressRules: p.policyTypes.egress ? p.egress.length : null,
      findings: findings.get(`np:${p.id}`) ?? 0,
      unknown: nsUnknown,
    };
  });
  const anps = admin.filter((p) => p.tier === 'anp');
  const banp = admin.filter((p) => p.tier === 'banp');
  return { policies: [...anps, ...policies, ...banp] };
}
