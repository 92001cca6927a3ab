// The admin policy resources in InformerSource, against the fake API server: watched when API
// discovery serves them, `not-installed` (known, empty, not an error) when it does not, picked up
// when the CRDs are installed later, dropped when they are removed, and forbidden = unknown.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InformerSource } from '../../server/cluster/informer-source.ts';
import type { InformerSourceOptions } from '../../server/cluster/informer-source.ts';
import { statusKnown } from '../../server/cluster/source.ts';
import { Collector, sleep, until } from './cluster-collector.ts';
import { FakeApi, adminPolicy, namespace, pod } from './cluster-fake-api.ts';

let api: FakeApi;
let source: InformerSource | undefined;
const logs: string[] = [];

const FAST: Partial<InformerSourceOptions> = {
  stallTimeoutMs: 800,
  backoff: { initialMs: 50, maxMs: 400 },
  rapidEndMs: 300,
  healthyAfterMs: 2000,
  watchTimeoutSeconds: 0,
  adminDiscoveryIntervalMs: 300,
};

beforeEach(async () => {
  api = new FakeApi();
  await api.listen();
  logs.length = 0;
  api.apply('namespaces', namespace('shop'));
  api.apply('pods', pod('shop', 'web', { app: 'web' }));
});

afterEach(async () => {
  await source?.stop();
  source = undefined;
  await api.close();
});

async function startSource(options: Partial<InformerSourceOptions> = {}): Promise<Collector> {
  const collector = new Collector();
  source = new InformerSource({ kubeConfig: api.kubeConfig(), log: (m) => logs.push(m), ...FAST, ...options });
  await source.start(collector.listener);
  return collector;
}

const adminState = (c: Collector) => [c.latest('adminnetworkpolicies')?.state, c.latest('baselineadminnetworkpolicies')?.state];

