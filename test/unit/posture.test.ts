// The posture overview's computations on hand-built pod-level view states.
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../shared/engine/analysis.ts';
import { cellOf, type PortsJSON, type ViewNode, type ViewState } from '../../shared/protocol/view.ts';
import { computePosture, countPods, groupFindings, percent, rank, reachIndex, standingOf, summarizeRanges } from '../../client/posture.ts';

const BASE = 1 << 24;
const TCP80: PortsJSON = [{ protocol: 'TCP', port: 80, endPort: 80 }];

function pod(id: string, row: number, col: number, isolation: { ingress: boolean | null; egress: boolean | null } = { ingress: true, egress: true }): ViewNode {
  const [namespace, name] = id.split('/') as [string, string];
  const unknown = isolation.ingress === null || isolation.egress === null;
  return {
    id,
    kind: 'pod',
    namespace,
    name,
    workload: `${namespace}/${name}[Pod]`,
    workloadKind: 'Pod',
    pods: 1,
    isolation,
    unprotected: {
      ingress: isolation.ingress === null ? null : isolation.ingress ? 0 : 1,
      egress: isolation.egress === null ? null : isolation.egress ? 0 : 1,
    },
    ...(unknown ? { unknown: true } : {}),
    row: unknown ? -1 : row,
    col: unknown ? -1 : col,
  };
}

function external(index: number, range: string): ViewNode {
  return {
    id: `ip:${range}`,
    kind: 'external',
    name: range,
    ranges: [range],
    pods: 0,
    isolation: { ingress: false, egress: false },
    unprotected: { ingress: 0, egress: 0 },
    row: BASE + index,
    col: BASE + index,
  };
}

function state(nodes: ViewNode[], keyCells: [number, number, PortsJSON][], extra: Partial<ViewState> = {}): ViewState {
  return {
    viewId: 'test',
    view: { level: 'pod', namespaces: 'all' },
    seq: 1,
    at: '2025-06-02T10:00:00.000Z',
    nodes: new Map(nodes.map((n) => [n.id, n])),
    cells: new Map(),
    keyCells: new Map(keyCells.map(([r, c, p]) => [`${r}\t${c}`, p])),
    findings: [],
    status: { pods: [], namespaces: [], networkpolicies: [], adminnetworkpolicies: [], baselineadminnetworkpolicies: [] },
    unknown: [],
    ...extra,
  };
}

const OPEN = { ingress: false, egress: false };
const IN_OPEN = { ingress: false, egress: true };
const OUT_OPEN = { ingress: true, egress: false };
const UNKNOWN = { ingress: null, egress: null };

describe('unprotected counts', () => {
  it('counts each direction, both, and unknown pods apart (never as protected or unprotected)', () => {
    const c = countPods([
      pod('a/p1', 0, 0),
      pod('a/p2', 0, 0, IN_OPEN),
      pod('a/p3', 1, 1, OUT_OPEN),
      pod('b/p4', 2, 2, OPEN),
      pod('b/p5', 2, 2, OPEN),
      pod('c/p6', 0, 0, UNKNOWN),
      pod('c/p7', 0, 0, { ingress: false, egress: null }),
      external(0, '0.0.0.0-255.255.255.255'),
    ]);
    expect(c).toEqual({
      pods: 7,
      unknown: 2,
      unprotectedIngress: 3,
      unprotectedEgress: 3,
      unprotectedBoth: 2,
      unprotectedAny: 4,
      protectedBoth: 1,
      ingressOnly: 1,
      egressOnly: 1,
    });
    // The categories partition the pods.
    expect(c.protectedBoth + c.ingressOnly + c.egressOnly + c.unprotectedBoth + c.unknown).toBe(c.pods);
  });

  it('a node flagged unknown is unknown even if its isolation fields say otherwise', () => {
    expect(standingOf({ ...pod('a/x', 0, 0, OPEN), unknown: true })).toBe('unknown');
    expect(standingOf(pod('a/x', 0, 0, OPEN))).toBe('both-open');
    expect(standingOf(pod('a/x', 0, 0))).toBe('protected');
  });
});

