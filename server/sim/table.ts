// Server-side printing: kubectl asks for `application/json;as=Table;v=v1;g=meta.k8s.io` and prints
// the rows the server sends (NAME, READY, STATUS, ... as a real cluster shows them).
import type { ResourceDef } from './resources.ts';
import type { KubeObject } from './store.ts';

type JsonMap = Record<string, unknown>;

function isMap(v: unknown): v is JsonMap {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export type IncludeObject = 'None' | 'Metadata' | 'Object';

interface Column {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

/** Whether the Accept header asks for a meta.k8s.io Table (v1 or v1beta1), and which version. */
export function tableVersion(accept: string | undefined): 'v1' | 'v1beta1' | undefined {
  if (!accept) return undefined;
  for (const part of accept.split(',')) {
    const params = part.split(';').map((p) => p.trim());
    if (!params.includes('as=Table') || !params.includes('g=meta.k8s.io')) continue;
    if (params.includes('v=v1')) return 'v1';
    if (params.includes('v=v1beta1')) return 'v1beta1';
  }
  return undefined;
}

export function parseIncludeObject(value: string | null): IncludeObject {
  return value === 'None' || value === 'Object' ? value : 'Metadata';
}

/** kubectl's duration.HumanDuration. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.floor(hours / 24) % 365;
    const y = Math.floor(hours / 24 / 365);
    return dy === 0 ? `${y}y` : `${y}y${dy}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

const col = (name: string, type: string, description: string, priority = 0, format = ''): Column => ({ name, type, format, description, priority });

const NAME = col('Name', 'string', 'Name must be unique within a namespace.', 0, 'name');
const AGE = col('Age', 'string', 'CreationTimestamp is a timestamp representing the server time when this object was created.');

function columns(def: ResourceDef): Column[] {
  switch (def.resource) {
    case 'pods':
      return [
        NAME,
        col('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
        col('Status', 'string', 'The aggregate status of the containers in this pod.'),
        col('Restarts', 'string', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
        AGE,
        col('IP', 'string', 'IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.', 1),
        col('Node', 'string', 'NodeName is a request to schedule this pod onto a specific node.', 1),
        col('Nominated Node', 'string', 'nominatedNodeName is set only when this pod preempts other pods on the node.', 1),
        col('Readiness Gates', 'string', 'If specified, all readiness gates will be evaluated for pod readiness.', 1),
      ];
    case 'namespaces':
      return [NAME, col('Status', 'string', 'The status of the namespace'), AGE];
    case 'networkpolicies':
      return [NAME, col('Pod-Selector', 'string', 'Selects the pods to which this NetworkPolicy object applies.'), AGE];
    case 'adminnetworkpolicies':
      return [NAME, col('Priority', 'string', 'The priority of the AdminNetworkPolicy.'), AGE];
    case 'baselineadminnetworkpolicies':
      return [NAME, AGE];
  }
}

function selectorText(sel: unknown): string {
  if (!isMap(sel)) return '<none>';
  const parts: string[] = [];
  const ml = isMap(sel['matchLabels']) ? sel['matchLabels'] : {};
  for (const k of Object.keys(ml).sort()) parts.push(`${k}=${String(ml[k])}`);
  const me = Array.isArray(sel['matchExpressions']) ? sel['matchExpressions'] : [];
  for (const e of me) {
    if (!isMap(e)) continue;
    const values = Array.isArray(e['values']) ? (e['values'] as unknown[]).map(String).join(',') : '';
    switch (e['operator']) {
      case 'In': parts.push(`${String(e['key'])} in (${values})`); break;
      case 'NotIn': parts.push(`${String(e['key'])} notin (${values})`); break;
      case 'Exists': parts.push(String(e['key'])); break;
      case 'DoesNotExist': parts.push(`!${String(e['key'])}`); break;
    }
  }
  return parts.length === 0 ? '<none>' : parts.join(',');
}

function podCells(obj: Readonly<KubeObject>, meta: JsonMap, age: string): unknown[] {
  const spec = isMap(obj['spec']) ? obj['spec'] : {};
  const status = isMap(obj['status']) ? obj['status'] : {};
  const containers = Array.isArray(spec['containers']) ? spec['containers'].length : 0;
  const cs = Array.isArray(status['containerStatuses']) ? (status['containerStatuses'] as unknown[]).filter(isMap) : [];
  const ready = cs.filter((c) => c['ready'] === true).length;
  const restarts = cs.reduce((n, c) => n + (typeof c['restartCount'] === 'number' ? c['restartCount'] : 0), 0);
  let reason = typeof status['reason'] === 'string' ? status['reason'] : typeof status['phase'] === 'string' ? status['phase'] : 'Unknown';
  for (const c of cs) {
    const state = isMap(c['state']) ? c['state'] : {};
    const waiting = isMap(state['waiting']) ? state['waiting'] : undefined;
    const terminated = isMap(state['terminated']) ? state['terminated'] : undefined;
    if (waiting && typeof waiting['reason'] === 'string') reason = waiting['reason'];
    else if (terminated && typeof terminated['reason'] === 'string') reason = terminated['reason'];
  }
  if (meta['deletionTimestamp'] !== undefined) reason = 'Terminating';
  return [
    meta['name'],
    `${ready}/${containers}`,
    reason,
    String(restarts),
    age,
    typeof status['podIP'] === 'string' ? status['podIP'] : '<none>',
    typeof spec['nodeName'] === 'string' ? spec['nodeName'] : '<none>',
    typeof status['nominatedNodeName'] === 'string' ? status['nominatedNodeName'] : '<none>',
    '<none>',
  ];
}

function cells(def: ResourceDef, obj: Readonly<KubeObject>, nowMs: number): unknown[] {
  const meta = isMap(obj['metadata']) ? obj['metadata'] : {};
  const created = Date.parse(String(meta['creationTimestamp']));
  const age = Number.isNaN(created) ? '<unknown>' : humanDuration(nowMs - created);
  const spec = isMap(obj['spec']) ? obj['spec'] : {};
  switch (def.resource) {
    case 'pods':
      return podCells(obj, meta, age);
    case 'namespaces': {
      const status = isMap(obj['status']) ? obj['status'] : {};
      return [meta['name'], typeof status['phase'] === 'string' ? status['phase'] : 'Active', age];
    }
    case 'networkpolicies':
      return [meta['name'], selectorText(spec['podSelector']), age];
    case 'adminnetworkpolicies':
      return [meta['name'], String(spec['priority'] ?? ''), age];
    case 'baselineadminnetworkpolicies':
      return [meta['name'], age];
  }
}

function rowObject(obj: Readonly<KubeObject>, include: IncludeObject, version: string): unknown {
  if (include === 'None') return undefined;
  if (include === 'Object') return obj;
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${version}`, metadata: obj['metadata'] };
}

export interface TableOptions {
  version: 'v1' | 'v1beta1';
  includeObject: IncludeObject;
  nowMs: number;
  /** Omit the column definitions (watch events after the first). */
  noHeaders?: boolean;
}

/** A meta.k8s.io Table of the objects. */
export function toTable(def: ResourceDef, objects: readonly Readonly<KubeObject>[], listMeta: JsonMap, opts: TableOptions): JsonMap {
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${opts.version}`,
    metadata: listMeta,
    columnDefinitions: opts.noHeaders ? [] : columns(def),
    rows: objects.map((o) => {
      const row: JsonMap = { cells: cells(def, o, opts.nowMs) };
      const object = rowObject(o, opts.includeObject, opts.version);
      if (object !== undefined) row['object'] = object;
      return row;
    }),
  };
}
