// The class-based engine. Work is done per pod class, per distinct selector and per distinct
// "profile"; a pod pair's answer is then two table look-ups and one memoized intersection, so no
// pods x pods (or classes x classes) table is ever stored.
//
// For src -> dst:   allowed = E(egressGroup(src), egressProfile(dst)) ∩ I(ingressTarget(dst), ingressProfile(src))
//   egressGroup    the policies isolating src for egress (0 = not isolated: E = all)
//   egressProfile  the egress rules whose peers match dst, and dst's named ports
//   ingressTarget  the policies isolating dst for ingress, and dst's named ports (0 = not isolated: I = all)
//   ingressProfile the ingress rules whose peers match src
// With admin policies each side also has an admin group and profile, and its tiers (tiers.ts)
// combine the admin decision with E (or I): still look-ups and memoized port-set algebra.
import { parseIp, type Family, type IpRange } from '../model/ip.ts';
import { formatRange } from '../model/ip.ts';
import { PortSet } from '../model/port-set.ts';
import { DEFAULT_OPTIONS, type AnalysisOptions, type Cluster, type Labels, type Namespace, type NetworkPolicy, type Pod, type Protocol, type Rule } from '../model/types.ts';
import { selectorMatches } from '../policy/selector.ts';
import {
  ADMIN_FINDING_KINDS,
  compareRuleRefs,
  type Analysis,
  type Connection,
  type DirectionExplanation,
  type DirectionReason,
  type EndpointRef,
  type Explanation,
  type ExternalRange,
  type Finding,
  type Isolation,
  type RuleRef,
} from './analysis.ts';
import { adminPoliciesOf } from './admin-rules.ts';
import { buildClasses, ClassKeyer, type ClassSet, type PodClass } from './classes.ts';
import { computeFindings, sameFindings, sortFindings, type FindingsInput } from './findings.ts';
import { cidrRanges, ipBlockRanges, IpPartition } from './ip-partition.ts';
import { PeerCandidates } from './peer-candidates.ts';
import { PortTable } from './port-table.ts';
import { DirectionTables, type Profile } from './direction-tables.ts';
import { compileRules, type Direction, type RuleMatch } from './rules.ts';
import { Selection } from './selection.ts';
import { binaryHas } from './sorted.ts';
import { AdminTiers } from './tiers.ts';

/** Table keys are `row * KEY_SPACE + profile`: independent of how many profiles exist, so profiles can be added. */
const KEY_SPACE = 0x400000;

/** One side's resolved position in the tables. */
interface SourceKey {
  egressGroup: number;
  ingressProfile: number;
  /** Admin subject key for egress and admin profile as an ingress peer (0 without admin policies). */
  egressAdmin: number;
  ingressAdminPeer: number;
}
interface DestinationKey {
  ingressTarget: number;
  egressProfile: number;
  /** Named-ports id of the destination, -1 outside the cluster. */
  namedPorts: number;
  ingressAdmin: number;
  egressAdminPeer: number;
}

export interface EngineStats {
  pods: number;
  excludedPods: number;
  classes: number;
  policies: number;
  rules: { ingress: number; egress: number };
  groups: { ingress: number; egress: number };
  ingressTargets: number;
  profiles: { ingress: number; egress: number };
  tableEntries: { ingress: number; egress: number };
  keys: { source: number; destination: number };
  portSets: number;
  externals: number;
  /** With admin policies: how many, their rules, and the admin groups and profiles. */
  admin?: { policies: number; rules: { ingress: number; egress: number }; groups: { ingress: number; egress: number }; profiles: { ingress: number; egress: number } };
}

export class EngineAnalysis implements Analysis {
  readonly pods: readonly Pod[];
  readonly excludedPods: readonly Pod[];
  /** Whether some pod has an IPv6 address (then IPv6 external ranges exist). */
  private podsUseIpv6: boolean;
  readonly externals: ExternalRange[] = [];
  findings: readonly Finding[];
  stats: EngineStats;
  readonly portTable = new PortTable();
  classSet: ClassSet;

  /** Only when pods are not sorted by id (then podIndex cannot binary-search). */
  private podIndexById: Map<string, number> | null = null;
  private readonly sourcePartition: IpPartition;
  private readonly destinationPartition: IpPartition;
  private readonly sourceAtomOfExternal: number[] = [];
  private readonly destinationAtomOfExternal: number[] = [];
  private readonly externalOfSourceAtom: number[] = [];
  private readonly externalOfDestinationAtom: number[] = [];
  private egress: DirectionTables;
  private ingress: DirectionTables;
  /** Ingress targets: (ingress group, named ports); target 0 = not isolated. */
  private readonly targets: { group: number; namedPorts: number }[] = [{ group: 0, namedPorts: 0 }];
  private targetOfClass: Int32Array;
  private readonly targetIds = new Map<string, number>();
  private readonly sourceKeyIds = new Map<string, number>();
  private readonly destinationKeyIds = new Map<string, number>();
  /** Classes each policy's podSelector selects. */
  private selectedClasses: number[][];
  private readonly podPartition: IpPartition | null;
  /** Pods per class, and 1 for classes that have pods (live mode keeps classes whose pods are gone). */
  private podsOfClass: Int32Array;
  private present: Uint8Array;
  /** Classes with pods per named-port list and per namespace (replaced, never changed, when classes come and go). */
  private presentByNamedPorts = new Map<number, number>();
  private presentByNamespace = new Map<string, number>();
  /** Policy indexes by namespace. */
  private readonly policiesOfNamespace = new Map<string, number[]>();
  /** Rules whose peers may match a class, by its namespace and atoms: built on first need, shared along a chain of rebased analyses. */
  private peerCandidates: Record<Direction, PeerCandidates> | null = null;
  /** False once classes were added incrementally: later analyses must not reuse the shared caches. */
  private reusable = true;
  private readonly egressTable = new Map<number, number>();
  private readonly ingressTable = new Map<number, number>();
  private readonly egressUniversal = new Map<number, number>();
  private readonly ingressUniversal = new Map<number, number>();

  private readonly partitionsText: string;
  private readonly matchCaches: { ingress: WeakMap<Rule, RuleMatch>; egress: WeakMap<Rule, RuleMatch> };
  /** Selector results over this analysis's classes, shared with later analyses of the same classes. */
  private readonly selection: Selection;
  /** The AdminNetworkPolicy and baseline tiers; null when the cluster has no admin policy. */
  private admin: AdminTiers | null;

