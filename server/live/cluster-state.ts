// The cluster as the source has told it so far: raw objects folded into model objects one at a
// time (keyed by namespace/name, idempotent), plus what is unknown. Each object goes through the
// same loader as offline analysis, so live and offline give the same answers.
import { buildCluster } from '../../shared/kube/load.ts';
import { implicitNamespace } from '../../shared/kube/namespace.ts';
import { compareText as byText } from '../../shared/model/order.ts';
import type { AdminNetworkPolicy, BaselineAdminNetworkPolicy, Cluster, Diagnostic, Namespace, NetworkPolicy, Pod, Workload } from '../../shared/model/types.ts';
import { ADMIN_RESOURCE_KINDS, RESOURCE_KINDS, isAdminResource, statusKnown } from '../cluster/source.ts';
import type { ResourceKind, ResourceStatus } from '../cluster/source.ts';

const KIND_OF: Record<ResourceKind, string> = {
  pods: 'Pod',
  namespaces: 'Namespace',
  networkpolicies: 'NetworkPolicy',
  adminnetworkpolicies: 'AdminNetworkPolicy',
  baselineadminnetworkpolicies: 'BaselineAdminNetworkPolicy',
};

/** The id the engine tags an admin policy with in its signatures (`AdminNetworkPolicy/name`). */
export const adminPolicyId = (policy: { kind: string; name: string }): string => `${policy.kind}/${policy.name}`;

interface Meta {
  name?: string;
  namespace?: string;
  uid?: string;
}

function metaOf(object: unknown): Meta {
  const m = (object as { metadata?: Meta } | null)?.metadata;
  return m && typeof m === 'object' ? m : {};
}

const clusterScoped = (resource: ResourceKind) => resource === 'namespaces' || isAdminResource(resource);

function keyOf(resource: ResourceKind, object: unknown): string {
  const m = metaOf(object);
  return clusterScoped(resource) ? (m.name ?? '') : `${m.namespace ?? 'default'}/${m.name ?? ''}`;
}

export class ClusterState {
  private readonly pods = new Map<string, Pod>();
  private readonly namespaces = new Map<string, Namespace>();
  private readonly policies = new Map<string, NetworkPolicy>();
  /** AdminNetworkPolicies by name, and the BaselineAdminNetworkPolicy (only `default` loads). */
  private readonly adminPolicies = new Map<string, AdminNetworkPolicy>();
  private baselineAdminPolicy: BaselineAdminNetworkPolicy | null = null;
  private readonly uids = new Map<string, string>();
  /** Per policy id, bumped on every change: signatures use it to see a changed policy. */
  private readonly policyVersions = new Map<string, number>();
  private readonly diagnosticsByKey = new Map<string, Diagnostic[]>();
  private readonly statuses = new Map<ResourceKind, ResourceStatus[]>();
  private versionCounter = 0;
  /** Bumped when a namespace or a policy changes: pod-only batches keep the class-level analysis. */
  private structure = 0;
  /** Pods sorted by id, kept in order as pods come and go (no re-sort per event). */
  private sortedPods: Pod[] = [];
  private ipv6Pods = 0;
  private cached: { structure: number; policies: NetworkPolicy[]; adminPolicies: AdminNetworkPolicy[] } | null = null;
  private workloadPods = new Map<string, { workload: Workload; pods: number }>();
  /** Sorted workloads and namespaces, rebuilt only when the set of workloads or namespaces changes. */
  private sortedWorkloads: Workload[] | null = null;
  private sortedNamespaces: { structure: number; list: Namespace[] } | null = null;

