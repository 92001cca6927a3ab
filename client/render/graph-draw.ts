// Draws a graph layout into a container: SVG (the markup of graph-svg.ts) for small graphs, a
// canvas above a threshold; zoom and pan with d3-zoom. The zoom transform survives redraws (live
// deltas, focus, theme), so the picture never jumps; `fit()` frames the whole graph.
import { quadtree, select, zoom, zoomIdentity, type D3ZoomEvent, type Quadtree, type Selection, type ZoomBehavior, type ZoomTransform } from 'd3';
import { edgeGeometry, edgeOpacity, type GraphEdge, type GraphLayout, type LaidNode } from './graph-layout.ts';
import { BADGE_R, CHANGE_DASH, CHANGE_WIDTH, FONT, UNCHANGED, changeGeometry, graphSvgContent, nodeTitle, protectionColor, type GraphDrawOptions } from './graph-svg.ts';
import type { Palette } from './palette.ts';
import { CHANGE_GLYPHS, nodeMarkOf, type CellMark } from '../diff-marks.ts';

/** Above this many nodes, or edges, the graph is drawn on a canvas. */
export const CANVAS_ABOVE_NODES = 800;
export const CANVAS_ABOVE_EDGES = 6000;

export interface GraphScene {
  layout: GraphLayout;
  edges: readonly GraphEdge[];
  options: GraphDrawOptions;
}

export interface RendererEvents {
  /** A node was clicked (or activated with the keyboard). */
  select(id: string): void;
  /** The zoom level changed (for the "zoom" readout). */
  zoomed?(k: number): void;
}

type Mode = 'svg' | 'canvas';

export class GraphRenderer {
  private mode: Mode | null = null;
  private surface: HTMLElement | SVGSVGElement | HTMLCanvasElement | null = null;
  private viewport: SVGGElement | null = null;
  private readonly zoomBehavior: ZoomBehavior<Element, unknown>;
  private transform: ZoomTransform = zoomIdentity;
  private scene: GraphScene | null = null;
  private tree: Quadtree<LaidNode> | null = null;
  private frame = 0;
  private readonly resize: ResizeObserver;
  private fitted = false;

  constructor(
    private readonly container: HTMLElement,
    private readonly events: RendererEvents,
  ) {
    this.zoomBehavior = zoom<Element, unknown>()
      .scaleExtent([0.05, 8])
      .clickDistance(5)
      .on('zoom', (event: D3ZoomEvent<Element, unknown>) => {
        this.transform = event.transform;
        this.applyTransform();
        this.events.zoomed?.(event.transform.k);
      });
    this.resize = new ResizeObserver(() => {
      if (this.mode === 'canvas') this.scheduleCanvas();
      if (!this.fitted && this.scene) this.fit();
    });
    this.resize.observe(container);
  }

  get currentMode(): Mode | null {
    return this.mode;
  }

  /** Draws a scene; keeps the current zoom unless `refit` (a new view). */
  render(scene: GraphScene, refit = false): void {
    this.scene = scene;
    const mode: Mode = scene.layout.nodes.size > CANVAS_ABOVE_NODES || scene.edges.length > CANVAS_ABOVE_EDGES ? 'canvas' : 'svg';
    if (mode !== this.mode) this.mount(mode);
    if (mode === 'svg') {
      this.viewport!.innerHTML = graphSvgContent(scene.layout, scene.edges, { ...scene.options, interactive: true, idPrefix: 'tm-live' });
    } else {
      this.tree = quadtree<LaidNode>()
        .x((n) => n.x)
        .y((n) => n.y)
        .addAll([...scene.layout.nodes.values()]);
      this.scheduleCanvas();
    }
    if (refit || !this.fitted) this.fit();
  }

  /** Frames the whole graph (with a margin), at most at 1:1. */
  fit(animate = false): void {
    const scene = this.scene;
    const el = this.surface;
    if (!scene || !el) return;
    const { width, height } = this.container.getBoundingClientRect();
    if (width < 10 || height < 10) return;
    const margin = 28;
    const w = Math.max(1, scene.layout.width);
    const h = Math.max(1, scene.layout.height);
    const k = Math.min(1.35, (width - 2 * margin) / w, (height - 2 * margin) / h);
    const t = zoomIdentity.translate((width - w * k) / 2, (height - h * k) / 2 + 6).scale(k);
    const sel = select(el as Element);
    if (animate) sel.transition().duration(300).call(this.zoomBehavior.transform, t);
    else sel.call(this.zoomBehavior.transform, t);
    this.fitted = true;
  }

