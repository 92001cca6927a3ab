// The matrix as numbers, without any drawing: which node is on which row and column (sorted by
// namespace, then workload, then name, externals last), the namespace and workload bands, a dense
// table of cell kinds, and the geometry that maps pixels to cells and back. Pure functions over
// plain data, so all of it is unit-tested in Node (test/unit/matrix-layout.test.ts).
//
// Scale: at pod level the server sends the matrix in class form (a row key and a column key per
// pod, `keyCells` per key pair), so the table here is keys × keys (about 1k × 2.5k for the M
// cluster's 10k pods), never pods². Grouped levels are nodes × nodes.
import type { PortsJSON, ViewCell, ViewLevel, ViewNode, ViewState } from '../../shared/protocol/view.ts';
import { cellKind, type CellKind, type Palette } from './palette.ts';

// ---------------------------------------------------------------------------------------------
// Cell kinds as small integers: ordered so that "the strongest of several cells" is their max.

export const KIND_NONE = 0;
export const KIND_UNKNOWN = 1;
export const KIND_SOME = 2;
export const KIND_ALL = 3;
/** A pod to itself (pod level): never blocked, never listed. Positional, not stored. */
export const KIND_SELF = 4;
/** An external range to an external range: outside the cluster on both sides, nothing to say. */
export const KIND_NA = 5;

export type MatrixCellKind = CellKind | 'self' | 'n/a';
export const KIND_NAMES: readonly MatrixCellKind[] = ['none', 'unknown', 'some', 'all', 'self', 'n/a'];

const CODE_OF: Record<CellKind, number> = { none: KIND_NONE, unknown: KIND_UNKNOWN, some: KIND_SOME, all: KIND_ALL };

/** The kind code of a cell (grouped cell, pod-level port set, or nothing). */
export function kindCode(cell: ViewCell | PortsJSON | undefined, unknown = false): number {
  return CODE_OF[cellKind(cell, unknown)];
}

/** The fill of a cell kind (self and n/a cells are not filled: the background shows). */
export function cellFill(code: number, palette: Palette): string {
  const c = palette.cell;
  return code === KIND_ALL ? c.all : code === KIND_SOME ? c.some : code === KIND_UNKNOWN ? c.unknown : code === KIND_NONE ? c.none : palette.background;
}

// ---------------------------------------------------------------------------------------------
// Ordering.


/** Start and end of an external node's range as sortable keys: IPv4 first (numerically), then IPv6. */
function rangeSortKey(node: ViewNode): [number, string] {
  const text = node.ranges?.[0] ?? node.name;
  const start = text.split('-')[0] ?? text;
  const v4 = parseIPv4(start);
  if (v4 !== null) return [0, v4.toString(16).padStart(8, '0') + text];
  return [1, expandIPv6(start) + text];
}

function parseIPv4(text: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text.trim());
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return null;
  return ((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!;
}

function expandIPv6(text: string): string {
  const [head = '', tail] = text.toLowerCase().split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : new Array<string>(Math.max(0, 8 - h.length - t.length)).fill('0');
  return [...h, ...fill, ...t].map((g) => g.padStart(4, '0')).join(':');
}

/** `10.0.0.0-10.255.255.255` → `10.0.0.0/8` when the range is exactly one CIDR block, else unchanged. */
export function rangeLabel(text: string): string {
  const [a, b] = text.split('-');
  if (a === undefined || b === undefined) return text;
  const lo = parseIPv4(a);
  const hi = parseIPv4(b);
  if (lo === null || hi === null || hi < lo) return text;
  const size = hi - lo + 1;
  const bits = Math.log2(size);
  if (!Number.isInteger(bits) || lo % size !== 0) return text;
  return `${a}/${32 - bits}`;
}

const workloads = new WeakMap<ViewNode, { name: string; kind: string }>();

/** Workload name and kind of a pod's `workload` id (`ns/name[Kind]`), for sorting and bands. */
function workloadOf(node: ViewNode): { name: string; kind: string } {
  let w = workloads.get(node);
  if (w) return w;
  if (node.kind === 'workload') w = { name: node.name, kind: node.workloadKind ?? '' };
  else if (!node.workload) w = { name: node.name, kind: '' };
  else {
    const m = /^[^/]*\/(.*)\[([^\]]*)\]$/.exec(node.workload);
    w = m ? { name: m[1]!, kind: m[2]! } : { name: node.workload, kind: '' };
  }
  workloads.set(node, w);
  return w;
}

