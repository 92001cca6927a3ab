// `metadata` of any object: name, namespace, labels, the controller owner, deletion.
import type { OwnerRef } from '../model/types.ts';
import { child, index, isAbsent, isMap, readList, readMap, readString, readStringMap } from './fields.ts';
import type { RawMap } from './fields.ts';
import type { Issues } from './issues.ts';

export const DEFAULT_NAMESPACE = 'default';

export interface Metadata {
  name: string;
  /** For cluster-scoped objects (Namespace) this is '' and meaningless. */
  namespace: string;
  labels: Record<string, string>;
  /** The first ownerReference with `controller: true`, or null. */
  controller: OwnerRef | null;
  deleting: boolean;
}

/** `NetworkPolicy prod/web`, `Namespace prod`: how diagnostics name an object (read leniently). */
export function describeObject(kind: string, object: RawMap, namespaced: boolean): string {
  const meta = isMap(object['metadata']) ? object['metadata'] : {};
  const rawName = meta['name'];
  const name = typeof rawName === 'string' && rawName !== '' ? rawName : '<no name>';
  if (!namespaced) return `${kind} ${name}`;
  return `${kind} ${namespaceOf(meta['namespace'])}/${name}`;
}

function namespaceOf(value: unknown): string {
  return typeof value === 'string' && value !== '' ? value : DEFAULT_NAMESPACE;
}

/** Object ids are built as `ns/name`, so names may not contain `/` (Kubernetes forbids it too). */
function readName(value: unknown, path: string, issues: Issues): string {
  if (isAbsent(value) || value === '') {
    issues.error(path, 'required field is missing');
    return '';
  }
  const name = readString(value, path, issues);
  if (name === undefined) return '';
  if (name.includes('/')) issues.error(path, `invalid name "${name}": may not contain "/"`);
  return name;
}

export function readMetadata(object: RawMap, issues: Issues, namespaced: boolean, path = 'metadata'): Metadata {
  const meta = readMap(object['metadata'], path, issues) ?? {};
  const name = readName(meta['name'], child(path, 'name'), issues);
  let namespace = '';
  if (namespaced) {
    const nsPath = child(path, 'namespace');
    const ns = readString(meta['namespace'], nsPath, issues);
    namespace = ns === undefined || ns === '' ? DEFAULT_NAMESPACE : ns;
    if (namespace.includes('/')) issues.error(nsPath, `invalid namespace "${namespace}": may not contain "/"`);
  }
  const labels = readStringMap(meta['labels'], child(path, 'labels'), issues) ?? {};
  const controller = readController(meta['ownerReferences'], child(path, 'ownerReferences'), issues);
  const deleting = !isAbsent(meta['deletionTimestamp']) && meta['deletionTimestamp'] !== '';
  return { name, namespace, labels, controller, deleting };
}

/**
 * The first ownerReference marked `controller: true`. A missing kind is kept as ''. A controller
 * reference without a name is ignored with a warning.
 */
function readController(value: unknown, path: string, issues: Issues): OwnerRef | null {
  const refs = readList(value, path, issues);
  if (!refs) return null;
  for (let i = 0; i < refs.length; i++) {
    const refPath = index(path, i);
    const ref = readMap(refs[i], refPath, issues);
    if (!ref || ref['controller'] !== true) continue;
    const kind = readString(ref['kind'], child(refPath, 'kind'), issues) ?? '';
    const name = readString(ref['name'], child(refPath, 'name'), issues);
    if (name === undefined || name === '') {
      if (isAbsent(ref['name']) || name === '') {
        issues.warn(child(refPath, 'name'), 'controller owner reference without a name: ignored');
      }
      return null;
    }
    return { kind, name };
  }
  return null;
}
