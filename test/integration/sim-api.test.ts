// The simulated API server over real HTTP: discovery, list/watch semantics, writes, errors,
// every fault of the control API, the request log, and the demo scenario through the loader.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../../shared/engine/engine.ts';
import { buildCluster } from '../../shared/kube/load.ts';
import { generateScaleCluster, SCALE_PRESETS } from '../../server/sim/scale-cluster.ts';
import { startSimulatedCluster } from '../../server/sim/simulated-cluster.ts';
import type { SimulatedCluster } from '../../server/sim/simulated-cluster.ts';
import { openWatch, simRequest } from '../../server/sim/test-client.ts';
import type { SimResponse, WatchEvent, WatchReader } from '../../server/sim/test-client.ts';

type Obj = Record<string, unknown> & { metadata: Record<string, unknown> & { name: string; namespace?: string; resourceVersion: string; labels?: Record<string, string> } };
interface List {
  kind: string;
  apiVersion: string;
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  items: Obj[];
}

const PODS = '/api/v1/pods';

function pod(name: string, namespace: string, labels: Record<string, string> = {}, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels },
    spec: { containers: [{ name: 'main', image: 'busybox:1.36', ports: [{ name: 'http', containerPort: 8080 }] }] },
    ...extra,
  };
}

function policy(name: string, namespace: string, port = 80): Record<string, unknown> {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace },
    spec: { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'], ingress: [{ ports: [{ port }] }] },
  };
}

const names = (list: List): string[] => list.items.map((i) => (i.metadata.namespace ? `${i.metadata.namespace}/${i.metadata.name}` : i.metadata.name));
/** The end of a watch, failing fast instead of hanging when it does not come. */
function ended(w: WatchReader, ms = 5000): Promise<{ clean: boolean }> {
  return Promise.race([w.ended, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`watch did not end within ${ms} ms`)), ms))]);
}

const eventNames = (events: WatchEvent[]): string[] => events.map((e) => `${e.type} ${String(e.object.metadata?.['name'] ?? e.object['reason'] ?? '')}`);

