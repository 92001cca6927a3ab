// The matrix's pure layer (client/render/matrix-layout.ts, matrix-explain.ts): ordering and bands,
// the kind table at grouped and pod level, hit-testing, the visible window, zoom geometry, cell
// kinds and colors, drill-down actions, and the wording of explanations.
import { describe, expect, it } from 'vitest';
import type { DecisionStepJSON, ExplainResult } from '../../shared/protocol/events.ts';
import { cellOf, type PortsJSON, type ViewCell, type ViewNode, type ViewSpec, type ViewState } from '../../shared/protocol/view.ts';
import {
  KIND_ALL,
  KIND_NA,
  KIND_NONE,
  KIND_SELF,
  KIND_SOME,
  KIND_UNKNOWN,
  KIND_NAMES,
  buildAxes,
  buildModel,
  cellAction,
  cellBetween,
  cellFill,
  changedLines,
  compareNodes,
  constrain,
  externalRoles,
  fitTransform,
  hitTest,
  kindAt,
  kindCode,
  labelMode,
  protectionOf,
  rangeLabel,
  reachOf,
  revealCell,
  visibleWindow,
  zoomAround,
  type Transform,
} from '../../client/render/matrix-layout.ts';
import { directionSummary, verdictOf } from '../../client/render/matrix-explain.ts';
import { rasterize } from '../../client/render/matrix-raster.ts';
import { PALETTES } from '../../client/render/palette.ts';

// ----- fixtures -----

const iso = { ingress: true, egress: true };
const open = { ingress: false, egress: false };

function ns(id: string, extra: Partial<ViewNode> = {}): ViewNode {
  return { id, kind: 'namespace', namespace: id, name: id, pods: 2, isolation: iso, unprotected: { ingress: 0, egress: 0 }, ...extra };
}
function wl(namespace: string, name: string, kind = 'Deployment', extra: Partial<ViewNode> = {}): ViewNode {
  return { id: `${namespace}/${name}[${kind}]`, kind: 'workload', namespace, name, workloadKind: kind, pods: 1, isolation: iso, unprotected: { ingress: 0, egress: 0 }, ...extra };
}
function pod(namespace: string, name: string, workload: string, row: number, col: number, extra: Partial<ViewNode> = {}): ViewNode {
  return {
    id: `${namespace}/${name}`,
    kind: 'pod',
    namespace,
    name,
    workload: `${namespace}/${workload}`,
    pods: 1,
    isolation: iso,
    unprotected: { ingress: 0, egress: 0 },
    row,
    col,
    ...extra,
  };
}
function ext(range: string, extra: Partial<ViewNode> = {}): ViewNode {
  return { id: `ip:${range}`, kind: 'external', name: range, ranges: [range], pods: 0, isolation: open, unprotected: { ingress: 0, egress: 0 }, ...extra };
}

const TCP = (port: number): PortsJSON => [{ protocol: 'TCP', port, endPort: port }];
const cell = (ports: PortsJSON, allowed = 1, total = 1): ViewCell => ({ ports, allowed, total });

function state(level: ViewSpec['level'], nodes: ViewNode[], cells: [string, string, ViewCell][] = [], keyCells: [number, number, PortsJSON][] = []): ViewState {
  return {
    viewId: level,
    view: { level, namespaces: 'all' },
    seq: 1,
    at: '2025-06-02T10:00:00Z',
    nodes: new Map(nodes.map((n) => [n.id, n])),
    cells: new Map(cells.map(([f, t, c]) => [`${f}\t${t}`, c])),
    keyCells: new Map(keyCells.map(([r, c, p]) => [`${r}\t${c}`, p])),
    findings: [],
    status: {} as ViewState['status'],
    unknown: [],
  };
}

// ----- ordering and bands -----

