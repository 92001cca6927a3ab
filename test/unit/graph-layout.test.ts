// The graph view's pure model and layout: grouping by namespace, determinism, stability across
// live changes, edge aggregation at scale, and edges equal to the view's cells at every level.
import { describe, expect, it } from 'vitest';
import { engineState } from '../../server/live/engine-state.ts';
import { LiveEngine } from '../../server/live/live-engine.ts';
import { ViewRoom } from '../../server/socket/view-room.ts';
import { cellKey, cellOf, viewIdOf, type ViewNode, type ViewSpec, type ViewState } from '../../shared/protocol/view.ts';
import {
  AGGREGATE_ABOVE,
  MAX_NODE_EDGES,
  CLUSTER_GROUP,
  EXTERNAL_GROUP,
  countConnections,
  edgeGeometry,
  focusEdges,
  forEachConnection,
  graphModel,
  layoutGraph,
  neighborhood,
  type GraphLayout,
} from '../../client/render/graph-layout.ts';
import { randomCluster } from '../support/random-cluster.ts';
import { shopWorkloads, tcp, unprotected, viewNode, viewState } from '../support/view-states.ts';
import { RESOURCE_KINDS } from '../../shared/model/status.ts';

const positions = (l: GraphLayout) => Object.fromEntries([...l.nodes.values()].map((n) => [n.id, [n.x, n.y, n.group, n.slot]]));
const boxes = (l: GraphLayout) => Object.fromEntries([...l.groups.values()].map((g) => [g.id, [g.x, g.y, g.w, g.h]]));

function inside(l: GraphLayout, id: string): boolean {
  const n = l.nodes.get(id)!;
  const g = l.groups.get(n.group)!;
  return n.x - n.r >= g.x && n.x + n.r <= g.x + g.w && n.y - n.r >= g.y && n.y + n.r <= g.y + g.h;
}

function overlaps(l: GraphLayout): string[] {
  const gs = [...l.groups.values()];
  const bad: string[] = [];
  for (let i = 0; i < gs.length; i++)
    for (let j = i + 1; j < gs.length; j++) {
      const a = gs[i]!;
      const b = gs[j]!;
      if (a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h) bad.push(`${a.id} × ${b.id}`);
    }
  return bad;
}

/** A real view from the engine, over a random cluster (pods, policies, ipBlocks). */
function engineView(seed: number, spec: ViewSpec): ViewState {
  const live = new LiveEngine({ analysis: { ipBlockMatchesPods: true } });
  for (const resource of RESOURCE_KINDS) live.apply({ type: 'status', resource, status: { state: 'synced', syncedOnce: true } });
  const kinds: Record<string, 'pods' | 'namespaces' | 'networkpolicies'> = { Pod: 'pods', Namespace: 'namespaces', NetworkPolicy: 'networkpolicies' };
  for (const o of randomCluster(seed) as { kind: string }[]) if (kinds[o.kind]) live.apply({ type: 'upsert', resource: kinds[o.kind]!, object: o });
  live.flush();
  return new ViewRoom(viewIdOf(spec), spec, engineState(live), () => 'test').model.state;
}