describe('simulated API server: discovery and OpenAPI', () => {
  let sim: SimulatedCluster;
  let noAdmin: SimulatedCluster;
  beforeAll(async () => {
    sim = await startSimulatedCluster({ scenario: 'empty' });
    noAdmin = await startSimulatedCluster({ scenario: 'empty', servesAdminPolicies: false });
  });
  afterAll(async () => {
    await sim.close();
    await noAdmin.close();
  });

  it('serves the legacy discovery documents as application/json, also to an aggregated-discovery Accept', async () => {
    const aggregated = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';
    const api = await simRequest<{ kind: string; versions: string[] }>(sim.url, '/api', { headers: { Accept: aggregated } });
    expect(api.status).toBe(200);
    expect(api.headers['content-type']).toBe('application/json');
    expect(api.body).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });

    const apis = await simRequest<{ kind: string; groups: { name: string; preferredVersion: { groupVersion: string } }[] }>(sim.url, '/apis', { headers: { Accept: aggregated } });
    expect(apis.headers['content-type']).toBe('application/json');
    expect(apis.body.kind).toBe('APIGroupList');
    expect(apis.body.groups.map((g) => g.preferredVersion.groupVersion)).toEqual(['networking.k8s.io/v1', 'policy.networking.k8s.io/v1alpha1']);

    const core = await simRequest<{ groupVersion: string; resources: { name: string; namespaced: boolean; kind: string; shortNames?: string[]; verbs: string[] }[] }>(sim.url, '/api/v1');
    expect(core.body.groupVersion).toBe('v1');
    const byName = Object.fromEntries(core.body.resources.map((r) => [r.name, r]));
    expect(byName['pods']).toMatchObject({ namespaced: true, kind: 'Pod', shortNames: ['po'] });
    expect(byName['namespaces']).toMatchObject({ namespaced: false, kind: 'Namespace', shortNames: ['ns'] });
    expect(byName['pods']!.verbs).toEqual(expect.arrayContaining(['list', 'watch', 'get', 'create', 'update', 'patch', 'delete']));

    const net = await simRequest<{ resources: { name: string; shortNames?: string[]; namespaced: boolean }[] }>(sim.url, '/apis/networking.k8s.io/v1');
    expect(net.body.resources).toEqual([expect.objectContaining({ name: 'networkpolicies', shortNames: ['netpol'], namespaced: true })]);
    const admin = await simRequest<{ resources: { name: string; namespaced: boolean }[] }>(sim.url, '/apis/policy.networking.k8s.io/v1alpha1');
    expect(admin.body.resources.map((r) => [r.name, r.namespaced])).toEqual([['adminnetworkpolicies', false], ['baselineadminnetworkpolicies', false]]);

    const version = await simRequest<{ major: string; minor: string; gitVersion: string }>(sim.url, '/version');
    expect(version.body).toMatchObject({ major: '1', minor: '32' });
  });

  it('servesAdminPolicies: false leaves the policy.networking.k8s.io group out', async () => {
    const apis = await simRequest<{ groups: { name: string }[] }>(noAdmin.url, '/apis');
    expect(apis.body.groups.map((g) => g.name)).toEqual(['networking.k8s.io']);
    expect((await simRequest(noAdmin.url, '/apis/policy.networking.k8s.io/v1alpha1')).status).toBe(404);
    const list = await simRequest<{ kind: string; code: number }>(noAdmin.url, '/apis/policy.networking.k8s.io/v1alpha1/adminnetworkpolicies');
    expect(list.status).toBe(404);
    expect(list.body).toMatchObject({ kind: 'Status', code: 404 });
    const index = await simRequest<{ paths: Record<string, unknown> }>(noAdmin.url, '/openapi/v3');
    expect(Object.keys(index.body.paths)).toEqual(['api/v1', 'apis/networking.k8s.io/v1']);
  });

  it('OpenAPI v3 names each PATCH operation\'s kind and its fieldValidation parameter; v2 is valid JSON and protobuf', async () => {
    const index = await simRequest<{ paths: Record<string, { serverRelativeURL: string }> }>(sim.url, '/openapi/v3');
    const doc = await simRequest<{ paths: Record<string, { patch?: { parameters: { name: string; in: string }[]; 'x-kubernetes-group-version-kind': unknown } }> }>(
      sim.url,
      index.body.paths['apis/networking.k8s.io/v1']!.serverRelativeURL,
    );
    const patch = doc.body.paths['/apis/networking.k8s.io/v1/namespaces/{namespace}/networkpolicies/{name}']!.patch!;
    expect(patch['x-kubernetes-group-version-kind']).toEqual({ group: 'networking.k8s.io', version: 'v1', kind: 'NetworkPolicy' });
    expect(patch.parameters).toContainEqual(expect.objectContaining({ name: 'fieldValidation', in: 'query' }));
    const v2 = await simRequest<{ swagger: string }>(sim.url, '/openapi/v2');
    expect(v2.body.swagger).toBe('2.0');
    const pb = await simRequest(sim.url, '/openapi/v2', { headers: { Accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' } });
    expect(pb.headers['content-type']).toContain('protobuf');
    expect(pb.text.startsWith('\n\u00032.0')).toBe(true);
  });
});

describe('simulated API server: lists, writes and errors', () => {
  let sim: SimulatedCluster;
  beforeAll(async () => {
    sim = await startSimulatedCluster({ scenario: 'empty' });
    sim.store.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
    sim.store.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'tools' } });
    sim.store.apply(pod('web-1', 'shop', { app: 'web', tier: 'front' }));
    sim.store.apply(pod('web-2', 'shop', { app: 'web', tier: 'front', canary: 'true' }));
    sim.store.apply(pod('db-0', 'shop', { app: 'db' }));
    sim.store.apply(pod('done', 'tools', { app: 'job' }, { status: { phase: 'Succeeded' } }));
    sim.store.apply(pod('debug', 'tools', {}));
  });
  afterAll(() => sim.close());

  const list = async (path: string): Promise<List> => {
    const r = await simRequest<List>(sim.url, path);
    expect(r.status, r.text).toBe(200);
    return r.body;
  };

  it('lists with one global resourceVersion, and every object has uid, resourceVersion, creationTimestamp', async () => {
    const pods = await list(PODS);
    expect(pods).toMatchObject({ kind: 'PodList', apiVersion: 'v1' });
    expect(pods.metadata.resourceVersion).toBe(sim.store.resourceVersion);
    expect(names(pods)).toEqual(['shop/db-0', 'shop/web-1', 'shop/web-2', 'tools/debug', 'tools/done']);
    for (const item of pods.items) {
      expect(item.metadata).toMatchObject({ uid: expect.any(String), resourceVersion: expect.stringMatching(/^\d+$/), creationTimestamp: expect.stringMatching(/Z$/) });
    }
    const rvs = pods.items.map((i) => Number(i.metadata.resourceVersion));
    expect(new Set(rvs).size).toBe(rvs.length);
    const ns = await list('/api/v1/namespaces');
    expect(ns.kind).toBe('NamespaceList');
    const shop = ns.items.find((n) => n.metadata.name === 'shop')!;
    expect(shop.metadata.labels).toEqual({ 'kubernetes.io/metadata.name': 'shop' });
    expect(names(await list('/api/v1/namespaces/tools/pods'))).toEqual(['tools/debug', 'tools/done']);
  });

  it('a pod created without status runs, with an IP from the pod CIDR; a given status is kept', async () => {
    const pods = await list(PODS);
    const web = pods.items.find((p) => p.metadata.name === 'web-1')!;
    const status = web['status'] as { phase: string; podIP: string; podIPs: { ip: string }[]; hostIP: string };
    expect(status.phase).toBe('Running');
    expect(status.podIP).toMatch(/^10\.244\.\d+\.\d+$/);
    expect(status.podIPs).toEqual([{ ip: status.podIP }]);
    expect(status.hostIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    const ips = pods.items.map((p) => (p['status'] as { podIP?: string }).podIP).filter(Boolean);
    expect(new Set(ips).size).toBe(ips.length);
    expect((pods.items.find((p) => p.metadata.name === 'done')!['status'] as { phase: string }).phase).toBe('Succeeded');
  });

  it.each([
    ['app=web', ['shop/web-1', 'shop/web-2']],
    ['app==web', ['shop/web-1', 'shop/web-2']],
    ['app!=web', ['shop/db-0', 'tools/debug', 'tools/done']],
    ['app in (db,job)', ['shop/db-0', 'tools/done']],
    ['app notin (web,db)', ['tools/debug', 'tools/done']],
    ['canary', ['shop/web-2']],
    ['!app', ['tools/debug']],
    ['app=web,!canary', ['shop/web-1']],
  ])('labelSelector %s', async (selector, expected) => {
    expect(names(await list(`${PODS}?labelSelector=${encodeURIComponent(selector)}`))).toEqual(expected);
  });

  it.each([
    ['metadata.name=web-2', ['shop/web-2']],
    ['metadata.namespace=tools', ['tools/debug', 'tools/done']],
    ['metadata.namespace!=shop,status.phase=Running', ['tools/debug']],
    ['status.phase==Succeeded', ['tools/done']],
  ])('fieldSelector %s', async (selector, expected) => {
    expect(names(await list(`${PODS}?fieldSelector=${encodeURIComponent(selector)}`))).toEqual(expected);
  });

  it('answers 400 Status for a malformed label selector and an unsupported field', async () => {
    const bad = await simRequest<{ kind: string; code: number; reason: string }>(sim.url, `${PODS}?labelSelector=${encodeURIComponent('app in (a')}`);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ kind: 'Status', code: 400, reason: 'BadRequest' });
    const field = await simRequest<{ message: string }>(sim.url, `/apis/networking.k8s.io/v1/networkpolicies?fieldSelector=${encodeURIComponent('spec.podSelector=x')}`);
    expect(field.status).toBe(400);
    expect(field.body.message).toContain('field label not supported');
  });

  it('pages with limit and continue: every item exactly once, at the first page\'s resourceVersion', async () => {
    const first = await list(`${PODS}?limit=2`);
    expect(first.items).toHaveLength(2);
    expect(first.metadata.remainingItemCount).toBe(3);
    const seen = names(first);
    let token = first.metadata.continue;
    while (token) {
      const page = await list(`${PODS}?limit=2&continue=${encodeURIComponent(token)}`);
      expect(page.metadata.resourceVersion).toBe(first.metadata.resourceVersion);
      seen.push(...names(page));
      token = page.metadata.continue;
    }
    expect(seen).toEqual(names(await list(PODS)));
  });

  it('create: 201 with uid/resourceVersion/creationTimestamp/generation; 409 AlreadyExists; 404 without the namespace', async () => {
    const created = await simRequest<Obj>(sim.url, '/apis/networking.k8s.io/v1/namespaces/shop/networkpolicies', { method: 'POST', body: policy('np-create', 'shop') });
    expect(created.status).toBe(201);
    expect(created.headers['content-type']).toBe('application/json');
    expect(created.body.metadata).toMatchObject({ uid: expect.any(String), generation: 1, creationTimestamp: expect.any(String) });
    expect(created.body.metadata.resourceVersion).toBe(sim.store.resourceVersion);
    const again = await simRequest<{ reason: string; code: number }>(sim.url, '/apis/networking.k8s.io/v1/namespaces/shop/networkpolicies', { method: 'POST', body: policy('np-create', 'shop') });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ reason: 'AlreadyExists', code: 409 });
    const missing = await simRequest<{ reason: string; message: string }>(sim.url, '/apis/networking.k8s.io/v1/namespaces/nope/networkpolicies', { method: 'POST', body: policy('x', 'nope') });
    expect(missing.status).toBe(404);
    expect(missing.body.message).toBe('namespaces "nope" not found');
  });

  it('422 Invalid with causes for a missing name and a kind or apiVersion that does not fit the path', async () => {
    const noName = await simRequest<{ reason: string; details: { causes: { field: string }[] } }>(sim.url, '/api/v1/namespaces/shop/pods', {
      method: 'POST',
      body: { ...pod('x', 'shop'), metadata: { namespace: 'shop' } },
    });
    expect(noName.status).toBe(422);
    expect(noName.body.reason).toBe('Invalid');
    expect(noName.body.details.causes.map((c) => c.field)).toContain('metadata.name');
    const wrongKind = await simRequest<{ details: { causes: { field: string }[] } }>(sim.url, '/api/v1/namespaces/shop/pods', { method: 'POST', body: policy('np', 'shop') });
    expect(wrongKind.status).toBe(422);
    expect(wrongKind.body.details.causes.map((c) => c.field)).toEqual(expect.arrayContaining(['kind', 'apiVersion']));
    const quoted = await simRequest<{ details: { causes: { field: string }[] } }>(sim.url, '/apis/networking.k8s.io/v1/namespaces/shop/networkpolicies', {
      method: 'POST',
      body: { ...policy('np-quoted', 'shop'), spec: { podSelector: {}, ingress: [{ ports: [{ port: '80' }] }] } },
    });
    expect(quoted.status).toBe(422);
    expect(quoted.body.details.causes.map((c) => c.field)).toEqual(['spec.ingress[0].ports[0].port']);
    expect(sim.store.get('networkpolicies', 'shop', 'np-quoted')).toBeUndefined();
  });

  it('fieldValidation=Strict rejects unknown fields', async () => {
    const r = await simRequest<{ message: string }>(sim.url, '/apis/networking.k8s.io/v1/namespaces/shop/networkpolicies?fieldValidation=Strict', {
      method: 'POST',
      body: { ...policy('np-strict', 'shop'), specs: {} },
    });
    expect(r.status).toBe(400);
    expect(r.body.message).toContain('unknown field "specs"');
  });

  it('update: 409 Conflict on a stale resourceVersion; the current one succeeds and bumps generation on a spec change', async () => {
    sim.store.apply(policy('np-update', 'shop', 80));
    const path = '/apis/networking.k8s.io/v1/namespaces/shop/networkpolicies/np-update';
    const current = (await simRequest<Obj>(sim.url, path)).body;
    const changed = { ...current, spec: { ...(current['spec'] as object), ingress: [{ ports: [{ port: 81 }] }] } };
    const ok = await simRequest<Obj>(sim.url, path, { method: 'PUT', body: changed });
    expect(ok.status).toBe(200);
    expect(Number(ok.body.metadata.resourceVersion)).toBeGreaterThan(Number(current.metadata.resourceVersion));
    expect(ok.body.metadata['generation']).toBe(2);
    expect(ok.body.metadata['uid']).toBe(current.metadata['uid']);
    const stale = await simRequest<{ reason: string; code: number }>(sim.url, path, { method: 'PUT', body: changed });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ reason: 'Conflict', code: 409 });
  });

  it('patch: merge patch (null deletes), strategic merge patch ($ keys dropped), JSON patch', async () => {
    sim.store.apply(policy('np-patch', 'shop', 80));
    const path = '/apis/networking.k8s.io/v1/namespaces/shop/networkpolicies/np-patch';
    const merge = await simRequest<Obj>(sim.url, path, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/merge-patch+json' },
      body: { metadata: { labels: { team: 'a', gone: 'x' } } },
    });
    expect(merge.status).toBe(200);
    const merge2 = await simRequest<Obj>(sim.url, path, { method: 'PATCH', headers: { 'Content-Type': 'application/merge-patch+json' }, body: { metadata: { labels: { gone: null } } } });
    expect(merge2.body.metadata.labels).toEqual({ team: 'a' });
    const smp = await simRequest<Obj>(sim.url, path, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/strategic-merge-patch+json' },
      body: { $setElementOrder: {}, spec: { ingress: [{ ports: [{ port: 443 }] }], '$retainKeys': ['ingress'] } },
    });
    expect(smp.status, smp.text).toBe(200);
    expect(smp.body['spec']).toEqual({ podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'], ingress: [{ ports: [{ port: 443 }] }] });
    const json = await simRequest<Obj>(sim.url, path, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json-patch+json' },
      body: [{ op: 'replace', path: '/spec/ingress/0/ports/0/port', value: 8443 }, { op: 'add', path: '/metadata/labels/b', value: 'c' }],
    });
    expect(json.status, json.text).toBe(200);
    expect(json.body['spec']).toMatchObject({ ingress: [{ ports: [{ port: 8443 }] }] });
    expect(json.body.metadata.labels).toEqual({ team: 'a', b: 'c' });
    const stale = await simRequest(sim.url, path, { method: 'PATCH', headers: { 'Content-Type': 'application/merge-patch+json' }, body: { metadata: { resourceVersion: '1' } } });
    expect(stale.status).toBe(409);
  });

  it('delete: a NetworkPolicy answers a Status, a pod its object; a namespace takes its objects with it', async () => {
    sim.store.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'doomed' } });
    sim.store.apply(pod('p1', 'doomed'));
    sim.store.apply(policy('np1', 'doomed'));
    sim.store.apply(policy('np-del', 'shop'));
    const np = await simRequest<{ kind: string; status: string; details: { name: string } }>(sim.url, '/apis/networking.k8s.io/v1/namespaces/shop/networkpolicies/np-del', {
      method: 'DELETE',
      body: { propagationPolicy: 'Background' },
    });
    expect(np.status).toBe(200);
    expect(np.body).toMatchObject({ kind: 'Status', status: 'Success', details: { name: 'np-del' } });
    expect((await simRequest(sim.url, '/apis/networking.k8s.io/v1/namespaces/shop/networkpolicies/np-del')).status).toBe(404);

    const watch = await openWatch(sim.url, `/api/v1/namespaces/doomed/pods?watch=true&resourceVersion=${sim.store.resourceVersion}`);
    const ns = await simRequest<Obj>(sim.url, '/api/v1/namespaces/doomed', { method: 'DELETE' });
    expect(ns.status).toBe(200);
    expect(ns.body['kind']).toBe('Namespace');
    expect(sim.store.get('pods', 'doomed', 'p1')).toBeUndefined();
    expect(sim.store.get('networkpolicies', 'doomed', 'np1')).toBeUndefined();
    expect(sim.store.get('namespaces', undefined, 'doomed')).toBeUndefined();
    await watch.waitFor((e) => e.type === 'DELETED' && e.object.metadata?.['name'] === 'p1');
    watch.close();

    // A pod turns Terminating first (as with a grace period), then is gone; the answer is the pod.
    sim.store.apply(pod('p-del', 'shop'));
    const pw = await openWatch(sim.url, `/api/v1/namespaces/shop/pods?watch=true&resourceVersion=${sim.store.resourceVersion}`);
    const podDel = await simRequest<Obj>(sim.url, '/api/v1/namespaces/shop/pods/p-del', { method: 'DELETE', body: { propagationPolicy: 'Background' } });
    expect(podDel.status).toBe(200);
    expect(podDel.body).toMatchObject({ kind: 'Pod', metadata: { name: 'p-del', deletionTimestamp: expect.any(String) } });
    await pw.waitFor((e) => e.type === 'DELETED');
    expect(pw.events.map((e) => [e.type, e.object.metadata?.['deletionTimestamp'] !== undefined])).toEqual([['MODIFIED', true], ['DELETED', true]]);
    pw.close();

    const gone = await simRequest<{ reason: string }>(sim.url, '/api/v1/namespaces/shop/pods/nope', { method: 'DELETE' });
    expect(gone.status).toBe(404);
    expect(gone.body.reason).toBe('NotFound');
  });
});

