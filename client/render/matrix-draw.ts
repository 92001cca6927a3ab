// Draws the matrix on a canvas and owns its zoom (d3-zoom): cells of the visible window only,
// device-pixel-ratio aware. Two ways to paint cells:
// - cells of 3 px and more: one rectangle per run of equal cells in a row (patterns and, when
//   large, ports and pod-pair counts inside);
// - smaller: straight into an ImageData, each device pixel showing the strongest kind among the
//   cells it covers (keys², not pods², thanks to the class form), so 10k × 10k stays smooth.
// Gutters hold the namespace and workload bands, the node labels (only when readable, else the
// bands' labels), and the unprotected markers (▲ all pods, △ some, ? unknown; a rug when small).
// A comparison with a past instant outlines the changed cells (gained, lost, other ports: each its
// own line style and glyph) and the labels of nodes whose pods became unprotected or protected.
// No Vue here: the component hands over a model and a scene, and gets hover and click targets back.
import { color, select, zoom, zoomIdentity, type D3ZoomEvent, type Selection, type ZoomBehavior } from 'd3';
import type { ViewState } from '../../shared/protocol/view.ts';
import {
  KIND_ALL,
  KIND_NA,
  KIND_NONE,
  KIND_SELF,
  KIND_SOME,
  KIND_UNKNOWN,
  cellFill,
  cellRect,
  constrain,
  describePair,
  fitTransform,
  hitTest,
  kindAt,
  labelFontSize,
  labelMode,
  nodeLabel,
  protectionOf,
  revealCell,
  scaleExtent,
  visibleWindow,
  workloadKindAbbreviation,
  zoomAround,
  type Band,
  type HitTarget,
  type MatrixModel,
  type Rect,
  type Transform,
} from './matrix-layout.ts';
import { portsText, type Palette } from './palette.ts';
import { rasterize } from './matrix-raster.ts';
import { CHANGE_GLYPHS, type ChangesToDraw, type ConnectionMark, type ProtectionMark } from '../diff-marks.ts';

export interface MatrixScene {
  hover: HitTarget | null;
  cursor: { r: number; c: number } | null;
  /** Selected node (its row and column are tinted). */
  focus: string | null;
  /** Selected pair (its cell is outlined). */
  pair: { from: string; to: string } | null;
}

/** A changed cell placed on the matrix. */
export interface PlacedChange {
  r: number;
  c: number;
  change: ConnectionMark;
}

/** Line style of each change besides its color: solid, dashed, dotted. */
const CHANGE_DASH: Record<ConnectionMark, number[]> = { gained: [], lost: [4, 3], changed: [1.5, 2.5] };

export interface RendererEvents {
  hover(target: HitTarget | null, clientX: number, clientY: number): void;
  click(target: HitTarget, event: MouseEvent): void;
  /** The user zoomed or panned. */
  zoomed?(t: Transform): void;
}

const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
/** Below this cell size (CSS px) cells are painted per pixel. */
export const PIXEL_MODE_BELOW = 3;
const FLASH_MS = 1800;
const BAND_STRIP = 18;
const SUB_STRIP = 16;
const MARKER = 16;
const PAD = 10;

interface Gutters {
  band: number;
  sub: number;
  rowLabels: number;
  colLabels: number;
}

type RGBA = [number, number, number, number];

function rgba(hex: string, alpha = 1): string {
  const c = color(hex);
  if (!c) return hex;
  c.opacity = alpha;
  return c.formatRgb();
}

function rgbOf(hex: string): RGBA {
  const c = color(hex)?.rgb();
  return c ? [Math.round(c.r), Math.round(c.g), Math.round(c.b), 255] : [0, 0, 0, 255];
}

/** Text that fits `width`, with an ellipsis; widths are cached per font. */
class TextFitter {
  private cache = new Map<string, number>();
  private font = '';
  constructor(private readonly ctx: CanvasRenderingContext2D) {}
  setFont(font: string): void {
    this.ctx.font = font;
    if (font !== this.font) {
      this.font = font;
      this.cache.clear();
    }
  }
  width(text: string): number {
    let w = this.cache.get(text);
    if (w === undefined) {
      w = this.ctx.measureText(text).width;
      if (this.cache.size > 20_000) this.cache.clear();
      this.cache.set(text, w);
    }
    return w;
  }
  fit(text: string, max: number): string {
    if (max <= 6) return '';
    if (this.width(text) <= max) return text;
    let lo = 0;
    let hi = text.length;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.width(`${text.slice(0, mid)}…`) <= max) lo = mid;
      else hi = mid - 1;
    }
    return lo === 0 ? '' : `${text.slice(0, lo)}…`;
  }
  /** Keeps the start and the end (pod names differ at the end): `catalog-xpz…dlp56`. */
  fitMiddle(text: string, max: number): string {
    if (max <= 6) return '';
    if (this.width(text) <= max) return text;
    let keep = text.length - 1;
    while (keep > 1) {
      const head = Math.ceil(keep / 2);
      const candidate = `${text.slice(0, head)}…${text.slice(text.length - (keep - head))}`;
      if (this.width(candidate) <= max) return candidate;
      keep--;
    }
    return '';
  }
}

