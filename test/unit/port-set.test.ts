// Property test of PortSet against a brute-force set of "protocol:port" strings.
//
// Every range endpoint is drawn from 1..40 and 65530..65535, so all ports 41..65529 always behave
// alike: port 41 stands for that whole gap, and the universe U = 1..41, 65530..65535 (x 3
// protocols) decides set equality exactly.
import { describe, expect, it } from 'vitest';
import { MAX_PORT, MIN_PORT, PortSet, type PortRange } from '../../shared/model/port-set.ts';
import { PROTOCOLS, type Protocol } from '../../shared/model/types.ts';
import { Random } from '../support/random-cluster.ts';

const ENDPOINTS = [...Array.from({ length: 40 }, (_, i) => i + 1), 65530, 65531, 65532, 65533, 65534, 65535];
const UNIVERSE = [...Array.from({ length: 41 }, (_, i) => i + 1), 65530, 65531, 65532, 65533, 65534, 65535];
const GAP = { lo: 41, hi: 65529 };

type Brute = Set<string>;

/** The brute-force image of a range over U. */
function bruteRange(protocol: Protocol, lo: number, hi: number): Brute {
  const out: Brute = new Set();
  for (const p of UNIVERSE) {
    const inside = p === GAP.lo ? lo <= GAP.lo && hi >= GAP.lo : lo <= p && p <= hi;
    if (inside) out.add(`${protocol}:${p}`);
  }
  return out;
}

const bruteUnion = (a: Brute, b: Brute): Brute => new Set([...a, ...b]);
const bruteIntersect = (a: Brute, b: Brute): Brute => new Set([...a].filter((x) => b.has(x)));
const bruteSubtract = (a: Brute, b: Brute): Brute => new Set([...a].filter((x) => !b.has(x)));
const bruteEqual = (a: Brute, b: Brute): boolean => a.size === b.size && [...a].every((x) => b.has(x));
const FULL = PROTOCOLS.reduce<Brute>((acc, p) => bruteUnion(acc, bruteRange(p, MIN_PORT, MAX_PORT)), new Set());

function image(set: PortSet): Brute {
  const out: Brute = new Set();
  for (const protocol of PROTOCOLS) for (const p of UNIVERSE) if (set.has(protocol, p)) out.add(`${protocol}:${p}`);
  return out;
}

/** A random set and its brute-force twin, built from several kinds of pieces. */
function randomSet(r: Random): { set: PortSet; brute: Brute; ranges: PortRange[] } {
  let set = PortSet.EMPTY;
  let brute: Brute = new Set();
  const ranges: PortRange[] = [];
  const pieces = r.int(0, 5);
  for (let i = 0; i < pieces; i++) {
    const protocol = r.pick(PROTOCOLS);
    const kind = r.int(0, 19);
    let lo: number;
    let hi: number;
    if (kind === 0) {
      set = set.union(PortSet.ALL);
      brute = bruteUnion(brute, FULL);
      ranges.push(...PROTOCOLS.map((p) => ({ protocol: p, port: MIN_PORT, endPort: MAX_PORT })));
      continue;
    } else if (kind <= 2) {
      [lo, hi] = [MIN_PORT, MAX_PORT];
    } else if (kind <= 5) {
      lo = r.pick(ENDPOINTS);
      hi = lo;
    } else {
      lo = r.pick(ENDPOINTS);
      hi = r.pick(ENDPOINTS.filter((p) => p >= lo));
    }
    const piece = kind <= 2 && r.chance(0.5) ? PortSet.protocol(protocol) : PortSet.range(protocol, lo, hi);
    set = r.chance(0.5) ? set.union(piece) : piece.union(set);
    brute = bruteUnion(brute, bruteRange(protocol, lo, hi));
    ranges.push({ protocol, port: lo, endPort: hi });
  }
  return { set, brute, ranges };
}

function checkCanonical(set: PortSet): void {
  const ranges = set.ranges();
  for (let i = 0; i < ranges.length; i++) {
    const x = ranges[i]!;
    expect(x.port).toBeGreaterThanOrEqual(MIN_PORT);
    expect(x.endPort).toBeLessThanOrEqual(MAX_PORT);
    expect(x.port).toBeLessThanOrEqual(x.endPort);
    if (i === 0) continue;
    const prev = ranges[i - 1]!;
    const order = PROTOCOLS.indexOf(prev.protocol) - PROTOCOLS.indexOf(x.protocol);
    expect(order).toBeLessThanOrEqual(0);
    // Same protocol: sorted, disjoint and not touching (merged).
    if (order === 0) expect(x.port).toBeGreaterThan(prev.endPort + 1);
  }
}

