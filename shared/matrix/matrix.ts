// Connectivity at pod, workload or namespace level, derived from the class-level engine: a node's
// pods are grouped by class with counts, so a cell costs (classes in A) x (classes in B), never pods².
import { compareRuleRefs, type Connection, type DirectionReason, type RuleRef } from '../engine/analysis.ts';
import type { EngineAnalysis } from '../engine/engine.ts';
import { PortTable } from '../engine/port-table.ts';
import { compareText } from '../model/order.ts';
import type { PortSet } from '../model/port-set.ts';
import { addToKeyGroup, nodeIdOf, type KeyGroup } from './key-groups.ts';

export type Group = 'pod' | 'workload' | 'namespace';
export const GROUPS: readonly Group[] = ['pod', 'workload', 'namespace'];

export interface PodNode {
  id: string;
  kind: 'pod';
  namespace: string;
  name: string;
  workload: string;
  ips: string[];
  isolation: { ingress: boolean; egress: boolean };
  template?: true;
}

export interface GroupNode {
  id: string;
  kind: 'workload' | 'namespace';
  namespace: string;
  name: string;
  /** For workloads: Deployment, StatefulSet, ..., or Pod for a pod without controller. */
  workloadKind?: string;
  pods: number;
  /** True when every pod of the node is isolated in that direction. */
  isolation: { ingress: boolean; egress: boolean };
  /** How many of its pods are not isolated, per direction. */
  unprotected: { ingress: number; egress: number };
}

export interface ExternalNode {
  id: string;
  kind: 'external';
  ranges: string[];
}

export type MatrixNode = PodNode | GroupNode | ExternalNode;

export interface MatrixCell {
  from: string;
  to: string;
  ports: PortSet;
  reasons: { ingress: DirectionReason; egress: DirectionReason };
  /** Pod pairs behind a grouped cell: how many allow something, out of how many. */
  pairs?: { allowed: number; total: number };
}

export interface Matrix {
  group: Group;
  nodes: MatrixNode[];
  cells: MatrixCell[];
}

/**
 * A node's pods grouped by source key and by destination key: pods with equal keys get equal
 * answers, so a cell costs (source keys of A) x (destination keys of B), never pods².
 */
interface Members {
  sources: KeyGroup[];
  destinations: KeyGroup[];
  /** Pods by (source key, destination key): on the diagonal, a pod's pair with itself is removed. */
  selfPairs: Map<number, number>;
}

export function buildMatrix(a: EngineAnalysis, group: Group): Matrix {
  const nodes: MatrixNode[] = [];
  const building: { sources: Map<number, KeyGroup>; destinations: Map<number, KeyGroup>; selfPairs: Map<number, number> }[] = [];
  const keyOf = (podIndex: number): string => nodeIdOf(a, group, podIndex);
  const width = a.destinationKeyCount;
  const byKey = new Map<string, number>();
  a.pods.forEach((pod, podIndex) => {
    const key = keyOf(podIndex);
    let n = byKey.get(key);
    if (n === undefined) {
      n = nodes.length;
      byKey.set(key, n);
      building.push({ sources: new Map(), destinations: new Map(), selfPairs: new Map() });
      nodes.push(group === 'pod' ? podNode(a, podIndex) : groupNode(a, group, key, podIndex));
    }
    const m = building[n]!;
    const c = a.classSet.classOfPod[podIndex]!;
    const sk = a.sourceKeyOfClass[c]!;
    const dk = a.destinationKeyOfClass[c]!;
    addToKeyGroup(m.sources, sk, podIndex);
    addToKeyGroup(m.destinations, dk, podIndex);
    m.selfPairs.set(sk * width + dk, (m.selfPairs.get(sk * width + dk) ?? 0) + 1);
    if (group !== 'pod') {
      const node = nodes[n] as GroupNode;
      const iso = a.isolation(podIndex);
      node.pods++;
      if (!iso.ingress) node.unprotected.ingress++;
      if (!iso.egress) node.unprotected.egress++;
    }
  });
  const order = nodes.map((_, i) => i).sort((x, y) => compareText(nodes[x]!.id, nodes[y]!.id));
  const podNodes = order.map((i) => nodes[i]!);
  const podMembers: Members[] = order.map((i) => {
    const b = building[i]!;
    return { sources: [...b.sources.values()], destinations: [...b.destinations.values()], selfPairs: b.selfPairs };
  });
  for (const node of podNodes) {
    if (node.kind === 'workload' || node.kind === 'namespace') {
      node.isolation = { ingress: node.unprotected.ingress === 0, egress: node.unprotected.egress === 0 };
    }
  }

  const cells: MatrixCell[] = [];
  const reasonsMemo = new Map<number, Connection>();
  podNodes.forEach((fromNode, i) => {
    podNodes.forEach((toNode, j) => {
      const cell = groupCell(a, podMembers[i]!, podMembers[j]!, i === j, group, reasonsMemo);
      if (cell) cells.push({ from: fromNode.id, to: toNode.id, ...cell });
    });
  });

  const externals: ExternalNode[] = a.externals.map((e) => ({ id: e.id, kind: 'external', ranges: [e.text] }));
  a.externals.forEach((ext, e) => {
    podNodes.forEach((node, n) => {
      const m = podMembers[n]!;
      if (ext.asSource) {
        const cell = externalCell(a, { kind: 'external', index: e }, m.destinations, 'from', group);
        if (cell) cells.push({ from: ext.id, to: node.id, ...cell });
      }
      if (ext.asDestination) {
        const cell = externalCell(a, { kind: 'external', index: e }, m.sources, 'to', group);
        if (cell) cells.push({ from: node.id, to: ext.id, ...cell });
      }
    });
  });
  return { group, nodes: [...podNodes, ...externals], cells };
}

