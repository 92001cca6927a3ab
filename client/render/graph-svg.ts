// The graph as SVG markup, from a layout: one pure function used by the live view (small graphs)
// and by the SVG/PNG export, so an export shows exactly what the view draws. Only presentation
// attributes, no `style`: the page's CSP forbids inline styles, and the file stands alone.
import type { Palette } from './palette.ts';
import { portsText } from './palette.ts';
import { edgeGeometry, edgeOpacity, GROUP_HEADER, unprotectedText, type EdgeGeometry, type GraphEdge, type GraphLayout, type LaidGroup, type LaidNode } from './graph-layout.ts';
import { CHANGE_GLYPHS, nodeMarkOf, type CellMark, type ChangesToDraw, type ConnectionMark, type ProtectionMark } from '../diff-marks.ts';

export const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif";

export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

export interface GraphDrawOptions {
  palette: Palette;
  /** The focused node: everything outside its neighborhood is dimmed. */
  focus: string | null;
  /** Focus + in/out neighbors (null: nothing dimmed). */
  neighborhood: ReadonlySet<string> | null;
  /** The focused node's own edges, drawn on top (needed when `edges` are aggregated). */
  focusEdges?: readonly GraphEdge[];
  /** Node ids touched by the last live update (a short halo). */
  changed?: ReadonlySet<string>;
  /**
   * Changes since a past instant to highlight: connections gained, lost or with other ports (drawn
   * over the edges, whether or not the state shown has them) and nodes now unprotected or protected.
   */
  changes?: ChangesToDraw | null;
  /** Adds tabindex/role for keyboard use in the page (not in exported files). */
  interactive?: boolean;
  /** Prefix of ids inside the document (markers), unique per document on a page. */
  idPrefix?: string;
}

const DIM = 0.13;
const DIM_EDGES = 0.12;
const NEAR = 0.95;
/** Edges that did not change, while changes are highlighted. */
export const UNCHANGED = 0.4;

/** The `<defs>` (arrowheads) and the drawing, without the `<svg>` element. */
export function graphSvgContent(layout: GraphLayout, edges: readonly GraphEdge[], o: GraphDrawOptions): string {
  const p = o.palette;
  const id = o.idPrefix ?? 'tm';
  const out: string[] = [];
  out.push('<defs>');
  for (const [kind, color] of [
    ['all', p.cell.all],
    ['some', p.cell.some],
    ['focus', p.focus],
    ['gained', p.change.gained],
    ['lost', p.change.lost],
    ['changed', p.change.changed],
  ] as const) {
    out.push(`<marker id="${id}-arrow-${kind}" viewBox="0 0 10 10" refX="0" refY="5" markerUnits="userSpaceOnUse" markerWidth="9" markerHeight="9" orient="auto"><path d="M0,0.5 L10,5 L0,9.5 Z" fill="${color}"/></marker>`);
  }
  out.push('</defs>');

  const groups = [...layout.groups.values()].map((g) => groupMarkup(g, p, o.neighborhood !== null));
  out.push('<g class="groups">', ...groups.map((g) => g.box), '</g>');

  const hood = o.neighborhood;
  const focusKeys = new Set((o.focusEdges ?? []).map((e) => e.key));
  const maxPairs = edges.reduce((m, e) => Math.max(m, e.pairs), 1);
  const rest = (e: GraphEdge) => edgeOpacity(e, edges.length, maxPairs);
  const normal: string[] = [];
  const near: string[] = [];
  const dim: string[] = [];
  for (const e of edges) {
    if (focusKeys.has(e.key)) continue;
    if (hood === null) normal.push(edgeMarkup(layout, e, p, id, rest(e)));
    else if (!e.aggregated && (e.from === o.focus || e.to === o.focus)) near.push(edgeMarkup(layout, e, p, id, NEAR));
    else dim.push(edgeMarkup(layout, e, p, id, rest(e)));
  }
  for (const e of o.focusEdges ?? []) near.push(edgeMarkup(layout, e, p, id, NEAR));
  // Dimmed edges share one group opacity, so that a bundle of them does not add up to a line.
  if (dim.length > 0) out.push(`<g class="edges dimmed" fill="none" opacity="${DIM_EDGES}">`, ...dim, '</g>');
  // While changes are highlighted the other edges step back, so that the changes read first.
  const highlighting = !!o.changes && (o.changes.cells.length > 0 || o.changes.nodes.size > 0);
  out.push(`<g class="edges" fill="none"${highlighting ? ` opacity="${UNCHANGED}"` : ''}>`, ...normal, '</g>');
  if (near.length > 0) out.push('<g class="edges focused" fill="none">', ...near, '</g>');
  if (o.changes && o.changes.cells.length > 0) out.push('<g class="changes">', ...o.changes.cells.map((c) => changeMarkup(layout, c, p, id, hood)), '</g>');
  // Headers above the edges that cross them.
  out.push('<g class="group-headers">', ...groups.map((g) => g.header), '</g>');

  out.push(`<g class="nodes" font-family="${esc(FONT)}">`);
  for (const n of layout.nodes.values()) out.push(nodeMarkup(n, p, o, hood === null ? false : !hood.has(n.id)));
  out.push('</g>');
  return out.join('');
}

