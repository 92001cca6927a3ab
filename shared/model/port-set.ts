import { PROTOCOLS, type Protocol } from './types.ts';

export const MIN_PORT = 1;
export const MAX_PORT = 65535;

/** One protocol's ports as sorted, disjoint, non-touching inclusive ranges, flattened [lo, hi, lo, hi, ...]. */
type Ranges = readonly number[];

export interface PortRange {
  protocol: Protocol;
  port: number;
  endPort: number;
}

/**
 * An immutable set of (protocol, port) pairs, always in canonical form, so two equal sets have
 * equal `key`s. Operations return new sets.
 */
export class PortSet {
  private constructor(private readonly byProtocol: readonly [Ranges, Ranges, Ranges]) {}

  static readonly EMPTY = new PortSet([[], [], []]);
  static readonly ALL = new PortSet([
    [MIN_PORT, MAX_PORT],
    [MIN_PORT, MAX_PORT],
    [MIN_PORT, MAX_PORT],
  ]);

  /** Every port of one protocol. */
  static protocol(protocol: Protocol): PortSet {
    return PortSet.range(protocol, MIN_PORT, MAX_PORT);
  }

  static range(protocol: Protocol, lo: number, hi: number): PortSet {
    if (!(lo >= MIN_PORT && hi <= MAX_PORT && lo <= hi)) return PortSet.EMPTY;
    const parts: [Ranges, Ranges, Ranges] = [[], [], []];
    parts[PROTOCOLS.indexOf(protocol)] = [lo, hi];
    return new PortSet(parts);
  }

  static fromRanges(ranges: Iterable<PortRange>): PortSet {
    let set = PortSet.EMPTY;
    for (const r of ranges) set = set.union(PortSet.range(r.protocol, r.port, r.endPort));
    return set;
  }

  isEmpty(): boolean {
    return this.byProtocol.every((r) => r.length === 0);
  }

  isAll(): boolean {
    return this.byProtocol.every((r) => r.length === 2 && r[0] === MIN_PORT && r[1] === MAX_PORT);
  }

  union(other: PortSet): PortSet {
    if (other === this || other.isEmpty()) return this;
    if (this.isEmpty()) return other;
    return new PortSet([
      unionRanges(this.byProtocol[0], other.byProtocol[0]),
      unionRanges(this.byProtocol[1], other.byProtocol[1]),
      unionRanges(this.byProtocol[2], other.byProtocol[2]),
    ]);
  }

  intersect(other: PortSet): PortSet {
    if (other === this) return this;
    return new PortSet([
      intersectRanges(this.byProtocol[0], other.byProtocol[0]),
      intersectRanges(this.byProtocol[1], other.byProtocol[1]),
      intersectRanges(this.byProtocol[2], other.byProtocol[2]),
    ]);
  }

  /** The ports of this set that are not in `other`. */
  subtract(other: PortSet): PortSet {
    if (other.isEmpty()) return this;
    return new PortSet([
      subtractRanges(this.byProtocol[0], other.byProtocol[0]),
      subtractRanges(this.byProtocol[1], other.byProtocol[1]),
      subtractRanges(this.byProtocol[2], other.byProtocol[2]),
    ]);
  }

  has(protocol: Protocol, port: number): boolean {
    const r = this.byProtocol[PROTOCOLS.indexOf(protocol)]!;
    for (let i = 0; i < r.length; i += 2) if (port >= r[i]! && port <= r[i + 1]!) return true;
    return false;
  }

  equals(other: PortSet): boolean {
    return this.key() === other.key();
  }

  /** Ranges sorted by protocol (TCP, UDP, SCTP) then port. */
  ranges(): PortRange[] {
    const out: PortRange[] = [];
    PROTOCOLS.forEach((protocol, p) => {
      const r = this.byProtocol[p]!;
      for (let i = 0; i < r.length; i += 2) out.push({ protocol, port: r[i]!, endPort: r[i + 1]! });
    });
    return out;
  }

  /** `"all"` or the ranges: the shape of `allowed` in the analysis JSON. */
  toJSON(): 'all' | PortRange[] {
    return this.isAll() ? 'all' : this.ranges();
  }

  /** Canonical text, e.g. `TCP 80,443-445 UDP 53`, `all`, or `none`. */
  key(): string {
    if (this.isAll()) return 'all';
    if (this.isEmpty()) return 'none';
    const parts: string[] = [];
    PROTOCOLS.forEach((protocol, p) => {
      const r = this.byProtocol[p]!;
      if (r.length === 0) return;
      const items: string[] = [];
      for (let i = 0; i < r.length; i += 2) items.push(r[i] === r[i + 1] ? `${r[i]}` : `${r[i]}-${r[i + 1]}`);
      parts.push(`${protocol} ${items.join(',')}`);
    });
    return parts.join(' ');
  }

  toString(): string {
    return this.key();
  }
}

function unionRanges(a: Ranges, b: Ranges): Ranges {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const all: [number, number][] = [];
  for (let i = 0; i < a.length; i += 2) all.push([a[i]!, a[i + 1]!]);
  for (let i = 0; i < b.length; i += 2) all.push([b[i]!, b[i + 1]!]);
  all.sort((x, y) => x[0] - y[0]);
  const out: number[] = [];
  for (const [lo, hi] of all) {
    const last = out.length - 1;
    // Merge overlapping and touching ranges (80-80 and 81-90 become 80-90).
    if (last > 0 && lo <= out[last]! + 1) out[last] = Math.max(out[last]!, hi);
    else out.push(lo, hi);
  }
  return out;
}

function intersectRanges(a: Ranges, b: Ranges): Ranges {
  if (a.length === 0 || b.length === 0) return [];
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const lo = Math.max(a[i]!, b[j]!);
    const hi = Math.min(a[i + 1]!, b[j + 1]!);
    if (lo <= hi) out.push(lo, hi);
    if (a[i + 1]! < b[j + 1]!) i += 2;
    else j += 2;
  }
  return out;
}

function subtractRanges(a: Ranges, b: Ranges): Ranges {
  if (a.length === 0 || b.length === 0) return a;
  const out: number[] = [];
  let j = 0;
  for (let i = 0; i < a.length; i += 2) {
    let lo = a[i]!;
    const hi = a[i + 1]!;
    // Skip the cuts that end before this range; cut the range by those that overlap it.
    while (j < b.length && b[j + 1]! < lo) j += 2;
    let k = j;
    while (k < b.length && b[k]! <= hi && lo <= hi) {
      if (b[k]! > lo) out.push(lo, b[k]! - 1);
      lo = Math.max(lo, b[k + 1]! + 1);
      k += 2;
    }
    if (lo <= hi) out.push(lo, hi);
  }
  return out;
}
