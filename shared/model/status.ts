// Sync state of each watched resource: shared by the server (which tracks it) and every client
// (which must show what is unknown as unknown).

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

export type SourceStatus = Record<ResourceKind, ResourceStatus[]>;
