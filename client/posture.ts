// The posture overview's figures, computed from a pod-level view state: unprotected pods (overall
// and per namespace), namespaces without a default deny, blast radius and exposure per pod, and the
// findings by severity. Pure: no Vue, no DOM (unit-tested in node).
//
// Cost: one pass over the key cells and one over the nodes — O(keyCells + pods), never pods². At pod
// level the matrix comes in class form: pod A reaches pod B (A ≠ B) when the key cell
// (A.row, B.col) is non-empty. So the pods a row key reaches are Σ over its key cells of the pods
// holding each column key, computed once per row key; a pod then subtracts itself when its own
// column is among them. Exposure is the same, per column key.
import type { Finding, FindingKind } from '../shared/engine/analysis.ts';
import { parseIp, formatIp, FAMILY_BITS, type Family } from '../shared/model/ip.ts';
import { compareText } from '../shared/model/order.ts';
import type { PortsJSON, ViewNode, ViewState } from '../shared/protocol/view.ts';

/** How a pod stands: isolated both ways, open one way or both, or unknown (policies not known). */
export type PodStanding = 'protected' | 'ingress-open' | 'egress-open' | 'both-open' | 'unknown';

export interface PostureCounts {
  /** Pods in the view (unknown ones included). */
  pods: number;
  /** Pods whose policies are not known: never counted as protected or unprotected. */
  unknown: number;
  /** Not isolated for ingress (whatever egress is). */
  unprotectedIngress: number;
  /** Not isolated for egress (whatever ingress is). */
  unprotectedEgress: number;
  /** Not isolated in either direction. */
  unprotectedBoth: number;
  /** Not isolated in at least one direction. */
  unprotectedAny: number;
  /** Isolated for both directions. */
  protectedBoth: number;
  /** Exactly one direction open (for the composition bar). */
  ingressOnly: number;
  egressOnly: number;
}

/** Whether a namespace has a default-deny policy per direction; null = unknown. */
export interface DefaultDeny {
  ingress: boolean | null;
  egress: boolean | null;
}

export interface NamespacePosture extends PostureCounts {
  name: string;
  /** True when the namespace's policies are unknown. */
  unknownPolicies: boolean;
  defaultDeny: DefaultDeny;
  /** Findings about the namespace or its policies. */
  findings: number;
}

/** What one pod can reach (blast radius), or what can reach it (exposure). */
export interface Reach {
  /** Other pods. */
  pods: number;
  /** External ranges (node ids `ip:...`), in node order. */
  externals: string[];
}

export interface RankedPod {
  id: string;
  namespace: string;
  name: string;
  workload?: string;
  workloadKind?: string;
  reach: Reach;
}

export interface Ranking {
  top: RankedPod[];
  /** Pods not shown that tie with the last one shown. */
  tiesBeyond: number;
  /** Known pods ranked (the denominator of the bars is `pods - 1`). */
  ranked: number;
}

export interface FindingGroup {
  severity: Finding['severity'];
  findings: Finding[];
  /** What to list: one per finding, except namespaces lacking a default deny, one per direction. */
  items: FindingItem[];
}

/** One entry of the findings list. */
export interface FindingItem {
  kind: FindingKind;
  /** The policy (`namespace/name`), or the namespaces without a default deny. */
  subjects: string[];
  field?: string;
  direction?: 'ingress' | 'egress';
  message: string;
}

export interface Posture {
  counts: PostureCounts;
  namespaces: NamespacePosture[];
  /** Namespaces (of the view's pods, policies known) lacking a default deny in some direction. */
  namespacesWithoutDefaultDeny: string[];
  /** Of those: lacking it for ingress, for egress. */
  withoutDefaultDeny: { ingress: number; egress: number };
  /** Namespaces whose policies are known, among those of the view's pods (the denominator). */
  namespacesKnown: number;
  blastRadius: Ranking;
  exposure: Ranking;
  findings: FindingGroup[];
  findingsCount: number;
  /** External range nodes, by id. */
  externals: Map<string, ViewNode>;
  /** `"all"`, or the namespaces (of the view or anywhere) whose policies are unknown. */
  unknown: 'all' | string[];
}

export const isPod = (n: ViewNode): boolean => n.kind === 'pod';

/** A pod is unknown when its node says so or either direction's isolation is unknown. */
export function standingOf(n: ViewNode): PodStanding {
  if (n.unknown || n.isolation.ingress === null || n.isolation.egress === null) return 'unknown';
  const inOpen = n.isolation.ingress === false;
  const outOpen = n.isolation.egress === false;
  return inOpen && outOpen ? 'both-open' : inOpen ? 'ingress-open' : outOpen ? 'egress-open' : 'protected';
}

