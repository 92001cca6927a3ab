// The reference evaluator: a slow, deliberately plain reading of docs semantics.md rules 1-24 and
// of its AdminNetworkPolicy section, one connection at a time, straight from RAW Kubernetes
// objects (parsed manifests).
//
// It exists to check the optimized engine in a differential test, so it must stay independent of
// it: nothing here may come from shared/policy/, shared/engine/ or shared/kube/. Only the port-set
// value type and the IP parsers of shared/model/ are shared (they are tested on their own).
// Obviousness beats speed everywhere; the only concession is a cache of parsed addresses and CIDRs
// (parsing IPv6 text through ipaddr.js costs tens of microseconds).
import { parseCidr, parseIp, type Family, type ParsedCidr } from '../model/ip.ts';
import { PortSet } from '../model/port-set.ts';
import type { Protocol } from '../model/types.ts';

export type RefEndpoint = { kind: 'pod'; id: string /* ns/name */ } | { kind: 'ip'; ip: string };

export interface RefRuleRef {
  /**
   * `namespace/name` of the NetworkPolicy, the name of the (Baseline)AdminNetworkPolicy, or '' for
   * tier `default`.
   */
  policy: string;
  /** Index of the rule in the policy's `ingress` or `egress` list (-1 for tier `default`). */
  rule: number;
  /**
   * Only when the input has admin policies: which tier decided. `default`: no rule of any tier
   * matched some of the ports, so they are allowed (the side is not isolated by a NetworkPolicy).
   */
  tier?: 'anp' | 'np' | 'banp' | 'default';
  /** For admin rules: Allow, or Pass (ports passed down and allowed there). */
  action?: 'Allow' | 'Pass';
}

export type RefReason = 'unisolated' | RefRuleRef[];

export interface RefResult {
  ports: PortSet;
  reasons: { egress: RefReason; ingress: RefReason };
}

export interface RefOptions {
  /** semantics.md rule 17. */
  ipBlockMatchesPods: boolean;
}

export interface Reference {
  /** Ids (`ns/name`) of the pods that take part (rules 21-22), sorted. */
  participatingPods(): string[];
  isolation(podId: string): { ingress: boolean; egress: boolean };
  /**
   * What `from` may open toward `to`. Ports EMPTY when nothing is allowed (isolated sides then
   * list no rule). A pod to itself, and an address to an address, are not connections: EMPTY with
   * both reason lists empty.
   */
  connection(from: RefEndpoint, to: RefEndpoint): RefResult;
}

type Direction = 'ingress' | 'egress';

const NAME_LABEL = 'kubernetes.io/metadata.name';
const PROTOCOL_NAMES: readonly string[] = ['TCP', 'UDP', 'SCTP'];

// ---------------------------------------------------------------------------------------------
// Reading raw JSON without trusting its shape.

type Json = Record<string, unknown>;

function asObject(value: unknown): Json | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** A label map as a Map, so keys such as `constructor` cannot collide with Object's prototype. */
function labelMap(value: unknown): Map<string, string> {
  const labels = new Map<string, string>();
  for (const [key, v] of Object.entries(asObject(value) ?? {})) {
    if (typeof v === 'string') labels.set(key, v);
  }
  return labels;
}

function protocolOf(value: unknown): Protocol {
  if (value === undefined || value === null) return 'TCP'; // rule 18
  if (typeof value === 'string' && PROTOCOL_NAMES.includes(value)) return value as Protocol;
  throw new Error(`reference: invalid protocol ${JSON.stringify(value)}`);
}

// ---------------------------------------------------------------------------------------------
// The cluster as the reference sees it: raw objects plus the few facts every rule needs.

interface RefPod {
  id: string;
  namespace: string;
  labels: Map<string, string>;
  ips: { family: Family; value: bigint }[];
  /** spec.containers[].ports[] as { name, protocol, port }. */
  containerPorts: { name: string; protocol: Protocol; port: number }[];
  participates: boolean;
}

interface RefPolicy {
  id: string;
  namespace: string;
  spec: Json;
}

/** An AdminNetworkPolicy, or the BaselineAdminNetworkPolicy (tier `banp`, priority unused). */
interface RefAdminPolicy {
  name: string;
  tier: 'anp' | 'banp';
  priority: number;
  spec: Json;
}

/** An endpoint after lookup: a participating pod, or an address outside the cluster. */
type Endpoint = { kind: 'pod'; pod: RefPod } | { kind: 'ip'; family: Family; value: bigint };

