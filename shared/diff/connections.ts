// The connections that changed, found at class level and expanded only where something changed.
//
// A pod present (in the same node) on both sides has a joint source key (its source key before,
// its source key after) and a joint destination key; pods with equal joint keys get equal answers
// on both sides. So the pod pairs that changed are found by comparing joint key pairs, and the
// engine's signatures (content descriptions of a class's rows and columns) skip the joint keys
// whose both sides are described identically. Only the changed key pairs are then spread over the
// cells holding their pods. Cells of nodes that gained or lost pods are compared as wholes: against
// every node, or, when the node's pods are described alike on both sides (a rollout), only against
// the nodes that are not.
import { newSignatureTable, type EngineAnalysis } from '../engine/engine.ts';
import { PortTable } from '../engine/port-table.ts';
import { compareText } from '../model/order.ts';
import { policyText } from '../model/policy-text.ts';
import { commonRanges, familiesOf, type CommonRange } from './ranges.ts';
import type { CellState, DiffSide, NodeMembers } from './side.ts';
import type { ConnectionChange, Ports } from './types.ts';

/** Joint keys are < 2^26 (there are fewer than pods); `js * SPACE + jd` stays an exact integer. */
const SPACE = 0x4000000;

interface Joint {
  /** Key on each side (-1: such pods are not on that side). */
  before: number[];
  after: number[];
  /** A pod with this joint key, on each side (pod indexes; -1 when not on that side). */
  podBefore: number[];
  podAfter: number[];
  /** Both sides described identically by the engine's signatures. */
  same: boolean[];
  /** Nodes holding pods of this joint key, with how many. */
  nodes: [node: number, count: number][][];
  ids: Map<number, number>;
}

function newJoint(): Joint {
  return { before: [], after: [], podBefore: [], podAfter: [], same: [], nodes: [], ids: new Map() };
}

/** `keyBefore` or `keyAfter` -1 (and its pod -1): the pod is on the other side only, where it allows nothing. */
function intern(j: Joint, keyBefore: number, keyAfter: number, width: number, podBefore: number, podAfter: number): number {
  const k = (keyBefore + 1) * (width + 1) + keyAfter + 1;
  let id = j.ids.get(k);
  if (id === undefined) {
    id = j.before.length;
    j.ids.set(k, id);
    j.before.push(keyBefore);
    j.after.push(keyAfter);
    j.podBefore.push(podBefore);
    j.podAfter.push(podAfter);
    j.same.push(false);
    j.nodes.push([]);
  }
  return id;
}

interface Accumulated {
  gained: number;
  lost: number;
  pairsChanged: number;
}

/**
 * A policy's version for signatures: equal on both sides when its content is written the same.
 * (Equal content written in another order gets another version: that only costs comparisons.)
 */
function policyTagger(): (a: EngineAnalysis) => (id: string) => string {
  const versions = new Map<string, number>();
  return (a) => {
    const content = new Map<string, string>();
    for (const p of a.cluster.policies) content.set(p.id, policyText(p));
    for (const p of a.cluster.adminPolicies) content.set(`AdminNetworkPolicy/${p.name}`, policyText(p));
    const b = a.cluster.baselineAdminPolicy;
    if (b) content.set(`BaselineAdminNetworkPolicy/${b.name}`, policyText(b));
    // A policy is named by every group and profile holding it: its tag is made once.
    const tags = new Map<string, string>();
    return (id) => {
      let tag = tags.get(id);
      if (tag === undefined) {
        const key = `${id}\u0000${content.get(id) ?? ''}`;
        let v = versions.get(key);
        if (v === undefined) versions.set(key, (v = versions.size));
        tags.set(id, (tag = `${id}@${v}`));
      }
      return tag;
    };
  };
}

/** Per node, the set of its pods' source and destination signatures, as one text (undefined: no pods on this side). */
function describeNodes(a: EngineAnalysis, nodeOfPod: readonly string[], sigs: { source: Int32Array; destination: Int32Array }, nodeIndex: ReadonlyMap<string, number>): (string | undefined)[] {
  const sets: { source: Set<number>; destination: Set<number> }[] = [];
  a.pods.forEach((_, i) => {
    const n = nodeIndex.get(nodeOfPod[i]!)!;
    const c = a.classSet.classOfPod[i]!;
    const set = (sets[n] ??= { source: new Set(), destination: new Set() });
    set.source.add(sigs.source[c]!);
    set.destination.add(sigs.destination[c]!);
  });
  const sorted = (ids: Set<number>) => [...ids].sort((x, y) => x - y).join(',');
  return Array.from(sets, (set) => (set ? `${sorted(set.source)}/${sorted(set.destination)}` : undefined));
}

