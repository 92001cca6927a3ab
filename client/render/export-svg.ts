// Standalone SVG documents of the current view, stamped (source, time, filters, level) for
// evidence: the graph (the same markup the view draws) and the matrix (built from the ViewState,
// at most MATRIX_CAP nodes a side). Pure: strings in, strings out.
import { cellOf, type ViewNode, type ViewState } from '../../shared/protocol/view.ts';
import { cellCoverage, cellKind, CELL_LABELS, portsText, type CellKind, type Palette } from './palette.ts';
import { compareNodes, nodeStatus, type GraphEdge, type GraphLayout } from './graph-layout.ts';
import { esc, FONT, graphLegendSvg, graphSvgContent, warningGlyph, type GraphDrawOptions } from './graph-svg.ts';
import { stampLines, type ExportStamp } from './export-meta.ts';

export interface SvgDocument {
  svg: string;
  width: number;
  height: number;
}

export const MATRIX_CAP = 400;
const MARGIN = 28;
/** Rough text width (px) of a line at `size` px, for sizing without a DOM. */
const textWidth = (text: string, size: number): number => text.length * size * 0.56;

/** The stamp and a legend, as a footer `width` wide at `y`. */
function footer(stamp: ExportStamp, p: Palette, y: number, width: number, legend: { markup: (x: number, y: number) => string; width: number; height: number }): { markup: string; height: number } {
  const lines = stampLines(stamp);
  const lineH = 17;
  const textH = 14 + lines.length * lineH;
  const height = Math.max(textH, legend.height + 10) + 18;
  const out: string[] = [];
  out.push(`<g class="stamp" font-family="${esc(FONT)}">`);
  out.push(`<line x1="${MARGIN}" y1="${y}" x2="${width - MARGIN}" y2="${y}" stroke="${p.grid}" stroke-width="1"/>`);
  lines.forEach((line, i) => {
    const first = i === 0;
    out.push(`<text x="${MARGIN}" y="${y + 22 + i * lineH}" font-size="${first ? 13.5 : 12}" font-weight="${first ? 700 : 400}" fill="${first ? p.text : p.muted}">${first ? `<tspan fill="${p.text}">Traffic Map</tspan><tspan dx="8" font-weight="400" fill="${p.muted}">·</tspan><tspan dx="8">${esc(line)}</tspan>` : esc(line)}</text>`);
  });
  out.push('</g>');
  out.push(legend.markup(width - MARGIN - legend.width, y + 14));
  return { markup: out.join(''), height };
}

function footerWidth(stamp: ExportStamp, legendWidth: number): number {
  const lines = stampLines(stamp);
  const text = Math.max(...lines.map((l, i) => textWidth(l, i === 0 ? 13.5 : 12) + (i === 0 ? 110 : 0)));
  return 2 * MARGIN + text + 40 + legendWidth;
}

function documentOf(width: number, height: number, p: Palette, title: string, body: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${esc(FONT)}">` +
    `<title>${esc(title)}</title>` +
    `<rect width="100%" height="100%" fill="${p.background}"/>` +
    body +
    '</svg>\n'
  );
}

/** The graph as drawn in the view (whole graph, focus dimming included), with stamp and legend. */
export function exportGraphSvg(layout: GraphLayout, edges: readonly GraphEdge[], options: GraphDrawOptions, stamp: ExportStamp): SvgDocument {
  const p = options.palette;
  const legend = graphLegendSvg(0, 0, p);
  const top = MARGIN + 26; // room for loops above the first boxes
  const width = Math.ceil(Math.max(layout.width + 2 * MARGIN, footerWidth(stamp, legend.width), 640));
  const graphH = layout.height + top + MARGIN;
  const foot = footer(stamp, p, graphH, width, { markup: (x, y) => graphLegendSvg(x, y, p).markup, width: legend.width, height: legend.height });
  const height = Math.ceil(graphH + foot.height);
  const dx = Math.round((width - layout.width) / 2);
  const body = `<g transform="translate(${dx},${top})">${graphSvgContent(layout, edges, { ...options, interactive: false, idPrefix: 'tm-export' })}</g>` + foot.markup;
  return { svg: documentOf(width, height, p, stampLines(stamp)[0]!, body), width, height };
}

/** Display label of a matrix row or column. */
export function matrixLabel(n: ViewNode): string {
  if (n.kind === 'external') return n.name;
  if (n.kind === 'namespace') return n.name;
  return `${n.namespace}/${n.name}`;
}