describe('ordering and bands', () => {
  it('sorts by namespace, then workload, then name (natural), externals last by address', () => {
    const nodes = [
      ext('10.0.0.0-10.255.255.255'),
      pod('prod', 'web-10', 'web[Deployment]', 1, 1),
      pod('prod', 'db-1', 'db[StatefulSet]', 2, 2),
      ext('0.0.0.0-9.255.255.255'),
      pod('ci', 'runner-x', 'runner-x[Pod]', 3, 3),
      pod('prod', 'web-9', 'web[Deployment]', 1, 1),
      pod('prod', 'api-2', 'api[Deployment]', 4, 4),
      ext('11.0.0.0-172.15.255.255'),
    ];
    const axes = buildAxes(nodes, 'pod');
    expect(axes.rows.nodes.map((n) => n.id)).toEqual([
      'ci/runner-x',
      'prod/api-2',
      'prod/db-1',
      'prod/web-9',
      'prod/web-10',
      'ip:0.0.0.0-9.255.255.255',
      'ip:10.0.0.0-10.255.255.255',
      'ip:11.0.0.0-172.15.255.255',
    ]);
    expect(axes.rows.index.get('prod/web-10')).toBe(4);
    expect(axes.rows.bands.map((b) => [b.label, b.start, b.end, b.kind])).toEqual([
      ['ci', 0, 1, 'namespace'],
      ['prod', 1, 5, 'namespace'],
      ['outside the cluster', 5, 8, 'external'],
    ]);
    expect(axes.rows.subBands.map((b) => [b.label, b.start, b.end])).toEqual([
      ['runner-x', 0, 1],
      ['api', 1, 2],
      ['db', 2, 3],
      ['web', 3, 5],
    ]);
  });

  it('has no workload bands above pod level, and a namespace sorts before its neighbours by name', () => {
    const axes = buildAxes([wl('b', 'z'), wl('a', 'y'), wl('b', 'a', 'StatefulSet'), wl('a', 'y', 'DaemonSet')], 'workload');
    expect(axes.cols.nodes.map((n) => n.id)).toEqual(['a/y[DaemonSet]', 'a/y[Deployment]', 'b/a[StatefulSet]', 'b/z[Deployment]']);
    expect(axes.cols.subBands).toEqual([]);
    expect(compareNodes(ns('a'), ext('0.0.0.0-255.255.255.255'))).toBeLessThan(0);
  });

  it('puts external ranges on the side they belong to', () => {
    const source = ext('0.0.0.0-255.255.255.255');
    const dest = ext('0.0.0.0-9.255.255.255');
    const silent = ext('10.0.0.0-10.255.255.255'); // no cell, but overlaps the source range
    const st = state('namespace', [ns('prod'), source, dest, silent], [
      ['ip:0.0.0.0-255.255.255.255', 'prod', cell('all')],
      ['prod', 'ip:0.0.0.0-9.255.255.255', cell(TCP(443))],
    ]);
    const roles = externalRoles(st);
    expect(roles.get(source.id)).toEqual({ source: true, destination: false });
    expect(roles.get(dest.id)).toEqual({ source: false, destination: true });
    expect(roles.get(silent.id)).toEqual({ source: false, destination: true });
    const axes = buildAxes(st.nodes.values(), 'namespace', roles);
    expect(axes.rows.nodes.map((n) => n.id)).toEqual(['prod', source.id]);
    expect(axes.cols.nodes.map((n) => n.id)).toEqual(['prod', dest.id, silent.id]);
    // With nothing to go by, a range is on both sides.
    expect(externalRoles(state('namespace', [ns('prod'), ext('0.0.0.0-255.255.255.255')])).get('ip:0.0.0.0-255.255.255.255')).toEqual({ source: true, destination: true });
  });

  it('labels CIDR-shaped ranges as CIDRs', () => {
    expect(rangeLabel('10.0.0.0-10.255.255.255')).toBe('10.0.0.0/8');
    expect(rangeLabel('0.0.0.0-255.255.255.255')).toBe('0.0.0.0/0');
    expect(rangeLabel('192.168.1.7-192.168.1.7')).toBe('192.168.1.7/32');
    expect(rangeLabel('0.0.0.0-9.255.255.255')).toBe('0.0.0.0-9.255.255.255');
    expect(rangeLabel('10.0.0.1-10.0.0.2')).toBe('10.0.0.1-10.0.0.2');
  });
});

// ----- the kind table -----

