// The graph view's model and layout, as pure functions (no DOM, no Vue, no randomness): the same
// view state always gives the same picture, so screenshots, exports and tests are stable.
//
// - Model: the view's nodes grouped by namespace (externals in a group of their own; at namespace
//   level the namespaces share one group), and its allowed connections as edges. Above
//   AGGREGATE_ABOVE nodes (or MAX_NODE_EDGES edges) edges are aggregated to group level; the focused
//   node's own edges are still listed exactly (`focusEdges`).
// - Layout: each group is a box with its nodes inside (a grid, a ring for a handful of namespaces,
//   a list for external ranges); boxes are packed row by row in id order, externals to the right.
//   Given the previous layout, nodes keep their slots and boxes their places, so a live delta
//   never makes the picture jump.
// - Geometry: edge paths (curved inside a box, bundled through shared border points between
//   boxes), as SVG path data that both the SVG and the canvas renderers draw.
import { compareText } from '../../shared/model/order.ts';
import { cellKey, type PortsJSON, type ViewCell, type ViewLevel, type ViewNode, type ViewState } from '../../shared/protocol/view.ts';

/** Above this many nodes, edges are drawn between groups (namespaces) instead of nodes. */
export const AGGREGATE_ABOVE = 1500;
/** Above this many node-level edges, edges are aggregated too. */
export const MAX_NODE_EDGES = 5_000;

export const EXTERNAL_GROUP = 'external';
export const CLUSTER_GROUP = 'cluster';

export type EdgeKind = 'all' | 'some';
export type NodeStatus = 'protected' | 'unprotected' | 'unknown' | 'external';

export interface GraphEdge {
  /** `from\tto` */
  key: string;
  /** Node ids, or group ids for aggregated edges. */
  from: string;
  to: string;
  kind: EdgeKind;
  /** Every port, or the ports (null for an aggregated edge: they differ per node pair). */
  ports: PortsJSON | null;
  /** Pod pairs that allow something (1 per pod pair at pod level; 0 for external ends). */
  pairs: number;
  /** Pod pairs behind the edge (grouped levels). */
  total: number;
  /** Group-level edge standing for `count` node-level edges. */
  aggregated: boolean;
  count: number;
}

export interface GraphGroup {
  id: string;
  kind: 'namespace' | 'cluster' | 'external';
  label: string;
  nodeIds: string[];
}

export interface GraphModel {
  viewId: string;
  level: ViewLevel;
  /** Sorted: by id, externals last. */
  nodes: ViewNode[];
  groups: GraphGroup[];
  groupOf: Map<string, string>;
  /** Node-level edges, or group-level ones when `aggregated`. */
  edges: GraphEdge[];
  aggregated: boolean;
  /** Node-level connections (self pairs included at grouped levels), counted even when aggregated. */
  connections: number;
}

export type AggregateMode = 'auto' | 'always' | 'never';

/** Display order of nodes: by id (plain code-unit order, like the matrix), external ranges last. */
export function compareNodes(a: ViewNode, b: ViewNode): number {
  const ea = a.kind === 'external' ? 1 : 0;
  const eb = b.kind === 'external' ? 1 : 0;
  return ea - eb || compareText(a.id, b.id);
}

export function nodeStatus(n: ViewNode): NodeStatus {
  if (n.kind === 'external') return 'external';
  if (n.unknown || n.isolation.ingress === null || n.isolation.egress === null) return 'unknown';
  return (n.unprotected.ingress ?? 0) > 0 || (n.unprotected.egress ?? 0) > 0 ? 'unprotected' : 'protected';
}

export function edgeKindOf(ports: PortsJSON): EdgeKind | null {
  if (ports === 'all') return 'all';
  return ports.length === 0 ? null : 'some';
}

function groupIdOf(level: ViewLevel, n: ViewNode): string {
  if (n.kind === 'external') return EXTERNAL_GROUP;
  if (level === 'namespace') return CLUSTER_GROUP;
  return `ns:${n.namespace ?? n.id}`;
}

/**
 * Every allowed node-level connection of a state: grouped cells as they are, pod-level cells
 * expanded from the class-level form (row key × column key). `visit` returns false to stop.
 */
export function forEachConnection(state: ViewState, visit: (from: ViewNode, to: ViewNode, ports: PortsJSON, cell: ViewCell | null) => boolean | void): void {
  const seen = new Set<string>();
  for (const [key, cell] of state.cells) {
    const tab = key.indexOf('\t');
    const from = state.nodes.get(key.slice(0, tab));
    const to = state.nodes.get(key.slice(tab + 1));
    if (!from || !to) continue;
    seen.add(key);
    if (visit(from, to, cell.ports, cell) === false) return;
  }
  if (state.keyCells.size === 0) return;
  const { byRow, byCol } = keyIndex(state);
  for (const [key, ports] of state.keyCells) {
    const tab = key.indexOf('\t');
    const froms = byRow.get(Number(key.slice(0, tab)));
    const tos = byCol.get(Number(key.slice(tab + 1)));
    if (!froms || !tos) continue;
    for (const from of froms) {
      for (const to of tos) {
        if (from === to || seen.has(cellKey(from.id, to.id))) continue;
        if (visit(from, to, ports, null) === false) return;
      }
    }
  }
}