function groupMarkup(g: LaidGroup, p: Palette, focused: boolean): { box: string; header: string } {
  const external = g.kind === 'external';
  const fill = p.surface;
  const stroke = external ? p.external : p.grid;
  const dash = external ? ' stroke-dasharray="6 4"' : '';
  const warnText = unprotectedText(g.unprotected);
  const warnX = g.x + g.w - 14 - warnText.length * 6.9;
  const warn =
    g.unprotected > 0
      ? `<g class="group-warning">${warningGlyph(warnX - 9, g.y + 17.5, 6, p)}<text x="${warnX}" y="${g.y + 18}" font-family="${esc(FONT)}" font-size="11.5" font-weight="600" fill="${p.unprotected}" dominant-baseline="central"${halo(p.surface)}>${warnText}</text></g>`
      : '';
  const label = g.kind === 'namespace' ? `<tspan fill="${p.muted}" font-weight="400">namespace </tspan>${esc(g.label)}` : esc(g.label);
  const box =
    `<g class="group" data-group="${esc(g.id)}" opacity="${focused ? 0.75 : 1}">` +
    `<rect x="${g.x}" y="${g.y}" width="${g.w}" height="${g.h}" rx="10" fill="${fill}" stroke="${stroke}" stroke-width="1.2"${dash}/>` +
    `<line x1="${g.x + 1}" y1="${g.y + GROUP_HEADER - 4}" x2="${g.x + g.w - 1}" y2="${g.y + GROUP_HEADER - 4}" stroke="${p.grid}" stroke-width="1"/></g>`;
  const header =
    `<g class="group-header" data-group="${esc(g.id)}">` +
    `<text x="${g.x + 14}" y="${g.y + 18}" font-family="${esc(FONT)}" font-size="13" font-weight="600" fill="${p.text}" dominant-baseline="central"${halo(p.surface)}>${label}` +
    `<tspan fill="${p.muted}" font-weight="400" font-size="11.5" dx="10">${esc(g.sublabel)}</tspan></text>` +
    warn +
    '</g>';
  return { box, header };
}

/** A halo in the background color behind text, so labels stay legible over edges. */
const halo = (color: string): string => ` stroke="${color}" stroke-width="3.5" stroke-linejoin="round" paint-order="stroke"`;

/** A warning triangle with "!" (drawn, so it does not depend on fonts). */
export function warningGlyph(x: number, y: number, size: number, p: Palette): string {
  const h = size * 1.8;
  const w = size * 2;
  return (
    `<g class="warn" transform="translate(${x},${y})">` +
    `<path d="M0,${-h / 2} L${w / 2},${h / 2} L${-w / 2},${h / 2} Z" fill="${p.unprotected}" stroke="${p.background}" stroke-width="1" stroke-linejoin="round"/>` +
    `<rect x="-0.75" y="${-h / 2 + h * 0.3}" width="1.5" height="${h * 0.36}" fill="${p.background}"/>` +
    `<rect x="-0.75" y="${h / 2 - h * 0.22}" width="1.5" height="1.5" fill="${p.background}"/>` +
    '</g>'
  );
}

function edgeTitle(e: GraphEdge): string {
  const ports = e.ports === null ? (e.kind === 'all' ? 'every port (for some pairs)' : 'some ports') : portsText(e.ports);
  const pairs = e.aggregated ? `${e.count} connection${e.count === 1 ? '' : 's'}, ${e.pairs} pod pair${e.pairs === 1 ? '' : 's'}` : e.total > 1 || e.pairs !== e.total ? `${e.pairs}/${e.total} pod pairs` : '';
  return `${e.from} → ${e.to}: ${ports}${pairs ? ` (${pairs})` : ''}`;
}

