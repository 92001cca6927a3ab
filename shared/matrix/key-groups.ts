// A node's pods grouped by the engine's keys: pods with equal keys get equal answers, so a cell
// costs (source keys of A) × (destination keys of B), never pods². Shared by the grouped matrix
// and the diff.
import type { EngineAnalysis } from '../engine/engine.ts';
import type { Group } from './matrix.ts';

/** Pods of a node that share one key, with up to two representatives (pod indexes, for reasons). */
export interface KeyGroup {
  key: number;
  count: number;
  representatives: number[];
}

export function addToKeyGroup(groups: Map<number, KeyGroup>, key: number, podIndex: number): void {
  const g = groups.get(key);
  if (!g) groups.set(key, { key, count: 1, representatives: [podIndex] });
  else {
    g.count++;
    if (g.representatives.length < 2) g.representatives.push(podIndex);
  }
}

/** The node a pod belongs to at a level: the pod, its workload, or its namespace. */
export function nodeIdOf(a: EngineAnalysis, group: Group, podIndex: number): string {
  const pod = a.pods[podIndex]!;
  return group === 'pod' ? pod.id : group === 'workload' ? pod.workload : pod.namespace;
}
