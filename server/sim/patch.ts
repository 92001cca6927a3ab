// PATCH bodies: JSON merge patch (RFC 7386), strategic merge patch (RFC 7386 plus merge keys for
// the few Pod lists that have one; `$...` directives dropped) and JSON patch (RFC 6902).
import { errors } from './status.ts';

type Json = unknown;
type JsonMap = Record<string, Json>;

function isMap(v: Json): v is JsonMap {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** RFC 7386: maps merge recursively, null deletes, everything else (lists too) replaces. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isMap(patch)) return structuredClone(patch);
  const out: JsonMap = isMap(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

/**
 * Merge keys of lists in the kinds served here (Pod); every other list is replaced whole, as
 * NetworkPolicy's lists are in Kubernetes' strategic merge patch. Keys are paths with `[]` for
 * list items.
 */
const MERGE_KEYS: Record<string, string> = {
  'metadata.ownerReferences': 'uid',
  'spec.containers': 'name',
  'spec.initContainers': 'name',
  'spec.ephemeralContainers': 'name',
  'spec.volumes': 'name',
  'spec.imagePullSecrets': 'name',
  'spec.containers[].ports': 'containerPort',
  'spec.initContainers[].ports': 'containerPort',
  'spec.containers[].env': 'name',
  'spec.initContainers[].env': 'name',
  'spec.containers[].volumeMounts': 'mountPath',
  'spec.initContainers[].volumeMounts': 'mountPath',
  'status.conditions': 'type',
  'status.podIPs': 'ip',
  'status.hostIPs': 'ip',
  'status.containerStatuses': 'name',
};

/**
 * Strategic merge patch, simplified: RFC 7386 with `$patch`, `$setElementOrder/...`,
 * `$retainKeys` and `$deleteFromPrimitiveList/...` honoured as far as these kinds need and
 * every other `$...` key dropped. `mergeKeys` applies only to Pods (kind given by the caller).
 */
export function strategicMergePatch(target: Json, patch: Json, useMergeKeys: boolean, path = ''): Json {
  if (!isMap(patch)) return stripDirectives(patch);
  if (patch['$patch'] === 'delete') return undefined;
  if (patch['$patch'] === 'replace') {
    const { $patch: _ignored, ...rest } = patch;
    return stripDirectives(rest);
  }
  const out: JsonMap = isMap(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$deleteFromPrimitiveList/')) {
      const field = key.slice('$deleteFromPrimitiveList/'.length);
      const list = out[field];
      if (Array.isArray(list) && Array.isArray(value)) out[field] = list.filter((x) => !value.includes(x));
      continue;
    }
    if (key.startsWith('$')) continue;
    const childPath = path === '' ? key : `${path}.${key}`;
    if (value === null) {
      delete out[key];
      continue;
    }
    const mergeKey = useMergeKeys ? MERGE_KEYS[childPath] : undefined;
    if (Array.isArray(value) && mergeKey !== undefined && Array.isArray(out[key])) {
      out[key] = mergeList(out[key] as Json[], value, mergeKey, `${childPath}[]`);
      continue;
    }
    const merged = strategicMergePatch(out[key], value, useMergeKeys, childPath);
    if (merged === undefined) delete out[key];
    else out[key] = merged;
  }
  return out;
}

function mergeList(current: Json[], patch: Json[], mergeKey: string, path: string): Json[] {
  if (patch.some((p) => isMap(p) && p['$patch'] === 'replace')) {
    return patch.filter((p) => !(isMap(p) && p['$patch'] === 'replace')).map(stripDirectives);
  }
  const out = [...current];
  for (const item of patch) {
    if (!isMap(item) || !(mergeKey in item)) {
      out.push(stripDirectives(item));
      continue;
    }
    const at = out.findIndex((c) => isMap(c) && c[mergeKey] === item[mergeKey]);
    if (item['$patch'] === 'delete') {
      if (at >= 0) out.splice(at, 1);
    } else if (at >= 0) {
      out[at] = strategicMergePatch(out[at], item, true, path);
    } else {
      out.push(stripDirectives(item));
    }
  }
  return out;
}

function stripDirectives(value: Json): Json {
  if (Array.isArray(value)) return value.map(stripDirectives);
  if (!isMap(value)) return value;
  const out: JsonMap = {};
  for (const [k, v] of Object.entries(value)) if (!k.startsWith('$')) out[k] = stripDirectives(v);
  return out;
}