function podNode(a: EngineAnalysis, podIndex: number): PodNode {
  const pod = a.pods[podIndex]!;
  return {
    id: pod.id,
    kind: 'pod',
    namespace: pod.namespace,
    name: pod.name,
    workload: pod.workload,
    ips: pod.ips,
    isolation: a.isolation(podIndex),
    ...(pod.template ? { template: true as const } : {}),
  };
}

function groupNode(a: EngineAnalysis, group: 'workload' | 'namespace', key: string, podIndex: number): GroupNode {
  const pod = a.pods[podIndex]!;
  const workload = group === 'workload' ? a.cluster.workloads.find((w) => w.id === key) : undefined;
  return {
    id: key,
    kind: group,
    namespace: pod.namespace,
    name: group === 'namespace' ? pod.namespace : (workload?.name ?? key),
    ...(workload ? { workloadKind: workload.kind } : {}),
    pods: 0,
    isolation: { ingress: false, egress: false },
    unprotected: { ingress: 0, egress: 0 },
  };
}

type CellBody = Omit<MatrixCell, 'from' | 'to'>;

function groupCell(
  a: EngineAnalysis,
  from: Members,
  to: Members,
  sameNode: boolean,
  group: Group,
  reasonsMemo: Map<number, Connection>,
): CellBody | null {
  const width = a.destinationKeyCount;
  let ports = PortTable.EMPTY;
  let allowedPairs = 0;
  let totalPairs = 0;
  const connections = new Set<Connection>();
  for (const src of from.sources) {
    for (const dst of to.destinations) {
      const keyPair = src.key * width + dst.key;
      const pairs = src.count * dst.count - (sameNode ? (from.selfPairs.get(keyPair) ?? 0) : 0);
      totalPairs += pairs;
      if (pairs === 0) continue;
      const id = a.keyAllowedId(src.key, dst.key);
      if (id === PortTable.EMPTY) continue;
      allowedPairs += pairs;
      ports = a.portTable.union(ports, id);
      // Reasons depend only on the two keys: compute them once per key pair, on any distinct pod pair.
      let connection = reasonsMemo.get(keyPair);
      if (!connection) {
        // pairs > 0, so two distinct pods exist among the (up to two) representatives of each side.
        const [s, d] = distinctPair(src.representatives, dst.representatives);
        connection = a.connection({ kind: 'pod', index: s }, { kind: 'pod', index: d })!;
        reasonsMemo.set(keyPair, connection);
      }
      connections.add(connection);
    }
  }
  if (ports === PortTable.EMPTY) return null;
  return {
    ports: a.portTable.get(ports),
    reasons: mergeReasons([...connections]),
    ...(group === 'pod' ? {} : { pairs: { allowed: allowedPairs, total: totalPairs } }),
  };
}

function distinctPair(sources: readonly number[], destinations: readonly number[]): [number, number] {
  for (const s of sources) for (const d of destinations) if (s !== d) return [s, d];
  throw new Error('no distinct pod pair among the representatives');
}

function externalCell(
  a: EngineAnalysis,
  ext: { kind: 'external'; index: number },
  groups: readonly KeyGroup[],
  side: 'from' | 'to',
  group: Group,
): CellBody | null {
  let ports = PortTable.EMPTY;
  let allowedPairs = 0;
  let totalPairs = 0;
  const connections: Connection[] = [];
  for (const g of groups) {
    const pod = { kind: 'pod' as const, index: g.representatives[0]! };
    totalPairs += g.count;
    const c = side === 'from' ? a.connection(ext, pod) : a.connection(pod, ext);
    if (!c) continue;
    allowedPairs += g.count;
    ports = a.portTable.union(ports, a.portTable.id(c.ports));
    connections.push(c);
  }
  if (ports === PortTable.EMPTY) return null;
  return {
    ports: a.portTable.get(ports),
    reasons: mergeReasons(connections),
    ...(group === 'pod' ? {} : { pairs: { allowed: allowedPairs, total: totalPairs } }),
  };
}

/** Union of the reasons of several pod pairs: 'unisolated' only when every pair is unisolated. */
export function mergeReasons(connections: readonly Connection[]): MatrixCell['reasons'] {
  const merge = (pick: (c: Connection) => DirectionReason): DirectionReason => {
    const lists = connections.map(pick);
    if (lists.every((r) => r === 'unisolated')) return 'unisolated';
    const seen = new Map<string, RuleRef>();
    for (const r of lists) if (r !== 'unisolated') for (const ref of r) seen.set(`${ref.tier ?? ''}:${ref.policy}#${ref.rule}`, ref);
    return [...seen.values()].sort(compareRuleRefs);
  };
  return { ingress: merge((c) => c.reasons.ingress), egress: merge((c) => c.reasons.egress) };
}