/** A string that sorts like natural order under plain `<`: digit runs padded to 12 digits. */
const natural = (text: string): string => text.replace(/\d+/g, (d) => (d.length >= 12 ? d : d.padStart(12, '0')));

const sortKeys = new WeakMap<ViewNode, string>();

/** The node's position key: namespace, workload name and kind, name (natural), id; externals last by address. */
export function sortKey(node: ViewNode): string {
  let key = sortKeys.get(node);
  if (key === undefined) {
    if (node.kind === 'external') {
      const [family, k] = rangeSortKey(node);
      key = `1\u0000${family}\u0000${k}`;
    } else {
      const w = workloadOf(node);
      key = ['0', natural(node.namespace ?? ''), natural(w.name), w.kind, natural(node.name), node.id].join('\u0000');
    }
    sortKeys.set(node, key);
  }
  return key;
}

/** Rows and columns: namespaces, then workloads, then names (natural order); externals last by address. */
export function compareNodes(a: ViewNode, b: ViewNode): number {
  const ka = sortKey(a);
  const kb = sortKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// Axes and bands.

/** A run of consecutive rows (or columns) with the same namespace, workload, or the externals. */
export interface Band {
  key: string;
  label: string;
  kind: 'namespace' | 'workload' | 'external';
  /** First index, and one past the last. */
  start: number;
  end: number;
}

export interface Axis {
  nodes: ViewNode[];
  index: Map<string, number>;
  /** Namespaces (and one band for the external ranges). */
  bands: Band[];
  /** Pod level: workloads inside the namespaces. Empty at other levels. */
  subBands: Band[];
}

export interface MatrixAxes {
  level: ViewLevel;
  rows: Axis;
  cols: Axis;
}

/** Which side an external range can be on: ranges are cut separately for sources and destinations. */
export interface ExternalRole {
  source: boolean;
  destination: boolean;
}

function bandsOf(nodes: ViewNode[], keyOf: (n: ViewNode) => { key: string; label: string; kind: Band['kind'] } | null): Band[] {
  const bands: Band[] = [];
  let current: Band | null = null;
  nodes.forEach((n, i) => {
    const k = keyOf(n);
    if (!k) {
      current = null;
      return;
    }
    if (current && current.key === k.key) current.end = i + 1;
    else {
      current = { ...k, start: i, end: i + 1 };
      bands.push(current);
    }
  });
  return bands;
}

function axisOf(nodes: ViewNode[], level: ViewLevel): Axis {
  const index = new Map<string, number>();
  nodes.forEach((n, i) => index.set(n.id, i));
  const bands = bandsOf(nodes, (n) =>
    n.kind === 'external' ? { key: 'external', label: 'outside the cluster', kind: 'external' } : { key: `ns:${n.namespace ?? ''}`, label: n.namespace ?? '', kind: 'namespace' },
  );
  const subBands =
    level === 'pod'
      ? bandsOf(nodes, (n) => {
          if (n.kind !== 'pod') return null;
          const w = workloadOf(n);
          return { key: `wl:${n.workload ?? n.id}`, label: w.name, kind: 'workload' };
        })
      : [];
  return { nodes, index, bands, subBands };
}

/**
 * The rows and columns of a view. External ranges appear as rows when they can be a source and as
 * columns when they can be a destination (`roles`; a range with no known role is on both).
 */
export function buildAxes(nodes: Iterable<ViewNode>, level: ViewLevel, roles: ReadonlyMap<string, ExternalRole> = new Map()): MatrixAxes {
  const sorted = [...nodes]
    .map((n) => ({ n, key: sortKey(n) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((e) => e.n);
  const role = (n: ViewNode): ExternalRole => roles.get(n.id) ?? { source: true, destination: true };
  const rows = sorted.filter((n) => n.kind !== 'external' || role(n).source);
  const cols = sorted.filter((n) => n.kind !== 'external' || role(n).destination);
  return { level, rows: axisOf(rows, level), cols: axisOf(cols, level) };
}

/**
 * The role of each external range, read from the cells: a range that is the source of some cell
 * is a source, the destination of some cell a destination. Nodes may also say it themselves
 * (`asSource` / `asDestination`, if the server sends them), which wins.
 */
export function externalRoles(state: Pick<ViewState, 'nodes' | 'cells' | 'keyCells'>): Map<string, ExternalRole> {
  const roles = new Map<string, ExternalRole>();
  const byRowKey = new Map<number, string>();
  const byColKey = new Map<number, string>();
  for (const n of state.nodes.values()) {
    if (n.kind !== 'external') continue;
    roles.set(n.id, { source: false, destination: false });
    if (n.row !== undefined) byRowKey.set(n.row, n.id);
    if (n.col !== undefined) byColKey.set(n.col, n.id);
  }
  if (roles.size === 0) return roles;
  for (const key of state.cells.keys()) {
    // Only keys with an `ip:` side matter: most are skipped on their first character and one search.
    const fromIp = key.charCodeAt(0) === 105 && key.startsWith('ip:');
    const at = key.indexOf('\tip:');
    if (!fromIp && at < 0) continue;
    const tab = key.indexOf('\t');
    if (fromIp) {
      const r = roles.get(key.slice(0, tab));
      if (r) r.source = true;
    }
    if (at === tab) {
      const r = roles.get(key.slice(tab + 1));
      if (r) r.destination = true;
    }
  }
  if (byRowKey.size > 0) {
    for (const key of state.keyCells.keys()) {
      const tab = key.indexOf('\t');
      const from = byRowKey.get(Number(key.slice(0, tab)));
      if (from !== undefined) roles.get(from)!.source = true;
      const to = byColKey.get(Number(key.slice(tab + 1)));
      if (to !== undefined) roles.get(to)!.destination = true;
    }
  }
  const externals = [...state.nodes.values()].filter((n) => n.kind === 'external');
  for (const n of externals) {
    const r = roles.get(n.id)!;
    const declared = n as ViewNode & { asSource?: boolean; asDestination?: boolean };
    if (typeof declared.asSource === 'boolean') r.source = declared.asSource;
    if (typeof declared.asDestination === 'boolean') r.destination = declared.asDestination;
  }
  // Ranges without cells: the source ranges are disjoint, and so are the destination ranges, so a
  // range overlapping a known source range (without being it) is a destination range, and the
  // other way round.
  const spans = new Map(externals.map((n) => [n.id, parseRange(n.ranges?.[0] ?? n.name)]));
  for (let changed = true; changed; ) {
    changed = false;
    for (const n of externals) {
      const r = roles.get(n.id)!;
      if (r.source || r.destination) continue;
      const span = spans.get(n.id);
      if (!span) continue;
      for (const m of externals) {
        const other = roles.get(m.id)!;
        const o = spans.get(m.id);
        if (m === n || !o || !overlaps(span, o)) continue;
        if (other.source && !other.destination) r.destination = true;
        if (other.destination && !other.source) r.source = true;
      }
      if (r.source || r.destination) changed = true;
    }
  }
  for (const r of roles.values()) if (!r.source && !r.destination) r.source = r.destination = true;
  return roles;
}

/** An address range as comparable bounds (same family only), or null when it cannot be read. */
function parseRange(text: string): { family: 4 | 6; lo: string; hi: string } | null {
  const [a, b] = text.split('-');
  if (a === undefined || b === undefined) return null;
  const a4 = parseIPv4(a);
  const b4 = parseIPv4(b);
  if (a4 !== null && b4 !== null) return { family: 4, lo: a4.toString(16).padStart(8, '0'), hi: b4.toString(16).padStart(8, '0') };
  if (a.includes(':') && b.includes(':')) return { family: 6, lo: expandIPv6(a), hi: expandIPv6(b) };
  return null;
}

const overlaps = (x: { family: number; lo: string; hi: string }, y: { family: number; lo: string; hi: string }) => x.family === y.family && x.lo <= y.hi && y.lo <= x.hi;

// ---------------------------------------------------------------------------------------------
// The table of kinds.

export interface MatrixModel {
  axes: MatrixAxes;
  podLevel: boolean;
  /** Each row's key (index into the table), each column's key. */
  rowKey: Int32Array;
  colKey: Int32Array;
  keyRows: number;
  keyCols: number;
  /** Keys whose cells are all unknown (policies not known). */
  rowUnknown: Uint8Array;
  colUnknown: Uint8Array;
  /** Dense keyRows × keyCols kind codes, or null when too large (then `sparse`). */
  dense: Uint8Array | null;
  sparse: Map<number, number> | null;
  /** Rows and columns that are external ranges. */
  rowExternal: Uint8Array;
  colExternal: Uint8Array;
  /** Pod level: for each row, the column of the same pod (-1 when none). */
  selfCol: Int32Array;
  /** The server's key of each table key (pod level), to compare two models; grouped: the node ids. */
  rowKeyIds: (string | number)[];
  colKeyIds: (string | number)[];
}

/** Dense tables up to this many entries (bytes); beyond, a Map of the non-empty cells. */
export const DENSE_LIMIT = 32 * 1024 * 1024;

/** Builds the axes and the kind table of a view state. */
export function buildModel(state: Pick<ViewState, 'view' | 'nodes' | 'cells' | 'keyCells'>, options: { denseLimit?: number } = {}): MatrixModel {
  const level = state.view.level;
  const axes = buildAxes(state.nodes.values(), level, externalRoles(state));
  const rows = axes.rows.nodes;
  const cols = axes.cols.nodes;
  const podLevel = level === 'pod';

  // Keys: at pod level, the server's row/col keys (unknown pods share one all-unknown key);
  // at grouped levels one key per node.
  const rowKey = new Int32Array(rows.length);
  const colKey = new Int32Array(cols.length);
  const rowKeyIds: (string | number)[] = [];
  const colKeyIds: (string | number)[] = [];
  const rowKeyOf = new Map<string | number, number>();
  const colKeyOf = new Map<string | number, number>();
  const keyFor = (map: Map<string | number, number>, ids: (string | number)[], id: string | number) => {
    let k = map.get(id);
    if (k === undefined) {
      k = ids.length;
      map.set(id, k);
      ids.push(id);
    }
    return k;
  };
  const UNKNOWN_ID = '\u0000unknown';
  const rowSide = (n: ViewNode): string | number => (n.unknown ? UNKNOWN_ID : podLevel && n.row !== undefined && n.row >= 0 ? n.row : n.id);
  const colSide = (n: ViewNode): string | number => (n.unknown ? UNKNOWN_ID : podLevel && n.col !== undefined && n.col >= 0 ? n.col : n.id);
  rows.forEach((n, i) => (rowKey[i] = keyFor(rowKeyOf, rowKeyIds, rowSide(n))));
  cols.forEach((n, i) => (colKey[i] = keyFor(colKeyOf, colKeyIds, colSide(n))));
  const R = rowKeyIds.length;
  const C = colKeyIds.length;
  const limit = options.denseLimit ?? DENSE_LIMIT;
  const dense = R * C <= limit ? new Uint8Array(R * C) : null;
  const sparse = dense ? null : new Map<number, number>();
  const put = (rk: number, ck: number, kind: number) => {
    if (dense) dense[rk * C + ck] = kind;
    else if (kind !== KIND_NONE) sparse!.set(rk * C + ck, kind);
  };

  const rowUnknown = new Uint8Array(R);
  const colUnknown = new Uint8Array(C);
  rows.forEach((n, i) => n.unknown && (rowUnknown[rowKey[i]!] = 1));
  cols.forEach((n, i) => n.unknown && (colUnknown[colKey[i]!] = 1));

  // Grouped cells (and, at pod level, any cell the server sends by node id). Cells come row by
  // row, so the source side of the previous key is reused when it matches.
  const rowKeyById = new Map<string, number>();
  const colKeyById = new Map<string, number>();
  rows.forEach((n, i) => rowKeyById.set(n.id, rowKey[i]!));
  cols.forEach((n, i) => colKeyById.set(n.id, colKey[i]!));
  let lastFrom = '';
  let lastRk: number | undefined;
  for (const [key, cell] of state.cells) {
    let rk: number | undefined;
    let tab: number;
    if (lastFrom && key.charCodeAt(lastFrom.length) === 9 && key.startsWith(lastFrom)) {
      rk = lastRk;
      tab = lastFrom.length;
    } else {
      tab = key.indexOf('\t');
      lastFrom = key.slice(0, tab);
      rk = lastRk = rowKeyById.get(lastFrom);
    }
    if (rk === undefined) continue;
    const ck = colKeyById.get(key.slice(tab + 1));
    if (ck === undefined) continue;
    put(rk, ck, kindCode(cell));
  }
  if (podLevel) {
    for (const [key, ports] of state.keyCells) {
      const tab = key.indexOf('\t');
      const rk = rowKeyOf.get(Number(key.slice(0, tab)));
      const ck = colKeyOf.get(Number(key.slice(tab + 1)));
      if (rk === undefined || ck === undefined) continue;
      put(rk, ck, kindCode(ports));
    }
  }

  const rowExternal = new Uint8Array(rows.length);
  const colExternal = new Uint8Array(cols.length);
  rows.forEach((n, i) => (rowExternal[i] = n.kind === 'external' ? 1 : 0));
  cols.forEach((n, i) => (colExternal[i] = n.kind === 'external' ? 1 : 0));
  const selfCol = new Int32Array(rows.length).fill(-1);
  if (podLevel) rows.forEach((n, i) => n.kind === 'pod' && (selfCol[i] = axes.cols.index.get(n.id) ?? -1));

  return { axes, podLevel, rowKey, colKey, keyRows: R, keyCols: C, rowUnknown, colUnknown, dense, sparse, rowExternal, colExternal, selfCol, rowKeyIds, colKeyIds };
}

/** Kind of the table entry for a row key and a column key (no positional kinds). */
export function kindAtKeys(m: MatrixModel, rk: number, ck: number): number {
  if (m.rowUnknown[rk] || m.colUnknown[ck]) return KIND_UNKNOWN;
  return m.dense ? m.dense[rk * m.keyCols + ck]! : (m.sparse!.get(rk * m.keyCols + ck) ?? KIND_NONE);
}

/** Kind of the cell at row `r`, column `c`, including the positional kinds (self, n/a). */
export function kindAt(m: MatrixModel, r: number, c: number): number {
  if (m.rowExternal[r] && m.colExternal[c]) return KIND_NA;
  if (m.selfCol[r] === c) return KIND_SELF;
  return kindAtKeys(m, m.rowKey[r]!, m.colKey[c]!);
}

/** The cell the server sent from one node to another (any level), or undefined when nothing is allowed. */
export function cellBetween(state: Pick<ViewState, 'cells' | 'keyCells'>, from: ViewNode, to: ViewNode): ViewCell | PortsJSON | undefined {
  const grouped = state.cells.get(`${from.id}\t${to.id}`);
  if (grouped !== undefined || from.id === to.id) return grouped;
  if (from.row === undefined || to.col === undefined || from.row < 0 || to.col < 0) return undefined;
  return state.keyCells.get(`${from.row}\t${to.col}`);
}

/** What the matrix shows for a node pair: its kind, ports and pod pairs. */
export function describePair(state: Pick<ViewState, 'cells' | 'keyCells'>, from: ViewNode, to: ViewNode, podLevel: boolean) {
  const na = from.kind === 'external' && to.kind === 'external';
  const self = podLevel && from.id === to.id;
  const unknown = !!from.unknown || !!to.unknown;
  const cell = na || self ? undefined : cellBetween(state, from, to);
  const kind: MatrixCellKind = na ? 'n/a' : self ? 'self' : cellKind(cell, unknown);
  const ports: PortsJSON | undefined = cell === undefined ? undefined : typeof cell === 'string' || Array.isArray(cell) ? cell : cell.ports;
  const pairs = cell !== undefined && typeof cell === 'object' && !Array.isArray(cell) ? { allowed: cell.allowed, total: cell.total } : undefined;
  return { kind, ports, pairs, unknown };
}

// ---------------------------------------------------------------------------------------------
// Changes between two models of the same view: the rows and columns whose cells changed.

/**
 * Node ids of the rows and columns whose cells differ between two models (by key pairs, so the
 * pod level costs keys², not pods²). Null when the comparison would cost more than `budget`.
 */
export function changedLines(before: MatrixModel, after: MatrixModel, budget = 4_000_000): { rows: Set<string>; cols: Set<string> } | null {
  // Distinct (new key, old key) pairs per axis; a node new to the view counts as changed.
  const pairsOf = (nodes: ViewNode[], newKey: Int32Array, oldIndex: Map<string, number>, oldKey: Int32Array) => {
    const pairOf = new Int32Array(nodes.length).fill(-1);
    const pairs: [number, number][] = [];
    const seen = new Map<number, number>();
    const stride = oldKey.length + 1;
    nodes.forEach((n, i) => {
      const o = oldIndex.get(n.id);
      if (o === undefined) return;
      const code = newKey[i]! * stride + oldKey[o]!;
      let p = seen.get(code);
      if (p === undefined) {
        p = pairs.length;
        seen.set(code, p);
        pairs.push([newKey[i]!, oldKey[o]!]);
      }
      pairOf[i] = p;
    });
    return { pairOf, pairs };
  };
  const rows = pairsOf(after.axes.rows.nodes, after.rowKey, before.axes.rows.index, before.rowKey);
  const cols = pairsOf(after.axes.cols.nodes, after.colKey, before.axes.cols.index, before.colKey);
  if (rows.pairs.length * cols.pairs.length > budget) return null;
  const rowHit = new Uint8Array(rows.pairs.length);
  const colHit = new Uint8Array(cols.pairs.length);
  const a = after.dense;
  const b = before.dense;
  const fast = a && b && !after.rowUnknown.includes(1) && !after.colUnknown.includes(1) && !before.rowUnknown.includes(1) && !before.colUnknown.includes(1);
  const nc = cols.pairs.length;
  const newCols = Int32Array.from(cols.pairs, (p) => p[0]);
  const oldCols = Int32Array.from(cols.pairs, (p) => p[1]);
  rows.pairs.forEach(([nr, or], i) => {
    if (fast) {
      const na = nr * after.keyCols;
      const ob = or * before.keyCols;
      for (let j = 0; j < nc; j++) {
        if (a[na + newCols[j]!] !== b[ob + oldCols[j]!]) {
          rowHit[i] = 1;
          colHit[j] = 1;
        }
      }
      return;
    }
    for (let j = 0; j < nc; j++) {
      if (kindAtKeys(after, nr, newCols[j]!) !== kindAtKeys(before, or, oldCols[j]!)) {
        rowHit[i] = 1;
        colHit[j] = 1;
      }
    }
  });
  const out = { rows: new Set<string>(), cols: new Set<string>() };
  after.axes.rows.nodes.forEach((n, i) => {
    const p = rows.pairOf[i]!;
    if (p < 0 || rowHit[p]) out.rows.add(n.id);
  });
  after.axes.cols.nodes.forEach((n, i) => {
    const p = cols.pairOf[i]!;
    if (p < 0 || colHit[p]) out.cols.add(n.id);
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Geometry. Matrix coordinates are in cells; the transform maps them to canvas CSS pixels:
// x = t.x + column * t.k, y = t.y + row * t.k (t.k is the cell size in pixels, as in d3-zoom).

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Transform {
  x: number;
  y: number;
  k: number;
}

/** The visible rows [r0, r1) and columns [c0, c1) of the plot area `plot`. */
export interface CellWindow {
  r0: number;
  r1: number;
  c0: number;
  c1: number;
}

export function visibleWindow(t: Transform, plot: Rect, rows: number, cols: number): CellWindow {
  const clamp = (v: number, n: number) => Math.max(0, Math.min(n, v));
  return {
    r0: clamp(Math.floor((plot.y - t.y) / t.k), rows),
    r1: clamp(Math.ceil((plot.y + plot.height - t.y) / t.k), rows),
    c0: clamp(Math.floor((plot.x - t.x) / t.k), cols),
    c1: clamp(Math.ceil((plot.x + plot.width - t.x) / t.k), cols),
  };
}

/** The screen rectangle of a cell (canvas CSS pixels). */
export function cellRect(t: Transform, r: number, c: number): Rect {
  return { x: t.x + c * t.k, y: t.y + r * t.k, width: t.k, height: t.k };
}

export type HitTarget = { type: 'cell'; r: number; c: number } | { type: 'row'; r: number } | { type: 'col'; c: number };

/**
 * What is under a point (canvas CSS pixels): a cell of the plot, a row label (left of the plot, in
 * the row gutter), a column label (above it), or nothing.
 */
export function hitTest(t: Transform, plot: Rect, rows: number, cols: number, px: number, py: number): HitTarget | null {
  const inX = px >= plot.x && px < plot.x + plot.width;
  const inY = py >= plot.y && py < plot.y + plot.height;
  const r = Math.floor((py - t.y) / t.k);
  const c = Math.floor((px - t.x) / t.k);
  const rowOk = r >= 0 && r < rows;
  const colOk = c >= 0 && c < cols;
  if (inX && inY) return rowOk && colOk ? { type: 'cell', r, c } : null;
  if (inY && px >= 0 && px < plot.x) return rowOk ? { type: 'row', r } : null;
  if (inX && py >= 0 && py < plot.y) return colOk ? { type: 'col', c } : null;
  return null;
}

/** Largest cell size at which the first view opens, and the zoom range around the fitted size. */
export const FIT_MAX_CELL = 84;
export const MAX_CELL = 128;

/** The transform that shows the whole matrix in the plot area (square cells, anchored top-left). */
export function fitTransform(plot: Rect, rows: number, cols: number): Transform {
  const k = Math.min(FIT_MAX_CELL, plot.width / Math.max(1, cols), plot.height / Math.max(1, rows));
  return { x: plot.x, y: plot.y, k: Math.max(k, 1e-3) };
}

/** Zoom limits: from the whole matrix to cells of MAX_CELL pixels. */
export function scaleExtent(plot: Rect, rows: number, cols: number): [number, number] {
  const fit = fitTransform(plot, rows, cols).k;
  return [Math.min(fit, MAX_CELL), Math.max(MAX_CELL, fit)];
}

/**
 * Keeps the matrix in view: when it is smaller than the plot on an axis it sticks to the top/left
 * edge, otherwise no empty space is shown past its edges.
 */
export function constrain(t: Transform, plot: Rect, rows: number, cols: number): Transform {
  const [lo, hi] = scaleExtent(plot, rows, cols);
  const k = Math.max(lo, Math.min(hi, t.k));
  const fit = (pos: number, start: number, size: number, n: number) => {
    const span = n * k;
    if (span <= size) return start;
    return Math.min(start, Math.max(start + size - span, pos));
  };
  return { k, x: fit(t.x, plot.x, plot.width, cols), y: fit(t.y, plot.y, plot.height, rows) };
}

/** The transform after zooming by `factor` around the point (px, py), constrained. */
export function zoomAround(t: Transform, factor: number, px: number, py: number, plot: Rect, rows: number, cols: number): Transform {
  const [lo, hi] = scaleExtent(plot, rows, cols);
  const k = Math.max(lo, Math.min(hi, t.k * factor));
  const f = k / t.k;
  return constrain({ k, x: px - (px - t.x) * f, y: py - (py - t.y) * f }, plot, rows, cols);
}

/** The smallest pan that brings cell (r, c) fully into the plot area. */
export function revealCell(t: Transform, plot: Rect, r: number, c: number): Transform {
  const cell = cellRect(t, r, c);
  let { x, y } = t;
  if (cell.x < plot.x) x += plot.x - cell.x;
  else if (cell.x + cell.width > plot.x + plot.width) x -= cell.x + cell.width - (plot.x + plot.width);
  if (cell.y < plot.y) y += plot.y - cell.y;
  else if (cell.y + cell.height > plot.y + plot.height) y -= cell.y + cell.height - (plot.y + plot.height);
  return { x, y, k: t.k };
}

/** Which labels are readable at a cell size: every node's, or only the bands'. */
export type LabelMode = 'nodes' | 'bands';
export const MIN_LABEL_CELL = 10;
export const labelMode = (k: number): LabelMode => (k >= MIN_LABEL_CELL ? 'nodes' : 'bands');
/** Font size of node labels at a cell size (px). */
export const labelFontSize = (k: number): number => Math.max(9, Math.min(13, Math.floor(k * 0.72)));

// ---------------------------------------------------------------------------------------------
// Labels and actions.

const KIND_ABBREVIATIONS: Record<string, string> = {
  Deployment: 'deploy',
  StatefulSet: 'sts',
  DaemonSet: 'ds',
  ReplicaSet: 'rs',
  ReplicationController: 'rc',
  Job: 'job',
  CronJob: 'cronjob',
  Pod: 'pod',
};
export const workloadKindAbbreviation = (kind: string | undefined): string => (kind ? (KIND_ABBREVIATIONS[kind] ?? kind.toLowerCase()) : '');

/** The short label of a node on an axis (its namespace and workload are shown by the bands). */
export function nodeLabel(node: ViewNode): string {
  if (node.kind === 'external') return rangeLabel(node.ranges?.[0] ?? node.name);
  return node.name;
}

/** A node with its namespace, for tooltips and the detail panel. */
export function nodeTitle(node: ViewNode): string {
  if (node.kind === 'external') return `${rangeLabel(node.ranges?.[0] ?? node.name)} (outside the cluster)`;
  if (node.kind === 'namespace') return node.name;
  return `${node.namespace}/${node.name}`;
}

/** Marker of a row (egress) or column (ingress): every pod unprotected, some, unknown, or none. */
export type Protection = 'unprotected' | 'partly' | 'protected' | 'unknown' | 'none';
export function protectionOf(node: ViewNode, direction: 'ingress' | 'egress'): Protection {
  if (node.kind === 'external') return 'none';
  if (node.unknown) return 'unknown';
  const open = node.unprotected[direction];
  if (open === null) return 'unknown';
  if (open === 0) return 'protected';
  return open >= node.pods ? 'unprotected' : 'partly';
}

/** What clicking a cell does: open the next level for the two sides, or select the pair. */
export type CellAction = { type: 'drill'; level: 'workload' | 'pod'; namespaces: string[] } | { type: 'select'; from: string; to: string };

export function cellAction(level: ViewLevel, from: ViewNode, to: ViewNode): CellAction {
  const namespaces = [...new Set([from.namespace, to.namespace].filter((ns): ns is string => !!ns))].sort();
  if (level === 'pod' || namespaces.length === 0) return { type: 'select', from: from.id, to: to.id };
  return { type: 'drill', level: level === 'namespace' ? 'workload' : 'pod', namespaces };
}

// ---------------------------------------------------------------------------------------------
// Who can reach a node, and what it can reach (the detail panel).

export interface ReachEntry {
  node: ViewNode;
  kind: CellKind;
  ports: PortsJSON | undefined;
  pairs?: { allowed: number; total: number };
}

export interface Reach {
  entries: ReachEntry[];
  /** How many nodes in total, and per kind, before `limit`. */
  total: number;
  all: number;
  some: number;
  unknown: number;
}

/**
 * The nodes `node` can reach (`out`) or that can reach it (`in`), strongest first (every port,
 * then some, then unknown), then in matrix order; at most `limit` entries.
 */
export function reachOf(state: Pick<ViewState, 'view' | 'nodes' | 'cells' | 'keyCells'>, node: ViewNode, direction: 'in' | 'out', limit = 12): Reach {
  const podLevel = state.view.level === 'pod';
  const found: ReachEntry[] = [];
  let all = 0;
  let some = 0;
  let unknown = 0;
  for (const other of state.nodes.values()) {
    if (other.id === node.id && podLevel) continue;
    const from = direction === 'out' ? node : other;
    const to = direction === 'out' ? other : node;
    if (from.kind === 'external' && to.kind === 'external') continue;
    const d = describePair(state, from, to, podLevel);
    if (d.kind === 'all') all++;
    else if (d.kind === 'some') some++;
    else if (d.kind === 'unknown') unknown++;
    else continue;
    found.push({ node: other, kind: d.kind, ports: d.ports, ...(d.pairs ? { pairs: d.pairs } : {}) });
  }
  const rank: Record<string, number> = { all: 0, some: 1, unknown: 2 };
  found.sort((a, b) => rank[a.kind]! - rank[b.kind]! || compareNodes(a.node, b.node));
  return { entries: found.slice(0, limit), total: found.length, all, some, unknown };
}
