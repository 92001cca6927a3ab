// Which pods make up each node of a view, grouped by the engine's source and destination keys:
// pods with equal keys get equal answers, so a grouped cell costs (keys of A) x (keys of B).
// Kept incrementally: while the analysis keeps its key numbering (pod events), only the pods an
// event touched are moved; otherwise it is rebuilt from all pods.
import type { Pod } from '../../shared/model/types.ts';
import type { EngineAnalysis } from '../../shared/engine/engine.ts';
import { compareText } from '../../shared/model/order.ts';
import { matchesLabelQuery, parseLabelQuery, type LabelQuery } from '../../shared/policy/label-query.ts';
import type { ViewNode, ViewSpec } from '../../shared/protocol/view.ts';

/** Pods of a node sharing one key (by id; any one of them stands for the rest). */
export interface KeyCount {
  count: number;
  pods: Set<string>;
}

export interface Member {
  /** Replaced (never mutated) when anything about the node changes: old states keep old nodes. */
  node: ViewNode;
  /** Pod ids of the node, known or not. */
  pods: Set<string>;
  sources: Map<number, KeyCount>;
  destinations: Map<number, KeyCount>;
  /** Pods by `sourceKey * KEY_STRIDE + destinationKey`: a pod is never paired with itself. */
  selfPairs: Map<number, number>;
}

/** Self-pair keys combine two key numbers; keys stay far below this (one per class at most). */
export const KEY_STRIDE = 1 << 24;

export type Unknown = 'all' | ReadonlySet<string>;

export const isUnknown = (unknown: Unknown, namespace: string): boolean => unknown === 'all' || unknown.has(namespace);

/** Where a pod sits in the view, and what it contributes. */
interface PodEntry {
  node: string;
  /** -1 when the pod is unknown (no keys). */
  sk: number;
  dk: number;
  ingress: boolean | null;
  egress: boolean | null;
}