/** Pod-level nodes by row key and by column key (externals carry keys too at pod level). */
function keyIndex(state: ViewState): { byRow: Map<number, ViewNode[]>; byCol: Map<number, ViewNode[]> } {
  const byRow = new Map<number, ViewNode[]>();
  const byCol = new Map<number, ViewNode[]>();
  for (const n of state.nodes.values()) {
    if (n.row !== undefined && n.row >= 0) (byRow.get(n.row) ?? byRow.set(n.row, []).get(n.row)!).push(n);
    if (n.col !== undefined && n.col >= 0) (byCol.get(n.col) ?? byCol.set(n.col, []).get(n.col)!).push(n);
  }
  return { byRow, byCol };
}

function nodeEdge(from: ViewNode, to: ViewNode, ports: PortsJSON, cell: ViewCell | null): GraphEdge | null {
  const kind = edgeKindOf(ports);
  if (!kind) return null;
  return {
    key: cellKey(from.id, to.id),
    from: from.id,
    to: to.id,
    kind,
    ports,
    pairs: cell ? cell.allowed : 1,
    total: cell ? cell.total : 1,
    aggregated: false,
    count: 1,
  };
}

/** Number of node-level connections, without listing them (pod level: row × column sizes). */
export function countConnections(state: ViewState): number {
  let count = 0;
  for (const key of state.cells.keys()) {
    const tab = key.indexOf('\t');
    if (state.nodes.has(key.slice(0, tab)) && state.nodes.has(key.slice(tab + 1))) count++;
  }
  if (state.keyCells.size === 0) return count;
  const { byRow, byCol } = keyIndex(state);
  // Pods holding both keys of an entry would count a pod to itself: take them out.
  const both = new Map<string, number>();
  for (const n of state.nodes.values()) if (n.row !== undefined && n.col !== undefined && n.row >= 0 && n.col >= 0) both.set(`${n.row}\t${n.col}`, (both.get(`${n.row}\t${n.col}`) ?? 0) + 1);
  for (const [key, ports] of state.keyCells) {
    if (!edgeKindOf(ports)) continue;
    const tab = key.indexOf('\t');
    const rows = byRow.get(Number(key.slice(0, tab)))?.length ?? 0;
    const cols = byCol.get(Number(key.slice(tab + 1)))?.length ?? 0;
    count += rows * cols - (both.get(key) ?? 0);
  }
  return count;
}

export function graphModel(state: ViewState, options: { aggregate?: AggregateMode } = {}): GraphModel {
  const level = state.view.level;
  const nodes = [...state.nodes.values()].sort(compareNodes);
  const groupOf = new Map<string, string>();
  const groups = new Map<string, GraphGroup>();
  for (const n of nodes) {
    const id = groupIdOf(level, n);
    groupOf.set(n.id, id);
    let g = groups.get(id);
    if (!g) {
      g = {
        id,
        kind: id === EXTERNAL_GROUP ? 'external' : id === CLUSTER_GROUP ? 'cluster' : 'namespace',
        label: id === EXTERNAL_GROUP ? 'External ranges' : id === CLUSTER_GROUP ? 'Namespaces' : (n.namespace ?? n.id),
        nodeIds: [],
      };
      groups.set(id, g);
    }
    g.nodeIds.push(n.id);
  }
  const mode = options.aggregate ?? 'auto';
  // At namespace level the nodes are the groups: there is nothing to aggregate to. Counting the
  // connections is only needed when the node count alone does not decide.
  const aggregated =
    level !== 'namespace' && (mode === 'always' || (mode === 'auto' && (nodes.length > AGGREGATE_ABOVE || countConnections(state) > MAX_NODE_EDGES)));
  let edges: GraphEdge[] = [];
  let connections = 0;
  if (!aggregated) {
    forEachConnection(state, (from, to, ports, cell) => {
      const e = nodeEdge(from, to, ports, cell);
      if (e) edges.push(e);
    });
    connections = edges.length;
    // View order (the cells' map order depends on the history of deltas): by source, then destination.
    const rank = new Map(nodes.map((n, i) => [n.id, i]));
    const n = nodes.length;
    edges = edges
      .map((e) => [rank.get(e.from)! * n + rank.get(e.to)!, e] as const)
      .sort((x, y) => x[0] - y[0])
      .map(([, e]) => e);
  } else {
    // One pass, groups by index and group pairs by number: big views have hundreds of thousands of cells.
    const groupList = [...groups.values()];
    const index = new Map(groupList.map((g, i) => [g.id, i]));
    const nodeGroup = new Map<string, number>();
    for (const [id, g] of groupOf) nodeGroup.set(id, index.get(g)!);
    const G = groupList.length;
    const byPair = new Map<number, GraphEdge>();
    const add = (a: number, b: number, kind: EdgeKind, pairs: number, total: number, count: number) => {
      connections += count;
      const e = byPair.get(a * G + b);
      if (!e) {
        const from = groupList[a]!.id;
        const to = groupList[b]!.id;
        byPair.set(a * G + b, { key: cellKey(from, to), from, to, kind, ports: null, pairs, total, aggregated: true, count });
      } else {
        if (kind === 'some') e.kind = 'some';
        e.pairs += pairs;
        e.total += total;
        e.count += count;
      }
    };
    for (const [key, cell] of state.cells) {
      const tab = key.indexOf('\t');
      const a = nodeGroup.get(key.slice(0, tab));
      const b = nodeGroup.get(key.slice(tab + 1));
      const kind = edgeKindOf(cell.ports);
      if (a !== undefined && b !== undefined && kind) add(a, b, kind, cell.allowed, cell.total, 1);
    }
    if (state.keyCells.size > 0) aggregateKeyCells(state, nodeGroup, add);
    // Group pairs in group order (groups are in node order).
    edges = [...byPair.entries()].sort((x, y) => x[0] - y[0]).map(([, e]) => e);
  }
  return { viewId: state.viewId, level, nodes, groups: [...groups.values()], groupOf, edges, aggregated, connections };
}