describe('PortSet against a brute-force set', () => {
  it('500 seeded cases: union, intersect, subtract, isEmpty, isAll, has, key, ranges', () => {
    const r = new Random(20240501);
    const samples: { set: PortSet; brute: Brute }[] = [];
    for (let c = 0; c < 500; c++) {
      const a = randomSet(r);
      const b = randomSet(r);
      const union = a.set.union(b.set);
      const union2 = b.set.union(a.set);
      const inter = a.set.intersect(b.set);
      const inter2 = b.set.intersect(a.set);
      const expectedUnion = bruteUnion(a.brute, b.brute);
      const expectedInter = bruteIntersect(a.brute, b.brute);
      const minus = a.set.subtract(b.set);
      const minus2 = b.set.subtract(a.set);
      const ctx = `case ${c}: A=${a.set.key()} B=${b.set.key()}`;

      for (const [name, set, brute] of [
        ['A', a.set, a.brute],
        ['B', b.set, b.brute],
        ['A∪B', union, expectedUnion],
        ['B∪A', union2, expectedUnion],
        ['A∩B', inter, expectedInter],
        ['B∩A', inter2, expectedInter],
        ['A∖B', minus, bruteSubtract(a.brute, b.brute)],
        ['B∖A', minus2, bruteSubtract(b.brute, a.brute)],
      ] as const) {
        expect(image(set), `${ctx} ${name} membership`).toEqual(brute);
        expect(set.isEmpty(), `${ctx} ${name} isEmpty`).toBe(brute.size === 0);
        expect(set.isAll(), `${ctx} ${name} isAll`).toBe(bruteEqual(brute, FULL));
        expect(set.key() === 'none', `${ctx} ${name} key none`).toBe(brute.size === 0);
        expect(set.key() === 'all', `${ctx} ${name} key all`).toBe(bruteEqual(brute, FULL));
        checkCanonical(set);
        // ranges() describes the same set, and rebuilding from it is the identity.
        const rebuilt = PortSet.fromRanges(set.ranges());
        expect(rebuilt.key(), `${ctx} ${name} fromRanges(ranges())`).toBe(set.key());
        expect(image(rebuilt)).toEqual(brute);
        expect(set.equals(rebuilt)).toBe(true);
        samples.push({ set, brute });
      }
      // The same set built another way (all pieces at once, in another order) has the same key.
      const shuffled = [...a.ranges].reverse();
      expect(PortSet.fromRanges(shuffled).key(), `${ctx} fromRanges`).toBe(a.set.key());
      // Algebra: A ∩ (A ∪ B) = A; A ∪ (A ∩ B) = A.
      expect(a.set.intersect(union).key(), ctx).toBe(a.set.key());
      expect(a.set.union(inter).key(), ctx).toBe(a.set.key());
    }

    // Canonical keys: equal keys iff equal sets, over many pairs of the sets seen above.
    for (let i = 0; i < 3000; i++) {
      const x = r.pick(samples);
      const y = r.chance(0.2) ? r.pick(samples.filter((s) => s.brute.size === x.brute.size)) : r.pick(samples);
      expect(x.set.key() === y.set.key(), `key(${x.set.key()}) vs key(${y.set.key()})`).toBe(bruteEqual(x.brute, y.brute));
      expect(x.set.equals(y.set)).toBe(bruteEqual(x.brute, y.brute));
    }
  });

  it('edge cases', () => {
    expect(PortSet.EMPTY.isEmpty()).toBe(true);
    expect(PortSet.EMPTY.key()).toBe('none');
    expect(PortSet.ALL.isAll()).toBe(true);
    expect(PortSet.ALL.key()).toBe('all');
    expect(PortSet.range('TCP', 5, 4).isEmpty()).toBe(true);
    expect(PortSet.range('TCP', 0, 4).isEmpty()).toBe(true);
    expect(PortSet.range('UDP', 1, 65536).isEmpty()).toBe(true);
    expect(PortSet.protocol('UDP').key()).toBe('UDP 1-65535');
    expect(PortSet.range('TCP', 80, 80).union(PortSet.range('TCP', 81, 90)).key()).toBe('TCP 80-90');
    expect(PortSet.range('TCP', 80, 80).union(PortSet.range('TCP', 82, 90)).key()).toBe('TCP 80,82-90');
    expect(PortSet.range('SCTP', 1, 2).union(PortSet.range('TCP', 3, 3)).key()).toBe('TCP 3 SCTP 1-2');
    const all3 = PortSet.protocol('SCTP').union(PortSet.protocol('TCP')).union(PortSet.protocol('UDP'));
    expect(all3.isAll()).toBe(true);
    expect(all3.key()).toBe('all');
    expect(all3.toJSON()).toBe('all');
    expect(PortSet.ALL.intersect(PortSet.range('UDP', 53, 53)).toJSON()).toEqual([{ protocol: 'UDP', port: 53, endPort: 53 }]);
  });
});
