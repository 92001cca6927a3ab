// Every data source (live cluster via client-node informers, the simulated cluster, a folder of
// manifests) behind one interface: the live engine only sees these events.

import type { ResourceKind, ResourceStatus } from '../../shared/model/status.ts';

export {
  ADMIN_RESOURCE_KINDS,
  RESOURCE_KINDS,
  isAdminResource,
  statusKnown,
  type AdminResourceKind,
  type ResourceKind,
  type ResourceState,
  type ResourceStatus,
} from '../../shared/model/status.ts';

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
