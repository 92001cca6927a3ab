// What a diff of two instants marks on the matrix and the graph: every changed connection by its
// cell (gained, lost, other ports), every node whose pods became unprotected or protected, per
// direction (egress is the node's row, ingress its column), and the words of each mark for a
// tooltip ("gained since 2026-11-26 02:14:00 UTC: TCP 80"). Pure: the views draw these marks and
// test/unit/diff-marks.test.ts checks them.
import type { ConnectionChange, ConnectivityDiff, NodeChange } from '../shared/diff/types.ts';
import type { Group } from '../shared/matrix/matrix.ts';
import { portsText } from './diff-view.ts';
import { instantText } from './timeline.ts';

export type ConnectionMark = ConnectionChange['change'];
/** What a node's pods became in one direction. */
export type ProtectionMark = 'unprotected' | 'protected';
export type Direction = 'ingress' | 'egress';

/** A change in words, with its mark (for tooltips). */
export interface ChangeLine {
  mark: ConnectionMark | ProtectionMark;
  text: string;
}

export interface CellMark {
  from: string;
  to: string;
  change: ConnectionMark;
  /** `gained since …: TCP 80`, `lost since …: all ports`, `ports changed since …: +TCP 443 −TCP 80`. */
  text: string;
  /** Set when `from` and `to` are groups (namespaces) standing for this many changed connections. */
  count?: number;
}

export interface NodeMark {
  id: string;
  /** Per direction, what some of its pods became (unprotected wins when both happened). */
  ingress: ProtectionMark | null;
  egress: ProtectionMark | null;
  /** Per direction, in words: `2 pods became unprotected for ingress since …` (empty: no change that way). */
  lines: Record<Direction, ChangeLine[]>;
}

export interface MarkCounts {
  gained: number;
  lost: number;
  changed: number;
  /** Nodes with pods that became unprotected (in some direction), or protected. */
  becameUnprotected: number;
  becameProtected: number;
}

export interface DiffMarks {
  group: Group;
  /** The earlier instant (ISO); the later one is now. */
  since: string;
  /** Keyed `from\tto`, like the view's cells. */
  cells: Map<string, CellMark>;
  nodes: Map<string, NodeMark>;
  counts: MarkCounts;
}

const cellKey = (from: string, to: string) => `${from}\t${to}`;
const pods = (n: number) => `${n} pod${n === 1 ? '' : 's'}`;

function cellText(c: ConnectionChange, since: string): string {
  if (c.change === 'gained') return `gained since ${since}: ${portsText(c.gained)}`;
  if (c.change === 'lost') return `lost since ${since}: ${portsText(c.lost)}`;
  const parts = [c.gained, c.lost].map((p, i) => (portsText(p) === 'none' ? '' : `${i === 0 ? '+' : '−'}${portsText(p)}`)).filter((p) => p);
  return `ports changed since ${since}: ${parts.join(' ')}`;
}

function nodeMark(n: NodeChange, since: string): NodeMark | null {
  const mark: NodeMark = { id: n.id, ingress: null, egress: null, lines: { ingress: [], egress: [] } };
  for (const d of ['ingress', 'egress'] as const) {
    const opened = n.becameUnprotected[d];
    const closed = n.becameProtected[d];
    if (opened > 0) mark.lines[d].push({ mark: 'unprotected', text: `${pods(opened)} became unprotected for ${d} since ${since}` });
    if (closed > 0) mark.lines[d].push({ mark: 'protected', text: `${pods(closed)} became protected for ${d} since ${since}` });
    mark[d] = opened > 0 ? 'unprotected' : closed > 0 ? 'protected' : null;
  }
  return mark.ingress || mark.egress ? mark : null;
}

/** The marks of a diff from `since` (ISO) to now. */
export function diffMarks(diff: ConnectivityDiff, since: string): DiffMarks {
  const when = instantText(since);
  const cells = new Map<string, CellMark>();
  for (const c of diff.connections) cells.set(cellKey(c.from, c.to), { from: c.from, to: c.to, change: c.change, text: cellText(c, when) });
  const nodes = new Map<string, NodeMark>();
  for (const n of diff.nodes) {
    const mark = nodeMark(n, when);
    if (mark) nodes.set(n.id, mark);
  }
  return { group: diff.group, since, cells, nodes, counts: countMarks([...cells.values()], [...nodes.values()]) };
}

function countMarks(cells: readonly CellMark[], nodes: readonly NodeMark[]): MarkCounts {
  const counts: MarkCounts = { gained: 0, lost: 0, changed: 0, becameUnprotected: 0, becameProtected: 0 };
  for (const c of cells) counts[c.change]++;
  for (const n of nodes) {
    if (n.ingress === 'unprotected' || n.egress === 'unprotected') counts.becameUnprotected++;
    if (n.ingress === 'protected' || n.egress === 'protected') counts.becameProtected++;
  }
  return counts;
}

