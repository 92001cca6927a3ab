// What the engine answers. The class engine (`analyze`) implements it; the CLI, the live server and
// the browser read only this interface.
import type { IpRange } from '../model/ip.ts';
import type { PortSet } from '../model/port-set.ts';
import type { AnalysisOptions, Cluster, Pod, Protocol } from '../model/types.ts';

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

export interface RuleRef {
  /** `namespace/name` of the NetworkPolicy */
  policy: string;
  /** Index of the rule in the policy's `ingress` or `egress` list. */
  rule: number;
}

/**
 * Why one direction allows a connection: the pod is not isolated in that direction (or the side
 * is outside the cluster, which no policy restricts), or these rules allow part of it.
 */
export type DirectionReason = 'unisolated' | RuleRef[];

export interface Connection {
  ports: PortSet;
  reasons: { egress: DirectionReason; ingress: DirectionReason };
}

export interface DirectionExplanation {
  /** False: no policy isolates this side in this direction, so it allows everything. */
  isolated: boolean;
  /** Ids of the policies isolating this side. */
  policies: string[];
  /** Every rule of those policies whose peers match the other side, with what it opens there. */
  rules: (RuleRef & { ports: PortSet })[];
  /** What this direction allows in total (all when not isolated). */
  ports: PortSet;
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
  | 'namespace-without-default-deny';

export interface Finding {
  kind: FindingKind;
  severity: 'warning' | 'info';
  /** The object the finding is about: a policy id, or a namespace name. */
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
