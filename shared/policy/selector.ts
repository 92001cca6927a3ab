import type { LabelSelector, Labels } from '../model/types.ts';

/** semantics.md rule 15: matchLabels and matchExpressions are ANDed; an empty selector matches all. */
export function selectorMatches(selector: LabelSelector, labels: Labels): boolean {
  for (const key in selector.matchLabels) {
    if (labels[key] !== selector.matchLabels[key]) return false;
  }
  for (const req of selector.matchExpressions) {
    const has = Object.prototype.hasOwnProperty.call(labels, req.key);
    switch (req.operator) {
      case 'In':
        if (!has || !req.values.includes(labels[req.key]!)) return false;
        break;
      case 'NotIn':
        if (has && req.values.includes(labels[req.key]!)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
    }
  }
  return true;
}

/** Canonical text of a selector, so equal selectors are evaluated once. */
export function selectorKey(selector: LabelSelector): string {
  const labels = Object.keys(selector.matchLabels)
    .sort()
    .map((k) => `${k}=${selector.matchLabels[k]}`);
  const exprs = selector.matchExpressions
    .map((e) => `${e.key} ${e.operator} (${[...e.values].sort().join(',')})`)
    .sort();
  return `{${labels.join(',')}|${exprs.join(',')}}`;
}
