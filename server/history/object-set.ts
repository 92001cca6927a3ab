// The raw objects and statuses the live engine's ClusterState holds, kept as the JSON text it was
// given, so that a checkpoint can hand a fresh engine the events that rebuild the very same state.
//
// It follows ClusterState's rules (server/live/cluster-state.ts) where they leave a trace in the
// analysis: an object is keyed by resource and namespace/name; a delete whose uid differs from
// the known one is stale and ignored; the uid of an upsert without one keeps the previous uid;
// a `not-installed` status forgets the resource's uids and diagnostics (and, for the admin tiers,
// its objects); and the diagnostics list is in the order the keys started having diagnostics.
// test/unit/history-checkpoint.test.ts checks a restored set against a full replay.
import { buildCluster } from '../../shared/kube/load.ts';
import type { ResourceKind, ResourceStatus } from '../cluster/source.ts';
import { prepareLoad, type PreparedLoad } from '../live/cluster-state.ts';
import { isAdminResource } from '../cluster/source.ts';
import { RESOURCE_TYPES } from '../cluster/normalize.ts';

export interface StoredObject {
  resource: ResourceKind;
  /** `namespace/name`, or `name` for cluster-scoped resources (as ClusterState keys them). */
  key: string;
  /** The object as JSON text, exactly as recorded. */
  json: string;
}

interface Meta {
  name?: unknown;
  namespace?: unknown;
  uid?: unknown;
}

function metaOf(object: unknown): Meta {
  const m = (object as { metadata?: unknown } | null)?.metadata;
  return m !== null && typeof m === 'object' ? (m as Meta) : {};
}

const clusterScoped = (resource: ResourceKind) => resource === 'namespaces' || isAdminResource(resource);

/** ClusterState's key of an object (keyOf there). */
export function objectKey(resource: ResourceKind, object: unknown): string {
  const m = metaOf(object);
  const name = m.name ?? '';
  return clusterScoped(resource) ? String(name) : `${String(m.namespace ?? 'default')}/${String(name)}`;
}