describe('cell kinds', () => {
  it('classifies cells: every port, some, none, unknown; fills from the palette', () => {
    expect(kindCode(cell('all'))).toBe(KIND_ALL);
    expect(kindCode(cell(TCP(80)))).toBe(KIND_SOME);
    expect(kindCode(cell([]))).toBe(KIND_NONE);
    expect(kindCode(undefined)).toBe(KIND_NONE);
    expect(kindCode('all')).toBe(KIND_ALL);
    expect(kindCode(TCP(5432))).toBe(KIND_SOME);
    expect(kindCode(cell('all'), true)).toBe(KIND_UNKNOWN);
    // "the strongest of several cells" is their max
    expect(KIND_ALL > KIND_SOME && KIND_SOME > KIND_UNKNOWN && KIND_UNKNOWN > KIND_NONE).toBe(true);
    const p = PALETTES.light;
    expect(cellFill(KIND_ALL, p)).toBe(p.cell.all);
    expect(cellFill(KIND_SOME, p)).toBe(p.cell.some);
    expect(cellFill(KIND_NONE, p)).toBe(p.cell.none);
    expect(cellFill(KIND_UNKNOWN, p)).toBe(p.cell.unknown);
    expect(cellFill(KIND_NA, p)).toBe(p.background);
  });

  it('grouped level: one key per node; unknown nodes are unknown both ways; externals never meet', () => {
    const st = state('namespace', [ns('prod'), ns('staging', { unprotected: { ingress: 2, egress: 2 }, isolation: open }), ns('ci', { unknown: true, isolation: { ingress: null, egress: null }, unprotected: { ingress: null, egress: null } }), ext('0.0.0.0-255.255.255.255')], [
      ['prod', 'prod', cell(TCP(5432), 4, 12)],
      ['staging', 'prod', cell(TCP(8080))],
      ['staging', 'staging', cell('all')],
      ['ip:0.0.0.0-255.255.255.255', 'staging', cell('all')],
      ['staging', 'ip:0.0.0.0-255.255.255.255', cell('all')],
    ]);
    const m = buildModel(st);
    const at = (from: string, to: string) => KIND_NAMES[kindAt(m, m.axes.rows.index.get(from)!, m.axes.cols.index.get(to)!)];
    expect(m.axes.rows.nodes.map((n) => n.id)).toEqual(['ci', 'prod', 'staging', 'ip:0.0.0.0-255.255.255.255']);
    expect(at('prod', 'prod')).toBe('some');
    expect(at('staging', 'prod')).toBe('some');
    expect(at('prod', 'staging')).toBe('none');
    expect(at('staging', 'staging')).toBe('all');
    expect(at('ci', 'prod')).toBe('unknown');
    expect(at('prod', 'ci')).toBe('unknown');
    expect(at('ip:0.0.0.0-255.255.255.255', 'staging')).toBe('all');
    expect(at('ip:0.0.0.0-255.255.255.255', 'ip:0.0.0.0-255.255.255.255')).toBe('n/a');
    expect(m.podLevel).toBe(false);
    expect(m.selfCol.every((c) => c === -1)).toBe(true);
  });

  it('pod level: pods share rows by key; self cells; pod → external cells from the key table', () => {
    const a1 = pod('prod', 'api-1', 'api[Deployment]', 0, 0);
    const a2 = pod('prod', 'api-2', 'api[Deployment]', 0, 0);
    const db = pod('prod', 'db-0', 'db[StatefulSet]', 1, 1);
    const lost = pod('dark', 'x', 'x[Pod]', -1, -1, { unknown: true });
    const net = ext('0.0.0.0-255.255.255.255', { row: 1 << 24, col: 1 << 24 });
    const st = state('pod', [a1, a2, db, lost, net], [], [
      [0, 0, 'all'], // api → api (the other replica)
      [0, 1, TCP(5432)],
      [0, 1 << 24, TCP(443)],
      [1 << 24, 0, TCP(8080)],
    ]);
    const m = buildModel(st);
    const r = (id: string) => m.axes.rows.index.get(id)!;
    const c = (id: string) => m.axes.cols.index.get(id)!;
    expect(m.keyRows).toBe(4); // api, db, unknown, the range
    expect(kindAt(m, r(a1.id), c(a2.id))).toBe(KIND_ALL);
    expect(kindAt(m, r(a1.id), c(a1.id))).toBe(KIND_SELF);
    expect(kindAt(m, r(a2.id), c(db.id))).toBe(KIND_SOME);
    expect(kindAt(m, r(db.id), c(a1.id))).toBe(KIND_NONE);
    expect(kindAt(m, r(a1.id), c(net.id))).toBe(KIND_SOME);
    expect(kindAt(m, r(net.id), c(a2.id))).toBe(KIND_SOME);
    expect(kindAt(m, r(net.id), c(db.id))).toBe(KIND_NONE);
    expect(kindAt(m, r(lost.id), c(db.id))).toBe(KIND_UNKNOWN);
    expect(kindAt(m, r(db.id), c(lost.id))).toBe(KIND_UNKNOWN);
    // Pod → external cells come from the key table, in the matrix and in the shared cellOf alike.
    expect(cellBetween(st, a1, net)).toEqual(TCP(443));
    expect(cellOf(st, a1, net)).toEqual(TCP(443));
    expect(cellOf(st, net, a2)).toEqual(cellBetween(st, net, a2));
    // A sparse table (for huge views) answers the same.
    const sparse = buildModel(st, { denseLimit: 1 });
    expect(sparse.dense).toBeNull();
    for (let i = 0; i < m.axes.rows.nodes.length; i++) for (let j = 0; j < m.axes.cols.nodes.length; j++) expect(kindAt(sparse, i, j)).toBe(kindAt(m, i, j));
  });

  it('finds the rows and columns a change touched, by key', () => {
    const nodes = [pod('p', 'a-1', 'a[Deployment]', 0, 0), pod('p', 'a-2', 'a[Deployment]', 0, 0), pod('p', 'b-0', 'b[StatefulSet]', 1, 1), pod('p', 'c-0', 'c[StatefulSet]', 2, 2)];
    const before = buildModel(state('pod', nodes, [], [[0, 1, TCP(80)]]));
    const after = buildModel(state('pod', nodes, [], [[0, 1, TCP(80)], [2, 1, 'all']]));
    const diff = changedLines(before, after)!;
    expect([...diff.rows].sort()).toEqual(['p/c-0']);
    expect([...diff.cols].sort()).toEqual(['p/b-0']);
    // A key that changes for every pod sharing it: all of them.
    const opened = buildModel(state('pod', nodes, [], []));
    const d2 = changedLines(before, opened)!;
    expect([...d2.rows].sort()).toEqual(['p/a-1', 'p/a-2']);
    // A new node counts as changed; nothing changed: nothing.
    const grown = buildModel(state('pod', [...nodes, pod('p', 'd-0', 'd[Pod]', 3, 3)], [], [[0, 1, TCP(80)]]));
    expect([...changedLines(before, grown)!.rows]).toEqual(['p/d-0']);
    expect(changedLines(before, buildModel(state('pod', nodes, [], [[0, 1, TCP(80)]])))).toEqual({ rows: new Set(), cols: new Set() });
    expect(changedLines(before, after, 0)).toBeNull();
  });
});