/** Any pod of the key set, as an index of the analysis. */
export function representative(a: EngineAnalysis, k: KeyCount): number {
  for (const id of k.pods) return a.podIndex(id);
  return -1;
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

export class Membership {
  readonly members = new Map<string, Member>();
  private readonly entries = new Map<string, PodEntry>();
  /** Nodes holding each source key / destination key, with how many of their pods do. */
  readonly bySource = new Map<number, Map<Member, number>>();
  readonly byDestination = new Map<number, Map<Member, number>>();
  private readonly namespaces: Set<string> | null;
  private readonly labels: LabelQuery | null;

  constructor(
    private readonly view: ViewSpec,
    private a: EngineAnalysis,
    private unknown: Unknown,
  ) {
    this.namespaces = view.namespaces === 'all' ? null : new Set(view.namespaces);
    this.labels = view.labels ? parseLabelQuery(view.labels) : null;
    a.pods.forEach((pod, i) => this.add(pod, i));
    this.keysBefore.clear();
  }

  nodeOf(podId: string): string | undefined {
    return this.entries.get(podId)?.node;
  }

  /**
   * Moves the given pods to where `a` puts them (the analysis must number keys as the previous
   * one did). Returns the ids of nodes that changed.
   */
  update(a: EngineAnalysis, podIds: Iterable<string>): Set<string> {
    this.a = a;
    this.keysBefore = new Map();
    const changed = new Set<string>();
    for (const id of podIds) {
      const old = this.entries.get(id);
      if (old) {
        this.remove(id, old);
        changed.add(old.node);
      }
      const i = a.podIndex(id);
      if (i >= 0) {
        const node = this.add(a.pods[i]!, i);
        if (node !== undefined) changed.add(node);
      }
    }
    return changed;
  }

  /** Per node the last `update` changed: its key sets before (null: it was not there). */
  private keysBefore = new Map<string, KeySets | null>();

  private noteKeys(id: string): void {
    if (this.keysBefore.has(id)) return;
    const m = this.members.get(id);
    this.keysBefore.set(id, m ? { sources: [...m.sources.keys()], destinations: [...m.destinations.keys()] } : null);
  }

  /**
   * Nodes the last `update` changed whose pods all have keys, before and after, from the same
   * sets of source and destination keys: only their pod counts changed, so a cell of theirs with
   * every pair allowed still has every pair allowed, on the same ports.
   */
  sameKeys(ids: Iterable<string>): Set<string> {
    const same = new Set<string>();
    const keyed = (m: Member) => sum(m.sources) === m.node.pods && sum(m.destinations) === m.node.pods;
    for (const id of ids) {
      const before = this.keysBefore.get(id);
      const m = this.members.get(id);
      if (!before || !m || !keyed(m)) continue;
      if (sameSet(before.sources, m.sources) && sameSet(before.destinations, m.destinations)) same.add(id);
    }
    return same;
  }

  /** Pods of every node, sorted by node id (for a full pass). */
  sortedIds(): string[] {
    return [...this.members.keys()].sort(compareText);
  }

  private include(pod: Pod, index: number): boolean {
    if (this.namespaces && !this.namespaces.has(pod.namespace)) return false;
    if (this.labels && !matchesLabelQuery(this.labels, pod.labels)) return false;
    if (this.view.unprotectedOnly) {
      // Unknown is never shown as unprotected.
      if (isUnknown(this.unknown, pod.namespace)) return false;
      const iso = this.a.isolation(index);
      if (iso.ingress && iso.egress) return false;
    }
    return true;
  }

  private nodeIdOf(pod: Pod): string {
    return this.view.level === 'namespace' ? pod.namespace : this.view.level === 'workload' ? pod.workload : pod.id;
  }

  /** Adds a pod; returns its node id (undefined when the view leaves it out). */
  private add(pod: Pod, index: number): string | undefined {
    if (!this.include(pod, index)) return undefined;
    const a = this.a;
    const known = !isUnknown(this.unknown, pod.namespace);
    const c = a.classSet.classOfPod[index]!;
    const iso = known ? a.isolation(index) : null;
    const entry: PodEntry = {
      node: this.nodeIdOf(pod),
      sk: known ? a.sourceKeyOfClass[c]! : -1,
      dk: known ? a.destinationKeyOfClass[c]! : -1,
      ingress: iso ? iso.ingress : null,
      egress: iso ? iso.egress : null,
    };
    this.entries.set(pod.id, entry);
    this.noteKeys(entry.node);
    let m = this.members.get(entry.node);
    if (!m) {
      m = { node: this.emptyNode(pod, !known), pods: new Set(), sources: new Map(), destinations: new Map(), selfPairs: new Map() };
      this.members.set(entry.node, m);
    }
    m.pods.add(pod.id);
    if (known) {
      this.count(m, entry, pod.id, 1);
      m.node = this.withCounts(m.node, entry, 1);
    } else {
      m.node = { ...m.node, pods: m.node.pods + 1 };
    }
    if (this.view.level === 'pod') m.node = { ...this.podNode(pod, entry), pods: 1 };
    return entry.node;
  }

  private remove(podId: string, entry: PodEntry): void {
    this.noteKeys(entry.node);
    this.entries.delete(podId);
    const m = this.members.get(entry.node)!;
    m.pods.delete(podId);
    if (m.pods.size === 0) {
      if (entry.sk >= 0) this.count(m, entry, podId, -1);
      this.members.delete(entry.node);
      return;
    }
    if (entry.sk >= 0) {
      this.count(m, entry, podId, -1);
      m.node = this.withCounts(m.node, entry, -1);
    } else {
      m.node = { ...m.node, pods: m.node.pods - 1 };
    }
  }

  private count(m: Member, e: PodEntry, podId: string, by: 1 | -1): void {
    bump(m.sources, e.sk, podId, by);
    bump(m.destinations, e.dk, podId, by);
    holders(this.bySource, e.sk, m, by);
    holders(this.byDestination, e.dk, m, by);
    const self = e.sk * KEY_STRIDE + e.dk;
    const n = (m.selfPairs.get(self) ?? 0) + by;
    if (n === 0) m.selfPairs.delete(self);
    else m.selfPairs.set(self, n);
  }

  /** A new node object with one more (or one fewer) known pod. */
  private withCounts(node: ViewNode, e: PodEntry, by: 1 | -1): ViewNode {
    const ingress = (node.unprotected.ingress ?? 0) + (e.ingress ? 0 : by);
    const egress = (node.unprotected.egress ?? 0) + (e.egress ? 0 : by);
    return {
      ...node,
      pods: node.pods + by,
      unprotected: { ingress, egress },
      isolation: { ingress: ingress === 0, egress: egress === 0 },
    };
  }

  private emptyNode(pod: Pod, unknown: boolean): ViewNode {
    const base = {
      pods: 0,
      isolation: { ingress: unknown ? null : true, egress: unknown ? null : true },
      unprotected: { ingress: unknown ? null : 0, egress: unknown ? null : 0 },
      ...(unknown ? { unknown: true } : {}),
    };
    if (this.view.level === 'namespace') return { id: pod.namespace, kind: 'namespace', namespace: pod.namespace, name: pod.namespace, ...base };
    const workload = workloadInfo(this.a, pod.workload);
    return { id: pod.workload, kind: 'workload', namespace: pod.namespace, name: workload?.name ?? pod.workload, ...(workload ? { workloadKind: workload.kind } : {}), ...base };
  }

  private podNode(pod: Pod, e: PodEntry): ViewNode {
    const workload = workloadInfo(this.a, pod.workload);
    const unknown = e.sk < 0;
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
      pods: 1,
      isolation: { ingress: e.ingress, egress: e.egress },
      unprotected: unknown ? { ingress: null, egress: null } : { ingress: e.ingress ? 0 : 1, egress: e.egress ? 0 : 1 },
      ...(unknown ? { unknown: true } : {}),
      row: e.sk,
      col: e.dk,
    };
  }
}

interface KeySets {
  sources: number[];
  destinations: number[];
}

const sum = (keys: ReadonlyMap<number, KeyCount>) => {
  let n = 0;
  for (const k of keys.values()) n += k.count;
  return n;
};

const sameSet = (before: readonly number[], after: ReadonlyMap<number, KeyCount>) => before.length === after.size && before.every((k) => after.has(k));

function bump(map: Map<number, KeyCount>, key: number, podId: string, by: 1 | -1): void {
  let k = map.get(key);
  if (!k) map.set(key, (k = { count: 0, pods: new Set() }));
  k.count += by;
  if (by > 0) k.pods.add(podId);
  else k.pods.delete(podId);
  if (k.count === 0) map.delete(key);
}

function holders(index: Map<number, Map<Member, number>>, key: number, m: Member, by: 1 | -1): void {
  let h = index.get(key);
  if (!h) index.set(key, (h = new Map()));
  const n = (h.get(m) ?? 0) + by;
  if (n === 0) h.delete(m);
  else h.set(m, n);
  if (h.size === 0) index.delete(key);
}