  /** Applies an add/update. Returns false when the object is invalid (it is then left out, with diagnostics). */
  upsert(resource: ResourceKind, object: unknown): boolean {
    const withKind = { ...(object as object), kind: KIND_OF[resource] };
    const key = `${resource}:${keyOf(resource, object)}`;
    const { cluster, diagnostics } = buildCluster([{ object: withKind }]);
    if (diagnostics.length > 0) this.diagnosticsByKey.set(key, diagnostics);
    else this.diagnosticsByKey.delete(key);
    const uid = metaOf(object).uid;
    if (uid) this.uids.set(key, uid);
    if (resource === 'pods') {
      const pod = cluster.pods[0];
      this.deleteKey(resource, keyOf(resource, object));
      if (pod) this.addPod(pod, cluster.workloads.find((w) => w.id === pod.workload)!);
      return pod !== undefined;
    }
    this.structure++;
    if (resource === 'namespaces') {
      const name = keyOf(resource, object);
      const ns = cluster.namespaces.find((n) => n.name === name && diagnostics.every((d) => d.severity !== 'error'));
      this.namespaces.delete(name);
      if (ns) this.namespaces.set(ns.name, ns);
      return ns !== undefined;
    }
    this.deleteKey(resource, keyOf(resource, object));
    if (resource === 'adminnetworkpolicies' || resource === 'baselineadminnetworkpolicies') {
      const admin = resource === 'adminnetworkpolicies' ? cluster.adminPolicies[0] : cluster.baselineAdminPolicy;
      if (!admin) return false;
      if (admin.kind === 'AdminNetworkPolicy') this.adminPolicies.set(admin.name, admin);
      else this.baselineAdminPolicy = admin;
      this.policyVersions.set(adminPolicyId(admin), ++this.versionCounter);
      return true;
    }
    const policy = cluster.policies[0];
    if (policy) {
      this.policies.set(policy.id, policy);
      this.policyVersions.set(policy.id, ++this.versionCounter);
    }
    return policy !== undefined;
  }

  /**
   * Loads many objects into an empty state at once (a checkpoint of the history), from their
   * loader pass made beforehand (`prepareLoad`, possibly in another thread): the quiet objects
   * together, those the loader has something to say about upserted one by one. The state is the
   * one upserting each in turn gives (test/unit/history-rebuild.test.ts checks rebuilt instants
   * against the live engine); a rebuild of the M cluster spends half the time a one-by-one load takes.
   */
  loadPrepared(prepared: PreparedLoad): void {
    if (!this.empty) throw new Error('ClusterState.loadPrepared: the state is not empty');
    for (const o of prepared.oneByOne) this.upsert(o.resource, o.object);
    const loaded = prepared.quiet;
    if (loaded) {
      const { cluster, namespaces } = loaded;
      for (const ns of namespaces) this.namespaces.set(ns.name, ns);
      for (const policy of cluster.policies) {
        this.policies.set(policy.id, policy);
        this.policyVersions.set(policy.id, ++this.versionCounter);
      }
      for (const admin of cluster.adminPolicies) {
        this.adminPolicies.set(admin.name, admin);
        this.policyVersions.set(adminPolicyId(admin), ++this.versionCounter);
      }
      if (cluster.baselineAdminPolicy) {
        this.baselineAdminPolicy = cluster.baselineAdminPolicy;
        this.policyVersions.set(adminPolicyId(cluster.baselineAdminPolicy), ++this.versionCounter);
      }
      if (loaded.structural) this.structure++;
      const workloads = new Map(cluster.workloads.map((w) => [w.id, w]));
      // Sorted again when next asked for, not edited workload by workload.
      this.sortedWorkloads = null;
      if (this.sortedPods.length === 0) {
        // Already in id order: no insertion one by one.
        for (const pod of cluster.pods) this.pods.set(pod.id, pod);
        this.sortedPods = [...cluster.pods];
        for (const pod of cluster.pods) this.countPod(pod, workloads.get(pod.workload)!);
      } else {
        for (const pod of cluster.pods) this.addPod(pod, workloads.get(pod.workload)!);
      }
    }
    // The uid ClusterState knows for a key may be an earlier version's (an update without one).
    for (const [key, uid] of prepared.uids) this.uids.set(key, uid);
  }