  /** `previous`: an analysis of a similar cluster whose class-level work may be reused (live mode). */
  constructor(
    readonly cluster: Cluster,
    readonly options: AnalysisOptions,
    previous?: EngineAnalysis,
  ) {
    const ports = this.portTable;
    this.pods = cluster.pods.filter((p) => p.exclusion === null);
    this.excludedPods = cluster.pods.filter((p) => p.exclusion !== null);
    if (!sortedById(this.pods)) this.podIndexById = new Map(this.pods.map((p, i) => [p.id, i]));
    const policies = cluster.policies;

    // Address partitions: peers of ingress rules are sources, peers of egress rules destinations
    // (cut by every rule whatever policyTypes says: extra cuts only split ranges).
    const sourceCuts: IpRange[] = [];
    const destinationCuts: IpRange[] = [];
    for (const p of policies) {
      for (const [rules, cuts] of [[p.ingress, sourceCuts], [p.egress, destinationCuts]] as const) {
        for (const r of rules) for (const peer of r.peers) if (peer.kind === 'ipBlock') cuts.push(...ipBlockRanges(peer.ipBlock));
      }
    }
    // Admin `networks` peers (egress only) cut destinations the same way.
    const adminPolicies = adminPoliciesOf(cluster);
    for (const p of adminPolicies) for (const r of p.egress) for (const peer of r.peers) if (peer.kind === 'networks') destinationCuts.push(...cidrRanges(peer.cidrs));
    const families = new Set<Family>([4]);
    for (const r of [...sourceCuts, ...destinationCuts]) families.add(r.family);
    // IPv6 ranges outside the cluster matter once a policy or a pod uses IPv6.
    this.podsUseIpv6 = hasIpv6(this.pods);
    if (this.podsUseIpv6) families.add(6);
    this.sourcePartition = new IpPartition(sourceCuts, families);
    this.destinationPartition = new IpPartition(destinationCuts, families);
    const podPartition = options.ipBlockMatchesPods ? new IpPartition([...sourceCuts, ...destinationCuts], families) : null;
    this.buildExternals();

    // Classes depend on pods and on which label keys, port names and ipBlock cuts policies use:
    // when those are unchanged (a policy edit, a namespace label change), reuse them.
    const keyer = new ClassKeyer(policies, adminPolicies, podPartition);
    const reuse =
      previous !== undefined && previous.reusable && previous.classSet.keyer.signature === keyer.signature && sameElements(previous.pods, this.pods);
    const classSet = reuse ? previous.classSet : buildClasses(this.pods, keyer);
    this.classSet = classSet;
    const classCount = classSet.classes.length;
    const classesByPodAtom = new Map<number, number[]>();
    classSet.classes.forEach((c, id) => {
      for (const a of c.atoms) {
        const list = classesByPodAtom.get(a);
        if (list) list.push(id);
        else classesByPodAtom.set(a, [id]);
      }
    });
    const selection = reuse
      ? sameElements(previous.cluster.namespaces, cluster.namespaces)
        ? previous.selection
        : new Selection(classSet.classes, cluster.namespaces, previous.selection)
      : new Selection(classSet.classes, cluster.namespaces);
    this.selection = selection;
    const selected = policies.map((p) => [...selection.classesMatching(p.namespace, p.podSelector)]);
    this.selectedClasses = selected;
    this.podPartition = podPartition;

    // Rule peer matches depend on classes, namespaces and partitions only: reuse them while those hold.
    const partitions = `${atomsText(this.sourcePartition)}|${atomsText(this.destinationPartition)}`;
    const sameMatches = reuse && selection === previous.selection && previous.partitionsText === partitions;
    this.partitionsText = partitions;
    this.matchCaches = sameMatches ? previous.matchCaches : { ingress: new WeakMap(), egress: new WeakMap() };
    const context = { classes: classSet, selection, ports, podPartition, classesByPodAtom };
    const peers = { ingress: { ...context, peerPartition: this.sourcePartition }, egress: { ...context, peerPartition: this.destinationPartition } };
    const ingressRules = compileRules('ingress', { ...peers.ingress, policies, matchCache: this.matchCaches.ingress });
    const egressRules = compileRules('egress', { ...peers.egress, policies, matchCache: this.matchCaches.egress });
    this.admin = adminPolicies.length > 0 ? new AdminTiers(cluster, classSet.classes, peers, ports, podPartition) : null;
    this.ingress = new DirectionTables(ingressRules, classCount, this.sourcePartition.atoms.length);
    this.egress = new DirectionTables(egressRules, classCount, this.destinationPartition.atoms.length);

    for (const [direction, tables] of [['ingress', this.ingress], ['egress', this.egress]] as const) {
      // Groups: each class by the policies isolating it in this direction.
      tables.assignGroups(policies.map((p, pi) => (p.policyTypes[direction] ? selected[pi]! : null)));
      // Ingress profiles describe sources, whose named ports never matter; egress profiles describe destinations.
      tables.assignProfiles(classSet, direction === 'egress');
    }
    this.targetOfClass = new Int32Array(classCount);
    classSet.classes.forEach((c, id) => {
      this.targetOfClass[id] = this.internTarget(this.ingress.groupOfClass[id]!, c.namedPorts);
    });
    this.fillEgressTable();
    this.fillIngressTable();
    this.sourceKeyOfClass = new Int32Array(classCount);
    this.destinationKeyOfClass = new Int32Array(classCount);
    this.internClassKeys();

    this.podsOfClass = new Int32Array(classCount);
    for (const c of classSet.classOfPod) this.podsOfClass[c]!++;
    this.present = Uint8Array.from(this.podsOfClass, (n) => (n > 0 ? 1 : 0));
    const presentClasses = classSet.classes.flatMap((_, id) => (this.present[id] === 1 ? [id] : []));
    this.presentByNamedPorts = this.recount(new Map(), presentClasses, (c) => c.namedPorts);
    this.presentByNamespace = this.recount(new Map(), presentClasses, (c) => c.namespace);
    policies.forEach((p, pi) => {
      const list = this.policiesOfNamespace.get(p.namespace);
      if (list) list.push(pi);
      else this.policiesOfNamespace.set(p.namespace, [pi]);
    });
    this.findings = computeFindings(this.findingsInput());
    this.stats = {
      pods: this.pods.length,
      excludedPods: this.excludedPods.length,
      classes: classCount,
      policies: policies.length,
      rules: { ingress: ingressRules.length, egress: egressRules.length },
      groups: { ingress: this.ingress.groupRules.length - 1, egress: this.egress.groupRules.length - 1 },
      ingressTargets: this.targets.length - 1,
      profiles: { ingress: this.ingress.profiles.length, egress: this.egress.profiles.length },
      tableEntries: { ingress: this.ingressTable.size, egress: this.egressTable.size },
      keys: { source: this.sourceKeys.length, destination: this.destinationKeys.length },
      portSets: ports.size,
      externals: this.externals.length,
      ...(this.admin ? { admin: this.adminStats(this.admin) } : {}),
    };
  }

