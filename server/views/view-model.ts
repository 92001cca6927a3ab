// One view's state on the server, kept current from the live engine: after each batch of engine
// deltas only the rows and columns of nodes whose pods changed are recomputed, and the result is
// the `view:delta` that turns the previous state into the new one.
import type { Finding } from '../../shared/engine/analysis.ts';
import type { EngineAnalysis } from '../../shared/engine/engine.ts';
import { sortFindings } from '../../shared/engine/findings.ts';
import type { SourceStatus } from '../../shared/model/status.ts';
import { findingKey, cellKey, type ViewCell, type ViewDelta, type ViewNode, type ViewSpec, type ViewState } from '../../shared/protocol/view.ts';
import { CellContext, EXTERNAL_KEY_BASE } from './cells.ts';
import { buildMembers, type Member, type Unknown } from './members.ts';

/** What a view is computed from: the live engine's current state. */
export interface EngineState {
  analysis: EngineAnalysis;
  unknown: Unknown;
  /** Findings, without those about unknown namespaces. */
  findings: readonly Finding[];
  status: SourceStatus;
  seq: number;
  at: string;
}

/** Pods whose rows (outgoing) or columns (incoming) may have changed; `full` when anything may have. */
export interface ChangeHint {
  full: boolean;
  rows: ReadonlySet<string>;
  cols: ReadonlySet<string>;
}

const sameJSON = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y);

const sameRecord = (x: Record<string, string> | undefined, y: Record<string, string> | undefined) => {
  if (x === y) return true;
  if (!x || !y) return false;
  const keys = Object.keys(x);
  return keys.length === Object.keys(y).length && keys.every((k) => x[k] === y[k]);
};
const sameList = (x: readonly string[] | undefined, y: readonly string[] | undefined) =>
  x === y || (x !== undefined && y !== undefined && x.length === y.length && x.every((v, i) => v === y[i]));

/** Field by field: nodes are compared on every update, JSON would dominate the cost. */
function sameNode(x: ViewNode | undefined, y: ViewNode): boolean {
  if (!x) return false;
  const keys = Object.keys(y) as (keyof ViewNode)[];
  if (keys.length !== Object.keys(x).length) return false;
  return (
    x.id === y.id &&
    x.kind === y.kind &&
    x.namespace === y.namespace &&
    x.name === y.name &&
    x.workloadKind === y.workloadKind &&
    x.workload === y.workload &&
    x.template === y.template &&
    x.pods === y.pods &&
    x.unknown === y.unknown &&
    x.row === y.row &&
    x.col === y.col &&
    x.isolation.ingress === y.isolation.ingress &&
    x.isolation.egress === y.isolation.egress &&
    x.unprotected.ingress === y.unprotected.ingress &&
    x.unprotected.egress === y.unprotected.egress &&
    sameRecord(x.labels, y.labels) &&
    sameList(x.ips, y.ips) &&
    sameList(x.ranges, y.ranges) &&
    (x.ports === y.ports || JSON.stringify(x.ports) === JSON.stringify(y.ports))
  );
}
const sameCell = (x: ViewCell | undefined, y: ViewCell | null) =>
  x === undefined ? y === null : y !== null && x.allowed === y.allowed && x.total === y.total && sameJSON(x.ports, y.ports);

function unknownList(unknown: Unknown): 'all' | string[] {
  return unknown === 'all' ? 'all' : [...unknown].sort();
}

/** External ranges as nodes; at pod level they carry keys so their cells are looked up like a pod's. */
function externalNodes(a: EngineAnalysis, podLevel: boolean): ViewNode[] {
  return a.externals.map((e, i) => ({
    id: e.id,
    kind: 'external' as const,
    name: e.text,
    ranges: [e.text],
    pods: 0,
    isolation: { ingress: false, egress: false },
    unprotected: { ingress: 0, egress: 0 },
    ...(podLevel ? { row: EXTERNAL_KEY_BASE + i, col: EXTERNAL_KEY_BASE + i } : {}),
  }));
}