export function emptyCounts(): PostureCounts {
  return { pods: 0, unknown: 0, unprotectedIngress: 0, unprotectedEgress: 0, unprotectedBoth: 0, unprotectedAny: 0, protectedBoth: 0, ingressOnly: 0, egressOnly: 0 };
}

export function addStanding(c: PostureCounts, s: PodStanding): void {
  c.pods++;
  switch (s) {
    case 'unknown':
      c.unknown++;
      return;
    case 'protected':
      c.protectedBoth++;
      return;
    case 'ingress-open':
      c.ingressOnly++;
      c.unprotectedIngress++;
      break;
    case 'egress-open':
      c.egressOnly++;
      c.unprotectedEgress++;
      break;
    case 'both-open':
      c.unprotectedBoth++;
      c.unprotectedIngress++;
      c.unprotectedEgress++;
      break;
  }
  c.unprotectedAny++;
}

/** Counts over a list of nodes (pods only). */
export function countPods(nodes: Iterable<ViewNode>): PostureCounts {
  const c = emptyCounts();
  for (const n of nodes) if (isPod(n)) addStanding(c, standingOf(n));
  return c;
}

const nonEmpty = (ports: PortsJSON | undefined): boolean => ports !== undefined && (ports === 'all' || ports.length > 0);

/** Row and column keys of a `row\tcol` key-cell key, without allocating an array. */
function parseKey(key: string): [number, number] {
  const tab = key.indexOf('\t');
  return [Number(key.slice(0, tab)), Number(key.slice(tab + 1))];
}

export interface ReachIndex {
  /** By pod id: the other pods and external ranges it can reach. Unknown pods are absent. */
  out: Map<string, Reach>;
  /** By pod id: the other pods and external ranges that can reach it. */
  in: Map<string, Reach>;
}

