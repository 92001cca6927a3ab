// Findings about policies and namespaces (semantics.md, "Findings the product must name").
// Unprotected pods are not listed here: they are the per-pod isolation flags.
import { compareText } from '../model/order.ts';
import type { Cluster, NetworkPolicy } from '../model/types.ts';
import type { Finding } from './analysis.ts';
import type { ClassSet } from './classes.ts';
import type { CompiledRule, Direction } from './rules.ts';

export interface FindingsInput {
  cluster: Cluster;
  classes: ClassSet;
  /** Classes each policy's podSelector selects. */
  selected: number[][];
  ingressRules: readonly CompiledRule[];
  egressRules: readonly CompiledRule[];
  /** Which classes have pods now (live mode keeps emptied classes); absent = all. */
  present?: Uint8Array;
}

const PEERS_FIELD: Record<Direction, string> = { ingress: 'from', egress: 'to' };

/** Limits the work to these policies (by index) and namespaces (for incremental updates). */
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

export function computeFindings(input: FindingsInput, scope?: FindingsScope): Finding[] {
  const { cluster, classes, selected } = input;
  const here = (c: number) => !input.present || input.present[c] === 1;
  const out: Finding[] = [];
  cluster.policies.forEach((p, pi) => {
    if (scope && !scope.policies.has(pi)) return;
    if (!selected[pi]!.some(here)) {
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
  });

  // Named-port lists of the classes that have pods (rules to every pod resolve against all of them).
  const presentNamedPorts = new Set<number>();
  classes.classes.forEach((c, id) => here(id) && presentNamedPorts.add(c.namedPorts));
  for (const [direction, rules] of [['ingress', input.ingressRules], ['egress', input.egressRules]] as const) {
    for (const rule of rules) {
      if (scope && !scope.policies.has(rule.policy)) continue;
      const policy = cluster.policies[rule.policy]!;
      const field = `spec.${direction}[${rule.index}]`;
      const source = policy[direction][rule.index]!;
      if (source.peers.length > 0 && !rule.allPods && !rule.classes.some(here) && rule.atoms.length === 0) {
        out.push({
          kind: 'rule-peers-match-nothing',
          severity: 'warning',
          subject: policy.id,
          field: `${field}.${PEERS_FIELD[direction]}`,
          message: `Rule ${direction}[${rule.index}] of NetworkPolicy ${policy.id}: no pod or address matches its peers, so it allows nothing.`,
        });
      }
      unresolvedNamedPorts(policy, direction, rule, input, field, out, presentNamedPorts);
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
  }

  const populated = new Set(classes.classes.filter((_, c) => here(c)).map((c) => c.namespace));
  const denied = { ingress: new Set<string>(), egress: new Set<string>() };
  for (const p of cluster.policies) {
    for (const direction of ['ingress', 'egress'] as const) if (isDefaultDeny(p, direction)) denied[direction].add(p.namespace);
  }
  for (const ns of cluster.namespaces) {
    if (!populated.has(ns.name) || (scope && !scope.namespaces.has(ns.name))) continue;
    for (const direction of ['ingress', 'egress'] as const) {
      if (denied[direction].has(ns.name)) continue;
      out.push({
        kind: 'namespace-without-default-deny',
        severity: direction === 'ingress' ? 'warning' : 'info',
        subject: ns.name,
        direction,
        message: `Namespace ${ns.name} has no default-deny ${direction} policy (podSelector: {} with ${direction === 'ingress' ? 'Ingress' : 'Egress'} in policyTypes): pods no other policy selects are open for ${direction}.`,
      });
    }
  }
  return sortFindings(out);
}

/** A policy selecting every pod of its namespace that isolates the direction without opening it to everyone. */
function isDefaultDeny(p: NetworkPolicy, direction: Direction): boolean {
  const selectsAll = Object.keys(p.podSelector.matchLabels).length === 0 && p.podSelector.matchExpressions.length === 0;
  return selectsAll && p.policyTypes[direction] && !p[direction].some((r) => r.peers.length === 0 && r.ports.length === 0);
}

function unresolvedNamedPorts(
  policy: NetworkPolicy,
  direction: Direction,
  rule: CompiledRule,
  input: FindingsInput,
  field: string,
  out: Finding[],
  presentNamedPorts: ReadonlySet<number>,
): void {
  if (!rule.hasNamedPorts) return;
  const { classes } = input;
  // Named ports resolve on the destination: the selected pods for ingress, the peers for egress.
  // Distinct named-port lists are few, so test those rather than every class.
  const lists = new Set<number>();
  const here = (c: number) => !input.present || input.present[c] === 1;
  if (direction === 'egress' && rule.allPods) for (const id of presentNamedPorts) lists.add(id);
  else for (const c of direction === 'ingress' ? input.selected[rule.policy]! : rule.classes) if (here(c)) lists.add(classes.classes[c]!.namedPorts);
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