export class ViewModel {
  readonly state: ViewState;
  private members = new Map<string, Member>();
  /** Node of each pod id shown in the view. */
  private nodeOfPod = new Map<string, string>();
  /** The cells' keys by row and by column, to find a row's or column's old cells. */
  private readonly rowIndex = new Map<string, Set<string>>();
  private readonly colIndex = new Map<string, Set<string>>();
  /** Pod level: each key cell's port set as canonical text. */
  private keyCellText = new Map<string, string>();

  constructor(viewId: string, readonly spec: ViewSpec, input: EngineState) {
    this.state = {
      viewId,
      view: spec,
      seq: input.seq,
      at: input.at,
      nodes: new Map(),
      cells: new Map(),
      keyCells: new Map(),
      findings: [],
      status: input.status,
      unknown: unknownList(input.unknown),
    };
    this.update(input, { full: true, rows: new Set(), cols: new Set() });
  }

  /** Brings the state to `input`; returns the delta (possibly empty: see `isEmptyDelta`). */
  update(input: EngineState, hint: ChangeHint): ViewDelta {
    const a = input.analysis;
    const members = buildMembers(a, this.spec, input.unknown);
    const ctx = new CellContext(a, this.spec.port, members);
    const nodeOfPod = new Map<string, string>();
    for (const [id, m] of members) for (const i of m.pods) nodeOfPod.set(a.pods[i]!.id, id);

    const delta: ViewDelta = {
      viewId: this.state.viewId,
      seq: input.seq,
      prevSeq: this.state.seq,
      at: input.at,
      nodes: { upsert: [], remove: [] },
      cells: { upsert: [], remove: [] },
      keyCells: { upsert: [], remove: [] },
      findings: { added: [], removed: [] },
    };

    // Nodes.
    const nodes = new Map<string, ViewNode>();
    for (const [id, m] of members) nodes.set(id, m.node);
    for (const e of externalNodes(a, this.spec.level === 'pod')) nodes.set(e.id, e);
    for (const id of this.state.nodes.keys()) if (!nodes.has(id)) delta.nodes.remove.push(id);
    for (const [id, node] of nodes) if (!sameNode(this.state.nodes.get(id), node)) delta.nodes.upsert.push(node);
    const externalsChanged = delta.nodes.upsert.some((n) => n.kind === 'external') || delta.nodes.remove.some((id) => id.startsWith('ip:'));
    const full = hint.full || externalsChanged;

    if (this.spec.level === 'pod') this.updateKeyCells(ctx, members, delta);
    else this.updateCells(ctx, members, full, this.dirtyNodes(hint, nodeOfPod, members), delta);

    this.updateFindings(input.findings, delta);
    if (!sameJSON(this.state.status, input.status)) delta.status = input.status;
    const unknown = unknownList(input.unknown);
    if (!sameJSON(this.state.unknown, unknown)) delta.unknown = unknown;

    // Apply to our own state: it is what the next snapshot sends.
    this.state.nodes = nodes;
    this.members = members;
    this.nodeOfPod = nodeOfPod;
    for (const [from, to] of delta.cells.remove) {
      this.state.cells.delete(cellKey(from, to));
      this.rowIndex.get(from)?.delete(to);
      this.colIndex.get(to)?.delete(from);
    }
    for (const [from, to, cell] of delta.cells.upsert) {
      this.state.cells.set(cellKey(from, to), cell);
      index(this.rowIndex, from, to);
      index(this.colIndex, to, from);
    }
    for (const id of delta.nodes.remove) {
      this.rowIndex.delete(id);
      this.colIndex.delete(id);
    }
    for (const [row, col] of delta.keyCells.remove) this.state.keyCells.delete(`${row}\t${col}`);
    for (const [row, col, ports] of delta.keyCells.upsert) this.state.keyCells.set(`${row}\t${col}`, ports);
    if (delta.status) this.state.status = delta.status;
    if (delta.unknown) this.state.unknown = delta.unknown;
    // A view's seq moves only when something in it changed: clients see every seq they are sent.
    if (!isEmptyDelta(delta)) {
      this.state.seq = input.seq;
      this.state.at = input.at;
    }
    return delta;
  }

