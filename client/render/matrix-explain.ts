// Why a cell is what it is, in words: the server's `explain:connection` answer turned into one
// summary per direction (egress on the source side, ingress on the destination side). Shared by
// the matrix tooltip and the detail panel; pure, unit-tested.
import type { DirectionExplanationJSON, ExplainResult } from '../../shared/protocol/events.ts';
import type { PortsJSON, ViewLevel, ViewNode } from '../../shared/protocol/view.ts';
import type { MatrixCellKind, Protection } from './matrix-layout.ts';
import { portsText } from './palette.ts';

export type Direction = 'egress' | 'ingress';

export interface RuleLine {
  /** The policy (a NetworkPolicy `namespace/name`, or an admin policy's name); '' for `default`. */
  policy: string;
  /** `egress[0]`, `ingress[2]`; '' for `default`. */
  rule: string;
  /** Pod level: the ports this rule opens (or decides) toward the other side. */
  ports?: string;
  /** With admin policies: `AdminNetworkPolicy`, `BaselineAdminNetworkPolicy`, or `default` (no rule of any tier decided, so allowed). */
  tier?: string;
  /** Admin rules: Allow, Deny or Pass. */
  action?: string;
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
const TIER_NAMES: Record<string, string> = { anp: 'AdminNetworkPolicy', banp: 'BaselineAdminNetworkPolicy', default: 'default' };

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

/** One direction of an explanation (egress: the source's policies; ingress: the destination's). */
export function directionSummary(result: ExplainResult, direction: Direction): DirectionSummary {
  const base = { direction, rules: [] as RuleLine[], policies: [] as string[] };
  const endpoint = direction === 'egress' ? result.from : result.to;
  if (result.unknown) return { ...base, state: 'unknown', text: 'unknown: the policies of one side are not known yet' };
  if (endpoint.startsWith('ip:')) return { ...base, state: 'outside', text: `the ${SIDE[direction]} is outside the cluster: no NetworkPolicy applies on that side` };
  const e = result.explanation?.[direction] as (DirectionExplanationJSON & { admin?: { policies: string[]; rules: RuleJSON[] } }) | undefined;
  if (e) {
    if (result.explanation?.note === 'self') return { ...base, state: 'open', text: 'a pod to itself: never blocked' };
    const adminRules = (e.admin?.rules ?? []).map((r) => ruleLine(direction, { tier: 'anp', ...r }));
    const rules = [...adminRules, ...e.rules.map((r) => ruleLine(direction, r))];
    const policies = [...(e.admin?.policies ?? []), ...e.policies];
    if (!e.isolated && adminRules.length === 0) return { ...base, state: 'open', text: `not isolated for ${direction}: every port allowed on this side` };
    if (!hasPorts(e.ports)) {
      const other = direction === 'egress' ? 'destination' : 'source';
      const byAdmin = adminRules.some((r) => r.action === 'Deny');
      const text = byAdmin ? `denied by an admin policy rule` : `isolated, and no ${direction} rule of these policies matches the ${other}: denied`;
      return { ...base, policies, rules: rules.filter((r) => r.action === 'Deny' || r.action === undefined || !byAdmin), state: 'denied', text };
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
    }
  | { x: number; y: number; node: ViewNode; direction: Direction; protection: Protection; hint: string };