describe('simulated API server: watch', () => {
  let sim: SimulatedCluster;
  beforeAll(async () => {
    sim = await startSimulatedCluster({ scenario: 'empty', bookmarkIntervalMs: 150 });
    sim.store.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'w' } });
    sim.store.apply(pod('a', 'w', { app: 'x' }));
    sim.store.apply(pod('b', 'w', { app: 'y' }));
  });
  afterAll(() => sim.close());
  afterEach(() => sim.faults.clear());

  it('flushes the headers at once (chunked JSON), before any event', async () => {
    const w = await openWatch(sim.url, `/api/v1/namespaces/w/pods?watch=true&resourceVersion=${sim.store.resourceVersion}`);
    expect(w.status).toBe(200);
    expect(w.headers['content-type']).toBe('application/json');
    expect(w.headers['transfer-encoding']).toBe('chunked');
    expect(w.events).toEqual([]);
    w.close();
  });

  it('resourceVersion 0: ADDED for everything, then live events, one JSON object per line', async () => {
    const w = await openWatch(sim.url, '/api/v1/namespaces/w/pods?watch=true&resourceVersion=0');
    await w.waitFor((e) => e.object.metadata?.['name'] === 'b');
    expect(eventNames(w.events)).toEqual(['ADDED a', 'ADDED b']);
    expect(w.events[0]!.object['kind']).toBe('Pod');
    sim.store.apply(pod('c', 'w'));
    sim.store.apply(pod('c', 'w', { v: '2' }));
    sim.store.remove('Pod', 'w', 'c');
    await w.waitFor((e) => e.type === 'DELETED');
    expect(eventNames(w.events).slice(2)).toEqual(['ADDED c', 'MODIFIED c', 'DELETED c']);
    w.close();
  });

  it('resourceVersion N replays the events after N', async () => {
    const from = sim.store.resourceVersion;
    sim.store.apply(pod('r1', 'w'));
    sim.store.apply(pod('r1', 'w', { changed: 'yes' }));
    sim.store.remove('pods', 'w', 'r1');
    const w = await openWatch(sim.url, `/api/v1/pods?watch=true&resourceVersion=${from}`);
    await w.waitFor((e) => e.type === 'DELETED');
    expect(eventNames(w.events)).toEqual(['ADDED r1', 'MODIFIED r1', 'DELETED r1']);
    const rvs = w.events.map((e) => Number(e.object.metadata!['resourceVersion']));
    expect(rvs).toEqual([...rvs].sort((x, y) => x - y));
    expect(rvs[0]).toBeGreaterThan(Number(from));
    w.close();
  });

  it('a resourceVersion below the compaction floor: 200, one ERROR event with a 410 Expired Status, then the end', async () => {
    const old = sim.store.resourceVersion;
    sim.store.apply(pod('compact-me', 'w'));
    expect(sim.faults.compact()).toBe(sim.store.resourceVersion);
    const w = await openWatch(sim.url, `/api/v1/pods?watch=true&resourceVersion=${Number(old) - 1}`);
    expect(w.status).toBe(200);
    expect(await ended(w)).toEqual({ clean: true });
    expect(w.events).toHaveLength(1);
    expect(w.events[0]).toMatchObject({ type: 'ERROR', object: { kind: 'Status', status: 'Failure', reason: 'Expired', code: 410 } });
    // The floor itself is still served.
    const ok = await openWatch(sim.url, `/api/v1/pods?watch=true&resourceVersion=${sim.store.resourceVersion}`);
    ok.close();
    expect(ok.events).toEqual([]);
  });

  it('allowWatchBookmarks: periodic BOOKMARKs carrying the current resourceVersion', async () => {
    const w = await openWatch(sim.url, `/api/v1/pods?watch=true&allowWatchBookmarks=true&resourceVersion=${sim.store.resourceVersion}`);
    const b1 = await w.waitFor((e) => e.type === 'BOOKMARK', 2000);
    expect(b1.object).toEqual({ kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion: sim.store.resourceVersion } });
    await w.waitFor((e) => e !== b1 && e.type === 'BOOKMARK', 2000);
    w.close();
    const none = await openWatch(sim.url, `/api/v1/pods?watch=true&resourceVersion=${sim.store.resourceVersion}`);
    await new Promise((r) => setTimeout(r, 400));
    expect(none.events).toEqual([]);
    none.close();
  });

  it('timeoutSeconds ends the watch cleanly', async () => {
    const started = Date.now();
    const w = await openWatch(sim.url, `/api/v1/pods?watch=true&timeoutSeconds=1&resourceVersion=${sim.store.resourceVersion}`);
    expect(await ended(w)).toEqual({ clean: true });
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(900);
    expect(took).toBeLessThan(3000);
  });

  it('sendInitialEvents=true: ADDED for everything, then a BOOKMARK annotated k8s.io/initial-events-end', async () => {
    const w = await openWatch(sim.url, '/api/v1/namespaces/w/pods?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true');
    const end = await w.waitFor((e) => e.type === 'BOOKMARK');
    expect(end.object.metadata).toEqual({ resourceVersion: sim.store.resourceVersion, annotations: { 'k8s.io/initial-events-end': 'true' } });
    const names = sim.store.list('pods', 'w').map((p) => `ADDED ${String((p['metadata'] as { name: string }).name)}`);
    expect(eventNames(w.events.slice(0, -1))).toEqual(names);
    w.close();
  });

  it('a label-selected watch sees an object that stops matching as DELETED and one that starts matching as ADDED', async () => {
    sim.store.apply(pod('sel', 'w', { app: 'x', sel: 'yes' }));
    const w = await openWatch(sim.url, `/api/v1/pods?watch=true&labelSelector=sel%3Dyes&resourceVersion=${sim.store.resourceVersion}`);
    sim.store.apply(pod('sel', 'w', { app: 'x', sel: 'no' }));
    sim.store.apply(pod('sel', 'w', { app: 'x', sel: 'yes' }));
    sim.store.apply(pod('other', 'w', { sel: 'no' }));
    sim.store.apply(pod('sel', 'w', { app: 'z', sel: 'yes' }));
    await w.waitFor((e) => e.type === 'MODIFIED');
    expect(eventNames(w.events)).toEqual(['DELETED sel', 'ADDED sel', 'MODIFIED sel']);
    w.close();
  });
});

