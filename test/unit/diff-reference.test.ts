// diffAnalyses against a slow, obviously correct diff: every pod pair's allowed ports on both sides
// from the reference evaluator (shared/reference/evaluate.ts, reading the raw objects), compared
// pair by pair and summed into cells by the definition in shared/diff/types.ts. Hundreds of random
// cluster pairs: B is a mutation of A (pods added, deleted, relabelled, given other ports;
// namespaces relabelled; policies of every tier added, deleted, rewritten), at every level.
import { describe, expect, it } from 'vitest';
import { compareRuleRefs, type DirectionReason, type RuleRef } from '../../shared/engine/analysis.ts';
import { analyze } from '../../shared/engine/engine.ts';
import { diffAnalyses } from '../../shared/diff/diff.ts';
import type { ConnectionChange, NodeChange, Ports } from '../../shared/diff/types.ts';
import { buildCluster } from '../../shared/kube/load.ts';
import type { Group } from '../../shared/matrix/matrix.ts';
import { formatIp, formatRange, type Family } from '../../shared/model/ip.ts';
import { PortSet } from '../../shared/model/port-set.ts';
import { compareText } from '../../shared/model/order.ts';
import type { AnalysisOptions } from '../../shared/model/types.ts';
import { createReference, type RefEndpoint, type RefReason, type Reference } from '../../shared/reference/evaluate.ts';
import { Random, randomCluster } from '../support/random-cluster.ts';

type Json = Record<string, unknown>;

const clone = <T,>(v: T): T => structuredClone(v);
const meta = (o: Json) => (o['metadata'] ?? (o['metadata'] = {})) as Json;
const kindOf = (o: unknown) => (o as Json)['kind'] as string;

/** Pods named alike in a namespace (web0, web1) become one StatefulSet, so workloads hold several pods. */
function withOwners(objects: unknown[]): unknown[] {
  return objects.map((o) => {
    if (kindOf(o) !== 'Pod') return o;
    const pod = clone(o) as Json;
    const base = String(meta(pod)['name']).replace(/\d+$/, '');
    meta(pod)['ownerReferences'] = [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: base, controller: true, uid: 'u' }];
    return pod;
  });
}

