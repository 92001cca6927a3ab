// Label selectors written as text, kubectl's `-l` grammar (`app=web,tier in (db,cache),!canary`):
// the simulated API server's labelSelector parameter and the dashboard's label filter.

/** A malformed selector; the message is the API server's. */
export class LabelQueryError extends Error {}

export type LabelRequirement =
  | { op: 'exists' | 'notexists'; key: string }
  | { op: 'in' | 'notin'; key: string; values: string[] }
  | { op: 'gt' | 'lt'; key: string; value: number };

export type LabelQuery = LabelRequirement[];

const KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function checkKey(key: string, text: string): string {
  if (!KEY.test(key) || key.length > 317) throw new LabelQueryError(`unable to parse requirement: invalid label key "${key}" in selector "${text}"`);
  return key;
}

function checkValue(value: string, text: string): string {
  if (!VALUE.test(value) || value.length > 63) throw new LabelQueryError(`unable to parse requirement: invalid label value "${value}" in selector "${text}"`);
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
export function parseLabelQuery(text: string): LabelQuery {
  const out: LabelQuery = [];
  if (text.trim() === '') return out;
  for (const raw of splitTop(text)) {
    const part = raw.trim();
    if (part === '') throw new LabelQueryError(`unable to parse requirement: found '', expected: identifier in selector "${text}"`);
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
      throw new LabelQueryError(`unable to parse requirement: invalid selector "${text}"`);
    }
  }
  return out;
}

export function matchesLabelQuery(selector: LabelQuery, labels: Readonly<Record<string, string>> | undefined): boolean {
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