function namespaceOf(metadata: Json): string {
  const ns = asString(metadata.namespace);
  return ns === undefined || ns === '' ? 'default' : ns;
}

/** Rules 21-22: hostNetwork pods, finished pods and deleted pods whose containers all stopped. */
function podParticipates(object: Json): boolean {
  const metadata = asObject(object.metadata) ?? {};
  const spec = asObject(object.spec) ?? {};
  const status = asObject(object.status) ?? {};
  if (spec.hostNetwork === true) return false;
  if (status.phase === 'Succeeded' || status.phase === 'Failed') return false;
  const deleting = metadata.deletionTimestamp !== undefined && metadata.deletionTimestamp !== null;
  if (deleting) {
    const statuses = asArray(status.containerStatuses);
    const allTerminated = statuses.every((s) => {
      const state = asObject(asObject(s)?.state);
      return state !== undefined && state.terminated !== undefined && state.terminated !== null;
    });
    if (allTerminated) return false;
  }
  return true;
}

function podIps(object: Json): { family: Family; value: bigint }[] {
  const status = asObject(object.status) ?? {};
  let texts = asArray(status.podIPs)
    .map((entry) => asString(asObject(entry)?.ip))
    .filter((ip): ip is string => ip !== undefined && ip !== '');
  if (texts.length === 0) {
    const single = asString(status.podIP);
    texts = single !== undefined && single !== '' ? [single] : [];
  }
  const ips: { family: Family; value: bigint }[] = [];
  for (const text of texts) {
    const parsed = parseIp(text);
    if (parsed) ips.push(parsed);
  }
  return ips;
}

