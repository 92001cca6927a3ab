// Sync state of each watched resource: shared by the server (which tracks it) and every client
// (which must show what is unknown as unknown).

/**
 * The resources Traffic Map watches (read-only: list and watch, never Secrets). The last two are
 * the cluster-scoped admin tiers (policy.networking.k8s.io/v1alpha1): watched only when the API
 * server serves them (their CRDs are installed), else reported `not-installed`.
 */
export type ResourceKind = 'pods' | 'namespaces' | 'networkpolicies' | 'adminnetworkpolicies' | 'baselineadminnetworkpolicies';
export const RESOURCE_KINDS: readonly ResourceKind[] = ['pods', 'namespaces', 'networkpolicies', 'adminnetworkpolicies', 'baselineadminnetworkpolicies'];

/** The admin-tier resources: optional (a cluster without their CRDs has none of them). */
export type AdminResourceKind = 'adminnetworkpolicies' | 'baselineadminnetworkpolicies';
export const ADMIN_RESOURCE_KINDS: readonly AdminResourceKind[] = ['adminnetworkpolicies', 'baselineadminnetworkpolicies'];

export function isAdminResource(kind: ResourceKind): kind is AdminResourceKind {
  return kind === 'adminnetworkpolicies' || kind === 'baselineadminnetworkpolicies';
}

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
  | 'error'
  /**
   * API discovery says the API server does not serve this resource (for the admin tiers: the
   * AdminNetworkPolicy CRDs are not installed). Known, and empty: not an error. Discovery is
   * asked again now and then, so installing the CRDs later is picked up.
   */
  | 'not-installed';

export interface ResourceStatus {
  state: ResourceState;
  /**
   * True once the resource's content has been known in full since the source started: a full
   * list was received, or discovery found it not installed (then it holds nothing).
   */
  syncedOnce: boolean;
  lastError?: string;
  /** ISO time of the last event (or list) received. */
  lastEventAt?: string;
  /** Namespaces this status is about when watching a namespace list; absent = cluster-wide. */
  namespace?: string;
}

/**
 * Whether a status makes its data known: listed at least once and readable now (kept while
 * reconnecting: stale but known), or not installed (known to be empty).
 */
export function statusKnown(status: ResourceStatus): boolean {
  return status.state === 'not-installed' || (status.syncedOnce && status.state !== 'forbidden');
}

export type SourceStatus = Record<ResourceKind, ResourceStatus[]>;
