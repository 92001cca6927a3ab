// A view of the connectivity matrix as clients hold it: the shape of `view:snapshot` once decoded,
// the shape of `view:delta`, and the one function that folds a delta into a view. The server and
// every client (the dashboard, tests, third parties) apply deltas with this same code.
import type { Finding } from '../engine/analysis.ts';
import { sortFindings } from '../engine/findings.ts';
import type { PortRange } from '../model/port-set.ts';
import type { Protocol } from '../model/types.ts';
import type { SourceStatus } from '../model/status.ts';

export type ViewLevel = 'namespace' | 'workload' | 'pod';
export const VIEW_LEVELS: readonly ViewLevel[] = ['namespace', 'workload', 'pod'];

/** What a client wants to see. Equal specs (after normalization) share one server-side computation. */
export interface ViewSpec {
  level: ViewLevel;
  /** `"all"`, or the namespaces whose pods are nodes of the view (externals are always nodes). */
  namespaces: 'all' | string[];
  /** A label selector in kubectl syntax (`app=web,tier in (db,cache),!canary`): only matching pods count. */
  labels?: string;
  /** Only connections that allow this port (and pairs counted on it). */
  port?: { protocol: Protocol; port: number };
  /** Only pods not isolated in some direction, and the connections touching them. */
  unprotectedOnly?: boolean;
  /**
   * A past instant (ISO time): the view shows the cluster as it was then, rebuilt from the
   * server's history, and never changes (no deltas). Absent: the live cluster.
   */
  at?: string;
}

/** `"all"` or canonical ranges (the `allowed` shape of the analysis JSON). */
export type PortsJSON = 'all' | PortRange[];

/** Isolation per direction; null = unknown (policies not synced, or forbidden). */
export interface ViewIsolation {
  ingress: boolean | null;
  egress: boolean | null;
}

export interface ViewNode {
  id: string;
  kind: 'namespace' | 'workload' | 'pod' | 'external';
  /** Absent for externals. */
  namespace?: string;
  name: string;
  /** Workload kind (Deployment, ...) for workloads and pods. */
  workloadKind?: string;
  /** For pods: the workload id. */
  workload?: string;
  /** For pods. */
  labels?: Record<string, string>;
  ips?: string[];
  /** For pods: container ports (named ones can be referenced by policies). */
  ports?: { name: string; protocol: Protocol; port: number }[];
  /** For pods that stand for a workload manifest without pods (offline analysis). */
  template?: boolean;
  /** For externals: the address ranges. */
  ranges?: string[];
  /** Pods behind the node (1 for a pod, 0 for an external). */
  pods: number;
  /** For pods: the pod's isolation. For groups: true when every pod is isolated. Null: unknown. */
  isolation: ViewIsolation;
  /** Pods of the node not isolated, per direction (null: unknown). */
  unprotected: { ingress: number | null; egress: number | null };
  /** True when the node's policies are unknown: no connection to or from it is listed. */
  unknown?: boolean;
  /**
   * Pod level only: the node's row key and column key. Two pods with the same row key have the same
   * row (see `ViewState.keyCells`); -1 when the pod is unknown.
   */
  row?: number;
  col?: number;
}

/** A grouped cell: ports allowed from `from` to `to`, and how many pod pairs allow something. */
export interface ViewCell {
  ports: PortsJSON;
  /** Pod pairs behind the cell: allowing (on the port of interest, when set), out of all. */
  allowed: number;
  total: number;
}

/** What a client holds for one view. Maps are keyed by node id, or `from\tto`. */
export interface ViewState {
  viewId: string;
  view: ViewSpec;
  seq: number;
  /** ISO time of the state (the last event applied). */
  at: string;
  nodes: Map<string, ViewNode>;
  /** Namespace and workload levels (and external cells at pod level): the non-empty cells. */
  cells: Map<string, ViewCell>;
  /**
   * Pod level: the class-level form of the pod matrix, keyed `row\tcol`. The cell from pod A to pod
   * B (A ≠ B) is `keyCells.get(A.row + '\t' + B.col)`; absent = nothing allowed. Never pods².
   */
  keyCells: Map<string, PortsJSON>;
  findings: Finding[];
  status: SourceStatus;
  /** Namespaces whose pods are unknown, or `"all"`. */
  unknown: 'all' | string[];
}