describe('simulated API server: faults', () => {
  let sim: SimulatedCluster;
  beforeAll(async () => {
    sim = await startSimulatedCluster({ scenario: 'empty', bookmarkIntervalMs: 60_000 });
    sim.store.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'f' } });
    sim.store.apply(pod('a', 'f'));
  });
  afterAll(() => sim.close());
  afterEach(() => sim.faults.clear());

  const watchPods = (extra = '') => openWatch(sim.url, `/api/v1/pods?watch=true&resourceVersion=${sim.store.resourceVersion}${extra}`);
  const watchNamespaces = () => openWatch(sim.url, `/api/v1/namespaces?watch=true&resourceVersion=${sim.store.resourceVersion}`);
  const waitOpen = async (n: number) => {
    for (let i = 0; i < 100 && sim.faults.openWatches().pods !== n; i++) await new Promise((r) => setTimeout(r, 10));
    expect(sim.faults.openWatches().pods).toBe(n);
  };

  it('dropWatches destroys the sockets of that resource\'s watches only', async () => {
    const pods = await watchPods();
    const namespaces = await watchNamespaces();
    expect(sim.faults.dropWatches('pods')).toBe(1);
    expect(await ended(pods)).toEqual({ clean: false });
    sim.store.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'still-watched' } });
    await namespaces.waitFor((e) => e.object.metadata?.['name'] === 'still-watched');
    namespaces.close();
  });

  it('endWatches ends them cleanly', async () => {
    const w = await watchPods();
    expect(sim.faults.endWatches('pods')).toBe(1);
    expect(await ended(w)).toEqual({ clean: true });
    expect(w.events).toEqual([]);
    await waitOpen(0);
  });

  it('flap closes every new watch at once (sticky until cleared)', async () => {
    const id = sim.faults.flap({ resource: 'pods' });
    for (let i = 0; i < 2; i++) {
      const w = await openWatch(sim.url, '/api/v1/pods?watch=true&resourceVersion=0');
      expect(w.status).toBe(200);
      expect(await ended(w)).toEqual({ clean: true });
      expect(w.events).toEqual([]);
    }
    sim.faults.clear(id);
    const w = await openWatch(sim.url, '/api/v1/pods?watch=true&resourceVersion=0');
    await w.waitFor((e) => e.type === 'ADDED');
    w.close();
  });

  it('expireWatches sends an ERROR 410 event, then closes', async () => {
    const w = await watchPods();
    expect(sim.faults.expireWatches('pods')).toBe(1);
    expect(await ended(w)).toEqual({ clean: true });
    expect(w.events).toEqual([{ type: 'ERROR', object: expect.objectContaining({ kind: 'Status', code: 410, reason: 'Expired' }) }]);
  });

  it('goneOnNextWatch answers HTTP 410 once', async () => {
    sim.faults.goneOnNextWatch({ resource: 'pods' });
    const first = await simRequest<{ kind: string; code: number; reason: string }>(sim.url, '/api/v1/pods?watch=true&resourceVersion=1');
    expect(first.status).toBe(410);
    expect(first.body).toMatchObject({ kind: 'Status', code: 410, reason: 'Expired' });
    const second = await watchPods();
    expect(second.status).toBe(200);
    second.close();
  });

  it('delay holds answers, watch headers included', async () => {
    sim.faults.delay(300, { resource: 'pods' });
    let t = Date.now();
    expect((await simRequest(sim.url, PODS)).status).toBe(200);
    expect(Date.now() - t).toBeGreaterThanOrEqual(280);
    t = Date.now();
    const w = await watchPods();
    expect(Date.now() - t).toBeGreaterThanOrEqual(280);
    w.close();
    t = Date.now();
    await simRequest(sim.url, '/api/v1/namespaces');
    expect(Date.now() - t).toBeLessThan(250);
  });

  it('failNextList answers 500 once', async () => {
    sim.faults.failNextList({ resource: 'pods' });
    const failed = await simRequest<{ kind: string; code: number }>(sim.url, PODS);
    expect(failed.status).toBe(500);
    expect(failed.body).toMatchObject({ kind: 'Status', code: 500 });
    expect((await simRequest(sim.url, PODS)).status).toBe(200);
  });

  it('forbid answers 403 for the resource until cleared', async () => {
    sim.faults.forbid('pods');
    for (const path of [PODS, '/api/v1/pods?watch=true', '/api/v1/namespaces/f/pods/a']) {
      const r = await simRequest<{ reason: string; code: number }>(sim.url, path);
      expect(r.status).toBe(403);
      expect(r.body).toMatchObject({ reason: 'Forbidden', code: 403 });
    }
    expect((await simRequest(sim.url, '/api/v1/namespaces')).status).toBe(200);
    sim.faults.clear({ resource: 'pods' });
    expect((await simRequest(sim.url, PODS)).status).toBe(200);
  });

  it('unauthorized answers 401 (discovery too) until cleared', async () => {
    sim.faults.unauthorized();
    const r = await simRequest<{ reason: string }>(sim.url, PODS);
    expect(r.status).toBe(401);
    expect(r.body.reason).toBe('Unauthorized');
    expect((await simRequest(sim.url, '/api')).status).toBe(401);
    sim.faults.clear();
    expect((await simRequest(sim.url, '/api')).status).toBe(200);
  });

  it('bookmarkNow sends a BOOKMARK to watches that allow them', async () => {
    const w = await watchPods('&allowWatchBookmarks=true');
    const plain = await watchPods();
    expect(sim.faults.bookmarkNow('pods')).toBe(1);
    const b = await w.waitFor((e) => e.type === 'BOOKMARK', 1000);
    expect(b.object.metadata).toEqual({ resourceVersion: sim.store.resourceVersion });
    await new Promise((r) => setTimeout(r, 100));
    expect(plain.events).toEqual([]);
    w.close();
    plain.close();
  });

  it('stall keeps watches open but delivers nothing', async () => {
    const w = await watchPods();
    sim.faults.stall({ resource: 'pods' });
    sim.store.apply(pod('stalled', 'f'));
    await new Promise((r) => setTimeout(r, 150));
    expect(w.events).toEqual([]);
    sim.faults.clear();
    sim.store.apply(pod('after', 'f'));
    await w.waitFor((e) => e.object.metadata?.['name'] === 'after');
    expect(eventNames(w.events)).toEqual(['ADDED after']);
    w.close();
  });

  it('the HTTP control endpoint drives the same faults and shows state, the request log and counters', async () => {
    const post = await simRequest<{ id: number }>(sim.url, '/_sim/faults', { method: 'POST', body: { action: 'failNextList', resource: 'pods', code: 503 } });
    expect(post.status).toBe(200);
    expect((await simRequest(sim.url, PODS)).status).toBe(503);
    expect((await simRequest(sim.url, PODS)).status).toBe(200);
    const w = await watchPods();
    const drop = await simRequest<{ affected: number }>(sim.url, '/_sim/faults/dropWatches', { method: 'POST', body: { resource: 'pods' } });
    expect(drop.body.affected).toBe(1);
    expect(await ended(w)).toEqual({ clean: false });
    await simRequest(sim.url, '/_sim/faults', { method: 'POST', body: { action: 'forbid', resource: 'networkpolicies' } });
    expect((await simRequest(sim.url, '/apis/networking.k8s.io/v1/networkpolicies')).status).toBe(403);
    expect((await simRequest(sim.url, '/_sim/faults', { method: 'DELETE' })).status).toBe(200);
    expect((await simRequest(sim.url, '/apis/networking.k8s.io/v1/networkpolicies')).status).toBe(200);

    const state = await simRequest<{ store: { counts: Record<string, number>; resourceVersion: string }; counters: Record<string, number> }>(sim.url, '/_sim/state');
    expect(state.body.store.counts['pods']).toBe(sim.store.count('pods'));
    expect(state.body.store.resourceVersion).toBe(sim.store.resourceVersion);

    const applied = await simRequest(sim.url, '/_sim/objects', { method: 'POST', body: pod('via-control', 'f') });
    expect(applied.status).toBe(200);
    expect(sim.store.get('pods', 'f', 'via-control')).toBeDefined();
    expect((await simRequest(sim.url, '/_sim/objects/Pod/f/via-control', { method: 'DELETE' })).status).toBe(200);
    expect(sim.store.get('pods', 'f', 'via-control')).toBeUndefined();

    const log = await simRequest<{ entries: { method: string; path: string; query: Record<string, string>; status: number; time: string }[]; counters: Record<string, number> }>(
      sim.url,
      '/_sim/requests',
    );
    const listCalls = log.body.entries.filter((e) => e.path === PODS && e.method === 'GET' && !e.query['watch']);
    expect(listCalls.map((e) => e.status).slice(-2)).toEqual([503, 200]);
    expect(listCalls.at(-1)!.time).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(log.body.counters['pods:list']).toBe(sim.requests.count({ resource: 'pods', verb: 'list' }));
    expect(sim.requests.count({ resource: 'networkpolicies', verb: 'list' })).toBe(2);
  });

  it('compact through the control API expires older watch resourceVersions', async () => {
    const old = sim.store.resourceVersion;
    sim.store.apply(pod('x', 'f'));
    const r = await simRequest<{ compactedResourceVersion: string }>(sim.url, '/_sim/faults/compact', { method: 'POST', body: {} });
    expect(r.body.compactedResourceVersion).toBe(sim.store.resourceVersion);
    const w = await openWatch(sim.url, `/api/v1/pods?watch=true&resourceVersion=${old}`);
    await ended(w);
    expect(w.events.map((e) => [e.type, e.object.code])).toEqual([['ERROR', 410]]);
  });
});

