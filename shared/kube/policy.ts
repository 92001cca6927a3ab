// NetworkPolicy (networking.k8s.io/v1) objects, validated as the API server does.
import type { NetworkPolicy, Peer, PolicyPort, Rule } from '../model/types.ts';
import { child, index, isAbsent, readList, readMap, warnUnknownFields } from './fields.ts';
import type { RawMap } from './fields.ts';
import type { Issues } from './issues.ts';
import { readMetadata } from './metadata.ts';
import { parsePeer } from './policy-peer.ts';
import { parsePolicyPort } from './policy-port.ts';
import { parseLabelSelector } from './selector.ts';

/** API groups whose `NetworkPolicy` kind is the Kubernetes one (extensions/v1beta1 is its old home). */
const POLICY_GROUPS = ['networking.k8s.io', 'extensions'];

/** False for other APIs' kinds that happen to be called NetworkPolicy (e.g. Calico's). */
export function isKubernetesNetworkPolicy(apiVersion: unknown): boolean {
  if (typeof apiVersion !== 'string' || apiVersion === '') return true; // list items often omit it
  const slash = apiVersion.indexOf('/');
  return slash > 0 && POLICY_GROUPS.includes(apiVersion.slice(0, slash));
}

export function parseNetworkPolicy(object: RawMap, issues: Issues, source?: string): NetworkPolicy {
  const meta = readMetadata(object, issues, true);
  const spec = readMap(object['spec'], 'spec', issues) ?? {};
  warnUnknownFields(spec, ['podSelector', 'policyTypes', 'ingress', 'egress'], 'spec', issues);

  const podSelector = parseLabelSelector(spec['podSelector'], 'spec.podSelector', issues) ?? {
    matchLabels: {},
    matchExpressions: [],
  };
  const ingress = parseRules(spec['ingress'], 'spec.ingress', 'from', issues);
  const egress = parseRules(spec['egress'], 'spec.egress', 'to', issues);

  const typesPath = 'spec.policyTypes';
  const types = readList(spec['policyTypes'], typesPath, issues) ?? [];
  const policyTypes = { ingress: false, egress: false };
  types.forEach((t, i) => {
    if (t === 'Ingress') policyTypes.ingress = true;
    else if (t === 'Egress') policyTypes.egress = true;
    else issues.error(index(typesPath, i), `unsupported policy type ${JSON.stringify(t)}: must be Ingress or Egress`);
  });
  // semantics.md rule 2: missing or empty = Ingress, plus Egress only when there are egress rules.
  const policyTypesDefaulted = types.length === 0;
  if (policyTypesDefaulted) {
    policyTypes.ingress = true;
    policyTypes.egress = egress.length > 0;
  }

  const policy: NetworkPolicy = {
    id: `${meta.namespace}/${meta.name}`,
    namespace: meta.namespace,
    name: meta.name,
    podSelector,
    policyTypes,
    policyTypesDefaulted,
    ingress,
    egress,
  };
  if (source !== undefined) policy.source = source;
  return policy;
}

function parseRules(value: unknown, path: string, peersKey: 'from' | 'to', issues: Issues): Rule[] {
  const list = readList(value, path, issues) ?? [];
  const rules: Rule[] = [];
  list.forEach((raw, i) => {
    const rulePath = index(path, i);
    // A bare `-` decodes as an empty rule, like `- {}`.
    const rule = isAbsent(raw) ? {} : readMap(raw, rulePath, issues);
    if (!rule) return;
    warnUnknownFields(rule, [peersKey, 'ports'], rulePath, issues);
    const peers: Peer[] = [];
    const peersPath = child(rulePath, peersKey);
    (readList(rule[peersKey], peersPath, issues) ?? []).forEach((p, j) => {
      const peer = parsePeer(p, index(peersPath, j), issues);
      if (peer) peers.push(peer);
    });
    const ports: PolicyPort[] = [];
    const portsPath = child(rulePath, 'ports');
    (readList(rule['ports'], portsPath, issues) ?? []).forEach((p, j) => {
      const port = parsePolicyPort(p, index(portsPath, j), issues);
      if (port) ports.push(port);
    });
    rules.push({ peers, ports });
  });
  return rules;
}