// ----- geometry -----

describe('geometry', () => {
  const plot = { x: 200, y: 150, width: 600, height: 400 };

  it('computes the visible window, clamped to the matrix', () => {
    const t: Transform = { x: 200, y: 150, k: 10 };
    expect(visibleWindow(t, plot, 1000, 1000)).toEqual({ r0: 0, r1: 40, c0: 0, c1: 60 });
    expect(visibleWindow(t, plot, 12, 5)).toEqual({ r0: 0, r1: 12, c0: 0, c1: 5 });
    // Panned by 1234.5 px right/down: partially visible cells count.
    const panned: Transform = { x: 200 - 1234.5, y: 150 - 1234.5, k: 10 };
    expect(visibleWindow(panned, plot, 1000, 1000)).toEqual({ r0: 123, r1: 164, c0: 123, c1: 184 });
    // 10k × 10k zoomed out to fit: everything, at sub-pixel cells.
    const fit = fitTransform(plot, 10_000, 10_000);
    expect(fit.k).toBeCloseTo(0.04);
    expect(visibleWindow(fit, plot, 10_000, 10_000)).toEqual({ r0: 0, r1: 10_000, c0: 0, c1: 10_000 });
  });

  it('hit-tests cells, row labels and column labels', () => {
    const t: Transform = { x: 200, y: 150, k: 20 };
    expect(hitTest(t, plot, 10, 10, 205, 155)).toEqual({ type: 'cell', r: 0, c: 0 });
    expect(hitTest(t, plot, 10, 10, 200 + 3 * 20 + 19.9, 150 + 7 * 20)).toEqual({ type: 'cell', r: 7, c: 3 });
    expect(hitTest(t, plot, 10, 10, 50, 150 + 2 * 20 + 5)).toEqual({ type: 'row', r: 2 });
    expect(hitTest(t, plot, 10, 10, 200 + 4 * 20 + 5, 40)).toEqual({ type: 'col', c: 4 });
    // Past the last row/column, in the corner, or outside the canvas: nothing.
    expect(hitTest(t, plot, 10, 10, 200 + 10 * 20 + 1, 160)).toBeNull();
    expect(hitTest(t, plot, 10, 10, 210, 150 + 10 * 20 + 1)).toBeNull();
    expect(hitTest(t, plot, 10, 10, 50, 40)).toBeNull();
    expect(hitTest(t, plot, 10, 10, 900, 160)).toBeNull();
    // Panned: the cell under the point moves.
    expect(hitTest({ x: 200 - 95, y: 150 - 45, k: 10 }, plot, 100, 100, 201, 151)).toEqual({ type: 'cell', r: 4, c: 9 });
  });

  it('fits, keeps the matrix in view, zooms around a point and reveals a cell', () => {
    const fit = fitTransform(plot, 20, 60);
    expect(fit).toEqual({ x: 200, y: 150, k: 10 });
    expect(fitTransform(plot, 3, 3).k).toBe(84); // small views open at a readable size, not huge
    // A small matrix sticks to the top-left; a big one shows no empty space past its edges.
    expect(constrain({ x: 500, y: 10, k: 10 }, plot, 20, 60)).toEqual({ x: 200, y: 150, k: 10 });
    expect(constrain({ x: -5000, y: 400, k: 20 }, plot, 20, 60)).toEqual({ x: 200 + 600 - 60 * 20, y: 150, k: 20 });
    // Zooming in around a point keeps that point on the same cell.
    const z = zoomAround({ x: 200, y: 150, k: 10 }, 2, 400, 250, plot, 100, 100);
    expect(z.k).toBe(20);
    expect((400 - z.x) / z.k).toBeCloseTo((400 - 200) / 10);
    expect((250 - z.y) / z.k).toBeCloseTo((250 - 150) / 10);
    // Zooming out never goes below the fitted size.
    expect(zoomAround({ x: 200, y: 150, k: 10 }, 0.001, 400, 250, plot, 100, 100).k).toBe(fitTransform(plot, 100, 100).k);
    const shown = revealCell({ x: 200, y: 150, k: 10 }, plot, 80, 99);
    expect(shown.y + 80 * 10 + 10).toBe(plot.y + plot.height);
    expect(shown.x + 99 * 10 + 10).toBe(plot.x + plot.width);
    expect(revealCell({ x: 200, y: 150, k: 10 }, plot, 2, 2)).toEqual({ x: 200, y: 150, k: 10 });
  });

  it('paints sub-pixel cells with the strongest kind under each pixel, by keys', () => {
    // 100 namespaces, one cell open on every port, one on some ports, one unknown row.
    const nodes = Array.from({ length: 100 }, (_, i) => ns(`ns-${String(i).padStart(3, '0')}`, i === 90 ? { unknown: true } : {}));
    const st = state('namespace', nodes, [
      ['ns-037', 'ns-058', cell('all')],
      ['ns-038', 'ns-059', cell(TCP(80))],
      ['ns-012', 'ns-013', cell(TCP(80))],
      ['ns-013', 'ns-013', cell('all')],
    ]);
    const m = buildModel(st);
    const lut = new Uint32Array([10, 11, 12, 13]); // none, unknown, some, all
    const out = new Uint32Array(100);
    // 10 × 10 cells per pixel.
    rasterize(m, { x: 0, y: 0, k: 0.1 }, { x: 0, y: 0, width: 10, height: 10 }, 10, 10, lut, out);
    const at = (x: number, y: number) => out[y * 10 + x];
    expect(at(5, 3)).toBe(13); // all beats some in the same pixel (rows 30-39, cols 50-59)
    expect(at(1, 1)).toBe(13); // ns-012 → ns-013 some, ns-013 → ns-013 all
    expect(at(0, 9)).toBe(11); // the unknown row 90
    expect(at(9, 0)).toBe(11); // ... and its column
    expect(at(2, 2)).toBe(10);
    expect([...out].filter((v) => v === 10)).toHaveLength(100 - 2 - 19);
    // Zoomed in on the open cell: pixel-per-cell, exact.
    const one = new Uint32Array(4);
    rasterize(m, { x: -37 * 2, y: -58 * 2 + 0, k: 2 }, { x: 0, y: 0, width: 2, height: 2 }, 2, 2, lut, one);
    // Transform puts row 58/col 37 at the origin: the cell ns-058 → ns-037 is closed, not the reverse.
    expect([...one]).toEqual([10, 10, 10, 10]);
    rasterize(m, { x: -58 * 2, y: -37 * 2, k: 2 }, { x: 0, y: 0, width: 2, height: 2 }, 2, 2, lut, one);
    expect([...one]).toEqual([13, 13, 13, 13]);
  });

  it('shows node labels only when they are readable', () => {
    expect(labelMode(9.9)).toBe('bands');
    expect(labelMode(10)).toBe('nodes');
    expect(labelMode(0.05)).toBe('bands');
  });
});