/** B: A with one to three random changes; the log names the policies added, deleted or rewritten. */
function mutate(objects: unknown[], seed: number, admin: boolean): { objects: unknown[]; log: { added: string[]; deleted: string[]; rewritten: string[] } } {
  const r = new Random(seed * 7919 + 13);
  const donor = withOwners(randomCluster(seed + 500_000, { admin }));
  const out = objects.map(clone) as Json[];
  const log = { added: [] as string[], deleted: [] as string[], rewritten: [] as string[] };
  const ofKind = (list: Json[], kind: string) => list.filter((o) => o['kind'] === kind);
  const donorOf = (kind: string) => {
    const list = ofKind(donor as Json[], kind);
    return list.length > 0 ? clone(r.pick(list)) : undefined;
  };
  const policyId = (o: Json) => (o['kind'] === 'NetworkPolicy' ? `np:${String(meta(o)['namespace'] ?? 'default')}/${String(meta(o)['name'])}` : `${o['kind'] === 'AdminNetworkPolicy' ? 'anp' : 'banp'}:${String(meta(o)['name'])}`);
  const remove = (o: Json) => out.splice(out.indexOf(o), 1);
  const operations = ['pod-labels', 'pod-delete', 'pod-add', 'pod-ports', 'namespace-labels', 'policy-rewrite', 'policy-delete', 'policy-add'];
  const changes = r.int(1, 3);
  for (let i = 0; i < changes; i++) {
    const op = r.pick(operations);
    const kind = op.startsWith('policy') ? (admin ? r.pick(['NetworkPolicy', 'NetworkPolicy', 'AdminNetworkPolicy', 'BaselineAdminNetworkPolicy']) : 'NetworkPolicy') : '';
    const pods = ofKind(out, 'Pod');
    if (op === 'pod-labels' && pods.length > 0) {
      const pod = r.pick(pods);
      meta(pod)['labels'] = meta(donorOf('Pod') ?? {})['labels'] ?? {};
    } else if (op === 'pod-delete' && pods.length > 0) {
      remove(r.pick(pods));
    } else if (op === 'pod-add') {
      const pod = donorOf('Pod');
      if (!pod || pods.length === 0) continue;
      const twin = r.pick(pods);
      // A new replica of an existing workload, with the donor's labels, ports and status.
      meta(pod)['name'] = `${String(meta(twin)['name']).replace(/\d+$/, '')}${90 + i}`;
      meta(pod)['namespace'] = meta(twin)['namespace'];
      meta(pod)['ownerReferences'] = meta(twin)['ownerReferences'];
      const used = new Set(pods.flatMap((p) => JSON.stringify((p['status'] as Json | undefined)?.['podIPs'] ?? (p['status'] as Json | undefined)?.['podIP'] ?? null)));
      // Two pods with one IP, or a deleting pod without container statuses, are states the generator never makes.
      if (used.has(JSON.stringify((pod['status'] as Json | undefined)?.['podIPs'] ?? (pod['status'] as Json | undefined)?.['podIP'] ?? null))) {
        pod['status'] = { phase: 'Pending' };
        delete meta(pod)['deletionTimestamp'];
      }
      out.push(pod);
    } else if (op === 'pod-ports' && pods.length > 0) {
      const pod = r.pick(pods);
      const from = donorOf('Pod');
      if (from) pod['spec'] = { ...(pod['spec'] as Json), containers: (from['spec'] as Json)['containers'] };
    } else if (op === 'namespace-labels') {
      const namespaces = ofKind(out, 'Namespace');
      if (namespaces.length === 0) continue;
      const ns = r.pick(namespaces);
      meta(ns)['labels'] = { ...(r.chance(0.5) ? { team: r.pick(['red', 'blue']) } : {}), ...(r.chance(0.5) ? { env: r.pick(['prod', 'dev']) } : {}) };
    } else if (op === 'policy-rewrite') {
      const targets = ofKind(out, kind);
      const from = donorOf(kind);
      if (targets.length === 0 || !from) continue;
      const target = r.pick(targets);
      target['spec'] = from['spec'];
      log.rewritten.push(policyId(target));
    } else if (op === 'policy-delete') {
      const targets = ofKind(out, kind);
      if (targets.length === 0) continue;
      const target = r.pick(targets);
      remove(target);
      log.deleted.push(policyId(target));
    } else if (op === 'policy-add') {
      const policy = donorOf(kind);
      if (!policy) continue;
      if (kind !== 'BaselineAdminNetworkPolicy') meta(policy)['name'] = `added${i}`;
      else for (const old of ofKind(out, kind)) remove(old);
      if (!out.some((o) => policyId(o) === policyId(policy))) log.added.push(policyId(policy));
      out.push(policy);
    }
  }
  return { objects: out, log };
}

// ---- The slow diff ------------------------------------------------------------------------------

interface SideFacts {
  reference: Reference;
  pods: string[];
  nodeOf: Map<string, string>;
  /** Families of the address space each side models (its external ranges). */
  externals: { role: 'asSource' | 'asDestination'; family: Family; first: bigint; last: bigint }[];
}

function sideFacts(objects: unknown[], options: AnalysisOptions, group: Group) {
  const { cluster, diagnostics } = buildCluster(objects.map((object) => ({ object })));
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new Error(`the loader rejected generated objects: ${JSON.stringify(errors)}`);
  const analysis = analyze(cluster, options);
  const reference = createReference(objects, options);
  const pods = reference.participatingPods();
  const workloadOf = new Map(cluster.pods.map((p) => [p.id, p.workload]));
  const nodeOf = new Map(pods.map((id) => [id, group === 'pod' ? id : group === 'workload' ? workloadOf.get(id)! : id.split('/')[0]!]));
  const externals = analysis.externals.flatMap((e) =>
    (['asSource', 'asDestination'] as const).filter((role) => e[role]).map((role) => ({ role, family: e.range.family, first: e.range.first, last: e.range.last })),
  );
  const facts: SideFacts = { reference, pods, nodeOf, externals };
  return { analysis, facts };
}

const json = (s: PortSet): Ports => (s.isEmpty() ? [] : s.toJSON());

function mergeReasons(reasons: RefReason[]): DirectionReason {
  if (reasons.every((r) => r === 'unisolated')) return 'unisolated';
  const seen = new Map<string, RuleRef>();
  for (const list of reasons) if (list !== 'unisolated') for (const ref of list) seen.set(`${ref.tier ?? ''}:${ref.policy}#${ref.rule}`, ref);
  return [...seen.values()].sort(compareRuleRefs);
}

interface Pair {
  was: PortSet | null;
  now: PortSet | null;
  wasResult?: ReturnType<Reference['connection']>;
  nowResult?: ReturnType<Reference['connection']>;
}

