// Compiles every NetworkPolicy rule of one direction into: which classes and atoms its peers
// match, and which ports it opens toward a destination with given named ports.
import { PortSet } from '../model/port-set.ts';
import type { ContainerPort, NetworkPolicy, PolicyPort, Rule } from '../model/types.ts';
import type { ClassSet } from './classes.ts';
import { ipBlockRanges, type IpPartition } from './ip-partition.ts';
import type { PortTable } from './port-table.ts';
import type { Selection } from './selection.ts';

export type Direction = 'ingress' | 'egress';

export interface CompiledRule {
  policy: number;
  /** Index of the rule in the policy's list for this direction. */
  index: number;
  /** Peers match every pod (no peers, or an all-namespaces all-pods peer). */
  allPods: boolean;
  /** Peers match every address outside the cluster (no peers). */
  allExternal: boolean;
  /** Matched classes, sorted, when not allPods. */
  classes: number[];
  /** Matched atoms of this direction's peer partition, sorted, when not allExternal. */
  atoms: number[];
  /** Port set id opened toward a destination with these named ports (-1 = outside the cluster). */
  ports(namedPorts: number): number;
  hasNamedPorts: boolean;
}

export interface RuleContext {
  policies: readonly NetworkPolicy[];
  classes: ClassSet;
  selection: Selection;
  ports: PortTable;
  /** Partition of the peers' side: source atoms for ingress rules, destination atoms for egress. */
  peerPartition: IpPartition;
  /** Whole-space partition used for pod IPs, or null when ipBlocks do not match pods. */
  podPartition: IpPartition | null;
  /** Classes holding each atom of podPartition. */
  classesByPodAtom: Map<number, number[]>;
  /** Peer matches of rules already compiled over the same classes, namespaces and partitions. */
  matchCache?: WeakMap<Rule, RuleMatch>;
}

/** What a rule's peers match: the part of compilation that only depends on classes and namespaces. */
export interface RuleMatch {
  allPods: boolean;
  allExternal: boolean;
  classes: number[];
  atoms: number[];
}

export function compileRules(direction: Direction, ctx: RuleContext): CompiledRule[] {
  const out: CompiledRule[] = [];
  ctx.policies.forEach((policy, policyIndex) => {
    if (!policy.policyTypes[direction]) return;
    policy[direction].forEach((rule, index) => out.push(compileRule(policy, policyIndex, rule, index, ctx)));
  });
  return out;
}

function matchPeers(policy: NetworkPolicy, rule: Rule, ctx: RuleContext): RuleMatch {
  const classes = new Set<number>();
  const atoms = new Set<number>();
  let allPods = rule.peers.length === 0;
  const allExternal = rule.peers.length === 0;
  for (const peer of rule.peers) {
    if (peer.kind === 'selector') {
      const nsSel = peer.namespaceSelector;
      const podSel = peer.podSelector;
      const everyNamespace = nsSel && Object.keys(nsSel.matchLabels).length === 0 && nsSel.matchExpressions.length === 0;
      const everyPod = !podSel || (Object.keys(podSel.matchLabels).length === 0 && podSel.matchExpressions.length === 0);
      if (everyNamespace && everyPod) {
        allPods = true;
        continue;
      }
      if (!nsSel) {
        for (const c of ctx.selection.classesMatching(policy.namespace, podSel)) classes.add(c);
      } else if (everyPod) {
        for (const ns of ctx.selection.namespacesMatching(nsSel)) for (const c of ctx.selection.classesMatching(ns, undefined)) classes.add(c);
      } else {
        // Select pods once across the cluster, then keep those in matching namespaces.
        const namespaces = ctx.selection.namespaceSet(nsSel);
        for (const c of ctx.selection.classesMatchingEverywhere(podSel!)) {
          if (namespaces.has(ctx.classes.classes[c]!.namespace)) classes.add(c);
        }
      }
    } else {
      const ranges = ipBlockRanges(peer.ipBlock);
      for (const a of ctx.peerPartition.covered(ranges)) atoms.add(a);
      if (ctx.podPartition) {
        for (const a of ctx.podPartition.covered(ranges)) {
          for (const c of ctx.classesByPodAtom.get(a) ?? []) classes.add(c);
        }
      }
    }
  }
  return {
    allPods,
    allExternal,
    classes: allPods ? [] : [...classes].sort((a, b) => a - b),
    atoms: allExternal ? [] : [...atoms].sort((a, b) => a - b),
  };
}

function compileRule(policy: NetworkPolicy, policyIndex: number, rule: Rule, index: number, ctx: RuleContext): CompiledRule {
  let match = ctx.matchCache?.get(rule);
  if (!match) {
    match = matchPeers(policy, rule, ctx);
    ctx.matchCache?.set(rule, match);
  }
  const { allPods, allExternal, classes, atoms } = match;
  const hasNamedPorts = rule.ports.some((p) => typeof p.port === 'string');
  const fixed = hasNamedPorts ? -1 : ctx.ports.id(portsOf(rule.ports, []));
  const byNamedPorts = new Map<number, number>();
  return {
    policy: policyIndex,
    index,
    allPods,
    allExternal,
    classes,
    atoms,
    hasNamedPorts,
    ports(namedPorts: number): number {
      if (fixed >= 0) return fixed;
      let id = byNamedPorts.get(namedPorts);
      if (id === undefined) {
        const container = namedPorts < 0 ? [] : ctx.classes.namedPorts[namedPorts]!;
        id = ctx.ports.id(portsOf(rule.ports, container));
        byNamedPorts.set(namedPorts, id);
      }
      return id;
    },
  };
}

/** semantics.md rules 18-20: what a rule's `ports` opens on a destination with these container ports. */
export function portsOf(ports: readonly PolicyPort[], container: readonly ContainerPort[]): PortSet {
  if (ports.length === 0) return PortSet.ALL;
  let set = PortSet.EMPTY;
  for (const p of ports) {
    if (p.port === undefined) set = set.union(PortSet.protocol(p.protocol));
    else if (typeof p.port === 'number') set = set.union(PortSet.range(p.protocol, p.port, p.endPort ?? p.port));
    else {
      for (const c of container) {
        if (c.name === p.port && c.protocol === p.protocol) set = set.union(PortSet.range(c.protocol, c.port, c.port));
      }
    }
  }
  return set;
}