describe('blast radius and exposure', () => {
  // a/1 and a/2 share keys (0, 0); b/1 has (1, 1); c/1 has (2, 2); u/1 is unknown.
  const nodes = [
    pod('a/1', 0, 0),
    pod('a/2', 0, 0),
    pod('b/1', 1, 1, OPEN),
    pod('c/1', 2, 2),
    pod('u/1', 0, 0, UNKNOWN),
    external(0, '0.0.0.0-9.255.255.255'),
    external(1, '10.0.0.0-255.255.255.255'),
  ];
  const cells: [number, number, PortsJSON][] = [
    [0, 0, 'all'], // a -> a: each a pod reaches the other one, not itself
    [0, 1, TCP80], // a -> b
    [0, 2, []], // an empty port list allows nothing
    [1, 0, 'all'], // b -> a
    [0, BASE + 1, 'all'], // a -> 10.0.0.0-...
    [0, BASE, TCP80], // a -> 0.0.0.0-...
    [BASE + 1, 2, 'all'], // 10.0.0.0-... -> c
    [2, 99, 'all'], // a column no pod of the view holds
  ];
  const s = state(nodes, cells);

  it('counts other pods reached, excluding the pod itself, and the external ranges reached', () => {
    const { out } = reachIndex(s);
    expect(out.get('a/1')).toEqual({ pods: 2, externals: ['ip:0.0.0.0-9.255.255.255', 'ip:10.0.0.0-255.255.255.255'] });
    expect(out.get('a/2')).toEqual({ pods: 2, externals: ['ip:0.0.0.0-9.255.255.255', 'ip:10.0.0.0-255.255.255.255'] });
    expect(out.get('b/1')).toEqual({ pods: 2, externals: [] });
    expect(out.get('c/1')).toEqual({ pods: 0, externals: [] });
    expect(out.has('u/1')).toBe(false);
  });

  it('counts pods and external ranges that can reach a pod', () => {
    const { in: inward } = reachIndex(s);
    expect(inward.get('a/1')).toEqual({ pods: 2, externals: [] }); // a/2 and b/1
    expect(inward.get('b/1')).toEqual({ pods: 2, externals: [] }); // a/1 and a/2
    expect(inward.get('c/1')).toEqual({ pods: 0, externals: ['ip:10.0.0.0-255.255.255.255'] });
  });

  it('subtracts the pod itself only when its own key cell allows something', () => {
    // x (3, 4), y (3, 3), z (5, 3): row key 3 reaches columns 3 and 4; row 5 nothing.
    const t = state([pod('n/x', 3, 4), pod('n/y', 3, 3), pod('n/z', 5, 3)], [
      [3, 4, 'all'],
      [3, 3, TCP80],
    ]);
    const { out, in: inward } = reachIndex(t);
    // x: column 4 (x itself, subtracted) and column 3 (y, z).
    expect(out.get('n/x')!.pods).toBe(2);
    // y: column 4 (x) and column 3 (y itself, subtracted, and z).
    expect(out.get('n/y')!.pods).toBe(2);
    expect(out.get('n/z')!.pods).toBe(0);
    // Into column 3 from row 3: x and y; y does not count itself, z counts both.
    expect(inward.get('n/y')!.pods).toBe(1);
    expect(inward.get('n/z')!.pods).toBe(2);
    expect(inward.get('n/x')!.pods).toBe(1); // y
  });

  it('agrees with a pair-by-pair count through cellOf on random states', () => {
    // mulberry32: small, seedable, good enough to spread the cases.
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
    };
    let selfCells = 0;
    for (let round = 0; round < 50; round++) {
      const keys = 1 + rnd(5);
      const list: ViewNode[] = [];
      const count = 1 + rnd(12);
      for (let i = 0; i < count; i++) list.push(pod(`ns${rnd(3)}/p${i}`, rnd(keys), rnd(keys), rnd(6) === 0 ? UNKNOWN : OPEN));
      list.push(external(0, '0.0.0.0-127.255.255.255'), external(1, '128.0.0.0-255.255.255.255'));
      const kc: [number, number, PortsJSON][] = [];
      for (let r = 0; r < keys; r++) {
        for (let c = 0; c < keys; c++) if (rnd(2)) kc.push([r, c, rnd(4) === 0 ? [] : 'all']);
        if (rnd(2)) kc.push([r, BASE + rnd(2), 'all']);
        if (rnd(2)) kc.push([BASE + rnd(2), r, TCP80]);
      }
      const st = state(list, kc);
      const { out, in: inward } = reachIndex(st);
      const known = list.filter((n) => n.kind === 'pod' && !n.unknown);
      const exts = list.filter((n) => n.kind === 'external');
      const allows = (x: ViewNode, y: ViewNode) => {
        const c = cellOf(st, x, y);
        return c !== undefined && (c === 'all' || (Array.isArray(c) && c.length > 0));
      };
      for (const p of known) {
        if (st.keyCells.get(`${p.row}\t${p.col}`) === 'all') selfCells++;
        expect(out.get(p.id)!.pods).toBe(known.filter((q) => q.id !== p.id && allows(p, q)).length);
        expect(inward.get(p.id)!.pods).toBe(known.filter((q) => q.id !== p.id && allows(q, p)).length);
        const reachable = exts.filter((e) => allows({ ...p, kind: 'pod' }, { ...e, kind: 'pod', id: `x${e.id}` })).map((e) => e.id);
        expect(out.get(p.id)!.externals).toEqual(reachable);
      }
    }
    // The cases include pods whose own key cell is open (the self-exclusion is exercised).
    expect(selfCells).toBeGreaterThan(20);
  });

  it('ranks by pods, then external ranges, then id, and counts the ties left out', () => {
    const { out } = reachIndex(s);
    const r = rank(s, out, 2);
    expect(r.top.map((p) => p.id)).toEqual(['a/1', 'a/2']);
    expect(r.tiesBeyond).toBe(0); // b/1 reaches 2 pods but no external range
    expect(r.ranked).toBe(4);
    const r3 = rank(s, out, 1);
    expect(r3.top.map((p) => p.id)).toEqual(['a/1']);
    expect(r3.tiesBeyond).toBe(1); // a/2 has the same reach
    expect(rank(s, out, 10).top.map((p) => [p.id, p.reach.pods])).toEqual([
      ['a/1', 2],
      ['a/2', 2],
      ['b/1', 2],
      ['c/1', 0],
    ]);
  });
});

