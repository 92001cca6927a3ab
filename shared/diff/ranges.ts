// External ranges common to both sides. Each analysis cuts the address space at its own ipBlock
// boundaries; the diff compares them on the common refinement (every non-empty intersection of a
// range of one side with a range of the other), so a range split in two by a new ipBlock is not
// reported as lost and gained.
import type { ExternalRange } from '../engine/analysis.ts';
import { formatRange, type Family, type IpRange } from '../model/ip.ts';

export interface CommonRange {
  /** `ip:FIRST-LAST` */
  id: string;
  range: IpRange;
  /** Index of the external range containing it, on each side. */
  before: number;
  after: number;
}

type Role = 'asSource' | 'asDestination';

function pieces(externals: readonly ExternalRange[], role: Role, family: Family): { range: IpRange; index: number }[] {
  return externals
    .flatMap((e, index) => (e[role] && e.range.family === family ? [{ range: e.range, index }] : []))
    .sort((x, y) => (x.range.first < y.range.first ? -1 : x.range.first > y.range.first ? 1 : 0));
}

export function familiesOf(externals: readonly ExternalRange[]): Set<Family> {
  return new Set(externals.map((e) => e.range.family));
}

/**
 * The common refinement of both sides' ranges in one role (sources: `asSource`), for the families
 * both sides model. Each side's ranges of a family partition its address space, so one merge walk
 * finds every intersection.
 */
export function commonRanges(before: readonly ExternalRange[], after: readonly ExternalRange[], role: Role, families: readonly Family[]): CommonRange[] {
  const out: CommonRange[] = [];
  for (const family of families) {
    const b = pieces(before, role, family);
    const a = pieces(after, role, family);
    let i = 0;
    let j = 0;
    while (i < b.length && j < a.length) {
      const x = b[i]!;
      const y = a[j]!;
      const first = x.range.first > y.range.first ? x.range.first : y.range.first;
      const last = x.range.last < y.range.last ? x.range.last : y.range.last;
      if (first <= last) {
        const range: IpRange = { family, first, last };
        out.push({ id: `ip:${formatRange(range)}`, range, before: x.index, after: y.index });
      }
      if (x.range.last < y.range.last) i++;
      else if (y.range.last < x.range.last) j++;
      else {
        i++;
        j++;
      }
    }
  }
  return out;
}
