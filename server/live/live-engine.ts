// The running engine: folds source events into the cluster state, recomputes the analysis once
// per burst, and emits a numbered delta saying what changed (pods, isolation, rows and columns of
// the matrix that may have changed, findings, source status).
import type { Finding } from '../../shared/engine/analysis.ts';
import { analyze, type EngineAnalysis } from '../../shared/engine/engine.ts';
import type { AnalysisOptions } from '../../shared/model/types.ts';
import type { ResourceKind, ResourceStatus, SourceEvent } from '../cluster/source.ts';
import { ClusterState } from './cluster-state.ts';

/** Isolation of a pod, or null when its policies are unknown (not synced, or forbidden). */
export type LiveIsolation = { ingress: boolean; egress: boolean } | null;

export interface LiveDelta {
  seq: number;
  /** ISO time the batch was applied. */
  at: string;
  /** How many source events the batch folded in. */
  events: number;
  pods: { added: string[]; removed: string[] };
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
  source: Map<string, string>;
  destination: Map<string, string>;
  isolation: Map<string, LiveIsolation>;
  findings: Map<string, Finding>;
  externals: string;
}

export interface LiveEngineOptions {
  analysis: AnalysisOptions;
  /** Events arriving within this window are applied together (a rollout is one delta). */
  coalesceMs?: number;
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
    return this.current.isolation.get(podId);
  }

  onDelta(listener: (delta: LiveDelta) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Queues an event; the batch is applied after the coalescing window. */
  apply(event: SourceEvent): void {
    this.pending.push(event);
    if (this.timer === null) {
      this.timer = setTimeout(() => this.flush(), this.options.coalesceMs ?? 20);
    }
  }

  /** Applies every queued event now; returns the delta (null when nothing was queued). */
  flush(): LiveDelta | null {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return null;
    let statusChanged = false;
    for (const e of batch) {
      if (e.type === 'upsert') this.state.upsert(e.resource, e.object);
      else if (e.type === 'delete') this.state.delete(e.resource, e.object);
      else {
        this.state.setStatus(e.resource, e.status);
        statusChanged = true;
      }
    }
    const before = this.current;
    const after = this.compute();
    this.current = after;
    this.lastEventAt = new Date().toISOString();
    const delta = this.diff(before, after, batch.length, statusChanged);
    for (const l of this.listeners) l(delta);
    return delta;
  }

  get lastUpdate(): string | undefined {
    return this.lastEventAt;
  }

  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.listeners.clear();
  }

  private compute(): Computed {
    const cluster = this.state.cluster();
    const analysis = analyze(cluster, this.options.analysis);
    const unknown = this.state.unknownNamespaces();
    const isUnknown = (ns: string) => unknown === 'all' || unknown.has(ns);
    const sigs = analysis.signatures((id) => `${id}@${this.state.policyVersion(id)}`);
    const source = new Map<string, string>();
    const destination = new Map<string, string>();
    const isolation = new Map<string, LiveIsolation>();
    analysis.pods.forEach((pod, i) => {
      const c = analysis.classSet.classOfPod[i]!;
      source.set(pod.id, sigs.source[c]!);
      destination.set(pod.id, sigs.destination[c]!);
      isolation.set(pod.id, isUnknown(pod.namespace) ? null : analysis.isolation(i));
    });
    // Findings about namespaces or policies whose data is unknown would be guesses: leave them out.
    const findings = new Map<string, Finding>();
    for (const f of analysis.findings) {
      const ns = f.kind === 'namespace-without-default-deny' ? f.subject : f.subject.split('/')[0]!;
      if (!isUnknown(ns)) findings.set(findingKey(f), f);
    }
    return { analysis, unknown, source, destination, isolation, findings, externals: sigs.externals };
  }

  private diff(before: Computed, after: Computed, events: number, statusChanged: boolean): LiveDelta {
    const added: string[] = [];
    const removed: string[] = [];
    const sources: string[] = [];
    const destinations: string[] = [];
    const isolation: LiveDelta['isolation'] = [];
    for (const [pod, sig] of after.source) {
      const old = before.source.get(pod);
      if (old === undefined) added.push(pod);
      else if (old !== sig) sources.push(pod);
      if (old !== undefined && before.destination.get(pod) !== after.destination.get(pod)) destinations.push(pod);
      const iso = after.isolation.get(pod)!;
      const oldIso = before.isolation.get(pod);
      if (oldIso === undefined || JSON.stringify(oldIso) !== JSON.stringify(iso)) isolation.push({ pod, isolation: iso });
    }
    for (const pod of before.source.keys()) if (!after.source.has(pod)) removed.push(pod);
    const findingsAdded = [...after.findings].filter(([k]) => !before.findings.has(k)).map(([, f]) => f);
    const findingsRemoved = [...before.findings].filter(([k]) => !after.findings.has(k)).map(([, f]) => f);
    return {
      seq: ++this.seqNo,
      at: new Date().toISOString(),
      events,
      pods: { added, removed },
      sources,
      destinations,
      isolation,
      externals: before.externals !== after.externals,
      findings: { added: findingsAdded, removed: findingsRemoved },
      ...(statusChanged ? { status: this.state.status() } : {}),
    };
  }
}
