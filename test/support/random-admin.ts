// Random AdminNetworkPolicies and a BaselineAdminNetworkPolicy for the clusters of
// random-cluster.ts, drawn from the same small vocabularies so that subjects, peers, networks and
// ports hit and miss pods often: equal priorities, Pass rules, shadowed rules, named ports,
// missing selectors in `pods` (read as {}), `nodes` peers (which match nothing) included.
import type { Random } from './random-cluster.ts';

type Json = Record<string, unknown>;

/** What the cluster generator offers: selector and CIDR makers over its vocabularies, and its port names. */
export interface AdminVocabulary {
  podSelector(): Json;
  namespaceSelector(): Json;
  /** A CIDR text (sometimes with host bits set), often around the pods' addresses. */
  cidr(): string;
  portNames: readonly string[];
  ports: readonly number[];
}

const PRIORITIES = [0, 3, 3, 10, 50, 1000] as const;
const PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;

export function randomAdminPolicies(r: Random, v: AdminVocabulary): Json[] {
  const podSet = (): Json => {
    const set: Json = {};
    // The schema requires both selectors; manifests sometimes leave one out.
    if (r.chance(0.9)) set.namespaceSelector = v.namespaceSelector();
    if (r.chance(0.8)) set.podSelector = v.podSelector();
    return set;
  };
  const subject = (): Json => (r.chance(0.5) ? { namespaces: v.namespaceSelector() } : { pods: podSet() });

  const peer = (direction: 'ingress' | 'egress'): Json => {
    const shape = r.int(0, direction === 'ingress' ? 1 : 4);
    if (shape === 0) return { namespaces: v.namespaceSelector() };
    if (shape === 1) return { pods: podSet() };
    if (shape === 4) return { nodes: v.namespaceSelector() };
    return { networks: [...new Set(Array.from({ length: r.int(1, 3) }, v.cidr))] };
  };

  const port = (): Json => {
    const protocol = (): Json => (r.chance(0.4) ? {} : { protocol: r.pick(PROTOCOLS) });
    switch (r.int(0, 5)) {
      case 0:
      case 1:
        return { portNumber: { ...protocol(), port: r.pick(v.ports) } };
      case 2:
      case 3: {
        const start = r.pick(v.ports.filter((p) => p < 65535));
        return { portRange: { ...protocol(), start, end: r.pick(v.ports.filter((p) => p > start)) } };
      }
      default:
        return { namedPort: r.pick(v.portNames) };
    }
  };

  const rules = (direction: 'ingress' | 'egress', actions: readonly string[]): Json[] | undefined => {
    if (r.chance(0.25)) return undefined;
    return Array.from({ length: r.int(0, 4) }, (_, i) => {
      const rule: Json = { action: r.pick(actions), [direction === 'ingress' ? 'from' : 'to']: Array.from({ length: r.int(1, 3) }, () => peer(direction)) };
      if (r.chance(0.7)) rule.name = `${direction}-${i}`;
      if (r.chance(0.6)) rule.ports = Array.from({ length: r.int(1, 3) }, port);
      return rule;
    });
  };

  const spec = (actions: readonly string[]): Json => {
    const out: Json = { subject: subject() };
    for (const direction of ['ingress', 'egress'] as const) {
      const list = rules(direction, actions);
      if (list !== undefined) out[direction] = list;
    }
    return out;
  };

  const objects: Json[] = [];
  const count = r.int(0, 4);
  for (let i = 0; i < count; i++) {
    objects.push({
      apiVersion: 'policy.networking.k8s.io/v1alpha1',
      kind: 'AdminNetworkPolicy',
      metadata: { name: `anp${i}` },
      spec: { priority: r.pick(PRIORITIES), ...spec(['Allow', 'Deny', 'Pass']) },
    });
  }
  if (r.chance(0.6)) {
    objects.push({ apiVersion: 'policy.networking.k8s.io/v1alpha1', kind: 'BaselineAdminNetworkPolicy', metadata: { name: 'default' }, spec: spec(['Allow', 'Deny']) });
  }
  return objects;
}
