// The socket.io contract between the server and every client. Events are named `domain:verb` and
// carry one object. Requests from the client are acknowledged with an `Ack<T>`; the server checks
// every client payload against the schemas in ./schemas.ts before it reads it.
import type { RuleRef, Tier } from '../engine/analysis.ts';
import type { SourceStatus } from '../model/status.ts';
import type { AdminAction, AnalysisOptions, Cluster } from '../model/types.ts';
import type { PortsJSON, ViewDelta, ViewSpec } from './view.ts';

/** Bumped when a message changes incompatibly; the client sends it in the handshake (`auth.protocol`). */
export const PROTOCOL_VERSION = 2;

/** `not-available`: a past instant the history cannot show (no history kept, before it starts, a gap, the future). */
export type ErrorCode = 'bad-request' | 'not-found' | 'unauthorized' | 'protocol-mismatch' | 'too-many-views' | 'not-available' | 'internal';

export type Ack<T> = { ok: true; data: T } | { ok: false; error: { code: ErrorCode; message: string } };

/**
 * `view:snapshot`: the whole view. `body` is raw-deflate compressed JSON of `SnapshotBody` (decode
 * with `decodeSnapshot` from ./codec.ts, or any inflate + JSON.parse).
 */
export interface ViewSnapshotMessage {
  viewId: string;
  seq: number;
  encoding: 'deflate-raw+json';
  body: Uint8Array;
}

/** `source:status`: per-resource sync state, sent on connect and whenever it changes. */
export interface SourceStatusMessage {
  /** What is watched: a kubeconfig context, or the simulated cluster. */
  source: string;
  status: SourceStatus;
  /** Namespaces whose policies are unknown, or "all". */
  unknown: 'all' | string[];
  /** ISO time of the last applied event. */
  lastEventAt?: string;
  seq: number;
}

/** `hello`: sent once on connect. */
export interface HelloMessage {
  protocol: number;
  server: string;
  source: string;
  seq: number;
  /** Whether the server keeps history (views may then ask for a past instant, `ViewSpec.at`). */
  history: boolean;
}

export interface ViewSubscribeRequest {
  view: ViewSpec;
}

export interface ViewSubscribed {
  viewId: string;
  /** The normalized spec: equal specs get the same viewId. */
  view: ViewSpec;
  /**
   * The view's seq when the subscription was taken. A snapshot follows, possibly a little older,
   * then the deltas since: the client is current once its state reaches this seq.
   */
  seq: number;
}

export interface ViewResyncRequest {
  viewId: string;
  /** The last seq the client applied: the server replays what followed, or sends a snapshot. */
  seq: number;
}

export interface ViewResynced {
  mode: 'replay' | 'snapshot';
  /** Deltas replayed (mode replay). */
  deltas: number;
}

/** An endpoint: a pod id `namespace/name`, a workload or namespace id of the level, or `ip:...` external id. */
export interface ExplainRequest {
  level: ViewSpec['level'];
  from: string;
  to: string;
  port?: { protocol: 'TCP' | 'UDP' | 'SCTP'; port: number };
  /** A past instant (ISO), as in `ViewSpec.at`: explained as the cluster was then. */
  at?: string;
}

export interface DirectionExplanationJSON {
  /** False: no NetworkPolicy isolates this side in this direction. */
  isolated: boolean;
  /** The NetworkPolicies isolating this side. */
  policies: string[];
  /**
   * Every rule of those NetworkPolicies whose peers match the other side, with the ports it opens
   * (`tier: 'np'` when the cluster has admin policies).
   */
  rules: (RuleRef & { ports: PortsJSON })[];
  /** What this direction allows in total, every tier counted. */
  ports: PortsJSON;
  /** Only when admin policies with rules in this direction select this side. */
  admin?: AdminExplanationJSON;
  /**
   * Only with `admin`: how the tiers decided this direction, in evaluation order: which rule of
   * which tier decided which ports, and how (see DecisionStepJSON).
   */
  decision?: DecisionStepJSON[];
}

/** The admin tiers of one direction (the engine's AdminExplanation, as JSON). */
export interface AdminExplanationJSON {
  /** The AdminNetworkPolicies selecting this side (names), in evaluation order. */
  policies: string[];
  /** Whether the BaselineAdminNetworkPolicy selects it. */
  baseline: boolean;
  /**
   * Every admin rule whose peers match the other side, in evaluation order, with the ports it
   * decides (those no earlier rule of its tier decided). Baseline rules only when no
   * NetworkPolicy isolates the side (otherwise the baseline is not consulted).
   */
  rules: (RuleRef & { tier: 'anp' | 'banp'; action: AdminAction; ports: PortsJSON })[];
  /** The ports no AdminNetworkPolicy rule allows or denies: NetworkPolicies decide them when `isolated`, else the baseline, else allowed. */
  passed: PortsJSON;
}

/**
 * One step of the tiers' decision for a direction: these ports were decided by this tier, this
 * way. `anp`: an AdminNetworkPolicy rule (Allow, Deny, or Pass: handed to the tiers below);
 * `np`: passed to the NetworkPolicies isolating the side, which allow (Allow) or deny (Deny) them;
 * `banp`: a BaselineAdminNetworkPolicy rule; `default`: no rule of any tier matched (allowed).
 */
export interface DecisionStepJSON {
  tier: Tier;
  action: AdminAction;
  ports: PortsJSON;
  /** Admin rules: the policy's name and the rule's index in its ingress or egress list. */
  policy?: string;
  rule?: number;
  /** The rule's `name`, when it has one. */
  ruleName?: string;
  /** AdminNetworkPolicies: the priority. */
  priority?: number;
  /** For people: `ANP deny-ci-to-prod (priority 20) rule 0 "deny-from-ci": Deny`, `passed to NetworkPolicy: allowed`. */
  text: string;
}

