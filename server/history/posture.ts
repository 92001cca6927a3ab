// The figures of one timeline sample: how many pods are unprotected per direction, how many pod
// pairs may talk, how many policies there are. Pods whose policies are unknown are counted apart,
// never as protected or open; with everything unknown the figures are null.
import type { EngineAnalysis } from '../../shared/engine/engine.ts';
import { PortTable } from '../../shared/engine/port-table.ts';
import { runToEnd } from '../run-in-slices.ts';

export interface PostureSample {
  /** Pods in the matrix (host-network and finished pods are not). */
  pods: number;
  /** Pods whose policies are not known. */
  unknownPods: number;
  /** Among the known pods: not isolated for ingress, for egress, for both. */
  unprotectedIngress: number | null;
  unprotectedEgress: number | null;
  unprotectedBoth: number | null;
  /** Ordered pairs of distinct known pods with at least one allowed port. */
  allowedPairs: number | null;
  /** NetworkPolicies, AdminNetworkPolicies and the baseline, in namespaces that are known. */
  policies: number | null;
}

/**
 * Cost: one pass over the pods, and one allowed-ports look-up per pair of (source key,
 * destination key) in use: classes that behave alike share keys, so this stays far below pods².
 * On the M cluster that is still 2.6 million look-ups, each computed the first time it is asked
 * (up to 1.5 s on a busy machine), so the work is cut in steps: the generator yields after every
 * `lookupsPerStep` look-ups, and the recorder lets the event loop run in between (the analysis
 * never changes under it).
 */
export function* postureSteps(a: EngineAnalysis, unknown: 'all' | ReadonlySet<string>, lookupsPerStep = 2048): Generator<void, PostureSample> {
  const isUnknown = (ns: string) => unknown === 'all' || unknown.has(ns);
  const sources = new Map<number, number>();
  const destinations = new Map<number, number>();
  let unknownPods = 0;
  let ingress = 0;
  let egress = 0;
  let both = 0;
  let self = 0;
  let lookups = 0;
  for (const [i, pod] of a.pods.entries()) {
    if (isUnknown(pod.namespace)) {
      unknownPods++;
      continue;
    }
    const iso = a.isolation(i);
    if (!iso.ingress) ingress++;
    if (!iso.egress) egress++;
    if (!iso.ingress && !iso.egress) both++;
    const c = a.classSet.classOfPod[i]!;
    const sk = a.sourceKeyOfClass[c]!;
    const dk = a.destinationKeyOfClass[c]!;
    sources.set(sk, (sources.get(sk) ?? 0) + 1);
    destinations.set(dk, (destinations.get(dk) ?? 0) + 1);
    // Counted below as if a pod could reach itself: taken off again.
    if (a.keyAllowedId(sk, dk) !== PortTable.EMPTY) self++;
    if (++lookups % lookupsPerStep === 0) yield;
  }
  let pairs = 0;
  for (const [sk, n] of sources) {
    for (const [dk, m] of destinations) {
      if (a.keyAllowedId(sk, dk) !== PortTable.EMPTY) pairs += n * m;
      if (++lookups % lookupsPerStep === 0) yield;
    }
  }
  const all = unknown === 'all';
  const knownPolicies = a.cluster.policies.filter((p) => !isUnknown(p.namespace)).length + a.cluster.adminPolicies.length + (a.cluster.baselineAdminPolicy ? 1 : 0);
  return {
    pods: a.pods.length,
    unknownPods,
    unprotectedIngress: all ? null : ingress,
    unprotectedEgress: all ? null : egress,
    unprotectedBoth: all ? null : both,
    allowedPairs: all ? null : pairs - self,
    policies: all ? null : knownPolicies,
  };
}

/** The sample, computed at once. */
export function postureSample(a: EngineAnalysis, unknown: 'all' | ReadonlySet<string>): PostureSample {
  return runToEnd(postureSteps(a, unknown));
}