  private adminStats(admin: AdminTiers): NonNullable<EngineStats['admin']> {
    const both = <T,>(f: (d: Direction) => T) => ({ ingress: f('ingress'), egress: f('egress') });
    return {
      policies: admin.policies.length,
      rules: both((d) => admin[d].tables.rules.length),
      groups: both((d) => admin[d].tables.groupRules.length - 1),
      profiles: both((d) => admin[d].tables.profiles.length),
    };
  }

  /**
   * This analysis for another set of pods, with the same namespaces and policies: nothing at class
   * level is recomputed, and pods that fit no existing class get new ones. The cluster's pods are
   * sorted by id; `changedIds` names every pod added, removed or replaced since this analysis (every
   * other pod is the same object). Null when IPv6 appears or disappears (external ranges change) or
   * this analysis's pods are not sorted by id: then a full analysis is needed.
   */
  withPods(cluster: Cluster, changedIds: Iterable<string>, podsUseIpv6?: boolean): EngineAnalysis | null {
    if (this.podIndexById) return null;
    const previous = this.pods;
    const previousClass = this.classSet.classOfPod;
    const known = this.classSet.classes.length;
    const classIds = this.classSet.classIds;
    let addedIds = this.classSet.addedClassIds;
    const added: PodClass[] = [];
    // Each change: where the id sits among the previous pods, whether it was there, and its pod now.
    const changes = [...new Set(changedIds)].sort().map((id) => {
      const at = lowerBound(previous, id);
      const was = previous[at]?.id === id ? at : -1;
      const found = cluster.pods[lowerBound(cluster.pods, id)];
      const pod = found?.id === id && found.exclusion === null ? found : null;
      let c = -1;
      if (pod && was >= 0 && previous[was] === pod) c = previousClass[was]!;
      else if (pod) {
        const k = this.classSet.keyer.keyOf(pod);
        c = addedIds?.get(k.key) ?? classIds.get(k.key) ?? -1;
        if (c < 0) {
          if (addedIds === this.classSet.addedClassIds) addedIds = new Map(addedIds ?? []);
          c = known + added.length;
          added.push({ namespace: pod.namespace, labels: pod.labels, namedPorts: k.namedPorts, atoms: k.atoms });
          addedIds!.set(k.key, c);
        }
      }
      return { at, was, pod, c };
    });
    // The unchanged runs of pods are copied between the changes.
    const pods: Pod[] = [];
    const classOfPod = new Int32Array(previous.length + changes.reduce((n, ch) => n + (ch.pod ? 1 : 0) - (ch.was >= 0 ? 1 : 0), 0));
    let from = 0;
    const copyTo = (to: number) => {
      for (; from < to; from++) classOfPod[pods.push(previous[from]!) - 1] = previousClass[from]!;
    };
    for (const ch of changes) {
      copyTo(ch.at);
      if (ch.was >= 0) from++;
      if (ch.pod) classOfPod[pods.push(ch.pod) - 1] = ch.c;
    }
    copyTo(previous.length);
    if ((podsUseIpv6 ?? hasIpv6(pods)) !== this.podsUseIpv6) return null;

    // Only the classes of changed pods can gain or lose their last pod.
    const total = known + added.length;
    const podsOfClass = new Int32Array(total);
    podsOfClass.set(this.podsOfClass);
    const present = new Uint8Array(total);
    present.set(this.present);
    const touched = new Set<number>();
    const count = (c: number, by: number) => {
      podsOfClass[c]! += by;
      touched.add(c);
    };
    for (const ch of changes) {
      if (ch.was >= 0) count(previousClass[ch.was]!, -1);
      if (ch.pod) count(ch.c, 1);
    }
    const changed: number[] = [];
    for (const c of [...touched].sort((a, b) => a - b)) {
      present[c] = podsOfClass[c]! > 0 ? 1 : 0;
      if (c >= known || present[c] !== this.present[c]) changed.push(c);
    }
    const next = Object.create(EngineAnalysis.prototype) as EngineAnalysis;
    Object.assign(next, this, {
      cluster,
      pods,
      excludedPods: pods.length === cluster.pods.length ? [] : cluster.pods.filter((p) => p.exclusion !== null),
      classSet: { ...this.classSet, classOfPod, ...(addedIds ? { addedClassIds: addedIds } : {}) },
      podsOfClass,
      present,
      stats: { ...this.stats, pods: pods.length, excludedPods: cluster.pods.length - pods.length },
    });
    if (added.length > 0) next.addClasses(added);
    if (changed.length > 0) next.updateFindings(changed);
    return next;
  }

  /**
   * Places new classes into the existing groups, profiles and tables (creating the ones they need):
   * everything already computed stays valid, since a class only adds rows and columns.
   */
  private addClasses(added: PodClass[]): void {
    const from = this.classSet.classes.length;
    const total = from + added.length;
    // The shared selection caches do not know the new classes: later analyses must not reuse them.
    this.reusable = false;
    this.classSet = { ...this.classSet, classes: [...this.classSet.classes, ...added] };
    this.egress = this.egress.withClassCapacity(total);
    this.ingress = this.ingress.withClassCapacity(total);
    const admin = this.admin?.withClassCapacity(total) ?? null;
    this.admin = admin;
    const grow = (a: Int32Array) => {
      const b = new Int32Array(total);
      b.set(a);
      return b;
    };
    this.targetOfClass = grow(this.targetOfClass);
    this.sourceKeyOfClass = grow(this.sourceKeyOfClass);
    this.destinationKeyOfClass = grow(this.destinationKeyOfClass);
    // Copied on write below: most policies do not select the new classes.
    this.selectedClasses = [...this.selectedClasses];
    for (let c = from; c < total; c++) {
      const cls = this.classSet.classes[c]!;
      const namespace = this.namespaceNamed(cls.namespace);
      this.placeClass(c, namespace);
      admin?.placeClass(c, cls, namespace);
    }
    this.internClassKeys(from);
    this.stats = {
      ...this.stats,
      classes: total,
      groups: { ingress: this.ingress.groupRules.length - 1, egress: this.egress.groupRules.length - 1 },
      ingressTargets: this.targets.length - 1,
      profiles: { ingress: this.ingress.profiles.length, egress: this.egress.profiles.length },
      tableEntries: { ingress: this.ingressTable.size, egress: this.egressTable.size },
      keys: { source: this.sourceKeys.length, destination: this.destinationKeys.length },
      portSets: this.portTable.size,
      ...(admin ? { admin: this.adminStats(admin) } : {}),
    };
  }

