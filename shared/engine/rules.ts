// Compiles every NetworkPolicy rule of one direction into: which classes and atoms its peers
// match, and which ports it opens toward a destination with given named ports.
import { PortSet } from '../model/port-set.ts';
import type { IpRange } from '../model/ip.ts';
import type { ContainerPort, LabelSelector, NetworkPolicy, PolicyPort, Rule } from '../model/types.ts';
import type { ClassSet } from './classes.ts';
import { ipBlockRanges, type IpPartition } from './ip-partition.ts';
import type { PortTable } from './port-table.ts';
import type { Selection } from './selection.ts';
import { sortedIds } from './sorted.ts';

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

/** What matching peers needs: classes, namespaces and the address partitions. */
export interface MatchContext {
  classes: ClassSet;
  selection: Selection;
  ports: PortTable;
  /** Partition of the peers' side: source atoms for ingress rules, destination atoms for egress. */
  peerPartition: IpPartition;
  /** Whole-space partition used for pod IPs, or null when ipBlocks do not match pods. */
  podPartition: IpPartition | null;
  /** Classes holding each atom of podPartition. */
  classesByPodAtom: Map<number, number[]>;
}

export interface RuleContext extends MatchContext {
  policies: readonly NetworkPolicy[];
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

function isEmptySelector(selector: LabelSelector): boolean {
  return Object.keys(selector.matchLabels).length === 0 && selector.matchExpressions.length === 0;
}

/**
 * Adds the classes a selector pair matches: `namespaceSelector` undefined = only `ownNamespace`,
 * `podSelector` undefined = every pod. True (and nothing added) when that is every pod.
 */
export function addSelectorMatches(
  ctx: MatchContext,
  ownNamespace: string,
  nsSel: LabelSelector | undefined,
  podSel: LabelSelector | undefined,
  classes: Set<number>,
): boolean {
  const everyPod = !podSel || isEmptySelector(podSel);
  if (nsSel && isEmptySelector(nsSel) && everyPod) return true;
  if (!nsSel) {
    for (const c of ctx.selection.classesMatching(ownNamespace, podSel)) classes.add(c);
  } else if (everyPod) {
    for (const ns of ctx.selection.namespacesMatching(nsSel)) for (const c of ctx.selection.classesMatching(ns, undefined)) classes.add(c);
  } else {
    // Select pods once across the cluster, then keep those in matching namespaces.
    const namespaces = ctx.selection.namespaceSet(nsSel);
    for (const c of ctx.selection.classesMatchingEverywhere(podSel!)) {
      if (namespaces.has(ctx.classes.classes[c]!.namespace)) classes.add(c);
    }
  }
  return false;
}

/** Adds the peer atoms these address ranges cover, and the classes whose pod IPs they cover (when ipBlocks match pods). */
export function addRangeMatches(ctx: MatchContext, ranges: readonly IpRange[], atoms: Set<number>, classes: Set<number>): void {
  for (const a of ctx.peerPartition.covered(ranges)) atoms.add(a);
  if (ctx.podPartition) {
    for (const a of ctx.podPartition.covered(ranges)) {
      for (const c of ctx.classesByPodAtom.get(a) ?? []) classes.add(c);
    }
  }
}

function matchPeers(policy: NetworkPolicy, rule: Rule, ctx: RuleContext): RuleMatch {
  const classes = new Set<number>();
  const atoms = new Set<number>();
  let allPods = rule.peers.length === 0;
  const allExternal = rule.peers.length === 0;
  for (const peer of rule.peers) {
    if (peer.kind === 'selector') {
      if (addSelectorMatches(ctx, policy.namespace, peer.namespaceSelector, peer.podSelector, classes)) allPods = true;
    } else {
      addRangeMatches(ctx, ipBlockRanges(peer.ipBlock), atoms, classes);
    }
  }
  return {
    allPods,
    allExternal,
    classes: allPods ? [] : sortedIds(classes),
    atoms: allExternal ? [] : sortedIds(atoms),
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
  return {
    policy: policyIndex,
    index,
    allPods,
    allExternal,
    classes,
    atoms,
    hasNamedPorts,
    ports: portsByDestination(ctx, hasNamedPorts, (container) => portsOf(rule.ports, container)),
  };
}

/**
 * A rule's port-set id toward a destination with a given named-ports id (-1 outside the
 * cluster): fixed when the rule names no port, else resolved once per named-port list.
 */
export function portsByDestination(ctx: MatchContext, hasNamedPorts: boolean, resolve: (container: readonly ContainerPort[]) => PortSet): (namedPorts: number) => number {
  if (!hasNamedPorts) {
    const fixed = ctx.ports.id(resolve([]));
    return () => fixed;
  }
  const byNamedPorts = new Map<number, number>();
  return (namedPorts) => {
    let id = byNamedPorts.get(namedPorts);
    if (id === undefined) {
      id = ctx.ports.id(resolve(namedPorts < 0 ? [] : ctx.classes.namedPorts[namedPorts]!));
      byNamedPorts.set(namedPorts, id);
    }
    return id;
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
