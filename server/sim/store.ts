// The simulated cluster's state: objects per resource, one global resourceVersion counter (served
// as a string), the history of changes that watches replay, and the compaction floor below which
// a watch answers 410 Expired. Every write goes through here (API handlers, scenarios, churn, tests).
import { randomUUID } from 'node:crypto';
import { applyPatch } from './patch.ts';
import { PodNetwork, rfc3339 } from './pod-status.ts';
import { RESOURCES, ALL_RESOURCES, resourceForKind, isSimResource } from './resources.ts';
import type { ResourceDef, SimResource } from './resources.ts';
import { ApiError, errors } from './status.ts';
import { objectName, validateObject } from './validation.ts';

export type KubeObject = Record<string, unknown>;
export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  /** The resourceVersion the change got. */
  rv: number;
  type: EventType;
  resource: SimResource;
  /** The object after the change (for DELETED: its last state, with the deletion's resourceVersion). */
  object: Readonly<KubeObject>;
  /** For MODIFIED: the object before the change (lets filtered watches turn it into ADDED/DELETED). */
  previous?: Readonly<KubeObject>;
}

export type StoreListener = (event: StoreEvent) => void;

export interface WriteOptions {
  /** `dryRun=All`: validate and answer, change nothing. */
  dryRun?: boolean;
}

export interface StoreOptions {
  /** Events kept for watch replay; older ones are compacted away (the floor rises). Default 50,000. */
  historyLimit?: number;
  /** Clock for creationTimestamp and simulated pod status. */
  now?: () => number;
  /** uid generator (default crypto.randomUUID). */
  uid?: () => string;
  /** First resourceVersion handed out is start + 1. Default 1000. */
  startResourceVersion?: number;
}

export interface StoreDump {
  resourceVersion: string;
  compactedResourceVersion: string;
  historyLength: number;
  counts: Record<SimResource, number>;
  objects: Record<SimResource, string[]>;
}

type JsonMap = Record<string, unknown>;