function matrixLegend(p: Palette, x: number, y: number): string {
  const items: string[] = [];
  const kinds: CellKind[] = ['all', 'some', 'unknown'];
  kinds.forEach((k, i) => {
    const ty = y + 10 + i * 19;
    items.push(`<rect x="${x}" y="${ty - 7}" width="14" height="14" fill="${p.cell[k]}" stroke="${p.grid}"/>`);
    if (k === 'some') items.push(`<rect x="${x}" y="${ty - 7}" width="14" height="14" fill="url(#tm-hatch)"/>`);
    if (k === 'unknown') items.push(`<rect x="${x}" y="${ty - 7}" width="14" height="14" fill="url(#tm-unknown)"/>`);
    items.push(`<text x="${x + 22}" y="${ty}" dominant-baseline="central" font-size="11" fill="${p.text}">${esc(CELL_LABELS[k])}</text>`);
  });
  const ty = y + 10 + 3 * 19;
  items.push(warningGlyph(x + 7, ty, 5, p), `<text x="${x + 22}" y="${ty}" dominant-baseline="central" font-size="11" fill="${p.text}">unprotected pods (row and column label)</text>`);
  return `<g class="legend" font-family="${esc(FONT)}">${items.join('')}</g>`;
}

/**
 * The matrix of the view: rows are sources, columns destinations, in view order (by id, external
 * ranges last). A cell's color says every port / some ports (hatched too), its opacity the share
 * of pod pairs that allow it; rows and columns of nodes whose policies are unknown are grey.
 */