interface JsonPatchOp {
  op: string;
  path: string;
  from?: string;
  value?: Json;
}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw errors.badRequest(`invalid JSON pointer "${path}"`);
  return path.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(doc: Json, tokens: string[], op: string): { parent: JsonMap | Json[]; key: string } {
  let cur: Json = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(t)];
    else if (isMap(cur)) cur = cur[t];
    else cur = undefined;
    if (cur === undefined) throw errors.unprocessable(`jsonpatch ${op} operation does not apply: doc is missing path: "/${tokens.join('/')}"`);
  }
  if (!Array.isArray(cur) && !isMap(cur)) throw errors.unprocessable(`jsonpatch ${op} operation does not apply: doc is missing path: "/${tokens.join('/')}"`);
  return { parent: cur, key: tokens[tokens.length - 1] ?? '' };
}

function getAt(doc: Json, tokens: string[]): Json {
  let cur: Json = doc;
  for (const t of tokens) {
    if (Array.isArray(cur)) cur = cur[Number(t)];
    else if (isMap(cur)) cur = Object.prototype.hasOwnProperty.call(cur, t) ? cur[t] : undefined;
    else return undefined;
  }
  return cur;
}

function removeAt(doc: Json, tokens: string[], op: string): Json {
  const { parent, key } = parentOf(doc, tokens, op);
  if (Array.isArray(parent)) {
    const i = Number(key);
    if (!Number.isInteger(i) || i < 0 || i >= parent.length) throw errors.unprocessable(`jsonpatch ${op} operation does not apply: index out of range`);
    return parent.splice(i, 1)[0];
  }
  if (!Object.prototype.hasOwnProperty.call(parent, key)) throw errors.unprocessable(`jsonpatch ${op} operation does not apply: doc is missing key: /${tokens.join('/')}`);
  const old = parent[key];
  delete parent[key];
  return old;
}

function addAt(doc: Json, tokens: string[], value: Json, op: string, replace: boolean): Json {
  if (tokens.length === 0) return value;
  const { parent, key } = parentOf(doc, tokens, op);
  if (Array.isArray(parent)) {
    const i = key === '-' ? parent.length : Number(key);
    if (!Number.isInteger(i) || i < 0 || i > parent.length || (replace && i >= parent.length)) {
      throw errors.unprocessable(`jsonpatch ${op} operation does not apply: index out of range`);
    }
    if (replace) parent[i] = value;
    else parent.splice(i, 0, value);
  } else {
    if (replace && !Object.prototype.hasOwnProperty.call(parent, key)) {
      throw errors.unprocessable(`jsonpatch replace operation does not apply: doc is missing key: /${tokens.join('/')}`);
    }
    parent[key] = value;
  }
  return doc;
}

/** RFC 6902 JSON patch. */
export function jsonPatch(target: Json, ops: Json): Json {
  if (!Array.isArray(ops)) throw errors.badRequest('a JSON patch must be a list of operations');
  let doc = structuredClone(target);
  for (const raw of ops) {
    if (!isMap(raw) || typeof raw['op'] !== 'string' || typeof raw['path'] !== 'string') throw errors.badRequest('invalid JSON patch operation');
    const op = raw as unknown as JsonPatchOp;
    const tokens = pointer(op.path);
    switch (op.op) {
      case 'add':
        doc = addAt(doc, tokens, structuredClone(op.value), 'add', false);
        break;
      case 'replace':
        doc = addAt(doc, tokens, structuredClone(op.value), 'replace', true);
        break;
      case 'remove':
        removeAt(doc, tokens, 'remove');
        break;
      case 'move': {
        const value = removeAt(doc, pointer(op.from ?? ''), 'move');
        doc = addAt(doc, tokens, value, 'move', false);
        break;
      }
      case 'copy':
        doc = addAt(doc, tokens, structuredClone(getAt(doc, pointer(op.from ?? ''))), 'copy', false);
        break;
      case 'test':
        if (JSON.stringify(getAt(doc, tokens)) !== JSON.stringify(op.value)) throw errors.unprocessable(`testing value ${op.path} failed`);
        break;
      default:
        throw errors.badRequest(`unknown JSON patch operation "${op.op}"`);
    }
  }
  return doc;
}

export const PATCH_TYPES = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;

/** Applies a PATCH body of the given content type; `kind` decides strategic merge keys. */
export function applyPatch(contentType: string, target: Json, body: Json, kind: string): Json {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  switch (type) {
    case PATCH_TYPES.merge:
      if (!isMap(body)) throw errors.badRequest('a merge patch must be a JSON object');
      return mergePatch(target, body);
    case PATCH_TYPES.strategic:
      if (!isMap(body)) throw errors.badRequest('a strategic merge patch must be a JSON object');
      return strategicMergePatch(target, body, kind === 'Pod');
    case PATCH_TYPES.json:
      return jsonPatch(target, body);
    default:
      throw errors.unsupportedMediaType(type);
  }
}
