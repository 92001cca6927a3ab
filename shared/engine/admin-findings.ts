// Findings about AdminNetworkPolicies and the BaselineAdminNetworkPolicy: equal priorities that
// overlap (undefined behaviour), Pass rules that nothing below handles, and rules an earlier rule
// of the same policy shadows. Only classes that have pods count.
import type { AdminRule } from '../model/types.ts';
import type { CompiledAdminRule } from './admin-rules.ts';
import type { Finding } from './analysis.ts';
import type { ClassSet } from './classes.ts';
import { PortTable } from './port-table.ts';
import type { Direction } from './rules.ts';
import { binaryHas } from './sorted.ts';
import type { AdminTiers } from './tiers.ts';

export interface AdminFindingsInput {
  admin: AdminTiers;
  classes: ClassSet;
  present: Uint8Array;
  /** Whether a NetworkPolicy isolates the class in the direction. */
  isolatedByPolicies: (direction: Direction, c: number) => boolean;
  portTable: PortTable;
}

const DIRECTIONS: readonly Direction[] = ['ingress', 'egress'];

export function adminFindings(input: AdminFindingsInput): Finding[] {
  return [...priorityOverlaps(input), ...unhandledPasses(input), ...shadowedRules(input)];
}

function presentOf(input: AdminFindingsInput, classes: readonly number[]): number[] {
  return classes.filter((c) => input.present[c] === 1);
}

function ruleLabel(direction: Direction, index: number, rule: AdminRule): string {
  return `Rule ${direction}[${index}]${rule.name === '' ? '' : ` "${rule.name}"`}`;
}

/** Two AdminNetworkPolicies of one priority, with rules in a common direction, selecting a common pod. */
function priorityOverlaps(input: AdminFindingsInput): Finding[] {
  const { policies, subjects } = input.admin;
  const out: Finding[] = [];
  policies.forEach((a, i) => {
    if (a.kind !== 'AdminNetworkPolicy') return;
    for (let j = i + 1; j < policies.length; j++) {
      const b = policies[j]!;
      if (b.kind !== 'AdminNetworkPolicy' || b.priority !== a.priority) continue;
      if (!DIRECTIONS.some((d) => a[d].length > 0 && b[d].length > 0)) continue;
      const shared = presentOf(input, subjects[i]!).find((c) => binaryHas(subjects[j]!, c));
      if (shared === undefined) continue;
      out.push({
        kind: 'admin-priority-overlap',
        severity: 'warning',
        subject: a.name,
        field: 'spec.priority',
        message:
          `AdminNetworkPolicies ${a.name} and ${b.name} both have priority ${a.priority} and select some of the same pods ` +
          `(in namespace ${input.classes.classes[shared]!.namespace}): which one is evaluated first is undefined. Give them different priorities.`,
      });
    }
  });
  return out;
}

/** A Pass rule whose subject pods have nothing below: no NetworkPolicy isolates them and the baseline has no rule for them. */
function unhandledPasses(input: AdminFindingsInput): Finding[] {
  const { admin } = input;
  const baseline = admin.policies.findIndex((p) => p.kind === 'BaselineAdminNetworkPolicy');
  const out: Finding[] = [];
  admin.policies.forEach((policy, pi) => {
    const subjects = presentOf(input, admin.subjects[pi]!);
    if (subjects.length === 0) return;
    for (const direction of DIRECTIONS) {
      const baselineCovers = (c: number) => baseline >= 0 && admin.policies[baseline]![direction].length > 0 && binaryHas(admin.subjects[baseline]!, c);
      if (subjects.some((c) => input.isolatedByPolicies(direction, c) || baselineCovers(c))) continue;
      policy[direction].forEach((rule, index) => {
        if (rule.action !== 'Pass') return;
        out.push({
          kind: 'admin-pass-unhandled',
          severity: 'warning',
          subject: policy.name,
          field: `spec.${direction}[${index}]`,
          message:
            `${ruleLabel(direction, index, rule)} of AdminNetworkPolicy ${policy.name} passes traffic to NetworkPolicies and the baseline, ` +
            `but none of its subject pods is isolated for ${direction} by a NetworkPolicy or covered by a BaselineAdminNetworkPolicy ${direction} rule: ` +
            `the passed traffic is simply allowed (as with Allow).`,
        });
      });
    }
  });
  return out;
}

/** A rule whose every peer and port an earlier rule of the same policy and direction already matches: it never decides anything. */
function shadowedRules(input: AdminFindingsInput): Finding[] {
  const { admin } = input;
  const out: Finding[] = [];
  for (const direction of DIRECTIONS) {
    const t = admin[direction].tables;
    t.rulesOfPolicy.forEach((ids, pi) => {
      const policy = admin.policies[pi]!;
      ids.forEach((j, k) => {
        const later = t.rules[j]!;
        const earlier = ids.slice(0, k).find((i) => coversPeers(input, t.rules[i]!, later) && coversPorts(input, direction, t.rules[i]!, later, pi));
        if (earlier === undefined) return;
        const e = t.rules[earlier]!;
        out.push({
          kind: 'admin-rule-shadowed',
          severity: 'warning',
          subject: policy.name,
          field: `spec.${direction}[${later.index}]`,
          message:
            `${ruleLabel(direction, later.index, policy[direction][later.index]!)} of ${policy.kind} ${policy.name} never applies: ` +
            `rule ${direction}[${e.index}] (${e.action}) before it matches all of its peers and ports.`,
        });
      });
    });
  }
  return out;
}

/** Every pod (with pods) and address `later` matches, `earlier` matches too; and `later` matches something. */
function coversPeers(input: AdminFindingsInput, earlier: CompiledAdminRule, later: CompiledAdminRule): boolean {
  if (later.atoms.some((a) => !binaryHas(earlier.atoms, a))) return false;
  if (later.allPods) return earlier.allPods;
  const matchesPods = later.classes.some((c) => input.present[c] === 1);
  if (!matchesPods && later.atoms.length === 0) return false;
  return earlier.allPods || later.classes.every((c) => input.present[c] !== 1 || binaryHas(earlier.classes, c));
}

/** On every destination `later` can decide for (ingress: the subject pods; egress: its peers), `earlier` names its ports too. */
function coversPorts(input: AdminFindingsInput, direction: Direction, earlier: CompiledAdminRule, later: CompiledAdminRule, pi: number): boolean {
  if (!later.hasNamedPorts && !earlier.hasNamedPorts) return input.portTable.subtract(later.ports(-1), earlier.ports(-1)) === PortTable.EMPTY;
  const classes = direction === 'ingress' ? input.admin.subjects[pi]! : later.allPods ? input.classes.classes.map((_, c) => c) : later.classes;
  const lists = new Set<number>();
  for (const c of classes) if (input.present[c] === 1) lists.add(input.classes.classes[c]!.namedPorts);
  if (direction === 'egress' && later.atoms.length > 0) lists.add(-1);
  return [...lists].every((n) => input.portTable.subtract(later.ports(n), earlier.ports(n)) === PortTable.EMPTY);
}
