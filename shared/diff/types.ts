// What changed between two analyses (two instants of a cluster, or a cluster and the same cluster
// with manifests applied): plain, JSON-ready data, so the CLI, the server and the browser share it.
import type { DirectionReason, Finding } from '../engine/analysis.ts';
import type { Group } from '../matrix/matrix.ts';
import type { PortRange } from '../model/port-set.ts';

/** `"all"` (every port of TCP, UDP and SCTP), or ranges sorted by protocol then port; `[]` is none. */
export type Ports = 'all' | PortRange[];

/** One side of a changed cell. */
export interface CellSide {
  /** What the cell allows on this side: the union over its pod pairs (`[]`: nothing). */
  allowed: Ports;
  /** Grouped levels: how many of the pod pairs behind the cell allow something, of how many. */
  pairs?: { allowed: number; total: number };
  /** The rules that allow it (merged over the pod pairs, as in the analysis), when something is allowed. */
  reasons?: { ingress: DirectionReason; egress: DirectionReason };
}

/**
 * A matrix cell (`from` => `to`, node ids as the analysis names them at this level, or `ip:...`
 * external ranges) whose connectivity changed.
 *
 * `gained` / `lost`: every port some pod pair behind the cell gained or lost (pairs whose pods are
 * in the cell on both sides), plus the ports the cell as a whole gained or lost when pods joined
 * or left it. At pod level: exactly the ports the pair gained or lost.
 */
export interface ConnectionChange {
  from: string;
  to: string;
  /** `gained`: nothing was allowed before; `lost`: nothing is allowed after; `changed`: the rest. */
  change: 'gained' | 'lost' | 'changed';
  gained: Ports;
  lost: Ports;
  /** null when a node of the cell does not exist on that side. */
  before: CellSide | null;
  after: CellSide | null;
  /** Grouped levels: how many pod pairs (in the cell on both sides) allow different ports now. */
  pairsChanged?: number;
}

export interface NodeState {
  pods: number;
  /** True when every pod of the node is isolated in that direction. */
  isolation: { ingress: boolean; egress: boolean };
  /** Pods of the node not isolated, per direction. */
  unprotected: { ingress: number; egress: number };
}

/** A node (pod, workload or namespace) that appeared, disappeared, or whose protection or size changed. */
export interface NodeChange {
  id: string;
  kind: Group;
  change: 'appeared' | 'disappeared' | 'changed';
  before: NodeState | null;
  after: NodeState | null;
  /**
   * Per direction: pods of the node on both sides, isolated before and unprotected after, plus the
   * unprotected pods that joined the node beyond the unprotected pods that left it (a rollout that
   * replaces unprotected pods by unprotected pods exposes nothing new; a new workload's pods count).
   */
  becameUnprotected: { ingress: number; egress: number };
  /** Pods of the node on both sides, unprotected before and isolated after, per direction. */
  becameProtected: { ingress: number; egress: number };
}

export type PolicyTier = 'np' | 'anp' | 'banp';

export interface PolicyChange {
  /** `np` a NetworkPolicy, `anp` an AdminNetworkPolicy, `banp` the BaselineAdminNetworkPolicy. */
  tier: PolicyTier;
  /** `namespace/name` of a NetworkPolicy, the name of an admin policy (`default` for the baseline). */
  id: string;
  change: 'added' | 'changed' | 'deleted';
  /** For `changed`: the spec fields that differ, e.g. `spec.podSelector`, `spec.ingress[1]`, `spec.priority`. */
  fields?: string[];
  /** The manifest files the policy came from, when known. */
  source?: { before?: string; after?: string };
}

export interface DiffSummary {
  connections: { gained: number; lost: number; changed: number };
  /** Cells with ports gained (gained or changed cells with something in `gained`). */
  connectionsWithGainedPorts: number;
  nodes: { appeared: number; disappeared: number; changed: number };
  /** Pods that became unprotected / protected, per direction, summed over nodes. */
  podsBecameUnprotected: { ingress: number; egress: number };
  podsBecameProtected: { ingress: number; egress: number };
  policies: { added: number; changed: number; deleted: number };
  findings: { added: number; removed: number };
}

export interface ConnectivityDiff {
  group: Group;
  summary: DiffSummary;
  /** Sorted by from then to; cells with an external range come after those between nodes. */
  connections: ConnectionChange[];
  nodes: NodeChange[];
  policies: PolicyChange[];
  /** A finding whose text changed is removed and added again. */
  findings: { added: Finding[]; removed: Finding[] };
  /** What the diff could not compare, in words (e.g. IPv6 ranges that only one side models). */
  notes: string[];
}