describe('simulated API server: bearer tokens over HTTPS', () => {
  let sim: SimulatedCluster;
  let open: SimulatedCluster;
  beforeAll(async () => {
    [sim, open] = await Promise.all([
      startSimulatedCluster({ scenario: 'empty', https: true, tokens: ['s3cret'] }),
      startSimulatedCluster({ scenario: 'empty', https: true }),
    ]);
  });
  afterAll(async () => {
    await sim.close();
    await open.close();
  });

  it('401 Status without a token and with a wrong one; 200 with the right one', async () => {
    expect(sim.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const none = await simRequest<{ kind: string; code: number; reason: string }>(sim.url, PODS);
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ kind: 'Status', code: 401, reason: 'Unauthorized' });
    expect((await simRequest(sim.url, PODS, { token: 'wrong' })).status).toBe(401);
    expect((await simRequest(sim.url, PODS, { token: 's3cret' })).status).toBe(200);
    const w = await openWatch(sim.url, '/api/v1/namespaces?watch=true', { token: 's3cret' });
    await w.waitFor((e) => e.object.metadata?.['name'] === 'default');
    w.close();
  });

  it('the control endpoint needs the token over HTTPS, and is off over HTTPS without tokens', async () => {
    expect((await simRequest(sim.url, '/_sim/state')).status).toBe(401);
    expect((await simRequest(sim.url, '/_sim/state', { token: 's3cret' })).status).toBe(200);
    expect((await simRequest(open.url, '/_sim/state')).status).toBe(404);
  });
});