function edgeMarkup(layout: GraphLayout, e: GraphEdge, p: Palette, id: string, opacity: number): string {
  const g = edgeGeometry(layout, e);
  if (!g) return '';
  const color = e.kind === 'all' ? p.cell.all : p.cell.some;
  const dash = e.kind === 'some' ? ` stroke-dasharray="${Math.max(4, g.width * 2)} ${Math.max(2.5, g.width * 1.2)}"` : '';
  const marker = g.arrow ? ` marker-end="url(#${id}-arrow-${e.kind})"` : '';
  return (
    `<path class="edge" data-from="${esc(e.from)}" data-to="${esc(e.to)}" data-kind="${e.kind}" d="${g.d}" stroke="${color}" stroke-width="${g.width}"${dash}` +
    ` stroke-linecap="round" opacity="${opacity}"${marker}><title>${esc(edgeTitle(e))}</title></path>`
  );
}

/** Line style of each change besides its color: solid, dashed, dotted. */
export const CHANGE_DASH: Record<ConnectionMark, string> = { gained: '', lost: '5 3.5', changed: '1.5 3.5' };
export const CHANGE_WIDTH = 2.4;
export const BADGE_R = 6.5;

/** The path of a changed connection (as an edge between the two nodes) and where its badge sits. */
export function changeGeometry(layout: GraphLayout, c: CellMark): (EdgeGeometry & { badge: { x: number; y: number } }) | null {
  const grouped = c.count !== undefined;
  const edge: GraphEdge = { key: `${c.from}\t${c.to}`, from: c.from, to: c.to, kind: 'all', ports: null, pairs: 1, total: 1, aggregated: grouped, count: c.count ?? 1 };
  const g = edgeGeometry(layout, edge);
  if (!g) return null;
  if (g.arrow) {
    // Near the destination, on the edge's own last stretch (edges between two boxes share their trunk).
    const { x, y, angle } = g.arrow;
    return { ...g, badge: { x: x - Math.cos(angle) * 15, y: y - Math.sin(angle) * 15 } };
  }
  // A loop: over a node, or on its box's top-right corner.
  const box = grouped ? layout.groups.get(c.from) : undefined;
  if (box) return { ...g, badge: { x: box.x + box.w - 26, y: box.y - 22 } };
  const n = layout.nodes.get(c.from)!;
  return { ...g, badge: { x: n.x, y: n.y - n.r - 23 } };
}

/** A badge: a filled circle with the glyph in the background color. */
export function badgeMarkup(x: number, y: number, r: number, glyph: string, fill: string, p: Palette): string {
  return (
    `<circle cx="${x}" cy="${y}" r="${r}" fill="${fill}" stroke="${p.background}" stroke-width="1.3"/>` +
    `<text x="${x}" y="${y + 0.6}" text-anchor="middle" dominant-baseline="central" font-family="${esc(FONT)}" font-size="${Math.round(r * 1.55)}" font-weight="700" fill="${p.background}">${glyph}</text>`
  );
}

const round1 = (v: number) => Math.round(v * 10) / 10;

function changeMarkup(layout: GraphLayout, c: CellMark, p: Palette, id: string, hood: ReadonlySet<string> | null): string {
  const g = changeGeometry(layout, c);
  if (!g) return '';
  const color = p.change[c.change];
  const dash = CHANGE_DASH[c.change] ? ` stroke-dasharray="${CHANGE_DASH[c.change]}"` : '';
  const dim = hood !== null && !(hood.has(c.from) && hood.has(c.to));
  const marker = g.arrow ? ` marker-end="url(#${id}-arrow-${c.change})"` : '';
  return (
    `<g class="change" data-change="${c.change}" data-from="${esc(c.from)}" data-to="${esc(c.to)}" opacity="${dim ? 0.3 : 1}"><title>${esc(`${c.from} → ${c.to}: ${c.text}`)}</title>` +
    `<path d="${g.d}" fill="none" stroke="${p.background}" stroke-width="${CHANGE_WIDTH + 3}" stroke-linecap="round" opacity="0.85"/>` +
    `<path d="${g.d}" fill="none" stroke="${color}" stroke-width="${CHANGE_WIDTH}"${dash} stroke-linecap="round"${marker}/>` +
    badgeMarkup(round1(g.badge.x), round1(g.badge.y), BADGE_R, CHANGE_GLYPHS[c.change], color, p) +
    '</g>'
  );
}