export function diffConnections(before: DiffSide, after: DiffSide, notes: string[]): ConnectionChange[] {
  const b = before.analysis;
  const a = after.analysis;

  // Nodes of both sides.
  const nodeIds = [...before.members.keys()];
  for (const id of after.members.keys()) if (!before.members.has(id)) nodeIds.push(id);
  const nodeIndex = new Map(nodeIds.map((id, i) => [id, i]));
  const nodeCount = nodeIds.length;

  // Pods in the same node on both sides get joint keys; the others change their nodes' membership.
  // At pod level a node is one pod, and its cell with another pod is that pair: a pod on one side
  // only gets a joint key too (it allows nothing on the other side), and no cell is compared whole.
  const podLevel = before.group === 'pod';
  const sources = newJoint();
  const destinations = newJoint();
  const selfPairs = nodeIds.map(() => new Map<number, number>());
  const membershipChanged = new Set<number>();
  const pairedSources = nodeIds.map(() => new Map<number, number>());
  const pairedDestinations = nodeIds.map(() => new Map<number, number>());
  const place = (n: number, bi: number, ai: number) => {
    const js = intern(sources, bi < 0 ? -1 : before.sourceKeyOf(bi), ai < 0 ? -1 : after.sourceKeyOf(ai), a.sourceKeyCount, bi, ai);
    const jd = intern(destinations, bi < 0 ? -1 : before.destinationKeyOf(bi), ai < 0 ? -1 : after.destinationKeyOf(ai), a.destinationKeyCount, bi, ai);
    pairedSources[n]!.set(js, (pairedSources[n]!.get(js) ?? 0) + 1);
    pairedDestinations[n]!.set(jd, (pairedDestinations[n]!.get(jd) ?? 0) + 1);
    selfPairs[n]!.set(js * SPACE + jd, (selfPairs[n]!.get(js * SPACE + jd) ?? 0) + 1);
  };
  a.pods.forEach((pod, ai) => {
    const n = nodeIndex.get(after.nodeOfPod[ai]!)!;
    const bi = b.podIndex(pod.id);
    if (bi >= 0 && before.nodeOfPod[bi] === after.nodeOfPod[ai]) place(n, bi, ai);
    else if (podLevel) place(n, -1, ai);
    else {
      membershipChanged.add(n);
      if (bi >= 0) membershipChanged.add(nodeIndex.get(before.nodeOfPod[bi]!)!);
    }
  });
  b.pods.forEach((pod, bi) => {
    if (a.podIndex(pod.id) >= 0) return;
    const n = nodeIndex.get(before.nodeOfPod[bi]!)!;
    if (podLevel) place(n, bi, -1);
    else membershipChanged.add(n);
  });
  pairedSources.forEach((m, n) => m.forEach((count, js) => sources.nodes[js]!.push([n, count])));
  pairedDestinations.forEach((m, n) => m.forEach((count, jd) => destinations.nodes[jd]!.push([n, count])));

  // Joint keys described identically on both sides cannot differ (signatures name policies by content).
  // Likewise a node whose pods are described by the same set of signatures on both sides (a rollout
  // renames pods, not their classes) has equal cells on both sides with every such node.
  const sameDescriptions: boolean[] = nodeIds.map(() => false);
  if (b.options.ipBlockMatchesPods === a.options.ipBlockMatchesPods) {
    const tagger = policyTagger();
    const table = newSignatureTable();
    const sigBefore = b.signatureIds(tagger(b), table);
    const sigAfter = a.signatureIds(tagger(a), table);
    const classOf = (x: EngineAnalysis, pod: number) => x.classSet.classOfPod[pod]!;
    const same = (j: Joint, sigs: 'source' | 'destination') =>
      j.podBefore.map((pb, i) => pb >= 0 && j.podAfter[i]! >= 0 && sigBefore[sigs][classOf(b, pb)] === sigAfter[sigs][classOf(a, j.podAfter[i]!)]);
    sources.same = same(sources, 'source');
    destinations.same = same(destinations, 'destination');
    const was = describeNodes(b, before.nodeOfPod, sigBefore, nodeIndex);
    const now = describeNodes(a, after.nodeOfPod, sigAfter, nodeIndex);
    nodeIds.forEach((_, n) => (sameDescriptions[n] = was[n] !== undefined && was[n] === now[n]));
  }

  // One port table for both sides' sets.
  const ports = new PortTable();
  const fromBefore: number[] = [];
  const fromAfter: number[] = [];
  const localBefore = (id: number) => (fromBefore[id] ??= ports.id(b.portTable.get(id)));
  const localAfter = (id: number) => (fromAfter[id] ??= ports.id(a.portTable.get(id)));

  // External ranges, on the families both sides model.
  const familiesBefore = familiesOf(b.externals);
  const familiesAfter = familiesOf(a.externals);
  const families = [...familiesBefore].filter((f) => familiesAfter.has(f)).sort();
  for (const f of new Set([...familiesBefore, ...familiesAfter])) {
    if (!families.includes(f)) {
      const side = familiesBefore.has(f) ? 'before' : 'after';
      notes.push(`IPv${f} addresses outside the cluster are only modelled ${side} (no IPv${f} ipBlock or pod on the other side): connections with them are not compared`);
    }
  }
  const sourceRanges = commonRanges(b.externals, a.externals, 'asSource', families);
  const destinationRanges = commonRanges(b.externals, a.externals, 'asDestination', families);
  // Cells are numbered from * total + to: nodes, then source ranges, then destination ranges.
  const total = nodeCount + sourceRanges.length + destinationRanges.length;
  const sourceRangeAt = (r: number) => nodeCount + r;
  const destinationRangeAt = (r: number) => nodeCount + sourceRanges.length + r;

  const cells = new Map<number, Accumulated>();
  const add = (key: number, gained: number, lost: number, pairs: number) => {
    const c = cells.get(key);
    if (!c) cells.set(key, { gained, lost, pairsChanged: pairs });
    else {
      c.gained = ports.union(c.gained, gained);
      c.lost = ports.union(c.lost, lost);
      c.pairsChanged += pairs;
    }
  };

  // Joint key pairs: compare where a side's description differs, spread the differences over the cells.
  const keysAllowed = (x: EngineAnalysis, source: number, destination: number) => (source < 0 || destination < 0 ? PortTable.EMPTY : x.keyAllowedId(source, destination));
  const comparePair = (js: number, jd: number) => {
    const was = localBefore(keysAllowed(b, sources.before[js]!, destinations.before[jd]!));
    const now = localAfter(keysAllowed(a, sources.after[js]!, destinations.after[jd]!));
    if (was === now) return;
    const gained = ports.subtract(now, was);
    const lost = ports.subtract(was, now);
    for (const [n1, c1] of sources.nodes[js]!) {
      for (const [n2, c2] of destinations.nodes[jd]!) {
        const pairs = c1 * c2 - (n1 === n2 ? (selfPairs[n1]!.get(js * SPACE + jd) ?? 0) : 0);
        if (pairs > 0) add(n1 * total + n2, gained, lost, pairs);
      }
    }
  };
  const jsCount = sources.before.length;
  const jdCount = destinations.before.length;
  const changedJs: number[] = [];
  const changedJd: number[] = [];
  for (let js = 0; js < jsCount; js++) if (!sources.same[js]) changedJs.push(js);
  for (let jd = 0; jd < jdCount; jd++) if (!destinations.same[jd]) changedJd.push(jd);
  for (const js of changedJs) for (let jd = 0; jd < jdCount; jd++) comparePair(js, jd);
  for (let js = 0; js < jsCount; js++) if (sources.same[js]) for (const jd of changedJd) comparePair(js, jd);

  // External ranges against the joint keys of pods.
  const pod = (index: number) => ({ kind: 'pod' as const, index });
  const external = (index: number) => ({ kind: 'external' as const, index });
  const rangeAllowed = (x: EngineAnalysis, range: number, podIndex: number, role: 'from' | 'to') =>
    podIndex < 0 ? PortTable.EMPTY : role === 'from' ? x.allowedPortsId(external(range), pod(podIndex)) : x.allowedPortsId(pod(podIndex), external(range));
  sourceRanges.forEach((r, ri) => {
    for (let jd = 0; jd < jdCount; jd++) {
      const was = localBefore(rangeAllowed(b, r.before, destinations.podBefore[jd]!, 'from'));
      const now = localAfter(rangeAllowed(a, r.after, destinations.podAfter[jd]!, 'from'));
      if (was === now) continue;
      const gained = ports.subtract(now, was);
      const lost = ports.subtract(was, now);
      for (const [n, count] of destinations.nodes[jd]!) add(sourceRangeAt(ri) * total + n, gained, lost, count);
    }
  });
  destinationRanges.forEach((r, ri) => {
    for (let js = 0; js < jsCount; js++) {
      const was = localBefore(rangeAllowed(b, r.before, sources.podBefore[js]!, 'to'));
      const now = localAfter(rangeAllowed(a, r.after, sources.podAfter[js]!, 'to'));
      if (was === now) continue;
      const gained = ports.subtract(now, was);
      const lost = ports.subtract(was, now);
      for (const [n, count] of sources.nodes[js]!) add(n * total + destinationRangeAt(ri), gained, lost, count);
    }
  });

  // A cell by number: its endpoints, and its full state on a side (for the output).
  const endpoint = (i: number): { node: string } | { range: CommonRange; role: 'from' | 'to' } => {
    if (i < nodeCount) return { node: nodeIds[i]! };
    if (i < nodeCount + sourceRanges.length) return { range: sourceRanges[i - nodeCount]!, role: 'from' };
    return { range: destinationRanges[i - nodeCount - sourceRanges.length]!, role: 'to' };
  };
  const stateOf = (side: DiffSide, which: 'before' | 'after', from: number, to: number): CellState | null => {
    const f = endpoint(from);
    const t = endpoint(to);
    if ('node' in f && 'node' in t) return side.cell(f.node, t.node);
    if ('range' in f && 'node' in t) return side.externalCell(f.range[which], t.node, 'from');
    if ('node' in f && 'range' in t) return side.externalCell(t.range[which], f.node, 'to');
    throw new Error('a cell between two external ranges');
  };

  // Cells of nodes whose pods changed: the cell as a whole (pods joining or leaving bring or take ports).
  const membersBefore = nodeIds.map((id) => before.members.get(id));
  const membersAfter = nodeIds.map((id) => after.members.get(id));
  /** The ports of a cell on one side, EMPTY when a node of it does not exist there. */
  const portsOf = (side: DiffSide, members: (NodeMembers | undefined)[], which: 'before' | 'after', from: number, to: number): number => {
    const f = from < nodeCount ? members[from] : undefined;
    const t = to < nodeCount ? members[to] : undefined;
    if (from < nodeCount && to < nodeCount) return f && t ? side.portsBetween(f, t, from === to) : PortTable.EMPTY;
    if (t) return side.portsWithExternal((endpoint(from) as { range: CommonRange }).range[which], t, 'from');
    if (f) return side.portsWithExternal((endpoint(to) as { range: CommonRange }).range[which], f, 'to');
    return PortTable.EMPTY;
  };
  const compareWhole = (from: number, to: number) => {
    const wasPorts = localBefore(portsOf(before, membersBefore, 'before', from, to));
    const nowPorts = localAfter(portsOf(after, membersAfter, 'after', from, to));
    if (wasPorts !== nowPorts) add(from * total + to, ports.subtract(nowPorts, wasPorts), ports.subtract(wasPorts, nowPorts), 0);
  };
  const describedOtherwise = nodeIds.flatMap((_, n) => (sameDescriptions[n] ? [] : [n]));
  // Node n is compared with m when either is described otherwise; a pair of changed nodes only once.
  const done: boolean[] = [];
  for (const n of membershipChanged) {
    // The diagonal also depends on how many pods share a key (a pod and itself are no pair).
    compareWhole(n, n);
    for (const m of sameDescriptions[n] ? describedOtherwise : nodeIds.keys()) {
      if (m === n || (done[m] && (!sameDescriptions[m] || !sameDescriptions[n]))) continue;
      compareWhole(n, m);
      compareWhole(m, n);
    }
    sourceRanges.forEach((_, ri) => compareWhole(sourceRangeAt(ri), n));
    destinationRanges.forEach((_, ri) => compareWhole(n, destinationRangeAt(ri)));
    done[n] = true;
  }

  // The changed cells, with both sides described (cells with equal sides share their descriptions).
  const out: [external: boolean, change: ConnectionChange][] = [];
  const portsJson: Ports[] = [];
  const json = (id: number) => (portsJson[id] ??= ports.get(id).isEmpty() ? [] : ports.get(id).toJSON());
  const nameOf = (i: number) => (i < nodeCount ? nodeIds[i]! : (endpoint(i) as { range: CommonRange }).range.id);
  for (const [key, c] of cells) {
    if (c.gained === PortTable.EMPTY && c.lost === PortTable.EMPTY) continue;
    const from = Math.floor(key / total);
    const to = key % total;
    const was = stateOf(before, 'before', from, to);
    const now = stateOf(after, 'after', from, to);
    const wasEmpty = !was || was.ports === PortTable.EMPTY;
    const nowEmpty = !now || now.ports === PortTable.EMPTY;
    const change: ConnectionChange = {
      from: nameOf(from),
      to: nameOf(to),
      change: wasEmpty ? 'gained' : nowEmpty ? 'lost' : 'changed',
      gained: json(c.gained),
      lost: json(c.lost),
      before: was ? before.describe(was) : null,
      after: now ? after.describe(now) : null,
    };
    if (before.group !== 'pod') change.pairsChanged = c.pairsChanged;
    out.push([from >= nodeCount || to >= nodeCount, change]);
  }
  out.sort(([xe, x], [ye, y]) => Number(xe) - Number(ye) || compareText(x.from, y.from) || compareText(x.to, y.to));
  return out.map(([, change]) => change);
}