// ----- actions, markers, reach -----

describe('actions and markers', () => {
  it('drills down from namespaces to workloads to pods, then selects the pair', () => {
    expect(cellAction('namespace', ns('staging'), ns('prod'))).toEqual({ type: 'drill', level: 'workload', namespaces: ['prod', 'staging'] });
    expect(cellAction('namespace', ns('prod'), ns('prod'))).toEqual({ type: 'drill', level: 'workload', namespaces: ['prod'] });
    expect(cellAction('namespace', ns('prod'), ext('0.0.0.0-9.255.255.255'))).toEqual({ type: 'drill', level: 'workload', namespaces: ['prod'] });
    expect(cellAction('workload', wl('prod', 'checkout'), wl('monitoring', 'prom'))).toEqual({ type: 'drill', level: 'pod', namespaces: ['monitoring', 'prod'] });
    expect(cellAction('pod', pod('prod', 'a', 'a[Pod]', 0, 0), pod('prod', 'b', 'b[Pod]', 1, 1))).toEqual({ type: 'select', from: 'prod/a', to: 'prod/b' });
  });

  it('marks rows by egress and columns by ingress protection', () => {
    const n = ns('staging', { pods: 6, unprotected: { ingress: 4, egress: 6 } });
    expect(protectionOf(n, 'egress')).toBe('unprotected');
    expect(protectionOf(n, 'ingress')).toBe('partly');
    expect(protectionOf(ns('prod'), 'ingress')).toBe('protected');
    expect(protectionOf(ns('ci', { unknown: true, unprotected: { ingress: null, egress: null } }), 'ingress')).toBe('unknown');
    expect(protectionOf(ext('0.0.0.0-255.255.255.255'), 'ingress')).toBe('none');
  });

  it('lists who can reach a node and what it can reach, strongest first', () => {
    const st = state('namespace', [ns('a'), ns('b'), ns('c'), ns('d', { unknown: true })], [
      ['a', 'b', cell(TCP(80))],
      ['c', 'b', cell('all', 2, 4)],
      ['b', 'a', cell('all')],
    ]);
    const b = st.nodes.get('b')!;
    const into = reachOf(st, b, 'in');
    expect(into.entries.map((e) => [e.node.id, e.kind])).toEqual([
      ['c', 'all'],
      ['a', 'some'],
      ['d', 'unknown'],
    ]);
    expect(into.entries[0]!.pairs).toEqual({ allowed: 2, total: 4 });
    expect([into.total, into.all, into.some, into.unknown]).toEqual([3, 1, 1, 1]);
    const out = reachOf(st, b, 'out', 1);
    expect(out.entries.map((e) => e.node.id)).toEqual(['a']);
    expect(out.total).toBe(2); // a (all) and d (unknown)
  });
});

