// Canonical text of model values, so that two policies compare equal exactly when they mean the
// same: object keys sorted, label selectors in one order (requirements and their values sorted),
// and the file a policy came from left out.

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function normalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalize);
  if (!isRecord(value)) return value;
  if ('matchLabels' in value && Array.isArray(value['matchExpressions'])) {
    // A selector's requirements are ANDed and a requirement's values are a set: their order means nothing.
    const expressions = (value['matchExpressions'] as unknown[]).map((e) => {
      const n = normalize(e);
      if (isRecord(n) && Array.isArray(n['values'])) n['values'] = [...new Set(n['values'] as unknown[])].sort();
      return n;
    });
    const texts = [...new Set(expressions.map((e) => JSON.stringify(e)))].sort();
    return { matchExpressions: texts.map((t) => JSON.parse(t) as unknown), matchLabels: normalize(value['matchLabels']) };
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    if (key === 'source' || value[key] === undefined) continue;
    out[key] = normalize(value[key]);
  }
  return out;
}

/** JSON with sorted keys and canonical selectors; `source` (where an object was read from) is left out. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(normalize(value)) ?? 'null';
}
