// The running engine: folds source events into the cluster state, recomputes the analysis once
// per burst, and emits a numbered delta saying what changed (pods, isolation, rows and columns of
// the matrix that may have changed, findings, source status).
import type { Finding } from '../../shared/engine/analysis.ts';
import { analyze, type EngineAnalysis } from '../../shared/engine/engine.ts';
import { sameFinding } from '../../shared/engine/findings.ts';
import { analysisLike } from '../../shared/engine/similar.ts';
import type { AnalysisOptions } from '../../shared/model/types.ts';
import type { ResourceKind, ResourceStatus, SourceEvent } from '../cluster/source.ts';
import { ClusterState, type PreparedLoad } from './cluster-state.ts';

/** Isolation of a pod, or null when its policies are unknown (not synced, or forbidden). */
export type LiveIsolation = { ingress: boolean; egress: boolean } | null;

export interface LiveDelta {
  seq: number;
  /** ISO time the batch was applied. */
  at: string;
  /** How many source events the batch folded in. */
  events: number;
  pods: { added: string[]; removed: string[] };
  /** Every pod id an event of the batch was about (labels may have changed without any connection changing). */
  touched: string[];
  /** Pods (present before and after) whose outgoing connections may have changed. */
  sources: string[];
  /** Pods (present before and after) whose incoming connections may have changed. */
  destinations: string[];
  /** Pods whose isolation changed (null: now unknown). Added pods are listed too. */
  isolation: { pod: string; isolation: LiveIsolation }[];
  /** External ranges, or what may reach them / what they may reach, changed. */
  externals: boolean;
  findings: { added: Finding[]; removed: Finding[] };
  /** Present when a resource's sync status changed in this batch. */
  status?: Record<ResourceKind, ResourceStatus[]>;
}

interface Computed {
  analysis: EngineAnalysis;
  unknown: 'all' | Set<string>;
  /** Signatures per class (see EngineAnalysis.signatures). */
  source: string[];
  destination: string[];
  externals: string;
  findings: Map<string, Finding>;
  /** ClusterState.structureVersion this was computed at. */
  structure: number;
}

export interface LiveEngineOptions {
  analysis: AnalysisOptions;
  /** Events arriving within this window are applied together (a rollout is one delta). */
  coalesceMs?: number;
}

function podIdOf(object: unknown): string {
  const m = (object as { metadata?: { name?: string; namespace?: string } }).metadata ?? {};
  return `${m.namespace ?? 'default'}/${m.name ?? ''}`;
}

function isUnknown(unknown: 'all' | ReadonlySet<string>, namespace: string): boolean {
  return unknown === 'all' || unknown.has(namespace);
}

function isolationFor(a: EngineAnalysis, unknown: 'all' | ReadonlySet<string>, podIndex: number): LiveIsolation {
  return isUnknown(unknown, a.pods[podIndex]!.namespace) ? null : a.isolation(podIndex);
}

/** A pod's isolation in a computed state; undefined when the pod is not in the matrix. */
function isolationIn(c: { analysis: EngineAnalysis; unknown: 'all' | ReadonlySet<string> }, podId: string): LiveIsolation | undefined {
  const i = c.analysis.podIndex(podId);
  return i < 0 ? undefined : isolationFor(c.analysis, c.unknown, i);
}

const sameIsolation = (a: LiveIsolation | undefined, b: LiveIsolation | undefined) =>
  a === b || (a != null && b != null && a.ingress === b.ingress && a.egress === b.egress);

/** Findings about namespaces or policies whose data is unknown would be guesses: leave them out. */
function findingsMap(analysis: EngineAnalysis, unknown: 'all' | ReadonlySet<string>): Map<string, Finding> {
  const findings = new Map<string, Finding>();
  for (const f of analysis.findings) {
    const ns = f.kind === 'namespace-without-default-deny' ? f.subject : f.subject.split('/')[0]!;
    if (!isUnknown(unknown, ns)) findings.set(findingKey(f), f);
  }
  return findings;
}

function findingsDiff(before: Map<string, Finding>, after: Map<string, Finding>): LiveDelta['findings'] {
  if (before === after) return { added: [], removed: [] };
  // A finding whose text changed (its policy was edited) is removed and added again.
  const kept = (f: Finding, other: Finding | undefined) => other !== undefined && sameFinding(f, other);
  return {
    added: [...after].filter(([k, f]) => !kept(f, before.get(k))).map(([, f]) => f),
    removed: [...before].filter(([k, f]) => !kept(f, after.get(k))).map(([, f]) => f),
  };
}

const findingKey = (f: Finding) => `${f.kind}|${f.subject}|${f.field ?? ''}|${f.direction ?? ''}`;