/** The color of a node's protection change. */
export const protectionColor = (mark: ProtectionMark, p: Palette): string => (mark === 'unprotected' ? p.unprotected : p.protected);

export function nodeTitle(n: LaidNode): string {
  const v = n.node;
  if (v.kind === 'external') return `${v.id}\nexternal address range${(v.ranges?.length ?? 0) > 1 ? `s: ${v.ranges!.join(', ')}` : ''}`;
  const iso = (x: boolean | null) => (x === null ? 'unknown' : x ? 'isolated' : 'NOT isolated');
  const lines = [v.id, `${v.pods} pod${v.pods === 1 ? '' : 's'}`, `ingress: ${iso(v.isolation.ingress)}, egress: ${iso(v.isolation.egress)}`];
  if (n.status === 'unprotected') lines.push(`unprotected pods: ${v.unprotected.ingress ?? '?'} for ingress, ${v.unprotected.egress ?? '?'} for egress`);
  if (v.unknown) lines.push('policies unknown: no connection listed');
  return lines.join('\n');
}

function nodeMarkup(n: LaidNode, p: Palette, o: GraphDrawOptions, dim: boolean): string {
  const focus = o.focus === n.id;
  const status = n.status;
  const change = o.changes?.nodes.get(n.id);
  const changeMark = change ? nodeMarkOf(change) : null;
  const attrs =
    `class="node ${status}${focus ? ' focused' : ''}" data-id="${esc(n.id)}" data-kind="${n.node.kind}" data-status="${status}"` +
    ` data-unprotected="${status === 'unprotected'}" data-dim="${dim}"${changeMark ? ` data-change="${changeMark}"` : ''} transform="translate(${n.x},${n.y})" opacity="${dim ? DIM : 1}"` +
    (o.interactive ? ` tabindex="0" role="button" aria-label="${esc(`${n.node.kind} ${n.id}${status === 'unprotected' ? ', unprotected' : ''}${changeMark ? `, now ${changeMark}` : ''}`)}"` : '');
  const title = [nodeTitle(n), ...(change ? [...change.lines.ingress, ...change.lines.egress].map((l) => l.text) : [])].join('\n');
  const parts: string[] = [`<g ${attrs}><title>${esc(title)}</title>`];
  const r = n.r;
  if (o.changed?.has(n.id)) parts.push(`<circle r="${r + 9}" fill="none" stroke="${p.focus}" stroke-width="2" opacity="0.5"/>`);
  if (changeMark) {
    // Pods now unprotected: a solid ring; now protected: a dashed one; and the glyph at the top left.
    const color = protectionColor(changeMark, p);
    parts.push(`<circle r="${r + 5}" fill="none" stroke="${p.background}" stroke-width="5" opacity="0.85"/>`);
    parts.push(`<circle r="${r + 5}" fill="none" stroke="${color}" stroke-width="2.4"${changeMark === 'protected' ? ' stroke-dasharray="4 3"' : ''}/>`);
  }
  if (focus) parts.push(`<circle r="${r + 6}" fill="none" stroke="${p.focus}" stroke-width="3"/>`);
  if (n.shape === 'diamond') {
    const d = r + 1;
    parts.push(`<path d="M0,${-d} L${d},0 L0,${d} L${-d},0 Z" fill="${p.background}" stroke="${p.external}" stroke-width="2" stroke-linejoin="round"/>`);
    parts.push(`<path d="M0,${-d / 2.4} L${d / 2.4},0 L0,${d / 2.4} L${-d / 2.4},0 Z" fill="${p.external}"/>`);
  } else if (status === 'unprotected') {
    parts.push(`<circle r="${r}" fill="${p.background}" stroke="${p.unprotected}" stroke-width="2.2" stroke-dasharray="3.2 2.2"/>`);
    parts.push(`<circle r="${Math.max(2, r * 0.42)}" fill="${p.unprotected}" opacity="0.8"/>`);
  } else if (status === 'unknown') {
    parts.push(`<circle r="${r}" fill="${p.background}" stroke="${p.cell.unknown}" stroke-width="2" stroke-dasharray="1.5 2.5"/>`);
    parts.push(`<text text-anchor="middle" dominant-baseline="central" font-size="${Math.max(9, r)}" font-weight="700" fill="${p.muted}">?</text>`);
  } else {
    parts.push(`<circle r="${r}" fill="${p.protected}" fill-opacity="0.16" stroke="${p.protected}" stroke-width="2"/>`);
    parts.push(`<circle r="${Math.max(2, r * 0.42)}" fill="${p.protected}"/>`);
  }
  if (status === 'unprotected') parts.push(warningGlyph(r * 0.78 + 3, -r * 0.78 - 2, Math.max(4.5, Math.min(7, r * 0.5)), p));
  if (changeMark) parts.push(badgeMarkup(round1(-(r + 5) * 0.72), round1(-(r + 5) * 0.72), 6, CHANGE_GLYPHS[changeMark], protectionColor(changeMark, p), p));
  if (n.labelSide === 'right') {
    parts.push(`<text x="${r + 9}" dominant-baseline="central" font-size="11.5" fill="${p.text}"${halo(p.surface)}>${esc(n.label)}</text>`);
  } else {
    parts.push(`<text y="${r + 13}" text-anchor="middle" font-size="11.5" font-weight="${focus ? 700 : 500}" fill="${status === 'unprotected' ? p.unprotected : p.text}"${halo(p.surface)}>${esc(n.label)}</text>`);
    if (n.sublabel) parts.push(`<text y="${r + 26}" text-anchor="middle" font-size="10" fill="${p.muted}"${halo(p.surface)}>${esc(n.sublabel)}</text>`);
  }
  parts.push('</g>');
  return parts.join('');
}