describe('scenarios', () => {
  it('demo loads without error diagnostics through the loader and contains each planted mistake', async () => {
    const sim = await startSimulatedCluster();
    try {
      const paths = ['/api/v1/namespaces', '/api/v1/pods', '/apis/networking.k8s.io/v1/networkpolicies'];
      const lists = await Promise.all(paths.map((p) => simRequest<List>(sim.url, p)));
      const { cluster, diagnostics } = buildCluster(lists.map((r, i) => ({ file: paths[i]!, object: r.body })));
      expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      expect(cluster.namespaces.map((n) => n.name)).toEqual(expect.arrayContaining(['prod', 'staging', 'monitoring', 'ci', 'kube-system']));
      const findings = analyze(cluster, { ipBlockMatchesPods: true }).findings.map((f) => `${f.kind} ${f.subject}${f.direction ? ` ${f.direction}` : ''}`);
      expect(findings).toEqual(
        expect.arrayContaining([
          'policy-types-default-denies-ingress ci/runner-egress',
          'separate-namespace-and-pod-peers prod/allow-prometheus-scrape',
          'named-port-unresolved prod/catalog-ingress',
          'namespace-without-default-deny staging ingress',
        ]),
      );
      expect(findings.filter((f) => f.startsWith('namespace-without-default-deny prod'))).toEqual([]);

      const pods = lists[1]!.body.items;
      const byName = (n: string) => pods.find((p) => p.metadata.name === n);
      // Real-cluster shapes: ReplicaSet owners <deploy>-<hash> with pod-template-hash, StatefulSet ordinals, hostNetwork DaemonSets.
      const frontend = pods.filter((p) => p.metadata.namespace === 'prod' && p.metadata.labels?.['app'] === 'frontend');
      expect(frontend).toHaveLength(3);
      for (const p of frontend) {
        const hash = p.metadata.labels!['pod-template-hash']!;
        expect((p.metadata['ownerReferences'] as { kind: string; name: string }[])[0]).toMatchObject({ kind: 'ReplicaSet', name: `frontend-${hash}` });
        expect(p.metadata.name.startsWith(`frontend-${hash}-`)).toBe(true);
      }
      expect(byName('postgres-0')).toBeDefined();
      expect(byName('postgres-1')).toBeDefined();
      const proxy = pods.filter((p) => p.metadata.name.startsWith('kube-proxy-'));
      expect(proxy.length).toBe(3);
      for (const p of proxy) expect(p['spec']).toMatchObject({ hostNetwork: true });
      const coredns = pods.find((p) => p.metadata.name.startsWith('coredns-'))!;
      expect(JSON.stringify(coredns['spec'])).toContain('"name":"dns-tcp"');
      const internet = lists[2]!.body.items.find((p) => p.metadata.name === 'payments-egress-internet')!;
      expect(JSON.stringify(internet['spec'])).toContain('"cidr":"0.0.0.0/0"');

      const anp = await simRequest<List>(sim.url, '/apis/policy.networking.k8s.io/v1alpha1/adminnetworkpolicies');
      expect(anp.body.items.length).toBeGreaterThan(0);
    } finally {
      await sim.close();
    }
  });

  it('the demo is deterministic for a fixed clock and seed', async () => {
    const [a, b] = await Promise.all([startSimulatedCluster({ now: Date.UTC(2025, 0, 1) }), startSimulatedCluster({ now: Date.UTC(2025, 0, 1) })]);
    try {
      const strip = (r: SimResponse<List>) => r.body.items.map((i) => ({ ...i, metadata: { ...i.metadata, resourceVersion: '' } }));
      const [pa, pb] = await Promise.all([simRequest<List>(a.url, PODS), simRequest<List>(b.url, PODS)]);
      expect(strip(pa)).toEqual(strip(pb));
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('S serves the generateScaleCluster preset', async () => {
    const sim = await startSimulatedCluster({ scenario: 'S', seed: 3 });
    try {
      const expected = generateScaleCluster({ ...SCALE_PRESETS.S, seed: 3 }).filter((o) => (o as { kind: string }).kind === 'Pod').length;
      const pods = await simRequest<List>(sim.url, PODS);
      expect(pods.body.items).toHaveLength(expected);
      expect(sim.store.count('networkpolicies')).toBe(SCALE_PRESETS.S.policies);
    } finally {
      await sim.close();
    }
  });
});

describe('churn', () => {
  it('is deterministic for a seed: the same writes (rollouts and scaling, ADDED/MODIFIED/DELETED)', async () => {
    const run = async () => {
      const sim = await startSimulatedCluster({ now: Date.UTC(2025, 0, 1), seed: 11 });
      const events: string[] = [];
      const off = sim.store.subscribe((e) => {
        const m = e.object['metadata'] as { namespace: string; name: string; labels?: Record<string, string>; deletionTimestamp?: string };
        const phase = (e.object['status'] as { phase?: string } | undefined)?.phase;
        events.push(`${e.type} ${m.namespace}/${m.name} ${phase ?? ''}${m.deletionTimestamp ? ' terminating' : ''}`);
      });
      sim.churn.step(60);
      off();
      await sim.close();
      return { events, stats: { ...sim.churn.stats } };
    };
    const [a, b] = [await run(), await run()];
    expect(a.events).toHaveLength(60);
    expect(a.events).toEqual(b.events);
    expect(new Set(a.events.map((e) => e.split(' ')[0]))).toEqual(new Set(['ADDED', 'MODIFIED', 'DELETED']));
    expect(a.events.some((e) => e.startsWith('ADDED') && e.endsWith('Pending'))).toBe(true);
    expect(a.events.some((e) => e.startsWith('MODIFIED') && e.endsWith('Running'))).toBe(true);
    expect(a.events.some((e) => e.endsWith('terminating'))).toBe(true);
    expect(a.stats.rollouts + a.stats.scaleUps + a.stats.scaleDowns).toBeGreaterThan(5);
  });

  it('a rollout gives new pods a new ReplicaSet hash; the rate drives the timer and stop() stops it', async () => {
    const sim = await startSimulatedCluster({ scenario: 'demo', churn: 50, seed: 5 });
    try {
      const w = await openWatch(sim.url, `/api/v1/pods?watch=true&resourceVersion=${sim.store.resourceVersion}`);
      await w.waitFor((e) => e.type === 'DELETED', 5000);
      sim.churn.stop();
      const writes = sim.churn.stats.writes;
      expect(writes).toBeGreaterThan(0);
      await new Promise((r) => setTimeout(r, 200));
      expect(sim.churn.stats.writes).toBe(writes);
      for (const p of sim.store.list('pods')) {
        const m = p['metadata'] as { name: string; labels?: Record<string, string>; ownerReferences?: { kind: string; name: string }[] };
        const owner = m.ownerReferences?.[0];
        if (owner?.kind !== 'ReplicaSet') continue;
        const hash = m.labels?.['pod-template-hash'];
        expect(owner.name.endsWith(`-${hash}`)).toBe(true);
        expect(m.name.startsWith(`${owner.name}-`)).toBe(true);
      }
      w.close();
    } finally {
      await sim.close();
    }
  });
});