  /** Centers a node (keeping the zoom level, at least 0.8). */
  centerOn(id: string): void {
    const n = this.scene?.layout.nodes.get(id);
    const el = this.surface;
    if (!n || !el) return;
    const { width, height } = this.container.getBoundingClientRect();
    const k = Math.max(0.8, this.transform.k);
    const t = zoomIdentity.translate(width / 2 - n.x * k, height / 2 - n.y * k).scale(k);
    select(el as Element).transition().duration(300).call(this.zoomBehavior.transform, t);
  }

  zoomBy(factor: number): void {
    if (this.surface) select(this.surface as Element).transition().duration(200).call(this.zoomBehavior.scaleBy, factor);
  }

  destroy(): void {
    this.resize.disconnect();
    cancelAnimationFrame(this.frame);
    this.container.replaceChildren();
  }

  private mount(mode: Mode): void {
    this.container.replaceChildren();
    this.mode = mode;
    this.viewport = null;
    if (mode === 'svg') {
      const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
      svg.setAttribute('class', 'graph-surface');
      svg.setAttribute('data-testid', 'graph-svg');
      svg.setAttribute('width', '100%');
      svg.setAttribute('height', '100%');
      svg.setAttribute('role', 'img');
      svg.setAttribute('aria-label', 'Graph of allowed connections');
      const g = document.createElementNS('http://www.w3.org/2000/svg', 'g');
      g.setAttribute('class', 'graph-viewport');
      svg.append(g);
      this.container.append(svg);
      this.surface = svg;
      this.viewport = g;
      svg.addEventListener('click', (e) => {
        const id = (e.target as Element).closest('[data-id]')?.getAttribute('data-id');
        if (id) this.events.select(id);
      });
      svg.addEventListener('keydown', (e) => {
        if (e.key !== 'Enter' && e.key !== ' ') return;
        const id = (e.target as Element).closest?.('[data-id]')?.getAttribute('data-id');
        if (id) {
          e.preventDefault();
          this.events.select(id);
        }
      });
    } else {
      const canvas = document.createElement('canvas');
      canvas.className = 'graph-surface';
      canvas.dataset['testid'] = 'graph-canvas';
      canvas.setAttribute('role', 'img');
      canvas.setAttribute('aria-label', 'Graph of allowed connections (large: drawn on a canvas)');
      this.container.append(canvas);
      this.surface = canvas;
      canvas.addEventListener('click', (e) => {
        const n = this.nodeAt(e);
        if (n) this.events.select(n.id);
      });
      canvas.addEventListener('mousemove', (e) => {
        const n = this.nodeAt(e);
        const change = n ? this.scene?.options.changes?.nodes.get(n.id) : undefined;
        canvas.title = n ? [nodeTitle(n), ...(change ? [...change.lines.ingress, ...change.lines.egress].map((l) => l.text) : [])].join('\n') : '';
        canvas.style.cursor = n ? 'pointer' : 'grab';
      });
    }
    const sel = select(this.surface as Element) as Selection<Element, unknown, null, undefined>;
    sel.call(this.zoomBehavior).on('dblclick.zoom', null);
    // Keep the transform across a mode switch.
    sel.call(this.zoomBehavior.transform, this.transform);
  }

  private applyTransform(): void {
    if (this.mode === 'svg') this.viewport?.setAttribute('transform', this.transform.toString());
    else this.scheduleCanvas();
  }

  private nodeAt(e: MouseEvent): LaidNode | null {
    if (!this.tree || !this.surface) return null;
    const rect = (this.surface as HTMLElement).getBoundingClientRect();
    const [x, y] = this.transform.invert([e.clientX - rect.left, e.clientY - rect.top]);
    const n = this.tree.find(x, y, Math.max(10, 14 / this.transform.k));
    return n ?? null;
  }

  private scheduleCanvas(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.drawCanvas();
    });
  }

  private drawCanvas(): void {
    const canvas = this.surface as HTMLCanvasElement | null;
    const scene = this.scene;
    if (!canvas || !scene || this.mode !== 'canvas') return;
    const { width, height } = this.container.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    if (canvas.width !== Math.round(width * dpr) || canvas.height !== Math.round(height * dpr)) {
      canvas.width = Math.round(width * dpr);
      canvas.height = Math.round(height * dpr);
      canvas.style.width = `${width}px`;
      canvas.style.height = `${height}px`;
    }
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    drawOnCanvas(ctx, scene, this.transform, dpr, width, height);
  }
}

