// Typed reads of raw (parsed YAML/JSON) values with Kubernetes-style field paths. `null` counts as
// absent, as in the API server's decoding. A value of the wrong type is an error on its path.
import type { Issues } from './issues.ts';

export type RawMap = Record<string, unknown>;

export function isMap(value: unknown): value is RawMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

export function isAbsent(value: unknown): value is null | undefined {
  return value === undefined || value === null;
}

/** `a`, `a.b` */
export function child(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/** `a[3]` */
export function index(path: string, i: number): string {
  return `${path}[${i}]`;
}

/** A map key, as Kubernetes writes it: `metadata.labels[app.kubernetes.io/name]` */
export function mapKey(path: string, key: string): string {
  return `${path}[${key}]`;
}

export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Date) return 'a timestamp';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a number';
  return `a ${typeof value}`;
}

function wrongType(issues: Issues, path: string, expected: string, value: unknown): void {
  issues.error(path, `must be ${expected}, got ${describeType(value)}`);
}

/** A mapping, or undefined when absent or of the wrong type (then an error is recorded). */
export function readMap(value: unknown, path: string, issues: Issues): RawMap | undefined {
  if (isAbsent(value)) return undefined;
  if (isMap(value)) return value;
  wrongType(issues, path, 'a mapping', value);
  return undefined;
}

export function readList(value: unknown, path: string, issues: Issues): unknown[] | undefined {
  if (isAbsent(value)) return undefined;
  if (Array.isArray(value)) return value;
  wrongType(issues, path, 'a list', value);
  return undefined;
}

export function readString(value: unknown, path: string, issues: Issues): string | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value === 'string') return value;
  wrongType(issues, path, 'a string', value);
  return undefined;
}

export function readBoolean(value: unknown, path: string, issues: Issues): boolean | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value === 'boolean') return value;
  wrongType(issues, path, 'a boolean', value);
  return undefined;
}

/** A map of string to string (labels, matchLabels); a value that is not a string is an error. */
export function readStringMap(value: unknown, path: string, issues: Issues): Record<string, string> | undefined {
  const map = readMap(value, path, issues);
  if (!map) return undefined;
  const entries: [string, string][] = [];
  for (const [key, v] of Object.entries(map)) {
    if (typeof v === 'string') entries.push([key, v]);
    else wrongType(issues, mapKey(path, key), 'a string', v);
  }
  // fromEntries defines own properties, so a key such as `__proto__` stays an ordinary key.
  return Object.fromEntries(entries);
}

/** Unknown fields are ignored, with a warning (kubectl's strict validation would reject them). */
export function warnUnknownFields(map: RawMap, known: readonly string[], path: string, issues: Issues): void {
  for (const key of Object.keys(map)) {
    if (!known.includes(key)) {
      issues.warn(child(path, key), "unknown field, ignored (kubectl's strict validation rejects it)");
    }
  }
}
