// Findings about policies and namespaces (semantics.md, "Findings the product must name"), and
// those about admin policies (admin-findings.ts). Unprotected pods are not listed here: they are
// the per-pod isolation flags.
import { compareText } from '../model/order.ts';
import type { Cluster, NetworkPolicy } from '../model/types.ts';
import { adminFindings, type AdminFindingsInput } from './admin-findings.ts';
import type { Finding } from './analysis.ts';
import type { ClassSet } from './classes.ts';
import type { CompiledRule, Direction } from './rules.ts';

export interface FindingsInput {
  cluster: Cluster;
  classes: ClassSet;
  /** Classes each policy's podSelector selects. */
  selected: number[][];
  rules: Record<Direction, readonly CompiledRule[]>;
  /** Ids (into `rules`) of each policy's rules, per direction; undefined when it has none. */
  rulesOfPolicy: Record<Direction, readonly (readonly number[] | undefined)[]>;
  /** Policy indexes by namespace. */
  policiesOfNamespace: ReadonlyMap<string, readonly number[]>;
  /** Which classes have pods now (live mode keeps emptied classes). */
  present: Uint8Array;
  /** How many classes with pods each named-port list, and each namespace, has. */
  presentByNamedPorts: ReadonlyMap<number, number>;
  presentByNamespace: ReadonlyMap<string, number>;
  /** When the cluster has admin policies. */
  admin?: AdminFindingsInput;
}

const PEERS_FIELD: Record<Direction, string> = { ingress: 'from', egress: 'to' };

/** Limits the work to these policies (by index) and namespaces (for incremental updates); admin findings are always all computed. */
export interface FindingsScope {
  policies: ReadonlySet<number>;
  namespaces: ReadonlySet<string>;
}

/** Findings in a canonical order, so that incremental and full computations compare equal. */
export function sortFindings(list: Finding[]): Finding[] {
  const keyed = list.map((f) => [`${f.kind}\u0000${f.subject}\u0000${f.field ?? ''}\u0000${f.direction ?? ''}`, f] as const);
  keyed.sort((a, b) => compareText(a[0], b[0]));
  return keyed.map(([, f]) => f);
}

export function sameFinding(a: Finding, b: Finding): boolean {
  return a.kind === b.kind && a.subject === b.subject && a.field === b.field && a.direction === b.direction && a.severity === b.severity && a.message === b.message;
}

/** Equal lists of findings, in the same order. */
export function sameFindings(a: readonly Finding[], b: readonly Finding[]): boolean {
  return a.length === b.length && a.every((f, i) => sameFinding(f, b[i]!));
}

/** The findings of every policy and namespace, or of those in scope. */
export function computeFindings(input: FindingsInput, scope?: FindingsScope): Finding[] {
  const out: Finding[] = [];
  for (const pi of scope ? scope.policies : input.cluster.policies.keys()) policyFindings(input, pi, out);
  for (const name of scope ? scope.namespaces : input.cluster.namespaces.map((n) => n.name)) namespaceFindings(input, name, out);
  if (input.admin) out.push(...adminFindings(input.admin));
  return sortFindings(out);
}

function policyFindings(input: FindingsInput, pi: number, out: Finding[]): void {
  const p = input.cluster.policies[pi]!;
  if (!input.selected[pi]!.some((c) => input.present[c] === 1)) {
    out.push({
      kind: 'policy-selects-nothing',
      severity: 'warning',
      subject: p.id,
      field: 'spec.podSelector',
      message: `NetworkPolicy ${p.id} selects no pod in namespace ${p.namespace}: it has no effect.`,
    });
  }
  if (p.policyTypesDefaulted && p.policyTypes.ingress && p.ingress.length === 0 && p.egress.length > 0) {
    out.push({
      kind: 'policy-types-default-denies-ingress',
      severity: 'warning',
      subject: p.id,
      field: 'spec.policyTypes',
      message:
        `NetworkPolicy ${p.id} has only egress rules and no policyTypes, so Kubernetes defaults policyTypes to ` +
        `[Ingress, Egress]: it also denies all ingress to the pods it selects. Set policyTypes: [Egress] if that is not intended.`,
    });
  }
  for (const direction of ['ingress', 'egress'] as const) {
    for (const r of input.rulesOfPolicy[direction][pi] ?? []) ruleFindings(input, direction, input.rules[direction][r]!, out);
  }
}

