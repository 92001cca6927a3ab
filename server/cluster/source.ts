// Every data source (live cluster via client-node informers, the simulated cluster, a folder of
// manifests) behind one interface: the live engine only sees these events.

/** The resources Traffic Map watches (read-only: list and watch, never Secrets). */
export type ResourceKind = 'pods' | 'namespaces' | 'networkpolicies';
export const RESOURCE_KINDS: readonly ResourceKind[] = ['pods', 'namespaces', 'networkpolicies'];

export type ResourceState =
  /** Listing for the first time (or after a restart), nothing known yet. */
  | 'syncing'
  /** Listed, and watching. */
  | 'synced'
  /** The watch broke; restarting with backoff. What was known is kept but may be stale. */
  | 'reconnecting'
  /** The API server answered 403: this data is unknown, not empty. */
  | 'forbidden'
  /** Another error (500, unreachable, bad answer); retrying with backoff. */
  | 'error';

export interface ResourceStatus {
  state: ResourceState;
  /** True once a full list has been received since the source started. */
  syncedOnce: boolean;
  lastError?: string;
  /** ISO time of the last event (or list) received. */
  lastEventAt?: string;
  /** Namespaces this status is about when watching a namespace list; absent = cluster-wide. */
  namespace?: string;
}

export type SourceEvent =
  /** An object appeared or changed (raw Kubernetes JSON, as the API serves it). */
  | { type: 'upsert'; resource: ResourceKind; object: unknown }
  /** An object is gone (the last known state of it). */
  | { type: 'delete'; resource: ResourceKind; object: unknown }
  /** Per-resource (and per-namespace, when scoped) sync state changed. */
  | { type: 'status'; resource: ResourceKind; status: ResourceStatus };

export type SourceListener = (event: SourceEvent) => void;

export interface ClusterSource {
  /** What it watches, for logs and the UI: "context kind-prod (https://...)", "simulated cluster demo". */
  readonly description: string;
  /** Starts watching; resolves once every watch has been started (not necessarily synced). */
  start(listener: SourceListener): Promise<void>;
  /** Stops every watch; no event is delivered after it resolves. */
  stop(): Promise<void>;
  /** Current status per resource (and per namespace when scoped). */
  status(): Record<ResourceKind, ResourceStatus[]>;
}
