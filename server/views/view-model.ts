// One view's state on the server, kept current from the live engine: after each batch of engine
// deltas only the rows and columns of nodes whose pods changed are recomputed, and the result is
// the `view:delta` that turns the previous state into the new one.
import type { Finding } from '../../shared/engine/analysis.ts';
import type { EngineAnalysis } from '../../shared/engine/engine.ts';
import { sortFindings } from '../../shared/engine/findings.ts';
import type { SourceStatus } from '../../shared/model/status.ts';
import { findingKey, recountedCell, type PortsJSON, type ViewCell, type ViewDelta, type ViewNode, type ViewSpec, type ViewState } from '../../shared/protocol/view.ts';
import { runToEnd } from '../run-in-slices.ts';
import { CellIndex, putCell, type CellsByNode } from './cell-index.ts';
import { CellContext, EXTERNAL_KEY_BASE } from './cells.ts';
import { Membership, representative, type Member, type Unknown } from './members.ts';

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
  /** Every pod an event was about (a label change may move a pod in or out of a filtered view). */
  touched: ReadonlySet<string>;
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
/** Nodes whose rows and columns must be redone, and those of them that kept their keys. */
interface DirtyArea {
  rows: Set<string>;
  cols: Set<string>;
  sameKeys: Set<string>;
}

/** Cells (or nodes) applied to the state between two steps of a sliced build. */
const CELLS_PER_STEP = 2048;

/** Port sets kept by a view across updates (see CellContext): beyond this many, start over. */
const PORT_SETS_KEPT = 4096;

