// The posture figures /metrics exposes, from the live analysis: per namespace the pods, the
// unprotected ones per direction, default deny per direction, and the allowed connections into and
// out of its pods. The same sources as the dashboard and the CLI: `isolation(pod)` (what
// `unprotected` and the matrix use), the engine's `namespace-without-default-deny` findings (what
// the overview uses), and the class matrix (what `analyze --group pod` lists).
//
// Unknown stays unknown: pods of a namespace whose policies are not known are counted as unknown,
// never as protected or unprotected, and no connection to or from them is counted (as the snapshot
// lists none).
//
// Cost: O(pods + non-empty key pairs + externals × keys), never pods²: pods with the same source
// key reach the same pods, so allowed pairs are counted per key pair (from the key matrix the
// pod-level views share, kept up to date incrementally), times the pods holding each key, minus the
// pod itself when its own key pair is open.
import type { EngineAnalysis } from '../../shared/engine/engine.ts';
import { PortTable } from '../../shared/engine/port-table.ts';
import { KeyMatrix } from '../views/key-matrix.ts';

export type Direction = 'ingress' | 'egress';

export interface NamespaceFigures {
  namespace: string;
  /** Pods in the matrix (host-network and finished pods are not). */
  pods: number;
  /** True when the namespace's policies are not known: then only `pods` means anything. */
  unknown: boolean;
  /** Pods not isolated in that direction (0 when unknown). */
  unprotected: Record<Direction, number>;
  /** Whether a default-deny policy covers the direction; null when unknown. */
  defaultDeny: Record<Direction, boolean | null>;
  /** Ordered pod pairs with something allowed: into this namespace's pods (ingress), out of them (egress). */
  allowedPodPairs: Record<Direction, number>;
  /** (pod, external range) pairs with something allowed: from a range into its pods, from its pods to a range. */
  allowedExternal: Record<Direction, number>;
}

export interface PostureFigures {
  /** Namespaces that have pods in the matrix, sorted by name. */
  namespaces: NamespaceFigures[];
  /** Namespaces (of the cluster) whose policies are not known. */
  unknownNamespaces: number;
  /** Known namespaces with pods lacking a default deny, per direction. */
  withoutDefaultDeny: Record<Direction, number>;
  /** Findings per kind and severity, those about unknown namespaces left out. */
  findings: { kind: string; severity: string; count: number }[];
}

const isUnknown = (unknown: 'all' | ReadonlySet<string>, ns: string) => unknown === 'all' || unknown.has(ns);

/** The namespace a finding is about (admin policy findings: none). */
function findingNamespace(kind: string, subject: string): string | null {
  if (kind === 'namespace-without-default-deny') return subject;
  const slash = subject.indexOf('/');
  return slash > 0 ? subject.slice(0, slash) : null;
}

export function postureFigures(a: EngineAnalysis, unknown: 'all' | ReadonlySet<string>): PostureFigures {
  const byName = new Map<string, NamespaceFigures>();
  const known: number[] = [];
  a.pods.forEach((pod, i) => {
    let ns = byName.get(pod.namespace);
    if (!ns) {
      const u = isUnknown(unknown, pod.namespace);
      ns = {
        namespace: pod.namespace,
        pods: 0,
        unknown: u,
        unprotected: { ingress: 0, egress: 0 },
        defaultDeny: u ? { ingress: null, egress: null } : { ingress: true, egress: true },
        allowedPodPairs: { ingress: 0, egress: 0 },
        allowedExternal: { ingress: 0, egress: 0 },
      };
      byName.set(pod.namespace, ns);
    }
    ns.pods++;
    if (ns.unknown) return;
    known.push(i);
    const iso = a.isolation(i);
    if (!iso.ingress) ns.unprotected.ingress++;
    if (!iso.egress) ns.unprotected.egress++;
  });

  const findingCounts = new Map<string, { kind: string; severity: string; count: number }>();
  for (const f of a.findings) {
    const ns = findingNamespace(f.kind, f.subject);
    if (ns !== null && isUnknown(unknown, ns)) continue;
    const key = `${f.kind}\t${f.severity}`;
    const entry = findingCounts.get(key) ?? { kind: f.kind, severity: f.severity, count: 0 };
    entry.count++;
    findingCounts.set(key, entry);
    if (f.kind === 'namespace-without-default-deny' && f.direction) {
      const row = byName.get(f.subject);
      if (row && !row.unknown) row.defaultDeny[f.direction] = false;
    }
  }

  countConnections(a, known, byName);

  const namespaces = [...byName.values()].sort((x, y) => (x.namespace < y.namespace ? -1 : x.namespace > y.namespace ? 1 : 0));
  const knownRows = namespaces.filter((n) => !n.unknown);
  return {
    namespaces,
    unknownNamespaces: a.cluster.namespaces.filter((n) => isUnknown(unknown, n.name)).length,
    withoutDefaultDeny: {
      ingress: knownRows.filter((n) => n.defaultDeny.ingress === false).length,
      egress: knownRows.filter((n) => n.defaultDeny.egress === false).length,
    },
    findings: [...findingCounts.values()].sort((x, y) => (x.kind + x.severity < y.kind + y.severity ? -1 : 1)),
  };
}

