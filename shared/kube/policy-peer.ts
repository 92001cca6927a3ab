// NetworkPolicy peers (`from` / `to` entries): selectors or an ipBlock (semantics.md rules 10-16).
import { parseCidr } from '../model/ip.ts';
import type { ParsedCidr } from '../model/ip.ts';
import type { IpBlock, Peer } from '../model/types.ts';
import { child, index, isAbsent, readList, readMap, readString, warnUnknownFields } from './fields.ts';
import type { Issues } from './issues.ts';
import { parseLabelSelector } from './selector.ts';

export function parsePeer(value: unknown, path: string, issues: Issues): Peer | undefined {
  const map = isAbsent(value) ? {} : readMap(value, path, issues);
  if (!map) return undefined;
  warnUnknownFields(map, ['podSelector', 'namespaceSelector', 'ipBlock'], path, issues);
  const hasPod = !isAbsent(map['podSelector']);
  const hasNs = !isAbsent(map['namespaceSelector']);
  const hasIpBlock = !isAbsent(map['ipBlock']);

  if (hasIpBlock && (hasPod || hasNs)) {
    issues.error(path, 'ipBlock may not be combined with podSelector or namespaceSelector in one peer');
    return undefined;
  }
  if (hasIpBlock) {
    const ipBlock = parseIpBlock(map['ipBlock'], child(path, 'ipBlock'), issues);
    return ipBlock ? { kind: 'ipBlock', ipBlock } : undefined;
  }
  if (!hasPod && !hasNs) {
    issues.error(path, 'a peer needs podSelector, namespaceSelector or ipBlock');
    return undefined;
  }
  const peer: Peer = { kind: 'selector' };
  // `podSelector: {}` is present and matches every pod: it stays an (empty) selector.
  const podSelector = parseLabelSelector(map['podSelector'], child(path, 'podSelector'), issues);
  const namespaceSelector = parseLabelSelector(map['namespaceSelector'], child(path, 'namespaceSelector'), issues);
  if (podSelector) peer.podSelector = podSelector;
  if (namespaceSelector) peer.namespaceSelector = namespaceSelector;
  return peer;
}

export function readCidr(value: unknown, path: string, issues: Issues): ParsedCidr | undefined {
  if (isAbsent(value) || value === '') {
    issues.error(path, 'required field is missing');
    return undefined;
  }
  const text = readString(value, path, issues);
  if (text === undefined) return undefined;
  const cidr = parseCidr(text);
  if (!cidr) {
    issues.error(path, `"${text}" is not a valid CIDR`);
    return undefined;
  }
  if (cidr.hostBitsSet) issues.warn(path, `"${text}" has host bits set: taken as ${cidr.text}`);
  return cidr;
}

function parseIpBlock(value: unknown, path: string, issues: Issues): IpBlock | undefined {
  const map = readMap(value, path, issues);
  if (!map) return undefined;
  warnUnknownFields(map, ['cidr', 'except'], path, issues);
  const cidr = readCidr(map['cidr'], child(path, 'cidr'), issues);
  const except: string[] = [];
  const exceptPath = child(path, 'except');
  const rawExcept = readList(map['except'], exceptPath, issues) ?? [];
  let ok = cidr !== undefined;
  rawExcept.forEach((raw, i) => {
    const itemPath = index(exceptPath, i);
    const e = readCidr(raw, itemPath, issues);
    if (!e) {
      ok = false;
      return;
    }
    if (!cidr) return;
    // Kubernetes: the except must lie inside cidr and have a strictly longer prefix.
    if (e.family !== cidr.family) {
      issues.error(itemPath, `${e.text} is not the same IP family as ${cidr.text}`);
      ok = false;
    } else if (e.first < cidr.first || e.first > cidr.last || e.prefix <= cidr.prefix) {
      issues.error(itemPath, `${e.text} must be a strict subset of ${cidr.text}`);
      ok = false;
    } else {
      except.push(e.text);
    }
  });
  if (!ok || !cidr) return undefined;
  return { cidr: cidr.text, except };
}
