// Connectivity at pod, workload or namespace level, derived from the class-level engine: a node's
// pods are grouped by class with counts, so a cell costs (classes in A) x (classes in B), never pods².
import type { Connection, DirectionReason, RuleRef } from '../engine/analysis.ts';
import type { EngineAnalysis } from '../engine/engine.ts';
import { PortTable } from '../engine/port-table.ts';
import type { PortSet } from '../model/port-set.ts';

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

/** A node's pods by class: parallel arrays of class id, pod count and one representative pod. */
interface Members {
  classes: number[];
  counts: number[];
  representatives: number[][];
}

export function buildMatrix(a: EngineAnalysis, group: Group): Matrix {
  const nodes: MatrixNode[] = [];
  const members: Members[] = [];
  const keyOf = (podIndex: number): string => {
    const pod = a.pods[podIndex]!;
    return group === 'pod' ? pod.id : group === 'workload' ? pod.workload : pod.namespace;
  };
  const byKey = new Map<string, number>();
  a.pods.forEach((pod, podIndex) => {
    const key = keyOf(podIndex);
    let n = byKey.get(key);
    if (n === undefined) {
      n = nodes.length;
      byKey.set(key, n);
      members.push({ classes: [], counts: [], representatives: [] });
      nodes.push(group === 'pod' ? podNode(a, podIndex) : groupNode(a, group, key, podIndex));
    }
    const m = members[n]!;
    const c = a.classSet.classOfPod[podIndex]!;
    const at = m.classes.indexOf(c);
    if (at >= 0) {
      m.counts[at]!++;
      if (m.representatives[at]!.length < 2) m.representatives[at]!.push(podIndex);
    } else {
      m.classes.push(c);
      m.counts.push(1);
      m.representatives.push([podIndex]);
    }
    if (group !== 'pod') {
      const node = nodes[n] as GroupNode;
      const iso = a.isolation(podIndex);
      node.pods++;
      if (!iso.ingress) node.unprotected.ingress++;
      if (!iso.egress) node.unprotected.egress++;
    }
  });
  const order = nodes.map((_, i) => i).sort((x, y) => compareIds(nodes[x]!.id, nodes[y]!.id));
  const podNodes = order.map((i) => nodes[i]!);
  const podMembers = order.map((i) => members[i]!);
  for (const node of podNodes) {
    if (node.kind === 'workload' || node.kind === 'namespace') {
      node.isolation = { ingress: node.unprotected.ingress === 0, egress: node.unprotected.egress === 0 };
    }
  }

  const cells: MatrixCell[] = [];
  const reasonsMemo = new Map<string, Connection>();
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
        const cell = externalCell(a, { kind: 'external', index: e }, m, 'from', group);
        if (cell) cells.push({ from: ext.id, to: node.id, ...cell });
      }
      if (ext.asDestination) {
        const cell = externalCell(a, { kind: 'external', index: e }, m, 'to', group);
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
  reasonsMemo: Map<string, Connection>,
): CellBody | null {
  let ports = PortTable.EMPTY;
  let allowedPairs = 0;
  let totalPairs = 0;
  const connections = new Set<Connection>();
  from.classes.forEach((c1, i) => {
    to.classes.forEach((c2, j) => {
      const n1 = from.counts[i]!;
      const n2 = to.counts[j]!;
      const samePods = sameNode && c1 === c2;
      const pairs = samePods ? n1 * (n1 - 1) : n1 * n2;
      totalPairs += pairs;
      if (pairs === 0) return;
      const id = a.classAllowedId(c1, c2);
      if (id === PortTable.EMPTY) return;
      allowedPairs += pairs;
      ports = a.portTable.union(ports, id);
      // Reasons depend only on the classes' table positions: compute them once per key.
      const key = a.classPairKey(c1, c2);
      let connection = reasonsMemo.get(key);
      if (!connection) {
        const src = from.representatives[i]![0]!;
        const dst = samePods ? to.representatives[j]![1]! : to.representatives[j]![0]!;
        connection = a.connection({ kind: 'pod', index: src }, { kind: 'pod', index: dst })!;
        reasonsMemo.set(key, connection);
      }
      connections.add(connection);
    });
  });
  if (ports === PortTable.EMPTY) return null;
  return {
    ports: a.portTable.get(ports),
    reasons: mergeReasons([...connections]),
    ...(group === 'pod' ? {} : { pairs: { allowed: allowedPairs, total: totalPairs } }),
  };
}

function externalCell(
  a: EngineAnalysis,
  ext: { kind: 'external'; index: number },
  node: Members,
  side: 'from' | 'to',
  group: Group,
): CellBody | null {
  let ports = PortTable.EMPTY;
  let allowedPairs = 0;
  let totalPairs = 0;
  const connections: Connection[] = [];
  node.classes.forEach((_, i) => {
    const pod = { kind: 'pod' as const, index: node.representatives[i]![0]! };
    const n = node.counts[i]!;
    totalPairs += n;
    const c = side === 'from' ? a.connection(ext, pod) : a.connection(pod, ext);
    if (!c) return;
    allowedPairs += n;
    ports = a.portTable.union(ports, a.portTable.id(c.ports));
    connections.push(c);
  });
  if (ports === PortTable.EMPTY) return null;
  return {
    ports: a.portTable.get(ports),
    reasons: mergeReasons(connections),
    ...(group === 'pod' ? {} : { pairs: { allowed: allowedPairs, total: totalPairs } }),
  };
}

/** Union of the reasons of several pod pairs: 'unisolated' only when every pair is unisolated. */
function mergeReasons(connections: readonly Connection[]): MatrixCell['reasons'] {
  const merge = (pick: (c: Connection) => DirectionReason): DirectionReason => {
    const lists = connections.map(pick);
    if (lists.every((r) => r === 'unisolated')) return 'unisolated';
    const seen = new Map<string, RuleRef>();
    for (const r of lists) if (r !== 'unisolated') for (const ref of r) seen.set(`${ref.policy}#${ref.rule}`, ref);
    return [...seen.values()].sort((x, y) => compareIds(x.policy, y.policy) || x.rule - y.rule);
  };
  return { ingress: merge((c) => c.reasons.ingress), egress: merge((c) => c.reasons.egress) };
}

export function compareIds(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0;
}
