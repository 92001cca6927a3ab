// Flattens Lists (List, PodList, NamespaceList, ...) into single objects, each with its kind.
import type { Diagnostic } from '../model/types.ts';
import { describeType, index, isAbsent, isMap } from './fields.ts';
import type { RawMap } from './fields.ts';
import { makeDiagnostic } from './issues.ts';
import type { SourceObject } from './source-object.ts';

export interface KindedObject {
  kind: string;
  file?: string;
  object: RawMap;
}

/** Lists inside lists deeper than this are not followed (guards against cyclic aliases). */
const MAX_LIST_DEPTH = 16;

export function isListKind(kind: string): boolean {
  return kind.endsWith('List');
}

/** The path of a field of the item at `path` ('' for the item itself), for diagnostics. */
function fieldAt(path: string, field: string): string | undefined {
  return path === '' ? field || undefined : field ? `${path}.${field}` : path;
}

export function expandObjects(sources: Iterable<SourceObject>): { objects: KindedObject[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const objects = [...expandEach(sources, diagnostics)];
  return { objects, diagnostics };
}

/** The objects one source at a time (a loader can be done with each before the next is read); problems go to `diagnostics`. */
export function* expandEach(sources: Iterable<SourceObject>, diagnostics: Diagnostic[]): Generator<KindedObject> {
  const objects: KindedObject[] = [];

  // `root` names the outermost list and `path` the item inside it, for diagnostics.
  const visit = (
    value: unknown,
    file: string | undefined,
    inheritedKind: string,
    root: string | undefined,
    path: string,
    depth: number,
  ): void => {
    if (isAbsent(value)) return;
    if (!isMap(value)) {
      diagnostics.push(makeDiagnostic('warning', file, root, fieldAt(path, ''), `not a Kubernetes object (${describeType(value)}): ignored`));
      return;
    }
    const rawKind = value['kind'];
    const kind = typeof rawKind === 'string' && rawKind !== '' ? rawKind : inheritedKind;
    if (kind === '') {
      diagnostics.push(makeDiagnostic('warning', file, root, fieldAt(path, 'kind'), 'object without kind: ignored'));
      return;
    }
    if (!isListKind(kind)) {
      objects.push(file === undefined ? { kind, object: value } : { kind, file, object: value });
      return;
    }
    const listRoot = root ?? kind;
    const items = value['items'];
    if (isAbsent(items)) return;
    if (!Array.isArray(items)) {
      diagnostics.push(makeDiagnostic('error', file, listRoot, fieldAt(path, 'items'), `must be a list, got ${describeType(items)}`));
      return;
    }
    if (depth >= MAX_LIST_DEPTH) {
      diagnostics.push(makeDiagnostic('error', file, listRoot, fieldAt(path, 'items'), 'lists nested too deeply: ignored'));
      return;
    }
    // PodList items take the kind Pod; items of a plain List must say their kind.
    const itemKind = kind.slice(0, -'List'.length);
    items.forEach((item, i) => visit(item, file, itemKind, listRoot, index(fieldAt(path, 'items') ?? 'items', i), depth + 1));
  };

  for (const source of sources) {
    visit(source.object, source.file, '', undefined, '', 0);
    yield* objects;
    objects.length = 0;
  }
}