  /**
   * Findings after classes appeared or lost (or regained) their pods: only policies that select or
   * match those classes (and egress rules to every pod with named ports, which may resolve
   * differently), and those classes' namespaces, can have changed. When none did, the findings
   * array stays the same object.
   */
  private updateFindings(changed: readonly number[]): void {
    const namedPortsBefore = this.presentByNamedPorts;
    this.presentByNamedPorts = this.recount(namedPortsBefore, changed, (c) => c.namedPorts);
    this.presentByNamespace = this.recount(this.presentByNamespace, changed, (c) => c.namespace);
    const touched = new Set<number>();
    const candidates = this.candidates();
    for (const c of changed) {
      const cls = this.classSet.classes[c]!;
      const namespace = this.namespaceNamed(cls.namespace);
      for (const pi of this.policiesOfNamespace.get(cls.namespace) ?? []) if (binaryHas(this.selectedClasses[pi]!, c)) touched.add(pi);
      for (const [direction, t] of [['ingress', this.ingress], ['egress', this.egress]] as const) {
        // Every rule whose peers match the class is among its candidates.
        const rules = [...candidates[direction].forNamespace(namespace), ...candidates[direction].forAtoms(cls.atoms)];
        for (const r of rules) if (binaryHas(t.rules[r]!.classes, c)) touched.add(t.rules[r]!.policy);
      }
    }
    // Egress rules to every pod resolve named ports on every pod: they change only when a named-port
    // list appears or disappears among the classes that have pods.
    const flipped = (list: number) => (namedPortsBefore.get(list) ?? 0) > 0 !== (this.presentByNamedPorts.get(list) ?? 0) > 0;
    if (changed.some((c) => flipped(this.classSet.classes[c]!.namedPorts))) {
      for (const rule of this.egress.rules) if (rule.allPods && rule.hasNamedPorts) touched.add(rule.policy);
    }
    const namespaces = new Set(changed.map((c) => this.classSet.classes[c]!.namespace));
    const touchedIds = new Set([...touched].map((pi) => this.cluster.policies[pi]!.id));
    const inScope = (f: Finding) =>
      ADMIN_FINDING_KINDS.includes(f.kind) || (f.kind === 'namespace-without-default-deny' ? namespaces.has(f.subject) : touchedIds.has(f.subject));
    const fresh = computeFindings(this.findingsInput(), { policies: touched, namespaces });
    if (sameFindings(this.findings.filter(inScope), fresh)) return;
    this.findings = sortFindings([...this.findings.filter((f) => !inScope(f)), ...fresh]);
  }

  /** Counts of classes with pods by some key, after these classes (new, or whose presence flipped) changed: a new map. */
  private recount<K>(counts: ReadonlyMap<K, number>, changed: readonly number[], keyOf: (c: PodClass) => K): Map<K, number> {
    const next = new Map(counts);
    for (const c of changed) {
      const key = keyOf(this.classSet.classes[c]!);
      next.set(key, (next.get(key) ?? 0) + (this.present[c] === 1 ? 1 : -1));
    }
    return next;
  }

  private findingsInput(): FindingsInput {
    return {
      cluster: this.cluster,
      classes: this.classSet,
      selected: this.selectedClasses,
      rules: { ingress: this.ingress.rules, egress: this.egress.rules },
      rulesOfPolicy: { ingress: this.ingress.rulesOfPolicy, egress: this.egress.rulesOfPolicy },
      policiesOfNamespace: this.policiesOfNamespace,
      present: this.present,
      presentByNamedPorts: this.presentByNamedPorts,
      presentByNamespace: this.presentByNamespace,
      ...(this.admin
        ? {
            admin: {
              admin: this.admin,
              classes: this.classSet,
              present: this.present,
              isolatedByPolicies: (direction: Direction, c: number) => (direction === 'ingress' ? this.ingress : this.egress).groupOfClass[c] !== 0,
              portTable: this.portTable,
            },
          }
        : {}),
    };
  }

  /** The rules that may match a new class, indexed once per chain of rebased analyses. */
  private candidates(): Record<Direction, PeerCandidates> {
    return (this.peerCandidates ??= {
      ingress: new PeerCandidates('ingress', this.ingress.rules, this.cluster.policies, this.podPartition),
      egress: new PeerCandidates('egress', this.egress.rules, this.cluster.policies, this.podPartition),
    });
  }

  /** A namespace of this cluster by name (every class's namespace is one). */
  private namespaceNamed(name: string): Namespace {
    return this.cluster.namespaces.find((n) => n.name === name) ?? { name, labels: {} };
  }