function isMap(v: unknown): v is JsonMap {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function metaOf(obj: Readonly<KubeObject>): JsonMap {
  const m = obj['metadata'];
  return isMap(m) ? m : {};
}

/** JSON with sorted keys: equality of objects regardless of key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (!isMap(v)) return v;
    const out: JsonMap = {};
    for (const k of Object.keys(v).sort()) out[k] = v[k];
    return out;
  });
}

function withoutVolatile(obj: Readonly<KubeObject>): KubeObject {
  const meta = { ...metaOf(obj) };
  delete meta['resourceVersion'];
  delete meta['generation'];
  delete meta['managedFields'];
  return { ...obj, metadata: meta };
}

const NAME_SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export class Store {
  private rv: number;
  private floor: number;
  private readonly objects = new Map<SimResource, Map<string, KubeObject>>();
  private readonly sortedKeys = new Map<SimResource, string[]>();
  private history: StoreEvent[] = [];
  private readonly listeners = new Set<StoreListener>();
  private readonly historyLimit: number;
  private readonly now: () => number;
  private readonly newUid: () => string;
  readonly network = new PodNetwork();
  private readonly jsonCache = new WeakMap<object, string>();
  private readonly itemJsonCache = new WeakMap<object, string>();

  constructor(options: StoreOptions = {}) {
    this.rv = options.startResourceVersion ?? 1000;
    this.floor = this.rv;
    this.historyLimit = Math.max(10, options.historyLimit ?? 50_000);
    this.now = options.now ?? Date.now;
    this.newUid = options.uid ?? randomUUID;
    for (const r of ALL_RESOURCES) this.objects.set(r, new Map());
  }

  // ----- reading -----

  /** The current resourceVersion (of the last change). */
  get resourceVersion(): string {
    return String(this.rv);
  }

  /** Watches from a resourceVersion below this answer 410 Expired. */
  get compactedResourceVersion(): string {
    return String(this.floor);
  }

  currentRV(): number {
    return this.rv;
  }

  floorRV(): number {
    return this.floor;
  }

  private map(resource: SimResource): Map<string, KubeObject> {
    return this.objects.get(resource)!;
  }

  private key(def: ResourceDef, namespace: string | undefined, name: string): string {
    return def.namespaced ? `${namespace ?? ''}/${name}` : name;
  }

  /** The stored object (read-only: never mutate it). */
  peek(resource: SimResource, namespace: string | undefined, name: string): Readonly<KubeObject> | undefined {
    return this.map(resource).get(this.key(RESOURCES[resource], namespace, name));
  }

  /** A copy of the object, or undefined. */
  get(resource: SimResource, namespace: string | undefined, name: string): KubeObject | undefined {
    const obj = this.peek(resource, namespace, name);
    return obj === undefined ? undefined : structuredClone(obj);
  }

  /** Stored objects in key order (namespace, then name), optionally in one namespace. Read-only. */
  peekList(resource: SimResource, namespace?: string): Readonly<KubeObject>[] {
    const map = this.map(resource);
    let keys = this.sortedKeys.get(resource);
    if (!keys) {
      keys = [...map.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      this.sortedKeys.set(resource, keys);
    }
    const out: Readonly<KubeObject>[] = [];
    const prefix = namespace !== undefined && RESOURCES[resource].namespaced ? `${namespace}/` : undefined;
    for (const k of keys) {
      if (prefix !== undefined && !k.startsWith(prefix)) continue;
      const obj = map.get(k);
      if (obj) out.push(obj);
    }
    return out;
  }

  /** Copies of the objects, in key order. */
  list(resource: SimResource, namespace?: string): KubeObject[] {
    return this.peekList(resource, namespace).map((o) => structuredClone(o));
  }

  /** JSON text of a stored object (cached: stored objects are never changed, only replaced). */
  json(obj: Readonly<KubeObject>): string {
    let text = this.jsonCache.get(obj);
    if (text === undefined) {
      text = JSON.stringify(obj);
      this.jsonCache.set(obj, text);
    }
    return text;
  }

  /** JSON text of a stored object as an item of a built-in list: without kind and apiVersion. */
  itemJson(obj: Readonly<KubeObject>): string {
    let text = this.itemJsonCache.get(obj);
    if (text === undefined) {
      const { kind: _kind, apiVersion: _apiVersion, ...rest } = obj;
      text = JSON.stringify(rest);
      this.itemJsonCache.set(obj, text);
    }
    return text;
  }

  count(resource: SimResource): number {
    return this.map(resource).size;
  }

  /** Events after `rv` for watch replay, or undefined when `rv` is below the compaction floor. */
  eventsAfter(rv: number): StoreEvent[] | undefined {
    if (rv < this.floor) return undefined;
    let lo = 0;
    let hi = this.history.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.history[mid]!.rv <= rv) lo = mid + 1;
      else hi = mid;
    }
    return this.history.slice(lo);
  }

  subscribe(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  dump(): StoreDump {
    const counts = {} as Record<SimResource, number>;
    const objects = {} as Record<SimResource, string[]>;
    for (const r of ALL_RESOURCES) {
      counts[r] = this.count(r);
      objects[r] = this.peekList(r).map((o) => {
        const m = metaOf(o);
        return RESOURCES[r].namespaced ? `${String(m['namespace'])}/${String(m['name'])}` : String(m['name']);
      });
    }
    return {
      resourceVersion: this.resourceVersion,
      compactedResourceVersion: this.compactedResourceVersion,
      historyLength: this.history.length,
      counts,
      objects,
    };
  }

  // ----- history -----

  /** Raises the compaction floor to `rv` (default: the current resourceVersion). */
  compact(rv?: number | string): void {
    const to = Math.min(this.rv, rv === undefined ? this.rv : Number(rv));
    if (!Number.isFinite(to) || to <= this.floor) return;
    this.floor = to;
    this.history = this.history.filter((e) => e.rv > to);
  }

  private nextRV(): string {
    this.rv += 1;
    return String(this.rv);
  }

  private record(type: EventType, resource: SimResource, object: KubeObject, previous?: KubeObject): void {
    const event: StoreEvent = { rv: Number(metaOf(object)['resourceVersion']), type, resource, object };
    if (previous) event.previous = previous;
    this.history.push(event);
    if (this.history.length > this.historyLimit) {
      const drop = this.history.length - Math.floor(this.historyLimit / 2);
      this.floor = this.history[drop - 1]!.rv;
      this.history = this.history.slice(drop);
    }
    for (const l of [...this.listeners]) l(event);
  }

  private put(resource: SimResource, key: string, obj: KubeObject): void {
    const map = this.map(resource);
    if (!map.has(key)) this.sortedKeys.delete(resource);
    map.set(key, obj);
  }

  private drop(resource: SimResource, key: string): void {
    if (this.map(resource).delete(key)) this.sortedKeys.delete(resource);
  }

  // ----- writes -----

  private generatedName(prefix: string): string {
    let s = '';
    for (let i = 0; i < 5; i++) s += NAME_SUFFIX_ALPHABET[Math.floor(Math.random() * NAME_SUFFIX_ALPHABET.length)];
    return prefix + s;
  }

  /** Fills what the API server sets on create: uid, timestamps, generation, kind, defaults. */
  private prepareNew(
    def: ResourceDef,
    input: unknown,
    namespace: string | undefined,
    opts: { keepIdentity: boolean; simulate: boolean; owned?: boolean },
  ): KubeObject {
    const causes = validateObject(def, input);
    if (causes.length > 0) throw errors.invalid(def, objectName(input), causes);
    const obj = (opts.owned ? input : structuredClone(input)) as KubeObject;
    const meta: JsonMap = { ...metaOf(obj) };
    if (def.namespaced) {
      const bodyNs = typeof meta['namespace'] === 'string' && meta['namespace'] !== '' ? meta['namespace'] : undefined;
      if (bodyNs !== undefined && namespace !== undefined && bodyNs !== namespace) {
        throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      const ns = namespace ?? bodyNs ?? 'default';
      if (!this.map('namespaces').has(ns)) throw errors.namespaceNotFound(ns);
      meta['namespace'] = ns;
    } else {
      delete meta['namespace'];
    }
    if (typeof meta['name'] !== 'string' || meta['name'] === '') meta['name'] = this.generatedName(String(meta['generateName']));
    const name = meta['name'] as string;
    if (!opts.keepIdentity || typeof meta['uid'] !== 'string' || meta['uid'] === '') meta['uid'] = this.newUid();
    if (!opts.keepIdentity || typeof meta['creationTimestamp'] !== 'string') meta['creationTimestamp'] = rfc3339(this.now());
    if (!opts.keepIdentity) {
      delete meta['deletionTimestamp'];
      delete meta['deletionGracePeriodSeconds'];
    }
    if (def.hasGeneration) meta['generation'] = opts.keepIdentity && typeof meta['generation'] === 'number' ? meta['generation'] : 1;
    else delete meta['generation'];
    delete meta['resourceVersion'];
    delete meta['selfLink'];
    let out: KubeObject = { apiVersion: def.apiVersion, kind: def.kind, ...obj, metadata: meta };
    out['apiVersion'] = def.apiVersion;
    out['kind'] = def.kind;
    if (def.resource === 'namespaces') out = this.namespaceDefaults(out, name);
    if (def.resource === 'pods' && opts.simulate) out = this.network.simulate(out, this.now());
    if (def.resource === 'pods' && !isMap(out['status'])) out['status'] = { phase: 'Pending', qosClass: 'BestEffort' };
    return out;
  }

  private namespaceDefaults(obj: KubeObject, name: string): KubeObject {
    const meta = { ...metaOf(obj) };
    meta['labels'] = { ...(isMap(meta['labels']) ? meta['labels'] : {}), 'kubernetes.io/metadata.name': name };
    const spec = isMap(obj['spec']) ? obj['spec'] : {};
    const status = isMap(obj['status']) ? obj['status'] : {};
    return {
      ...obj,
      metadata: meta,
      spec: { ...spec, finalizers: Array.isArray(spec['finalizers']) ? spec['finalizers'] : ['kubernetes'] },
      status: { ...status, phase: typeof status['phase'] === 'string' ? status['phase'] : 'Active' },
    };
  }

  /** POST: creates the object (409 when it exists, 404 when its namespace does not). */
  create(resource: SimResource, input: unknown, opts: WriteOptions & { namespace?: string; simulatePodStatus?: boolean } = {}): KubeObject {
    const def = RESOURCES[resource];
    const obj = this.prepareNew(def, input, opts.namespace, { keepIdentity: false, simulate: opts.dryRun !== true && opts.simulatePodStatus !== false });
    const meta = metaOf(obj);
    const key = this.key(def, meta['namespace'] as string | undefined, meta['name'] as string);
    if (this.map(resource).has(key)) throw errors.alreadyExists(def, meta['name'] as string);
    if (opts.dryRun) return obj;
    meta['resourceVersion'] = this.nextRV();
    this.put(resource, key, obj);
    this.record('ADDED', resource, obj);
    return structuredClone(obj);
  }

  /**
   * PUT: replaces the object. A metadata.resourceVersion in the body must be the current one (409
   * Conflict otherwise). uid and creationTimestamp are kept; a pod's status is kept when the body
   * has none. A change that changes nothing keeps the resourceVersion and makes no event.
   */
  update(resource: SimResource, input: unknown, opts: WriteOptions & { namespace?: string; name?: string } = {}): KubeObject {
    const def = RESOURCES[resource];
    const causes = validateObject(def, input);
    if (causes.length > 0) throw errors.invalid(def, objectName(input), causes);
    const body = structuredClone(input) as KubeObject;
    const bodyMeta: JsonMap = { ...metaOf(body) };
    const name = typeof bodyMeta['name'] === 'string' ? bodyMeta['name'] : '';
    if (opts.name !== undefined && name !== opts.name) {
      throw errors.badRequest(`the name of the object (${name}) does not match the name on the URL (${opts.name})`);
    }
    let namespace: string | undefined;
    if (def.namespaced) {
      const bodyNs = typeof bodyMeta['namespace'] === 'string' && bodyMeta['namespace'] !== '' ? bodyMeta['namespace'] : undefined;
      if (bodyNs !== undefined && opts.namespace !== undefined && bodyNs !== opts.namespace) {
        throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      namespace = opts.namespace ?? bodyNs ?? 'default';
    }
    const key = this.key(def, namespace, name);
    const current = this.map(resource).get(key);
    if (!current) throw errors.notFound(def, name);
    const curMeta = metaOf(current);
    const wanted = bodyMeta['resourceVersion'];
    if (typeof wanted === 'string' && wanted !== '' && wanted !== curMeta['resourceVersion']) throw errors.conflict(def, name);

    let meta: JsonMap = { ...bodyMeta, uid: curMeta['uid'], creationTimestamp: curMeta['creationTimestamp'], name };
    if (def.namespaced) meta['namespace'] = namespace;
    else delete meta['namespace'];
    for (const k of ['deletionTimestamp', 'deletionGracePeriodSeconds'] as const) {
      if (curMeta[k] !== undefined) meta[k] = curMeta[k];
      else delete meta[k];
    }
    let next: KubeObject = { ...body, apiVersion: def.apiVersion, kind: def.kind, metadata: meta };
    if (def.resource === 'pods' || def.resource === 'namespaces') {
      // status is a subresource: a PUT without one keeps the current status.
      if (!isMap(next['status'])) next['status'] = current['status'];
    }
    if (def.resource === 'pods') {
      const spec = isMap(next['spec']) ? { ...next['spec'] } : {};
      const curSpec = isMap(current['spec']) ? current['spec'] : {};
      if (spec['nodeName'] === undefined && curSpec['nodeName'] !== undefined) spec['nodeName'] = curSpec['nodeName'];
      next['spec'] = spec;
    }
    if (def.resource === 'namespaces') {
      next = this.namespaceDefaults(next, name);
      // namespaceDefaults copies the metadata: keep writing to the object that is stored.
      meta = metaOf(next);
    }
    if (def.hasGeneration) {
      const gen = typeof curMeta['generation'] === 'number' ? curMeta['generation'] : 1;
      meta['generation'] = canonical(next['spec']) === canonical(current['spec']) ? gen : gen + 1;
    } else {
      delete meta['generation'];
    }
    if (canonical(withoutVolatile(next)) === canonical(withoutVolatile(current))) return structuredClone(current);
    if (opts.dryRun) return next;
    meta['resourceVersion'] = this.nextRV();
    if (def.resource === 'pods') {
      this.network.release(current);
      this.network.observe(next);
    }
    this.put(resource, key, next);
    this.record('MODIFIED', resource, next, current);
    return structuredClone(next);
  }

  /** PATCH of the given content type (merge, strategic merge, JSON patch). */
  patch(resource: SimResource, namespace: string | undefined, name: string, contentType: string, body: unknown, opts: WriteOptions = {}): KubeObject {
    const def = RESOURCES[resource];
    const current = this.peek(resource, namespace, name);
    if (!current) throw errors.notFound(def, name);
    const patched = applyPatch(contentType, current, body, def.kind);
    if (!isMap(patched)) throw errors.unprocessable('the patch does not produce an object');
    const m = metaOf(patched);
    if (m['name'] !== undefined && m['name'] !== name) throw errors.badRequest(`the name of the object (${String(m['name'])}) does not match the name on the URL (${name})`);
    return this.update(resource, patched, { ...opts, name, ...(namespace === undefined ? {} : { namespace }) });
  }

  /**
   * DELETE: removes the object and answers its last state. A pod first turns Terminating
   * (MODIFIED with deletionTimestamp, unless gracePeriodSeconds is 0), then is DELETED at once.
   * Deleting a namespace marks it Terminating, deletes every object in it, then the namespace.
   */
  delete(
    resource: SimResource,
    namespace: string | undefined,
    name: string,
    opts: WriteOptions & { preconditions?: { uid?: string; resourceVersion?: string }; gracePeriodSeconds?: number } = {},
  ): KubeObject {
    const def = RESOURCES[resource];
    const key = this.key(def, namespace, name);
    const current = this.map(resource).get(key);
    if (!current) throw errors.notFound(def, name);
    const curMeta = metaOf(current);
    const pre = opts.preconditions;
    if (pre?.uid !== undefined && pre.uid !== curMeta['uid']) {
      throw new ApiError(409, 'Conflict', `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${String(curMeta['uid'])}`, {
        name,
        group: def.group,
        kind: def.resource,
      });
    }
    if (pre?.resourceVersion !== undefined && pre.resourceVersion !== curMeta['resourceVersion']) throw errors.conflict(def, name);
    const stamp = rfc3339(this.now());
    if (opts.dryRun) return { ...current, metadata: { ...curMeta, deletionTimestamp: stamp } };

    if (resource === 'namespaces') {
      const terminating: KubeObject = {
        ...current,
        metadata: { ...curMeta, deletionTimestamp: stamp, resourceVersion: this.nextRV() },
        status: { ...(isMap(current['status']) ? current['status'] : {}), phase: 'Terminating' },
      };
      this.put(resource, key, terminating);
      this.record('MODIFIED', resource, terminating, current);
      for (const r of ALL_RESOURCES) {
        if (!RESOURCES[r].namespaced) continue;
        for (const obj of this.peekList(r, name)) this.deleteNow(r, obj);
      }
      this.deleteNow(resource, terminating);
      return structuredClone(terminating);
    }
    if (resource === 'pods' && (opts.gracePeriodSeconds ?? 30) > 0 && curMeta['deletionTimestamp'] === undefined) {
      // As a kubelet would: the pod is Terminating first (kubectl get -w shows it), then gone.
      this.beginDeletion(resource, namespace, name, opts.gracePeriodSeconds ?? 30);
    }
    const gone = this.deleteNow(resource, this.map(resource).get(key)!);
    if (resource === 'pods') {
      const meta = { deletionTimestamp: stamp, deletionGracePeriodSeconds: 0, ...metaOf(gone) };
      return structuredClone({ ...gone, metadata: meta });
    }
    return structuredClone(gone);
  }

  /**
   * Graceful deletion's first step (what the API server does for a pod with a grace period):
   * sets deletionTimestamp and deletionGracePeriodSeconds (a MODIFIED event). `delete` finishes it.
   */
  beginDeletion(resource: SimResource, namespace: string | undefined, name: string, graceSeconds = 30): KubeObject {
    const def = RESOURCES[resource];
    const key = this.key(def, namespace, name);
    const current = this.map(resource).get(key);
    if (!current) throw errors.notFound(def, name);
    const curMeta = metaOf(current);
    if (curMeta['deletionTimestamp'] !== undefined) return structuredClone(current);
    const next: KubeObject = {
      ...current,
      metadata: {
        ...curMeta,
        deletionTimestamp: rfc3339(this.now() + graceSeconds * 1000),
        deletionGracePeriodSeconds: graceSeconds,
        resourceVersion: this.nextRV(),
      },
    };
    this.put(resource, key, next);
    this.record('MODIFIED', resource, next, current);
    return structuredClone(next);
  }

  private deleteNow(resource: SimResource, current: Readonly<KubeObject>): KubeObject {
    const def = RESOURCES[resource];
    const meta = metaOf(current);
    const key = this.key(def, meta['namespace'] as string | undefined, meta['name'] as string);
    const gone: KubeObject = { ...current, metadata: { ...meta, resourceVersion: this.nextRV() } };
    this.drop(resource, key);
    if (resource === 'pods') this.network.release(current);
    this.record('DELETED', resource, gone);
    return gone;
  }

  // ----- bulk and test helpers -----

  /**
   * Loads objects as the cluster's initial state: no events, and the compaction floor is set to
   * the resourceVersion after the load. Kept as given: uid, creationTimestamp, status; pods
   * without a status get a simulated one. Objects of other kinds are skipped (counted). With
   * `owned`, the objects are taken over without a copy (the caller must not change them after).
   */
  load(objects: readonly unknown[], options: { owned?: boolean } = {}): { loaded: number; skipped: number } {
    let loaded = 0;
    let skipped = 0;
    for (const raw of objects) {
      if (!isMap(raw)) {
        skipped++;
        continue;
      }
      const def = resourceForKind(String(raw['kind']), typeof raw['apiVersion'] === 'string' ? raw['apiVersion'] : undefined);
      if (!def) {
        skipped++;
        continue;
      }
      const ns = def.namespaced ? (metaOf(raw)['namespace'] as string | undefined) : undefined;
      const obj = this.prepareNew(def, raw, ns, { keepIdentity: true, simulate: true, owned: options.owned === true });
      const meta = metaOf(obj);
      const key = this.key(def, meta['namespace'] as string | undefined, meta['name'] as string);
      if (this.map(def.resource).has(key)) throw errors.alreadyExists(def, meta['name'] as string);
      meta['resourceVersion'] = this.nextRV();
      this.put(def.resource, key, obj);
      loaded++;
    }
    this.floor = this.rv;
    this.history = [];
    return { loaded, skipped };
  }

  /** Creates or replaces an object by its kind (no resourceVersion check). For tests and tools. */
  apply(object: unknown): KubeObject {
    if (!isMap(object)) throw errors.badRequest('apply: an object is required');
    const def = resourceForKind(String(object['kind']), typeof object['apiVersion'] === 'string' ? object['apiVersion'] : undefined);
    if (!def) throw errors.badRequest(`apply: kind ${String(object['kind'])} (${String(object['apiVersion'])}) is not served`);
    const meta = metaOf(object);
    const ns = def.namespaced ? (typeof meta['namespace'] === 'string' && meta['namespace'] !== '' ? meta['namespace'] : 'default') : undefined;
    const name = typeof meta['name'] === 'string' ? meta['name'] : '';
    const body = { ...object, metadata: { ...meta, resourceVersion: undefined } };
    delete (body.metadata as JsonMap)['resourceVersion'];
    if (name !== '' && this.peek(def.resource, ns, name)) return this.update(def.resource, body, { name, ...(ns === undefined ? {} : { namespace: ns }) });
    return this.create(def.resource, body, ns === undefined ? {} : { namespace: ns });
  }

  /**
   * Deletes by kind (`Pod`) or resource (`pods`) at once (one DELETED event, no Terminating step);
   * returns the last state, or undefined if absent.
   */
  remove(kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const resource = isSimResource(kind) ? kind : resourceForKind(kind)?.resource;
    if (!resource) throw errors.badRequest(`remove: kind ${kind} is not served`);
    const ns = RESOURCES[resource].namespaced ? namespace : undefined;
    if (!this.peek(resource, ns, name)) return undefined;
    return this.delete(resource, ns, name, { gracePeriodSeconds: 0 });
  }
}