/**
 * `view:delta`: everything that changed since `prevSeq`. Apply only when `prevSeq` is your `seq`,
 * with `applyViewDelta`.
 *
 * Protocol 2: a cell whose every pod pair is allowed (`allowed === total`: nearly every cell of a
 * workload view) stays so when only its nodes' pod counts change, and the delta leaves it out: a
 * pod more in a workload would otherwise resend the workload's whole row and column. The client
 * recounts such cells from the nodes' new `pods` (`recountedCell`); cells listed in the delta
 * replace whatever the recount gave.
 */
export interface ViewDelta {
  viewId: string;
  seq: number;
  prevSeq: number;
  at: string;
  nodes: { upsert: ViewNode[]; remove: string[] };
  cells: { upsert: [from: string, to: string, cell: ViewCell][]; remove: [from: string, to: string][] };
  keyCells: { upsert: [row: number, col: number, ports: PortsJSON][]; remove: [row: number, col: number][] };
  findings: { added: Finding[]; removed: Finding[] };
  status?: SourceStatus;
  unknown?: 'all' | string[];
}

/** Normalized spec: field order fixed, namespace list sorted, so equal views share one computation. */
export function normalizeView(view: ViewSpec): ViewSpec {
  return {
    level: view.level,
    namespaces: view.namespaces === 'all' ? 'all' : [...new Set(view.namespaces)].sort(),
    ...(view.labels?.trim() ? { labels: view.labels.trim() } : {}),
    ...(view.port ? { port: { protocol: view.port.protocol, port: view.port.port } } : {}),
    ...(view.unprotectedOnly ? { unprotectedOnly: true } : {}),
    ...(view.at ? { at: new Date(view.at).toISOString() } : {}),
  };
}

/** The id of a view: its normalized spec as JSON (clients can compute it before subscribing). */
export const viewIdOf = (view: ViewSpec): string => JSON.stringify(normalizeView(view));

export const cellKey = (from: string, to: string): string => `${from}\t${to}`;

export const findingKey = (f: Finding): string => `${f.kind}|${f.subject}|${f.field ?? ''}|${f.direction ?? ''}`;

/** The cell from node `from` to node `to`, at any level; undefined when nothing is allowed. */
export function cellOf(state: ViewState, from: ViewNode, to: ViewNode): ViewCell | PortsJSON | undefined {
  const grouped = state.cells.get(cellKey(from.id, to.id));
  // Pod level: pods and external ranges carry keys; two externals never connect.
  const keyed = (n: ViewNode) => n.kind === 'pod' || n.kind === 'external';
  if (grouped || !keyed(from) || !keyed(to) || from.id === to.id || (from.kind === 'external' && to.kind === 'external')) return grouped;
  if (from.row === undefined || to.col === undefined || from.row < 0 || to.col < 0) return undefined;
  return state.keyCells.get(`${from.row}\t${to.col}`);
}

/** Pod pairs between two nodes: every pod of one with every other pod of the other (an external range counts as one end). */
export function pairsBetween(from: ViewNode, to: ViewNode): number {
  if (from.kind === 'external') return to.pods;
  if (to.kind === 'external') return from.pods;
  return from.pods * to.pods - (from.id === to.id ? from.pods : 0);
}

/** A cell after its nodes' pod counts changed, as a client recounts it (see ViewDelta): only cells with every pair allowed change. */
export function recountedCell(cell: ViewCell, from: ViewNode | undefined, to: ViewNode | undefined): ViewCell {
  if (cell.allowed !== cell.total || from === undefined || to === undefined) return cell;
  const pairs = pairsBetween(from, to);
  return pairs === cell.total ? cell : { ports: cell.ports, allowed: pairs, total: pairs };
}

/**
 * Cell keys by node (rows and columns), kept beside a state's cells for recounting: arrays of
 * the very key strings of the map (two slots a cell; the workload view of the M cluster has half
 * a million cells). Keys of removed cells stay until a recount meets them.
 */
