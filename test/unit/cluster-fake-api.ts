// A tiny Kubernetes API server for the cluster source's unit tests: list + watch of pods,
// namespaces and networkpolicies (cluster-wide and per namespace), replay from a resourceVersion,
// and the faults the informer must survive. The admin policy API (policy.networking.k8s.io/v1alpha1)
// is served only while `servesAdmin` is set, with its discovery document (404 otherwise), so tests
// can install and remove the CRDs at run time. The full simulated cluster lives in server/sim/.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import type { ResourceKind } from '../../server/cluster/source.ts';

type Obj = { metadata: { name: string; namespace?: string; uid?: string; resourceVersion?: string; [k: string]: unknown }; [k: string]: unknown };

interface HistoryEntry {
  rv: number;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  resource: ResourceKind;
  object: Obj;
}

export type WatchMode = 'normal' | 'flap' | 'stall' | 'gone';

export interface RequestRecord {
  resource: ResourceKind;
  verb: 'list' | 'watch';
  namespace?: string;
  query: URLSearchParams;
}

const KINDS: Record<ResourceKind, { kind: string; apiVersion: string }> = {
  pods: { kind: 'Pod', apiVersion: 'v1' },
  namespaces: { kind: 'Namespace', apiVersion: 'v1' },
  networkpolicies: { kind: 'NetworkPolicy', apiVersion: 'networking.k8s.io/v1' },
  adminnetworkpolicies: { kind: 'AdminNetworkPolicy', apiVersion: 'policy.networking.k8s.io/v1alpha1' },
  baselineadminnetworkpolicies: { kind: 'BaselineAdminNetworkPolicy', apiVersion: 'policy.networking.k8s.io/v1alpha1' },
};

const ADMIN_PATH = '/apis/policy.networking.k8s.io/v1alpha1';

interface Watcher {
  resource: ResourceKind;
  namespace?: string;
  res: http.ServerResponse;
  socket: Socket;
}

export class FakeApi {
  url = '';
  readonly requests: RequestRecord[] = [];
  /** Sticky answer for lists of a resource (403, 500, ...), while set. */
  readonly listStatus = new Map<ResourceKind, number>();
  /** One-shot list answers, used before listStatus. */
  readonly listStatusOnce = new Map<ResourceKind, number[]>();
  readonly watchMode = new Map<ResourceKind, WatchMode>();
  /** Lists of these resources never answer. */
  readonly listHang = new Set<ResourceKind>();
  /** Requests the server has not answered yet (hung lists), closed or not. */
  readonly hung: http.ServerResponse[] = [];
  /** Whether the admin policy CRDs are "installed" (their API and discovery document served). */
  servesAdmin = false;
  /** Sticky answer for the admin API's discovery document (403, 500, ...), while set. */
  discoveryStatus: number | undefined;
  /** Discovery requests for the admin policy API so far. */
  discoveries = 0;
  private readonly objects = new Map<string, { resource: ResourceKind; object: Obj }>();
  private readonly history: HistoryEntry[] = [];
  private rv = 1;
  private floor = 0;
  private uidCounter = 0;
  private readonly watchers = new Set<Watcher>();
  private readonly server: http.Server;