export class MatrixRenderer {
  private readonly ctx: CanvasRenderingContext2D;
  private readonly text: TextFitter;
  private readonly zoomBehavior: ZoomBehavior<HTMLCanvasElement, unknown>;
  private readonly selection: Selection<HTMLCanvasElement, unknown, null, undefined>;
  private readonly resizeObserver: ResizeObserver;
  private model: MatrixModel | null = null;
  private state: ViewState | null = null;
  private palette: Palette;
  private scene: MatrixScene = { hover: null, cursor: null, focus: null, pair: null };
  private t: Transform = { x: 0, y: 0, k: 1 };
  private width = 0;
  private height = 0;
  private dpr = 1;
  private gutters: Gutters = { band: 0, sub: 0, rowLabels: 80, colLabels: 80 };
  private frame = 0;
  private flashes = new Map<string, { rows: Set<string>; cols: Set<string>; at: number }>();
  private patterns: { some: CanvasPattern | null; unknown: CanvasPattern | null } = { some: null, unknown: null };
  /** The last exact sub-pixel image, and what it was drawn for. */
  private pix: { canvas: HTMLCanvasElement; model: MatrixModel; palette: Palette; t: Transform; x0: number; y0: number; x1: number; y1: number; W: number; H: number } | null = null;
  /** Until then the user is zooming or panning: sub-pixel images may be approximate. */
  private interactingUntil = 0;
  private exactTimer: ReturnType<typeof setTimeout> | undefined;
  private destroyed = false;
  /** The view shows the fitted matrix (no user zoom since): a resize fits again. */
  private fitted = true;
  private changes: ChangesToDraw | null = null;
  /** The changed cells by row and column, for the model they were placed on. */
  private placed: { model: MatrixModel; cells: PlacedChange[] } | null = null;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    palette: Palette,
    private readonly events: RendererEvents,
  ) {
    const ctx = canvas.getContext('2d', { alpha: false });
    if (!ctx) throw new Error('canvas 2d context unavailable');
    this.ctx = ctx;
    this.text = new TextFitter(ctx);
    this.palette = palette;
    this.makePatterns();

    this.zoomBehavior = zoom<HTMLCanvasElement, unknown>()
      .clickDistance(4)
      .constrain((t) => {
        const m = this.model;
        if (!m) return t;
        const c = constrain({ x: t.x, y: t.y, k: t.k }, this.plot, m.axes.rows.nodes.length, m.axes.cols.nodes.length);
        return zoomIdentity.translate(c.x, c.y).scale(c.k);
      })
      .on('zoom', (event: D3ZoomEvent<HTMLCanvasElement, unknown>) => {
        this.t = { x: event.transform.x, y: event.transform.y, k: event.transform.k };
        this.interactingUntil = performance.now() + 120;
        this.requestDraw();
        if (event.sourceEvent) {
          this.fitted = false;
          this.events.zoomed?.(this.t);
        }
      });
    this.selection = select(canvas);
    this.selection.call(this.zoomBehavior).on('dblclick.zoom', null);

    canvas.addEventListener('mousemove', this.onMove);
    canvas.addEventListener('mouseleave', this.onLeave);
    canvas.addEventListener('click', this.onClick);
    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(canvas.parentElement ?? canvas);
    this.resize();
  }

  // ----- public API -----

  /** The plot area (cells), in canvas CSS pixels. */
  get plot(): Rect {
    const x = this.gutters.band + this.gutters.sub + this.gutters.rowLabels + MARKER;
    const y = this.gutters.band + this.gutters.sub + this.gutters.colLabels + MARKER;
    return { x, y, width: Math.max(10, this.width - x - PAD), height: Math.max(10, this.height - y - PAD) };
  }

  get transform(): Transform {
    return { ...this.t };
  }

  /** A new model; `keepZoom` keeps the zoom, pan and gutters (live deltas of the same view). */
  setModel(model: MatrixModel, state: ViewState, keepZoom: boolean): void {
    const first = this.model === null;
    this.model = model;
    this.state = state;
    if (!keepZoom || first) {
      this.gutters = this.measureGutters(model);
      this.fitted = true;
      this.applyTransform(fitTransform(this.plot, model.axes.rows.nodes.length, model.axes.cols.nodes.length));
    } else if (this.fitted) {
      this.applyTransform(fitTransform(this.plot, model.axes.rows.nodes.length, model.axes.cols.nodes.length));
    } else {
      this.applyTransform(this.t);
    }
    this.requestDraw();
  }

  setPalette(palette: Palette): void {
    this.palette = palette;
    this.makePatterns();
    this.requestDraw();
  }

  setScene(scene: Partial<MatrixScene>): void {
    this.scene = { ...this.scene, ...scene };
    this.requestDraw();
  }

  /** Highlights the changes of a comparison (null: none). */
  setChanges(changes: ChangesToDraw | null): void {
    this.changes = changes;
    this.placed = null;
    this.requestDraw();
  }

  /** The changed cells this matrix shows (both nodes on its axes). */
  placedChanges(): PlacedChange[] {
    const m = this.model;
    if (!m || !this.changes) return [];
    if (this.placed?.model === m) return this.placed.cells;
    const cells: PlacedChange[] = [];
    for (const mark of this.changes.cells) {
      const r = m.axes.rows.index.get(mark.from);
      const c = m.axes.cols.index.get(mark.to);
      if (r !== undefined && c !== undefined) cells.push({ r, c, change: mark.change });
    }
    this.placed = { model: m, cells };
    return cells;
  }

  /** Briefly highlights rows and columns (by node id) that a live change touched. */
  flash(rows: Set<string>, cols: Set<string>): void {
    if (rows.size === 0 && cols.size === 0) return;
    this.flashes.set(String(performance.now()), { rows, cols, at: performance.now() });
    this.requestDraw();
  }

  zoomBy(factor: number, animate = true): void {
    const m = this.model;
    if (!m) return;
    this.fitted = false;
    const p = this.plot;
    const target = zoomAround(this.t, factor, p.x + Math.min(p.width, m.axes.cols.nodes.length * this.t.k) / 2, p.y + Math.min(p.height, m.axes.rows.nodes.length * this.t.k) / 2, p, m.axes.rows.nodes.length, m.axes.cols.nodes.length);
    this.applyTransform(target, animate);
  }

  fit(animate = true): void {
    const m = this.model;
    if (!m) return;
    this.fitted = true;
    this.applyTransform(fitTransform(this.plot, m.axes.rows.nodes.length, m.axes.cols.nodes.length), animate);
  }

  /** Pans so that cell (r, c) is fully visible (no zoom change). */
  reveal(r: number, c: number): void {
    const next = revealCell(this.t, this.plot, r, c);
    if (next.x !== this.t.x || next.y !== this.t.y) {
      this.fitted = false;
      this.applyTransform(next);
    }
  }

  /** Viewport (client) rectangle of a cell. */
  cellClientRect(r: number, c: number): Rect {
    const box = this.canvas.getBoundingClientRect();
    const rect = cellRect(this.t, r, c);
    return { x: box.left + rect.x, y: box.top + rect.y, width: rect.width, height: rect.height };
  }

  /** Viewport rectangle of a row's or column's label slot. */
  labelClientRect(axis: 'row' | 'col', i: number): Rect {
    const box = this.canvas.getBoundingClientRect();
    if (axis === 'row') return { x: box.left + this.gutters.band + this.gutters.sub, y: box.top + this.t.y + i * this.t.k, width: this.gutters.rowLabels + MARKER, height: this.t.k };
    return { x: box.left + this.t.x + i * this.t.k, y: box.top + this.gutters.band + this.gutters.sub, width: this.t.k, height: this.gutters.colLabels + MARKER };
  }

  destroy(): void {
    this.destroyed = true;
    cancelAnimationFrame(this.frame);
    clearTimeout(this.exactTimer);
    this.resizeObserver.disconnect();
    this.selection.on('.zoom', null);
    this.canvas.removeEventListener('mousemove', this.onMove);
    this.canvas.removeEventListener('mouseleave', this.onLeave);
    this.canvas.removeEventListener('click', this.onClick);
  }

  // ----- events -----

  private local(e: MouseEvent): [number, number] {
    const box = this.canvas.getBoundingClientRect();
    return [e.clientX - box.left, e.clientY - box.top];
  }

  private targetAt(e: MouseEvent): HitTarget | null {
    const m = this.model;
    if (!m) return null;
    const [x, y] = this.local(e);
    return hitTest(this.t, this.plot, m.axes.rows.nodes.length, m.axes.cols.nodes.length, x, y);
  }

  private readonly onMove = (e: MouseEvent) => {
    if (e.buttons !== 0) return;
    const target = this.targetAt(e);
    this.canvas.style.cursor = target ? 'pointer' : 'grab';
    this.events.hover(target, e.clientX, e.clientY);
  };

  private readonly onLeave = (e: MouseEvent) => this.events.hover(null, e.clientX, e.clientY);

  private readonly onClick = (e: MouseEvent) => {
    const target = this.targetAt(e);
    if (target) this.events.click(target, e);
  };

  // ----- sizing and zoom -----

  private resize(): void {
    const parent = this.canvas.parentElement;
    const w = Math.max(50, Math.floor(parent?.clientWidth ?? this.canvas.clientWidth));
    const h = Math.max(50, Math.floor(parent?.clientHeight ?? this.canvas.clientHeight));
    const dpr = window.devicePixelRatio || 1;
    if (w === this.width && h === this.height && dpr === this.dpr) return;
    this.width = w;
    this.height = h;
    this.dpr = dpr;
    this.canvas.style.width = `${w}px`;
    this.canvas.style.height = `${h}px`;
    this.canvas.width = Math.round(w * dpr);
    this.canvas.height = Math.round(h * dpr);
    this.pix = null;
    this.zoomBehavior.extent([
      [0, 0],
      [w, h],
    ]);
    if (this.model) {
      const m = this.model;
      if (this.fitted) this.gutters = this.measureGutters(m);
      this.applyTransform(this.fitted ? fitTransform(this.plot, m.axes.rows.nodes.length, m.axes.cols.nodes.length) : this.t);
    }
    this.drawNow();
  }

  private applyTransform(t: Transform, animate = false): void {
    const m = this.model;
    if (m) this.zoomBehavior.scaleExtent(scaleExtent(this.plot, m.axes.rows.nodes.length, m.axes.cols.nodes.length));
    const z = zoomIdentity.translate(t.x, t.y).scale(t.k);
    if (animate) this.selection.transition().duration(220).call(this.zoomBehavior.transform, z);
    else this.selection.call(this.zoomBehavior.transform, z);
  }

  private measureGutters(m: MatrixModel): Gutters {
    const level = m.axes.level;
    const band = level === 'namespace' ? 0 : BAND_STRIP;
    const sub = level === 'pod' ? SUB_STRIP : 0;
    this.text.setFont(`13px ${FONT}`);
    const longest = (nodes: MatrixModel['axes']['rows']['nodes']) => {
      // Measure the 40 longest labels only: 10k pods stay cheap.
      const labels = nodes.map((n) => nodeLabel(n) + (n.kind === 'workload' ? `  ${workloadKindAbbreviation(n.workloadKind)}` : '') + (n.unknown ? '  unknown' : ''));
      labels.sort((a, b) => b.length - a.length);
      return Math.max(0, ...labels.slice(0, 40).map((l) => this.text.width(l)));
    };
    // Column labels may take up to ~a third of the height (and 220 px); row labels 230 px.
    const rowLabels = Math.round(Math.min(230, Math.max(64, longest(m.axes.rows.nodes) + 14)));
    const colCap = Math.max(90, Math.min(220, this.height / 2.8 - band - sub - MARKER));
    const colLabels = Math.round(Math.min(colCap, Math.max(56, longest(m.axes.cols.nodes) + 12)));
    return { band, sub, rowLabels, colLabels };
  }

  private makePatterns(): void {
    const make = (draw: (g: CanvasRenderingContext2D, s: number) => void): CanvasPattern | null => {
      const s = 8;
      const c = document.createElement('canvas');
      c.width = s;
      c.height = s;
      const g = c.getContext('2d');
      if (!g) return null;
      draw(g, s);
      return this.ctx.createPattern(c, 'repeat');
    };
    const diagonal = (g: CanvasRenderingContext2D, s: number, both: boolean) => {
      g.beginPath();
      g.moveTo(0, s);
      g.lineTo(s, 0);
      g.moveTo(-2, 2);
      g.lineTo(2, -2);
      g.moveTo(s - 2, s + 2);
      g.lineTo(s + 2, s - 2);
      if (both) {
        g.moveTo(0, 0);
        g.lineTo(s, s);
      }
      g.stroke();
    };
    this.patterns.some = make((g, s) => {
      g.strokeStyle = 'rgba(255,255,255,0.45)';
      g.lineWidth = 1.6;
      diagonal(g, s, false);
    });
    this.patterns.unknown = make((g, s) => {
      g.strokeStyle = 'rgba(255,255,255,0.38)';
      g.lineWidth = 1;
      diagonal(g, s, true);
    });
  }

  // ----- drawing -----

  private requestDraw(): void {
    if (this.frame || this.destroyed) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.drawNow();
    });
  }

  /** How long the last frame took to draw (ms), and how its cells were painted. */
  readonly stats = { drawMs: 0, mode: 'cells' as 'cells' | 'pixels', frames: 0 };

  private drawNow(): void {
    if (this.destroyed || this.width === 0) return;
    const started = performance.now();
    this.paint();
    this.stats.drawMs = performance.now() - started;
    this.stats.frames++;
  }

  private paint(): void {
    const ctx = this.ctx;
    const pal = this.palette;
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.fillStyle = pal.background;
    ctx.fillRect(0, 0, this.width, this.height);
    const m = this.model;
    if (!m) return;
    const rows = m.axes.rows.nodes.length;
    const cols = m.axes.cols.nodes.length;
    if (rows === 0 || cols === 0) return;
    const plot = this.plot;
    const win = visibleWindow(this.t, plot, rows, cols);
    const { k } = this.t;

    // Cells, clipped to the plot.
    ctx.save();
    ctx.beginPath();
    ctx.rect(plot.x, plot.y, plot.width, plot.height);
    ctx.clip();
    const mx0 = Math.max(plot.x, this.t.x + win.c0 * k);
    const my0 = Math.max(plot.y, this.t.y + win.r0 * k);
    const mx1 = Math.min(plot.x + plot.width, this.t.x + win.c1 * k);
    const my1 = Math.min(plot.y + plot.height, this.t.y + win.r1 * k);
    ctx.fillStyle = pal.cell.none;
    ctx.fillRect(mx0, my0, mx1 - mx0, my1 - my0);
    this.stats.mode = k < PIXEL_MODE_BELOW ? 'pixels' : 'cells';
    if (k < PIXEL_MODE_BELOW) this.drawPixels(m, mx0, my0, mx1, my1);
    else this.drawCells(m, win);
    this.drawBandLines(m, win, mx0, my0, mx1, my1);
    this.drawChanges(win);
    this.drawHighlights(m, win, mx0, my0, mx1, my1);
    ctx.restore();

    this.drawRowGutter(m, win, plot);
    this.drawColGutter(m, win, plot);
    this.drawCorner(m, plot);
    if (this.flashes.size > 0) this.requestDraw();
  }

  private fillFor(kind: number): string {
    return cellFill(kind, this.palette);
  }

  private drawCells(m: MatrixModel, win: ReturnType<typeof visibleWindow>): void {
    const ctx = this.ctx;
    const { x: tx, y: ty, k } = this.t;
    const gap = k >= 14 ? 1.5 : k >= 6 ? 1 : 0;
    const patterned = k >= 9;
    // Runs of equal kinds per row: one rectangle each.
    const runs: { kind: number; x: number; y: number; w: number }[] = [];
    for (let r = win.r0; r < win.r1; r++) {
      const y = ty + r * k;
      let runKind = -1;
      let runStart = win.c0;
      const flush = (end: number) => {
        if (runKind !== KIND_NONE && runKind >= 0) runs.push({ kind: runKind, x: tx + runStart * k, y, w: (end - runStart) * k });
      };
      for (let c = win.c0; c < win.c1; c++) {
        const kind = kindAt(m, r, c);
        if (kind !== runKind || gap > 0) {
          flush(c);
          runKind = kind;
          runStart = c;
        }
      }
      flush(win.c1);
    }
    const inset = gap / 2;
    for (const kind of [KIND_NA, KIND_UNKNOWN, KIND_SOME, KIND_ALL, KIND_SELF]) {
      const list = runs.filter((run) => run.kind === kind);
      if (list.length === 0) continue;
      if (kind === KIND_SELF) {
        // A pod to itself: a thin diagonal across the cell.
        if (k < 6) continue;
        ctx.strokeStyle = rgba(this.palette.muted, 0.55);
        ctx.lineWidth = 1;
        ctx.beginPath();
        for (const run of list) {
          ctx.moveTo(run.x + inset + 2, run.y + inset + 2);
          ctx.lineTo(run.x + run.w - inset - 2, run.y + k - inset - 2);
        }
        ctx.stroke();
        continue;
      }
      ctx.fillStyle = kind === KIND_NA ? this.palette.background : this.fillFor(kind);
      ctx.beginPath();
      for (const run of list) ctx.rect(run.x + inset, run.y + inset, run.w - gap, k - gap);
      ctx.fill();
      const pattern = kind === KIND_SOME ? this.patterns.some : kind === KIND_UNKNOWN ? this.patterns.unknown : null;
      if (patterned && pattern) {
        ctx.fillStyle = pattern;
        ctx.fill();
      }
    }
    if (k >= 16) this.drawCellDetails(m, win);
  }

  /** Large cells: the share of pod pairs (a bar), and from 44 px the ports and counts as text. */
  private drawCellDetails(m: MatrixModel, win: ReturnType<typeof visibleWindow>): void {
    const state = this.state;
    if (!state) return;
    const ctx = this.ctx;
    const { x: tx, y: ty, k } = this.t;
    const rowsN = m.axes.rows.nodes;
    const colsN = m.axes.cols.nodes;
    const showText = k >= 44;
    const fontSize = Math.min(12, Math.max(10, Math.floor(k / 5)));
    this.text.setFont(`${fontSize}px ${FONT}`);
    ctx.textBaseline = 'alphabetic';
    ctx.textAlign = 'left';
    for (let r = win.r0; r < win.r1; r++) {
      for (let c = win.c0; c < win.c1; c++) {
        const kind = kindAt(m, r, c);
        if (kind !== KIND_ALL && kind !== KIND_SOME) continue;
        const d = describePair(state, rowsN[r]!, colsN[c]!, m.podLevel);
        const x = tx + c * k;
        const y = ty + r * k;
        const ink = kind === KIND_ALL ? '#ffffff' : '#1b1f24';
        if (d.pairs && d.pairs.total > 0 && d.pairs.allowed < d.pairs.total) {
          const pad = Math.max(3, k * 0.12);
          const w = k - 2 * pad;
          const bh = Math.max(2, Math.min(4, k * 0.07));
          ctx.fillStyle = rgba(ink, 0.28);
          ctx.fillRect(x + pad, y + k - pad - bh, w, bh);
          ctx.fillStyle = rgba(ink, 0.9);
          ctx.fillRect(x + pad, y + k - pad - bh, Math.max(1, (w * d.pairs.allowed) / d.pairs.total), bh);
        }
        if (showText) {
          const pad = 5;
          const lineHeight = Math.round(fontSize * 1.25);
          const barSpace = d.pairs && d.pairs.total > 0 && d.pairs.allowed < d.pairs.total ? Math.max(8, k * 0.2) : 0;
          const room = Math.max(1, Math.floor((k - 2 * pad - barSpace) / lineHeight) - (d.pairs ? 1 : 0));
          const ports = d.ports === 'all' ? 'all ports' : portsText(d.ports).replace(/^TCP /, '');
          const lines = this.wrap(ports, k - 2 * pad, room);
          ctx.fillStyle = ink;
          lines.forEach((line, i) => ctx.fillText(line, x + pad, y + pad + fontSize + i * lineHeight));
          if (d.pairs) {
            ctx.fillStyle = rgba(ink, 0.82);
            const full = `${d.pairs.allowed}/${d.pairs.total} pairs`;
            const text = this.text.width(full) <= k - 2 * pad ? full : `${d.pairs.allowed}/${d.pairs.total}`;
            ctx.fillText(this.text.fit(text, k - 2 * pad), x + pad, y + pad + fontSize + lines.length * lineHeight);
          }
        }
      }
    }
  }

  /** Greedy word wrap on spaces and commas, at most `maxLines` (the last one with an ellipsis). */
  private wrap(text: string, width: number, maxLines: number): string[] {
    const tokens = text.match(/[^ ,]+[ ,]?/g) ?? [text];
    const lines: string[] = [];
    let current = '';
    for (const token of tokens) {
      const next = current + token;
      if (current && this.text.width(next.trimEnd()) > width) {
        lines.push(current.trimEnd());
        current = token;
      } else current = next;
    }
    if (current) lines.push(current.trimEnd());
    if (lines.length <= maxLines) return lines.map((l) => this.text.fit(l, width));
    const kept = lines.slice(0, maxLines);
    kept[maxLines - 1] = this.text.fit(`${kept[maxLines - 1]} …`, width);
    return kept.map((l) => this.text.fit(l, width));
  }

  /**
   * Sub-pixel cells: each device pixel shows the strongest kind of the cells under it. The image is
   * kept: redraws for hover or selection reuse it, and while the user zooms or pans the last exact
   * image is drawn moved and scaled, the exact one following ~120 ms after the gesture stops.
   */
  private drawPixels(m: MatrixModel, x0: number, y0: number, x1: number, y1: number): void {
    const ctx = this.ctx;
    const t = this.t;
    const pix = this.pix;
    const same = pix && pix.model === m && pix.palette === this.palette;
    if (same && pix.t.x === t.x && pix.t.y === t.y && pix.t.k === t.k && pix.x0 === x0 && pix.y0 === y0 && pix.x1 === x1 && pix.y1 === y1) {
      ctx.drawImage(pix.canvas, 0, 0, pix.W, pix.H, pix.x0, pix.y0, pix.x1 - pix.x0, pix.y1 - pix.y0);
      return;
    }
    const now = performance.now();
    if (same && now < this.interactingUntil) {
      // The last exact image, moved and scaled to the current transform.
      const s = t.k / pix.t.k;
      const dx = t.x + (pix.x0 - pix.t.x) * s;
      const dy = t.y + (pix.y0 - pix.t.y) * s;
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(pix.canvas, 0, 0, pix.W, pix.H, dx, dy, (pix.x1 - pix.x0) * s, (pix.y1 - pix.y0) * s);
      ctx.imageSmoothingEnabled = true;
      clearTimeout(this.exactTimer);
      this.exactTimer = setTimeout(() => this.requestDraw(), this.interactingUntil - now + 5);
      return;
    }
    const next = this.paintPixels(m, x0, y0, x1, y1);
    if (next) ctx.drawImage(next.canvas, 0, 0, next.W, next.H, x0, y0, x1 - x0, y1 - y0);
  }

  private paintPixels(m: MatrixModel, x0: number, y0: number, x1: number, y1: number): NonNullable<MatrixRenderer['pix']> | null {
    const W = Math.max(0, Math.round((x1 - x0) * this.dpr));
    const H = Math.max(0, Math.round((y1 - y0) * this.dpr));
    if (W === 0 || H === 0) return null;
    const lut = new Uint32Array(4);
    const bytes = new Uint8Array(lut.buffer);
    [KIND_NONE, KIND_UNKNOWN, KIND_SOME, KIND_ALL].forEach((kind, i) => bytes.set(rgbOf(this.fillFor(kind)), i * 4));
    const image = new ImageData(W, H);
    rasterize(m, this.t, { x: x0, y: y0, width: x1 - x0, height: y1 - y0 }, W, H, lut, new Uint32Array(image.data.buffer));
    let canvas = this.pix?.canvas;
    if (!canvas) canvas = document.createElement('canvas');
    if (canvas.width !== W || canvas.height !== H) {
      canvas.width = W;
      canvas.height = H;
    }
    canvas.getContext('2d')?.putImageData(image, 0, 0);
    this.pix = { canvas, model: m, palette: this.palette, t: { ...this.t }, x0, y0, x1, y1, W, H };
    return this.pix;
  }

  /** Namespace boundaries across the plot (workload boundaries too when there is room). */
  private drawBandLines(m: MatrixModel, win: ReturnType<typeof visibleWindow>, x0: number, y0: number, x1: number, y1: number): void {
    const ctx = this.ctx;
    const { x: tx, y: ty, k } = this.t;
    const pal = this.palette;
    // Lines fade in with the room between them: dense boundaries would only grey the cells out.
    const lines = (bands: Band[], axis: 'row' | 'col', color: string, maxAlpha: number) => {
      const visible = bands.filter((b) => (axis === 'row' ? b.end > win.r0 && b.start < win.r1 : b.end > win.c0 && b.start < win.c1));
      if (visible.length === 0) return;
      const spacing = (visible.reduce((sum, b) => sum + (b.end - b.start), 0) / visible.length) * k;
      const alpha = maxAlpha * Math.max(0, Math.min(1, (spacing - 6) / 24));
      if (alpha <= 0.02) return;
      ctx.strokeStyle = rgba(color, alpha);
      ctx.lineWidth = 1;
      ctx.beginPath();
      for (const b of visible) {
        if (b.start === 0) continue;
        if (axis === 'row') {
          const y = Math.round(ty + b.start * k) + 0.5;
          ctx.moveTo(x0, y);
          ctx.lineTo(x1, y);
        } else {
          const x = Math.round(tx + b.start * k) + 0.5;
          ctx.moveTo(x, y0);
          ctx.lineTo(x, y1);
        }
      }
      ctx.stroke();
    };
    if (m.axes.level === 'pod') {
      lines(m.axes.rows.subBands, 'row', pal.muted, 0.3);
      lines(m.axes.cols.subBands, 'col', pal.muted, 0.3);
    }
    lines(m.axes.rows.bands, 'row', pal.text, 0.45);
    lines(m.axes.cols.bands, 'col', pal.text, 0.45);
  }

  private rowIndex(id: string | null | undefined): number {
    return id ? (this.model?.axes.rows.index.get(id) ?? -1) : -1;
  }
  private colIndex(id: string | null | undefined): number {
    return id ? (this.model?.axes.cols.index.get(id) ?? -1) : -1;
  }

  /**
   * Changed cells: an outline in the change's color and line style over a halo (so it reads on any
   * fill), inside large cells and around small ones (at least 7 px, so it shows zoomed out), and
   * from 18 px a corner badge with the change's glyph.
   */
  private drawChanges(win: ReturnType<typeof visibleWindow>): void {
    const visible = this.placedChanges().filter((p) => p.r >= win.r0 && p.r < win.r1 && p.c >= win.c0 && p.c < win.c1);
    if (visible.length === 0) return;
    const ctx = this.ctx;
    const pal = this.palette;
    const { x: tx, y: ty, k } = this.t;
    const width = k >= 14 ? 2 : 1.5;
    const inner = k >= 10;
    const inset = width / 2 + 1.5;
    const size = Math.max(k, 7);
    ctx.save();
    ctx.lineJoin = 'round';
    for (const change of ['changed', 'lost', 'gained'] as const) {
      const list = visible.filter((p) => p.change === change);
      if (list.length === 0) continue;
      ctx.beginPath();
      for (const p of list) {
        if (inner) ctx.rect(tx + p.c * k + inset, ty + p.r * k + inset, k - 2 * inset, k - 2 * inset);
        else ctx.rect(tx + p.c * k - (size - k) / 2, ty + p.r * k - (size - k) / 2, size, size);
      }
      ctx.setLineDash([]);
      ctx.strokeStyle = rgba(pal.background, 0.9);
      ctx.lineWidth = width + 2.5;
      ctx.stroke();
      ctx.setLineDash(CHANGE_DASH[change]);
      ctx.lineCap = change === 'changed' ? 'round' : 'butt';
      ctx.strokeStyle = pal.change[change];
      ctx.lineWidth = width;
      ctx.stroke();
    }
    ctx.setLineDash([]);
    if (k >= 18) {
      const r = Math.min(7.5, Math.max(5.5, k * 0.15));
      for (const p of visible) this.drawBadge(CHANGE_GLYPHS[p.change], pal.change[p.change], tx + (p.c + 1) * k - r - 3, ty + p.r * k + r + 3, r);
    }
    ctx.restore();
  }

  /** A filled circle with a glyph in the background color, over a thin halo. */
  private drawBadge(glyph: string, fill: string, cx: number, cy: number, r: number): void {
    const ctx = this.ctx;
    ctx.beginPath();
    ctx.arc(cx, cy, r, 0, 2 * Math.PI);
    ctx.fillStyle = fill;
    ctx.fill();
    ctx.strokeStyle = this.palette.background;
    ctx.lineWidth = 1.25;
    ctx.stroke();
    ctx.fillStyle = this.palette.background;
    ctx.font = `700 ${Math.round(r * 1.55)}px ${FONT}`;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.fillText(glyph, cx, cy + 0.5);
  }

  /**
   * A node whose pods became unprotected (solid) or protected (dashed) in the direction of this
   * axis: its label slot framed and tinted, with the glyph at the slot's outer end.
   */
  private drawLabelChange(axis: 'row' | 'col', change: ProtectionMark, start: number, along: number, length: number): void {
    const ctx = this.ctx;
    const k = this.t.k;
    const color = change === 'unprotected' ? this.palette.unprotected : this.palette.protected;
    const inset = k >= 14 ? 1.5 : 0.5;
    const thick = k - 2 * inset;
    const [x, y, w, h] = axis === 'row' ? [start + 1, along + inset, length - 2, thick] : [along + inset, start + 1, thick, length - 2];
    ctx.beginPath();
    ctx.roundRect(x, y, w, h, Math.min(4, thick / 2));
    ctx.fillStyle = rgba(color, 0.12);
    ctx.fill();
    ctx.setLineDash(change === 'protected' ? [3, 2] : []);
    ctx.strokeStyle = color;
    ctx.lineWidth = 1.25;
    ctx.stroke();
    ctx.setLineDash([]);
    const r = Math.min(6, thick * 0.42);
    if (r >= 3.5) this.drawBadge(CHANGE_GLYPHS[change], color, axis === 'row' ? x + r + 3 : x + w / 2, axis === 'row' ? y + h / 2 : y + r + 3, r);
  }

  /** Rows or columns too small for labels: a bar beside the marker rug for each changed node. */
  private drawChangeRug(nodes: MatrixModel['axes']['rows']['nodes'], direction: 'ingress' | 'egress', axis: 'row' | 'col', from: number, to: number, offset: number): void {
    const marks = this.changes?.nodes;
    if (!marks || marks.size === 0) return;
    const ctx = this.ctx;
    const { x: tx, y: ty, k } = this.t;
    const base = axis === 'row' ? ty : tx;
    for (let i = from; i < to; i++) {
      const change = marks.get(nodes[i]!.id)?.[direction];
      if (!change) continue;
      ctx.fillStyle = change === 'unprotected' ? this.palette.unprotected : this.palette.protected;
      const a = base + i * k - Math.max(0, (2 - k) / 2);
      const len = Math.max(2, k);
      if (axis === 'row') ctx.fillRect(offset - 6, a, 4, len);
      else ctx.fillRect(a, offset - 6, len, 4);
    }
  }

  private drawHighlights(m: MatrixModel, win: ReturnType<typeof visibleWindow>, x0: number, y0: number, x1: number, y1: number): void {
    const ctx = this.ctx;
    const pal = this.palette;
    const { x: tx, y: ty, k } = this.t;
    const rowBand = (r: number, style: string) => {
      if (r < win.r0 || r >= win.r1) return;
      ctx.fillStyle = style;
      ctx.fillRect(x0, ty + r * k, x1 - x0, k);
    };
    const colBand = (c: number, style: string) => {
      if (c < win.c0 || c >= win.c1) return;
      ctx.fillStyle = style;
      ctx.fillRect(tx + c * k, y0, k, y1 - y0);
    };
    const outline = (r: number, c: number, style: string, width: number, dash: number[] = []) => {
      if (r < 0 || c < 0) return;
      const s = Math.max(k, 4);
      const off = (s - k) / 2;
      ctx.strokeStyle = style;
      ctx.lineWidth = width;
      ctx.setLineDash(dash);
      ctx.strokeRect(tx + c * k - off - width / 2, ty + r * k - off - width / 2, s + width, s + width);
      ctx.setLineDash([]);
    };

    // Live changes: rows and columns fading out.
    const now = performance.now();
    for (const [key, f] of this.flashes) {
      const age = (now - f.at) / FLASH_MS;
      if (age >= 1) {
        this.flashes.delete(key);
        continue;
      }
      const style = rgba(pal.focus, 0.2 * (1 - age) * (1 - age));
      for (let r = win.r0; r < win.r1; r++) if (f.rows.has(m.axes.rows.nodes[r]!.id)) rowBand(r, style);
      for (let c = win.c0; c < win.c1; c++) if (f.cols.has(m.axes.cols.nodes[c]!.id)) colBand(c, style);
    }

    // The selected node: its row and column.
    const fr = this.rowIndex(this.scene.focus);
    const fc = this.colIndex(this.scene.focus);
    const focusTint = rgba(pal.focus, 0.14);
    if (fr >= 0) rowBand(fr, focusTint);
    if (fc >= 0) colBand(fc, focusTint);

    // Hover crosshair.
    const h = this.scene.hover;
    const hoverTint = rgba(pal.text, 0.07);
    if (h?.type === 'cell') {
      rowBand(h.r, hoverTint);
      colBand(h.c, hoverTint);
      outline(h.r, h.c, rgba(pal.text, 0.85), 1.5);
    } else if (h?.type === 'row') rowBand(h.r, hoverTint);
    else if (h?.type === 'col') colBand(h.c, hoverTint);

    // The selected pair.
    const pair = this.scene.pair;
    if (pair) outline(this.rowIndex(pair.from), this.colIndex(pair.to), pal.focus, 2.5);

    // The keyboard cursor.
    const cur = this.scene.cursor;
    if (cur) outline(cur.r, cur.c, pal.text, 2, [4, 3]);
  }

  private flashed(axis: 'rows' | 'cols', id: string): number {
    let alpha = 0;
    const now = performance.now();
    for (const f of this.flashes.values()) if (f[axis].has(id)) alpha = Math.max(alpha, 1 - (now - f.at) / FLASH_MS);
    return alpha;
  }

  /**
   * A strip of bands along an axis: namespaces as alternating tinted blocks, workloads (`bracket`)
   * as thin brackets, each labelled when there is room (a smaller font first, then an ellipsis).
   */
  private drawStrip(bands: Band[], axis: 'row' | 'col', offset: number, thickness: number, start: number, end: number, shade: [string, string], fontSize: number, bracket = false): void {
    const ctx = this.ctx;
    const pal = this.palette;
    const { x: tx, y: ty, k } = this.t;
    bands.forEach((b, i) => {
      const a = Math.max(start, (axis === 'row' ? ty : tx) + b.start * k);
      const z = Math.min(end, (axis === 'row' ? ty : tx) + b.end * k);
      if (z <= a) return;
      const span = z - a;
      if (bracket) {
        if (span < 5) return;
        ctx.fillStyle = rgba(pal.protected, 0.55);
        const inset = Math.min(2, span / 4);
        if (axis === 'row') ctx.fillRect(offset + thickness - 4, a + inset, 2, span - 2 * inset);
        else ctx.fillRect(a + inset, offset + thickness - 4, span - 2 * inset, 2);
      } else {
        if (span < 2 && b.kind !== 'external') return;
        ctx.fillStyle = b.kind === 'external' ? rgba(pal.external, 0.16) : shade[i % 2]!;
        if (axis === 'row') ctx.fillRect(offset, a, thickness - 1, span);
        else ctx.fillRect(a, offset, span, thickness - 1);
      }
      const room = span - 6;
      this.text.setFont(`600 ${fontSize}px ${FONT}`);
      let label = b.label;
      if (this.text.width(label) > room) {
        this.text.setFont(`600 ${fontSize - 1.5}px ${FONT}`);
        label = this.text.fit(b.label, room);
      }
      if (!label || span < 14) return;
      ctx.fillStyle = b.kind === 'external' ? pal.external : bracket ? pal.muted : pal.text;
      ctx.save();
      const across = bracket ? (thickness - 5) / 2 : thickness / 2;
      if (axis === 'row') {
        ctx.translate(offset + across, a + span / 2);
        ctx.rotate(-Math.PI / 2);
      } else ctx.translate(a + span / 2, offset + across);
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillText(label, 0, 0.5);
      ctx.restore();
    });
  }


  private fitLabel(n: MatrixModel['axes']['rows']['nodes'][number], max: number): string {
    return n.kind === 'pod' ? this.text.fitMiddle(nodeLabel(n), max) : this.text.fit(nodeLabel(n), max);
  }

  private labelStyle(axis: 'row' | 'col', id: string, unknown: boolean, external: boolean): { color: string; weight: string } {
    const pal = this.palette;
    const selected = this.scene.focus === id || (axis === 'row' ? this.scene.pair?.from === id : this.scene.pair?.to === id);
    if (selected) return { color: pal.focus, weight: '700' };
    if (unknown || external) return { color: pal.muted, weight: '400' };
    return { color: pal.text, weight: '400' };
  }

  private drawMarker(protection: ReturnType<typeof protectionOf>, cx: number, cy: number, size: number): void {
    const ctx = this.ctx;
    const pal = this.palette;
    if (protection === 'protected' || protection === 'none') return;
    const s = Math.min(10, size * 0.8);
    if (protection === 'unknown') {
      ctx.fillStyle = pal.muted;
      ctx.font = `700 ${Math.max(8, s + 1)}px ${FONT}`;
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillText('?', cx, cy + 0.5);
      return;
    }
    ctx.beginPath();
    ctx.moveTo(cx, cy - s / 2);
    ctx.lineTo(cx + s / 2, cy + s / 2 - 0.5);
    ctx.lineTo(cx - s / 2, cy + s / 2 - 0.5);
    ctx.closePath();
    if (protection === 'unprotected') {
      ctx.fillStyle = pal.unprotected;
      ctx.fill();
    } else {
      ctx.strokeStyle = pal.unprotected;
      ctx.lineWidth = 1.3;
      ctx.stroke();
    }
  }

  /** Marker rug when rows are too small for glyphs: one bar per run of unprotected rows. */
  private drawRug(nodes: MatrixModel['axes']['rows']['nodes'], direction: 'ingress' | 'egress', axis: 'row' | 'col', from: number, to: number, offset: number): void {
    const ctx = this.ctx;
    const pal = this.palette;
    const { x: tx, y: ty, k } = this.t;
    const base = axis === 'row' ? ty : tx;
    let i = from;
    while (i < to) {
      const p = protectionOf(nodes[i]!, direction);
      let j = i + 1;
      while (j < to && protectionOf(nodes[j]!, direction) === p) j++;
      if (p === 'unprotected' || p === 'partly' || p === 'unknown') {
        ctx.fillStyle = p === 'unknown' ? rgba(pal.muted, 0.7) : p === 'partly' ? rgba(pal.unprotected, 0.5) : pal.unprotected;
        const a = base + i * k;
        const len = Math.max(1, (j - i) * k);
        const w = p === 'partly' ? 4 : 6;
        if (axis === 'row') ctx.fillRect(offset + (MARKER - w) / 2, a, w, len);
        else ctx.fillRect(a, offset + (MARKER - w) / 2, len, w);
      }
      i = j;
    }
  }

  private drawRowGutter(m: MatrixModel, win: ReturnType<typeof visibleWindow>, plot: Rect): void {
    const ctx = this.ctx;
    const pal = this.palette;
    const { y: ty, k } = this.t;
    const g = this.gutters;
    ctx.save();
    ctx.beginPath();
    ctx.rect(0, plot.y, plot.x, plot.height);
    ctx.clip();
    const top = plot.y;
    const bottom = plot.y + plot.height;
    if (g.band) this.drawStrip(m.axes.rows.bands, 'row', 0, g.band, top, bottom, [rgba(pal.text, 0.08), rgba(pal.text, 0.035)], 11);
    if (g.sub) this.drawStrip(m.axes.rows.subBands, 'row', g.band, g.sub, top, bottom, ['', ''], 10, true);
    const labelX0 = g.band + g.sub;
    const labelX1 = labelX0 + g.rowLabels;
    const markerX = labelX1;
    const nodes = m.axes.rows.nodes;
    if (labelMode(k) === 'nodes') {
      const size = labelFontSize(k);
      for (let r = win.r0; r < win.r1; r++) {
        const n = nodes[r]!;
        const cy = ty + r * k + k / 2;
        const flash = this.flashed('rows', n.id);
        if (flash > 0) {
          ctx.fillStyle = rgba(pal.focus, 0.35 * flash);
          ctx.fillRect(labelX0, ty + r * k, g.rowLabels + MARKER, k);
        }
        const st = this.labelStyle('row', n.id, !!n.unknown, n.kind === 'external');
        const suffix = n.unknown ? 'unknown' : n.kind === 'workload' ? workloadKindAbbreviation(n.workloadKind) : '';
        const change = this.changes?.nodes.get(n.id)?.egress ?? null;
        if (change) this.drawLabelChange('row', change, labelX0, ty + r * k, g.rowLabels + MARKER);
        this.text.setFont(`${size - 1}px ${FONT}`);
        const suffixW = suffix ? this.text.width(suffix) + 6 : 0;
        const glyphW = change ? 16 : 0;
        ctx.textBaseline = 'middle';
        ctx.textAlign = 'right';
        if (suffix) {
          ctx.fillStyle = n.unknown ? pal.muted : rgba(pal.muted, 0.9);
          ctx.fillText(suffix, labelX1 - 4, cy + 0.5);
        }
        this.text.setFont(`${n.unknown ? 'italic ' : ''}${st.weight} ${size}px ${FONT}`);
        ctx.fillStyle = st.color;
        ctx.fillText(this.fitLabel(n, g.rowLabels - 8 - suffixW - glyphW), labelX1 - 4 - suffixW, cy + 0.5);
        this.drawMarker(protectionOf(n, 'egress'), markerX + MARKER / 2, cy, k);
      }
    } else {
      this.drawBandLabels(this.labelBands(m.axes.rows.bands, m.axes.rows.subBands, win.r0, win.r1), 'row', labelX0, labelX1, top, bottom);
      this.drawRug(nodes, 'egress', 'row', win.r0, win.r1, markerX);
      this.drawChangeRug(nodes, 'egress', 'row', win.r0, win.r1, markerX);
    }
    ctx.restore();
  }

  private drawColGutter(m: MatrixModel, win: ReturnType<typeof visibleWindow>, plot: Rect): void {
    const ctx = this.ctx;
    const pal = this.palette;
    const { x: tx, k } = this.t;
    const g = this.gutters;
    ctx.save();
    ctx.beginPath();
    ctx.rect(plot.x, 0, plot.width, plot.y);
    ctx.clip();
    const left = plot.x;
    const right = plot.x + plot.width;
    if (g.band) this.drawStrip(m.axes.cols.bands, 'col', 0, g.band, left, right, [rgba(pal.text, 0.08), rgba(pal.text, 0.035)], 11);
    if (g.sub) this.drawStrip(m.axes.cols.subBands, 'col', g.band, g.sub, left, right, ['', ''], 10, true);
    const labelY0 = g.band + g.sub;
    const labelY1 = labelY0 + g.colLabels;
    const markerY = labelY1;
    const nodes = m.axes.cols.nodes;
    if (labelMode(k) === 'nodes') {
      const size = labelFontSize(k);
      for (let c = win.c0; c < win.c1; c++) {
        const n = nodes[c]!;
        const cx = tx + c * k + k / 2;
        const flash = this.flashed('cols', n.id);
        if (flash > 0) {
          ctx.fillStyle = rgba(pal.focus, 0.35 * flash);
          ctx.fillRect(tx + c * k, labelY0, k, g.colLabels + MARKER);
        }
        const st = this.labelStyle('col', n.id, !!n.unknown, n.kind === 'external');
        const suffix = n.unknown ? 'unknown' : n.kind === 'workload' ? workloadKindAbbreviation(n.workloadKind) : '';
        const change = this.changes?.nodes.get(n.id)?.ingress ?? null;
        if (change) this.drawLabelChange('col', change, labelY0, tx + c * k, g.colLabels + MARKER);
        this.text.setFont(`${size - 1}px ${FONT}`);
        const suffixW = suffix ? this.text.width(suffix) + 6 : 0;
        const glyphW = change ? 16 : 0;
        ctx.save();
        ctx.translate(cx, labelY1 - 4);
        ctx.rotate(-Math.PI / 2);
        ctx.textBaseline = 'middle';
        ctx.textAlign = 'left';
        if (suffix) {
          ctx.fillStyle = rgba(pal.muted, 0.9);
          ctx.fillText(suffix, 0, 0.5);
        }
        this.text.setFont(`${n.unknown ? 'italic ' : ''}${st.weight} ${size}px ${FONT}`);
        ctx.fillStyle = st.color;
        ctx.fillText(this.fitLabel(n, g.colLabels - 8 - suffixW - glyphW), suffixW, 0.5);
        ctx.restore();
        this.drawMarker(protectionOf(n, 'ingress'), cx, markerY + MARKER / 2, k);
      }
    } else {
      this.drawBandLabels(this.labelBands(m.axes.cols.bands, m.axes.cols.subBands, win.c0, win.c1), 'col', labelY0, labelY1, left, right);
      this.drawRug(nodes, 'ingress', 'col', win.c0, win.c1, markerY);
      this.drawChangeRug(nodes, 'ingress', 'col', win.c0, win.c1, markerY);
    }
    ctx.restore();
  }

  /** Workload bands when most of them have room for a label, else the namespaces. */
  private labelBands(bands: Band[], subBands: Band[], from: number, to: number): Band[] {
    if (subBands.length === 0) return bands;
    const visible = subBands.filter((b) => b.end > from && b.start < to);
    const roomy = visible.filter((b) => (b.end - b.start) * this.t.k >= 12).length;
    return roomy >= visible.length / 2 ? subBands : bands;
  }

  /** When node labels are too small: the bands' labels, with a bracket showing each band's extent. */
  private drawBandLabels(bands: Band[], axis: 'row' | 'col', a0: number, a1: number, start: number, end: number): void {
    const ctx = this.ctx;
    const pal = this.palette;
    const { x: tx, y: ty, k } = this.t;
    const base = axis === 'row' ? ty : tx;
    this.text.setFont(`11px ${FONT}`);
    let lastEnd = -Infinity;
    for (const b of bands) {
      const a = Math.max(start, base + b.start * k);
      const z = Math.min(end, base + b.end * k);
      if (z <= a) continue;
      ctx.strokeStyle = rgba(pal.muted, 0.5);
      ctx.lineWidth = 1;
      ctx.beginPath();
      if (axis === 'row') {
        ctx.moveTo(a1 - 2, a + 1);
        ctx.lineTo(a1 - 2, z - 1);
      } else {
        ctx.moveTo(a + 1, a1 - 2);
        ctx.lineTo(z - 1, a1 - 2);
      }
      ctx.stroke();
      const mid = (a + z) / 2;
      if (mid - 6 < lastEnd) continue;
      const label = this.text.fit(b.label, a1 - a0 - 10);
      if (!label) continue;
      ctx.fillStyle = b.kind === 'external' ? pal.external : pal.muted;
      ctx.save();
      if (axis === 'row') {
        ctx.translate(a1 - 6, mid);
        ctx.textAlign = 'right';
      } else {
        ctx.translate(mid, a1 - 6);
        ctx.rotate(-Math.PI / 2);
        ctx.textAlign = 'left';
      }
      ctx.textBaseline = 'middle';
      ctx.fillText(label, 0, 0.5);
      ctx.restore();
      lastEnd = mid + 6;
    }
  }

  private drawCorner(m: MatrixModel, plot: Rect): void {
    const ctx = this.ctx;
    const pal = this.palette;
    const g = this.gutters;
    ctx.fillStyle = pal.background;
    ctx.fillRect(0, 0, plot.x - 1, plot.y - 1);
    const left = g.band + g.sub + 4;
    const base = plot.y - 6;
    ctx.textBaseline = 'alphabetic';
    ctx.font = `600 11px ${FONT}`;
    ctx.fillStyle = pal.muted;
    ctx.textAlign = 'left';
    ctx.fillText('from ↓', left, base);
    ctx.textAlign = 'right';
    ctx.fillText('to →', plot.x - MARKER - 4, base - 16);
    ctx.font = `11px ${FONT}`;
    ctx.fillStyle = rgba(pal.muted, 0.85);
    ctx.textAlign = 'left';
    const rows = m.axes.rows.nodes.length;
    const cols = m.axes.cols.nodes.length;
    ctx.fillText(`${rows.toLocaleString()} × ${cols.toLocaleString()}`, left, base - 16);
  }

}