  private get empty(): boolean {
    return this.pods.size + this.namespaces.size + this.policies.size + this.adminPolicies.size === 0 && this.baselineAdminPolicy === null;
  }

  /** Applies a delete; a stale delete (another uid now holds the name) is ignored. */
  delete(resource: ResourceKind, object: unknown): void {
    const key = keyOf(resource, object);
    const uid = metaOf(object).uid;
    const known = this.uids.get(`${resource}:${key}`);
    if (uid && known && uid !== known) return;
    this.deleteKey(resource, key);
    this.uids.delete(`${resource}:${key}`);
    this.diagnosticsByKey.delete(`${resource}:${key}`);
  }

  private deleteKey(resource: ResourceKind, key: string): void {
    if (resource === 'pods') {
      const pod = this.pods.get(key);
      if (pod) this.removePod(pod);
      return;
    }
    this.structure++;
    if (resource === 'namespaces') this.namespaces.delete(key);
    else if (resource === 'networkpolicies') {
      if (this.policies.delete(key)) this.policyVersions.set(key, ++this.versionCounter);
    } else if (resource === 'adminnetworkpolicies') {
      if (this.adminPolicies.delete(key)) this.policyVersions.set(adminPolicyId({ kind: 'AdminNetworkPolicy', name: key }), ++this.versionCounter);
    } else if (this.baselineAdminPolicy?.name === key) {
      this.baselineAdminPolicy = null;
      this.policyVersions.set(adminPolicyId({ kind: 'BaselineAdminNetworkPolicy', name: key }), ++this.versionCounter);
    }
  }

  private position(id: string): number {
    let lo = 0;
    let hi = this.sortedPods.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.sortedPods[mid]!.id < id) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private addPod(pod: Pod, workload: Workload): void {
    this.pods.set(pod.id, pod);
    this.sortedPods.splice(this.position(pod.id), 0, pod);
    this.countPod(pod, workload);
  }

  /** The IPv6 and per-workload counts of an added pod. */
  private countPod(pod: Pod, workload: Workload): void {
    if (pod.exclusion === null && pod.ips.some((ip) => ip.includes(':'))) this.ipv6Pods++;
    const w = this.workloadPods.get(pod.workload);
    if (w) w.pods++;
    else {
      this.workloadPods.set(pod.workload, { workload, pods: 1 });
      this.workloadsChanged(workload, 0);
    }
  }

  private removePod(pod: Pod): void {
    this.pods.delete(pod.id);
    this.sortedPods.splice(this.position(pod.id), 1);
    if (pod.exclusion === null && pod.ips.some((ip) => ip.includes(':'))) this.ipv6Pods--;
    const w = this.workloadPods.get(pod.workload)!;
    if (--w.pods === 0) {
      this.workloadPods.delete(pod.workload);
      this.workloadsChanged(w.workload, 1);
    }
  }

  /**
   * A workload was added (or removed: `remove` 1). The sorted list, once built, is edited in a copy
   * (earlier clusters keep theirs); namespaces change only when the workload's has no object.
   */
  private workloadsChanged(workload: Workload, remove: 0 | 1): void {
    if (!this.namespaces.has(workload.namespace)) this.sortedNamespaces = null;
    if (!this.sortedWorkloads) return;
    const list = this.sortedWorkloads;
    let lo = 0;
    for (let hi = list.length; lo < hi; ) {
      const mid = (lo + hi) >> 1;
      if (list[mid]!.id < workload.id) lo = mid + 1;
      else hi = mid;
    }
    this.sortedWorkloads = [...list.slice(0, lo), ...(remove ? [] : [workload]), ...list.slice(lo + remove)];
  }

  /** Whether any pod that takes part in the matrix has an IPv6 address. */
  get anyPodUsesIpv6(): boolean {
    return this.ipv6Pods > 0;
  }

  setStatus(resource: ResourceKind, status: ResourceStatus): void {
    const list = (this.statuses.get(resource) ?? []).filter((s) => s.namespace !== status.namespace);
    list.push(status);
    this.statuses.set(resource, list);
    // Not installed (or no longer): the cluster has none of them, whatever was heard before.
    if (status.state === 'not-installed') this.clear(resource);
  }

