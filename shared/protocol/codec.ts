// The wire form of a view snapshot. Big views are mostly cells, so cells travel as flat number
// arrays that index a node list and a port-set table, and the whole body is raw-deflate compressed
// (the M cluster's namespace view: 38k cells in well under 200 KB). Decoding needs only the
// platform's DecompressionStream (every browser, Node 18+).
import type { Finding } from '../engine/analysis.ts';
import type { SourceStatus } from '../model/status.ts';
import type { ViewSnapshotMessage } from './events.ts';
import { cellKey, trackCells, type PortsJSON, type ViewCell, type ViewNode, type ViewSpec, type ViewState } from './view.ts';

export const CELL_STRIDE = 5;
export const KEY_CELL_STRIDE = 3;

/** The JSON inside `view:snapshot.body`. */
export interface SnapshotBody {
  viewId: string;
  view: ViewSpec;
  seq: number;
  at: string;
  source: string;
  status: SourceStatus;
  unknown: 'all' | string[];
  findings: Finding[];
  /** Port sets referenced by index from `cells` and `keyCells`. */
  portSets: PortsJSON[];
  nodes: ViewNode[];
  /** Flat `[from, to, portSet, allowed, total]*`: from/to index `nodes`. */
  cells: number[];
  /** Flat `[row, col, portSet]*` (pod level). */
  keyCells: number[];
}

/**
 * The parts of a body that are not cells, and the port-set table the cells add to. Cells computed
 * together share their port-set objects: they are looked up by identity first, and by text only
 * once per object (the text of every cell's ports dominated big snapshots).
 */
function bodyParts(state: ViewState, source: string) {
  const nodes = [...state.nodes.values()];
  const index = new Map(nodes.map((n, i) => [n.id, i]));
  const byObject = new Map<PortsJSON, number>();
  const byText = new Map<string, number>();
  const portSets: PortsJSON[] = [];
  const portSetOf = (ports: PortsJSON) => {
    let i = byObject.get(ports);
    if (i !== undefined) return i;
    const text = ports === 'all' ? 'all' : JSON.stringify(ports);
    i = byText.get(text);
    if (i === undefined) byText.set(text, (i = portSets.push(ports) - 1));
    byObject.set(ports, i);
    return i;
  };
  const pushCell = (out: number[], key: string, cell: ViewCell) => {
    const tab = key.indexOf('\t');
    out.push(index.get(key.slice(0, tab))!, index.get(key.slice(tab + 1))!, portSetOf(cell.ports), cell.allowed, cell.total);
  };
  const keyCells: number[] = [];
  for (const [key, ports] of state.keyCells) {
    const [row, col] = key.split('\t');
    keyCells.push(Number(row), Number(col), portSetOf(ports));
  }
  const head = {
    viewId: state.viewId,
    view: state.view,
    seq: state.seq,
    at: state.at,
    source,
    status: state.status,
    unknown: state.unknown,
    findings: [...state.findings],
    nodes,
    keyCells,
  };
  return { head, portSets, pushCell };
}

/** Builds the body from a state (also used by tests to compare encodings). */
export function snapshotBody(state: ViewState, source: string): SnapshotBody {
  const { head, portSets, pushCell } = bodyParts(state, source);
  const cells: number[] = [];
  for (const [key, cell] of state.cells) pushCell(cells, key, cell);
  return { ...head, portSets, cells };
}

/**
 * The body as JSON text, made in steps of at most `cellsPerStep` cells: the generator yields
 * between steps, so a server can encode a big view (half a million cells for the M cluster's
 * workload view, most of a second) while it goes on serving. The state is read at the first step
 * (its cells copied), so it may change between steps.
 */
export function* snapshotTextSteps(state: ViewState, source: string, cellsPerStep = 16_384): Generator<void, string> {
  const { head, portSets, pushCell } = bodyParts(state, source);
  const entries = [...state.cells];
  const parts: string[] = [];
  for (let i = 0; i < entries.length; i += cellsPerStep) {
    yield;
    const cells: number[] = [];
    for (const [key, cell] of entries.slice(i, i + cellsPerStep)) pushCell(cells, key, cell);
    parts.push(JSON.stringify(cells).slice(1, -1));
  }
  yield;
  // The head's closing brace gives way to the cells and the port sets they index.
  return `${JSON.stringify(head).slice(0, -1)},"cells":[${parts.join(',')}],"portSets":${JSON.stringify(portSets)}}`;
}

/** The state a body describes. */
export function stateFromBody(body: SnapshotBody): ViewState {
  const nodes = new Map(body.nodes.map((n) => [n.id, n]));
  const cells = new Map<string, ViewCell>();
  for (let i = 0; i < body.cells.length; i += CELL_STRIDE) {
    const [from, to, ports, allowed, total] = body.cells.slice(i, i + CELL_STRIDE) as [number, number, number, number, number];
    cells.set(cellKey(body.nodes[from]!.id, body.nodes[to]!.id), { ports: body.portSets[ports]!, allowed, total });
  }
  trackCells(cells);
  const keyCells = new Map<string, PortsJSON>();
  for (let i = 0; i < body.keyCells.length; i += KEY_CELL_STRIDE) {
    keyCells.set(`${body.keyCells[i]}\t${body.keyCells[i + 1]}`, body.portSets[body.keyCells[i + 2]!]!);
  }
  return {
    viewId: body.viewId,
    view: body.view,
    seq: body.seq,
    at: body.at,
    nodes,
    cells,
    keyCells,
    findings: body.findings,
    status: body.status,
    unknown: body.unknown,
  };
}

/** Inflates and parses a `view:snapshot` message. */
export async function decodeSnapshot(message: ViewSnapshotMessage): Promise<SnapshotBody> {
  if (message.encoding !== 'deflate-raw+json') throw new Error(`unknown snapshot encoding ${String(message.encoding)}`);
  // socket.io hands binary as a Buffer (Node) or an ArrayBuffer (browser); copy into a plain array.
  const bytes = new Uint8Array(message.body instanceof Uint8Array ? message.body : (message.body as ArrayBuffer));
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
  return JSON.parse(await new Response(stream).text()) as SnapshotBody;
}