interface CellIndex {
  rows: Map<string, string[]>;
  cols: Map<string, string[]>;
}

const indexes = new WeakMap<Map<string, ViewCell>, CellIndex>();

function indexCell(index: CellIndex, key: string, from: string, to: string): void {
  const row = index.rows.get(from);
  if (row) row.push(key);
  else index.rows.set(from, [key]);
  const col = index.cols.get(to);
  if (col) col.push(key);
  else index.cols.set(to, [key]);
}

/** Sets a cell, keeping the index (when the key is new: a key is listed once while its cell lives). */
export function putCell(cells: Map<string, ViewCell>, from: string, to: string, cell: ViewCell): void {
  const key = cellKey(from, to);
  const index = indexes.get(cells);
  if (index && !cells.has(key)) indexCell(index, key, from, to);
  cells.set(key, cell);
}

/** Starts keeping the index of a state's cells (done when a snapshot is read, so that the first recount does not stall). */
export function trackCells(cells: Map<string, ViewCell>): void {
  cellIndex(cells);
}

/** The index of a state's cells, built on first use, then kept by putCell. */
function cellIndex(cells: Map<string, ViewCell>): CellIndex {
  let index = indexes.get(cells);
  if (!index) {
    index = { rows: new Map(), cols: new Map() };
    for (const key of cells.keys()) {
      const tab = key.indexOf('\t');
      indexCell(index, key, key.slice(0, tab), key.slice(tab + 1));
    }
    indexes.set(cells, index);
  }
  return index;
}

/** Recounts the cells in the rows and columns of nodes whose pod counts changed. */
function recount(state: ViewState, nodes: ReadonlySet<string>): void {
  const index = cellIndex(state.cells);
  const redo = (keys: string[] | undefined) => {
    if (!keys) return;
    let live = 0;
    const seen = new Set<string>();
    for (const key of keys) {
      const cell = state.cells.get(key);
      // A removed cell's key (or a second listing of a key removed and set again): dropped.
      if (!cell || seen.has(key)) continue;
      seen.add(key);
      keys[live++] = key;
      const tab = key.indexOf('\t');
      const next = recountedCell(cell, state.nodes.get(key.slice(0, tab)), state.nodes.get(key.slice(tab + 1)));
      if (next !== cell) state.cells.set(key, next);
    }
    keys.length = live;
  };
  for (const id of nodes) {
    redo(index.rows.get(id));
    redo(index.cols.get(id));
  }
}

/**
 * Folds a delta into a state in place. Returns false (and changes nothing) when the delta does not
 * follow the state: the client has missed something and must ask for a resync.
 */
export function applyViewDelta(state: ViewState, delta: ViewDelta): boolean {
  if (delta.viewId !== state.viewId || delta.prevSeq !== state.seq) return false;
  const recounted = new Set<string>();
  for (const id of delta.nodes.remove) state.nodes.delete(id);
  for (const node of delta.nodes.upsert) {
    const before = state.nodes.get(node.id);
    if (before !== undefined && before.pods !== node.pods) recounted.add(node.id);
    state.nodes.set(node.id, node);
  }
  if (recounted.size > 0) recount(state, recounted);
  for (const [from, to] of delta.cells.remove) state.cells.delete(cellKey(from, to));
  for (const [from, to, cell] of delta.cells.upsert) putCell(state.cells, from, to, cell);
  for (const [row, col] of delta.keyCells.remove) state.keyCells.delete(`${row}\t${col}`);
  for (const [row, col, ports] of delta.keyCells.upsert) state.keyCells.set(`${row}\t${col}`, ports);
  if (delta.findings.removed.length > 0 || delta.findings.added.length > 0) {
    const gone = new Set(delta.findings.removed.map(findingKey));
    state.findings = sortFindings([...state.findings.filter((f) => !gone.has(findingKey(f))), ...delta.findings.added]);
  }
  if (delta.status) state.status = delta.status;
  if (delta.unknown) state.unknown = delta.unknown;
  state.seq = delta.seq;
  state.at = delta.at;
  return true;
}
