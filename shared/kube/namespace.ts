// Namespace objects, and the `kubernetes.io/metadata.name` label every namespace carries (rule 14).
import type { Namespace } from '../model/types.ts';
import type { RawMap } from './fields.ts';
import type { Issues } from './issues.ts';
import { readMetadata } from './metadata.ts';

export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** Labels with `kubernetes.io/metadata.name` added when missing (an explicit value is kept). */
export function namespaceLabels(name: string, labels: Record<string, string>): Record<string, string> {
  if (Object.prototype.hasOwnProperty.call(labels, NAMESPACE_NAME_LABEL)) return { ...labels };
  return { ...labels, [NAMESPACE_NAME_LABEL]: name };
}

export function parseNamespace(object: RawMap, issues: Issues): Namespace {
  const meta = readMetadata(object, issues, false);
  return { name: meta.name, labels: namespaceLabels(meta.name, meta.labels) };
}

/** A namespace referenced by some object but not given: only the name label. */
export function implicitNamespace(name: string): Namespace {
  return { name, labels: namespaceLabels(name, {}) };
}
