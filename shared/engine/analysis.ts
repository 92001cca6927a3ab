// What the engine answers. The class engine (`analyze`) implements it; the CLI, the live server and
// the browser read only this interface.
import type { IpRange } from '../model/ip.ts';
import type { PortSet } from '../model/port-set.ts';
import { compareText } from '../model/order.ts';
import type { AdminAction, AnalysisOptions, Cluster, Pod, Protocol } from '../model/types.ts';

/** A pod (index into `Analysis.pods`) or an external range (index into `Analysis.externals`). */
export type EndpointRef = { kind: 'pod'; index: number } | { kind: 'external'; index: number };

export interface ExternalRange {
  /** `ip:0.0.0.0-9.255.255.255` */
  id: string;
  /** `0.0.0.0-9.255.255.255` */
  text: string;
  range: IpRange;
  /** A piece of the source-side partition (cut by ingress ipBlocks): may appear as a `from`. */
  asSource: boolean;
  /** A piece of the destination-side partition (cut by egress ipBlocks): may appear as a `to`. */
  asDestination: boolean;
}

/**
 * Which tier decided: `anp` an AdminNetworkPolicy, `np` a NetworkPolicy, `banp` the
 * BaselineAdminNetworkPolicy, `default` no rule of any tier (those ports are allowed).
 */
export type Tier = 'anp' | 'np' | 'banp' | 'default';
const TIERS: readonly Tier[] = ['anp', 'np', 'banp', 'default'];

export interface RuleRef {
  /** `namespace/name` of a NetworkPolicy, the name of an admin policy, '' for tier `default`. */
  policy: string;
  /** Index of the rule in the policy's `ingress` or `egress` list (-1 for tier `default`). */
  rule: number;
  /** Only when the cluster has admin policies (so NetworkPolicy-only output keeps its shape). */
  tier?: Tier;
  /** Admin rules: the action. In connection reasons Allow, or Pass (passed down and allowed there). */
  action?: AdminAction;
}

/** The canonical order of rule references: by tier, then policy, then rule. */
export function compareRuleRefs(a: RuleRef, b: RuleRef): number {
  return TIERS.indexOf(a.tier ?? 'np') - TIERS.indexOf(b.tier ?? 'np') || compareText(a.policy, b.policy) || a.rule - b.rule;
}

/**
 * Why one direction allows a connection: nothing restricts that side in that direction (no
 * policy of any tier decides any allowed port, or the side is outside the cluster), or these
 * rules allow part of it (with admin policies, a `default` entry stands for the allowed ports no
 * rule decided).
 */
export type DirectionReason = 'unisolated' | RuleRef[];

export interface Connection {
  ports: PortSet;
  reasons: { egress: DirectionReason; ingress: DirectionReason };
}

export interface DirectionExplanation {
  /** False: no NetworkPolicy isolates this side in this direction. */
  isolated: boolean;
  /** Ids of the NetworkPolicies isolating this side. */
  policies: string[];
  /** Every rule of those policies whose peers match the other side, with what it opens there. */
  rules: (RuleRef & { ports: PortSet })[];
  /** What this direction allows in total (all when nothing restricts it). */
  ports: PortSet;
  /** Only when admin policies with rules in this direction select this side. */
  admin?: AdminExplanation;
}

export interface AdminExplanation {
  /** The AdminNetworkPolicies selecting this side, in evaluation order. */
  policies: string[];
  /** Whether the BaselineAdminNetworkPolicy selects it. */
  baseline: boolean;
  /**
   * Every admin rule whose peers match the other side, in evaluation order, with the ports it
   * decides (those no earlier rule of its tier decided). Baseline rules only when no
   * NetworkPolicy isolates the side (otherwise the baseline is not consulted).
   */
  rules: (RuleRef & { tier: 'anp' | 'banp'; action: AdminAction; ports: PortSet })[];
  /** The ports no AdminNetworkPolicy rule allows or denies: the NetworkPolicies decide them when `isolated`, else the baseline, else they are allowed. */
  passed: PortSet;
}

export interface Explanation {
  /** Egress ∩ ingress. */
  allowed: PortSet;
  /** Allowed at all, or for the asked port when one was given. */
  verdict: boolean;
  egress: DirectionExplanation;
  ingress: DirectionExplanation;
  /** `self`: a pod to itself (never blocked, not part of the matrix); `not-applicable`: no such pair. */
  note?: 'self' | 'not-applicable';
}

export interface Isolation {
  ingress: boolean;
  egress: boolean;
}

export type FindingKind =
  | 'policy-selects-nothing'
  | 'rule-peers-match-nothing'
  | 'named-port-unresolved'
  | 'policy-types-default-denies-ingress'
  | 'separate-namespace-and-pod-peers'
  | 'namespace-without-default-deny'
  | 'admin-priority-overlap'
  | 'admin-pass-unhandled'
  | 'admin-rule-shadowed';

/** Findings about admin policies: their subject is the policy's name. */
export const ADMIN_FINDING_KINDS: readonly FindingKind[] = ['admin-priority-overlap', 'admin-pass-unhandled', 'admin-rule-shadowed'];

export interface Finding {
  kind: FindingKind;
  severity: 'warning' | 'info';
  /** The object the finding is about: a policy id, an admin policy's name, or a namespace name. */
  subject: string;
  /** For rule findings: `spec.ingress[0]` and the like. */
  field?: string;
  /** For namespace findings: which direction lacks a default deny. */
  direction?: 'ingress' | 'egress';
  message: string;
}

export interface Analysis {
  readonly options: AnalysisOptions;
  readonly cluster: Cluster;
  /** Pods that take part in the matrix (`exclusion === null`), in cluster order. */
  readonly pods: readonly Pod[];
  /** Pods left out of the matrix (host network, finished), with the reason on each pod. */
  readonly excludedPods: readonly Pod[];
  /** Disjoint pieces of the address space outside the cluster, sorted by family then address. */
  readonly externals: readonly ExternalRange[];
  readonly findings: readonly Finding[];
  /**
   * Per direction: a NetworkPolicy isolates the pod, or an admin policy selecting it has a Deny
   * rule there (either can deny traffic; Allow and Pass rules alone cannot). Not isolated =
   * unprotected.
   */
  isolation(pod: number): Isolation;
  /**
   * What `from` may open toward `to`, all protocols and ports. Empty for a pod to itself and
   * between two externals; an external endpoint must play the matching role (asSource for `from`).
   */
  allowed(from: EndpointRef, to: EndpointRef): PortSet;
  /** `allowed` plus the reasons per direction; null when nothing is allowed. */
  connection(from: EndpointRef, to: EndpointRef): Connection | null;
  explain(from: EndpointRef, to: EndpointRef, port?: { protocol: Protocol; port: number }): Explanation;
  /** The external range containing `ip` in the given role, or -1. */
  externalIndex(ip: string, role: 'source' | 'destination'): number;
  /** Index of a pod by `namespace/name`, or -1. */
  podIndex(id: string): number;
}