export interface MarksInView {
  cells: CellMark[];
  nodes: NodeMark[];
  counts: MarkCounts;
  /** Marks of the diff whose nodes this view does not show (filtered out, or gone since). */
  hidden: number;
}

/**
 * The marks a view can draw: cells whose source is a row (`isSource`) and destination a column
 * (`isDestination`), nodes it shows on either axis.
 */
export function marksInView(marks: DiffMarks, isSource: (id: string) => boolean, isDestination: (id: string) => boolean = isSource): MarksInView {
  const cells: CellMark[] = [];
  const nodes: NodeMark[] = [];
  let hidden = 0;
  for (const c of marks.cells.values()) {
    if (isSource(c.from) && isDestination(c.to)) cells.push(c);
    else hidden++;
  }
  for (const n of marks.nodes.values()) {
    if (isSource(n.id) || isDestination(n.id)) nodes.push(n);
    else hidden++;
  }
  return { cells, nodes, counts: countMarks(cells, nodes), hidden };
}

/**
 * One mark per pair of groups, for a picture that links groups rather than nodes (the graph's
 * namespace links): the change of its connections when they all agree, else `changed`, and their
 * counts in words (`12 gained, 3 lost since …`). Cells whose nodes have no group are left out.
 */
export function marksByGroup(cells: readonly CellMark[], groupOf: (id: string) => string | undefined, since: string): CellMark[] {
  const pairs = new Map<string, { from: string; to: string; counts: Record<ConnectionMark, number> }>();
  for (const c of cells) {
    const from = groupOf(c.from);
    const to = groupOf(c.to);
    if (from === undefined || to === undefined) continue;
    const key = cellKey(from, to);
    let pair = pairs.get(key);
    if (!pair) pairs.set(key, (pair = { from, to, counts: { gained: 0, lost: 0, changed: 0 } }));
    pair.counts[c.change]++;
  }
  const when = instantText(since);
  return [...pairs.values()].map(({ from, to, counts }) => {
    const kinds = (['gained', 'lost', 'changed'] as const).filter((k) => counts[k] > 0);
    const words = kinds.map((k) => `${counts[k]} ${k === 'changed' ? 'with other ports' : k}`);
    return { from, to, change: kinds.length === 1 ? kinds[0]! : 'changed', text: `${words.join(', ')} since ${when}`, count: counts.gained + counts.lost + counts.changed };
  });
}

/** What a picture highlights: the changed cells and the changed nodes it shows. */
export interface ChangesToDraw {
  cells: readonly CellMark[];
  nodes: ReadonlyMap<string, NodeMark>;
}

/** The marks of a view to draw, or null when the highlight is off. */
export function changesToDraw(shown: MarksInView | null, highlight: boolean): ChangesToDraw | null {
  return shown && highlight ? { cells: shown.cells, nodes: new Map(shown.nodes.map((n) => [n.id, n])) } : null;
}

const NODE_NOUNS: Record<Group, [string, string]> = { namespace: ['namespace', 'namespaces'], workload: ['workload', 'workloads'], pod: ['pod', 'pods'] };

/** `3 gained, 2 lost, 1 with other ports · 2 workloads with pods now unprotected, 1 now protected` (pods: `2 pods now unprotected`). */
export function countsText(counts: MarkCounts, group: Group): string {
  const connections = [`${counts.gained} gained`, `${counts.lost} lost`];
  if (counts.changed > 0) connections.push(`${counts.changed} with other ports`);
  const nodes: string[] = [];
  const subject = (n: number) => `${n} ${NODE_NOUNS[group][n === 1 ? 0 : 1]}${group === 'pod' ? '' : ' with pods'}`;
  if (counts.becameUnprotected > 0) nodes.push(`${subject(counts.becameUnprotected)} now unprotected`);
  if (counts.becameProtected > 0) nodes.push(`${nodes.length > 0 ? counts.becameProtected : subject(counts.becameProtected)} now protected`);
  return [connections.join(', '), ...(nodes.length > 0 ? [nodes.join(', ')] : [])].join(' · ');
}

/** A node's mark when directions are not told apart (the graph): unprotected wins. */
export const nodeMarkOf = (n: NodeMark): ProtectionMark => (n.ingress === 'unprotected' || n.egress === 'unprotected' ? 'unprotected' : 'protected');

/** The glyph each mark carries besides its color and line style. */
export const CHANGE_GLYPHS: Record<ConnectionMark | ProtectionMark, string> = { gained: '+', lost: '−', changed: '±', unprotected: '!', protected: '✓' };
