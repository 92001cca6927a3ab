// labelSelector and fieldSelector query parameters: parsing (400 on a malformed selector, as the
// API server answers) and matching against raw objects.
import { LabelQueryError, parseLabelQuery, type LabelQuery } from '../../shared/policy/label-query.ts';
import { errors } from './status.ts';
import type { SimResource } from './resources.ts';

export type { LabelQuery as LabelSelector } from '../../shared/policy/label-query.ts';

/** Parses `a=b,c!=d,e in (f,g),h notin (i),j,!k,l>3`; a malformed selector is a 400, as the API server answers. */
export function parseLabelSelector(text: string): LabelQuery {
  try {
    return parseLabelQuery(text);
  } catch (e) {
    if (e instanceof LabelQueryError) throw errors.badRequest(e.message);
    throw e;
  }
}

export { matchesLabelQuery as matchesLabels } from '../../shared/policy/label-query.ts';

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
