// labelSelector and fieldSelector query parameters: parsing (400 on a malformed selector, as the
// API server answers) and matching against raw objects.
import { errors } from './status.ts';
import type { SimResource } from './resources.ts';

export type LabelRequirement =
  | { op: 'exists' | 'notexists'; key: string }
  | { op: 'in' | 'notin'; key: string; values: string[] }
  | { op: 'gt' | 'lt'; key: string; value: number };

export type LabelSelector = LabelRequirement[];

const KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function checkKey(key: string, text: string): string {
  if (!KEY.test(key) || key.length > 317) throw errors.badRequest(`unable to parse requirement: invalid label key "${key}" in selector "${text}"`);
  return key;
}

function checkValue(value: string, text: string): string {
  if (!VALUE.test(value) || value.length > 63) throw errors.badRequest(`unable to parse requirement: invalid label value "${value}" in selector "${text}"`);
  return value;
}

/** Splits on commas that are not inside parentheses. */
function splitTop(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/** Parses `a=b,c!=d,e in (f,g),h notin (i),j,!k,l>3` (the labels.Parse grammar). Empty = everything. */
export function parseLabelSelector(text: string): LabelSelector {
  const out: LabelSelector = [];
  if (text.trim() === '') return out;
  for (const raw of splitTop(text)) {
    const part = raw.trim();
    if (part === '') throw errors.badRequest(`unable to parse requirement: found '', expected: identifier in selector "${text}"`);
    let m: RegExpExecArray | null;
    if ((m = /^(\S+?)\s+(in|notin)\s*\((.*)\)$/.exec(part))) {
      const key = checkKey(m[1]!, text);
      const values = m[3]!.split(',').map((v) => checkValue(v.trim(), text));
      out.push({ op: m[2] as 'in' | 'notin', key, values });
    } else if ((m = /^!\s*(\S+)$/.exec(part))) {
      out.push({ op: 'notexists', key: checkKey(m[1]!, text) });
    } else if ((m = /^([^=!<>\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(part))) {
      const key = checkKey(m[1]!, text);
      const value = checkValue(m[3]!, text);
      out.push({ op: m[2] === '!=' ? 'notin' : 'in', key, values: [value] });
    } else if ((m = /^([^=!<>\s]+)\s*(<|>)\s*(-?\d+)$/.exec(part))) {
      out.push({ op: m[2] === '>' ? 'gt' : 'lt', key: checkKey(m[1]!, text), value: Number(m[3]) });
    } else if (/^[^=!<>\s()]+$/.test(part)) {
      out.push({ op: 'exists', key: checkKey(part, text) });
    } else {
      throw errors.badRequest(`unable to parse requirement: invalid selector "${text}"`);
    }
  }
  return out;
}

export function matchesLabels(selector: LabelSelector, labels: Readonly<Record<string, string>> | undefined): boolean {
  const l = labels ?? {};
  for (const r of selector) {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    const value = has ? l[r.key] : undefined;
    switch (r.op) {
      case 'exists':
        if (!has) return false;
        break;
      case 'notexists':
        if (has) return false;
        break;
      case 'in':
        if (value === undefined || !r.values.includes(value)) return false;
        break;
      case 'notin':
        if (value !== undefined && r.values.includes(value)) return false;
        break;
      case 'gt':
      case 'lt': {
        if (value === undefined || !/^-?\d+$/.test(value)) return false;
        const n = Number(value);
        if (r.op === 'gt' ? !(n > r.value) : !(n < r.value)) return false;
        break;
      }
    }
  }
  return true;
}

export interface FieldRequirement {
  field: string;
  value: string;
  negate: boolean;
}

export type FieldSelector = FieldRequirement[];

/** Field paths each resource supports in a fieldSelector (a subset of the real server's). */
const FIELDS: Record<SimResource, readonly string[]> = {
  pods: ['metadata.name', 'metadata.namespace', 'status.phase', 'spec.nodeName', 'spec.hostNetwork', 'status.podIP', 'spec.restartPolicy', 'spec.serviceAccountName'],
  namespaces: ['metadata.name', 'status.phase'],
  networkpolicies: ['metadata.name', 'metadata.namespace'],
  adminnetworkpolicies: ['metadata.name'],
  baselineadminnetworkpolicies: ['metadata.name'],
};

export function parseFieldSelector(text: string, resource: SimResource): FieldSelector {
  const out: FieldSelector = [];
  if (text.trim() === '') return out;
  for (const raw of text.split(',')) {
    const m = /^\s*([^=!\s]+)\s*(==|=|!=)\s*(.*?)\s*$/.exec(raw);
    if (!m) throw errors.badRequest(`invalid selector: '${text}'; can't understand '${raw}'`);
    const field = m[1]!;
    if (!FIELDS[resource].includes(field)) {
      throw errors.badRequest(`field label not supported: ${field}`);
    }
    out.push({ field, value: m[3]!, negate: m[2] === '!=' });
  }
  return out;
}

function fieldValue(object: Readonly<Record<string, unknown>>, path: string): string {
  let cur: unknown = object;
  for (const key of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return '';
    cur = (cur as Record<string, unknown>)[key];
  }
  if (cur === undefined || cur === null) return path === 'spec.hostNetwork' ? 'false' : '';
  return typeof cur === 'string' ? cur : String(cur);
}

export function matchesFields(selector: FieldSelector, object: Readonly<Record<string, unknown>>): boolean {
  for (const r of selector) {
    const equal = fieldValue(object, r.field) === r.value;
    if (equal === r.negate) return false;
  }
  return true;
}