  constructor() {
    this.server = http.createServer((req, res) => this.handle(req, res));
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  kubeConfig(): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'fake', server: this.url, skipTLSVerify: true }],
      users: [{ name: 'fake' }],
      contexts: [{ name: 'fake', cluster: 'fake', user: 'fake' }],
      currentContext: 'fake',
    });
    return kc;
  }

  async close(): Promise<void> {
    for (const w of this.watchers) w.socket.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  apply(resource: ResourceKind, object: Obj): Obj {
    const key = keyOf(resource, object);
    const existing = this.objects.get(key);
    const rv = ++this.rv;
    const stored: Obj = {
      ...KINDS[resource],
      ...structuredClone(object),
      metadata: {
        creationTimestamp: '2024-05-01T10:00:00Z',
        ...structuredClone(object.metadata),
        uid: existing?.object.metadata.uid ?? object.metadata.uid ?? `uid-${++this.uidCounter}`,
        resourceVersion: String(rv),
      },
    };
    this.objects.set(key, { resource, object: stored });
    this.record({ rv, type: existing ? 'MODIFIED' : 'ADDED', resource, object: stored });
    return stored;
  }

  remove(resource: ResourceKind, namespace: string | undefined, name: string): void {
    const key = keyOf(resource, { metadata: { name, ...(namespace ? { namespace } : {}) } });
    const existing = this.objects.get(key);
    if (!existing) throw new Error(`no ${resource} ${key}`);
    this.objects.delete(key);
    const rv = ++this.rv;
    this.record({ rv, type: 'DELETED', resource, object: { ...existing.object, metadata: { ...existing.object.metadata, resourceVersion: String(rv) } } });
  }

  /** Forgets history: watches from an older resourceVersion get 410. */
  compact(): void {
    this.floor = this.rv;
  }

  /** The objects of a resource, by namespace/name. */
  state(resource: ResourceKind): Map<string, Obj> {
    const out = new Map<string, Obj>();
    for (const [key, v] of this.objects) if (v.resource === resource) out.set(key.slice(resource.length + 1), v.object);
    return out;
  }

  dropWatches(resource?: ResourceKind): number {
    let n = 0;
    for (const w of [...this.watchers]) {
      if (resource && w.resource !== resource) continue;
      w.socket.destroy();
      this.watchers.delete(w);
      n++;
    }
    return n;
  }

  endWatches(resource?: ResourceKind): number {
    let n = 0;
    for (const w of [...this.watchers]) {
      if (resource && w.resource !== resource) continue;
      w.res.end();
      this.watchers.delete(w);
      n++;
    }
    return n;
  }

  sendError410(resource?: ResourceKind): void {
    for (const w of [...this.watchers]) {
      if (resource && w.resource !== resource) continue;
      w.res.write(JSON.stringify({ type: 'ERROR', object: status(410, 'Expired', 'too old resource version') }) + '\n');
      w.res.end();
      this.watchers.delete(w);
    }
  }

  /** Writes a line as is to every open watch of `resource`. */
  writeRaw(resource: ResourceKind, line: string): void {
    for (const w of this.watchers) if (w.resource === resource) w.res.write(line + '\n');
  }

  count(resource: ResourceKind, verb: 'list' | 'watch'): number {
    return this.requests.filter((r) => r.resource === resource && r.verb === verb).length;
  }

  private record(entry: HistoryEntry): void {
    this.history.push(entry);
    for (const w of this.watchers) {
      if (w.resource !== entry.resource) continue;
      if (w.namespace && entry.object.metadata.namespace !== w.namespace) continue;
      w.res.write(JSON.stringify({ type: entry.type, object: entry.object }) + '\n');
    }
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === ADMIN_PATH) {
      this.discoveries++;
      if (this.discoveryStatus !== undefined) send(res, this.discoveryStatus, status(this.discoveryStatus, this.discoveryStatus === 403 ? 'Forbidden' : 'InternalError', 'discovery answered by the test'));
      else if (!this.servesAdmin) send(res, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
      else {
        const resource = (name: string, kind: string) => ({ name, singularName: '', namespaced: false, kind, verbs: ['get', 'list', 'watch'] });
        send(res, 200, {
          kind: 'APIResourceList',
          apiVersion: 'v1',
          groupVersion: 'policy.networking.k8s.io/v1alpha1',
          resources: [resource('adminnetworkpolicies', 'AdminNetworkPolicy'), resource('adminnetworkpolicies/status', 'AdminNetworkPolicy'), resource('baselineadminnetworkpolicies', 'BaselineAdminNetworkPolicy')],
        });
      }
      return;
    }
    const route = parseRoute(url.pathname);
    if (!route || (!this.servesAdmin && url.pathname.startsWith(`${ADMIN_PATH}/`))) {
      send(res, 404, status(404, 'NotFound', `no route ${url.pathname}`));
      return;
    }
    const watch = url.searchParams.get('watch') === 'true';
    this.requests.push({ resource: route.resource, verb: watch ? 'watch' : 'list', ...(route.namespace ? { namespace: route.namespace } : {}), query: url.searchParams });
    const sticky = this.listStatus.get(route.resource);
    const once = this.listStatusOnce.get(route.resource);
    const code = once?.shift() ?? sticky;
    if (code !== undefined) {
      send(res, code, status(code, code === 403 ? 'Forbidden' : 'InternalError', `${route.resource} answered ${code} by the test`));
      return;
    }
    const matches = (o: { resource: ResourceKind; object: Obj }): boolean =>
      o.resource === route.resource && (!route.namespace || o.object.metadata.namespace === route.namespace);
    if (!watch && this.listHang.has(route.resource)) {
      this.hung.push(res);
      return;
    }
    if (!watch) {
      const items = [...this.objects.values()].filter(matches).map((o) => {
        // A real API server leaves kind/apiVersion out of list items.
        const { kind: _k, apiVersion: _a, ...rest } = o.object;
        return rest;
      });
      send(res, 200, { kind: `${KINDS[route.resource].kind}List`, apiVersion: KINDS[route.resource].apiVersion, metadata: { resourceVersion: String(this.rv) }, items });
      return;
    }
    const mode = this.watchMode.get(route.resource) ?? 'normal';
    if (mode === 'gone') {
      send(res, 410, status(410, 'Expired', 'gone by the test'));
      return;
    }
    const from = Number(url.searchParams.get('resourceVersion') ?? '0');
    if (from !== 0 && from < this.floor) {
      send(res, 410, status(410, 'Expired', `too old resource version: ${from} (${this.floor})`));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    res.flushHeaders();
    if (mode === 'flap') {
      res.end();
      return;
    }
    if (mode === 'stall') return; // never a byte, never closed (until close())
    for (const entry of this.history) {
      if (entry.rv <= from || entry.resource !== route.resource) continue;
      if (route.namespace && entry.object.metadata.namespace !== route.namespace) continue;
      res.write(JSON.stringify({ type: entry.type, object: entry.object }) + '\n');
    }
    const watcher: Watcher = { resource: route.resource, res, socket: req.socket, ...(route.namespace ? { namespace: route.namespace } : {}) };
    this.watchers.add(watcher);
    res.on('close', () => this.watchers.delete(watcher));
  }
}

function keyOf(resource: ResourceKind, object: { metadata: { name: string; namespace?: string } }): string {
  const ns = object.metadata.namespace;
  return `${resource}/${ns ? `${ns}/` : ''}${object.metadata.name}`;
}

function parseRoute(path: string): { resource: ResourceKind; namespace?: string } | undefined {
  let m = /^\/api\/v1\/(pods|namespaces)$/.exec(path);
  if (m) return { resource: m[1] as ResourceKind };
  m = /^\/api\/v1\/namespaces\/([^/]+)\/pods$/.exec(path);
  if (m) return { resource: 'pods', namespace: m[1]! };
  if (path === '/apis/networking.k8s.io/v1/networkpolicies') return { resource: 'networkpolicies' };
  m = /^\/apis\/networking\.k8s\.io\/v1\/namespaces\/([^/]+)\/networkpolicies$/.exec(path);
  if (m) return { resource: 'networkpolicies', namespace: m[1]! };
  m = /^\/apis\/policy\.networking\.k8s\.io\/v1alpha1\/(adminnetworkpolicies|baselineadminnetworkpolicies)$/.exec(path);
  if (m) return { resource: m[1] as ResourceKind };
  return undefined;
}

function status(code: number, reason: string, message: string): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

function send(res: http.ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function pod(namespace: string, name: string, labels: Record<string, string> = {}, ip = '10.0.0.1'): Obj {
  return {
    metadata: { name, namespace, labels },
    spec: { containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 80, name: 'http', protocol: 'TCP' }] }] },
    status: { phase: 'Running', podIP: ip, podIPs: [{ ip }] },
  };
}

export function namespace(name: string, labels: Record<string, string> = {}): Obj {
  return { metadata: { name, labels: { 'kubernetes.io/metadata.name': name, ...labels } } };
}

export function policy(namespace: string, name: string, from: Record<string, string>): Obj {
  return {
    metadata: { name, namespace },
    spec: {
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: from } }], ports: [{ port: 80, protocol: 'TCP' }, { port: 'http' }] }],
    },
  };
}

export function adminPolicy(name: string, priority: number, action: 'Allow' | 'Deny' | 'Pass', fromNamespace: string): Obj {
  return {
    metadata: { name },
    spec: {
      priority,
      subject: { namespaces: {} },
      ingress: [{ name: `${action.toLowerCase()}-from-${fromNamespace}`, action, from: [{ namespaces: { matchLabels: { 'kubernetes.io/metadata.name': fromNamespace } } }] }],
    },
  };
}
