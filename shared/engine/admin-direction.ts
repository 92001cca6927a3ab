// One direction of the admin tiers (tiers.ts): the first-match decision of a subject key and a
// peer profile, memoized, and how it combines with the NetworkPolicy tier:
//
//   allowed = anpAllow ∪ (passed ∩ (npIsolated ? np : baselineAllowed))
//
// plus the rules behind an answer (reasons) and the whole story of one pair (explain).
import type { AdminPolicy, CompiledAdminRule } from './admin-rules.ts';
import { compareRuleRefs, type AdminExplanation, type DirectionReason, type RuleRef } from './analysis.ts';
import type { DirectionTables, Profile } from './direction-tables.ts';
import { PortTable } from './port-table.ts';
import { binaryHas } from './sorted.ts';

/** The admin tiers' verdict for one subject key and one peer profile. */
export interface Decision {
  /** Ports AdminNetworkPolicy rules allow. */
  allow: number;
  /** Ports no AdminNetworkPolicy rule allows or denies: the tiers below decide them. */
  passed: number;
  /** Ports the baseline does not deny. */
  baselineAllowed: number;
  /** Ports no baseline rule matches (allowed by default when no NetworkPolicy isolates). */
  baselineUndecided: number;
  /** Every matching rule, in evaluation order, with the ports it decides (ids). */
  steps: { rule: number; ports: number }[];
  /** What the direction allows, by what the NetworkPolicies allow (slot id + 1; slot 0: none isolates). */
  combined: number[];
}

const DEFAULT_REF: RuleRef = { policy: '', rule: -1, tier: 'default' };

export class AdminDirection {
  /**
   * Subject keys: (group, named ports of the subject), 0 = no admin policy. Ingress rules name
   * ports on the subject; egress rules on the peer (its profile carries them: namedPorts 0 here).
   */
  private readonly subjects: { group: number; namedPorts: number }[] = [{ group: 0, namedPorts: 0 }];
  private readonly subjectIds = new Map<string, number>();
  subjectOfClass: Int32Array;
  /** Decisions by subject key, then peer profile (small dense ids: arrays are the fastest look-up). */
  private readonly decisions: Decision[][] = [];
  private readonly denies = new Map<number, boolean>();

  constructor(
    public tables: DirectionTables<CompiledAdminRule>,
    private readonly policies: readonly AdminPolicy[],
    private readonly portTable: PortTable,
    /** Whether rules name ports on the peer (egress) rather than on the subject (ingress). */
    private readonly portsOnPeer: boolean,
    namedPortsOfClass: readonly number[],
  ) {
    this.subjectOfClass = Int32Array.from(namedPortsOfClass, (n, c) => this.internSubject(tables.groupOfClass[c]!, n));
  }

  /** A copy with room for more classes, sharing what only grows (as DirectionTables.withClassCapacity). */
  withClassCapacity(classCount: number): AdminDirection {
    const copy = Object.create(AdminDirection.prototype) as AdminDirection;
    const subjectOfClass = new Int32Array(classCount);
    subjectOfClass.set(this.subjectOfClass);
    return Object.assign(copy, this, { tables: this.tables.withClassCapacity(classCount), subjectOfClass });
  }

  /** Records a placed class's subject key (its group must be set). */
  placeSubject(c: number, namedPorts: number): void {
    this.subjectOfClass[c] = this.internSubject(this.tables.groupOfClass[c]!, namedPorts);
  }

  private internSubject(group: number, namedPorts: number): number {
    if (group === 0) return 0;
    const n = this.portsOnPeer ? 0 : namedPorts;
    const key = `${group}:${n}`;
    let s = this.subjectIds.get(key);
    if (s === undefined) {
      s = this.subjects.push({ group, namedPorts: n }) - 1;
      this.subjectIds.set(key, s);
    }
    return s;
  }

  /** What the direction allows, given what the NetworkPolicies allow (null: none isolates the subject). */
  allowed(subject: number, peer: number, np: number | null): number {
    if (subject === 0) return np ?? PortTable.ALL;
    const d = this.decision(subject, peer);
    const slot = np === null ? 0 : np + 1;
    let id = d.combined[slot];
    if (id === undefined) {
      id = this.portTable.union(d.allow, this.portTable.intersect(d.passed, np ?? d.baselineAllowed));
      d.combined[slot] = id;
    }
    return id;
  }

  /** Whether a Deny rule applies to the class: then it is not unprotected in this direction. */
  isolates(c: number): boolean {
    const group = this.tables.groupOfClass[c]!;
    let denies = this.denies.get(group);
    if (denies === undefined) {
      denies = this.tables.groupRules[group]!.some((r) => this.tables.rules[r]!.action === 'Deny');
      this.denies.set(group, denies);
    }
    return denies;
  }

