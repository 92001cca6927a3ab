// Why a cell is what it is, in words: the server's `explain:connection` answer turned into one
// summary per direction (egress on the source side, ingress on the destination side). Shared by
// the matrix tooltip and the detail panel; pure, unit-tested.
import type { DecisionStepJSON, ExplainResult } from '../../shared/protocol/events.ts';
import type { PortsJSON, ViewLevel, ViewNode } from '../../shared/protocol/view.ts';
import type { MatrixCellKind, Protection } from './matrix-layout.ts';
import type { ChangeLine } from '../diff-marks.ts';
import { portsText } from './palette.ts';

export type Direction = 'egress' | 'ingress';

export interface RuleLine {
  /** The policy (a NetworkPolicy `namespace/name`, or an admin policy's name); '' for `default`. */
  policy: string;
  /** `egress[0]`, `ingress[2]`; '' for `default`. */
  rule: string;
  /** Pod level: the ports this rule opens (or decides) toward the other side. */
  ports?: string;
  /**
   * With admin policies: `AdminNetworkPolicy`, `NetworkPolicy` (a step that passed ports to the
   * NetworkPolicies), `BaselineAdminNetworkPolicy`, or `default` (no rule of any tier decided, so allowed).
   */
  tier?: string;
  /** Admin rules and tier steps: Allow, Deny or Pass. */
  action?: string;
  /** AdminNetworkPolicies: the priority. */
  priority?: number;
  /** A tier step in words (`passed to NetworkPolicy: allowed by its rules`). */
  note?: string;
}

export interface DirectionSummary {
  direction: Direction;
  /**
   * open: not isolated (every port); outside: that side is outside the cluster (not governed by
   * NetworkPolicy); rules: isolated, and these rules allow; denied: isolated and no rule allows;
   * unknown: policies not known.
   */
  state: 'open' | 'outside' | 'rules' | 'denied' | 'unknown';
  /** One line for people. */
  text: string;
  rules: RuleLine[];
  /** Pod level: the policies isolating this side in this direction (admin policies first). */
  policies: string[];
}

const SIDE: Record<Direction, string> = { egress: 'source', ingress: 'destination' };
const TIER_NAMES: Record<string, string> = { anp: 'AdminNetworkPolicy', np: 'NetworkPolicy', banp: 'BaselineAdminNetworkPolicy', default: 'default' };

/** A rule reference as the server sends it; admin-policy fields appear only when the cluster has some. */
interface RuleJSON {
  policy: string;
  rule: number;
  ports?: PortsJSON;
  tier?: string;
  action?: string;
}

function ruleLine(direction: Direction, r: RuleJSON): RuleLine {
  const tier = r.tier && r.tier !== 'np' ? TIER_NAMES[r.tier] ?? r.tier : undefined;
  const isDefault = r.tier === 'default' || r.rule < 0;
  return {
    policy: isDefault ? '' : r.policy,
    rule: isDefault ? '' : `${direction}[${r.rule}]`,
    ...(r.ports !== undefined ? { ports: portsText(r.ports) } : {}),
    ...(isDefault ? { tier: 'default' } : tier ? { tier } : {}),
    ...(r.action ? { action: r.action } : {}),
  };
}

const hasPorts = (p: PortsJSON | undefined) => p !== undefined && (p === 'all' || p.length > 0);

/** A step of the server's tier-by-tier decision as a line: admin rules by name, NetworkPolicy and default steps in words. */
function stepLine(direction: Direction, step: DecisionStepJSON): RuleLine {
  const isRule = step.tier === 'anp' || step.tier === 'banp';
  return {
    policy: isRule ? (step.policy ?? '') : '',
    rule: isRule && step.rule !== undefined ? `${direction}[${step.rule}]` : '',
    ports: portsText(step.ports),
    tier: TIER_NAMES[step.tier] ?? step.tier,
    action: step.action,
    ...(step.priority !== undefined ? { priority: step.priority } : {}),
    ...(isRule ? {} : { note: step.text }),
  };
}

function deniedBy(tier: string, direction: Direction): string {
  if (tier === 'anp') return 'denied by an AdminNetworkPolicy rule';
  if (tier === 'banp') return 'denied by the BaselineAdminNetworkPolicy';
  const other = direction === 'egress' ? 'destination' : 'source';
  return `passed to NetworkPolicy: isolated, and no ${direction} rule of these policies matches the ${other}: denied`;
}

