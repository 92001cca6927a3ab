// The address space cut into disjoint ranges ("atoms") at every ipBlock boundary, so that every
// ipBlock is exactly a union of atoms and one atom stands for all of its addresses.
import { fullRange, parseCidr, type Family, type IpRange } from '../model/ip.ts';
import type { IpBlock } from '../model/types.ts';

const rangesOfBlock = new WeakMap<IpBlock, IpRange[]>();

/** The addresses an ipBlock matches: its CIDR minus its `except` entries, as disjoint ranges. */
export function ipBlockRanges(block: IpBlock): IpRange[] {
  let ranges = rangesOfBlock.get(block);
  if (!ranges) {
    ranges = computeRanges(block);
    rangesOfBlock.set(block, ranges);
  }
  return ranges;
}

const rangesOfCidrs = new WeakMap<readonly string[], IpRange[]>();

/** The addresses of a list of CIDRs (an admin `networks` peer). */
export function cidrRanges(cidrs: readonly string[]): IpRange[] {
  let ranges = rangesOfCidrs.get(cidrs);
  if (!ranges) {
    ranges = cidrs.flatMap((text) => computeRanges({ cidr: text, except: [] }));
    rangesOfCidrs.set(cidrs, ranges);
  }
  return ranges;
}

function computeRanges(block: IpBlock): IpRange[] {
  const cidr = parseCidr(block.cidr);
  if (!cidr) return [];
  let pieces: IpRange[] = [{ family: cidr.family, first: cidr.first, last: cidr.last }];
  for (const text of block.except) {
    const ex = parseCidr(text);
    if (!ex || ex.family !== cidr.family) continue;
    pieces = pieces.flatMap((p) => subtract(p, ex));
  }
  return pieces;
}

function subtract(p: IpRange, cut: IpRange): IpRange[] {
  if (cut.last < p.first || cut.first > p.last) return [p];
  const out: IpRange[] = [];
  if (cut.first > p.first) out.push({ family: p.family, first: p.first, last: cut.first - 1n });
  if (cut.last < p.last) out.push({ family: p.family, first: cut.last + 1n, last: p.last });
  return out;
}

export class IpPartition {
  /** Sorted by family (4 first) then address; together they cover each family present. */
  readonly atoms: IpRange[] = [];

  constructor(cutBy: readonly IpRange[], families: Iterable<Family>) {
    for (const family of [...new Set(families)].sort()) {
      const full = fullRange(family);
      const starts = new Set<bigint>([full.first]);
      for (const r of cutBy) {
        if (r.family !== family) continue;
        starts.add(r.first);
        if (r.last < full.last) starts.add(r.last + 1n);
      }
      const sorted = [...starts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      sorted.forEach((first, i) => {
        const next = sorted[i + 1];
        this.atoms.push({ family, first, last: next === undefined ? full.last : next - 1n });
      });
    }
  }

  /** Index of the atom holding this address, or -1 when its family is not partitioned. */
  indexOf(family: Family, value: bigint): number {
    let lo = 0;
    let hi = this.atoms.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const a = this.atoms[mid]!;
      if (a.family < family || (a.family === family && a.last < value)) lo = mid + 1;
      else if (a.family > family || a.first > value) hi = mid - 1;
      else return mid;
    }
    return -1;
  }

  /** The atoms inside these ranges (each range must be a union of atoms: it was a cut). */
  covered(ranges: readonly IpRange[]): number[] {
    const out: number[] = [];
    for (const r of ranges) {
      const from = this.indexOf(r.family, r.first);
      const to = this.indexOf(r.family, r.last);
      if (from < 0 || to < 0) continue;
      for (let i = from; i <= to; i++) out.push(i);
    }
    return [...new Set(out)].sort((a, b) => a - b);
  }
}