  /** Nodes whose row or column must be recomputed: those holding changed pods, before or after. */
  private dirtyNodes(hint: ChangeHint, nodeOfPod: Map<string, string>, members: Map<string, Member>): { rows: Set<string>; cols: Set<string> } {
    const rows = new Set<string>();
    const cols = new Set<string>();
    const mark = (set: Set<string>, pod: string) => {
      const before = this.nodeOfPod.get(pod);
      const after = nodeOfPod.get(pod);
      if (before !== undefined) set.add(before);
      if (after !== undefined) set.add(after);
    };
    for (const pod of hint.rows) mark(rows, pod);
    for (const pod of hint.cols) mark(cols, pod);
    // Pods that joined, left or moved between nodes (a label filter, a changed isolation).
    for (const [pod, node] of nodeOfPod) {
      const before = this.nodeOfPod.get(pod);
      if (before !== node) {
        rows.add(node).add(before ?? node);
        cols.add(node).add(before ?? node);
      }
    }
    for (const [pod, node] of this.nodeOfPod) {
      if (!nodeOfPod.has(pod)) {
        rows.add(node);
        cols.add(node);
      }
    }
    // A node whose unknown flag flipped changes whole rows and columns.
    for (const [id, m] of members) {
      const before = this.members.get(id);
      if (before && Boolean(before.node.unknown) !== Boolean(m.node.unknown)) {
        rows.add(id);
        cols.add(id);
      }
    }
    return { rows, cols };
  }

  private updateCells(ctx: CellContext, members: Map<string, Member>, full: boolean, dirty: { rows: Set<string>; cols: Set<string> }, delta: ViewDelta): void {
    const externals = ctx.a.externals;
    const rowsToDo = full ? [...members.keys()] : [...dirty.rows].filter((id) => members.has(id));
    const colsToDo = full ? [] : [...dirty.cols].filter((id) => members.has(id));
    // Fresh cells of the recomputed rows and columns, by `from\tto`.
    const fresh = new Map<string, ViewCell>();
    for (const from of rowsToDo) {
      const m = members.get(from)!;
      for (const [to, cell] of ctx.row(m)) fresh.set(cellKey(from, to), cell);
      externals.forEach((e, i) => {
        const cell = e.asDestination ? ctx.externalCell(i, m, 'to') : null;
        if (cell) fresh.set(cellKey(from, e.id), cell);
      });
    }
    for (const to of colsToDo) {
      const m = members.get(to)!;
      for (const [from, cell] of ctx.col(m)) fresh.set(cellKey(from, to), cell);
      externals.forEach((e, i) => {
        const cell = e.asSource ? ctx.externalCell(i, m, 'from') : null;
        if (cell) fresh.set(cellKey(e.id, to), cell);
      });
    }
    if (full) {
      for (const [id, m] of members) {
        externals.forEach((e, i) => {
          const cell = e.asSource ? ctx.externalCell(i, m, 'from') : null;
          if (cell) fresh.set(cellKey(e.id, id), cell);
        });
      }
    }
    for (const [key, cell] of fresh) {
      if (!sameCell(this.state.cells.get(key), cell)) {
        const [from, to] = key.split('\t') as [string, string];
        delta.cells.upsert.push([from, to, cell]);
      }
    }
    // Old cells in the recomputed area (or of nodes that are gone) that are no longer there.
    const redone = (from: string, to: string) => full || dirty.rows.has(from) || dirty.cols.has(to) || !this.present(from, members) || !this.present(to, members);
    for (const key of this.cellsToCheck(full, dirty, members)) {
      if (fresh.has(key)) continue;
      const [from, to] = key.split('\t') as [string, string];
      if (redone(from, to)) delta.cells.remove.push([from, to]);
    }
  }

  private present(id: string, members: Map<string, Member>): boolean {
    return members.has(id) || (id.startsWith('ip:') && this.state.nodes.has(id));
  }