describe('the overview', () => {
  const findings: Finding[] = [
    { kind: 'namespace-without-default-deny', severity: 'warning', subject: 'a', direction: 'ingress', message: 'm' },
    { kind: 'namespace-without-default-deny', severity: 'info', subject: 'a', direction: 'egress', message: 'm' },
    { kind: 'namespace-without-default-deny', severity: 'info', subject: 'b', direction: 'egress', message: 'm' },
    { kind: 'named-port-unresolved', severity: 'warning', subject: 'b/web', field: 'spec.ingress[0].ports[1].port', message: 'm' },
    { kind: 'separate-namespace-and-pod-peers', severity: 'info', subject: 'b/scrape', field: 'spec.ingress[0].from', message: 'm' },
    { kind: 'policy-selects-nothing', severity: 'warning', subject: 'a/old', field: 'spec.podSelector', message: 'm' },
    // An admin policy is cluster-wide, even when its name is a namespace's.
    { kind: 'admin-rule-shadowed', severity: 'warning', subject: 'a', field: 'spec.ingress[1]', message: 'm' },
  ];
  const nodes = [
    pod('a/1', 0, 0, OPEN),
    pod('a/2', 0, 0, OPEN),
    pod('a/3', 1, 1, IN_OPEN),
    pod('b/1', 2, 2),
    pod('b/2', 3, 3, OUT_OPEN),
    pod('c/1', 0, 0, UNKNOWN),
    pod('c/2', 0, 0, UNKNOWN),
    external(0, '0.0.0.0-255.255.255.255'),
  ];
  const s = state(nodes, [[0, 0, 'all']], { findings, unknown: ['c'] });
  const p = computePosture(s);

  it('totals', () => {
    expect(p.counts).toMatchObject({ pods: 7, unknown: 2, unprotectedIngress: 3, unprotectedEgress: 3, unprotectedBoth: 2, protectedBoth: 1 });
    expect(p.findingsCount).toBe(7);
  });

  it('per namespace: counts, default deny per direction, unknown namespaces as unknown', () => {
    const byName = Object.fromEntries(p.namespaces.map((n) => [n.name, n]));
    expect(p.namespaces.map((n) => n.name)).toEqual(['a', 'b', 'c']);
    expect(byName['a']).toMatchObject({ pods: 3, unprotectedIngress: 3, unprotectedEgress: 2, unprotectedBoth: 2, unknown: 0, defaultDeny: { ingress: false, egress: false }, findings: 3 });
    expect(byName['b']).toMatchObject({ pods: 2, unprotectedIngress: 0, unprotectedEgress: 1, unprotectedBoth: 0, defaultDeny: { ingress: true, egress: false }, findings: 3 });
    // c has no finding, but its policies are unknown: neither "has" nor "lacks" a default deny.
    expect(byName['c']).toMatchObject({ pods: 2, unknown: 2, unprotectedIngress: 0, unknownPolicies: true, defaultDeny: { ingress: null, egress: null } });
    expect(p.namespacesWithoutDefaultDeny).toEqual(['a', 'b']);
    expect(p.withoutDefaultDeny).toEqual({ ingress: 1, egress: 2 });
    expect(p.namespacesKnown).toBe(2);
  });

  it('blast radius: a/1 and a/2 reach each other only; unknown pods are not ranked', () => {
    expect(p.blastRadius.top.map((r) => [r.id, r.reach.pods])).toEqual([
      ['a/1', 1],
      ['a/2', 1],
      ['a/3', 0],
      ['b/1', 0],
      ['b/2', 0],
    ]);
    expect(p.blastRadius.ranked).toBe(5);
  });

  it('groups findings by severity, warnings first, by kind then object', () => {
    const groups = groupFindings(findings);
    expect(groups.map((g) => g.severity)).toEqual(['warning', 'info']);
    expect(groups[0]!.findings.map((f) => `${f.kind} ${f.subject}`)).toEqual([
      'admin-rule-shadowed a',
      'named-port-unresolved b/web',
      'namespace-without-default-deny a',
      'policy-selects-nothing a/old',
    ]);
    expect(groups[1]!.findings.map((f) => `${f.kind} ${f.subject} ${f.field ?? f.direction}`)).toEqual([
      'namespace-without-default-deny a egress',
      'namespace-without-default-deny b egress',
      'separate-namespace-and-pod-peers b/scrape spec.ingress[0].from',
    ]);
  });

  it('lists namespaces without default deny as one entry per direction, policy findings one by one', () => {
    const [warnings, info] = groupFindings(findings);
    expect(warnings!.items.map((i) => [i.kind, i.subjects, i.field ?? i.direction])).toEqual([
      ['admin-rule-shadowed', ['a'], 'spec.ingress[1]'],
      ['named-port-unresolved', ['b/web'], 'spec.ingress[0].ports[1].port'],
      ['namespace-without-default-deny', ['a'], 'ingress'],
      ['policy-selects-nothing', ['a/old'], 'spec.podSelector'],
    ]);
    expect(info!.items.map((i) => [i.kind, i.subjects, i.field ?? i.direction])).toEqual([
      ['namespace-without-default-deny', ['a', 'b'], 'egress'],
      ['separate-namespace-and-pod-peers', ['b/scrape'], 'spec.ingress[0].from'],
    ]);
  });

  it('all unknown: nothing counted as protected or open, no namespace known', () => {
    const all = computePosture(state([pod('a/1', 0, 0, UNKNOWN), pod('b/1', 0, 0, UNKNOWN)], [], { unknown: 'all', findings: [] }));
    expect(all.counts).toMatchObject({ pods: 2, unknown: 2, unprotectedAny: 0, protectedBoth: 0 });
    expect(all.namespacesKnown).toBe(0);
    expect(all.namespacesWithoutDefaultDeny).toEqual([]);
    expect(all.blastRadius.top).toEqual([]);
  });
});