  private placeClass(c: number, namespace: Namespace): void {
    const cls = this.classSet.classes[c]!;
    const isolating: Record<Direction, number[]> = { ingress: [], egress: [] };
    for (const pi of this.policiesOfNamespace.get(cls.namespace) ?? []) {
      const p = this.cluster.policies[pi]!;
      if (!selectorMatches(p.podSelector, cls.labels)) continue;
      this.selectedClasses[pi] = [...this.selectedClasses[pi]!, c];
      if (p.policyTypes.ingress) isolating.ingress.push(pi);
      if (p.policyTypes.egress) isolating.egress.push(pi);
    }
    for (const [direction, t] of [['ingress', this.ingress], ['egress', this.egress]] as const) {
      const candidates = this.candidates()[direction];
      const bySelector = candidates.forNamespace(namespace).filter((r) => {
        const rule = t.rules[r]!;
        const policy = this.cluster.policies[rule.policy]!;
        return this.selectorPeersMatchClass(policy, policy[direction][rule.index]!, cls, namespace.labels);
      });
      const matched = [...new Set([...bySelector, ...candidates.forAtoms(cls.atoms)])].sort((a, b) => a - b);
      for (const r of matched) t.rules[r] = { ...t.rules[r]!, classes: [...t.rules[r]!.classes, c] };
      const groupsBefore = t.groupRules.length;
      const profilesBefore = t.profiles.length;
      const g = isolating[direction].length === 0 ? 0 : t.internGroup(isolating[direction]);
      const prof = t.internProfile(matched, direction === 'egress' ? cls.namedPorts : 0, false);
      t.groupOfClass[c] = g;
      t.profileOfClass[c] = prof;
      if (direction === 'egress') {
        if (g >= groupsBefore) {
          for (const r of t.groupRules[g]!) t.profiles.forEach((p, pid) => binaryHas(p.rules, r) && this.addEgressEntry(g, pid, r));
        }
        if (prof >= profilesBefore) {
          for (const r of matched) t.groupRules.forEach((rules, h) => h !== 0 && binaryHas(rules, r) && this.addEgressEntry(h, prof, r));
        }
      } else {
        const targetsBefore = this.targets.length;
        const target = this.internTarget(g, cls.namedPorts);
        this.targetOfClass[c] = target;
        if (target >= targetsBefore) {
          for (const r of t.groupRules[g]!) t.profiles.forEach((p, pid) => binaryHas(p.rules, r) && this.addIngressEntry(target, pid, r));
        }
        if (prof >= profilesBefore) {
          for (const r of matched) {
            this.targets.forEach((tg, tid) => tid !== 0 && binaryHas(t.groupRules[tg.group]!, r) && this.addIngressEntry(tid, prof, r));
          }
        }
      }
    }
  }

  /** Whether one of a rule's selector peers matches a class (ipBlock peers are found by PeerCandidates.forAtoms). */
  private selectorPeersMatchClass(policy: NetworkPolicy, rule: Rule, cls: PodClass, namespaceLabels: Labels): boolean {
    return rule.peers.some((peer) => {
      if (peer.kind !== 'selector') return false;
      const namespaceOk = peer.namespaceSelector ? selectorMatches(peer.namespaceSelector, namespaceLabels) : policy.namespace === cls.namespace;
      return namespaceOk && (!peer.podSelector || selectorMatches(peer.podSelector, cls.labels));
    });
  }

  private buildExternals(): void {
    const byText = new Map<string, number>();
    const add = (atoms: IpRange[], role: 'source' | 'destination') => {
      atoms.forEach((range, atom) => {
        const text = formatRange(range);
        let index = byText.get(text);
        if (index === undefined) {
          index = this.externals.length;
          this.externals.push({ id: `ip:${text}`, text, range, asSource: false, asDestination: false });
          this.sourceAtomOfExternal.push(-1);
          this.destinationAtomOfExternal.push(-1);
          byText.set(text, index);
        }
        if (role === 'source') {
          this.externals[index]!.asSource = true;
          this.sourceAtomOfExternal[index] = atom;
          this.externalOfSourceAtom[atom] = index;
        } else {
          this.externals[index]!.asDestination = true;
          this.destinationAtomOfExternal[index] = atom;
          this.externalOfDestinationAtom[atom] = index;
        }
      });
    };
    add(this.sourcePartition.atoms, 'source');
    add(this.destinationPartition.atoms, 'destination');
  }

  private fillEgressTable(): void {
    const t = this.egress;
    const groupsOfRule: number[][] = t.rules.map(() => []);
    t.groupRules.forEach((rules, g) => rules.forEach((r) => groupsOfRule[r]!.push(g)));
    t.profiles.forEach((profile, prof) => {
      for (const r of profile.rules) for (const g of groupsOfRule[r]!) this.addEgressEntry(g, prof, r);
    });
  }

  private fillIngressTable(): void {
    const t = this.ingress;
    const targetsOfRule: number[][] = t.rules.map(() => []);
    this.targets.forEach((target, id) => {
      if (id !== 0) for (const r of t.groupRules[target.group]!) targetsOfRule[r]!.push(id);
    });
    t.profiles.forEach((profile, prof) => {
      for (const r of profile.rules) for (const target of targetsOfRule[r]!) this.addIngressEntry(target, prof, r);
    });
  }

  /** Rule r (of group g) matches the destinations of profile prof: add what it opens there. */
  private addEgressEntry(g: number, prof: number, r: number): void {
    const key = g * KEY_SPACE + prof;
    const profile = this.egress.profiles[prof]!;
    const current = this.egressTable.get(key) ?? this.egressUniversalPorts(g, profile);
    this.egressTable.set(key, this.portTable.union(current, this.egress.rules[r]!.ports(profile.namedPorts)));
  }

  /** Rule r (of the target's group) matches the sources of profile prof. */
  private addIngressEntry(target: number, prof: number, r: number): void {
    const key = target * KEY_SPACE + prof;
    const current = this.ingressTable.get(key) ?? this.ingressUniversalPorts(target, this.ingress.profiles[prof]!.external);
    this.ingressTable.set(key, this.portTable.union(current, this.ingress.rules[r]!.ports(this.targets[target]!.namedPorts)));
  }

  /** Ports opened by the group's rules that match every pod (or every address) as destination. */
  private egressUniversalPorts(group: number, profile: Profile): number {
    const key = group * 0x100000 + (profile.external ? 0 : profile.namedPorts + 1);
    let id = this.egressUniversal.get(key);
    if (id === undefined) {
      id = PortTable.EMPTY;
      for (const r of this.egress.groupRules[group]!) {
        const rule = this.egress.rules[r]!;
        if (profile.external ? rule.allExternal : rule.allPods) id = this.portTable.union(id, rule.ports(profile.namedPorts));
      }
      this.egressUniversal.set(key, id);
    }
    return id;
  }

  private ingressUniversalPorts(target: number, external: boolean): number {
    const key = target * 2 + (external ? 1 : 0);
    let id = this.ingressUniversal.get(key);
    if (id === undefined) {
      id = PortTable.EMPTY;
      const { group, namedPorts } = this.targets[target]!;
      for (const r of this.ingress.groupRules[group]!) {
        const rule = this.ingress.rules[r]!;
        if (external ? rule.allExternal : rule.allPods) id = this.portTable.union(id, rule.ports(namedPorts));
      }
      this.ingressUniversal.set(key, id);
    }
    return id;
  }

