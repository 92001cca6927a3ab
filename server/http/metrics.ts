// Prometheus metrics (`GET /metrics`, prom-client text format). The posture gauges are computed at
// scrape time from the live engine's current analysis (once per analysis, see posture-figures.ts),
// the source status from the engine's state, the clients from the socket hub.
//
// traffic_map_event_to_delta_seconds measures, per cluster event (upsert or delete), from the moment
// the watch event reached the server (client-node has parsed it and the source hands it over) to
// the moment the engine emits the delta that contains it: the coalescing wait, the recomputation
// and the diff. Sending the delta to sockets comes after and is not included (bench: socket section).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { NextFunction, Request, Response } from 'express';
import type { SourceEvent } from '../cluster/source.ts';
import type { LiveDelta, LiveEngine } from '../live/live-engine.ts';
import { bearerToken, tokenMatches } from './auth.ts';
import type { ReadyReport } from './health.ts';
import { postureFigures, type Direction, type NamespaceFigures, type PostureFigures } from './posture-figures.ts';

export interface MetricsInputs {
  engine: LiveEngine;
  /** Current readiness (traffic_map_ready). */
  readiness: () => ReadyReport;
  /** Sockets connected now, and how many of them are held back (not reading). */
  clients: () => { connected: number; lagging: number };
}

const DIRECTIONS = ['ingress', 'egress'] as const;
const STATES = ['syncing', 'synced', 'reconnecting', 'forbidden', 'error', 'not-installed'] as const;

export class ServerMetrics {
  readonly registry = new Registry();
  /** Receipt times of the events the engine has queued, oldest first. */
  private queued: { at: number; resource: string; change: boolean }[] = [];
  private cache: { analysis: unknown; unknown: unknown; figures: PostureFigures } | null = null;
  private readonly latency: Histogram<'resource'>;
  private readonly events: Counter<'resource' | 'type'>;
  private readonly deltas: Counter;