/** `namespace/name` back to its parts (cluster-scoped resources: the name only). */
export function splitKey(resource: ResourceKind, key: string | null): { namespace: string | null; name: string | null } {
  if (key === null) return { namespace: null, name: null };
  const slash = key.indexOf('/');
  if (clusterScoped(resource) || slash < 0) return { namespace: null, name: key };
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

export function uidOf(object: unknown): string | undefined {
  const uid = metaOf(object).uid;
  return typeof uid === 'string' && uid !== '' ? uid : undefined;
}

/** Whether the loader has anything to say about this object (ClusterState keeps those per key). */
export function hasDiagnostics(resource: ResourceKind, object: unknown): boolean {
  const withKind = { ...(object as object), kind: RESOURCE_TYPES[resource].kind };
  return buildCluster([{ object: withKind }]).diagnostics.length > 0;
}

const id = (resource: ResourceKind, key: string) => `${resource}:${key}`;
const compareIds = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export interface ObjectSetOptions {
  /**
   * Track which objects have diagnostics (needed to write checkpoints). When an upsert does not
   * say, the loader is asked (one parse of the object).
   */
  diagnostics: boolean;
}

export class ObjectSet {
  /** By `resource:key`, in the order of their last upsert. */
  private readonly objects = new Map<string, StoredObject>();
  private readonly uids = new Map<string, string>();
  /** Keys with diagnostics, in ClusterState's order. */
  private readonly withDiagnostics = new Set<string>();
  /** Per resource, the statuses in the order ClusterState lists them, as JSON text. */
  private readonly statuses = new Map<ResourceKind, { namespace: string | undefined; json: string }[]>();
  /** Per resource, the JSON of the last object upserted (a compression dictionary for the next one). */
  private readonly lastUpserted = new Map<ResourceKind, string>();

  constructor(private readonly options: ObjectSetOptions) {}

  get size(): number {
    return this.objects.size;
  }

  /** The stored JSON of the object under this key, if any. */
  current(resource: ResourceKind, key: string): string | undefined {
    return this.objects.get(id(resource, key))?.json;
  }

  lastUpsertOf(resource: ResourceKind): string | undefined {
    return this.lastUpserted.get(resource);
  }

  lastStatusOf(resource: ResourceKind): string | undefined {
    const list = this.statuses.get(resource);
    return list && list.length > 0 ? list[list.length - 1]!.json : undefined;
  }

  /**
   * Applies an upsert given as its JSON text (and the parsed object); `diagnostics` says whether
   * the loader reports anything about it, when known. Returns the JSON that was there before
   * (undefined when the key was new) and whether the object has diagnostics.
   */
  upsert(resource: ResourceKind, object: unknown, json: string, diagnostics?: boolean): { before: string | undefined; diagnostics: boolean } {
    const key = objectKey(resource, object);
    const k = id(resource, key);
    const before = this.objects.get(k)?.json;
    this.objects.delete(k);
    this.objects.set(k, { resource, key, json });
    this.lastUpserted.set(resource, json);
    const uid = uidOf(object);
    if (uid !== undefined) this.uids.set(k, uid);
    let has = diagnostics ?? false;
    if (this.options.diagnostics) {
      has = diagnostics ?? hasDiagnostics(resource, object);
      if (!has) this.withDiagnostics.delete(k);
      else if (!this.withDiagnostics.has(k)) this.withDiagnostics.add(k);
    }
    return { before, diagnostics: has };
  }

  /** Applies a delete; returns the JSON of the object removed, or undefined (unknown or stale). */
  delete(resource: ResourceKind, object: unknown): string | undefined {
    const k = id(resource, objectKey(resource, object));
    const uid = uidOf(object);
    const known = this.uids.get(k);
    if (uid !== undefined && known !== undefined && uid !== known) return undefined;
    const before = this.objects.get(k)?.json;
    this.objects.delete(k);
    this.uids.delete(k);
    this.withDiagnostics.delete(k);
    return before;
  }

  setStatus(resource: ResourceKind, status: ResourceStatus, json: string): void {
    const list = (this.statuses.get(resource) ?? []).filter((s) => s.namespace !== status.namespace);
    list.push({ namespace: status.namespace, json });
    this.statuses.set(resource, list);
    if (status.state === 'not-installed') this.clear(resource);
  }

  private clear(resource: ResourceKind): void {
    const prefix = `${resource}:`;
    for (const k of [...this.uids.keys()]) if (k.startsWith(prefix)) this.uids.delete(k);
    for (const k of [...this.withDiagnostics]) if (k.startsWith(prefix)) this.withDiagnostics.delete(k);
    if (isAdminResource(resource)) for (const k of [...this.objects.keys()]) if (k.startsWith(prefix)) this.objects.delete(k);
  }

  /** Whether a status of this resource says its content has been listed once (initial lists are not changes). */
  synced(resource: ResourceKind): boolean {
    return (this.statuses.get(resource) ?? []).some((s) => (JSON.parse(s.json) as ResourceStatus).syncedOnce);
  }

  /**
   * Everything needed to rebuild this state: statuses, then objects (those with diagnostics
   * first, in their order, then the others sorted by resource and key: neighbours look alike and
   * compress well), and the per-resource compression dictionaries.
   */
  checkpoint(): Checkpoint {
    const { statuses, objects } = this.contents();
    // Ids made once, not twice per comparison (a checkpoint of the M cluster sorts 10,000 objects).
    const quiet = objects
      .filter((o) => !o.diagnostics)
      .map((o) => ({ o, id: id(o.resource, o.key) }))
      .sort((a, b) => compareIds(a.id, b.id))
      .map(({ o }) => o);
    return { statuses, objects: [...objects.filter((o) => o.diagnostics), ...quiet], lastUpserted: [...this.lastUpserted] };
  }

  /** Statuses in the order to apply them; objects with diagnostics first, in their order, then the others (unsorted). */
  contents(): Pick<Checkpoint, 'statuses' | 'objects'> {
    if (!this.options.diagnostics) throw new Error('ObjectSet: checkpoints need diagnostics tracking');
    const statuses: [ResourceKind, string][] = [];
    for (const [resource, list] of this.statuses) for (const s of list) statuses.push([resource, s.json]);
    const entry = (k: string, o: StoredObject): CheckpointObject => ({ resource: o.resource, key: o.key, json: o.json, uid: this.uids.get(k) ?? null, diagnostics: this.withDiagnostics.has(k) });
    const objects = [...this.withDiagnostics].flatMap((k) => {
      const o = this.objects.get(k);
      return o ? [entry(k, o)] : [];
    });
    for (const [k, o] of this.objects) if (!this.withDiagnostics.has(k)) objects.push(entry(k, o));
    return { statuses, objects };
  }

  /** A set holding a checkpoint's state. */
  static restore(c: Checkpoint, options: ObjectSetOptions): ObjectSet {
    const set = new ObjectSet(options);
    for (const [resource, json] of c.statuses) {
      const status = JSON.parse(json) as ResourceStatus;
      const list = set.statuses.get(resource) ?? [];
      list.push({ namespace: status.namespace, json });
      set.statuses.set(resource, list);
    }
    for (const o of c.objects) {
      const k = id(o.resource, o.key);
      set.objects.set(k, { resource: o.resource, key: o.key, json: o.json });
      if (o.uid !== null) set.uids.set(k, o.uid);
      if (o.diagnostics) set.withDiagnostics.add(k);
    }
    // In checkpoint order, not in the order of the last upserts: that order only decides which of
    // two objects is applied first when rebuilding, and ClusterState's state does not depend on it.
    for (const [resource, json] of c.lastUpserted) set.lastUpserted.set(resource, json);
    return set;
  }
}

export interface CheckpointObject extends StoredObject {
  /** The uid ClusterState knows for the key (may differ from the object's when it has none). */
  uid: string | null;
  diagnostics: boolean;
}

export interface Checkpoint {
  /** In the order to apply them. */
  statuses: [ResourceKind, string][];
  /** In the order to apply them. */
  objects: CheckpointObject[];
  lastUpserted: [ResourceKind, string][];
}

/** What a fresh engine loads to reach a set's state (LiveEngine.load): statuses, and the objects' loader pass. */
export interface PreparedEngine {
  statuses: { resource: ResourceKind; status: ResourceStatus }[];
  load: PreparedLoad;
}

/** Plain data (it may be made in a worker thread): parses the set's objects and runs the loader over them. */
export function prepareEngine(set: ObjectSet): PreparedEngine {
  const { statuses, objects } = set.contents();
  return {
    statuses: statuses.map(([resource, json]) => ({ resource, status: JSON.parse(json) as ResourceStatus })),
    load: prepareLoad(objects),
  };
}