/** The expected changed cells, by the definition: pairwise differences of stable pairs, plus the cell as a whole. */
function expectedConnections(before: SideFacts, after: SideFacts, group: Group, families: Family[]): ConnectionChange[] {
  type Member = { pod: string; side: 'before' | 'after' | 'both' };
  const cells = new Map<string, { from: string; to: string; pairs: Pair[] }>();
  const cell = (from: string, to: string) => {
    const key = `${from}\u0000${to}`;
    let c = cells.get(key);
    if (!c) cells.set(key, (c = { from, to, pairs: [] }));
    return c;
  };
  const ask = (facts: SideFacts, from: RefEndpoint, to: RefEndpoint) => facts.reference.connection(from, to);
  const podIds = [...new Set([...before.pods, ...after.pods])].sort(compareText);
  // A pod in different nodes on the two sides is two members: one per side.
  const membersOf = new Map<string, Member[]>();
  for (const id of podIds) {
    const b = before.nodeOf.get(id);
    const a = after.nodeOf.get(id);
    const push = (node: string, side: Member['side']) => (membersOf.get(node) ?? membersOf.set(node, []).get(node)!).push({ pod: id, side });
    if (b !== undefined && b === a) push(b, 'both');
    else {
      if (b !== undefined) push(b, 'before');
      if (a !== undefined) push(a, 'after');
    }
  }
  const inBefore = (m: Member) => m.side !== 'after';
  const inAfter = (m: Member) => m.side !== 'before';
  const pod = (id: string): RefEndpoint => ({ kind: 'pod', id });
  for (const [fromNode, fromMembers] of membersOf) {
    for (const [toNode, toMembers] of membersOf) {
      for (const p of fromMembers) {
        for (const q of toMembers) {
          if (p.pod === q.pod) continue;
          const wasResult = inBefore(p) && inBefore(q) ? ask(before, pod(p.pod), pod(q.pod)) : undefined;
          const nowResult = inAfter(p) && inAfter(q) ? ask(after, pod(p.pod), pod(q.pod)) : undefined;
          cell(fromNode, toNode).pairs.push({ was: wasResult?.ports ?? null, now: nowResult?.ports ?? null, wasResult, nowResult });
        }
      }
    }
  }
  // External ranges: the common refinement (every start of either side's ranges), probed at its first address.
  for (const role of ['asSource', 'asDestination'] as const) {
    for (const family of families) {
      const starts = [...new Set([...before.externals, ...after.externals].filter((e) => e.role === role && e.family === family).map((e) => e.first))].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
      const end = [...before.externals].filter((e) => e.role === role && e.family === family).reduce((m, e) => (e.last > m ? e.last : m), 0n);
      starts.forEach((first, i) => {
        const last = i + 1 < starts.length ? starts[i + 1]! - 1n : end;
        const id = `ip:${formatRange({ family, first, last })}`;
        const ip: RefEndpoint = { kind: 'ip', ip: formatIp(family, first) };
        for (const [node, members] of membersOf) {
          for (const m of members) {
            const [from, to] = role === 'asSource' ? [ip, pod(m.pod)] : [pod(m.pod), ip];
            const wasResult = inBefore(m) ? ask(before, from, to) : undefined;
            const nowResult = inAfter(m) ? ask(after, from, to) : undefined;
            const c = role === 'asSource' ? cell(id, node) : cell(node, id);
            c.pairs.push({ was: wasResult?.ports ?? null, now: nowResult?.ports ?? null, wasResult, nowResult });
          }
        }
      });
    }
  }

  const out: (ConnectionChange & { external: boolean })[] = [];
  for (const { from, to, pairs } of cells.values()) {
    let gained = PortSet.EMPTY;
    let lost = PortSet.EMPTY;
    let changedPairs = 0;
    const sideOf = (pick: 'was' | 'now') => {
      const list = pairs.filter((p) => p[pick] !== null);
      const allowed = list.filter((p) => !p[pick]!.isEmpty());
      const ports = allowed.reduce((s, p) => s.union(p[pick]!), PortSet.EMPTY);
      const results = allowed.map((p) => (pick === 'was' ? p.wasResult! : p.nowResult!));
      return { count: list.length, allowed: allowed.length, ports, results };
    };
    for (const p of pairs) {
      if (p.was !== null && p.now !== null && !p.was.equals(p.now)) {
        gained = gained.union(p.now.subtract(p.was));
        lost = lost.union(p.was.subtract(p.now));
        changedPairs++;
      }
    }
    const was = sideOf('was');
    const now = sideOf('now');
    const wasAll = was.ports;
    const nowAll = now.ports;
    gained = gained.union(nowAll.subtract(wasAll));
    lost = lost.union(wasAll.subtract(nowAll));
    if (gained.isEmpty() && lost.isEmpty()) continue;
    const nodeExists = (facts: SideFacts, id: string) => id.startsWith('ip:') || [...facts.nodeOf.values()].includes(id);
    const describe = (facts: SideFacts, s: ReturnType<typeof sideOf>) => {
      if (!nodeExists(facts, from) || !nodeExists(facts, to)) return null;
      const side: NonNullable<ConnectionChange['before']> = { allowed: json(s.ports) };
      if (group !== 'pod') side.pairs = { allowed: s.allowed, total: s.count };
      if (!s.ports.isEmpty()) {
        side.reasons = { ingress: mergeReasons(s.results.map((r) => r.reasons.ingress)), egress: mergeReasons(s.results.map((r) => r.reasons.egress)) };
      }
      return side;
    };
    const change: ConnectionChange = {
      from,
      to,
      change: wasAll.isEmpty() ? 'gained' : nowAll.isEmpty() ? 'lost' : 'changed',
      gained: json(gained),
      lost: json(lost),
      before: describe(before, was),
      after: describe(after, now),
    };
    if (group !== 'pod') change.pairsChanged = changedPairs;
    out.push({ ...change, external: from.startsWith('ip:') || to.startsWith('ip:') });
  }
  out.sort((x, y) => Number(x.external) - Number(y.external) || compareText(x.from, y.from) || compareText(x.to, y.to));
  return out.map(({ external: _, ...c }) => c);
}