/** The legend of the graph, as SVG (for exports), `width` wide; returns markup and height. */
export function graphLegendSvg(x: number, y: number, p: Palette): { markup: string; width: number; height: number } {
  const items: string[] = [];
  const row = (i: number) => y + 10 + i * 19;
  const text = (tx: number, ty: number, t: string) => `<text x="${tx}" y="${ty}" dominant-baseline="central" font-size="11" fill="${p.text}">${esc(t)}</text>`;
  items.push(`<circle cx="${x + 8}" cy="${row(0)}" r="6" fill="${p.protected}" fill-opacity="0.16" stroke="${p.protected}" stroke-width="2"/>`, text(x + 22, row(0), 'isolated both ways'));
  items.push(`<circle cx="${x + 8}" cy="${row(1)}" r="6" fill="${p.background}" stroke="${p.unprotected}" stroke-width="2" stroke-dasharray="3 2"/>`, warningGlyph(x + 16, row(1) - 6, 4, p), text(x + 22, row(1), 'unprotected pods (dashed, ⚠)'));
  items.push(`<circle cx="${x + 8}" cy="${row(2)}" r="6" fill="${p.background}" stroke="${p.cell.unknown}" stroke-width="2" stroke-dasharray="1.5 2.5"/>`, text(x + 22, row(2), 'policies unknown'));
  items.push(`<path d="M${x + 8},${row(3) - 8} L${x + 16},${row(3)} L${x + 8},${row(3) + 8} L${x},${row(3)} Z" fill="${p.background}" stroke="${p.external}" stroke-width="2"/>`, text(x + 22, row(3), 'external address range'));
  const c2 = x + 210;
  items.push(`<line x1="${c2}" y1="${row(0)}" x2="${c2 + 26}" y2="${row(0)}" stroke="${p.cell.all}" stroke-width="3"/>`, text(c2 + 34, row(0), 'every port allowed'));
  items.push(`<line x1="${c2}" y1="${row(1)}" x2="${c2 + 26}" y2="${row(1)}" stroke="${p.cell.some}" stroke-width="3" stroke-dasharray="6 3.6"/>`, text(c2 + 34, row(1), 'some ports allowed'));
  items.push(`<line x1="${c2}" y1="${row(2)}" x2="${c2 + 26}" y2="${row(2)}" stroke="${p.muted}" stroke-width="1.2"/><line x1="${c2}" y1="${row(2) + 5}" x2="${c2 + 26}" y2="${row(2) + 5}" stroke="${p.muted}" stroke-width="4"/>`, text(c2 + 34, row(2) + 2, 'thicker: more pod pairs'));
  return { markup: `<g class="legend" font-family="${esc(FONT)}">${items.join('')}</g>`, width: 380, height: 4 * 19 + 4 };
}