function podContainerPorts(object: Json): RefPod['containerPorts'] {
  const spec = asObject(object.spec) ?? {};
  const out: RefPod['containerPorts'] = [];
  for (const container of asArray(spec.containers)) {
    for (const p of asArray(asObject(container)?.ports)) {
      const port = asObject(p) ?? {};
      if (typeof port.containerPort !== 'number') continue;
      out.push({ name: asString(port.name) ?? '', protocol: protocolOf(port.protocol), port: port.containerPort });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

export function createReference(objects: unknown[], options: RefOptions): Reference {
  const givenNamespaces = new Map<string, Map<string, string>>();
  const pods = new Map<string, RefPod>();
  const policies: RefPolicy[] = [];
  const adminPolicies: RefAdminPolicy[] = [];

  for (const raw of objects) {
    const object = asObject(raw);
    if (!object) continue;
    const metadata = asObject(object.metadata) ?? {};
    const name = asString(metadata.name) ?? '';
    if (object.kind === 'Namespace' && object.apiVersion === 'v1') {
      givenNamespaces.set(name, labelMap(metadata.labels));
    } else if (object.kind === 'Pod' && object.apiVersion === 'v1') {
      const namespace = namespaceOf(metadata);
      const id = `${namespace}/${name}`;
      if (pods.has(id)) throw new Error(`reference: duplicate pod ${id}`);
      pods.set(id, {
        id,
        namespace,
        labels: labelMap(metadata.labels),
        ips: podIps(object),
        containerPorts: podContainerPorts(object),
        participates: podParticipates(object),
      });
    } else if (object.kind === 'NetworkPolicy' && object.apiVersion === 'networking.k8s.io/v1') {
      const namespace = namespaceOf(metadata);
      policies.push({ id: `${namespace}/${name}`, namespace, spec: asObject(object.spec) ?? {} });
    } else if (object.apiVersion === 'policy.networking.k8s.io/v1alpha1') {
      const spec = asObject(object.spec) ?? {};
      if (object.kind === 'AdminNetworkPolicy') {
        if (typeof spec.priority !== 'number') throw new Error(`reference: AdminNetworkPolicy ${name} without priority`);
        adminPolicies.push({ name, tier: 'anp', priority: spec.priority, spec });
      } else if (object.kind === 'BaselineAdminNetworkPolicy' && name === 'default') {
        adminPolicies.push({ name, tier: 'banp', priority: 0, spec });
      }
    }
  }
  const hasAdminPolicies = adminPolicies.length > 0;

  /** Rule 14: every namespace exists and carries kubernetes.io/metadata.name=<name>. */
  function namespaceLabels(name: string): Map<string, string> {
    const labels = new Map(givenNamespaces.get(name) ?? []);
    labels.set(NAME_LABEL, name);
    return labels;
  }

  const cidrCache = new Map<string, ParsedCidr>();
  function cidr(text: string): ParsedCidr {
    let parsed = cidrCache.get(text);
    if (!parsed) {
      const p = parseCidr(text);
      if (!p) throw new Error(`reference: invalid CIDR ${JSON.stringify(text)}`);
      parsed = p;
      cidrCache.set(text, parsed);
    }
    return parsed;
  }

  // --- Rule 15: label selectors. -------------------------------------------------------------

  function selectorMatches(selectorValue: unknown, labels: Map<string, string>): boolean {
    const selector = asObject(selectorValue) ?? {};
    for (const [key, value] of Object.entries(asObject(selector.matchLabels) ?? {})) {
      if (labels.get(key) !== value) return false;
    }
    for (const e of asArray(selector.matchExpressions)) {
      const expression = asObject(e) ?? {};
      const key = asString(expression.key) ?? '';
      const values = asArray(expression.values);
      const present = labels.has(key);
      const value = labels.get(key);
      switch (expression.operator) {
        case 'In':
          if (!(present && values.includes(value))) return false;
          break;
        case 'NotIn':
          if (!(!present || !values.includes(value))) return false;
          break;
        case 'Exists':
          if (!present) return false;
          break;
        case 'DoesNotExist':
          if (present) return false;
          break;
        default:
          throw new Error(`reference: invalid selector operator ${JSON.stringify(expression.operator)}`);
      }
    }
    return true;
  }

  // --- Rules 1-4: which policies apply to a pod, and isolation. -------------------------------

  /** Rule 2: effective policyTypes. */
  function policyTypes(policy: RefPolicy): { ingress: boolean; egress: boolean } {
    const listed = asArray(policy.spec.policyTypes);
    if (listed.length > 0) return { ingress: listed.includes('Ingress'), egress: listed.includes('Egress') };
    return { ingress: true, egress: asArray(policy.spec.egress).length > 0 };
  }

  /** Rule 4: a policy selects pods of its own namespace only. */
  function policySelects(policy: RefPolicy, pod: RefPod): boolean {
    return policy.namespace === pod.namespace && selectorMatches(policy.spec.podSelector, pod.labels);
  }

  /** The policies that select the pod and have the direction in effect (rule 1). */
  function policiesFor(pod: RefPod, direction: Direction): RefPolicy[] {
    return policies.filter((policy) => policySelects(policy, pod) && policyTypes(policy)[direction]);
  }

  /**
   * A direction is isolated when a NetworkPolicy isolates it, or an admin policy selecting the pod
   * has a Deny rule for it: either can deny traffic; Allow and Pass rules cannot by themselves.
   */
  function isolated(pod: RefPod, direction: Direction): boolean {
    if (policiesFor(pod, direction).length > 0) return true;
    return adminPolicies.some(
      (policy) => adminSubjectSelects(policy, pod) && asArray(policy.spec[direction]).some((rule) => asObject(rule)?.action === 'Deny'),
    );
  }

  // --- Rules 10-17: peers. ------------------------------------------------------------------

  function inIpBlock(block: Json, address: { family: Family; value: bigint }): boolean {
    const range = cidr(asString(block.cidr) ?? '');
    if (range.family !== address.family) return false;
    if (address.value < range.first || address.value > range.last) return false;
    for (const text of asArray(block.except)) {
      const hole = cidr(asString(text) ?? '');
      if (hole.family === address.family && address.value >= hole.first && address.value <= hole.last) return false;
    }
    return true;
  }

  function peerMatches(policy: RefPolicy, peerValue: unknown, other: Endpoint): boolean {
    const peer = asObject(peerValue) ?? {};
    const ipBlock = asObject(peer.ipBlock);
    const podSelector = peer.podSelector ?? undefined;
    const namespaceSelector = peer.namespaceSelector ?? undefined;
    if (ipBlock) {
      if (podSelector !== undefined || namespaceSelector !== undefined) throw new Error('reference: invalid peer (ipBlock with a selector)');
      if (other.kind === 'ip') return inIpBlock(ipBlock, other);
      // Rule 17: only with the option, and only through one of the pod's addresses.
      return options.ipBlockMatchesPods && other.pod.ips.some((ip) => inIpBlock(ipBlock, ip));
    }
    if (podSelector === undefined && namespaceSelector === undefined) throw new Error('reference: invalid peer (no field)');
    // Rule 11: selector peers never match addresses outside the cluster.
    if (other.kind === 'ip') return false;
    const pod = other.pod;
    // Rules 10-12: namespaceSelector absent = the policy's namespace; both present = AND.
    const namespaceOk =
      namespaceSelector === undefined ? pod.namespace === policy.namespace : selectorMatches(namespaceSelector, namespaceLabels(pod.namespace));
    const podOk = podSelector === undefined ? true : selectorMatches(podSelector, pod.labels);
    return namespaceOk && podOk;
  }

  /** Rule 6: missing or empty from/to = everyone; otherwise the peers are ORed. */
  function rulePeersMatch(policy: RefPolicy, rule: Json, direction: Direction, other: Endpoint): boolean {
    const peers = asArray(direction === 'ingress' ? rule.from : rule.to);
    if (peers.length === 0) return true;
    return peers.some((peer) => peerMatches(policy, peer, other));
  }

  // --- Rules 18-20: ports, resolved against the destination. ---------------------------------

  function entryPorts(entryValue: unknown, destination: Endpoint): PortSet {
    const entry = asObject(entryValue) ?? {};
    const protocol = protocolOf(entry.protocol);
    const port = entry.port ?? undefined;
    const endPort = typeof entry.endPort === 'number' ? entry.endPort : undefined;
    if (port === undefined) return PortSet.protocol(protocol);
    let number: number | undefined;
    if (typeof port === 'number') number = port;
    else if (typeof port === 'string' && /^[0-9]+$/.test(port)) number = Number(port);
    if (number !== undefined) return PortSet.range(protocol, number, endPort ?? number);
    if (typeof port !== 'string') throw new Error(`reference: invalid port ${JSON.stringify(port)}`);
    // A named port: the destination pod's container ports with that name AND protocol.
    if (destination.kind !== 'pod') return PortSet.EMPTY;
    let set = PortSet.EMPTY;
    for (const cp of destination.pod.containerPorts) {
      if (cp.name === port && cp.protocol === protocol) set = set.union(PortSet.range(protocol, cp.port, cp.port));
    }
    return set;
  }

  /** Rule 6: missing or empty ports = every port of every protocol; entries are ORed. */
  function rulePorts(rule: Json, destination: Endpoint): PortSet {
    const entries = asArray(rule.ports);
    if (entries.length === 0) return PortSet.ALL;
    let set = PortSet.EMPTY;
    for (const entry of entries) set = set.union(entryPorts(entry, destination));
    return set;
  }

  // --- AdminNetworkPolicy and BaselineAdminNetworkPolicy: subjects, peers, ports. -----------

  /**
   * `namespaces: <selector>`, or `pods: { namespaceSelector, podSelector }` (an absent selector
   * matches everything, as Go decodes it).
   */
  function podSetMatches(form: 'namespaces' | 'pods', value: unknown, pod: RefPod): boolean {
    if (form === 'namespaces') return selectorMatches(value, namespaceLabels(pod.namespace));
    const set = asObject(value) ?? {};
    return selectorMatches(set.namespaceSelector, namespaceLabels(pod.namespace)) && selectorMatches(set.podSelector, pod.labels);
  }

  function adminSubjectSelects(policy: RefAdminPolicy, pod: RefPod): boolean {
    const subject = asObject(policy.spec.subject) ?? {};
    if (subject.namespaces !== undefined && subject.namespaces !== null) return podSetMatches('namespaces', subject.namespaces, pod);
    if (subject.pods !== undefined && subject.pods !== null) return podSetMatches('pods', subject.pods, pod);
    throw new Error(`reference: ${policy.name} has no subject`);
  }

  /** One `from` / `to` entry. `nodes` peers select node addresses, which are not in the matrix. */
  function adminPeerMatches(peerValue: unknown, other: Endpoint): boolean {
    const peer = asObject(peerValue) ?? {};
    for (const form of ['namespaces', 'pods'] as const) {
      if (peer[form] !== undefined && peer[form] !== null) return other.kind === 'pod' && podSetMatches(form, peer[form], other.pod);
    }
    if (Array.isArray(peer.networks)) {
      const inNetworks = (address: { family: Family; value: bigint }) => asArray(peer.networks).some((text) => inIpBlock({ cidr: text }, address));
      if (other.kind === 'ip') return inNetworks(other);
      // Like ipBlocks (rule 17): pod IPs only with the option.
      return options.ipBlockMatchesPods && other.pod.ips.some(inNetworks);
    }
    if (peer.nodes !== undefined && peer.nodes !== null) return false;
    throw new Error('reference: invalid admin peer');
  }

  /** Missing ports = every port; a named port is any container port of the destination pod with that name. */
  function adminRulePorts(rule: Json, destination: Endpoint): PortSet {
    const entries = asArray(rule.ports);
    if (entries.length === 0) return PortSet.ALL;
    let set = PortSet.EMPTY;
    for (const value of entries) {
      const entry = asObject(value) ?? {};
      const number = asObject(entry.portNumber);
      const range = asObject(entry.portRange);
      if (number) set = set.union(PortSet.range(protocolOf(number.protocol), Number(number.port), Number(number.port)));
      else if (range) set = set.union(PortSet.range(protocolOf(range.protocol), Number(range.start), Number(range.end)));
      else if (typeof entry.namedPort === 'string') {
        if (destination.kind !== 'pod') continue;
        for (const cp of destination.pod.containerPorts) {
          if (cp.name === entry.namedPort) set = set.union(PortSet.range(cp.protocol, cp.port, cp.port));
        }
      } else throw new Error('reference: invalid admin port');
    }
    return set;
  }

  interface Decision {
    policy: string;
    rule: number;
    action: string;
    /** The ports this rule decides: those it matches that no earlier rule decided. */
    ports: PortSet;
  }

  /** First match per port over the rules of these policies, in order. */
  function firstMatch(applying: RefAdminPolicy[], direction: Direction, other: Endpoint, destination: Endpoint): { decisions: Decision[]; undecided: PortSet } {
    let undecided = PortSet.ALL;
    const decisions: Decision[] = [];
    for (const policy of applying) {
      asArray(policy.spec[direction]).forEach((ruleValue, index) => {
        const rule = asObject(ruleValue) ?? {};
        const peers = asArray(direction === 'ingress' ? rule.from : rule.to);
        if (!peers.some((peer) => adminPeerMatches(peer, other))) return;
        const ports = adminRulePorts(rule, destination).intersect(undecided);
        decisions.push({ policy: policy.name, rule: index, action: String(rule.action), ports });
        undecided = undecided.subtract(ports);
      });
    }
    return { decisions, undecided };
  }

  function decided(decisions: Decision[], action: string): PortSet {
    let set = PortSet.EMPTY;
    for (const d of decisions) if (d.action === action) set = set.union(d.ports);
    return set;
  }

  // --- Rules 5-8 and the tiers: one direction of one connection. ------------------------------

  interface Contribution {
    policy: string;
    rule: number;
    ports: PortSet;
  }

  /** Every rule of the NetworkPolicies isolating `pod` whose peers match, with its ports (even when empty). */
  function contributions(applying: RefPolicy[], direction: Direction, other: Endpoint, destination: Endpoint): Contribution[] {
    const out: Contribution[] = [];
    for (const policy of applying) {
      const rules = asArray(direction === 'ingress' ? policy.spec.ingress : policy.spec.egress);
      rules.forEach((ruleValue, index) => {
        const rule = asObject(ruleValue) ?? {};
        if (!rulePeersMatch(policy, rule, direction, other)) return;
        out.push({ policy: policy.id, rule: index, ports: rulePorts(rule, destination) });
      });
    }
    return out;
  }

  interface Side {
    allowed: PortSet;
    /** The rules (and tiers) that allow part of `final`, a subset of `allowed`. */
    reasons(final: PortSet): RefReason;
  }

  const UNISOLATED: Side = { allowed: PortSet.ALL, reasons: () => 'unisolated' };

  /**
   * What `pod` allows in `direction` toward/from `other`: the AdminNetworkPolicies selecting it by
   * priority (equal priorities by name), rules in order, the first match deciding each port; the
   * ports they pass or leave undecided go to the NetworkPolicies when one isolates the pod, else
   * to the BaselineAdminNetworkPolicy (first match), else they are allowed.
   */
  function side(pod: RefPod, direction: Direction, other: Endpoint, destination: Endpoint): Side {
    const selecting = adminPolicies.filter((p) => adminSubjectSelects(p, pod));
    const anps = selecting.filter((p) => p.tier === 'anp').sort((a, b) => a.priority - b.priority || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const anp = firstMatch(anps, direction, other, destination);
    const passed = anp.undecided.union(decided(anp.decisions, 'Pass'));
    const isolating = policiesFor(pod, direction);
    const np = contributions(isolating, direction, other, destination);
    const banp = firstMatch(isolating.length > 0 ? [] : selecting.filter((p) => p.tier === 'banp'), direction, other, destination);
    if (isolating.length === 0 && anp.decisions.length === 0 && banp.decisions.length === 0) return UNISOLATED;
    let below = PortSet.EMPTY;
    if (isolating.length > 0) for (const c of np) below = below.union(c.ports);
    else below = decided(banp.decisions, 'Allow').union(banp.undecided);
    const allowed = decided(anp.decisions, 'Allow').union(passed.intersect(below));

    const reasons = (final: PortSet): RefReason => {
      const refs: RefRuleRef[] = [];
      const tier = hasAdminPolicies ? { tier: 'np' as const } : {};
      for (const d of anp.decisions) {
        if ((d.action === 'Allow' || d.action === 'Pass') && !d.ports.intersect(final).isEmpty()) {
          refs.push({ policy: d.policy, rule: d.rule, tier: 'anp', action: d.action });
        }
      }
      const reached = passed.intersect(final);
      for (const c of np) if (!c.ports.intersect(reached).isEmpty()) refs.push({ policy: c.policy, rule: c.rule, ...tier });
      for (const d of banp.decisions) {
        if (d.action === 'Allow' && !d.ports.intersect(reached).isEmpty()) refs.push({ policy: d.policy, rule: d.rule, tier: 'banp', action: 'Allow' });
      }
      if (isolating.length === 0 && !banp.undecided.intersect(reached).isEmpty()) {
        // Only ports that no rule matched: the same as an unisolated side.
        if (refs.length === 0) return 'unisolated';
        refs.push({ policy: '', rule: -1, tier: 'default' });
      }
      return sortRefs(refs);
    };
    return { allowed, reasons };
  }

  const TIER_ORDER = ['anp', 'np', 'banp', 'default'];

  function sortRefs(refs: RefRuleRef[]): RefRuleRef[] {
    const rank = (r: RefRuleRef) => TIER_ORDER.indexOf(r.tier ?? 'np');
    refs.sort((a, b) => rank(a) - rank(b) || (a.policy < b.policy ? -1 : a.policy > b.policy ? 1 : a.rule - b.rule));
    return refs.filter((r, i) => i === 0 || r.policy !== refs[i - 1]!.policy || r.rule !== refs[i - 1]!.rule || r.tier !== refs[i - 1]!.tier);
  }

  function lookupPod(id: string): RefPod {
    const pod = pods.get(id);
    if (!pod) throw new Error(`reference: unknown pod ${id}`);
    return pod;
  }

  const ipCache = new Map<string, { family: Family; value: bigint }>();
  function endpoint(e: RefEndpoint): Endpoint {
    if (e.kind === 'ip') {
      let parsed = ipCache.get(e.ip);
      if (!parsed) {
        const p = parseIp(e.ip);
        if (!p) throw new Error(`reference: invalid IP ${JSON.stringify(e.ip)}`);
        parsed = p;
        ipCache.set(e.ip, parsed);
      }
      return { kind: 'ip', family: parsed.family, value: parsed.value };
    }
    const pod = lookupPod(e.id);
    if (!pod.participates) throw new Error(`reference: pod ${e.id} takes no part (rules 21-22)`);
    return { kind: 'pod', pod };
  }

  const nothing = (): RefResult => ({ ports: PortSet.EMPTY, reasons: { egress: [], ingress: [] } });

  return {
    participatingPods() {
      return [...pods.values()]
        .filter((pod) => pod.participates)
        .map((pod) => pod.id)
        .sort();
    },

    isolation(podId) {
      const pod = lookupPod(podId);
      return { ingress: isolated(pod, 'ingress'), egress: isolated(pod, 'egress') };
    },

    connection(fromRef, toRef) {
      const from = endpoint(fromRef);
      const to = endpoint(toRef);
      if (from.kind === 'pod' && to.kind === 'pod' && from.pod === to.pod) return nothing(); // rule 23
      if (from.kind === 'ip' && to.kind === 'ip') return nothing(); // not cluster traffic
      // Rule 8: the source's egress AND the destination's ingress; an address outside the cluster
      // has no policies.
      const egress = from.kind === 'pod' ? side(from.pod, 'egress', to, to) : UNISOLATED;
      const ingress = to.kind === 'pod' ? side(to.pod, 'ingress', from, to) : UNISOLATED;
      const ports = egress.allowed.intersect(ingress.allowed);
      return { ports, reasons: { egress: egress.reasons(ports), ingress: ingress.reasons(ports) } };
    },
  };
}