/** Allowed pod pairs and external connections per namespace, over the known pods, per key. */
function countConnections(a: EngineAnalysis, known: readonly number[], byName: Map<string, NamespaceFigures>): void {
  const { classOfPod } = a.classSet;
  const srcOf = (pod: number) => a.sourceKeyOfClass[classOfPod[pod]!]!;
  const dstOf = (pod: number) => a.destinationKeyOfClass[classOfPod[pod]!]!;
  // Known pods per key, and one pod holding each key (a key's pods all behave alike).
  const podsWithSource = new Map<number, number>();
  const podsWithDestination = new Map<number, number>();
  const sourceExample = new Map<number, number>();
  const destinationExample = new Map<number, number>();
  for (const p of known) {
    const s = srcOf(p);
    const d = dstOf(p);
    podsWithSource.set(s, (podsWithSource.get(s) ?? 0) + 1);
    podsWithDestination.set(d, (podsWithDestination.get(d) ?? 0) + 1);
    if (!sourceExample.has(s)) sourceExample.set(s, p);
    if (!destinationExample.has(d)) destinationExample.set(d, p);
  }
  const matrix = KeyMatrix.of(a);
  const selfOpen = new Map<number, boolean>();
  /** Whether a pod's own key pair is open (then it counted itself); memoized per key pair. */
  const open = (s: number, d: number) => {
    const k = s * a.destinationKeyCount + d;
    let v = selfOpen.get(k);
    if (v === undefined) selfOpen.set(k, (v = a.keyAllowedId(s, d) !== PortTable.EMPTY));
    return v;
  };
  // Pods each source key reaches, pods reaching each destination key (self pairs included, removed
  // below), over the non-empty entries of the key matrix the views share.
  const reach = new Map<number, number>();
  const reachedBy = new Map<number, number>();
  for (const [s, sources] of podsWithSource) {
    const row = matrix.rows[s]!;
    for (let i = 0; i < row.length; i += 2) {
      const d = row[i]!;
      const destinations = podsWithDestination.get(d);
      if (destinations === undefined) continue;
      reach.set(s, (reach.get(s) ?? 0) + destinations);
      reachedBy.set(d, (reachedBy.get(d) ?? 0) + sources);
    }
  }
  // External ranges per key: ranges that may reach a destination key, ranges a source key may reach.
  const rangesIn = new Map<number, number>();
  const rangesOut = new Map<number, number>();
  a.externals.forEach((ext, e) => {
    if (ext.asSource) {
      for (const [d, pod] of destinationExample) {
        if (matrix.external(e, 'from', d, pod) !== PortTable.EMPTY) rangesIn.set(d, (rangesIn.get(d) ?? 0) + 1);
      }
    }
    if (ext.asDestination) {
      for (const [s, pod] of sourceExample) {
        if (matrix.external(e, 'to', s, pod) !== PortTable.EMPTY) rangesOut.set(s, (rangesOut.get(s) ?? 0) + 1);
      }
    }
  });
  for (const p of known) {
    const ns = byName.get(a.pods[p]!.namespace)!;
    const s = srcOf(p);
    const d = dstOf(p);
    const self = open(s, d) ? 1 : 0;
    ns.allowedPodPairs.egress += (reach.get(s) ?? 0) - self;
    ns.allowedPodPairs.ingress += (reachedBy.get(d) ?? 0) - self;
    ns.allowedExternal.ingress += rangesIn.get(d) ?? 0;
    ns.allowedExternal.egress += rangesOut.get(s) ?? 0;
  }
}
