// The socket.io contract between the server and every client. Events are named `domain:verb` and
// carry one object. Requests from the client are acknowledged with an `Ack<T>`; the server checks
// every client payload against the schemas in ./schemas.ts before it reads it.
import type { RuleRef } from '../engine/analysis.ts';
import type { SourceStatus } from '../model/status.ts';
import type { PortsJSON, ViewDelta, ViewSpec } from './view.ts';

/** Bumped when a message changes incompatibly; the client sends it in the handshake (`auth.protocol`). */
export const PROTOCOL_VERSION = 1;

export type ErrorCode = 'bad-request' | 'not-found' | 'unauthorized' | 'protocol-mismatch' | 'too-many-views' | 'internal';

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
}

export interface DirectionExplanationJSON {
  /** False: no policy isolates this side in this direction, so it allows everything. */
  isolated: boolean;
  /** The policies isolating this side. */
  policies: string[];
  /** Every rule of those policies whose peers match the other side, with the ports it opens. */
  rules: (RuleRef & { ports: PortsJSON })[];
  ports: PortsJSON;
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

export type PolicySelectionRequest = { policy: string } | { pod: string };

export interface PolicySelection {
  /** For `{policy}`: the pods its podSelector selects (sorted). */
  pods?: string[];
  /** For `{pod}`: the policies selecting it, per direction they isolate. */
  policies?: { ingress: string[]; egress: string[] };
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