  private classSourceKey(c: number): SourceKey {
    const admin = this.admin;
    return {
      egressGroup: this.egress.groupOfClass[c]!,
      ingressProfile: this.ingress.profileOfClass[c]!,
      egressAdmin: admin ? admin.egress.subjectOfClass[c]! : 0,
      ingressAdminPeer: admin ? admin.ingress.tables.profileOfClass[c]! : 0,
    };
  }

  private classDestinationKey(c: number): DestinationKey {
    const admin = this.admin;
    return {
      ingressTarget: this.targetOfClass[c]!,
      egressProfile: this.egress.profileOfClass[c]!,
      namedPorts: this.classSet.classes[c]!.namedPorts,
      ingressAdmin: admin ? admin.ingress.subjectOfClass[c]! : 0,
      egressAdminPeer: admin ? admin.egress.tables.profileOfClass[c]! : 0,
    };
  }

  private sourceKey(ref: EndpointRef): SourceKey | null {
    if (ref.kind === 'pod') {
      const c = this.classSet.classOfPod[ref.index];
      return c === undefined ? null : this.classSourceKey(c);
    }
    const atom = this.sourceAtomOfExternal[ref.index];
    if (atom === undefined || atom < 0) return null;
    const ingressAdminPeer = this.admin ? this.admin.ingress.tables.profileOfAtom[atom]! : 0;
    return { egressGroup: 0, ingressProfile: this.ingress.profileOfAtom[atom]!, egressAdmin: 0, ingressAdminPeer };
  }

  private destinationKey(ref: EndpointRef): DestinationKey | null {
    if (ref.kind === 'pod') {
      const c = this.classSet.classOfPod[ref.index];
      return c === undefined ? null : this.classDestinationKey(c);
    }
    const atom = this.destinationAtomOfExternal[ref.index];
    if (atom === undefined || atom < 0) return null;
    const egressAdminPeer = this.admin ? this.admin.egress.tables.profileOfAtom[atom]! : 0;
    return { ingressTarget: 0, egressProfile: this.egress.profileOfAtom[atom]!, namedPorts: -1, ingressAdmin: 0, egressAdminPeer };
  }

  /** What the source's NetworkPolicies allow toward the destination, or null when none isolates it. */
  private egressPolicies(src: SourceKey, dst: DestinationKey): number | null {
    if (src.egressGroup === 0) return null;
    return (
      this.egressTable.get(src.egressGroup * KEY_SPACE + dst.egressProfile) ??
      this.egressUniversalPorts(src.egressGroup, this.egress.profiles[dst.egressProfile]!)
    );
  }

  private ingressPolicies(src: SourceKey, dst: DestinationKey): number | null {
    if (dst.ingressTarget === 0) return null;
    return (
      this.ingressTable.get(dst.ingressTarget * KEY_SPACE + src.ingressProfile) ??
      this.ingressUniversalPorts(dst.ingressTarget, this.ingress.profiles[src.ingressProfile]!.external)
    );
  }

  /** What the source's egress side allows, all tiers. */
  private egressAllowed(src: SourceKey, dst: DestinationKey): number {
    const np = this.egressPolicies(src, dst);
    return this.admin ? this.admin.egress.allowed(src.egressAdmin, dst.egressAdminPeer, np) : (np ?? PortTable.ALL);
  }

  private ingressAllowed(src: SourceKey, dst: DestinationKey): number {
    const np = this.ingressPolicies(src, dst);
    return this.admin ? this.admin.ingress.allowed(dst.ingressAdmin, src.ingressAdminPeer, np) : (np ?? PortTable.ALL);
  }

  /** Allowed port-set id between two resolved keys. */
  private allowedId(src: SourceKey, dst: DestinationKey): number {
    const e = this.egressAllowed(src, dst);
    if (e === PortTable.EMPTY) return e;
    return this.portTable.intersect(e, this.ingressAllowed(src, dst));
  }

  /** Port-set id (into `portTable`) allowed between two endpoints. */
  allowedPortsId(from: EndpointRef, to: EndpointRef): number {
    if (from.kind === to.kind && from.kind === 'pod' && from.index === to.index) return PortTable.EMPTY;
    if (from.kind === 'external' && to.kind === 'external') return PortTable.EMPTY;
    const src = this.sourceKey(from);
    const dst = this.destinationKey(to);
    if (!src || !dst) return PortTable.EMPTY;
    return this.allowedId(src, dst);
  }

  /**
   * Classes interned by their table positions: two classes with the same source key (or
   * destination key) behave identically on that side, so grouped views aggregate over keys.
   */
  sourceKeyOfClass: Int32Array;
  destinationKeyOfClass: Int32Array;
  private readonly sourceKeys: SourceKey[] = [];
  private readonly destinationKeys: DestinationKey[] = [];

  /** Ingress target of a group and named ports (0 when the group is 0: not isolated). */
  private internTarget(group: number, namedPorts: number): number {
    if (group === 0) return 0;
    const key = `${group}:${namedPorts}`;
    let t = this.targetIds.get(key);
    if (t === undefined) {
      t = this.targets.length;
      this.targets.push({ group, namedPorts });
      this.targetIds.set(key, t);
    }
    return t;
  }

  private internClassKeys(from = 0): void {
    const srcIds = this.sourceKeyIds;
    const dstIds = this.destinationKeyIds;
    for (let id = from; id < this.classSet.classes.length; id++) {
      const src = this.classSourceKey(id);
      const dst = this.classDestinationKey(id);
      const sk = `${src.egressGroup},${src.ingressProfile},${src.egressAdmin},${src.ingressAdminPeer}`;
      const dk = `${dst.ingressTarget},${dst.egressProfile},${dst.ingressAdmin},${dst.egressAdminPeer}`;
      let s = srcIds.get(sk);
      if (s === undefined) srcIds.set(sk, (s = this.sourceKeys.push(src) - 1));
      let d = dstIds.get(dk);
      if (d === undefined) dstIds.set(dk, (d = this.destinationKeys.push(dst) - 1));
      this.sourceKeyOfClass[id] = s;
      this.destinationKeyOfClass[id] = d;
    }
  }

  get sourceKeyCount(): number {
    return this.sourceKeys.length;
  }

  get destinationKeyCount(): number {
    return this.destinationKeys.length;
  }

  /** Allowed port-set id from any pod with this source key to any other pod with this destination key. */
  keyAllowedId(sourceKey: number, destinationKey: number): number {
    return this.allowedId(this.sourceKeys[sourceKey]!, this.destinationKeys[destinationKey]!);
  }

