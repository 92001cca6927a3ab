// Hand-made view states for tests of client-side code (layout, exports): small, explicit, and
// independent of the engine.
import { cellKey, viewIdOf, type PortsJSON, type ViewCell, type ViewLevel, type ViewNode, type ViewSpec, type ViewState } from '../../shared/protocol/view.ts';

export function viewNode(id: string, extra: Partial<ViewNode> = {}): ViewNode {
  const external = id.startsWith('ip:');
  const slash = id.indexOf('/');
  const namespace = external ? undefined : slash < 0 ? id : id.slice(0, slash);
  const name = external ? id.slice(3) : slash < 0 ? id : id.slice(slash + 1).replace(/\[.*\]$/, '');
  const kind: ViewNode['kind'] = external ? 'external' : slash < 0 ? 'namespace' : id.endsWith(']') ? 'workload' : 'pod';
  return {
    id,
    kind,
    ...(namespace ? { namespace } : {}),
    name,
    pods: external ? 0 : 1,
    isolation: { ingress: true, egress: true },
    unprotected: { ingress: 0, egress: 0 },
    ...extra,
  };
}

export const unprotected = (extra: Partial<ViewNode> = {}): Partial<ViewNode> => ({
  isolation: { ingress: false, egress: false },
  unprotected: { ingress: 1, egress: 1 },
  ...extra,
});

export const tcp = (...ports: number[]): PortsJSON => ports.map((port) => ({ protocol: 'TCP' as const, port, endPort: port }));

export function viewState(
  level: ViewLevel,
  nodes: ViewNode[],
  cells: [from: string, to: string, cell: ViewCell][] = [],
  keyCells: [row: number, col: number, ports: PortsJSON][] = [],
  view: Partial<ViewSpec> = {},
): ViewState {
  const spec: ViewSpec = { level, namespaces: 'all', ...view };
  return {
    viewId: viewIdOf(spec),
    view: spec,
    seq: 7,
    at: '2025-06-02T10:00:00.000Z',
    nodes: new Map(nodes.map((n) => [n.id, n])),
    cells: new Map(cells.map(([f, t, c]) => [cellKey(f, t), c])),
    keyCells: new Map(keyCells.map(([r, c, p]) => [`${r}\t${c}`, p])),
    findings: [],
    status: {
      pods: [{ state: 'synced', syncedOnce: true }],
      namespaces: [{ state: 'synced', syncedOnce: true }],
      networkpolicies: [{ state: 'synced', syncedOnce: true }],
      adminnetworkpolicies: [{ state: 'synced', syncedOnce: true }],
      baselineadminnetworkpolicies: [{ state: 'synced', syncedOnce: true }],
    },
    unknown: [],
  };
}

/** A small shop at workload level: prod (isolated), staging (unprotected), two external ranges. */
export function shopWorkloads(): ViewState {
  const nodes = [
    viewNode('prod/frontend[Deployment]', { workloadKind: 'Deployment', pods: 3 }),
    viewNode('prod/checkout[Deployment]', { workloadKind: 'Deployment', pods: 2 }),
    viewNode('prod/postgres[StatefulSet]', { workloadKind: 'StatefulSet', pods: 2 }),
    viewNode('staging/frontend[Deployment]', { workloadKind: 'Deployment', ...unprotected() }),
    viewNode('staging/postgres[StatefulSet]', { workloadKind: 'StatefulSet', ...unprotected() }),
    viewNode('ip:0.0.0.0-9.255.255.255'),
    viewNode('ip:11.0.0.0-172.15.255.255'),
  ];
  return viewState('workload', nodes, [
    ['prod/frontend[Deployment]', 'prod/checkout[Deployment]', { ports: tcp(8080), allowed: 6, total: 6 }],
    ['prod/checkout[Deployment]', 'prod/postgres[StatefulSet]', { ports: tcp(5432), allowed: 4, total: 4 }],
    ['staging/frontend[Deployment]', 'staging/postgres[StatefulSet]', { ports: 'all', allowed: 1, total: 1 }],
    ['staging/postgres[StatefulSet]', 'staging/frontend[Deployment]', { ports: 'all', allowed: 1, total: 1 }],
    ['staging/frontend[Deployment]', 'prod/frontend[Deployment]', { ports: tcp(8080), allowed: 3, total: 3 }],
    ['staging/frontend[Deployment]', 'ip:0.0.0.0-9.255.255.255', { ports: 'all', allowed: 1, total: 1 }],
    ['prod/checkout[Deployment]', 'ip:11.0.0.0-172.15.255.255', { ports: tcp(443), allowed: 2, total: 2 }],
    ['ip:0.0.0.0-9.255.255.255', 'staging/frontend[Deployment]', { ports: 'all', allowed: 1, total: 1 }],
  ]);
}
