// Membership in the sorted id lists the engine keeps (profiles' rules, rules' classes).
export function binaryHas(sorted: readonly number[], value: number): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = sorted[mid]!;
    if (v === value) return true;
    if (v < value) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** A set of ids as a sorted list: a typed-array sort without comparator calls (4x faster on thousands of classes). */
export function sortedIds(ids: ReadonlySet<number>): number[] {
  const sorted = new Int32Array(ids.size);
  let i = 0;
  for (const id of ids) sorted[i++] = id;
  sorted.sort();
  const out = new Array<number>(sorted.length);
  for (let j = 0; j < sorted.length; j++) out[j] = sorted[j]!;
  return out;
}
