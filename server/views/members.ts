// Which pods make up each node of a view, grouped by the engine's source and destination keys:
// pods with equal keys get equal answers, so a grouped cell costs (keys of A) x (keys of B).
import type { Pod } from '../../shared/model/types.ts';
import type { EngineAnalysis } from '../../shared/engine/engine.ts';
import { compareText } from '../../shared/model/order.ts';
import { matchesLabelQuery, parseLabelQuery } from '../../shared/policy/label-query.ts';
import type { ViewNode, ViewSpec } from '../../shared/protocol/view.ts';

/** Pods of a node sharing one key, with one of them standing for the rest. */
export interface KeyCount {
  count: number;
  representative: number;
}

export interface Member {
  node: ViewNode;
  /** Pod indexes of the node (in analysis order). */
  pods: number[];
  sources: Map<number, KeyCount>;
  destinations: Map<number, KeyCount>;
  /** Pods by `sourceKey * destinationKeyCount + destinationKey`: a pod is never paired with itself. */
  selfPairs: Map<number, number>;
}

export type Unknown = 'all' | ReadonlySet<string>;

export const isUnknown = (unknown: Unknown, namespace: string): boolean => unknown === 'all' || unknown.has(namespace);

function add(map: Map<number, KeyCount>, key: number, pod: number): void {
  const k = map.get(key);
  if (k) k.count++;
  else map.set(key, { count: 1, representative: pod });
}

/** Decides which pods a view shows. */
export function podFilter(view: ViewSpec, a: EngineAnalysis, unknown: Unknown): (pod: Pod, index: number) => boolean {
  const namespaces = view.namespaces === 'all' ? null : new Set(view.namespaces);
  const labels = view.labels ? parseLabelQuery(view.labels) : null;
  return (pod, index) => {
    if (namespaces && !namespaces.has(pod.namespace)) return false;
    if (labels && !matchesLabelQuery(labels, pod.labels)) return false;
    if (view.unprotectedOnly) {
      // Unknown is never shown as unprotected.
      if (isUnknown(unknown, pod.namespace)) return false;
      const iso = a.isolation(index);
      if (iso.ingress && iso.egress) return false;
    }
    return true;
  };
}

const workloadsOf = new WeakMap<object, Map<string, { name: string; kind: string }>>();

function workloadInfo(a: EngineAnalysis, id: string): { name: string; kind: string } | undefined {
  let map = workloadsOf.get(a.cluster.workloads);
  if (!map) {
    map = new Map(a.cluster.workloads.map((w) => [w.id, { name: w.name, kind: w.kind }]));
    workloadsOf.set(a.cluster.workloads, map);
  }
  return map.get(id);
}

function newNode(a: EngineAnalysis, view: ViewSpec, pod: Pod, unknown: boolean): ViewNode {
  const workload = workloadInfo(a, pod.workload);
  const base = {
    pods: 0,
    isolation: { ingress: unknown ? null : true, egress: unknown ? null : true },
    unprotected: { ingress: unknown ? null : 0, egress: unknown ? null : 0 },
    ...(unknown ? { unknown: true } : {}),
  };
  if (view.level === 'namespace') return { id: pod.namespace, kind: 'namespace', namespace: pod.namespace, name: pod.namespace, ...base };
  if (view.level === 'workload') {
    return { id: pod.workload, kind: 'workload', namespace: pod.namespace, name: workload?.name ?? pod.workload, ...(workload ? { workloadKind: workload.kind } : {}), ...base };
  }
  return {
    id: pod.id,
    kind: 'pod',
    namespace: pod.namespace,
    name: pod.name,
    workload: pod.workload,
    ...(workload ? { workloadKind: workload.kind } : {}),
    labels: pod.labels,
    ips: pod.ips,
    ports: pod.ports,
    ...(pod.template ? { template: true } : {}),
    ...base,
  };
}

/** The view's nodes (sorted by id) with their members; unknown nodes have no keys. */
export function buildMembers(a: EngineAnalysis, view: ViewSpec, unknown: Unknown): Map<string, Member> {
  const include = podFilter(view, a, unknown);
  const width = a.destinationKeyCount;
  const members = new Map<string, Member>();
  a.pods.forEach((pod, i) => {
    if (!include(pod, i)) return;
    const id = view.level === 'namespace' ? pod.namespace : view.level === 'workload' ? pod.workload : pod.id;
    const podUnknown = isUnknown(unknown, pod.namespace);
    let m = members.get(id);
    if (!m) {
      m = { node: newNode(a, view, pod, podUnknown), pods: [], sources: new Map(), destinations: new Map(), selfPairs: new Map() };
      members.set(id, m);
    }
    m.pods.push(i);
    m.node.pods++;
    if (podUnknown) return;
    const c = a.classSet.classOfPod[i]!;
    const sk = a.sourceKeyOfClass[c]!;
    const dk = a.destinationKeyOfClass[c]!;
    add(m.sources, sk, i);
    add(m.destinations, dk, i);
    m.selfPairs.set(sk * width + dk, (m.selfPairs.get(sk * width + dk) ?? 0) + 1);
    const iso = a.isolation(i);
    const node = m.node;
    if (!iso.ingress) {
      node.unprotected.ingress!++;
      node.isolation.ingress = false;
    }
    if (!iso.egress) {
      node.unprotected.egress!++;
      node.isolation.egress = false;
    }
    if (view.level === 'pod') {
      node.row = sk;
      node.col = dk;
    }
  });
  for (const m of members.values()) {
    if (m.node.kind === 'pod' && m.node.unknown) {
      m.node.row = -1;
      m.node.col = -1;
    }
  }
  return new Map([...members].sort(([x], [y]) => compareText(x, y)));
}