  /** Forgets every object of a resource (admin resources whose CRD is not installed). */
  private clear(resource: ResourceKind): void {
    const prefix = `${resource}:`;
    for (const key of [...this.uids.keys()]) if (key.startsWith(prefix)) this.uids.delete(key);
    for (const key of [...this.diagnosticsByKey.keys()]) if (key.startsWith(prefix)) this.diagnosticsByKey.delete(key);
    const names = resource === 'adminnetworkpolicies' ? [...this.adminPolicies.keys()] : resource === 'baselineadminnetworkpolicies' && this.baselineAdminPolicy ? [this.baselineAdminPolicy.name] : [];
    for (const name of names) this.deleteKey(resource, name);
  }

  status(): Record<ResourceKind, ResourceStatus[]> {
    const get = (r: ResourceKind) => this.statuses.get(r) ?? [{ state: 'syncing' as const, syncedOnce: false }];
    return Object.fromEntries(RESOURCE_KINDS.map((r) => [r, get(r)])) as Record<ResourceKind, ResourceStatus[]>;
  }

  /**
   * Namespaces whose pods' isolation is unknown: their policies have not been listed yet or may
   * not be read (403). `'all'` when that holds cluster-wide, and whenever the admin tiers are
   * unknown (an AdminNetworkPolicy may select any pod): they count as known once listed, or once
   * discovery found them not installed.
   */
  unknownNamespaces(): 'all' | Set<string> {
    for (const admin of ADMIN_RESOURCE_KINDS) {
      const statuses = this.statuses.get(admin) ?? [];
      if (statuses.length === 0 || !statuses.every(statusKnown)) return 'all';
    }
    const statuses = this.statuses.get('networkpolicies') ?? [];
    const cluster = statuses.filter((s) => s.namespace === undefined);
    if (statuses.length === 0 || cluster.some((s) => !statusKnown(s))) return 'all';
    return new Set(statuses.filter((s) => s.namespace !== undefined && !statusKnown(s)).map((s) => s.namespace!));
  }

  /** Changes whenever a namespace or policy changes. */
  get structureVersion(): number {
    return this.structure;
  }

  policyVersion(id: string): number {
    return this.policyVersions.get(id) ?? 0;
  }

  diagnostics(): Diagnostic[] {
    return [...this.diagnosticsByKey.values()].flat();
  }

  /** The model, ordered as the offline loader orders it. */
  cluster(): Cluster {
    const pods = [...this.sortedPods];
    if (!this.cached || this.cached.structure !== this.structure) {
      const policies = [...this.policies.values()].sort((a, b) => byText(a.id, b.id));
      // Evaluation order, as the loader sorts them.
      const adminPolicies = [...this.adminPolicies.values()].sort((a, b) => a.priority - b.priority || byText(a.name, b.name));
      this.cached = { structure: this.structure, policies, adminPolicies };
    }
    const { policies, adminPolicies } = this.cached;
    if (!this.sortedNamespaces || this.sortedNamespaces.structure !== this.structure) {
      // The given namespaces, plus any that a pod or policy names without an object.
      const namespaces = new Map(this.namespaces);
      for (const w of this.workloadPods.values()) if (!namespaces.has(w.workload.namespace)) namespaces.set(w.workload.namespace, implicitNamespace(w.workload.namespace));
      for (const p of policies) if (!namespaces.has(p.namespace)) namespaces.set(p.namespace, implicitNamespace(p.namespace));
      this.sortedNamespaces = { structure: this.structure, list: [...namespaces.values()].sort((a, b) => byText(a.name, b.name)) };
    }
    this.sortedWorkloads ??= [...this.workloadPods.values()].map((w) => w.workload).sort((a, b) => byText(a.id, b.id));
    return { namespaces: this.sortedNamespaces.list, pods, policies, workloads: this.sortedWorkloads, adminPolicies, baselineAdminPolicy: this.baselineAdminPolicy };
  }
}