const sameCell = (x: ViewCell | undefined, y: ViewCell | null) =>
  x === undefined ? y === null : y !== null && x.allowed === y.allowed && x.total === y.total && (x.ports === y.ports || sameJSON(x.ports, y.ports));

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
  private membership: Membership | null = null;
  /** The analysis and unknown set the membership was built for. */
  private basis: { analysis: EngineAnalysis; unknown: string } | null = null;
  /** The state's cells by row and by column too: a row's or column's old cells without a key per cell. */
  private readonly cells: CellIndex;
  /** Equal port sets as one object across updates, so unchanged cells compare by identity. */
  private readonly portSets = new Map<string, PortsJSON>();
  /** Pod level: each key cell's port set as canonical text, and the keys the view's pods use. */
  private keyCellText = new Map<string, string>();
  private usedKeys: { rows: Set<number>; cols: Set<number> } = { rows: new Set(), cols: new Set() };
  private findingsInput: readonly Finding[] | null = null;
  /** With `build: 'steps'`: the first build, to run (say with `runInSlices`) before the state is read. */
  readonly buildSteps: Generator<void, ViewDelta> | null;

  /**
   * Builds the view of `input` at once, or (`build: 'steps'`) leaves the build in `buildSteps`, cut
   * in steps so that a big view (the M cluster's workload view: half a million cells, half a
   * second) can be built without holding the event loop.
   */
  constructor(
    viewId: string,
    readonly spec: ViewSpec,
    input: EngineState,
    build: 'now' | 'steps' = 'now',
  ) {
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
    this.cells = new CellIndex(this.state.cells);
    const steps = this.updateSteps(input, { full: true, rows: new Set(), cols: new Set(), touched: new Set() });
    this.buildSteps = build === 'steps' ? steps : null;
    if (build === 'now') runToEnd(steps);
  }

  /** Brings the state to `input`; returns the delta (possibly empty: see `isEmptyDelta`). */
  update(input: EngineState, hint: ChangeHint): ViewDelta {
    return runToEnd(this.updateSteps(input, hint));
  }

  /** `update` in steps: it yields between rows and between batches of cells applied. */
  private *updateSteps(input: EngineState, hint: ChangeHint): Generator<void, ViewDelta> {
    const a = input.analysis;
    const unknownText = JSON.stringify(unknownList(input.unknown));
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

    // Pod events keep the analysis's key numbering (same port table): move just the touched pods.
    const incremental =
      !hint.full && this.membership !== null && this.basis !== null && this.basis.analysis.portTable === a.portTable && this.basis.unknown === unknownText;
    const membership = incremental ? this.membership! : new Membership(this.spec, a, input.unknown);
    const area = incremental ? this.moved(membership, a, hint, delta) : yield* this.rebuilt(membership, a, delta);
    if (!incremental && this.portSets.size > PORT_SETS_KEPT) this.portSets.clear();
    const ctx = new CellContext(a, this.spec.port, membership, this.portSets);
    if (this.spec.level === 'pod') yield* this.updateKeyCells(ctx, membership, area === 'all', delta);
    else yield* this.updateCells(ctx, membership.members, area, delta);

    this.updateFindings(input.findings, delta);
    if (!sameJSON(this.state.status, input.status)) delta.status = input.status;
    const unknown = unknownList(input.unknown);
    if (!sameJSON(this.state.unknown, unknown)) delta.unknown = unknown;

    // Apply to our own state: it is what the next snapshot sends.
    this.membership = membership;
    this.basis = { analysis: a, unknown: unknownText };
    // A removed node's cells are all in the delta's removed cells.
    for (const id of delta.nodes.remove) this.state.nodes.delete(id);
    for (const [i, node] of delta.nodes.upsert.entries()) {
      this.state.nodes.set(node.id, node);
      if (i % CELLS_PER_STEP === CELLS_PER_STEP - 1) yield;
    }
    for (const [from, to] of delta.cells.remove) this.cells.delete(from, to);
    for (const [i, [from, to, cell]] of delta.cells.upsert.entries()) {
      this.cells.set(from, to, cell);
      if (i % CELLS_PER_STEP === CELLS_PER_STEP - 1) yield;
    }
    for (const [row, col] of delta.keyCells.remove) this.state.keyCells.delete(`${row}\t${col}`);
    for (const [i, [row, col, ports]] of delta.keyCells.upsert.entries()) {
      this.state.keyCells.set(`${row}\t${col}`, ports);
      if (i % CELLS_PER_STEP === CELLS_PER_STEP - 1) yield;
    }
    if (delta.status) this.state.status = delta.status;
    if (delta.unknown) this.state.unknown = delta.unknown;
    // A view's seq moves only when something in it changed: clients see every seq they are sent.
    if (!isEmptyDelta(delta)) {
      this.state.seq = input.seq;
      this.state.at = input.at;
    }
    return delta;
  }

  /** Incremental: moves the touched pods; returns the nodes whose rows and columns must be redone. */
  private moved(membership: Membership, a: EngineAnalysis, hint: ChangeHint, delta: ViewDelta): DirtyArea {
    const pods = new Set([...hint.touched, ...hint.rows, ...hint.cols]);
    const before = new Map([...pods].map((id) => [id, membership.nodeOf(id)]));
    const changed = membership.update(a, pods);
    // A node whose pods changed changes its pair counts in its whole row and column.
    const rows = new Set(changed);
    const cols = new Set(changed);
    const mark = (set: Set<string>, pod: string) => {
      const was = before.get(pod);
      const now = membership.nodeOf(pod);
      if (was !== undefined) set.add(was);
      if (now !== undefined) set.add(now);
    };
    // Nodes whose keys stayed (pods came or went among the same keys) may be recounted: within
    // one key numbering a key's connections never change, so its cells' ports and whether all
    // their pairs are allowed do not either.
    const sameKeys = membership.sameKeys(changed);
    for (const pod of hint.rows) mark(rows, pod);
    for (const pod of hint.cols) mark(cols, pod);
    for (const id of changed) {
      const node = membership.members.get(id)?.node;
      if (!node) {
        if (this.state.nodes.has(id)) delta.nodes.remove.push(id);
      } else if (!sameNode(this.state.nodes.get(id), node)) {
        delta.nodes.upsert.push(node);
      }
    }
    return { rows, cols, sameKeys };
  }

  /** From scratch: every node compared, every cell redone. */
  private *rebuilt(membership: Membership, a: EngineAnalysis, delta: ViewDelta): Generator<void, 'all'> {
    const nodes = new Map<string, ViewNode>();
    for (const [id, m] of membership.members) nodes.set(id, m.node);
    for (const e of externalNodes(a, this.spec.level === 'pod')) nodes.set(e.id, e);
    for (const id of this.state.nodes.keys()) if (!nodes.has(id)) delta.nodes.remove.push(id);
    yield;
    for (const [id, node] of nodes) if (!sameNode(this.state.nodes.get(id), node)) delta.nodes.upsert.push(node);
    return 'all';
  }

  private *updateCells(ctx: CellContext, members: ReadonlyMap<string, Member>, area: DirtyArea | 'all', delta: ViewDelta): Generator<void> {
    const externals = ctx.a.externals;
    const full = area === 'all';
    const dirty = full ? { rows: new Set<string>(), cols: new Set<string>(), sameKeys: new Set<string>() } : area;
    const rowsToDo = full ? [...members.keys()] : [...dirty.rows].filter((id) => members.has(id));
    const colsToDo = full ? [] : [...dirty.cols].filter((id) => members.has(id));
    // Rows and columns only recounted: the node kept its keys and every cell of it (but the one
    // with itself) had every pair allowed. A pod more in a workload of the M cluster is then a
    // few hundred multiplications, not its row and column computed again.
    const allFull = (id: string, cells: ReadonlyMap<string, ViewCell> | undefined) => {
      for (const [other, cell] of cells ?? []) if (other !== id && !other.startsWith('ip:') && cell.allowed !== cell.total) return false;
      return true;
    };
    const fastRows = new Set(rowsToDo.filter((id) => dirty.sameKeys.has(id) && allFull(id, this.cells.row(id))));
    const fastCols = new Set(colsToDo.filter((id) => dirty.sameKeys.has(id) && allFull(id, this.cells.col(id))));
    const nodeOf = (id: string) => members.get(id)?.node ?? this.state.nodes.get(id);
    // Fresh cells of the recomputed rows and columns, by row.
    const fresh: CellsByNode = new Map();
    for (const from of rowsToDo) {
      const m = members.get(from)!;
      let row: Map<string, ViewCell>;
      if (fastRows.has(from)) {
        row = new Map();
        for (const [to, held] of this.cells.row(from) ?? []) {
          // The cell with itself, externals and columns computed in full are done below.
          if (to === from || to.startsWith('ip:') || !members.has(to) || (dirty.cols.has(to) && !fastCols.has(to))) continue;
          row.set(to, recountedCell(held, nodeOf(from), nodeOf(to)));
        }
        const self = ctx.cell(m, m);
        if (self) row.set(from, self);
      } else {
        row = ctx.row(m);
      }
      externals.forEach((e, i) => {
        const cell = e.asDestination ? ctx.externalCell(i, m, 'to') : null;
        if (cell) row.set(e.id, cell);
      });
      fresh.set(from, row);
      yield;
    }
    for (const to of colsToDo) {
      const m = members.get(to)!;
      if (fastCols.has(to)) {
        for (const [from, held] of this.cells.col(to) ?? []) {
          // Cells of rows being redone were done with their row.
          if (from === to || from.startsWith('ip:') || !members.has(from) || dirty.rows.has(from)) continue;
          putCell(fresh, from, to, recountedCell(held, nodeOf(from), nodeOf(to)));
        }
        if (!dirty.rows.has(to)) {
          const self = ctx.cell(m, m);
          if (self) putCell(fresh, to, to, self);
        }
      } else {
        for (const [from, cell] of ctx.col(m)) putCell(fresh, from, to, cell);
      }
      externals.forEach((e, i) => {
        const cell = e.asSource ? ctx.externalCell(i, m, 'from') : null;
        if (cell) putCell(fresh, e.id, to, cell);
      });
    }
    if (full) {
      for (const [id, m] of members) {
        externals.forEach((e, i) => {
          const cell = e.asSource ? ctx.externalCell(i, m, 'from') : null;
          if (cell) putCell(fresh, e.id, id, cell);
        });
      }
    }
    // The client recounts cells with every pair allowed when their nodes' pod counts change
    // (protocol 2, see ViewDelta): only what that recount does not give is sent.
    const upserted = new Map(delta.nodes.upsert.map((n) => [n.id, n]));
    const recounts = (id: string) => {
      const before = this.state.nodes.get(id);
      const after = upserted.get(id);
      return before !== undefined && after !== undefined && before.pods !== after.pods;
    };
    const nodeAfter = (id: string) => upserted.get(id) ?? this.state.nodes.get(id);
    for (const [from, row] of fresh) {
      const heldRow = this.cells.row(from);
      for (const [to, cell] of row) {
        const held = heldRow?.get(to);
        if (sameCell(held, cell)) continue;
        const client = held && (recounts(from) || recounts(to)) ? recountedCell(held, nodeAfter(from), nodeAfter(to)) : held;
        if (sameCell(client, cell)) this.cells.set(from, to, cell);
        else delta.cells.upsert.push([from, to, cell]);
      }
      yield;
    }
    // Old cells of the recomputed rows and columns that are no longer there. Nodes that left the
    // view are among them: their pods moved, so `moved` marked their rows and columns.
    const check = (from: string, to: string) => {
      if (!fresh.get(from)?.has(to)) delta.cells.remove.push([from, to]);
    };
    if (full) {
      for (const [from, row] of this.cells.rows()) for (const to of row.keys()) check(from, to);
      return;
    }
    for (const from of dirty.rows) for (const to of this.cells.row(from)?.keys() ?? []) check(from, to);
    for (const to of dirty.cols) for (const from of this.cells.col(to)?.keys() ?? []) if (!dirty.rows.has(from)) check(from, to);
  }

  /**
   * Pod level: the key table over the row and column keys the view's pods use. Within one key
   * numbering only keys that came into use or went out of use change anything.
   */
  private *updateKeyCells(ctx: CellContext, membership: Membership, full: boolean, delta: ViewDelta): Generator<void> {
    const rows = new Set(membership.bySource.keys());
    const cols = new Set(membership.byDestination.keys());
    const old = full ? { rows: new Set<number>(), cols: new Set<number>() } : this.usedKeys;
    const newRows = [...rows].filter((k) => !old.rows.has(k));
    const newCols = new Set([...cols].filter((k) => !old.cols.has(k)));
    const goneRows = new Set([...old.rows].filter((k) => !rows.has(k)));
    const goneCols = new Set([...old.cols].filter((k) => !cols.has(k)));
    const pod = (side: 'source' | 'destination', key: number) => {
      const member = (side === 'source' ? membership.bySource : membership.byDestination).get(key)!.keys().next().value!;
      return representative(ctx.a, (side === 'source' ? member.sources : member.destinations).get(key)!);
    };
    // Port sets by canonical text: comparing texts is cheap, comparing JSON is not.
    const fresh = new Map<string, string>();
    const put = (row: number, col: number, id: number) => {
      if (ctx.counts(id)) fresh.set(`${row}\t${col}`, ctx.portsText(id));
    };
    for (const row of rows) {
      const entries = ctx.keys.rows[row]!;
      const rowIsNew = !old.rows.has(row);
      if (!rowIsNew && newCols.size === 0) continue;
      for (let i = 0; i < entries.length; i += 2) {
        const col = entries[i]!;
        if (cols.has(col) && (rowIsNew || newCols.has(col))) put(row, col, entries[i + 1]!);
      }
      yield;
    }
    ctx.a.externals.forEach((e, i) => {
      const ext = EXTERNAL_KEY_BASE + i;
      if (e.asSource) for (const col of newCols) put(ext, col, ctx.keys.external(i, 'from', col, pod('destination', col)));
      if (e.asDestination) for (const row of newRows) put(row, ext, ctx.keys.external(i, 'to', row, pod('source', row)));
    });
    for (const [key, text] of fresh) {
      if (this.keyCellText.get(key) !== text) {
        const [row, col] = key.split('\t').map(Number) as [number, number];
        delta.keyCells.upsert.push([row, col, ctx.portsJSONOfText(text)]);
      }
    }
    if (full || goneRows.size > 0 || goneCols.size > 0) {
      for (const key of this.keyCellText.keys()) {
        if (fresh.has(key)) continue;
        const [row, col] = key.split('\t').map(Number) as [number, number];
        if (full || goneRows.has(row) || goneCols.has(col)) delta.keyCells.remove.push([row, col]);
      }
    }
    if (full) this.keyCellText = fresh;
    else {
      for (const [row, col] of delta.keyCells.remove) this.keyCellText.delete(`${row}\t${col}`);
      for (const [key, text] of fresh) this.keyCellText.set(key, text);
    }
    this.usedKeys = { rows, cols };
  }

  private updateFindings(all: readonly Finding[], delta: ViewDelta): void {
    // The engine keeps the same array while no finding changed.
    if (all === this.findingsInput) return;
    this.findingsInput = all;
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

export function isEmptyDelta(d: ViewDelta): boolean {
  return (
    d.nodes.upsert.length + d.nodes.remove.length + d.cells.upsert.length + d.cells.remove.length + d.keyCells.upsert.length + d.keyCells.remove.length + d.findings.added.length + d.findings.removed.length === 0 &&
    d.status === undefined &&
    d.unknown === undefined
  );
}