/** A pod-level explanation (the engine's `Explanation`, as JSON). */
export interface ExplanationJSON {
  allowed: PortsJSON;
  /** Allowed at all, or on the asked port. */
  verdict: boolean;
  egress: DirectionExplanationJSON;
  ingress: DirectionExplanationJSON;
  note?: 'self' | 'not-applicable';
}

/** Why `from` may (or may not) reach `to`: per direction, the isolating policies and the matching rules. */
export interface ExplainResult {
  level: ViewSpec['level'];
  from: string;
  to: string;
  allowed: PortsJSON;
  /** Pod pairs behind a grouped cell: allowing, out of all. */
  pairs: { allowed: number; total: number };
  /** Pod level: the full explanation. Grouped levels: the merged reasons of every pod pair. */
  explanation?: ExplanationJSON;
  reasons?: { ingress: 'unisolated' | RuleRef[] | null; egress: 'unisolated' | RuleRef[] | null };
  /** True when either side's policies are unknown: the answer is not known. */
  unknown: boolean;
}

/**
 * `policy`: a NetworkPolicy id (`namespace/name`), or an admin policy as
 * `AdminNetworkPolicy/<name>` or `BaselineAdminNetworkPolicy/default` (a namespace name has no
 * capital letters, so the two forms never clash).
 */
/** `at`: a past instant (ISO), as in `ViewSpec.at`. */
export type PolicySelectionRequest = ({ policy: string } | { pod: string }) & { at?: string };

export interface PolicySelection {
  /** For `{policy}`: the pods its podSelector (an admin policy: its subject) selects (sorted). */
  pods?: string[];
  /** For `{pod}`: the NetworkPolicies selecting it, per direction they isolate. */
  policies?: { ingress: string[]; egress: string[] };
  /**
   * For `{pod}`, when the cluster has admin policies: those selecting it, as ids (`AdminNetworkPolicy/<name>`,
   * `BaselineAdminNetworkPolicy/default`) per direction they have rules for, in evaluation order.
   */
  adminPolicies?: { ingress: string[]; egress: string[] };
}

/** `policy:list`: every policy of every tier, in evaluation order (ANPs by priority, NetworkPolicies, the BANP). */
export interface PolicyList {
  policies: PolicySummary[];
}

export interface PolicySummary {
  /** `namespace/name`, `AdminNetworkPolicy/<name>` or `BaselineAdminNetworkPolicy/default` (as `policy:selection` takes it). */
  id: string;
  tier: 'anp' | 'np' | 'banp';
  name: string;
  /** NetworkPolicies only. */
  namespace?: string;
  /** AdminNetworkPolicies only: 0-1000, lower first. */
  priority?: number;
  /** Pods it selects (its podSelector or subject) among the pods of the matrix; null when its data is unknown. */
  pods: number | null;
  /** Rules per direction; for NetworkPolicies, null when the direction is not in its effective policyTypes. */
  ingressRules: number | null;
  egressRules: number | null;
  /** Findings about it. */
  findings: number;
  /** True when this policy's tier or namespace is not fully known (not synced, or forbidden): the list may be incomplete there. */
  unknown: boolean;
}

/**
 * `whatif:objects`: the live cluster as the engine sees it, for a what-if the browser computes
 * with the shared engine (nothing is written to the cluster). Model objects (shared/model/types.ts),
 * never the raw ones: no managedFields, no Secrets or any kind the engine does not read.
 */
export interface WhatIfObjects {
  /** The engine's seq these objects are at. */
  seq: number;
  /** ISO time of the last event folded in. */
  at: string;
  /** What is watched (as in `hello`). */
  source: string;
  /** The options the live analysis runs with: the preview must use the same. */
  options: AnalysisOptions;
  /** Namespaces, pods, NetworkPolicies, AdminNetworkPolicies, the BaselineAdminNetworkPolicy, and the workloads the pods form. */
  objects: Cluster;
  /** Namespaces whose policies are unknown (not synced yet, or forbidden), or "all": the preview cannot know them. */
  unknown: 'all' | string[];
}

export interface ServerToClientEvents {
  hello: (message: HelloMessage) => void;
  'view:snapshot': (message: ViewSnapshotMessage) => void;
  'view:delta': (message: ViewDelta) => void;
  'source:status': (message: SourceStatusMessage) => void;
}

export interface ClientToServerEvents {
  'view:subscribe': (request: ViewSubscribeRequest, ack: (response: Ack<ViewSubscribed>) => void) => void;
  'view:unsubscribe': (request: { viewId: string }, ack: (response: Ack<null>) => void) => void;
  'view:resync': (request: ViewResyncRequest, ack: (response: Ack<ViewResynced>) => void) => void;
  'explain:connection': (request: ExplainRequest, ack: (response: Ack<ExplainResult>) => void) => void;
  'policy:selection': (request: PolicySelectionRequest, ack: (response: Ack<PolicySelection>) => void) => void;
  'policy:list': (request: { at?: string }, ack: (response: Ack<PolicyList>) => void) => void;
  'whatif:objects': (request: Record<string, never>, ack: (response: Ack<WhatIfObjects>) => void) => void;
}

/** What the server keeps on each socket. */
export interface SocketData {
  /** Views this socket is subscribed to. */
  views: Set<string>;
  /**
   * Views whose deltas are held back from this socket: because it is not reading (the value is the
   * last seq it was sent; once it drains it gets the deltas since, or a snapshot), or because its
   * snapshot is being prepared (null).
   */
  held: Map<string, number | null>;
}
