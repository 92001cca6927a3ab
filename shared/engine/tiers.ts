// The admin tiers around the NetworkPolicy tier (semantics.md, last section): per direction and
// per port, the AdminNetworkPolicies by priority (first match: Allow, Deny or Pass), then — for
// what they pass or leave — the NetworkPolicies when one isolates the subject, else the
// BaselineAdminNetworkPolicy (first match: Allow or Deny), else allowed.
//
// Subjects (the pod whose side it is) are grouped by the admin policies selecting them, peers
// (classes and address atoms) by profile: the admin rules whose peers match them, as the engine
// groups them for NetworkPolicies. Each direction (admin-direction.ts) then decides per (subject
// key, profile) on first use. This file builds the groups and profiles, and places new classes.
import type { Cluster, AdminPodSet, Namespace } from '../model/types.ts';
import { selectorMatches } from '../policy/selector.ts';
import { AdminDirection } from './admin-direction.ts';
import { adminPoliciesOf, compileAdminRules, PodSets, subjectClasses, type AdminPolicy } from './admin-rules.ts';
import type { PodClass } from './classes.ts';
import { DirectionTables } from './direction-tables.ts';
import { cidrRanges, type IpPartition } from './ip-partition.ts';
import type { PortTable } from './port-table.ts';
import type { Direction, MatchContext } from './rules.ts';

export class AdminTiers {
  readonly policies: AdminPolicy[];
  /** Classes each policy's subject selects. */
  subjects: number[][];
  ingress: AdminDirection;
  egress: AdminDirection;

  constructor(
    cluster: Cluster,
    classes: readonly PodClass[],
    context: Record<Direction, MatchContext>,
    portTable: PortTable,
    /** Whole-space partition of pod IPs (when `networks` match pods), to place new classes. */
    private readonly podPartition: IpPartition | null,
  ) {
    this.policies = adminPoliciesOf(cluster);
    const podSets = new PodSets(context.egress);
    this.subjects = this.policies.map((p) => subjectClasses(p, podSets, classes.length));
    const namedPorts = classes.map((c) => c.namedPorts);
    const build = (direction: Direction): AdminDirection => {
      const t = new DirectionTables(compileAdminRules(this.policies, direction, context[direction], podSets), classes.length, context[direction].peerPartition.atoms.length);
      t.assignGroups(this.subjects.map((selected, pi) => (this.policies[pi]![direction].length > 0 ? selected : null)));
      t.assignProfiles(context[direction].classes, direction === 'egress');
      return new AdminDirection(t, this.policies, portTable, direction === 'egress', namedPorts);
    };
    this.ingress = build('ingress');
    this.egress = build('egress');
  }

  /** A copy with room for more classes, sharing what only grows (as DirectionTables.withClassCapacity). */
  withClassCapacity(classCount: number): AdminTiers {
    const copy = Object.create(AdminTiers.prototype) as AdminTiers;
    return Object.assign(copy, this, {
      subjects: [...this.subjects],
      ingress: this.ingress.withClassCapacity(classCount),
      egress: this.egress.withClassCapacity(classCount),
    });
  }

  /**
   * Places a new class (live mode): its groups, profiles and subject keys; rules and subjects that
   * match it list it. Decisions stay valid: they depend on groups and profiles only.
   */
  placeClass(c: number, cls: PodClass, namespace: Namespace): void {
    const inPodSet = (set: AdminPodSet) => selectorMatches(set.namespaceSelector, namespace.labels) && (!set.podSelector || selectorMatches(set.podSelector, cls.labels));
    const selecting = this.policies.flatMap((p, pi) => (inPodSet(p.subject) ? [pi] : []));
    for (const pi of selecting) this.subjects[pi] = [...this.subjects[pi]!, c];
    for (const direction of ['ingress', 'egress'] as const) {
      const side = this[direction];
      const t = side.tables;
      const applying = selecting.filter((pi) => this.policies[pi]![direction].length > 0);
      t.groupOfClass[c] = applying.length === 0 ? 0 : t.internGroup(applying);
      const matched: number[] = [];
      t.rules.forEach((rule, r) => {
        if (rule.allPods) return;
        const hit = this.policies[rule.policy]![direction][rule.index]!.peers.some((peer) =>
          peer.kind === 'pods' ? inPodSet(peer) : this.podPartition !== null && this.podPartition.covered(cidrRanges(peer.cidrs)).some((a) => cls.atoms.includes(a)),
        );
        if (!hit) return;
        matched.push(r);
        t.rules[r] = { ...rule, classes: [...rule.classes, c] };
      });
      t.profileOfClass[c] = t.internProfile(matched, direction === 'egress' ? cls.namedPorts : 0, false);
      side.placeSubject(c, cls.namedPorts);
    }
  }

  /** Content descriptions of a class's admin positions, for the engine's signatures (each group and profile described once). */
  describe(tag: (id: string) => string): { group: (direction: Direction, c: number) => string; profile: (direction: Direction, c: number) => string; atom: (direction: Direction, atom: number) => string } {
    const policyTag = (pi: number) => tag(`${this.policies[pi]!.kind}/${this.policies[pi]!.name}`);
    const texts = { ingress: { groups: [] as string[], profiles: [] as string[] }, egress: { groups: [] as string[], profiles: [] as string[] } };
    const group = (direction: Direction, g: number) => (texts[direction].groups[g] ??= this[direction].tables.groupPolicies[g]!.map(policyTag).join(','));
    const profile = (direction: Direction, p: number) => {
      const t = this[direction].tables;
      return (texts[direction].profiles[p] ??= t.profiles[p]!.rules.map((r) => `${policyTag(t.rules[r]!.policy)}#${t.rules[r]!.index}`).join(','));
    };
    return {
      group: (direction, c) => group(direction, this[direction].tables.groupOfClass[c]!),
      profile: (direction, c) => profile(direction, this[direction].tables.profileOfClass[c]!),
      atom: (direction, atom) => profile(direction, this[direction].tables.profileOfAtom[atom]!),
    };
  }
}