describe('formatting helpers', () => {
  it('percent never shows 0% or 100% for a partial share', () => {
    expect(percent(0, 10)).toBe('0%');
    expect(percent(10, 10)).toBe('100%');
    expect(percent(1, 1000)).toBe('<1%');
    expect(percent(999, 1000)).toBe('>99%');
    expect(percent(13, 26)).toBe('50%');
    expect(percent(1, 0)).toBe('–');
  });

  it('merges adjacent external ranges, naming the whole address space', () => {
    expect(summarizeRanges(['0.0.0.0-9.255.255.255', '10.0.0.0-10.255.255.255', '11.0.0.0-255.255.255.255']).items).toEqual(['any IPv4 address']);
    expect(summarizeRanges(['11.0.0.0-172.15.255.255', '0.0.0.0-9.255.255.255', '172.32.0.0-192.167.255.255']).items).toEqual([
      '0.0.0.0-9.255.255.255',
      '11.0.0.0-172.15.255.255',
      '172.32.0.0-192.167.255.255',
    ]);
    expect(summarizeRanges(['::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', '0.0.0.0-0.255.255.255']).items).toEqual(['0.0.0.0-0.255.255.255', 'any IPv6 address']);
    expect(summarizeRanges([]).items).toEqual([]);
  });
});
