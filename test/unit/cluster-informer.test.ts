// InformerSource against a tiny fake API server (test/unit/cluster-fake-api.ts): events, status
// transitions, restarts. The full fault matrix against the simulated cluster is in
// test/integration/informer-source.test.ts.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InformerSource } from '../../server/cluster/informer-source.ts';
import type { InformerSourceOptions } from '../../server/cluster/informer-source.ts';
import type { ResourceKind } from '../../server/cluster/source.ts';
import { Collector, sleep, until } from './cluster-collector.ts';
import { FakeApi, namespace, pod, policy } from './cluster-fake-api.ts';

let api: FakeApi;
let source: InformerSource | undefined;
const logs: string[] = [];

const FAST: Partial<InformerSourceOptions> = {
  stallTimeoutMs: 800,
  backoff: { initialMs: 50, maxMs: 400 },
  rapidEndMs: 300,
  healthyAfterMs: 2000,
  watchTimeoutSeconds: 0,
};

beforeEach(async () => {
  api = new FakeApi();
  await api.listen();
  logs.length = 0;
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

function synced(c: Collector, ...resources: ResourceKind[]): () => boolean {
  return () => (resources.length ? resources : (['pods', 'namespaces', 'networkpolicies'] as const)).every((r) => c.latest(r)?.state === 'synced');
}

function seed(): void {
  api.apply('namespaces', namespace('shop', { team: 'a' }));
  api.apply('namespaces', namespace('db'));
  api.apply('pods', pod('shop', 'web', { app: 'web' }, '10.0.0.1'));
  api.apply('pods', pod('db', 'pg', { app: 'pg' }, '10.0.0.2'));
  api.apply('networkpolicies', policy('db', 'allow-web', { app: 'web' }));
}

describe('InformerSource (fake API server)', () => {
  it('lists, then delivers add / modify / delete of each kind as plain API JSON', async () => {
    seed();
    const c = await startSource();
    await until('synced', synced(c));
    expect(c.names('pods')).toEqual(['db/pg', 'shop/web']);
    expect(c.names('namespaces')).toEqual(['db', 'shop']);
    expect(c.names('networkpolicies')).toEqual(['db/allow-web']);
    expect(c.states('pods')).toEqual(['syncing', 'synced']);
    expect(c.latest('pods')?.syncedOnce).toBe(true);

    // From the list: kind/apiVersion filled in, `from` (not client-node's `_from`), timestamps as the API writes them.
    const listed = c.objects.networkpolicies.get('db/allow-web')!;
    expect(listed['kind']).toBe('NetworkPolicy');
    expect(listed['apiVersion']).toBe('networking.k8s.io/v1');
    expect(JSON.stringify(listed)).not.toContain('_from');
    expect((listed['spec'] as { ingress: unknown[] }).ingress).toEqual([
      { from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 80, protocol: 'TCP' }, { port: 'http' }] },
    ]);
    expect((listed['metadata'] as Record<string, unknown>)['creationTimestamp']).toBe('2024-05-01T10:00:00Z');

    api.apply('pods', pod('shop', 'api', { app: 'api' }));
    api.apply('pods', pod('shop', 'web', { app: 'web', v: '2' }));
    api.remove('pods', 'db', 'pg');
    api.apply('namespaces', namespace('shop', { team: 'b' }));
    api.remove('namespaces', undefined, 'db');
    api.apply('networkpolicies', policy('db', 'allow-web', { app: 'api' }));
    api.apply('networkpolicies', policy('shop', 'p2', { app: 'x' }));
    api.remove('networkpolicies', 'db', 'allow-web');
    await until('watch events', () => c.names('pods').join() === 'shop/api,shop/web' && c.names('networkpolicies').join() === 'shop/p2');
    expect(c.names('namespaces')).toEqual(['shop']);
    expect(((c.objects.pods.get('shop/web')!['metadata'] as Record<string, unknown>)['labels'] as Record<string, string>)['v']).toBe('2');
    expect(((c.objects.namespaces.get('shop')!['metadata'] as Record<string, unknown>)['labels'] as Record<string, string>)['team']).toBe('b');

    // From a watch event: the same shape as from the list.
    const watched = c.objects.networkpolicies.get('shop/p2')!;
    expect(Object.keys(watched).slice(0, 2)).toEqual(['apiVersion', 'kind']);
    expect(JSON.stringify(watched)).not.toContain('_from');
    expect(c.strayDeletes).toEqual([]);
    // Bookmarks are asked for, and 1.4.0's missing timeoutSeconds stays missing when disabled.
    const watch = api.requests.find((r) => r.verb === 'watch')!;
    expect(watch.query.get('allowWatchBookmarks')).toBe('true');
    expect(watch.query.has('timeoutSeconds')).toBe(false);
  });

  it('restarts after a dropped socket (reconnecting -> synced) and catches up from the resourceVersion', async () => {
    seed();
    const c = await startSource();
    await until('synced', synced(c));
    const lists = api.count('pods', 'list');
    expect(api.dropWatches('pods')).toBe(1);
    api.apply('pods', pod('shop', 'late', { app: 'late' }));
    await until('reconnecting', () => c.states('pods').includes('reconnecting'));
    await until('synced again', () => c.latest('pods')?.state === 'synced' && c.objects.pods.has('shop/late'));
    expect(c.latest('pods')?.lastError).toBeUndefined();
    expect(api.count('pods', 'list')).toBe(lists); // resumed from the resourceVersion, no relist
    expect(c.states('namespaces')).toEqual(['syncing', 'synced']);
  });

  it('relists after 410 and turns objects missing from the new list into deletes', async () => {
    seed();
    const c = await startSource();
    await until('synced', synced(c));
    api.dropWatches('pods');
    api.remove('pods', 'db', 'pg');
    api.apply('pods', pod('shop', 'new'));
    api.compact(); // the watch from the old resourceVersion now gets 410
    await until('relisted', () => c.names('pods').join() === 'shop/new,shop/web', 5000);
    expect(api.count('pods', 'list')).toBe(2);
    const deletes = c.events.filter((e) => e.type === 'delete' && e.resource === 'pods');
    expect(deletes.map((e) => ((e as { object: unknown }).object as { metadata: { name: string } }).metadata.name)).toEqual(['pg']);
    expect(c.strayDeletes).toEqual([]);
  });

  it('relists after an ERROR 410 event', async () => {
    seed();
    const c = await startSource();
    await until('synced', synced(c));
    api.sendError410('networkpolicies');
    await until('relisted', () => api.count('networkpolicies', 'list') === 2);
    await until('synced', synced(c, 'networkpolicies'));
    expect(c.states('networkpolicies')).toEqual(['syncing', 'synced']);
  });

  it('403 on list: forbidden (with lastError), retried with backoff, then synced', async () => {
    seed();
    api.listStatus.set('networkpolicies', 403);
    const c = await startSource();
    await until('forbidden', () => c.latest('networkpolicies')?.state === 'forbidden');
    expect(c.latest('networkpolicies')?.lastError).toMatch(/^403 Forbidden: networkpolicies answered 403/);
    expect(c.latest('networkpolicies')?.syncedOnce).toBe(false);
    await until('synced others', synced(c, 'pods', 'namespaces'));
    await sleep(600);
    const tries = api.count('networkpolicies', 'list');
    expect(tries).toBeGreaterThanOrEqual(3); // 50, 100, 200, 400 ms ...
    expect(tries).toBeLessThan(10);
    // One status event for the repeated identical 403s.
    expect(c.states('networkpolicies')).toEqual(['syncing', 'forbidden']);
    api.listStatus.delete('networkpolicies');
    await until('synced', synced(c, 'networkpolicies'), 3000);
    expect(c.names('networkpolicies')).toEqual(['db/allow-web']);
  });

  it('500 on a list: error, then synced on the retry', async () => {
    seed();
    api.listStatusOnce.set('pods', [500, 500]);
    const c = await startSource();
    await until('synced', synced(c));
    expect(c.states('pods')).toEqual(['syncing', 'error', 'synced']);
    expect(api.count('pods', 'list')).toBe(3);
    expect(logs.some((l) => l.includes('500'))).toBe(true);
  });

  it('detects a stalled watch and restarts it', async () => {
    seed();
    api.watchMode.set('pods', 'stall');
    const c = await startSource({ stallTimeoutMs: 300 });
    // The headers came (synced), then nothing: stalled -> reconnecting, again and again.
    await until('reconnecting after the stall', () => c.latest('pods')?.state === 'reconnecting');
    expect(c.latest('pods')?.lastError).toMatch(/stalled: no event or bookmark for 300 ms/);
    await sleep(700);
    expect(api.count('pods', 'watch')).toBeGreaterThanOrEqual(2);
    api.watchMode.delete('pods');
    await until('synced', synced(c, 'pods'), 3000);
    api.apply('pods', pod('shop', 'after'));
    await until('events flow', () => c.objects.pods.has('shop/after'));
  });

  it('backs off when every watch is closed at once (flapping)', async () => {
    seed();
    const c = await startSource();
    await until('synced', synced(c));
    const before = api.count('pods', 'watch');
    api.watchMode.set('pods', 'flap');
    api.endWatches('pods');
    await sleep(1500);
    const during = api.count('pods', 'watch') - before;
    // 50 ms doubling to 400 ms: about 1 + 1 + 1500/avg(backoff) requests, not hundreds.
    expect(during).toBeLessThan(12);
    expect(during).toBeGreaterThanOrEqual(3);
    expect(c.latest('pods')?.state).toBe('reconnecting');
    api.watchMode.delete('pods');
    api.apply('pods', pod('shop', 'after-flap'));
    await until('synced', () => c.latest('pods')?.state === 'synced' && c.objects.pods.has('shop/after-flap'), 3000);
  });

  it('skips lines it cannot use and goes on', async () => {
    seed();
    const c = await startSource();
    await until('synced', synced(c));
    api.writeRaw('pods', 'not json');
    api.writeRaw('pods', JSON.stringify({ type: 'ADDED', object: { kind: 'Pod' } }));
    api.writeRaw('pods', JSON.stringify({ type: 'ADDED' }));
    api.apply('pods', pod('shop', 'after-garbage'));
    await until('events flow', () => c.objects.pods.has('shop/after-garbage'));
    expect(c.latest('pods')?.state).toBe('synced');
    expect(logs.filter((l) => l.includes('skipped'))).toHaveLength(2);
    expect(api.count('pods', 'watch')).toBe(1);
  });

  it('abandons a list that does not answer, and retries it', async () => {
    seed();
    api.listHang.add('namespaces');
    const c = await startSource({ listTimeoutMs: 200 });
    await until('error', () => c.latest('namespaces')?.state === 'error');
    expect(c.latest('namespaces')?.lastError).toBe('list did not answer within 200 ms');
    await until('the abandoned request is closed', () => api.hung[0]?.destroyed === true || api.hung[0]?.closed === true, 2000);
    api.listHang.delete('namespaces');
    await until('synced', synced(c), 3000);
    expect(c.names('namespaces')).toEqual(['db', 'shop']);
  });

  it('stop() closes a list in flight', async () => {
    api.listHang.add('pods');
    const c = await startSource();
    await until('list sent', () => api.hung.length === 1);
    await source!.stop();
    await until('closed', () => api.hung[0]!.closed, 2000);
    expect(c.latest('pods')?.state).toBe('syncing');
    expect(logs).toEqual([]);
  });

  it('an object deleted and created again under the same name (new uid) is a delete, then an upsert', async () => {
    seed();
    const c = await startSource();
    await until('synced', synced(c));
    const oldUid = (c.objects.pods.get('shop/web')!['metadata'] as { uid: string }).uid;
    api.dropWatches('pods');
    api.remove('pods', 'shop', 'web');
    api.apply('pods', pod('shop', 'web', { app: 'web', generation: '2' }));
    api.compact();
    await until('relisted', () => api.count('pods', 'list') === 2 && c.latest('pods')?.state === 'synced');
    await until('new pod', () => (c.objects.pods.get('shop/web')?.['metadata'] as { uid: string } | undefined)?.uid !== oldUid);
    const tail = c.events.filter((e) => e.type !== 'status' && e.resource === 'pods').slice(-2);
    expect(tail.map((e) => e.type)).toEqual(['delete', 'upsert']);
    expect((tail[0] as { object: { metadata: { uid: string; name: string } } }).object.metadata).toEqual({ name: 'web', namespace: 'shop', uid: oldUid });
  });

  it('stop(): no restart, no event afterwards, no open request left', async () => {
    seed();
    const c = await startSource();
    await until('synced', synced(c));
    const count = c.events.length;
    const requests = api.requests.length;
    await source!.stop();
    api.apply('pods', pod('shop', 'ignored'));
    await sleep(300);
    expect(c.events.length).toBe(count);
    expect(api.requests.length).toBe(requests);
    expect(logs).toEqual([]);
  });

  it('watches pods and networkpolicies per namespace when namespaces are given', async () => {
    seed();
    api.apply('pods', pod('other', 'x'));
    const c = await startSource({ namespaces: ['shop', 'db'] });
    await until('synced', () => c.latest('pods', 'shop')?.state === 'synced' && c.latest('networkpolicies', 'db')?.state === 'synced' && c.latest('pods', 'db')?.state === 'synced');
    expect(c.names('pods')).toEqual(['db/pg', 'shop/web']);
    expect(source!.status().pods.map((s) => s.namespace)).toEqual(['shop', 'db']);
    expect(source!.status().namespaces).toHaveLength(1);
    expect(api.requests.filter((r) => r.resource === 'pods').every((r) => r.namespace !== undefined)).toBe(true);
  });
});