describe('graph model', () => {
  it('groups nodes by namespace, externals apart; at namespace level the namespaces share one group', () => {
    const m = graphModel(shopWorkloads());
    expect(m.groups.map((g) => [g.id, g.nodeIds.length])).toEqual([
      ['ns:prod', 3],
      ['ns:staging', 2],
      [EXTERNAL_GROUP, 2],
    ]);
    for (const n of m.nodes) expect(m.groupOf.get(n.id)).toBe(n.kind === 'external' ? EXTERNAL_GROUP : `ns:${n.namespace}`);

    const ns = viewState('namespace', [viewNode('prod'), viewNode('staging', unprotected()), viewNode('ip:0.0.0.0-9.255.255.255')], [['staging', 'prod', { ports: 'all', allowed: 2, total: 6 }]]);
    const mn = graphModel(ns);
    expect(mn.groups.map((g) => g.id)).toEqual([CLUSTER_GROUP, EXTERNAL_GROUP]);
    expect(mn.edges.map((e) => [e.from, e.to, e.kind, e.pairs, e.total])).toEqual([['staging', 'prod', 'all', 2, 6]]);
  });

  it('has one edge per non-empty grouped cell, with kind, ports and pod pairs', () => {
    const st = shopWorkloads();
    const m = graphModel(st);
    expect(m.aggregated).toBe(false);
    expect(m.connections).toBe(st.cells.size);
    expect(new Set(m.edges.map((e) => e.key))).toEqual(new Set(st.cells.keys()));
    for (const e of m.edges) {
      const cell = st.cells.get(e.key)!;
      expect(e.ports).toEqual(cell.ports);
      expect(e.kind).toBe(cell.ports === 'all' ? 'all' : 'some');
      expect([e.pairs, e.total]).toEqual([cell.allowed, cell.total]);
    }
  });

  it('expands the class-level pod matrix to exactly the pod pairs cellOf gives (externals included)', () => {
    for (const seed of [3, 11, 29]) {
      const st = engineView(seed, { level: 'pod', namespaces: 'all' });
      const nodes = [...st.nodes.values()];
      expect(nodes.length).toBeGreaterThan(3);
      // Brute force over every ordered pair.
      const expected = new Set<string>();
      for (const a of nodes)
        for (const b of nodes) {
          if (a.id === b.id) continue;
          const c = cellOf(st, a, b) ?? (a.row !== undefined && b.col !== undefined && a.row >= 0 && b.col >= 0 ? st.keyCells.get(`${a.row}\t${b.col}`) : undefined);
          const ports = c === undefined ? undefined : typeof c === 'string' || Array.isArray(c) ? c : c.ports;
          if (ports !== undefined && (ports === 'all' || ports.length > 0)) expected.add(cellKey(a.id, b.id));
        }
      const m = graphModel(st);
      expect(new Set(m.edges.map((e) => e.key))).toEqual(expected);
      expect(countConnections(st)).toBe(expected.size);
      expect(m.connections).toBe(expected.size);
    }
  });

  it(`aggregates edges to namespace level above ${AGGREGATE_ABOVE} nodes, with the same pod pairs in total`, () => {
    const make = (perNs: number) => {
      const nodes: ViewNode[] = [];
      const keyCells: [number, number, ReturnType<typeof tcp>][] = [];
      for (const ns of ['a', 'b', 'c']) for (let i = 0; i < perNs; i++) nodes.push(viewNode(`${ns}/p${i}`, { row: ns === 'a' ? 0 : 1, col: ns === 'c' ? 2 : 3 }));
      // Every pod with row 0 (namespace a) may reach every pod with col 2 (namespace c) on 443;
      // row 1 (b, c) reaches col 3 (a, b) on everything.
      keyCells.push([0, 2, tcp(443)]);
      keyCells.push([1, 3, 'all' as never]);
      return viewState('pod', nodes, [], keyCells);
    };
    const small = make(10);
    const ms = graphModel(small);
    expect(ms.aggregated).toBe(false);
    expect(ms.edges.every((e) => !e.aggregated)).toBe(true);

    const big = make(Math.ceil((AGGREGATE_ABOVE + 1) / 3));
    const per = Math.ceil((AGGREGATE_ABOVE + 1) / 3);
    const mb = graphModel(big);
    expect(mb.nodes.length).toBeGreaterThan(AGGREGATE_ABOVE);
    expect(mb.aggregated).toBe(true);
    const agg = Object.fromEntries(mb.edges.map((e) => [e.key, [e.kind, e.pairs]]));
    expect(agg).toEqual({
      [cellKey('ns:a', 'ns:c')]: ['some', per * per],
      [cellKey('ns:b', 'ns:a')]: ['all', per * per],
      [cellKey('ns:b', 'ns:b')]: ['all', per * per - per], // not a pod to itself
      [cellKey('ns:c', 'ns:a')]: ['all', per * per],
      [cellKey('ns:c', 'ns:b')]: ['all', per * per],
    });
    // Aggregated pairs add up to the node-level connections.
    expect(mb.edges.reduce((s, e) => s + e.pairs, 0)).toBe(mb.connections);
    // Forced either way.
    expect(graphModel(small, { aggregate: 'always' }).aggregated).toBe(true);
    // Few nodes but more than MAX_NODE_EDGES connections: aggregated too, unless told never.
    const dense = make(100);
    expect(countConnections(dense)).toBeGreaterThan(MAX_NODE_EDGES);
    expect(graphModel(dense).aggregated).toBe(true);
    const never = graphModel(dense, { aggregate: 'never' });
    expect(never.aggregated).toBe(false);
    expect(never.edges).toHaveLength(countConnections(dense));
    // The focused node's own edges are still exact.
    // a/p0 (row 0, col 3) reaches every pod of c, and is reached by every pod of b and c.
    const f = focusEdges(big, 'a/p0');
    expect(f.every((e) => !e.aggregated)).toBe(true);
    expect(f.filter((e) => e.from === 'a/p0').map((e) => e.to)).toEqual(Array.from({ length: per }, (_, i) => `c/p${i}`).sort());
    expect(f.filter((e) => e.to === 'a/p0').map((e) => e.from).sort()).toEqual([...Array.from({ length: per }, (_, i) => `b/p${i}`), ...Array.from({ length: per }, (_, i) => `c/p${i}`)].sort());
    expect(f).toHaveLength(3 * per);
    expect(neighborhood(f, 'a/p0').size).toBe(2 * per + 1);
  });
});