describe('admin policy resources (policy.networking.k8s.io/v1alpha1)', () => {
  it('not installed: both report not-installed (known, no error), nothing is listed, and discovery is asked again', async () => {
    const c = await startSource();
    await until('not-installed', () => adminState(c).every((s) => s === 'not-installed'));
    expect(c.states('adminnetworkpolicies')).toEqual(['syncing', 'not-installed']);
    const status = c.latest('adminnetworkpolicies')!;
    expect(status).toEqual({ state: 'not-installed', syncedOnce: true });
    expect(statusKnown(status)).toBe(true);
    expect(api.count('adminnetworkpolicies', 'list') + api.count('baselineadminnetworkpolicies', 'list')).toBe(0);
    expect(logs.filter((l) => /admin|policy\.networking/.test(l))).toEqual([]);
    const asked = api.discoveries;
    await until('asked again', () => api.discoveries >= asked + 2, 3000);
    // No repeated status events while nothing changes.
    expect(c.states('adminnetworkpolicies')).toEqual(['syncing', 'not-installed']);
    expect(source!.status().adminnetworkpolicies).toEqual([{ state: 'not-installed', syncedOnce: true }]);
  });

  it('installed: listed and watched cluster-wide, objects delivered as API JSON', async () => {
    api.servesAdmin = true;
    api.apply('adminnetworkpolicies', adminPolicy('deny-ci', 20, 'Deny', 'ci'));
    const c = await startSource();
    await until('synced', () => adminState(c).every((s) => s === 'synced'));
    const listed = c.objects.adminnetworkpolicies.get('deny-ci')!;
    expect(listed).toMatchObject({ apiVersion: 'policy.networking.k8s.io/v1alpha1', kind: 'AdminNetworkPolicy', spec: { priority: 20 } });
    api.apply('baselineadminnetworkpolicies', { metadata: { name: 'default' }, spec: { subject: { namespaces: {} }, ingress: [] } });
    api.remove('adminnetworkpolicies', undefined, 'deny-ci');
    await until('watch events', () => c.names('baselineadminnetworkpolicies').join() === 'default' && c.names('adminnetworkpolicies').length === 0);
    expect(c.objects.baselineadminnetworkpolicies.get('default')).toMatchObject({ kind: 'BaselineAdminNetworkPolicy' });
  });

  it('installed later: picked up by the next discovery; removed: dropped, not-installed again', async () => {
    const c = await startSource();
    await until('not-installed', () => adminState(c).every((s) => s === 'not-installed'));
    api.servesAdmin = true;
    api.apply('adminnetworkpolicies', adminPolicy('allow-mon', 10, 'Allow', 'monitoring'));
    await until('synced after install', () => adminState(c).every((s) => s === 'synced') && c.names('adminnetworkpolicies').join() === 'allow-mon', 3000);
    // Between the install and the first list it was unknown (syncing, never listed by this watcher).
    const history = c.statuses.filter((s) => s.resource === 'adminnetworkpolicies').map((s) => `${s.status.state}/${s.status.syncedOnce}`);
    expect(history).toEqual(['syncing/false', 'not-installed/true', 'syncing/false', 'synced/true']);

    api.servesAdmin = false;
    api.dropWatches('adminnetworkpolicies');
    api.dropWatches('baselineadminnetworkpolicies');
    await until('not-installed after removal', () => adminState(c).every((s) => s === 'not-installed'), 3000);
    const lists = api.count('adminnetworkpolicies', 'list');
    await sleep(600);
    expect(api.count('adminnetworkpolicies', 'list')).toBe(lists);
    expect(logs.some((l) => l.includes('no longer served'))).toBe(true);
  });

  it('a removal is noticed through the failing watcher, long before the next periodic discovery', async () => {
    api.servesAdmin = true;
    const c = await startSource({ adminDiscoveryIntervalMs: 60_000 });
    await until('synced', () => adminState(c).every((s) => s === 'synced'));
    const asked = api.discoveries;
    api.servesAdmin = false;
    api.dropWatches('adminnetworkpolicies');
    // The watcher's next request answers 404: discovery is asked again (at most every 5 s), not in a minute.
    await until('not-installed', () => c.latest('adminnetworkpolicies')?.state === 'not-installed', 8000);
    expect(api.discoveries).toBe(asked + 1);
  });

  it('discovery forbidden: forbidden (unknown), retried; once answered, not-installed', async () => {
    api.discoveryStatus = 403;
    const c = await startSource();
    await until('forbidden', () => adminState(c).every((s) => s === 'forbidden'));
    const status = c.latest('adminnetworkpolicies')!;
    expect(status.syncedOnce).toBe(false);
    expect(status.lastError).toMatch(/^discovery of policy\.networking\.k8s\.io\/v1alpha1: 403 Forbidden/);
    expect(statusKnown(status)).toBe(false);
    const asked = api.discoveries;
    await until('retried', () => api.discoveries > asked, 3000);
    api.discoveryStatus = undefined;
    await until('not-installed', () => adminState(c).every((s) => s === 'not-installed'), 3000);
  });

  it('listing forbidden while served: forbidden from the watcher, with backoff (no tight loop)', async () => {
    api.servesAdmin = true;
    api.listStatus.set('adminnetworkpolicies', 403);
    const c = await startSource();
    await until('forbidden', () => c.latest('adminnetworkpolicies')?.state === 'forbidden');
    await until('baseline synced', () => c.latest('baselineadminnetworkpolicies')?.state === 'synced');
    const before = api.count('adminnetworkpolicies', 'list');
    await sleep(1000);
    // Backoff 50 ms doubling to 400 ms: a handful of tries per second, not hundreds.
    expect(api.count('adminnetworkpolicies', 'list') - before).toBeLessThan(8);
    expect(c.latest('adminnetworkpolicies')!.syncedOnce).toBe(false);
    api.listStatus.delete('adminnetworkpolicies');
    await until('synced', () => c.latest('adminnetworkpolicies')?.state === 'synced', 3000);
  });

  it('watching a namespace list: the admin resources are still watched cluster-wide', async () => {
    api.servesAdmin = true;
    api.apply('adminnetworkpolicies', adminPolicy('deny-ci', 20, 'Deny', 'ci'));
    const c = await startSource({ namespaces: ['shop'] });
    await until('synced', () => adminState(c).every((s) => s === 'synced') && c.latest('pods', 'shop')?.state === 'synced');
    expect(c.names('adminnetworkpolicies')).toEqual(['deny-ci']);
    expect(api.requests.filter((r) => r.resource === 'adminnetworkpolicies').every((r) => r.namespace === undefined)).toBe(true);
  });

  it('stop(): no discovery, list or event afterwards', async () => {
    api.servesAdmin = true;
    const c = await startSource();
    await until('synced', () => adminState(c).every((s) => s === 'synced'));
    await source!.stop();
    const events = c.events.length;
    const asked = api.discoveries;
    const requests = api.requests.length;
    api.servesAdmin = false;
    await sleep(700);
    expect(c.events.length).toBe(events);
    expect(api.discoveries).toBe(asked);
    expect(api.requests.length).toBe(requests);
  });
});