/** Blast radius and exposure of every known pod of a pod-level state, in O(keyCells + nodes). */
export function reachIndex(state: ViewState): ReachIndex {
  const podsPerRow = new Map<number, number>();
  const podsPerCol = new Map<number, number>();
  const externalByKey = new Map<number, string>();
  const pods: ViewNode[] = [];
  for (const n of state.nodes.values()) {
    if (n.kind === 'external') {
      if (n.row !== undefined) externalByKey.set(n.row, n.id);
      if (n.col !== undefined && n.col !== n.row) externalByKey.set(n.col, n.id);
      continue;
    }
    if (n.kind !== 'pod' || standingOf(n) === 'unknown' || n.row === undefined || n.col === undefined || n.row < 0 || n.col < 0) continue;
    pods.push(n);
    podsPerRow.set(n.row, (podsPerRow.get(n.row) ?? 0) + 1);
    podsPerCol.set(n.col, (podsPerCol.get(n.col) ?? 0) + 1);
  }
  // Per row key: pods reached and external ranges reached; per column key: the same inward.
  const rowPods = new Map<number, number>();
  const colPods = new Map<number, number>();
  const rowExternals = new Map<number, string[]>();
  const colExternals = new Map<number, string[]>();
  for (const [key, ports] of state.keyCells) {
    if (!nonEmpty(ports)) continue;
    const [row, col] = parseKey(key);
    const fromExternal = externalByKey.get(row);
    const toExternal = externalByKey.get(col);
    if (fromExternal !== undefined) {
      if (toExternal === undefined && podsPerCol.has(col)) push(colExternals, col, fromExternal);
      continue;
    }
    if (!podsPerRow.has(row)) continue;
    if (toExternal !== undefined) {
      push(rowExternals, row, toExternal);
      continue;
    }
    const targets = podsPerCol.get(col);
    if (targets === undefined) continue;
    rowPods.set(row, (rowPods.get(row) ?? 0) + targets);
    colPods.set(col, (colPods.get(col) ?? 0) + podsPerRow.get(row)!);
  }
  // Externals in node order (the server sends them sorted by family and address).
  const order = new Map<string, number>();
  for (const id of externalByKey.values()) if (!order.has(id)) order.set(id, order.size);
  const sortIds = (list: string[]) => list.sort((a, b) => order.get(a)! - order.get(b)!);
  for (const list of rowExternals.values()) sortIds(list);
  for (const list of colExternals.values()) sortIds(list);

  const none: string[] = [];
  const out = new Map<string, Reach>();
  const inward = new Map<string, Reach>();
  for (const p of pods) {
    // The pod itself is among the targets of its row when its own key cell is non-empty.
    const self = nonEmpty(state.keyCells.get(`${p.row}\t${p.col}`)) ? 1 : 0;
    out.set(p.id, { pods: (rowPods.get(p.row!) ?? 0) - self, externals: rowExternals.get(p.row!) ?? none });
    inward.set(p.id, { pods: (colPods.get(p.col!) ?? 0) - self, externals: colExternals.get(p.col!) ?? none });
  }
  return { out, in: inward };
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Orders by pods reached, then external ranges, then id. */
function better(a: RankedPod, b: RankedPod): boolean {
  if (a.reach.pods !== b.reach.pods) return a.reach.pods > b.reach.pods;
  if (a.reach.externals.length !== b.reach.externals.length) return a.reach.externals.length > b.reach.externals.length;
  return compareText(a.id, b.id) < 0;
}

const sameReach = (a: Reach, b: Reach) => a.pods === b.pods && a.externals.length === b.externals.length;

/** The `k` pods with the widest reach, in O(pods × k), and how many more tie with the last. */
export function rank(state: ViewState, reach: Map<string, Reach>, k = 10): Ranking {
  const top: RankedPod[] = [];
  for (const [id, r] of reach) {
    const n = state.nodes.get(id)!;
    const entry: RankedPod = {
      id,
      namespace: n.namespace ?? '',
      name: n.name,
      ...(n.workload ? { workload: n.workload } : {}),
      ...(n.workloadKind ? { workloadKind: n.workloadKind } : {}),
      reach: r,
    };
    if (top.length === k && !better(entry, top[k - 1]!)) continue;
    let i = top.length;
    while (i > 0 && better(entry, top[i - 1]!)) i--;
    top.splice(i, 0, entry);
    if (top.length > k) top.pop();
  }
  const last = top[top.length - 1];
  let ties = 0;
  if (last && top.length === k) {
    for (const r of reach.values()) if (sameReach(r, last.reach)) ties++;
    for (const p of top) if (sameReach(p.reach, last.reach)) ties--;
  }
  return { top, tiesBeyond: ties, ranked: reach.size };
}

const SEVERITIES: Finding['severity'][] = ['warning', 'info'];

/** Findings by severity (warnings first), each group ordered by kind, then object, then field. */
export function groupFindings(findings: readonly Finding[]): FindingGroup[] {
  const groups: FindingGroup[] = [];
  for (const severity of SEVERITIES) {
    const list = findings.filter((f) => f.severity === severity);
    list.sort((a, b) => compareText(a.kind, b.kind) || compareText(a.subject, b.subject) || compareText(a.field ?? a.direction ?? '', b.field ?? b.direction ?? ''));
    if (list.length > 0) groups.push({ severity, findings: list, items: findingItems(list) });
  }
  return groups;
}

/** Findings as list entries, namespaces without default deny merged per direction (in order). */
export function findingItems(list: readonly Finding[]): FindingItem[] {
  const items: FindingItem[] = [];
  const merged = new Map<string, FindingItem>();
  for (const f of list) {
    if (f.kind === 'namespace-without-default-deny' && f.direction) {
      const existing = merged.get(f.direction);
      if (existing) {
        existing.subjects.push(f.subject);
        continue;
      }
      const types = f.direction === 'ingress' ? 'Ingress' : 'Egress';
      const item: FindingItem = {
        kind: f.kind,
        subjects: [f.subject],
        direction: f.direction,
        message: `Pods that no other policy selects are open for ${f.direction}. Add a policy with podSelector: {} and ${types} in policyTypes.`,
      };
      merged.set(f.direction, item);
      items.push(item);
      continue;
    }
    items.push({ kind: f.kind, subjects: [f.subject], ...(f.field ? { field: f.field } : {}), ...(f.direction ? { direction: f.direction } : {}), message: f.message });
  }
  return items;
}

/** The namespace a finding is about: its subject, the namespace of the policy it names, or none (admin policies are cluster-wide). */
export function namespaceOfFinding(f: Finding): string | null {
  if (f.kind === 'namespace-without-default-deny') return f.subject;
  const slash = f.subject.indexOf('/');
  return slash > 0 ? f.subject.slice(0, slash) : null;
}

export function isUnknownNamespace(unknown: ViewState['unknown'], namespace: string): boolean {
  return unknown === 'all' || unknown.includes(namespace);
}

/** Everything the overview shows, from a pod-level view state. */
export function computePosture(state: ViewState, options: { top?: number } = {}): Posture {
  const top = options.top ?? 10;
  const counts = emptyCounts();
  const byNamespace = new Map<string, NamespacePosture>();
  const externals = new Map<string, ViewNode>();
  for (const n of state.nodes.values()) {
    if (n.kind === 'external') {
      externals.set(n.id, n);
      continue;
    }
    if (n.kind !== 'pod') continue;
    const s = standingOf(n);
    addStanding(counts, s);
    const ns = n.namespace ?? '';
    let row = byNamespace.get(ns);
    if (!row) {
      const unknownPolicies = isUnknownNamespace(state.unknown, ns);
      row = { name: ns, ...emptyCounts(), unknownPolicies, defaultDeny: unknownPolicies ? { ingress: null, egress: null } : { ingress: true, egress: true }, findings: 0 };
      byNamespace.set(ns, row);
    }
    addStanding(row, s);
  }
  for (const f of state.findings) {
    const ns = namespaceOfFinding(f);
    const row = ns === null ? undefined : byNamespace.get(ns);
    if (!row) continue;
    row.findings++;
    if (f.kind === 'namespace-without-default-deny' && f.direction && !row.unknownPolicies) row.defaultDeny[f.direction] = false;
  }
  const namespaces = [...byNamespace.values()].sort((a, b) => compareText(a.name, b.name));
  const known = namespaces.filter((n) => !n.unknownPolicies);
  const without = known.filter((n) => n.defaultDeny.ingress === false || n.defaultDeny.egress === false);
  const reach = reachIndex(state);
  return {
    counts,
    namespaces,
    namespacesWithoutDefaultDeny: without.map((n) => n.name),
    withoutDefaultDeny: { ingress: known.filter((n) => n.defaultDeny.ingress === false).length, egress: known.filter((n) => n.defaultDeny.egress === false).length },
    namespacesKnown: known.length,
    blastRadius: rank(state, reach.out, top),
    exposure: rank(state, reach.in, top),
    findings: groupFindings(state.findings),
    findingsCount: state.findings.length,
    externals,
    unknown: state.unknown === 'all' ? 'all' : [...state.unknown],
  };
}

/** A share as a whole percent, never rounding a non-zero share to 0 or a partial one to 100. */
export function percent(part: number, whole: number): string {
  if (whole <= 0) return '–';
  if (part === 0) return '0%';
  if (part === whole) return '100%';
  const p = (part / whole) * 100;
  return p < 1 ? '<1%' : p > 99 ? '>99%' : `${Math.round(p)}%`;
}

export interface RangeSummary {
  /** Merged ranges as text (`a-b`), or `any IPv4 address` / `any IPv6 address`. */
  items: string[];
  /** How many of the view's range pieces these are. */
  pieces: number;
}

/**
 * External ranges (`first-last` texts, as the server cuts them) merged where adjacent, so "every
 * address" reads as such: the pieces are cut at every ipBlock boundary of every policy.
 */
export function summarizeRanges(texts: readonly string[]): RangeSummary {
  const parsed: { family: Family; first: bigint; last: bigint }[] = [];
  const other: string[] = [];
  for (const t of texts) {
    const dash = t.indexOf('-');
    const a = dash > 0 ? parseIp(t.slice(0, dash)) : null;
    const b = dash > 0 ? parseIp(t.slice(dash + 1)) : null;
    if (a && b && a.family === b.family) parsed.push({ family: a.family, first: a.value, last: b.value });
    else other.push(t);
  }
  parsed.sort((x, y) => x.family - y.family || (x.first < y.first ? -1 : x.first > y.first ? 1 : 0));
  const merged: typeof parsed = [];
  for (const r of parsed) {
    const last = merged[merged.length - 1];
    if (last && last.family === r.family && r.first <= last.last + 1n) {
      if (r.last > last.last) last.last = r.last;
    } else merged.push({ ...r });
  }
  const items = merged.map((r) => {
    const max = (1n << BigInt(FAMILY_BITS[r.family])) - 1n;
    if (r.first === 0n && r.last === max) return `any IPv${r.family} address`;
    return `${formatIp(r.family, r.first)}-${formatIp(r.family, r.last)}`;
  });
  return { items: [...items, ...other], pieces: texts.length };
}

export const FINDING_TITLES: Record<FindingKind, string> = {
  'policy-selects-nothing': 'Policy selects no pod',
  'rule-peers-match-nothing': 'Rule peers match nothing',
  'named-port-unresolved': 'Named port resolves nowhere',
  'policy-types-default-denies-ingress': 'Egress-only policy also denies all ingress',
  'separate-namespace-and-pod-peers': 'Namespace and pod selectors in separate peers',
  'namespace-without-default-deny': 'No default deny',
  'admin-priority-overlap': 'Admin policies share a priority',
  'admin-pass-unhandled': 'Pass rule that nothing below handles',
  'admin-rule-shadowed': 'Rule shadowed by an earlier rule',
};

/** The title of a finding kind (a kind this client does not know yet reads as its name). */
export const findingTitle = (kind: string): string => FINDING_TITLES[kind as FindingKind] ?? kind.replace(/-/g, ' ');

/** What kind of object a finding's subject is. */
export function findingObject(kind: string, subjects = 1): string {
  if (kind === 'namespace-without-default-deny') return subjects === 1 ? 'Namespace' : 'Namespaces';
  if (kind.startsWith('admin-')) return 'Admin policy';
  return 'NetworkPolicy';
}