  constructor(private readonly inputs: MetricsInputs) {
    const registers = [this.registry];
    const figures = () => this.figures();
    collectDefaultMetrics({ register: this.registry, prefix: 'traffic_map_' });
    /** A gauge per namespace and direction; namespaces whose policies are unknown have no series. */
    const perKnownNamespaceAndDirection = (name: string, help: string, pick: (n: NamespaceFigures) => Record<Direction, number>) =>
      new Gauge({
        name,
        help,
        labelNames: ['namespace', 'direction'],
        registers,
        collect() {
          this.reset();
          for (const n of figures().namespaces) {
            if (n.unknown) continue;
            for (const direction of DIRECTIONS) this.set({ namespace: n.namespace, direction }, pick(n)[direction]);
          }
        },
      });

    new Gauge({
      name: 'traffic_map_pods',
      help: 'Pods in the matrix per namespace (host-network and finished pods are not), whether their policies are known or not.',
      labelNames: ['namespace'],
      registers,
      collect() {
        this.reset();
        for (const n of figures().namespaces) this.set({ namespace: n.namespace }, n.pods);
      },
    });
    perKnownNamespaceAndDirection('traffic_map_unprotected_pods', 'Pods no NetworkPolicy isolates (and no admin Deny rule covers) in the direction, per namespace. Namespaces whose policies are unknown have no series: see traffic_map_unknown_pods.', (n) => n.unprotected);
    new Gauge({
      name: 'traffic_map_unknown_pods',
      help: 'Pods whose policies are not known (not listed yet, or forbidden), per namespace: counted neither as protected nor as unprotected.',
      labelNames: ['namespace'],
      registers,
      collect() {
        this.reset();
        for (const n of figures().namespaces) this.set({ namespace: n.namespace }, n.unknown ? n.pods : 0);
      },
    });
    new Gauge({
      name: 'traffic_map_unknown_namespaces',
      help: 'Namespaces whose NetworkPolicies are not known (not listed yet, or forbidden).',
      registers,
      collect() {
        this.set(figures().unknownNamespaces);
      },
    });
    new Gauge({
      name: 'traffic_map_default_deny',
      help: '1 when a default-deny policy covers the direction in the namespace, else 0; per namespace with pods whose policies are known.',
      labelNames: ['namespace', 'direction'],
      registers,
      collect() {
        this.reset();
        for (const n of figures().namespaces) {
          for (const direction of DIRECTIONS) {
            const d = n.defaultDeny[direction];
            if (d !== null) this.set({ namespace: n.namespace, direction }, d ? 1 : 0);
          }
        }
      },
    });
    new Gauge({
      name: 'traffic_map_namespaces_without_default_deny',
      help: 'Namespaces with pods (policies known) that lack a default-deny policy for the direction.',
      labelNames: ['direction'],
      registers,
      collect() {
        const f = figures();
        for (const direction of DIRECTIONS) this.set({ direction }, f.withoutDefaultDeny[direction]);
      },
    });
    perKnownNamespaceAndDirection('traffic_map_allowed_pod_pairs', 'Ordered pairs of distinct pods with at least one port allowed, per namespace: direction="ingress" counts pairs into its pods, "egress" pairs out of them. Pods whose policies are unknown are left out.', (n) => n.allowedPodPairs);
    perKnownNamespaceAndDirection('traffic_map_allowed_external_connections', '(pod, external address range) pairs with at least one port allowed, per namespace: direction="ingress" from a range into its pods, "egress" from its pods to a range.', (n) => n.allowedExternal);
    new Gauge({
      name: 'traffic_map_findings',
      help: 'Policy findings per kind and severity (those about namespaces whose policies are unknown are left out).',
      labelNames: ['kind', 'severity'],
      registers,
      collect() {
        this.reset();
        for (const f of figures().findings) this.set({ kind: f.kind, severity: f.severity }, f.count);
      },
    });
    new Gauge({
      name: 'traffic_map_source_status',
      help: '1 for the current sync state of each watched resource (namespace="" when watched cluster-wide), 0 for the other states.',
      labelNames: ['resource', 'namespace', 'state'],
      registers,
      collect() {
        this.reset();
        for (const [resource, list] of Object.entries(inputs.engine.state.status())) {
          for (const s of list) {
            for (const state of STATES) this.set({ resource, namespace: s.namespace ?? '', state }, s.state === state ? 1 : 0);
          }
        }
      },
    });
    new Gauge({
      name: 'traffic_map_ready',
      help: '1 when /readyz answers ready (every watched resource listed once, none lost past the grace period), else 0.',
      registers,
      collect() {
        this.set(inputs.readiness().ready ? 1 : 0);
      },
    });
    new Gauge({
      name: 'traffic_map_connected_clients',
      help: 'Socket.io clients connected now.',
      registers,
      collect() {
        this.set(inputs.clients().connected);
      },
    });
    new Gauge({
      name: 'traffic_map_lagging_clients',
      help: 'Connected clients whose deltas are held back because they are not reading.',
      registers,
      collect() {
        this.set(inputs.clients().lagging);
      },
    });
    this.latency = new Histogram({
      name: 'traffic_map_event_to_delta_seconds',
      help: 'Per cluster event (upsert or delete), seconds from its receipt by the server to the engine emitting the delta that contains it (coalescing wait + recomputation + diff).',
      labelNames: ['resource'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.events = new Counter({
      name: 'traffic_map_source_events_total',
      help: 'Events received from the cluster source, per resource and type (upsert, delete, status).',
      labelNames: ['resource', 'type'],
      registers,
    });
    this.deltas = new Counter({ name: 'traffic_map_deltas_total', help: 'Deltas the live engine emitted.', registers });
  }

  /** An event reached the server (call it just before handing the event to the engine). */
  eventReceived(event: SourceEvent): void {
    this.events.inc({ resource: event.resource, type: event.type });
    this.queued.push({ at: performance.now(), resource: event.resource, change: event.type !== 'status' });
  }

  /**
   * The engine emitted a delta (call it from the first delta listener). The engine applies every
   * event queued so far in one synchronous flush, so every event received so far is in this delta.
   */
  deltaEmitted(_delta: LiveDelta): void {
    const now = performance.now();
    this.deltas.inc();
    for (const e of this.queued) if (e.change) this.latency.observe({ resource: e.resource }, (now - e.at) / 1000);
    this.queued = [];
  }

  /** The posture figures of the engine's current analysis, computed once per analysis. */
  figures(): PostureFigures {
    const { analysis, unknown } = this.inputs.engine;
    if (this.cache?.analysis !== analysis || this.cache.unknown !== unknown) this.cache = { analysis, unknown, figures: postureFigures(analysis, unknown) };
    return this.cache.figures;
  }

  /** Express handler for GET /metrics; with a token (and not public) it needs `Authorization: Bearer <token>`. */
  handler(options: { token?: string; public: boolean }) {
    return (req: Request, res: Response, next: NextFunction): void => {
      if (options.token !== undefined && !options.public && !tokenMatches(options.token, bearerToken(req.get('authorization')))) {
        res.status(401).json({ error: 'unauthorized', message: 'this server needs Authorization: Bearer <token> for /metrics (or start it with --public-metrics)' });
        return;
      }
      this.registry.metrics().then((body) => void res.type(this.registry.contentType).send(body), next);
    };
  }
}
