// IP addresses and CIDRs as integer ranges. ipaddr.js parses; bigint does the arithmetic so IPv4
// and IPv6 share one code path.
import ipaddr from 'ipaddr.js';

export type Family = 4 | 6;

export interface IpRange {
  family: Family;
  first: bigint;
  last: bigint;
}

export const FAMILY_BITS: Record<Family, number> = { 4: 32, 6: 128 };

function familyMax(family: Family): bigint {
  return (1n << BigInt(FAMILY_BITS[family])) - 1n;
}

export function fullRange(family: Family): IpRange {
  return { family, first: 0n, last: familyMax(family) };
}

function bytesToBigint(bytes: number[]): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

/** Four decimal parts without leading zeros (ipaddr's four-part decimal form), each checked ≤ 255 after. */
const DOTTED_QUAD = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})$/;

/** Strict parse (four-part decimal IPv4, or IPv6); null when invalid. */
export function parseIp(text: string): { family: Family; value: bigint } | null {
  const s = text.trim();
  // Decide the family by the separator first: ipaddr's IPv4 check throws internally on IPv6 text (slow).
  if (s.includes(':')) {
    return ipaddr.IPv6.isValid(s) ? { family: 6, value: bytesToBigint(ipaddr.IPv6.parse(s).toByteArray()) } : null;
  }
  // Dotted quads are nearly every pod IP: read them here (ipaddr's parser costs a tenth of a
  // rebuild of the M cluster); anything else goes to ipaddr, which decides.
  const quad = DOTTED_QUAD.exec(s);
  if (quad) {
    const parts = [quad[1]!, quad[2]!, quad[3]!, quad[4]!].map(Number);
    if (parts.every((n) => n <= 255)) return { family: 4, value: BigInt(((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!) };
  }
  if (ipaddr.IPv4.isValidFourPartDecimal(s)) {
    return { family: 4, value: bytesToBigint(ipaddr.IPv4.parse(s).toByteArray()) };
  }
  return null;
}

export interface ParsedCidr extends IpRange {
  prefix: number;
  /** Canonical text (host bits cleared). */
  text: string;
  /** True when the input had host bits set (e.g. 10.0.0.1/8): accepted, but worth a warning. */
  hostBitsSet: boolean;
}

export function parseCidr(text: string): ParsedCidr | null {
  const slash = text.indexOf('/');
  if (slash < 0) return null;
  const addr = parseIp(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (!addr || !/^\d{1,3}$/.test(prefixText)) return null;
  const prefix = Number(prefixText);
  const bits = FAMILY_BITS[addr.family];
  if (prefix > bits) return null;
  const hostMask = (1n << BigInt(bits - prefix)) - 1n;
  const first = addr.value & ~hostMask & familyMax(addr.family);
  const last = first | hostMask;
  return {
    family: addr.family,
    first,
    last,
    prefix,
    text: `${formatIp(addr.family, first)}/${prefix}`,
    hostBitsSet: first !== addr.value,
  };
}

export function formatIp(family: Family, value: bigint): string {
  if (family === 4) {
    return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 255n)).join('.');
  }
  const bytes: number[] = [];
  for (let s = 120n; s >= 0n; s -= 8n) bytes.push(Number((value >> s) & 255n));
  return ipaddr.fromByteArray(bytes).toString();
}

export function formatRange(r: IpRange): string {
  return `${formatIp(r.family, r.first)}-${formatIp(r.family, r.last)}`;
}

export function canonicalIp(text: string): string | null {
  const p = parseIp(text);
  return p ? formatIp(p.family, p.value) : null;
}