// ----- explanations in words -----

describe('explanations', () => {
  const podResult: ExplainResult = {
    level: 'pod',
    from: 'prod/checkout-1',
    to: 'prod/postgres-0',
    allowed: TCP(5432),
    pairs: { allowed: 1, total: 1 },
    explanation: {
      allowed: TCP(5432),
      verdict: true,
      egress: { isolated: true, policies: ['prod/api-egress', 'prod/default-deny'], rules: [{ policy: 'prod/api-egress', rule: 0, ports: TCP(5432) }], ports: TCP(5432) },
      ingress: { isolated: true, policies: ['prod/default-deny', 'prod/postgres-ingress'], rules: [{ policy: 'prod/postgres-ingress', rule: 0, ports: TCP(5432) }], ports: TCP(5432) },
    },
    unknown: false,
  };

  it('names the policy and rule per direction at pod level', () => {
    const egress = directionSummary(podResult, 'egress');
    expect(egress.state).toBe('rules');
    expect(egress.rules).toEqual([{ policy: 'prod/api-egress', rule: 'egress[0]', ports: 'TCP 5432' }]);
    expect(egress.policies).toEqual(['prod/api-egress', 'prod/default-deny']);
    expect(directionSummary(podResult, 'ingress').rules).toEqual([{ policy: 'prod/postgres-ingress', rule: 'ingress[0]', ports: 'TCP 5432' }]);
    expect(verdictOf(podResult, 'pod')).toEqual({ allowed: true, text: 'Allowed: TCP 5432' });
  });

  it('says which side denies, and when a side is not isolated or outside the cluster', () => {
    const denied: ExplainResult = {
      ...podResult,
      allowed: [],
      explanation: { ...podResult.explanation!, allowed: [], verdict: false, ingress: { isolated: true, policies: ['prod/default-deny'], rules: [], ports: [] } },
    };
    expect(directionSummary(denied, 'ingress').state).toBe('denied');
    expect(verdictOf(denied, 'pod')).toEqual({ allowed: false, text: 'Denied by ingress of the destination' });
    const unisolated: ExplainResult = { ...podResult, explanation: { ...podResult.explanation!, egress: { isolated: false, policies: [], rules: [], ports: 'all' } } };
    expect(directionSummary(unisolated, 'egress').state).toBe('open');
    const fromOutside: ExplainResult = { ...podResult, from: 'ip:0.0.0.0-255.255.255.255' };
    expect(directionSummary(fromOutside, 'egress').state).toBe('outside');
    expect(directionSummary({ ...podResult, unknown: true }, 'ingress').state).toBe('unknown');
  });

  it('reads merged reasons at grouped levels', () => {
    const grouped: ExplainResult = {
      level: 'namespace',
      from: 'staging',
      to: 'prod',
      allowed: TCP(8080),
      pairs: { allowed: 18, total: 72 },
      reasons: { egress: 'unisolated', ingress: [{ policy: 'prod/frontend-ingress', rule: 0 }] },
      unknown: false,
    };
    expect(directionSummary(grouped, 'egress').state).toBe('open');
    expect(directionSummary(grouped, 'ingress').rules).toEqual([{ policy: 'prod/frontend-ingress', rule: 'ingress[0]' }]);
    expect(verdictOf(grouped, 'namespace').text).toBe('Allowed: TCP 8080 · 18 of 72 pod pairs');
    expect(directionSummary({ ...grouped, reasons: { egress: null, ingress: null } }, 'egress').state).toBe('unknown');
  });

  it('names admin-policy tiers and the default tier when the server sends them', () => {
    const withAdmin = {
      level: 'namespace',
      from: 'monitoring',
      to: 'prod',
      allowed: TCP(9090),
      pairs: { allowed: 2, total: 24 },
      reasons: {
        egress: 'unisolated',
        ingress: [
          { policy: 'allow-monitoring-scrape', rule: 0, tier: 'anp', action: 'Allow' },
          { policy: 'prod/allow-prometheus-scrape', rule: 0, tier: 'np' },
          { policy: '', rule: -1, tier: 'default' },
        ],
      },
      unknown: false,
    } as unknown as ExplainResult;
    expect(directionSummary(withAdmin, 'ingress').rules).toEqual([
      { policy: 'allow-monitoring-scrape', rule: 'ingress[0]', tier: 'AdminNetworkPolicy', action: 'Allow' },
      { policy: 'prod/allow-prometheus-scrape', rule: 'ingress[0]' },
      { policy: '', rule: '', tier: 'default' },
    ]);
    // Pod level: the server's tier-by-tier decision (DecisionStepJSON) is what the panel lists.
    const denyStep: DecisionStepJSON = { tier: 'anp', action: 'Deny', ports: 'all', policy: 'deny-ci-to-prod', rule: 0, ruleName: 'deny-from-ci', priority: 20, text: 'ANP deny-ci-to-prod (priority 20) rule 0 "deny-from-ci": Deny' };
    const deniedByAdmin: ExplainResult = {
      level: 'pod',
      from: 'ci/runner',
      to: 'prod/web',
      allowed: [],
      pairs: { allowed: 0, total: 1 },
      explanation: {
        allowed: [],
        verdict: false,
        egress: { isolated: false, policies: [], rules: [], ports: 'all' },
        ingress: {
          isolated: true,
          policies: ['prod/default-deny'],
          rules: [],
          ports: [],
          admin: { policies: ['deny-ci-to-prod'], baseline: false, rules: [{ policy: 'deny-ci-to-prod', rule: 0, tier: 'anp', action: 'Deny', ports: 'all' }], passed: [] },
          decision: [denyStep],
        },
      },
      unknown: false,
    };
    const ingress = directionSummary(deniedByAdmin, 'ingress');
    expect(ingress.state).toBe('denied');
    expect(ingress.text).toBe('denied by an AdminNetworkPolicy rule');
    expect(ingress.rules).toEqual([{ policy: 'deny-ci-to-prod', rule: 'ingress[0]', ports: 'all ports', tier: 'AdminNetworkPolicy', action: 'Deny', priority: 20 }]);
    expect(ingress.policies).toEqual(['deny-ci-to-prod', 'prod/default-deny']);
    expect(verdictOf(deniedByAdmin, 'pod').text).toBe('Denied by ingress of the destination');

    // Passed down: the NetworkPolicy step, its rules under it, then what it denies; the baseline named when it selects the pod.
    const passed: ExplainResult = {
      ...deniedByAdmin,
      allowed: TCP(8080),
      explanation: {
        ...deniedByAdmin.explanation!,
        allowed: TCP(8080),
        verdict: true,
        ingress: {
          isolated: true,
          policies: ['prod/allow-web'],
          rules: [{ policy: 'prod/allow-web', rule: 0, tier: 'np', ports: TCP(8080) }],
          ports: TCP(8080),
          admin: { policies: [], baseline: true, rules: [], passed: 'all' },
          decision: [
            { tier: 'np', action: 'Allow', ports: TCP(8080), text: 'passed to NetworkPolicy: allowed by its rules' },
            { tier: 'np', action: 'Deny', ports: [{ protocol: 'TCP', port: 1, endPort: 8079 }], text: 'passed to NetworkPolicy: isolated, no rule allows it' },
          ],
        },
      },
    };
    const pass = directionSummary(passed, 'ingress');
    expect(pass.state).toBe('rules');
    expect(pass.policies).toEqual(['default', 'prod/allow-web']);
    expect(pass.rules.map((r) => [r.tier, r.action, r.policy || r.note, r.ports])).toEqual([
      ['NetworkPolicy', 'Allow', 'passed to NetworkPolicy: allowed by its rules', 'TCP 8080'],
      [undefined, undefined, 'prod/allow-web', 'TCP 8080'],
      ['NetworkPolicy', 'Deny', 'passed to NetworkPolicy: isolated, no rule allows it', 'TCP 1-8079'],
    ]);
  });
});
