// How a ConnectivityDiff reads on screen: the summary line, node ids in parts, ports in words, and
// which entries touch namespaces whose policies are unknown (shown as unknown, never as a change
// one can trust). Pure: DiffList.vue (the what-if, and a diff of two instants) and node tests use it.
import { ADMIN_FINDING_KINDS, type Finding } from '../shared/engine/analysis.ts';
import type { ConnectionChange, DiffSummary, NodeChange, PolicyChange, Ports } from '../shared/diff/types.ts';
import { allowedText } from '../shared/matrix/report.ts';

/** Namespaces whose policies are unknown, or `all` (as `source:status` and `whatif:objects` say). */
export type UnknownNamespaces = 'all' | readonly string[];

const plural = (n: number, one: string, many: string) => (n === 1 ? one : many);

/** `TCP 80,443 UDP 53`, `all ports`, or `none`. */
export function portsText(ports: Ports): string {
  if (ports === 'all') return 'all ports';
  return ports.length === 0 ? 'none' : allowedText(ports);
}

export interface NodeParts {
  /** Null for namespaces themselves and external ranges. */
  namespace: string | null;
  name: string;
  /** Workload level: `Deployment`, ... */
  kind: string | null;
  external: boolean;
}

/** `ns/name[Kind]` (workload), `ns/name` (pod), `ns` (namespace), `ip:FIRST-LAST` (outside the cluster). */
export function nodeParts(id: string): NodeParts {
  if (id.startsWith('ip:')) return { namespace: null, name: id.slice(3), kind: null, external: true };
  const slash = id.indexOf('/');
  if (slash < 0) return { namespace: null, name: id, kind: null, external: false };
  const rest = id.slice(slash + 1);
  const kind = /\[([A-Za-z]+)\]$/.exec(rest);
  return { namespace: id.slice(0, slash), name: kind ? rest.slice(0, -kind[0].length) : rest, kind: kind ? kind[1]! : null, external: false };
}

/** The namespace a node is in (a namespace node: itself); null for external ranges. */
export function namespaceOfNode(id: string): string | null {
  if (id.startsWith('ip:')) return null;
  const slash = id.indexOf('/');
  return slash < 0 ? id : id.slice(0, slash);
}

function unknownNamespace(unknown: UnknownNamespaces, namespace: string | null): boolean {
  if (unknown === 'all') return true;
  return namespace !== null && unknown.includes(namespace);
}

/** The answer for this cell is not known on either side: a pod of it has unknown policies. */
export function connectionUnknown(c: ConnectionChange, unknown: UnknownNamespaces): boolean {
  return unknownNamespace(unknown, namespaceOfNode(c.from)) || unknownNamespace(unknown, namespaceOfNode(c.to));
}

export function nodeUnknown(n: NodeChange, unknown: UnknownNamespaces): boolean {
  return unknownNamespace(unknown, namespaceOfNode(n.id));
}

/** A NetworkPolicy in a namespace whose policies are unknown; admin policies when the admin tiers are (then everything is). */
export function policyUnknown(p: PolicyChange, unknown: UnknownNamespaces): boolean {
  return unknown === 'all' || (p.tier === 'np' && unknownNamespace(unknown, namespaceOfNode(p.id)));
}

/** As the live engine leaves them out of its findings: about a namespace, or a policy in it, whose policies are unknown. */
export function findingUnknown(f: Finding, unknown: UnknownNamespaces): boolean {
  if (unknown === 'all') return true;
  if (ADMIN_FINDING_KINDS.includes(f.kind)) return false;
  return unknownNamespace(unknown, f.kind === 'namespace-without-default-deny' ? f.subject : namespaceOfNode(f.subject));
}

/** `+3 connections, −12, 1 with other ports; 2 pods become protected for ingress; 1 policy added`, or `No change`. */
export function summaryLine(s: DiffSummary): string {
  const groups: string[] = [];
  const connections: string[] = [];
  const c = s.connections;
  if (c.gained > 0) connections.push(`+${c.gained}`);
  if (c.lost > 0) connections.push(`−${c.lost}`);
  if (connections.length > 0) connections[0] += ` ${plural(c.gained > 0 ? c.gained : c.lost, 'connection', 'connections')}`;
  if (c.changed > 0) connections.push(connections.length > 0 ? `${c.changed} with other ports` : `${c.changed} ${plural(c.changed, 'connection', 'connections')} with other ports`);
  if (connections.length > 0) groups.push(connections.join(', '));

  const pods: string[] = [];
  for (const [counts, word] of [
    [s.podsBecameUnprotected, 'unprotected'],
    [s.podsBecameProtected, 'protected'],
  ] as const) {
    for (const d of ['ingress', 'egress'] as const) {
      const n = counts[d];
      if (n > 0) pods.push(`${n} ${plural(n, 'pod becomes', 'pods become')} ${word} for ${d}`);
    }
  }
  if (pods.length > 0) groups.push(pods.join(', '));

  const p = s.policies;
  const policies = (
    [
      [p.added, 'added'],
      [p.changed, 'changed'],
      [p.deleted, 'deleted'],
    ] as const
  )
    .filter(([n]) => n > 0)
    .map(([n, word], i) => (i === 0 ? `${n} ${plural(n, 'policy', 'policies')} ${word}` : `${n} ${word}`));
  if (policies.length > 0) groups.push(policies.join(', '));

  const f = s.findings;
  const findings: string[] = [];
  if (f.added > 0) findings.push(`+${f.added}`);
  if (f.removed > 0) findings.push(`−${f.removed}`);
  if (findings.length > 0) groups.push(`${findings.join(', ')} ${plural(f.added > 0 ? f.added : f.removed, 'finding', 'findings')}`);

  return groups.length > 0 ? groups.join('; ') : 'No change';
}
