// AdminNetworkPolicy subjects and rule peers: exactly one of namespaces and pods (egress peers
// also nodes and networks), each a required selector.
import type { AdminPeer, AdminPodSet, LabelSelector } from '../model/types.ts';
import { child, index, isAbsent, readList, readMap, warnUnknownFields } from './fields.ts';
import type { Issues } from './issues.ts';
import { readCidr } from './policy-peer.ts';
import { parseLabelSelector } from './selector.ts';

const POD_FORMS = ['namespaces', 'pods'] as const;
const EGRESS_ONLY = ['nodes', 'networks'] as const;

/** The API's limit on `networks` entries per peer. */
const MAX_NETWORKS = 25;

/** `subject`: the pods a policy applies to. */
export function parseAdminSubject(value: unknown, path: string, issues: Issues): AdminPodSet | undefined {
  const map = readMap(value, path, issues);
  if (!map) {
    if (isAbsent(value)) issues.error(path, 'required field is missing');
    return undefined;
  }
  const form = oneOf(map, POD_FORMS, path, issues);
  return form && readPodSet(form, map[form], child(path, form), issues);
}

/**
 * One `from` / `to` entry; null for a `nodes` peer, which selects node addresses: host traffic,
 * which the matrix leaves out (semantics.md rules 22, 24), so it matches nothing there.
 */
export function parseAdminPeer(value: unknown, path: string, direction: 'ingress' | 'egress', issues: Issues): AdminPeer | null | undefined {
  const map = readMap(value, path, issues);
  if (!map) {
    if (isAbsent(value)) issues.error(path, 'a peer needs namespaces or pods');
    return undefined;
  }
  const egressOnly = direction === 'ingress' ? EGRESS_ONLY.filter((f) => !isAbsent(map[f])) : [];
  if (egressOnly.length > 0) {
    issues.error(child(path, egressOnly[0]!), `${egressOnly[0]} peers are for egress rules only`);
    return undefined;
  }
  const form = oneOf(map, direction === 'ingress' ? POD_FORMS : [...POD_FORMS, ...EGRESS_ONLY], path, issues);
  if (!form) return undefined;
  const formPath = child(path, form);
  if (form === 'nodes') {
    if (!required(map[form], formPath, issues)) return undefined;
    parseLabelSelector(map[form], formPath, issues);
    issues.warn(formPath, 'a nodes peer selects node addresses, which the matrix leaves out (host traffic): it matches no pod and no external range');
    return null;
  }
  if (form === 'networks') return readNetworks(map[form], formPath, issues);
  const pods = readPodSet(form, map[form], formPath, issues);
  return pods && { kind: 'pods', ...pods };
}

/** The single field set among `forms` (an error when none or several are). */
function oneOf<F extends string>(map: Record<string, unknown>, forms: readonly F[], path: string, issues: Issues): F | undefined {
  warnUnknownFields(map, forms, path, issues);
  const present = forms.filter((f) => !isAbsent(map[f]));
  if (present.length === 1) return present[0];
  issues.error(path, present.length === 0 ? `must set one of ${forms.join(', ')}` : `sets ${present.join(' and ')}: exactly one is allowed`);
  return undefined;
}

function required(value: unknown, path: string, issues: Issues): boolean {
  if (!isAbsent(value)) return true;
  issues.error(path, 'required field is missing');
  return false;
}

const EVERYTHING: LabelSelector = { matchLabels: {}, matchExpressions: [] };

/** `namespaces: <selector>`, or `pods: { namespaceSelector, podSelector }`. */
function readPodSet(form: 'namespaces' | 'pods', value: unknown, path: string, issues: Issues): AdminPodSet | undefined {
  if (form === 'namespaces') {
    const namespaceSelector = parseLabelSelector(value, path, issues);
    return namespaceSelector && { namespaceSelector };
  }
  const map = readMap(value, path, issues);
  if (!map) return undefined;
  warnUnknownFields(map, ['namespaceSelector', 'podSelector'], path, issues);
  // The schema requires both selectors, but manifests often leave one out: read it as Go clients
  // decode it (an empty selector, matching everything) and say so.
  const selector = (key: 'namespaceSelector' | 'podSelector'): LabelSelector => {
    const p = child(path, key);
    if (!isAbsent(map[key])) return parseLabelSelector(map[key], p, issues) ?? EVERYTHING;
    issues.warn(p, `missing (the API schema requires it): taken as {}, every ${key === 'podSelector' ? 'pod' : 'namespace'}`);
    return EVERYTHING;
  };
  return { namespaceSelector: selector('namespaceSelector'), podSelector: selector('podSelector') };
}

function readNetworks(value: unknown, path: string, issues: Issues): AdminPeer | undefined {
  const list = readList(value, path, issues);
  if (!list) return undefined;
  if (list.length === 0 || list.length > MAX_NETWORKS) {
    issues.error(path, `must list 1 to ${MAX_NETWORKS} CIDRs, got ${list.length}`);
    return undefined;
  }
  const cidrs: string[] = [];
  list.forEach((raw, i) => {
    const cidr = readCidr(raw, index(path, i), issues);
    if (cidr) cidrs.push(cidr.text);
  });
  return cidrs.length === list.length ? { kind: 'networks', cidrs } : undefined;
}
