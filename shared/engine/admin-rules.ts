// Compiles the rules of the AdminNetworkPolicies and the BaselineAdminNetworkPolicy as rules.ts
// compiles NetworkPolicy rules (which classes and atoms the peers match, which ports they name on
// a destination), keeping each rule's action and tier; and finds the classes each subject selects.
import { PortSet } from '../model/port-set.ts';
import type { AdminAction, AdminNetworkPolicy, AdminPodSet, AdminPort, BaselineAdminNetworkPolicy, Cluster, ContainerPort } from '../model/types.ts';
import { selectorKey } from '../policy/selector.ts';
import { cidrRanges } from './ip-partition.ts';
import { addRangeMatches, addSelectorMatches, portsByDestination, type CompiledRule, type Direction, type MatchContext } from './rules.ts';
import { sortedIds } from './sorted.ts';

export type AdminPolicy = AdminNetworkPolicy | BaselineAdminNetworkPolicy;
export type AdminTierName = 'anp' | 'banp';

export interface CompiledAdminRule extends CompiledRule {
  action: AdminAction;
  tier: AdminTierName;
}

/** The admin policies in evaluation order: the AdminNetworkPolicies (already by priority), then the baseline. */
export function adminPoliciesOf(cluster: Cluster): AdminPolicy[] {
  return cluster.baselineAdminPolicy ? [...cluster.adminPolicies, cluster.baselineAdminPolicy] : [...cluster.adminPolicies];
}

function tierOf(policy: AdminPolicy): AdminTierName {
  return policy.kind === 'AdminNetworkPolicy' ? 'anp' : 'banp';
}

/**
 * The classes of admin pod sets (subjects, `namespaces` and `pods` peers), sorted, or null for
 * every pod; memoized by selector text, since admin policies repeat the same sets.
 */
export class PodSets {
  private readonly memo = new Map<string, number[] | null>();

  constructor(private readonly ctx: MatchContext) {}

  classes(set: AdminPodSet): number[] | null {
    const key = `${selectorKey(set.namespaceSelector)}|${set.podSelector ? selectorKey(set.podSelector) : '*'}`;
    let out = this.memo.get(key);
    if (out === undefined) {
      const classes = new Set<number>();
      out = addSelectorMatches(this.ctx, '', set.namespaceSelector, set.podSelector, classes) ? null : sortedIds(classes);
      this.memo.set(key, out);
    }
    return out;
  }
}

/** The classes a policy's subject selects, sorted. */
export function subjectClasses(policy: AdminPolicy, podSets: PodSets, classCount: number): number[] {
  return podSets.classes(policy.subject) ?? Array.from({ length: classCount }, (_, c) => c);
}

/** Rule ids follow the policies' evaluation order, then the written order: a group's rules are in evaluation order. */
export function compileAdminRules(policies: readonly AdminPolicy[], direction: Direction, ctx: MatchContext, podSets: PodSets): CompiledAdminRule[] {
  const out: CompiledAdminRule[] = [];
  // `networks` peers repeat too: their atoms and (when they match pod IPs) classes, by CIDR list.
  const networks = new Map<string, { atoms: number[]; classes: number[] }>();
  const networkMatches = (cidrs: readonly string[]) => {
    const key = cidrs.join(',');
    let found = networks.get(key);
    if (!found) {
      const atoms = new Set<number>();
      const classes = new Set<number>();
      addRangeMatches(ctx, cidrRanges(cidrs), atoms, classes);
      found = { atoms: sortedIds(atoms), classes: sortedIds(classes) };
      networks.set(key, found);
    }
    return found;
  };
  policies.forEach((policy, policyIndex) => {
    policy[direction].forEach((rule, index) => {
      const lists: number[][] = [];
      const atomLists: number[][] = [];
      let allPods = false;
      for (const peer of rule.peers) {
        if (peer.kind === 'networks') {
          const matched = networkMatches(peer.cidrs);
          atomLists.push(matched.atoms);
          if (matched.classes.length > 0) lists.push(matched.classes);
        } else {
          const classes = podSets.classes(peer);
          if (classes) lists.push(classes);
          else allPods = true;
        }
      }
      // A single list keeps its memoized array (rules' lists are replaced, never changed).
      const union = (parts: number[][]) => (parts.length === 0 ? [] : parts.length === 1 ? parts[0]! : sortedIds(new Set(parts.flat())));
      const classes = allPods ? [] : union(lists);
      const atoms = union(atomLists);
      const hasNamedPorts = rule.ports.some((p) => p.kind === 'named');
      out.push({
        policy: policyIndex,
        index,
        action: rule.action,
        tier: tierOf(policy),
        allPods,
        // Admin peers are never "everyone": `networks` name their ranges, which are atoms.
        allExternal: false,
        classes,
        atoms,
        hasNamedPorts,
        ports: portsByDestination(ctx, hasNamedPorts, (container) => adminPortsOf(rule.ports, container)),
      });
    });
  });
  return out;
}

/** The ports a rule names on a destination with these container ports; a named port matches by name, whatever its protocol. */
export function adminPortsOf(ports: readonly AdminPort[], container: readonly ContainerPort[]): PortSet {
  if (ports.length === 0) return PortSet.ALL;
  let set = PortSet.EMPTY;
  for (const p of ports) {
    if (p.kind === 'range') set = set.union(PortSet.range(p.protocol, p.port, p.endPort));
    else for (const c of container) if (c.name === p.name) set = set.union(PortSet.range(c.protocol, c.port, c.port));
  }
  return set;
}