/** One direction of an explanation (egress: the source's policies; ingress: the destination's). */
export function directionSummary(result: ExplainResult, direction: Direction): DirectionSummary {
  const base = { direction, rules: [] as RuleLine[], policies: [] as string[] };
  const endpoint = direction === 'egress' ? result.from : result.to;
  if (result.unknown) return { ...base, state: 'unknown', text: 'unknown: the policies of one side are not known yet' };
  if (endpoint.startsWith('ip:')) return { ...base, state: 'outside', text: `the ${SIDE[direction]} is outside the cluster: no NetworkPolicy applies on that side` };
  const e = result.explanation?.[direction];
  if (e) {
    if (result.explanation?.note === 'self') return { ...base, state: 'open', text: 'a pod to itself: never blocked' };
    const policies = [...(e.admin?.policies ?? []), ...(e.admin?.baseline ? ['default'] : []), ...e.policies];
    if (e.decision) {
      // Admin policies apply: the server's tier-by-tier decision, the NetworkPolicy rules under the step that passed ports to them.
      const rules = e.decision.flatMap((step) => (step.tier === 'np' && step.action === 'Allow' ? [stepLine(direction, step), ...e.rules.map((r) => ruleLine(direction, r))] : [stepLine(direction, step)]));
      if (!hasPorts(e.ports)) {
        const deciding = e.decision.find((step) => step.action === 'Deny');
        return { ...base, policies, rules, state: 'denied', text: deciding ? deniedBy(deciding.tier, direction) : 'denied' };
      }
      return { ...base, policies, rules, state: 'rules', text: 'decided tier by tier: admin policies first, then NetworkPolicies, then the baseline' };
    }
    const rules = e.rules.map((r) => ruleLine(direction, r));
    if (!e.isolated) return { ...base, state: 'open', text: `not isolated for ${direction}: every port allowed on this side` };
    if (!hasPorts(e.ports)) {
      const other = direction === 'egress' ? 'destination' : 'source';
      return { ...base, policies, rules, state: 'denied', text: `isolated, and no ${direction} rule of these policies matches the ${other}: denied` };
    }
    if (rules.length === 0) return { ...base, policies, state: 'open', text: `not restricted for ${direction}: every port allowed on this side` };
    return { ...base, policies, rules, state: 'rules', text: `isolated; allowed by ${rules.length === 1 ? 'this rule' : 'these rules'}` };
  }
  const reason = result.reasons?.[direction];
  if (reason === null || reason === undefined) return { ...base, state: 'unknown', text: 'unknown' };
  if (reason === 'unisolated') return { ...base, state: 'open', text: `not isolated for ${direction} (for the pod pairs that connect)` };
  if (reason.length === 0) return { ...base, state: 'denied', text: 'no pod pair is allowed' };
  return { ...base, state: 'rules', rules: reason.map((r) => ruleLine(direction, r)), text: 'allowed by these rules (merged over the pod pairs)' };
}

/** The verdict of an explanation: allowed ports, or denied (and on which side). */
export function verdictOf(result: ExplainResult, level: ViewLevel): { allowed: boolean | null; text: string } {
  if (result.unknown) return { allowed: null, text: 'Unknown: policies not known yet' };
  if (result.explanation?.note === 'self') return { allowed: true, text: 'A pod to itself: never blocked, never listed' };
  const allowed = result.allowed === 'all' || result.allowed.length > 0;
  if (!allowed) {
    const blocked = (['egress', 'ingress'] as const).filter((d) => directionSummary(result, d).state === 'denied');
    const where = blocked.length === 2 ? 'by both sides' : blocked.length === 1 ? `by ${blocked[0]} of the ${SIDE[blocked[0]!]}` : '';
    return { allowed: false, text: `Denied${where ? ` ${where}` : ''}` };
  }
  const pairs = level !== 'pod' && result.pairs.total > 0 ? ` · ${result.pairs.allowed} of ${result.pairs.total} pod pairs` : '';
  return { allowed: true, text: `Allowed: ${portsText(result.allowed)}${pairs}` };
}

/** What the matrix tooltip shows: a cell (ports, pairs, reasons once fetched) or a label. */
export type TooltipContent =
  | {
      x: number;
      y: number;
      from: ViewNode;
      to: ViewNode;
      level: ViewLevel;
      kind: MatrixCellKind;
      ports: PortsJSON | undefined;
      pairs: { allowed: number; total: number } | undefined;
      unknown: boolean;
      hint: string;
      /** The explanation once fetched (null while loading). */
      reasons: ExplainResult | 'error' | null;
      port: { protocol: string; port: number } | null;
      /** What changed since a past instant being compared (`gained since …: TCP 80`). */
      changes?: ChangeLine[];
    }
  | { x: number; y: number; node: ViewNode; direction: Direction; protection: Protection; hint: string; changes?: ChangeLine[] };