interface CanvasEdge {
  edge: GraphEdge;
  path: Path2D;
  arrow: { x: number; y: number; angle: number } | null;
  width: number;
  rest: number;
}

/** Edge geometry as Path2D, computed once per scene (not per frame). */
function canvasEdges(layout: GraphLayout, edges: readonly GraphEdge[], maxPairs: number, count: number): CanvasEdge[] {
  const out: CanvasEdge[] = [];
  for (const edge of edges) {
    const geo = edgeGeometry(layout, edge);
    if (geo) out.push({ edge, path: new Path2D(geo.d), arrow: geo.arrow, width: geo.width, rest: edgeOpacity(edge, count, maxPairs) });
  }
  return out;
}

/** A changed connection (a comparison with a past instant) as Path2D, with its arrow and badge. */
interface CanvasChange {
  mark: CellMark;
  path: Path2D;
  arrow: { x: number; y: number; angle: number } | null;
  badge: { x: number; y: number };
}

const cache = new WeakMap<GraphScene, { edges: CanvasEdge[]; focus: CanvasEdge[]; changes: CanvasChange[] }>();

function sceneEdges(scene: GraphScene): { edges: CanvasEdge[]; focus: CanvasEdge[]; changes: CanvasChange[] } {
  let c = cache.get(scene);
  if (!c) {
    const maxPairs = scene.edges.reduce((m, e) => Math.max(m, e.pairs), 1);
    const changes: CanvasChange[] = [];
    for (const mark of scene.options.changes?.cells ?? []) {
      const g = changeGeometry(scene.layout, mark);
      if (g) changes.push({ mark, path: new Path2D(g.d), arrow: g.arrow, badge: g.badge });
    }
    c = { edges: canvasEdges(scene.layout, scene.edges, maxPairs, scene.edges.length), focus: canvasEdges(scene.layout, scene.options.focusEdges ?? [], maxPairs, scene.edges.length), changes };
    cache.set(scene, c);
  }
  return c;
}

/** A badge: a filled circle with the glyph in the background color. */
function drawBadge(ctx: CanvasRenderingContext2D, x: number, y: number, r: number, glyph: string, fill: string, p: Palette): void {
  ctx.beginPath();
  ctx.arc(x, y, r, 0, 2 * Math.PI);
  ctx.fillStyle = fill;
  ctx.fill();
  ctx.strokeStyle = p.background;
  ctx.lineWidth = 1.3;
  ctx.stroke();
  ctx.fillStyle = p.background;
  ctx.font = `700 ${Math.round(r * 1.55)}px ${FONT}`;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.fillText(glyph, x, y + 0.6);
}

/** The canvas version of graph-svg.ts (same geometry and colors; labels only when legible). */

/** An arrowhead at the end of an edge, pointing along it. */
function drawArrow(ctx: CanvasRenderingContext2D, arrow: { x: number; y: number; angle: number }, color: string): void {
  const { x, y, angle } = arrow;
  ctx.fillStyle = color;
  ctx.beginPath();
  ctx.moveTo(x + Math.cos(angle) * 9, y + Math.sin(angle) * 9);
  ctx.lineTo(x + Math.cos(angle + Math.PI / 2) * 4.5, y + Math.sin(angle + Math.PI / 2) * 4.5);
  ctx.lineTo(x + Math.cos(angle - Math.PI / 2) * 4.5, y + Math.sin(angle - Math.PI / 2) * 4.5);
  ctx.fill();
}