describe('graph layout', () => {
  it('puts every node inside its namespace box, boxes apart, externals as diamonds in their own box', () => {
    for (const st of [shopWorkloads(), engineView(5, { level: 'workload', namespaces: 'all' }), engineView(8, { level: 'pod', namespaces: 'all' }), engineView(13, { level: 'namespace', namespaces: 'all' })]) {
      const l = layoutGraph(graphModel(st));
      expect(l.nodes.size).toBe(st.nodes.size);
      for (const n of l.nodes.values()) {
        expect(inside(l, n.id), n.id).toBe(true);
        expect(n.shape).toBe(n.node.kind === 'external' ? 'diamond' : 'circle');
        if (n.node.kind === 'external') expect(n.group).toBe(EXTERNAL_GROUP);
        else if (st.view.level !== 'namespace') expect(n.group).toBe(`ns:${n.node.namespace}`);
      }
      expect(overlaps(l)).toEqual([]);
      // No two nodes on the same spot.
      expect(new Set([...l.nodes.values()].map((n) => `${n.x},${n.y}`)).size).toBe(l.nodes.size);
      expect(l.width).toBeGreaterThan(0);
      expect(l.height).toBeGreaterThan(0);
    }
  });

  it('marks unprotected and unknown nodes', () => {
    const st = shopWorkloads();
    st.nodes.set('dev/api[Deployment]', viewNode('dev/api[Deployment]', { isolation: { ingress: null, egress: null }, unprotected: { ingress: null, egress: null }, unknown: true }));
    const l = layoutGraph(graphModel(st));
    expect(l.nodes.get('staging/frontend[Deployment]')!.status).toBe('unprotected');
    expect(l.nodes.get('prod/frontend[Deployment]')!.status).toBe('protected');
    expect(l.nodes.get('dev/api[Deployment]')!.status).toBe('unknown');
    expect(l.nodes.get('ip:0.0.0.0-9.255.255.255')!.status).toBe('external');
    expect(l.groups.get('ns:staging')!.unprotected).toBe(2);
    expect(l.groups.get('ns:prod')!.unprotected).toBe(0);
  });

  it('is deterministic: the same view gives the same layout, whatever the order nodes arrived in', () => {
    const a = shopWorkloads();
    const b = shopWorkloads();
    b.nodes = new Map([...b.nodes].reverse());
    b.cells = new Map([...b.cells].reverse());
    const la = layoutGraph(graphModel(a));
    const lb = layoutGraph(graphModel(b));
    expect(positions(lb)).toEqual(positions(la));
    expect(boxes(lb)).toEqual(boxes(la));
    const ea = graphModel(a).edges.map((e) => edgeGeometry(la, e)!.d);
    const eb = graphModel(b).edges.map((e) => edgeGeometry(lb, e)!.d);
    expect(eb).toEqual(ea);
    // And over a real view.
    const r1 = layoutGraph(graphModel(engineView(21, { level: 'pod', namespaces: 'all' })));
    const r2 = layoutGraph(graphModel(engineView(21, { level: 'pod', namespaces: 'all' })));
    expect(positions(r2)).toEqual(positions(r1));
  });

  it('keeps existing nodes where they were when a live change removes a node and another takes its slot', () => {
    const first = layoutGraph(graphModel(shopWorkloads()));
    const drop = (st: ViewState, id: string) => {
      st.nodes.delete(id);
      for (const k of [...st.cells.keys()]) if (k.split('\t').includes(id)) st.cells.delete(k);
    };
    const next = shopWorkloads();
    drop(next, 'staging/frontend[Deployment]');
    const second = layoutGraph(graphModel(next), first);
    for (const n of second.nodes.values()) expect([n.x, n.y], n.id).toEqual([first.nodes.get(n.id)!.x, first.nodes.get(n.id)!.y]);
    // A layout from scratch would have moved staging/postgres into the first slot.
    expect(layoutGraph(graphModel(next)).nodes.get('staging/postgres[StatefulSet]')!.x).not.toBe(first.nodes.get('staging/postgres[StatefulSet]')!.x);
    // A new workload takes the free slot: still nothing moves.
    next.nodes.set('staging/api[Deployment]', viewNode('staging/api[Deployment]', unprotected()));
    const third = layoutGraph(graphModel(next), second);
    for (const n of second.nodes.values()) expect([third.nodes.get(n.id)!.x, third.nodes.get(n.id)!.y], n.id).toEqual([n.x, n.y]);
    expect([third.nodes.get('staging/api[Deployment]')!.x, third.nodes.get('staging/api[Deployment]')!.y]).toEqual([first.nodes.get('staging/frontend[Deployment]')!.x, first.nodes.get('staging/frontend[Deployment]')!.y]);
    // A different view does not reuse anything.
    const other = viewState('workload', [...next.nodes.values()], [], [], { namespaces: ['prod', 'staging'] });
    expect(layoutGraph(graphModel(other), first).viewId).toBe(other.viewId);
  });

  it('when a box must grow, only the boxes below it move, straight down, and nothing overlaps', () => {
    const first = layoutGraph(graphModel(shopWorkloads()));
    const next = shopWorkloads();
    next.nodes.set('prod/redis[StatefulSet]', viewNode('prod/redis[StatefulSet]', { workloadKind: 'StatefulSet' }));
    const second = layoutGraph(graphModel(next), first);
    const prodBefore = first.groups.get('ns:prod')!;
    const prodAfter = second.groups.get('ns:prod')!;
    expect([prodAfter.x, prodAfter.y, prodAfter.w]).toEqual([prodBefore.x, prodBefore.y, prodBefore.w]);
    const grew = prodAfter.h - prodBefore.h;
    expect(grew).toBeGreaterThan(0);
    for (const [id, n] of first.nodes) {
      const after = second.nodes.get(id)!;
      const box = first.groups.get(n.group)!;
      const below = box.y >= prodBefore.y + prodBefore.h;
      expect(after.x, id).toBe(n.x);
      if (below) expect(after.y - n.y, id).toBeGreaterThanOrEqual(grew - 0.1);
      else expect(after.y, id).toBe(n.y);
    }
    expect(inside(second, 'prod/redis[StatefulSet]')).toBe(true);
    expect(overlaps(second)).toEqual([]);
  });

  it('keeps boxes apart when a namespace grows past its box, and places new namespaces', () => {
    const st = shopWorkloads();
    const first = layoutGraph(graphModel(st));
    const next = shopWorkloads();
    for (let i = 0; i < 12; i++) next.nodes.set(`staging/job-${i}[Pod]`, viewNode(`staging/job-${i}[Pod]`, unprotected({ workloadKind: 'Pod' })));
    next.nodes.set('dev/api[Deployment]', viewNode('dev/api[Deployment]'));
    const second = layoutGraph(graphModel(next), first);
    expect(overlaps(second)).toEqual([]);
    for (const n of second.nodes.values()) expect(inside(second, n.id), n.id).toBe(true);
    expect(second.groups.has('ns:dev')).toBe(true);
  });

  it('draws edges between boxes through shared border points (bundles), and ends them at the node border', () => {
    const st = shopWorkloads();
    const m = graphModel(st);
    const l = layoutGraph(m);
    const geo = (from: string, to: string) => edgeGeometry(l, m.edges.find((e) => e.from === from && e.to === to)!)!;
    const g1 = geo('staging/frontend[Deployment]', 'prod/frontend[Deployment]');
    expect(g1.d).toMatch(/^M[\d.,-]+ C[\d., -]+ L[\d.,-]+ C/); // fan-out, trunk, fan-in
    const target = l.nodes.get('prod/frontend[Deployment]')!;
    const { x, y } = g1.arrow!;
    // The arrow's base is one arrow length plus the radius away from the target's center.
    expect(Math.hypot(x - target.x, y - target.y)).toBeCloseTo(target.r + 1.5 + 8, 0);
    // Two edges from staging to prod share their trunk (the L segment's start and end).
    st.cells.set(cellKey('staging/postgres[StatefulSet]', 'prod/postgres[StatefulSet]'), { ports: tcp(5432), allowed: 1, total: 1 });
    const m2 = graphModel(st);
    const l2 = layoutGraph(m2);
    const trunk = (from: string, to: string) => /C[^L]* ([\d.-]+,[\d.-]+) L([\d.-]+,[\d.-]+)/.exec(edgeGeometry(l2, m2.edges.find((e) => e.from === from && e.to === to)!)!.d)!.slice(1);
    expect(trunk('staging/postgres[StatefulSet]', 'prod/postgres[StatefulSet]')).toEqual(trunk('staging/frontend[Deployment]', 'prod/frontend[Deployment]'));
    // Self-loops have no arrowhead; inside a box an arc.
    const self = viewState('namespace', [viewNode('prod')], [['prod', 'prod', { ports: tcp(80), allowed: 4, total: 12 }]]);
    const ms = graphModel(self);
    expect(edgeGeometry(layoutGraph(ms), ms.edges[0]!)!.arrow).toBeNull();
  });
});

describe('connections', () => {
  it('forEachConnection can stop early', () => {
    let n = 0;
    forEachConnection(shopWorkloads(), () => ++n < 3);
    expect(n).toBe(3);
  });
});
