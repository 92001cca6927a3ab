// One plain-JSON shape for every object the informers hand us.
//
// client-node 1.4.0 gives an informer's callbacks two shapes of the same object:
// - from a list: class instances (V1Pod, ...) made by its ObjectSerializer: `creationTimestamp` is a
//   Date, and a few fields carry TypeScript names (`_from` for NetworkPolicy ingress `from`!);
//   items have no `kind`/`apiVersion` (the API server leaves them out of list items);
// - from a watch event: the JSON as the API server sent it.
// normalizeObject turns both into the API's JSON: JSON field names, RFC 3339 timestamps, `kind` and
// `apiVersion` set, only the fields the client-node model knows (so both paths agree field for
// field; what the model does not know, client-node drops from lists anyway). Integers-or-strings
// (ports) are kept exactly as sent.
import * as k8s from '@kubernetes/client-node';
import type { ResourceKind } from './source.ts';

export interface ResourceType {
  /** The client-node model: V1Pod, ...; '' for custom resources (no model: kept as sent). */
  model: string;
  kind: string;
  apiVersion: string;
}

export const RESOURCE_TYPES: Record<ResourceKind, ResourceType> = {
  pods: { model: 'V1Pod', kind: 'Pod', apiVersion: 'v1' },
  namespaces: { model: 'V1Namespace', kind: 'Namespace', apiVersion: 'v1' },
  networkpolicies: { model: 'V1NetworkPolicy', kind: 'NetworkPolicy', apiVersion: 'networking.k8s.io/v1' },
  // CRDs: client-node has no model, and lists and watches both hand out the JSON as sent.
  adminnetworkpolicies: { model: '', kind: 'AdminNetworkPolicy', apiVersion: 'policy.networking.k8s.io/v1alpha1' },
  baselineadminnetworkpolicies: { model: '', kind: 'BaselineAdminNetworkPolicy', apiVersion: 'policy.networking.k8s.io/v1alpha1' },
};

interface AttributeType {
  name: string;
  baseName: string;
  type: string;
  format: string;
}

interface ModelClass {
  getAttributeTypeMap(): AttributeType[];
}

const models = k8s as unknown as Record<string, unknown>;

function modelOf(type: string): ModelClass | undefined {
  const candidate = models[type];
  if (typeof candidate !== 'function') return undefined;
  const model = candidate as unknown as Partial<ModelClass>;
  return typeof model.getAttributeTypeMap === 'function' ? (model as ModelClass) : undefined;
}

export type JsonObject = { [key: string]: unknown };

/** The object as the API serves it (see the file comment). */
export function normalizeObject(resource: ResourceKind, object: unknown): JsonObject {
  const type = RESOURCE_TYPES[resource];
  if (typeof object !== 'object' || object === null || Array.isArray(object)) {
    throw new Error(`expected a ${type.kind} object, got ${object === null ? 'null' : Array.isArray(object) ? 'an array' : typeof object}`);
  }
  const json = toApiJson(object, type.model) as JsonObject;
  const { apiVersion, kind, ...rest } = json;
  return { apiVersion: apiVersion ?? type.apiVersion, kind: kind ?? type.kind, ...rest };
}

/** RFC 3339 as the API writes metav1.Time: seconds, `Z`; milliseconds only when there are any. */
export function formatTime(date: Date): string {
  const iso = date.toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -'.000Z'.length)}Z` : iso;
}

const ARRAY = /^Array<(.+)>$/;
const MAP = /^\{ \[key: string\]: (.+); \}$/;
const OPTIONAL = / \| (null|undefined)$/;

function toApiJson(value: unknown, type: string): unknown {
  if (value === undefined) return undefined;
  if (value === null) return null;
  const bare = type.replace(OPTIONAL, '');
  if (bare !== type) return toApiJson(value, bare);

  const array = ARRAY.exec(type);
  if (array) return Array.isArray(value) ? value.map((v) => toApiJson(v, array[1]!) ?? null) : plain(value);

  const map = MAP.exec(type);
  if (map) {
    if (typeof value !== 'object' || Array.isArray(value)) return plain(value);
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) {
      const converted = toApiJson(v, map[1]!);
      if (converted !== undefined) out[k] = converted;
    }
    return out;
  }

  if (type === 'Date') {
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : formatTime(value);
    if (typeof value === 'string') {
      const parsed = new Date(value);
      return Number.isNaN(parsed.getTime()) ? value : formatTime(parsed);
    }
    return plain(value);
  }

  const model = modelOf(type);
  if (!model || typeof value !== 'object' || Array.isArray(value)) return plain(value);
  const source = value as JsonObject;
  const out: JsonObject = {};
  for (const attribute of model.getAttributeTypeMap()) {
    // Instances hold the TypeScript name (`_from`), raw JSON the API name (`from`).
    const v = Object.prototype.hasOwnProperty.call(source, attribute.name) ? source[attribute.name] : source[attribute.baseName];
    const converted = toApiJson(v, attribute.type);
    if (converted !== undefined) out[attribute.baseName] = converted;
  }
  return out;
}

/** A deep copy as plain JSON values (Dates as RFC 3339, undefined left out). */
function plain(value: unknown): unknown {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return formatTime(value);
  if (Array.isArray(value)) return value.map((v) => plain(v) ?? null);
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) {
    const converted = plain(v);
    if (converted !== undefined) out[k] = converted;
  }
  return out;
}

/** `namespace/name` (or `name` for cluster-scoped objects). */
export function objectKey(object: unknown): string {
  const meta = metadataOf(object);
  const name = typeof meta['name'] === 'string' ? meta['name'] : '';
  const namespace = typeof meta['namespace'] === 'string' ? meta['namespace'] : '';
  return namespace === '' ? name : `${namespace}/${name}`;
}

export function uidOf(object: unknown): string | undefined {
  const uid = metadataOf(object)['uid'];
  return typeof uid === 'string' ? uid : undefined;
}

function metadataOf(object: unknown): JsonObject {
  if (typeof object !== 'object' || object === null) return {};
  const meta = (object as JsonObject)['metadata'];
  return typeof meta === 'object' && meta !== null ? (meta as JsonObject) : {};
}