  /** Allowed port-set id from one class to another (pairs of distinct pods). */
  classAllowedId(fromClass: number, toClass: number): number {
    return this.keyAllowedId(this.sourceKeyOfClass[fromClass]!, this.destinationKeyOfClass[toClass]!);
  }

  /**
   * Content signatures of every class's source side and destination side, comparable between two
   * analyses: equal signatures (with unchanged policy tags) mean equal rows or columns. `tag`
   * names a policy's version (a changed policy must get a new tag).
   */
  signatures(tag: (policyId: string) => string, fromClass = 0): { source: string[]; destination: string[]; externals: string } {
    const parts = this.signatureParts(tag);
    const source: string[] = [];
    const destination: string[] = [];
    for (let c = fromClass; c < this.classSet.classes.length; c++) {
      source.push(parts.source(c).join('|'));
      destination.push(parts.destination(c).join('|'));
    }
    // Externals are described only for a full description (they do not change with pods).
    const externals = fromClass > 0 ? '' : this.externals.map((e, i) => `${e.id}<${parts.external(i)}`).join(' ');
    return { source, destination, externals };
  }

  /**
   * The classes' signatures as numbers interned in `table`: equal numbers for equal signatures,
   * across every analysis described into the same table (with the same `tag`). What a diff
   * compares: each group's and profile's text is hashed once, not once per class.
   */
  signatureIds(tag: (policyId: string) => string, table: SignatureTable): { source: Int32Array; destination: Int32Array } {
    const parts = this.signatureParts(tag);
    const intern = (map: Map<string, number>, text: string) => {
      let id = map.get(text);
      if (id === undefined) map.set(text, (id = map.size));
      return id;
    };
    const numbers = (texts: string[]) => texts.map((t) => intern(table.parts, t)).join(',');
    const count = this.classSet.classes.length;
    const source = new Int32Array(count);
    const destination = new Int32Array(count);
    for (let c = 0; c < count; c++) {
      source[c] = intern(table.sources, numbers(parts.source(c)));
      destination[c] = intern(table.destinations, numbers(parts.destination(c)));
    }
    return { source, destination };
  }

  /** The texts a class's signatures join, and an external's (each group and profile described once, when first needed). */
  private signatureParts(tag: (policyId: string) => string): { source: (c: number) => string[]; destination: (c: number) => string[]; external: (i: number) => string } {
    const policyTag = (pi: number) => tag(this.cluster.policies[pi]!.id);
    const lazily = <T,>(items: readonly T[], text: (item: T) => string) => {
      const cache: string[] = [];
      return (i: number) => (cache[i] ??= text(items[i]!));
    };
    const ruleTags = (t: DirectionTables, rules: readonly number[]) =>
      rules.map((r) => `${policyTag(t.rules[r]!.policy)}#${t.rules[r]!.index}`).join(',');
    const groups = (t: DirectionTables) => lazily(t.groupPolicies, (ps) => (ps.length === 0 ? '-' : ps.map(policyTag).join(',')));
    const profiles = (t: DirectionTables) => lazily(t.profiles, (p) => ruleTags(t, p.rules));
    const egressGroups = groups(this.egress);
    const ingressGroups = groups(this.ingress);
    const egressProfiles = profiles(this.egress);
    const ingressProfiles = profiles(this.ingress);
    const ports = lazily(this.classSet.namedPorts, (list) => list.map((p) => `${p.name}/${p.protocol}/${p.port}`).join(','));
    const admin = this.admin?.describe(tag);
    return {
      source: (c) => {
        const own = [egressGroups(this.egress.groupOfClass[c]!), ingressProfiles(this.ingress.profileOfClass[c]!)];
        return admin ? [...own, admin.group('egress', c), admin.profile('ingress', c)] : own;
      },
      destination: (c) => {
        const own = [ingressGroups(this.ingress.groupOfClass[c]!), egressProfiles(this.egress.profileOfClass[c]!), ports(this.classSet.classes[c]!.namedPorts)];
        return admin ? [...own, admin.group('ingress', c), admin.profile('egress', c)] : own;
      },
      external: (i) => {
        const src = this.sourceAtomOfExternal[i]!;
        const dst = this.destinationAtomOfExternal[i]!;
        const inRules = src < 0 ? '' : ingressProfiles(this.ingress.profileOfAtom[src]!);
        const outRules = dst < 0 ? '' : egressProfiles(this.egress.profileOfAtom[dst]!);
        const adminRules = admin && dst >= 0 ? `|${admin.atom('egress', dst)}` : '';
        return `${inRules}>${outRules}${adminRules}`;
      },
    };
  }

  allowed(from: EndpointRef, to: EndpointRef): PortSet {
    return this.portTable.get(this.allowedPortsId(from, to));
  }

  connection(from: EndpointRef, to: EndpointRef): Connection | null {
    const id = this.allowedPortsId(from, to);
    if (id === PortTable.EMPTY) return null;
    const src = this.sourceKey(from)!;
    const dst = this.destinationKey(to)!;
    const target = this.targets[dst.ingressTarget]!;
    const egressRules =
      src.egressGroup === 0 ? null : (opened: number) => this.reasons(this.egress, src.egressGroup, dst.egressProfile, to.kind === 'external', dst.namedPorts, opened);
    const ingressRules =
      dst.ingressTarget === 0 ? null : (opened: number) => this.reasons(this.ingress, target.group, src.ingressProfile, from.kind === 'external', target.namedPorts, opened);
    const egress = this.directionReason('egress', src.egressAdmin, dst.egressAdminPeer, id, egressRules);
    const ingress = this.directionReason('ingress', dst.ingressAdmin, src.ingressAdminPeer, id, ingressRules);
    return { ports: this.portTable.get(id), reasons: { egress, ingress } };
  }

  /** `policies`: the NetworkPolicy rules opening part of a set, null when none isolates the side. */
  private directionReason(direction: Direction, adminSubject: number, adminPeer: number, finalId: number, policies: ((opened: number) => RuleRef[]) | null): DirectionReason {
    if (this.admin && adminSubject !== 0) return this.admin[direction].reasons(adminSubject, adminPeer, finalId, policies);
    return policies ? policies(finalId) : 'unisolated';
  }