/** An object to upsert one by one in `loadPrepared`. */
export interface LoadObject {
  resource: ResourceKind;
  object: object;
}

/** An object for `prepareLoad`, as the JSON text it was recorded as. */
export interface LoadText {
  resource: ResourceKind;
  /** ClusterState's key of the object (`namespace/name`, or `name` when cluster-scoped). */
  key: string;
  json: string;
  /** The uid the state knows for its key (null: the object's own). */
  uid: string | null;
  /** The loader reports something about it (so it goes one by one). */
  diagnostics: boolean;
}

/** `ClusterState.load`'s loader pass, as plain data (it may cross to another thread). */
export interface PreparedLoad {
  /** The quiet objects loaded together; null when there are none, or the loader had something to say after all. */
  quiet: { cluster: Cluster; namespaces: Namespace[]; structural: boolean } | null;
  /** Upserted one by one, in this order. */
  oneByOne: LoadObject[];
  /** `resource:key` and the uid the state knows for it. */
  uids: [string, string][];
}

/**
 * The loader pass over objects given as text. Each is parsed when the loader comes to it, so the
 * raw objects of a whole cluster never live at once (they die young, which the garbage collector
 * finds cheap: a rebuild of the M cluster parses 14,000 of them).
 */
export function prepareLoad(objects: readonly LoadText[]): PreparedLoad {
  // The uid the state knows, else the object's own (read when it is parsed).
  const uids = objects.map((o): string | undefined => o.uid ?? undefined);
  const parse = (i: number): object => {
    const o = objects[i]!;
    const object = JSON.parse(o.json) as object;
    uids[i] ??= metaOf(object).uid;
    return object;
  };
  const quiet: number[] = [];
  for (const [i, o] of objects.entries()) if (!o.diagnostics) quiet.push(i);
  const loaded = quiet.length > 0 ? loadQuietly(objects, quiet, parse) : null;
  const oneByOne: LoadObject[] = [];
  for (const [i, o] of objects.entries()) if (!loaded || o.diagnostics) oneByOne.push({ resource: o.resource, object: parse(i) });
  const known: [string, string][] = [];
  for (const [i, o] of objects.entries()) {
    const uid = uids[i];
    if (uid) known.push([`${o.resource}:${o.key}`, uid]);
  }
  return {
    quiet: loaded && { ...loaded, structural: quiet.some((i) => objects[i]!.resource !== 'pods') },
    oneByOne,
    uids: known,
  };
}

/**
 * One loader pass over objects the loader has nothing to say about; null when it does say
 * something after all (a checkpoint written by another version): they then go one by one.
 */
function loadQuietly(objects: readonly LoadText[], quiet: readonly number[], parse: (i: number) => object): { cluster: Cluster; namespaces: Namespace[] } | null {
  const given = new Set<string>();
  function* sources() {
    for (const i of quiet) {
      const resource = objects[i]!.resource;
      const object = parse(i) as Record<string, unknown>;
      if (resource === 'namespaces') given.add(keyOf(resource, object));
      object['kind'] = KIND_OF[resource];
      yield { object };
    }
  }
  const { cluster, diagnostics } = buildCluster(sources());
  const namespaces = cluster.namespaces.filter((n) => given.has(n.name));
  const count = (r: ResourceKind) => quiet.filter((i) => objects[i]!.resource === r).length;
  const complete =
    cluster.pods.length === count('pods') &&
    namespaces.length === given.size &&
    given.size === count('namespaces') &&
    cluster.policies.length === count('networkpolicies') &&
    cluster.adminPolicies.length === count('adminnetworkpolicies') &&
    (cluster.baselineAdminPolicy ? 1 : 0) === count('baselineadminnetworkpolicies');
  return diagnostics.length === 0 && complete ? { cluster, namespaces } : null;
}