/** Group-level edges from the class-level pod matrix, without expanding pod pairs. */
function aggregateKeyCells(state: ViewState, nodeGroup: Map<string, number>, add: (from: number, to: number, kind: EdgeKind, pairs: number, total: number, count: number) => void): void {
  const count = (map: Map<string, Map<number, number>>, key: string, group: number) => {
    const m = map.get(key) ?? map.set(key, new Map()).get(key)!;
    m.set(group, (m.get(group) ?? 0) + 1);
  };
  const rowGroups = new Map<string, Map<number, number>>();
  const colGroups = new Map<string, Map<number, number>>();
  const bothGroups = new Map<string, Map<number, number>>();
  for (const n of state.nodes.values()) {
    const g = nodeGroup.get(n.id)!;
    const hasRow = n.row !== undefined && n.row >= 0;
    const hasCol = n.col !== undefined && n.col >= 0;
    if (hasRow) count(rowGroups, String(n.row), g);
    if (hasCol) count(colGroups, String(n.col), g);
    if (hasRow && hasCol) count(bothGroups, `${n.row}\t${n.col}`, g);
  }
  for (const [key, ports] of state.keyCells) {
    const kind = edgeKindOf(ports);
    if (!kind) continue;
    const tab = key.indexOf('\t');
    const rows = rowGroups.get(key.slice(0, tab));
    const cols = colGroups.get(key.slice(tab + 1));
    if (!rows || !cols) continue;
    const self = bothGroups.get(key);
    for (const [fg, fn] of rows) {
      for (const [tg, tn] of cols) {
        const pairs = fn * tn - (fg === tg ? (self?.get(fg) ?? 0) : 0);
        if (pairs > 0) add(fg, tg, kind, pairs, pairs, pairs);
      }
    }
  }
}

/** The exact node-level edges touching one node (for focus, also when edges are aggregated). */
export function focusEdges(state: ViewState, focus: string): GraphEdge[] {
  const node = state.nodes.get(focus);
  if (!node) return [];
  const edges: GraphEdge[] = [];
  for (const [key, cell] of state.cells) {
    const tab = key.indexOf('\t');
    const from = key.slice(0, tab);
    const to = key.slice(tab + 1);
    if (from !== focus && to !== focus) continue;
    const a = state.nodes.get(from);
    const b = state.nodes.get(to);
    const e = a && b ? nodeEdge(a, b, cell.ports, cell) : null;
    if (e) edges.push(e);
  }
  if (state.keyCells.size > 0 && node.row !== undefined && node.col !== undefined) {
    const seen = new Set(edges.map((e) => e.key));
    for (const other of state.nodes.values()) {
      if (other.id === focus) continue;
      for (const [from, to] of [
        [node, other],
        [other, node],
      ] as const) {
        if (from.row === undefined || to.col === undefined || from.row < 0 || to.col < 0) continue;
        const ports = state.keyCells.get(`${from.row}\t${to.col}`);
        const key = cellKey(from.id, to.id);
        const e = ports !== undefined && !seen.has(key) ? nodeEdge(from, to, ports, null) : null;
        if (e) edges.push(e);
      }
    }
  }
  return edges.sort((a, b) => compareText(a.key, b.key));
}

/** The focused node and every node it may reach or be reached from. */
export function neighborhood(edges: readonly GraphEdge[], focus: string): Set<string> {
  const ids = new Set([focus]);
  for (const e of edges) {
    if (e.aggregated) continue;
    if (e.from === focus) ids.add(e.to);
    if (e.to === focus) ids.add(e.from);
  }
  return ids;
}

// ---------------------------------------------------------------------------------------------
// Layout

export interface LaidNode {
  id: string;
  node: ViewNode;
  group: string;
  slot: number;
  x: number;
  y: number;
  /** Circle radius; half-diagonal of the diamond for externals. */
  r: number;
  shape: 'circle' | 'diamond';
  status: NodeStatus;
  label: string;
  sublabel: string;
  /** Label to the right of the node (lists) instead of below it. */
  labelSide: 'below' | 'right';
}