  /** The rules of a group that match the peer and open part of `opened`. */
  private reasons(t: DirectionTables, group: number, peerProfile: number, peerExternal: boolean, namedPorts: number, opened: number): RuleRef[] {
    const profileRules = t.profiles[peerProfile]!.rules;
    const out: RuleRef[] = [];
    for (const r of t.groupRules[group]!) {
      const rule = t.rules[r]!;
      const matches = (peerExternal ? rule.allExternal : rule.allPods) || binaryHas(profileRules, r);
      if (!matches) continue;
      if (this.portTable.intersect(rule.ports(namedPorts), opened) === PortTable.EMPTY) continue;
      out.push(this.policyRef(rule.policy, rule.index));
    }
    return out.sort(compareRuleRefs);
  }

  /** A NetworkPolicy rule; tier `np` only when admin tiers exist (NetworkPolicy-only output keeps its shape). */
  private policyRef(policy: number, rule: number): RuleRef {
    const ref: RuleRef = { policy: this.cluster.policies[policy]!.id, rule };
    if (this.admin) ref.tier = 'np';
    return ref;
  }

  /**
   * Why `from` may or may not reach `to`: per direction, the policies isolating that side and every
   * rule whose peers match the other side, with the ports it opens, and the admin tiers' rules
   * when admin policies select the side. With a port, the verdict is for it.
   */
  explain(from: EndpointRef, to: EndpointRef, port?: { protocol: Protocol; port: number }): Explanation {
    const src = this.sourceKey(from);
    const dst = this.destinationKey(to);
    const sameEndpoint = from.kind === to.kind && from.index === to.index;
    if (!src || !dst || sameEndpoint || (from.kind === 'external' && to.kind === 'external')) {
      const none: DirectionExplanation = { isolated: false, policies: [], rules: [], ports: PortSet.EMPTY };
      return { allowed: PortSet.EMPTY, verdict: false, egress: none, ingress: none, note: sameEndpoint ? 'self' : 'not-applicable' };
    }
    const target = this.targets[dst.ingressTarget]!;
    const egress = this.explainDirection(this.egress, src.egressGroup, dst.egressProfile, to.kind === 'external', dst.namedPorts);
    const ingress = this.explainDirection(this.ingress, target.group, src.ingressProfile, from.kind === 'external', target.namedPorts);
    egress.ports = this.portTable.get(this.egressAllowed(src, dst));
    ingress.ports = this.portTable.get(this.ingressAllowed(src, dst));
    if (this.admin && src.egressAdmin !== 0) egress.admin = this.admin.egress.explain(src.egressAdmin, dst.egressAdminPeer, egress.isolated);
    if (this.admin && dst.ingressAdmin !== 0) ingress.admin = this.admin.ingress.explain(dst.ingressAdmin, src.ingressAdminPeer, ingress.isolated);
    const allowed = this.portTable.get(this.allowedId(src, dst));
    const verdict = port ? allowed.has(port.protocol, port.port) : !allowed.isEmpty();
    return { allowed, verdict, egress, ingress };
  }

  private explainDirection(t: DirectionTables, group: number, peerProfile: number, peerExternal: boolean, namedPorts: number): DirectionExplanation {
    if (group === 0) return { isolated: false, policies: [], rules: [], ports: PortSet.ALL };
    const profileRules = t.profiles[peerProfile]!.rules;
    const rules: DirectionExplanation['rules'] = [];
    let ports = PortTable.EMPTY;
    for (const r of t.groupRules[group]!) {
      const rule = t.rules[r]!;
      if (!((peerExternal ? rule.allExternal : rule.allPods) || binaryHas(profileRules, r))) continue;
      const opened = rule.ports(namedPorts);
      ports = this.portTable.union(ports, opened);
      rules.push({ ...this.policyRef(rule.policy, rule.index), ports: this.portTable.get(opened) });
    }
    const policies = t.groupPolicies[group]!.map((p) => this.cluster.policies[p]!.id);
    return { isolated: true, policies, rules, ports: this.portTable.get(ports) };
  }

  isolation(pod: number): Isolation {
    const c = this.classSet.classOfPod[pod]!;
    const admin = this.admin;
    return {
      ingress: this.ingress.groupOfClass[c] !== 0 || (admin !== null && admin.ingress.isolates(c)),
      egress: this.egress.groupOfClass[c] !== 0 || (admin !== null && admin.egress.isolates(c)),
    };
  }

  externalIndex(ip: string, role: 'source' | 'destination'): number {
    const parsed = parseIp(ip);
    if (!parsed) return -1;
    const partition = role === 'source' ? this.sourcePartition : this.destinationPartition;
    const atom = partition.indexOf(parsed.family, parsed.value);
    if (atom < 0) return -1;
    return (role === 'source' ? this.externalOfSourceAtom : this.externalOfDestinationAtom)[atom] ?? -1;
  }

  podIndex(id: string): number {
    if (this.podIndexById) return this.podIndexById.get(id) ?? -1;
    const at = lowerBound(this.pods, id);
    return this.pods[at]?.id === id ? at : -1;
  }
}

function hasIpv6(pods: readonly Pod[]): boolean {
  return pods.some((p) => p.ips.some((ip) => ip.includes(':')));
}

/** Pods in strictly increasing id order (what lowerBound and withPods read). */
export function sortedById(pods: readonly Pod[]): boolean {
  return pods.every((p, i) => i === 0 || pods[i - 1]!.id < p.id);
}

/** First index of a pod list sorted by id whose id is not below `id`. */
function lowerBound(pods: readonly Pod[], id: string): number {
  let lo = 0;
  let hi = pods.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (pods[mid]!.id < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}


/** Where signatureIds interns: one table for the analyses whose signatures are compared. */
export interface SignatureTable {
  parts: Map<string, number>;
  sources: Map<string, number>;
  destinations: Map<string, number>;
}

export function newSignatureTable(): SignatureTable {
  return { parts: new Map(), sources: new Map(), destinations: new Map() };
}

export function analyze(cluster: Cluster, options: AnalysisOptions = DEFAULT_OPTIONS, previous?: EngineAnalysis): EngineAnalysis {
  // Reuse is only sound for the same semantic options.
  return new EngineAnalysis(cluster, options, previous && previous.options.ipBlockMatchesPods === options.ipBlockMatchesPods ? previous : undefined);
}

function atomsText(p: IpPartition): string {
  return p.atoms.map((a) => `${a.family}:${a.first}`).join(',');
}

function sameElements<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