  /** Existing cell keys that may have to go: all (full), or those of dirty or removed nodes. */
  private *cellsToCheck(full: boolean, dirty: { rows: Set<string>; cols: Set<string> }, members: Map<string, Member>): Iterable<string> {
    const gone = [...this.rowIndex.keys(), ...this.colIndex.keys()].filter((id) => !id.startsWith('ip:') && !members.has(id));
    if (full) {
      yield* this.state.cells.keys();
      return;
    }
    for (const from of new Set([...dirty.rows, ...gone])) for (const to of this.rowIndex.get(from) ?? []) yield cellKey(from, to);
    for (const to of new Set([...dirty.cols, ...gone])) for (const from of this.colIndex.get(to) ?? []) yield cellKey(from, to);
  }

  /** Pod level: the key table over the row and column keys the view's pods use. */
  private updateKeyCells(ctx: CellContext, members: Map<string, Member>, delta: ViewDelta): void {
    const rows = new Map<number, number>();
    const cols = new Map<number, number>();
    for (const m of members.values()) {
      for (const [k, c] of m.sources) if (!rows.has(k)) rows.set(k, c.representative);
      for (const [k, c] of m.destinations) if (!cols.has(k)) cols.set(k, c.representative);
    }
    // Port sets by canonical text: comparing texts is cheap, comparing JSON is not.
    const fresh = new Map<string, string>();
    const put = (row: number, col: number, id: number) => {
      if (ctx.counts(id)) fresh.set(`${row}\t${col}`, ctx.portsText(id));
    };
    for (const row of rows.keys()) {
      const entries = ctx.keys.rows[row]!;
      for (let i = 0; i < entries.length; i += 2) if (cols.has(entries[i]!)) put(row, entries[i]!, entries[i + 1]!);
    }
    ctx.a.externals.forEach((e, i) => {
      if (e.asSource) for (const [col, pod] of cols) put(EXTERNAL_KEY_BASE + i, col, ctx.keys.external(i, 'from', col, pod));
      if (e.asDestination) for (const [row, pod] of rows) put(row, EXTERNAL_KEY_BASE + i, ctx.keys.external(i, 'to', row, pod));
    });
    for (const [key, text] of fresh) {
      if (this.keyCellText.get(key) !== text) {
        const [row, col] = key.split('\t').map(Number) as [number, number];
        delta.keyCells.upsert.push([row, col, ctx.portsJSONOfText(text)]);
      }
    }
    for (const key of this.keyCellText.keys()) {
      if (!fresh.has(key)) delta.keyCells.remove.push(key.split('\t').map(Number) as [number, number]);
    }
    this.keyCellText = fresh;
  }

  private updateFindings(all: readonly Finding[], delta: ViewDelta): void {
    const namespaces = this.spec.namespaces === 'all' ? null : new Set(this.spec.namespaces);
    const inView = (f: Finding) => !namespaces || namespaces.has(f.kind === 'namespace-without-default-deny' ? f.subject : f.subject.split('/')[0]!);
    const next = new Map(all.filter(inView).map((f) => [findingKey(f), f]));
    const before = new Map(this.state.findings.map((f) => [findingKey(f), f]));
    // A finding whose text changed (another named port, say) is replaced: removed, then added.
    for (const [k, f] of next) {
      const old = before.get(k);
      if (old && sameJSON(old, f)) continue;
      if (old) delta.findings.removed.push(old);
      delta.findings.added.push(f);
    }
    for (const [k, f] of before) if (!next.has(k)) delta.findings.removed.push(f);
    this.state.findings = sortFindings([...next.values()]);
  }
}

function index(map: Map<string, Set<string>>, key: string, value: string): void {
  const set = map.get(key);
  if (set) set.add(value);
  else map.set(key, new Set([value]));
}

export function isEmptyDelta(d: ViewDelta): boolean {
  return (
    d.nodes.upsert.length + d.nodes.remove.length + d.cells.upsert.length + d.cells.remove.length + d.keyCells.upsert.length + d.keyCells.remove.length + d.findings.added.length + d.findings.removed.length === 0 &&
    d.status === undefined &&
    d.unknown === undefined
  );
}
