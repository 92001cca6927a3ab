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

/** Builds the body from a state (server side; also used by tests to compare encodings). */
export function snapshotBody(state: ViewState, source: string): SnapshotBody {
  const nodes = [...state.nodes.values()];
  const index = new Map(nodes.map((n, i) => [n.id, i]));
  // Cells computed together share their port-set objects: look them up by identity first, and
  // by text only once per object (the text of every cell's ports dominated big snapshots).
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
  const cells: number[] = [];
  for (const [key, cell] of state.cells) {
    const tab = key.indexOf('\t');
    cells.push(index.get(key.slice(0, tab))!, index.get(key.slice(tab + 1))!, portSetOf(cell.ports), cell.allowed, cell.total);
  }
  const keyCells: number[] = [];
  for (const [key, ports] of state.keyCells) {
    const [row, col] = key.split('\t');
    keyCells.push(Number(row), Number(col), portSetOf(ports));
  }
  return {
    viewId: state.viewId,
    view: state.view,
    seq: state.seq,
    at: state.at,
    source,
    status: state.status,
    unknown: state.unknown,
    findings: state.findings,
    portSets,
    nodes,
    cells,
    keyCells,
  };
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
