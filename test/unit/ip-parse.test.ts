// parseIp reads dotted quads itself (the common case, fast) and leaves the rest to ipaddr.js: it must
// accept and value exactly what ipaddr's strict four-part decimal parse does.
import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { parseIp } from '../../shared/model/ip.ts';
import { Random } from '../support/random-cluster.ts';

/** What ipaddr alone says of an IPv4 text: its value, or null. */
function byIpaddr(text: string): bigint | null {
  const s = text.trim();
  if (!ipaddr.IPv4.isValidFourPartDecimal(s)) return null;
  return ipaddr.IPv4.parse(s).toByteArray().reduce((v, b) => (v << 8n) | BigInt(b), 0n);
}

function randomText(r: Random): string {
  const part = () => (r.chance(0.9) ? String(r.int(0, 255)) : r.pick([String(r.int(0, 999)), `0${r.int(0, 99)}`, '', '00', '256', '1e2', ' 1', '-1', '0x1f']));
  const n = r.pick([3, 4, 4, 4, 4, 4, 4, 5]);
  const text = Array.from({ length: n }, part).join(r.chance(0.95) ? '.' : ',');
  return r.pick(['', '', '', ' ']) + text + r.pick(['', '', '', ' ', '\n', '/8']);
}

describe('parseIp on IPv4 text', () => {
  it('agrees with ipaddr on 20,000 random texts, valid and not', () => {
    const r = new Random(5);
    let valid = 0;
    for (let i = 0; i < 20_000; i++) {
      const text = randomText(r);
      const expected = byIpaddr(text);
      const got = parseIp(text);
      expect(got === null ? null : got.value, text).toBe(expected);
      if (got) {
        expect(got.family).toBe(4);
        valid++;
      }
    }
    expect(valid).toBeGreaterThan(1000);
  });

  it('reads the edges', () => {
    expect(parseIp('0.0.0.0')?.value).toBe(0n);
    expect(parseIp('255.255.255.255')?.value).toBe(0xffffffffn);
    expect(parseIp('10.64.162.195')?.value).toBe(0x0a40a2c3n);
    expect(parseIp('256.0.0.1')).toBeNull();
    expect(parseIp('01.2.3.4')).toBeNull();
  });
});