export interface LaidGroup {
  id: string;
  kind: GraphGroup['kind'];
  label: string;
  sublabel: string;
  /** Unprotected nodes in the group (a warning in the header). */
  unprotected: number;
  x: number;
  y: number;
  w: number;
  h: number;
  arrangement: 'grid' | 'ring' | 'list';
  cols: number;
  /** Slots in use (holes kept for removed nodes, so that others do not move). */
  slots: number;
}

export interface GraphLayout {
  viewId: string;
  level: ViewLevel;
  nodes: Map<string, LaidNode>;
  groups: Map<string, LaidGroup>;
  width: number;
  height: number;
}

interface Metrics {
  cellW: number;
  cellH: number;
  radius(n: ViewNode): number;
  labelChars: number;
}

const METRICS: Record<ViewLevel, Metrics> = {
  namespace: { cellW: 150, cellH: 112, radius: (n) => clamp(13 + 3 * Math.sqrt(n.pods), 14, 34), labelChars: 22 },
  workload: { cellW: 140, cellH: 82, radius: (n) => clamp(7 + 2.4 * Math.sqrt(n.pods), 8, 20), labelChars: 17 },
  pod: { cellW: 150, cellH: 54, radius: () => 6, labelChars: 19 },
};
const LIST_ROW = 28;
const LIST_COL_W = 206;
const LIST_ROWS_MAX = 24;
const EXTERNAL_R = 8;
export const GROUP_HEADER = 34;
const GROUP_PAD = 14;
const GROUP_GAP = 34;
/** Extra room between the namespaces and the external ranges, for the bundles to turn. */
const EXTERNAL_GAP = 90;
const RING_MAX = 24;

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(1, max - 1))}…`;
}

function nodeLabel(level: ViewLevel, n: ViewNode): { label: string; sublabel: string } {
  const m = METRICS[level];
  if (n.kind === 'external') return { label: n.name, sublabel: '' };
  if (n.kind === 'namespace') return { label: truncate(n.name, m.labelChars), sublabel: `${n.pods} pod${n.pods === 1 ? '' : 's'}` };
  if (n.kind === 'workload') return { label: truncate(n.name, m.labelChars), sublabel: `${n.workloadKind ?? 'workload'} · ${n.pods} pod${n.pods === 1 ? '' : 's'}` };
  return { label: truncate(n.name, m.labelChars), sublabel: '' };
}

function groupSublabel(level: ViewLevel, g: GraphGroup, nodes: ViewNode[]): string {
  if (g.kind === 'external') return `${nodes.length} range${nodes.length === 1 ? '' : 's'}`;
  const pods = nodes.reduce((s, n) => s + n.pods, 0);
  const unit = level === 'pod' ? null : level === 'namespace' ? 'namespace' : 'workload';
  const podText = `${pods} pod${pods === 1 ? '' : 's'}`;
  return unit ? `${nodes.length} ${unit}${nodes.length === 1 ? '' : 's'} · ${podText}` : podText;
}

/** Group shape from its slot count (cols kept from the previous layout when they still fit). */
function sizeGroup(level: ViewLevel, g: LaidGroup, maxR: number): void {
  const m = METRICS[level];
  const n = Math.max(1, g.slots);
  const headerW = groupHeaderWidth(g) + 2 * GROUP_PAD;
  if (g.arrangement === 'list') {
    const rows = Math.ceil(n / g.cols);
    g.w = Math.max(g.cols * LIST_COL_W + 2 * GROUP_PAD, headerW);
    g.h = GROUP_HEADER + rows * LIST_ROW + 2 * GROUP_PAD - 6;
  } else if (g.arrangement === 'ring') {
    const ring = ringRadius(level, n);
    const { top, bottom } = ringExtent(n);
    g.w = Math.max(2 * ring + m.cellW + 2 * GROUP_PAD, headerW);
    g.h = GROUP_HEADER + RING_TOP + (bottom - top) * ring + 2 * maxR + 30 + GROUP_PAD;
  } else {
    const rows = Math.ceil(n / g.cols);
    g.w = Math.max(g.cols * m.cellW + 2 * GROUP_PAD, headerW);
    g.h = GROUP_HEADER + rows * m.cellH + GROUP_PAD;
  }
}

/** Rough width of a group's header: namespace label, counts, unprotected warning. */
export function groupHeaderWidth(g: { kind: GraphGroup['kind']; label: string; sublabel: string; unprotected: number }): number {
  const label = g.label.length * 7.8 + (g.kind === 'namespace' ? 72 : 0);
  const sub = 10 + g.sublabel.length * 6.2;
  const warn = g.unprotected > 0 ? 24 + unprotectedText(g.unprotected).length * 6.9 : 0;
  return label + sub + warn + 16;
}

export const unprotectedText = (n: number): string => `${n} unprotected`;

/** Room above a ring for the top node's self-loop. */
const RING_TOP = 18;

/** Vertical extent of a ring of n slots starting at the top, in radii (top <= 0 <= bottom). */
function ringExtent(n: number): { top: number; bottom: number } {
  let top = 0;
  let bottom = 0;
  for (let i = 0; i < n; i++) {
    const y = Math.sin(-Math.PI / 2 + (2 * Math.PI * i) / n);
    top = Math.min(top, y);
    bottom = Math.max(bottom, y);
  }
  return { top, bottom };
}

function ringRadius(level: ViewLevel, n: number): number {
  const m = METRICS[level];
  return n <= 1 ? 0 : Math.max(70, (m.cellW * 0.95) / (2 * Math.sin(Math.PI / n)));
}

function slotPosition(level: ViewLevel, g: LaidGroup, slot: number, maxR: number): { x: number; y: number } {
  const m = METRICS[level];
  if (g.arrangement === 'list') {
    const rows = Math.ceil(Math.max(1, g.slots) / g.cols);
    const col = Math.floor(slot / rows);
    const row = slot % rows;
    return { x: g.x + GROUP_PAD + 14 + col * LIST_COL_W, y: g.y + GROUP_HEADER + GROUP_PAD - 4 + row * LIST_ROW + LIST_ROW / 2 };
  }
  if (g.arrangement === 'ring') {
    const ring = ringRadius(level, Math.max(1, g.slots));
    const a = -Math.PI / 2 + (2 * Math.PI * slot) / Math.max(1, g.slots);
    const cx = g.x + g.w / 2;
    const cy = g.y + GROUP_HEADER + RING_TOP + maxR - ringExtent(Math.max(1, g.slots)).top * ring;
    return { x: cx + ring * Math.cos(a), y: cy + ring * Math.sin(a) };
  }
  // Left-aligned: a position never depends on the box's width (which follows its header text).
  const col = slot % g.cols;
  const row = Math.floor(slot / g.cols);
  return {
    x: g.x + GROUP_PAD + col * m.cellW + m.cellW / 2,
    y: g.y + GROUP_HEADER + row * m.cellH + Math.min(m.cellH * 0.36, maxR + 8),
  };
}

function arrangementOf(level: ViewLevel, kind: GraphGroup['kind'], n: number): LaidGroup['arrangement'] {
  if (kind === 'external') return 'list';
  if (level === 'namespace' && n >= 3 && n <= RING_MAX) return 'ring';
  return 'grid';
}

function gridCols(n: number): number {
  return n <= 4 ? Math.max(1, n) : Math.ceil(Math.sqrt(n * 1.2));
}

/**
 * Lays the model out. With `previous` (the same view, a moment ago) nodes keep their slots and
 * groups their places; new nodes take free slots, new groups go after the others.
 */
export function layoutGraph(model: GraphModel, previous?: GraphLayout | null): GraphLayout {
  const level = model.level;
  const prev = previous && previous.viewId === model.viewId && previous.level === level ? previous : null;
  const m = METRICS[level];
  const byId = new Map(model.nodes.map((n) => [n.id, n]));
  const groups = new Map<string, LaidGroup>();
  const slots = new Map<string, number>();
  let moved = !prev;

  for (const g of model.groups) {
    const nodes = g.nodeIds.map((id) => byId.get(id)!);
    const before = prev?.groups.get(g.id);
    const arrangement = arrangementOf(level, g.kind, nodes.length);
    // Slots: kept for nodes that were there, the lowest free ones for new nodes.
    const taken = new Set<number>();
    const fresh: string[] = [];
    for (const id of g.nodeIds) {
      const old = before && before.arrangement === arrangement && arrangement !== 'ring' ? prev!.nodes.get(id) : undefined;
      if (old && old.group === g.id && !taken.has(old.slot)) {
        slots.set(id, old.slot);
        taken.add(old.slot);
      } else fresh.push(id);
    }
    let next = 0;
    for (const id of fresh) {
      while (taken.has(next)) next++;
      slots.set(id, next);
      taken.add(next);
    }
    let used = 0;
    for (const t of taken) used = Math.max(used, t + 1);
    // Compact again when more than half the slots are holes.
    if (used > 2 * nodes.length + 2) {
      g.nodeIds.forEach((id, i) => slots.set(id, i));
    }
    let slotCount = 0;
    for (const id of g.nodeIds) slotCount = Math.max(slotCount, slots.get(id)! + 1);
    const cols =
      arrangement === 'list'
        ? Math.max(1, Math.ceil(slotCount / LIST_ROWS_MAX))
        : arrangement === 'grid'
          ? // Keep the columns while the box does not get much taller than wide (grows by rows).
            before && before.arrangement === 'grid' && Math.ceil(slotCount / before.cols) <= before.cols + 1
            ? before.cols
            : gridCols(slotCount)
          : 1;
    const laid: LaidGroup = {
      id: g.id,
      kind: g.kind,
      label: g.label,
      sublabel: groupSublabel(level, g, nodes),
      unprotected: nodes.filter((n) => nodeStatus(n) === 'unprotected').length,
      x: before?.x ?? 0,
      y: before?.y ?? 0,
      w: 0,
      h: 0,
      arrangement,
      cols,
      slots: slotCount,
    };
    sizeGroup(level, laid, maxRadius(level, nodes));
    if (!before || before.w !== laid.w || before.h !== laid.h) moved = true;
    groups.set(g.id, laid);
  }
  if (prev && [...prev.groups.keys()].some((id) => !groups.has(id))) moved = true;
  if (moved) placeGroups(level, groups, prev);

  const nodes = new Map<string, LaidNode>();
  for (const g of model.groups) {
    const laid = groups.get(g.id)!;
    const members = g.nodeIds.map((id) => byId.get(id)!);
    const maxR = maxRadius(level, members);
    for (const n of members) {
      const slot = slots.get(n.id)!;
      const { x, y } = slotPosition(level, laid, slot, maxR);
      const { label, sublabel } = nodeLabel(level, n);
      nodes.set(n.id, {
        id: n.id,
        node: n,
        group: g.id,
        slot,
        x: round(x),
        y: round(y),
        r: n.kind === 'external' ? EXTERNAL_R : m.radius(n),
        shape: n.kind === 'external' ? 'diamond' : 'circle',
        status: nodeStatus(n),
        label,
        sublabel,
        labelSide: laid.arrangement === 'list' ? 'right' : 'below',
      });
    }
  }
  let width = 0;
  let height = 0;
  for (const g of groups.values()) {
    width = Math.max(width, g.x + g.w);
    height = Math.max(height, g.y + g.h);
  }
  return { viewId: model.viewId, level, nodes, groups, width: Math.ceil(width), height: Math.ceil(height) };
}

const round = (v: number): number => Math.round(v * 10) / 10;

function maxRadius(level: ViewLevel, nodes: ViewNode[]): number {
  let r = 0;
  for (const n of nodes) r = Math.max(r, n.kind === 'external' ? EXTERNAL_R : METRICS[level].radius(n));
  return r;
}

/**
 * Places groups: namespace boxes row by row (id order) to a width that makes the whole about twice
 * as wide as tall, the external ranges in a column to the right. Boxes that were placed before and
 * did not change keep their places when nothing overlaps.
 */
function placeGroups(level: ViewLevel, groups: Map<string, LaidGroup>, prev: GraphLayout | null): void {
  const inner = [...groups.values()].filter((g) => g.kind !== 'external');
  const external = groups.get(EXTERNAL_GROUP);
  if (prev && keepPlaces(groups, prev)) return;
  const area = inner.reduce((s, g) => s + (g.w + GROUP_GAP) * (g.h + GROUP_GAP), 0);
  const widest = inner.reduce((s, g) => Math.max(s, g.w), 0);
  const target = Math.max(widest, Math.sqrt(area * 2.1));
  // Skyline packing in id order: each box goes where its top is highest (then leftmost) within
  // the target width, so a short box fills the hole under another short one.
  let skyline: { x: number; w: number; y: number }[] = [{ x: 0, w: Infinity, y: 0 }];
  let maxX = 0;
  for (const g of inner) {
    let best: { x: number; y: number } | null = null;
    for (const seg of skyline) {
      const x = seg.x;
      if (x > 0 && x + g.w > target) continue;
      let y = 0;
      for (const other of skyline) if (other.x < x + g.w && other.x + other.w > x) y = Math.max(y, other.y);
      if (!best || y < best.y - 0.5) best = { x, y };
    }
    const { x, y } = best!;
    g.x = x;
    g.y = y;
    maxX = Math.max(maxX, x + g.w);
    // The skyline under the box, plus the gap, is now its bottom.
    const top = y + g.h + GROUP_GAP;
    const span = { x, w: g.w + GROUP_GAP, y: top };
    const next: { x: number; w: number; y: number }[] = [];
    for (const seg of skyline) {
      const end = seg.x + seg.w;
      if (end <= span.x || seg.x >= span.x + span.w) {
        next.push(seg);
        continue;
      }
      if (seg.x < span.x) next.push({ x: seg.x, w: span.x - seg.x, y: seg.y });
      if (end > span.x + span.w) next.push({ x: span.x + span.w, w: end - (span.x + span.w), y: seg.y });
    }
    next.push(span);
    skyline = next.sort((a, b) => a.x - b.x);
  }
  if (external) {
    external.x = inner.length > 0 ? maxX + EXTERNAL_GAP : 0;
    external.y = 0;
  }
  void level;
}

/**
 * Keeps the groups that existed where they were: a box that grew pushes the boxes below it down,
 * the external ranges move right if needed, new groups go below everything. False when nothing
 * existed before (a fresh packing is better then).
 */
function keepPlaces(groups: Map<string, LaidGroup>, prev: GraphLayout): boolean {
  const placed: LaidGroup[] = [];
  const unplaced: LaidGroup[] = [];
  for (const g of groups.values()) (prev.groups.has(g.id) ? placed : unplaced).push(g);
  if (placed.length === 0) return false;
  const external = groups.get(EXTERNAL_GROUP);
  const inner = placed.filter((g) => g !== external).sort((a, b) => a.y - b.y || a.x - b.x);
  const overlaps = (a: LaidGroup, b: LaidGroup) => a.x < b.x + b.w + GROUP_GAP / 2 && b.x < a.x + a.w + GROUP_GAP / 2 && a.y < b.y + b.h + GROUP_GAP / 2 && b.y < a.y + a.h + GROUP_GAP / 2;
  for (let i = 0; i < inner.length; i++) {
    const g = inner[i]!;
    for (let j = 0; j < i; j++) {
      const above = inner[j]!;
      if (overlaps(above, g)) g.y = above.y + above.h + GROUP_GAP;
    }
  }
  // New groups: below everything, left to right.
  let bottom = inner.reduce((s, g) => Math.max(s, g.y + g.h), 0) + (inner.length > 0 ? GROUP_GAP : 0);
  let right = inner.reduce((s, g) => Math.max(s, g.x + g.w), 0);
  let x = 0;
  let rowH = 0;
  for (const g of unplaced) {
    if (g === external) continue;
    if (x > 0 && x + g.w > Math.max(right, g.w)) {
      x = 0;
      bottom += rowH + GROUP_GAP;
      rowH = 0;
    }
    g.x = x;
    g.y = bottom;
    x += g.w + GROUP_GAP;
    rowH = Math.max(rowH, g.h);
    right = Math.max(right, g.x + g.w);
  }
  if (external) {
    if (!prev.groups.has(EXTERNAL_GROUP)) external.y = 0;
    if (!prev.groups.has(EXTERNAL_GROUP) || external.x < right + GROUP_GAP) external.x = right + EXTERNAL_GAP;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Edge geometry

export interface EdgeGeometry {
  /** SVG path data. */
  d: string;
  /** Where the arrowhead's base sits and where it points (radians); null for loops. */
  arrow: { x: number; y: number; angle: number } | null;
  width: number;
}

export const ARROW_LENGTH = 8;

/** Stroke width from the pod pairs that allow the connection. */
export function edgeWidth(e: GraphEdge): number {
  const pairs = Math.max(1, e.pairs);
  return Math.round(Math.min(e.aggregated ? 9 : 6, 1.1 + 0.85 * Math.log2(1 + pairs)) * 10) / 10;
}

/**
 * Resting opacity of an edge when nothing is focused. Many edges fade so that they read as a
 * density; aggregated edges are weighted by their pod pairs, so the big flows stand out.
 */
export function edgeOpacity(e: GraphEdge, edgeCount: number, maxPairs: number): number {
  const crowd = Math.min(1, Math.sqrt(300 / Math.max(1, edgeCount)));
  if (e.aggregated) return Math.round((0.08 + 0.6 * Math.sqrt(Math.max(1, e.pairs) / Math.max(1, maxPairs))) * Math.max(0.5, crowd) * 100) / 100;
  return Math.round(Math.max(0.08, 0.42 * crowd) * 100) / 100;
}

interface Point {
  x: number;
  y: number;
}

const f = (v: number): string => String(Math.round(v * 10) / 10);

/** Point of a box border on the way from its center toward `to`, pushed out by `out`. */
function borderPoint(g: LaidGroup, to: Point, out: number): Point {
  const cx = g.x + g.w / 2;
  const cy = g.y + g.h / 2;
  const dx = to.x - cx;
  const dy = to.y - cy;
  if (dx === 0 && dy === 0) return { x: cx, y: g.y - out };
  const sx = dx === 0 ? Infinity : (g.w / 2 + out) / Math.abs(dx);
  const sy = dy === 0 ? Infinity : (g.h / 2 + out) / Math.abs(dy);
  const s = Math.min(sx, sy);
  return { x: cx + dx * s, y: cy + dy * s };
}

function center(g: LaidGroup): Point {
  return { x: g.x + g.w / 2, y: g.y + g.h / 2 };
}

/** Moves `p` by `dist` toward `q`. */
function toward(p: Point, q: Point, dist: number): Point {
  const dx = q.x - p.x;
  const dy = q.y - p.y;
  const len = Math.hypot(dx, dy) || 1;
  return { x: p.x + (dx / len) * dist, y: p.y + (dy / len) * dist };
}

function endpointOf(layout: GraphLayout, id: string, aggregated: boolean): { p: Point; r: number; group: LaidGroup | undefined } | null {
  if (aggregated) {
    const g = layout.groups.get(id);
    return g ? { p: center(g), r: 0, group: g } : null;
  }
  const n = layout.nodes.get(id);
  return n ? { p: { x: n.x, y: n.y }, r: n.shape === 'diamond' ? n.r + 1 : n.r, group: layout.groups.get(n.group) } : null;
}

/**
 * The path of an edge: a loop for a node (or group) to itself, an arc inside a group, and between
 * groups a cubic through the two boxes' border points facing each other, shared by every edge
 * between the same two groups (so they bundle), offset to one side per direction.
 */
export function edgeGeometry(layout: GraphLayout, e: GraphEdge): EdgeGeometry | null {
  const a = endpointOf(layout, e.from, e.aggregated);
  const b = endpointOf(layout, e.to, e.aggregated);
  if (!a || !b) return null;
  const width = edgeWidth(e);
  if (e.from === e.to) {
    if (e.aggregated && a.group) {
      // A group to itself: a loop on the box's top-right corner.
      const x = a.group.x + a.group.w - 26;
      const y = a.group.y;
      return { d: `M${f(x - 8)},${f(y)} C${f(x - 18)},${f(y - 30)} ${f(x + 18)},${f(y - 30)} ${f(x + 8)},${f(y)}`, arrow: null, width };
    }
    const { x, y } = a.p;
    const r = a.r;
    return {
      d: `M${f(x - r * 0.55)},${f(y - r * 0.83)} C${f(x - r - 16)},${f(y - r - 30)} ${f(x + r + 16)},${f(y - r - 30)} ${f(x + r * 0.55)},${f(y - r * 0.83)}`,
      arrow: null,
      width,
    };
  }
  const sameGroup = !e.aggregated && a.group && a.group === b.group;
  if (sameGroup || !a.group || !b.group) {
    // Inside a box: an arc, bent to the right of its direction (so a→b and b→a do not overlap).
    const dx = b.p.x - a.p.x;
    const dy = b.p.y - a.p.y;
    const c = { x: (a.p.x + b.p.x) / 2 - dy * 0.2, y: (a.p.y + b.p.y) / 2 + dx * 0.2 };
    const start = toward(a.p, c, a.r + 1);
    const tip = toward(b.p, c, b.r + 1.5);
    const base = toward(tip, c, ARROW_LENGTH);
    const d = `M${f(start.x)},${f(start.y)} Q${f(c.x)},${f(c.y)} ${f(base.x)},${f(base.y)}`;
    return { d, arrow: { x: round(base.x), y: round(base.y), angle: Math.atan2(tip.y - base.y, tip.x - base.x) }, width };
  }
  // Between boxes: every edge from box A to box B leaves A through the same border point and
  // enters B through the same border point, along one shared trunk (so they bundle); a→b and
  // b→a trunks sit on either side of the line between the boxes.
  const ca = center(a.group);
  const cb = center(b.group);
  const len = Math.hypot(cb.x - ca.x, cb.y - ca.y) || 1;
  const side = { x: (-(cb.y - ca.y) / len) * 6, y: ((cb.x - ca.x) / len) * 6 };
  const pa = borderPoint(a.group, cb, 12);
  const pb = borderPoint(b.group, ca, 12);
  const exit = { x: pa.x + side.x, y: pa.y + side.y };
  const entry = { x: pb.x + side.x, y: pb.y + side.y };
  const trunk = Math.hypot(entry.x - exit.x, entry.y - exit.y) || 1;
  const u = { x: (entry.x - exit.x) / trunk, y: (entry.y - exit.y) / trunk };
  let start: Point;
  let head: string;
  if (e.aggregated) {
    start = borderPoint(a.group, cb, 2);
    start = { x: start.x + side.x, y: start.y + side.y };
    head = `M${f(start.x)},${f(start.y)} L${f(exit.x)},${f(exit.y)}`;
  } else {
    const k = Math.min(70, 0.55 * Math.hypot(exit.x - a.p.x, exit.y - a.p.y));
    const c1 = { x: exit.x - u.x * k, y: exit.y - u.y * k };
    start = toward(a.p, c1, a.r + 1);
    const c0 = toward(start, c1, 0.35 * Math.hypot(c1.x - start.x, c1.y - start.y));
    head = `M${f(start.x)},${f(start.y)} C${f(c0.x)},${f(c0.y)} ${f(c1.x)},${f(c1.y)} ${f(exit.x)},${f(exit.y)}`;
  }
  let tail: string;
  let tip: Point;
  let base: Point;
  if (e.aggregated) {
    const t = borderPoint(b.group, ca, 2);
    tip = { x: t.x + side.x, y: t.y + side.y };
    base = toward(tip, entry, ARROW_LENGTH);
    tail = ` L${f(entry.x)},${f(entry.y)} L${f(base.x)},${f(base.y)}`;
  } else {
    const k = Math.min(70, 0.55 * Math.hypot(b.p.x - entry.x, b.p.y - entry.y));
    const c3 = { x: entry.x + u.x * k, y: entry.y + u.y * k };
    tip = toward(b.p, c3, b.r + 1.5);
    base = toward(tip, c3, ARROW_LENGTH);
    const c4 = toward(base, c3, 0.35 * Math.hypot(c3.x - base.x, c3.y - base.y));
    tail = ` L${f(entry.x)},${f(entry.y)} C${f(c3.x)},${f(c3.y)} ${f(c4.x)},${f(c4.y)} ${f(base.x)},${f(base.y)}`;
  }
  const d = head + tail;
  const angle = Math.atan2(tip.y - base.y, tip.x - base.x);
  return { d, arrow: { x: round(base.x), y: round(base.y), angle }, width };
}