export class LiveEngine {
  readonly state = new ClusterState();
  private current: Computed;
  private seqNo = 0;
  private pending: SourceEvent[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly listeners = new Set<(delta: LiveDelta) => void>();
  private lastEventAt: string | undefined;
  private lastFlushAt = -Infinity;

  constructor(private readonly options: LiveEngineOptions) {
    this.current = this.compute();
  }

  get seq(): number {
    return this.seqNo;
  }

  get analysis(): EngineAnalysis {
    return this.current.analysis;
  }

  /** Namespaces whose pods are unknown, or 'all'. */
  get unknown(): 'all' | ReadonlySet<string> {
    return this.current.unknown;
  }

  isolationOf(podId: string): LiveIsolation | undefined {
    return isolationIn(this.current, podId);
  }

  onDelta(listener: (delta: LiveDelta) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Queues an event. After a quiet period the batch is applied at once (low latency); events that
   * follow within the coalescing window wait for its end and are applied together (a rollout of
   * 500 pods is a handful of deltas, not 500).
   */
  apply(event: SourceEvent): void {
    this.pending.push(event);
    if (this.timer !== null) return;
    const window = this.options.coalesceMs ?? 20;
    const wait = Math.max(0, this.lastFlushAt + window - performance.now());
    this.timer = setTimeout(() => this.flush(), wait);
  }

  /** Applies every queued event now; returns the delta (null when nothing was queued). */
  flush(): LiveDelta | null {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return null;
    this.lastFlushAt = performance.now();
    let statusChanged = false;
    const touchedPods = new Set<string>();
    for (const e of batch) {
      if (e.type === 'upsert') this.state.upsert(e.resource, e.object);
      else if (e.type === 'delete') this.state.delete(e.resource, e.object);
      else {
        this.state.setStatus(e.resource, e.status);
        statusChanged = true;
      }
      if (e.type !== 'status' && e.resource === 'pods') touchedPods.add(podIdOf(e.object));
    }
    const before = this.current;
    // Pods only: the class-level analysis stands, and pods in new classes are placed into it.
    const rebased = this.state.structureVersion === before.structure ? this.rebase(before, touchedPods) : null;
    const after = rebased ?? this.compute();
    this.current = after;
    this.lastEventAt = new Date().toISOString();
    const delta = rebased
      ? this.diffPods(before, after, touchedPods, batch.length, statusChanged)
      : this.diff(before, after, batch.length, statusChanged);
    delta.touched = [...touchedPods];
    for (const l of this.listeners) l(delta);
    return delta;
  }

  /**
   * Brings a fresh engine to a known state at once (a history checkpoint): statuses, then the
   * objects in one load (`prepareLoad`, possibly made in another thread), then one analysis. No
   * delta: nobody listens to a rebuilt engine yet. `basis`: an analysis of a cluster with the same
   * namespaces and policies, whose class level the load's analysis may take (see analysisLike).
   */
  load(statuses: readonly { resource: ResourceKind; status: ResourceStatus }[], objects: PreparedLoad, basis?: EngineAnalysis): void {
    if (this.seqNo !== 0 || this.pending.length > 0) throw new Error('LiveEngine.load: only a fresh engine can be loaded');
    for (const s of statuses) this.state.setStatus(s.resource, s.status);
    this.state.loadPrepared(objects);
    this.current = this.compute(basis);
    this.lastEventAt = new Date().toISOString();
  }

  get lastUpdate(): string | undefined {
    return this.lastEventAt;
  }

  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.listeners.clear();
  }

  private compute(basis?: EngineAnalysis): Computed {
    const cluster = this.state.cluster();
    // The previous analysis lends its classes and selections when they still hold.
    const analysis = (basis && analysisLike(basis, cluster, this.options.analysis)) ?? analyze(cluster, this.options.analysis, (this.current as Computed | undefined)?.analysis);
    const sigs = analysis.signatures(this.policyTag);
    const unknown = this.state.unknownNamespaces();
    return {
      analysis,
      unknown,
      source: sigs.source,
      destination: sigs.destination,
      externals: sigs.externals,
      findings: findingsMap(analysis, unknown),
      structure: this.state.structureVersion,
    };
  }

  private readonly policyTag = (id: string) => `${id}@${this.state.policyVersion(id)}`;

  private rebase(before: Computed, touched: ReadonlySet<string>): Computed | null {
    const analysis = before.analysis.withPods(this.state.cluster(), touched, this.state.anyPodUsesIpv6);
    if (!analysis) return null;
    const fresh = this.state.unknownNamespaces();
    const sameUnknown = JSON.stringify(fresh === 'all' ? fresh : [...fresh]) === JSON.stringify(before.unknown === 'all' ? before.unknown : [...before.unknown]);
    const unknown = sameUnknown ? before.unknown : fresh;
    // The analysis keeps its findings array when no finding changed.
    const findings = sameUnknown && analysis.findings === before.analysis.findings ? before.findings : findingsMap(analysis, unknown);
    const known = before.source.length;
    if (analysis.classSet.classes.length === known) return { ...before, analysis, unknown, findings };
    // New classes: describe just them.
    const more = analysis.signatures(this.policyTag, known);
    return {
      ...before,
      analysis,
      unknown,
      findings,
      source: [...before.source, ...more.source],
      destination: [...before.destination, ...more.destination],
    };
  }

  /** The delta of a pod-only batch: only the touched pods can have changed (plus isolation when knowledge changed). */
  private diffPods(before: Computed, after: Computed, touched: Set<string>, events: number, statusChanged: boolean): LiveDelta {
    const added: string[] = [];
    const removed: string[] = [];
    const sources: string[] = [];
    const destinations: string[] = [];
    const isolation: LiveDelta['isolation'] = [];
    const classOf = (c: Computed, id: string) => {
      const i = c.analysis.podIndex(id);
      return i < 0 ? -1 : c.analysis.classSet.classOfPod[i]!;
    };
    for (const id of touched) {
      const was = classOf(before, id);
      const now = classOf(after, id);
      if (was < 0 && now >= 0) added.push(id);
      else if (was >= 0 && now < 0) removed.push(id);
      else if (was >= 0 && now >= 0) {
        if (before.source[was] !== after.source[now]) sources.push(id);
        if (before.destination[was] !== after.destination[now]) destinations.push(id);
      }
      if (now >= 0) {
        const iso = isolationIn(after, id)!;
        if (!sameIsolation(isolationIn(before, id), iso)) isolation.push({ pod: id, isolation: iso });
      }
    }
    if (after.unknown !== before.unknown) {
      after.analysis.pods.forEach((pod, i) => {
        const iso = isolationFor(after.analysis, after.unknown, i);
        if (!touched.has(pod.id) && !sameIsolation(isolationIn(before, pod.id), iso)) isolation.push({ pod: pod.id, isolation: iso });
      });
    }
    return {
      seq: ++this.seqNo,
      at: new Date().toISOString(),
      events,
      pods: { added: added.sort(), removed: removed.sort() },
      touched: [],
      sources,
      destinations,
      isolation,
      externals: false,
      findings: findingsDiff(before.findings, after.findings),
      ...(statusChanged ? { status: this.state.status() } : {}),
    };
  }

  private diff(before: Computed, after: Computed, events: number, statusChanged: boolean): LiveDelta {
    const added: string[] = [];
    const removed: string[] = [];
    const sources: string[] = [];
    const destinations: string[] = [];
    const isolation: LiveDelta['isolation'] = [];
    const b = before.analysis;
    const a = after.analysis;
    if (b.classSet === a.classSet) {
      // Same pods in the same classes (a policy or namespace change): compare class by class.
      const changed = a.classSet.classes.map((c, id) => {
        const src = before.source[id] !== after.source[id];
        const dst = before.destination[id] !== after.destination[id];
        return { src, dst };
      });
      a.pods.forEach((pod, i) => {
        const c = changed[a.classSet.classOfPod[i]!]!;
        if (c.src) sources.push(pod.id);
        if (c.dst) destinations.push(pod.id);
        if ((c.src || c.dst || before.unknown !== after.unknown) && !sameIsolation(isolationFor(b, before.unknown, i), isolationFor(a, after.unknown, i))) {
          isolation.push({ pod: pod.id, isolation: isolationFor(a, after.unknown, i) });
        }
      });
    } else {
      const signaturesBefore = new Map<string, [string, string]>();
      b.pods.forEach((pod, i) => {
        const c = b.classSet.classOfPod[i]!;
        signaturesBefore.set(pod.id, [before.source[c]!, before.destination[c]!]);
      });
      a.pods.forEach((pod, i) => {
        const c = a.classSet.classOfPod[i]!;
        const old = signaturesBefore.get(pod.id);
        if (old === undefined) added.push(pod.id);
        else {
          if (old[0] !== after.source[c]) sources.push(pod.id);
          if (old[1] !== after.destination[c]) destinations.push(pod.id);
        }
        const iso = isolationFor(a, after.unknown, i);
        if (old === undefined || !sameIsolation(isolationIn(before, pod.id), iso)) isolation.push({ pod: pod.id, isolation: iso });
      });
      const present = new Set(a.pods.map((p) => p.id));
      for (const pod of signaturesBefore.keys()) if (!present.has(pod)) removed.push(pod);
    }
    return {
      seq: ++this.seqNo,
      at: new Date().toISOString(),
      events,
      pods: { added, removed },
      touched: [],
      sources,
      destinations,
      isolation,
      externals: before.externals !== after.externals,
      findings: findingsDiff(before.findings, after.findings),
      ...(statusChanged ? { status: this.state.status() } : {}),
    };
  }
}