export function exportMatrixSvg(state: ViewState, palette: Palette, stamp: ExportStamp, cap = MATRIX_CAP): SvgDocument {
  const p = palette;
  const all = [...state.nodes.values()].sort(compareNodes);
  const nodes = all.slice(0, cap);
  const n = nodes.length;
  const capped = all.length > n;
  const withNote: ExportStamp = capped ? { ...stamp, note: `Showing the first ${n} of ${all.length} nodes (rows and columns); the CSV export has every connection.` } : stamp;
  const cell = n <= 30 ? 20 : n <= 60 ? 14 : n <= 120 ? 9 : Math.max(3, Math.floor(1200 / n));
  const fontSize = Math.min(11.5, cell * 0.8);
  const labels = cell >= 8;
  const labelText = nodes.map(matrixLabel);
  const labelW = labels ? Math.min(280, Math.max(60, ...labelText.map((t) => textWidth(t, fontSize)))) + 22 : 0;
  // Labels, then a gutter for the unprotected marks, then the grid.
  const gutter = labels ? 16 : 0;
  const gx = MARGIN + labelW + 20 + gutter;
  const gy = MARGIN + labelW + 28 + gutter;
  const size = n * cell;
  const legendW = 280;
  const width = Math.ceil(Math.max(gx + size + MARGIN, footerWidth(withNote, legendW), 560));
  const graphH = gy + size + MARGIN;
  const out: string[] = [];
  out.push(
    '<defs>' +
      `<pattern id="tm-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="2" height="6" fill="${p.background}" opacity="0.45"/></pattern>` +
      `<pattern id="tm-unknown" width="4" height="4" patternUnits="userSpaceOnUse"><rect width="2" height="2" fill="${p.background}" opacity="0.5"/></pattern>` +
      '</defs>',
  );
  // Axis captions.
  out.push(`<text x="${gx}" y="${MARGIN + 4}" font-size="11.5" fill="${p.muted}" dominant-baseline="hanging">to (destination) →</text>`);
  out.push(`<text transform="translate(${MARGIN + 4},${gy}) rotate(90)" font-size="11.5" fill="${p.muted}" dominant-baseline="text-after-edge">from (source) →</text>`);
  out.push(`<rect x="${gx}" y="${gy}" width="${size}" height="${size}" fill="${p.cell.none}" stroke="${p.grid}"/>`);

  // Unknown rows and columns.
  const unknown = nodes.map((v) => nodeStatus(v) === 'unknown');
  unknown.forEach((u, i) => {
    if (!u) return;
    out.push(`<rect class="unknown" x="${gx}" y="${gy + i * cell}" width="${size}" height="${cell}" fill="${p.cell.unknown}" opacity="0.55"/>`);
    out.push(`<rect class="unknown" x="${gx + i * cell}" y="${gy}" width="${cell}" height="${size}" fill="${p.cell.unknown}" opacity="0.55"/>`);
  });

  // Cells, one rect per run of equal cells in a row.
  let cells = 0;
  for (let i = 0; i < n; i++) {
    const from = nodes[i]!;
    let run: { start: number; kind: CellKind; opacity: number; title: string } | null = null;
    const flush = (end: number) => {
      if (!run) return;
      const w = (end - run.start) * cell;
      const x = gx + run.start * cell;
      const y = gy + i * cell;
      out.push(`<rect class="cell" x="${x}" y="${y}" width="${w}" height="${cell}" fill="${p.cell[run.kind]}" opacity="${run.opacity}">${run.title ? `<title>${esc(run.title)}</title>` : ''}</rect>`);
      if (run.kind === 'some') out.push(`<rect x="${x}" y="${y}" width="${w}" height="${cell}" fill="url(#tm-hatch)"/>`);
      run = null;
    };
    for (let j = 0; j < n; j++) {
      const to = nodes[j]!;
      const c = unknown[i] || unknown[j] ? undefined : cellOf(state, from, to) ?? podExternalCell(state, from, to);
      const kind = cellKind(c);
      if (kind === 'none') {
        flush(j);
        continue;
      }
      cells++;
      const opacity = Math.round((0.4 + 0.6 * cellCoverage(c)) * 10) / 10;
      const ports = c === undefined ? undefined : typeof c === 'string' || Array.isArray(c) ? c : c.ports;
      const title = cell >= 6 ? `${from.id} → ${to.id}: ${portsText(ports)}${c && typeof c === 'object' && !Array.isArray(c) ? ` (${c.allowed}/${c.total} pod pairs)` : ''}` : '';
      if (run && run.kind === kind && run.opacity === opacity && !title && !run.title) continue;
      flush(j);
      run = { start: j, kind, opacity, title };
    }
    flush(n);
  }

  // Grid lines, and stronger lines between namespaces.
  if (cell >= 6) {
    const lines: string[] = [];
    for (let i = 1; i < n; i++) {
      const band = (v: ViewNode) => (v.kind === 'external' ? '' : state.view.level === 'namespace' ? 'ns' : (v.namespace ?? ''));
      const nsBreak = band(nodes[i]!) !== band(nodes[i - 1]!);
      const stroke = nsBreak ? p.muted : p.background;
      const w = nsBreak ? 1.2 : 0.6;
      lines.push(`<line x1="${gx}" y1="${gy + i * cell}" x2="${gx + size}" y2="${gy + i * cell}" stroke="${stroke}" stroke-width="${w}"/>`);
      lines.push(`<line x1="${gx + i * cell}" y1="${gy}" x2="${gx + i * cell}" y2="${gy + size}" stroke="${stroke}" stroke-width="${w}"/>`);
    }
    out.push(`<g class="grid">${lines.join('')}</g>`);
  }

  // Labels: rows on the left, columns on top (vertical).
  if (labels) {
    const rows: string[] = [];
    nodes.forEach((v, i) => {
      const bad = nodeStatus(v) === 'unprotected';
      const cy = gy + i * cell + cell / 2;
      const cx = gx + i * cell + cell / 2;
      const color = bad ? p.unprotected : v.kind === 'external' ? p.external : p.text;
      const t = esc(labelText[i]!);
      rows.push(`<text class="row-label" data-id="${esc(v.id)}" x="${gx - 6 - gutter}" y="${cy}" text-anchor="end" dominant-baseline="central" font-size="${fontSize}" fill="${color}">${t}</text>`);
      rows.push(`<text class="col-label" transform="translate(${cx},${gy - 6 - gutter}) rotate(-90)" dominant-baseline="central" font-size="${fontSize}" fill="${color}">${t}</text>`);
      if (bad) {
        const s = Math.min(5, cell * 0.3);
        rows.push(warningGlyph(gx - 4 - gutter / 2, cy, s, p));
        rows.push(warningGlyph(cx, gy - 4 - gutter / 2, s, p));
      }
    });
    out.push(`<g class="labels" font-family="${esc(FONT)}">${rows.join('')}</g>`);
  } else {
    out.push(`<text x="${gx}" y="${gy - 8}" font-size="11" fill="${p.muted}">${n} nodes: too many for labels at this size (the CSV export names every cell)</text>`);
  }

  const foot = footer(withNote, p, graphH, width, { markup: (x, y) => matrixLegend(p, x, y), width: legendW, height: 4 * 19 + 4 });
  const height = Math.ceil(graphH + foot.height);
  void cells;
  return { svg: documentOf(width, height, p, stampLines(withNote)[0]!, out.join('') + foot.markup), width, height };
}

/** Pod level: a pod ↔ external cell lives in the class form too (externals carry keys). */
function podExternalCell(state: ViewState, from: ViewNode, to: ViewNode) {
  if (from.id === to.id || from.row === undefined || to.col === undefined || from.row < 0 || to.col < 0) return undefined;
  if (from.kind !== 'external' && to.kind !== 'external') return undefined;
  return state.keyCells.get(`${from.row}\t${to.col}`);
}