function expectedNodes(before: SideFacts, after: SideFacts, group: Group): NodeChange[] {
  const stateOf = (facts: SideFacts, node: string) => {
    const pods = facts.pods.filter((id) => facts.nodeOf.get(id) === node);
    if (pods.length === 0) return null;
    const unprotected = { ingress: 0, egress: 0 };
    for (const id of pods) {
      const iso = facts.reference.isolation(id);
      if (!iso.ingress) unprotected.ingress++;
      if (!iso.egress) unprotected.egress++;
    }
    return { pods: pods.length, isolation: { ingress: unprotected.ingress === 0, egress: unprotected.egress === 0 }, unprotected };
  };
  const nodes = [...new Set([...before.nodeOf.values(), ...after.nodeOf.values()])].sort(compareText);
  const out: NodeChange[] = [];
  for (const node of nodes) {
    const was = stateOf(before, node);
    const now = stateOf(after, node);
    const becameUnprotected = { ingress: 0, egress: 0 };
    const becameProtected = { ingress: 0, egress: 0 };
    const joined = { ingress: 0, egress: 0 };
    const left = { ingress: 0, egress: 0 };
    const stays = (id: string) => before.nodeOf.get(id) === node && after.nodeOf.get(id) === node;
    for (const id of after.pods.filter((p) => after.nodeOf.get(p) === node)) {
      const isoAfter = after.reference.isolation(id);
      const isoBefore = stays(id) ? before.reference.isolation(id) : null;
      for (const d of ['ingress', 'egress'] as const) {
        if (!isoBefore && !isoAfter[d]) joined[d]++;
        if (isoBefore && isoBefore[d] && !isoAfter[d]) becameUnprotected[d]++;
        if (isoBefore && !isoBefore[d] && isoAfter[d]) becameProtected[d]++;
      }
    }
    for (const id of before.pods.filter((p) => before.nodeOf.get(p) === node && !stays(p))) {
      const iso = before.reference.isolation(id);
      for (const d of ['ingress', 'egress'] as const) if (!iso[d]) left[d]++;
    }
    for (const d of ['ingress', 'egress'] as const) becameUnprotected[d] += Math.max(0, joined[d] - left[d]);
    const moved = becameUnprotected.ingress + becameUnprotected.egress + becameProtected.ingress + becameProtected.egress > 0;
    if (was && now && !moved && JSON.stringify(was) === JSON.stringify(now)) continue;
    out.push({ id: node, kind: group, change: !was ? 'appeared' : !now ? 'disappeared' : 'changed', before: was, after: now, becameUnprotected, becameProtected });
  }
  return out;
}

/** What the checked pairs exercised, so the test cannot pass on empty diffs alone. */
interface Coverage {
  pairs: number;
  connections: number;
  externalCells: number;
  wholeCells: number;
  nodes: number;
  becameUnprotected: number;
  ipv6Note: number;
}

