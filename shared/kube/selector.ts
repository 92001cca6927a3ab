// Label selectors (semantics.md rule 15): validated, never guessed.
import type { LabelSelector, SelectorOperator, SelectorRequirement } from '../model/types.ts';
import { child, index, isAbsent, readList, readMap, readString, readStringMap, warnUnknownFields } from './fields.ts';
import type { Issues } from './issues.ts';

const OPERATORS: readonly SelectorOperator[] = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

function isOperator(value: string): value is SelectorOperator {
  return (OPERATORS as readonly string[]).includes(value);
}

/**
 * A label selector, or undefined when absent (the caller decides what absence means). Errors are
 * recorded on `issues`; the result is then meaningless.
 */
export function parseLabelSelector(value: unknown, path: string, issues: Issues): LabelSelector | undefined {
  const map = readMap(value, path, issues);
  if (!map) return undefined;
  warnUnknownFields(map, ['matchLabels', 'matchExpressions'], path, issues);
  const matchLabels = readStringMap(map['matchLabels'], child(path, 'matchLabels'), issues) ?? {};
  const matchExpressions: SelectorRequirement[] = [];
  const exprsPath = child(path, 'matchExpressions');
  const exprs = readList(map['matchExpressions'], exprsPath, issues) ?? [];
  exprs.forEach((raw, i) => {
    const req = parseRequirement(raw, index(exprsPath, i), issues);
    if (req) matchExpressions.push(req);
  });
  return { matchLabels, matchExpressions };
}

function parseRequirement(value: unknown, path: string, issues: Issues): SelectorRequirement | undefined {
  if (isAbsent(value)) {
    issues.error(path, 'missing requirement');
    return undefined;
  }
  const map = readMap(value, path, issues);
  if (!map) return undefined;
  warnUnknownFields(map, ['key', 'operator', 'values'], path, issues);

  const keyPath = child(path, 'key');
  const key = readString(map['key'], keyPath, issues);
  if (isAbsent(map['key']) || key === '') issues.error(keyPath, 'required field is missing');

  const opPath = child(path, 'operator');
  const op = readString(map['operator'], opPath, issues);
  if (isAbsent(map['operator'])) issues.error(opPath, 'required field is missing');
  else if (op !== undefined && !isOperator(op)) {
    issues.error(opPath, `unsupported operator "${op}": must be In, NotIn, Exists or DoesNotExist`);
  }

  const valuesPath = child(path, 'values');
  const values: string[] = [];
  const valuesList = readList(map['values'], valuesPath, issues);
  const valuesBad = valuesList === undefined && !isAbsent(map['values']);
  const rawValues = valuesList ?? [];
  rawValues.forEach((v, i) => {
    const s = readString(v, index(valuesPath, i), issues);
    if (isAbsent(v)) issues.error(index(valuesPath, i), 'must be a string, got null');
    if (s !== undefined) values.push(s);
  });

  if (valuesBad) {
    // already reported as a wrong type
  } else if (op === 'In' || op === 'NotIn') {
    if (rawValues.length === 0) issues.error(valuesPath, `must be non-empty when operator is ${op}`);
  } else if (op === 'Exists' || op === 'DoesNotExist') {
    if (rawValues.length > 0) issues.error(valuesPath, `must be empty when operator is ${op}`);
  }

  if (key === undefined || key === '' || op === undefined || !isOperator(op)) return undefined;
  return { key, operator: op, values };
}