function ruleFindings(input: FindingsInput, direction: Direction, rule: CompiledRule, out: Finding[]): void {
  const policy = input.cluster.policies[rule.policy]!;
  const field = `spec.${direction}[${rule.index}]`;
  const source = policy[direction][rule.index]!;
  if (source.peers.length > 0 && !rule.allPods && !rule.classes.some((c) => input.present[c] === 1) && rule.atoms.length === 0) {
    out.push({
      kind: 'rule-peers-match-nothing',
      severity: 'warning',
      subject: policy.id,
      field: `${field}.${PEERS_FIELD[direction]}`,
      message: `Rule ${direction}[${rule.index}] of NetworkPolicy ${policy.id}: no pod or address matches its peers, so it allows nothing.`,
    });
  }
  unresolvedNamedPorts(policy, direction, rule, input, field, out);
  const peers = source.peers;
  const nsOnly = peers.some((x) => x.kind === 'selector' && x.namespaceSelector && !x.podSelector);
  const podOnly = peers.some((x) => x.kind === 'selector' && x.podSelector && !x.namespaceSelector);
  if (nsOnly && podOnly) {
    out.push({
      kind: 'separate-namespace-and-pod-peers',
      severity: 'info',
      subject: policy.id,
      field: `${field}.${PEERS_FIELD[direction]}`,
      message:
        `Rule ${direction}[${rule.index}] of NetworkPolicy ${policy.id} lists a namespaceSelector and a podSelector as two peers: ` +
        `they are ORed (every pod of those namespaces, or those pods of ${policy.namespace}). ` +
        `If you meant "those pods in those namespaces", put both selectors in one peer.`,
    });
  }
}

function namespaceFindings(input: FindingsInput, name: string, out: Finding[]): void {
  if (!(input.presentByNamespace.get(name)! > 0)) return;
  const policies = input.policiesOfNamespace.get(name) ?? [];
  for (const direction of ['ingress', 'egress'] as const) {
    if (policies.some((pi) => isDefaultDeny(input.cluster.policies[pi]!, direction))) continue;
    out.push({
      kind: 'namespace-without-default-deny',
      severity: direction === 'ingress' ? 'warning' : 'info',
      subject: name,
      direction,
      message: `Namespace ${name} has no default-deny ${direction} policy (podSelector: {} with ${direction === 'ingress' ? 'Ingress' : 'Egress'} in policyTypes): pods no other policy selects are open for ${direction}.`,
    });
  }
}

/** A policy selecting every pod of its namespace that isolates the direction without opening it to everyone. */
function isDefaultDeny(p: NetworkPolicy, direction: Direction): boolean {
  const selectsAll = Object.keys(p.podSelector.matchLabels).length === 0 && p.podSelector.matchExpressions.length === 0;
  return selectsAll && p.policyTypes[direction] && !p[direction].some((r) => r.peers.length === 0 && r.ports.length === 0);
}

function unresolvedNamedPorts(policy: NetworkPolicy, direction: Direction, rule: CompiledRule, input: FindingsInput, field: string, out: Finding[]): void {
  if (!rule.hasNamedPorts) return;
  const { classes } = input;
  // Named ports resolve on the destination: the selected pods for ingress, the peers for egress.
  // Distinct named-port lists are few, so test those rather than every class.
  const lists = new Set<number>();
  if (direction === 'egress' && rule.allPods) {
    for (const [id, n] of input.presentByNamedPorts) if (n > 0) lists.add(id);
  } else {
    for (const c of direction === 'ingress' ? input.selected[rule.policy]! : rule.classes) if (input.present[c] === 1) lists.add(classes.classes[c]!.namedPorts);
  }
  policy[direction][rule.index]!.ports.forEach((port, j) => {
    if (typeof port.port !== 'string') return;
    const resolves = [...lists].some((id) => classes.namedPorts[id]!.some((cp) => cp.name === port.port && cp.protocol === port.protocol));
    if (resolves) return;
    out.push({
      kind: 'named-port-unresolved',
      severity: 'warning',
      subject: policy.id,
      field: `${field}.ports[${j}].port`,
      message: `Named port "${port.port}"/${port.protocol} in NetworkPolicy ${policy.id} matches no container port of any ${direction === 'ingress' ? 'selected pod' : 'destination pod'}: this entry allows nothing.`,
    });
  });
}