function drawOnCanvas(ctx: CanvasRenderingContext2D, scene: GraphScene, t: ZoomTransform, dpr: number, width: number, height: number): void {
  const { layout, options: o } = scene;
  const p: Palette = o.palette;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, width, height);
  ctx.setTransform(dpr * t.k, 0, 0, dpr * t.k, dpr * t.x, dpr * t.y);
  const [x0, y0] = t.invert([0, 0]);
  const [x1, y1] = t.invert([width, height]);
  const visible = (x: number, y: number, pad: number) => x > x0 - pad && x < x1 + pad && y > y0 - pad && y < y1 + pad;
  const hood = o.neighborhood;
  /** A length of `px` screen pixels, in layout units. */
  const screen = (px: number) => px / t.k;

  for (const g of layout.groups.values()) {
    ctx.globalAlpha = hood ? 0.75 : 1;
    ctx.fillStyle = p.surface;
    ctx.strokeStyle = g.kind === 'external' ? p.external : p.grid;
    ctx.lineWidth = Math.max(1.2, screen(1));
    ctx.setLineDash(g.kind === 'external' ? [6, 4] : []);
    ctx.beginPath();
    ctx.roundRect(g.x, g.y, g.w, g.h, 10);
    ctx.fill();
    ctx.stroke();
    ctx.setLineDash([]);
  }
  ctx.globalAlpha = 1;

  const { edges, focus, changes } = sceneEdges(scene);
  const drawEdge = (c: CanvasEdge, alpha: number) => {
    const e = c.edge;
    const color = e.kind === 'all' ? p.cell.all : p.cell.some;
    ctx.globalAlpha = alpha;
    ctx.strokeStyle = color;
    ctx.lineWidth = Math.max(c.width, screen(0.8));
    ctx.setLineDash(e.kind === 'some' ? [Math.max(4, c.width * 2), Math.max(2.5, c.width * 1.2)] : []);
    ctx.stroke(c.path);
    ctx.setLineDash([]);
    if (c.arrow) drawArrow(ctx, c.arrow, color);
  };
  // Dimmed edges first and faint; then the others; the focused node's edges last, on top.
  const focusKeys = new Set(focus.map((c) => c.edge.key));
  const near: CanvasEdge[] = [];
  // While changes are highlighted the other edges step back, so that the changes read first.
  const highlighting = changes.length > 0 || (o.changes?.nodes.size ?? 0) > 0;
  for (const c of edges) {
    if (focusKeys.has(c.edge.key)) continue;
    if (hood !== null && !c.edge.aggregated && (c.edge.from === o.focus || c.edge.to === o.focus)) near.push(c);
    else drawEdge(c, hood === null ? c.rest * (highlighting ? UNCHANGED : 1) : c.rest * 0.12);
  }
  for (const c of [...near, ...focus]) drawEdge(c, 0.95);
  ctx.globalAlpha = 1;

  // Changes since a past instant: over a halo, in the change's color and dash, with its glyph.
  for (const c of changes) {
    const color = p.change[c.mark.change];
    ctx.globalAlpha = hood !== null && !(hood.has(c.mark.from) && hood.has(c.mark.to)) ? 0.3 : 1;
    ctx.lineCap = 'round';
    ctx.strokeStyle = p.background;
    ctx.lineWidth = Math.max(CHANGE_WIDTH + 3, screen(3));
    ctx.stroke(c.path);
    ctx.strokeStyle = color;
    ctx.lineWidth = Math.max(CHANGE_WIDTH, screen(1.5));
    ctx.setLineDash(CHANGE_DASH[c.mark.change] ? CHANGE_DASH[c.mark.change].split(' ').map(Number) : []);
    ctx.stroke(c.path);
    ctx.setLineDash([]);
    ctx.lineCap = 'butt';
    if (c.arrow) drawArrow(ctx, c.arrow, color);
    if (11 * t.k >= 7) drawBadge(ctx, c.badge.x, c.badge.y, BADGE_R, CHANGE_GLYPHS[c.mark.change], color, p);
  }
  ctx.globalAlpha = 1;

  const labels = 11 * t.k >= 7;
  for (const n of layout.nodes.values()) {
    if (!visible(n.x, n.y, 60)) continue;
    ctx.globalAlpha = hood && !hood.has(n.id) ? 0.13 : 1;
    // Never smaller than a couple of screen pixels, so that a zoomed-out view still shows nodes.
    const r = Math.max(n.r, screen(2.2));
    ctx.beginPath();
    if (n.shape === 'diamond') {
      const d = r + 1;
      ctx.moveTo(n.x, n.y - d);
      ctx.lineTo(n.x + d, n.y);
      ctx.lineTo(n.x, n.y + d);
      ctx.lineTo(n.x - d, n.y);
      ctx.closePath();
      ctx.fillStyle = p.background;
      ctx.strokeStyle = p.external;
      ctx.lineWidth = Math.max(2, screen(1));
      ctx.fill();
      ctx.stroke();
    } else {
      ctx.arc(n.x, n.y, r, 0, 2 * Math.PI);
      ctx.fillStyle = n.status === 'protected' ? withAlpha(p.protected, 0.16, p.background) : p.background;
      ctx.fill();
      ctx.lineWidth = Math.max(2, screen(1));
      ctx.strokeStyle = n.status === 'unprotected' ? p.unprotected : n.status === 'unknown' ? p.cell.unknown : p.protected;
      ctx.setLineDash(n.status === 'unprotected' ? [3.2, 2.2] : n.status === 'unknown' ? [1.5, 2.5] : []);
      ctx.stroke();
      ctx.setLineDash([]);
      if (n.status === 'unprotected' && labels) {
        const s = Math.max(4.5, Math.min(7, n.r * 0.5));
        const cx = n.x + n.r * 0.78 + 3;
        const cy = n.y - n.r * 0.78 - 2;
        ctx.beginPath();
        ctx.moveTo(cx, cy - s * 0.9);
        ctx.lineTo(cx + s, cy + s * 0.9);
        ctx.lineTo(cx - s, cy + s * 0.9);
        ctx.closePath();
        ctx.fillStyle = p.unprotected;
        ctx.fill();
      }
    }
    const change = o.changes?.nodes.get(n.id);
    if (change) {
      // Pods now unprotected: a solid ring; now protected: a dashed one; and the glyph at the top left.
      const mark = nodeMarkOf(change);
      ctx.beginPath();
      ctx.arc(n.x, n.y, r + 5, 0, 2 * Math.PI);
      ctx.strokeStyle = protectionColor(mark, p);
      ctx.lineWidth = Math.max(2.4, screen(1.5));
      ctx.setLineDash(mark === 'protected' ? [4, 3] : []);
      ctx.stroke();
      ctx.setLineDash([]);
      if (labels) drawBadge(ctx, n.x - (r + 5) * 0.72, n.y - (r + 5) * 0.72, 6, CHANGE_GLYPHS[mark], protectionColor(mark, p), p);
    }
    if (o.focus === n.id) {
      ctx.beginPath();
      ctx.arc(n.x, n.y, r + Math.max(6, screen(4)), 0, 2 * Math.PI);
      ctx.strokeStyle = p.focus;
      ctx.lineWidth = Math.max(3, screen(2.5));
      ctx.stroke();
    }
    if (labels) {
      ctx.fillStyle = n.status === 'unprotected' ? p.unprotected : p.text;
      ctx.font = `500 11.5px ${FONT}`;
      if (n.labelSide === 'right') {
        ctx.textAlign = 'left';
        ctx.textBaseline = 'middle';
        ctx.fillText(n.label, n.x + n.r + 9, n.y);
      } else {
        ctx.textAlign = 'center';
        ctx.textBaseline = 'alphabetic';
        ctx.fillText(n.label, n.x, n.y + n.r + 13);
      }
      ctx.textAlign = 'left';
    }
  }
  ctx.globalAlpha = 1;

  // Group headers last, at a legible screen size whatever the zoom (when the box is wide enough).
  ctx.textBaseline = 'middle';
  for (const g of layout.groups.values()) {
    if (!visible(g.x + g.w / 2, g.y, g.w)) continue;
    const size = Math.max(13, screen(11.5));
    // Zoomed out, the header is the only cue left: the warning sign goes into it.
    const name = size > 13 && g.unprotected > 0 ? `⚠ ${g.label}` : g.label;
    ctx.font = `600 ${size}px ${FONT}`;
    const w = ctx.measureText(name).width;
    if (w > g.w - 12 && size > 13) continue;
    const y = size > 13 ? g.y + size * 0.7 : g.y + 18;
    ctx.lineWidth = size * 0.28;
    ctx.strokeStyle = p.surface;
    ctx.fillStyle = g.unprotected > 0 ? p.unprotected : p.text;
    ctx.strokeText(name, g.x + 10, y);
    ctx.fillText(name, g.x + 10, y);
    if (size <= 13) {
      ctx.font = `400 11.5px ${FONT}`;
      ctx.fillStyle = p.muted;
      ctx.fillText(`${g.sublabel}${g.unprotected ? ` · ⚠ ${g.unprotected} unprotected` : ''}`, g.x + 18 + w, y);
    }
  }
}

/** `color` at `alpha` over `background` (hex colors), as an opaque color. */
function withAlpha(color: string, alpha: number, background: string): string {
  const rgb = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  const a = rgb(color);
  const b = rgb(background);
  return `rgb(${a.map((v, i) => Math.round(v * alpha + b[i]! * (1 - alpha))).join(',')})`;
}