  private decision(subject: number, peer: number): Decision {
    const row = (this.decisions[subject] ??= []);
    return (row[peer] ??= this.decide(subject, peer));
  }

  /** First match per port: each tier's rules in evaluation order, each deciding the ports no earlier rule of its tier decided. */
  private decide(subject: number, peer: number): Decision {
    const t = this.tables;
    const pt = this.portTable;
    const profile = t.profiles[peer]!;
    const { group, namedPorts } = this.subjects[subject]!;
    const ports = this.portsOnPeer ? profile.namedPorts : namedPorts;
    const decided = { anp: PortTable.EMPTY, banp: PortTable.EMPTY };
    let allow = PortTable.EMPTY;
    let deny = PortTable.EMPTY;
    let baselineDeny = PortTable.EMPTY;
    const steps: Decision['steps'] = [];
    for (const r of t.groupRules[group]!) {
      const rule = t.rules[r]!;
      if (!matches(rule, r, profile)) continue;
      const step = pt.subtract(rule.ports(ports), decided[rule.tier]);
      steps.push({ rule: r, ports: step });
      decided[rule.tier] = pt.union(decided[rule.tier], step);
      if (rule.tier === 'banp') {
        if (rule.action === 'Deny') baselineDeny = pt.union(baselineDeny, step);
      } else if (rule.action === 'Allow') allow = pt.union(allow, step);
      else if (rule.action === 'Deny') deny = pt.union(deny, step);
    }
    return {
      allow,
      passed: pt.subtract(PortTable.ALL, pt.union(allow, deny)),
      baselineAllowed: pt.subtract(PortTable.ALL, baselineDeny),
      baselineUndecided: pt.subtract(PortTable.ALL, decided.banp),
      steps,
      combined: [],
    };
  }

  private ref(rule: CompiledAdminRule): RuleRef {
    return { policy: this.policies[rule.policy]!.name, rule: rule.index, tier: rule.tier, action: rule.action };
  }

  /**
   * The rules of every tier that allow part of `finalId` (a subset of what this direction
   * allows). `np(reached)`: the NetworkPolicy rules opening part of `reached`, or null when no
   * NetworkPolicy isolates the subject.
   */
  reasons(subject: number, peer: number, finalId: number, np: ((reached: number) => RuleRef[]) | null): DirectionReason {
    const pt = this.portTable;
    const d = this.decision(subject, peer);
    const refs: RuleRef[] = [];
    const reached = pt.intersect(d.passed, finalId);
    for (const step of d.steps) {
      const rule = this.tables.rules[step.rule]!;
      // Allow and Pass rules of the first tier count for the final set; baseline Allow rules for what reached them.
      const opened = rule.tier === 'anp' ? finalId : np ? PortTable.EMPTY : reached;
      if (rule.action !== 'Deny' && pt.intersect(step.ports, opened) !== PortTable.EMPTY) refs.push(this.ref(rule));
    }
    if (np) refs.push(...np(reached));
    else if (pt.intersect(d.baselineUndecided, reached) !== PortTable.EMPTY) {
      // Ports no rule of any tier matched: alone, that is an unrestricted side.
      if (refs.length === 0) return 'unisolated';
      refs.push(DEFAULT_REF);
    }
    return refs.sort(compareRuleRefs);
  }

  explain(subject: number, peer: number, npIsolated: boolean): AdminExplanation {
    const d = this.decision(subject, peer);
    const rules = d.steps
      .filter((step) => !npIsolated || this.tables.rules[step.rule]!.tier === 'anp')
      .map((step) => {
        const rule = this.tables.rules[step.rule]!;
        return { ...this.ref(rule), tier: rule.tier, action: rule.action, ports: this.portTable.get(step.ports) };
      });
    const policies = this.tables.groupPolicies[this.subjects[subject]!.group]!.map((pi) => this.policies[pi]!);
    return {
      policies: policies.filter((p) => p.kind === 'AdminNetworkPolicy').map((p) => p.name),
      baseline: policies.some((p) => p.kind === 'BaselineAdminNetworkPolicy'),
      rules,
      passed: this.portTable.get(d.passed),
    };
  }
}

/** Whether a rule's peers match the peers of a profile (admin peers never match every address). */
function matches(rule: CompiledAdminRule, r: number, profile: Profile): boolean {
  return (rule.allPods && !profile.external) || binaryHas(profile.rules, r);
}