function checkPair(seed: number, admin: boolean, group: Group, coverage?: Coverage): void {
  const r = new Random(seed);
  const options: AnalysisOptions = { ipBlockMatchesPods: r.chance(0.5) };
  const a = withOwners(randomCluster(seed, { admin }));
  const { objects: b, log } = mutate(a, seed, admin);
  const before = sideFacts(a, options, group);
  const after = sideFacts(b, options, group);
  const diff = diffAnalyses(before.analysis, after.analysis, { group });

  const familiesOf = (f: SideFacts) => new Set(f.externals.map((e) => e.family));
  const fb = familiesOf(before.facts);
  const fa = familiesOf(after.facts);
  const families = ([4, 6] as Family[]).filter((f) => fb.has(f) && fa.has(f));
  const context = `seed ${seed}, admin ${admin}, group ${group}, ipBlockMatchesPods ${options.ipBlockMatchesPods}, mutations ${JSON.stringify(log)}`;
  expect(diff.connections, context).toEqual(expectedConnections(before.facts, after.facts, group, families));
  expect(diff.nodes, context).toEqual(expectedNodes(before.facts, after.facts, group));
  expect(diff.notes.some((n) => n.startsWith('IPv6')), context).toBe(fb.has(6) !== fa.has(6));
  if (coverage) {
    coverage.pairs++;
    if (diff.connections.length > 0) coverage.connections++;
    if (diff.connections.some((c) => c.from.startsWith('ip:') || c.to.startsWith('ip:'))) coverage.externalCells++;
    if (diff.connections.some((c) => c.before === null || c.after === null)) coverage.wholeCells++;
    if (diff.nodes.length > 0) coverage.nodes++;
    if (diff.summary.podsBecameUnprotected.ingress + diff.summary.podsBecameUnprotected.egress > 0) coverage.becameUnprotected++;
    if (fb.has(6) !== fa.has(6)) coverage.ipv6Note++;
  }

  // Policies: by identity in the raw objects; a rewritten spec may happen to mean the same.
  const rawPolicies = (objects: unknown[]) =>
    new Map(
      (objects as Json[])
        .filter((o) => ['NetworkPolicy', 'AdminNetworkPolicy', 'BaselineAdminNetworkPolicy'].includes(o['kind'] as string))
        .map((o) => [rawPolicyId(o), JSON.stringify(o['spec'])]),
    );
  const was = rawPolicies(a);
  const now = rawPolicies(b);
  const ids = (change: string) => diff.policies.filter((p) => p.change === change).map((p) => `${p.tier}:${p.id}`).sort();
  expect(ids('added'), context).toEqual([...now.keys()].filter((id) => !was.has(id)).sort());
  expect(ids('deleted'), context).toEqual([...was.keys()].filter((id) => !now.has(id)).sort());
  for (const id of ids('changed')) expect(was.has(id) && now.has(id) && was.get(id) !== now.get(id), `${context}: ${id} reported changed`).toBe(true);
}

function rawPolicyId(o: Json): string {
  const m = meta(o);
  if (o['kind'] === 'NetworkPolicy') return `np:${String(m['namespace'] ?? 'default')}/${String(m['name'])}`;
  return `${o['kind'] === 'AdminNetworkPolicy' ? 'anp' : 'banp'}:${String(m['name'])}`;
}

describe('diffAnalyses = the pairwise reference diff on random cluster pairs', () => {
  const SEEDS = 300;
  for (const admin of [false, true]) {
    for (const group of ['pod', 'workload', 'namespace'] as const) {
      it(`${SEEDS} pairs${admin ? ' with admin policies' : ''}, ${group} level`, () => {
        const coverage: Coverage = { pairs: 0, connections: 0, externalCells: 0, wholeCells: 0, nodes: 0, becameUnprotected: 0, ipv6Note: 0 };
        for (let seed = 1; seed <= SEEDS; seed++) checkPair(seed, admin, group, coverage);
        // Most pairs must differ somewhere, in every part of the diff.
        expect(coverage.connections).toBeGreaterThan(SEEDS * 0.25);
        expect(coverage.externalCells).toBeGreaterThan(SEEDS * 0.1);
        expect(coverage.wholeCells).toBeGreaterThan(SEEDS * 0.02);
        expect(coverage.nodes).toBeGreaterThan(SEEDS * 0.2);
        expect(coverage.becameUnprotected).toBeGreaterThan(SEEDS * 0.05);
      });
    }
  }
});
