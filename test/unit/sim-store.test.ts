import { describe, expect, it } from 'vitest';
import { Store } from '../../server/sim/store.ts';
import type { StoreEvent } from '../../server/sim/store.ts';
import type { ApiError } from '../../server/sim/status.ts';
import { humanDuration } from '../../server/sim/table.ts';

function setup(historyLimit?: number) {
  const store = new Store({ now: () => Date.UTC(2025, 0, 1), ...(historyLimit === undefined ? {} : { historyLimit }) });
  store.load([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' } }]);
  const events: StoreEvent[] = [];
  store.subscribe((e) => events.push(e));
  return { store, events };
}

const np = (name: string, port = 80) => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name, namespace: 'a' },
  spec: { podSelector: {}, ingress: [{ ports: [{ port }] }] },
});

const rv = (o: Record<string, unknown>) => (o['metadata'] as { resourceVersion: string }).resourceVersion;

describe('Store', () => {
  it('one global resourceVersion counter, as strings, increasing with every change', () => {
    const { store, events } = setup();
    const start = Number(store.resourceVersion);
    const a = store.create('networkpolicies', np('x'), { namespace: 'a' });
    const b = store.update('networkpolicies', { ...a, spec: { podSelector: {} } }, { namespace: 'a', name: 'x' });
    store.delete('networkpolicies', 'a', 'x');
    expect(events.map((e) => [e.type, e.rv])).toEqual([['ADDED', start + 1], ['MODIFIED', start + 2], ['DELETED', start + 3]]);
    expect([rv(a), rv(b)]).toEqual([String(start + 1), String(start + 2)]);
    expect(store.resourceVersion).toBe(String(start + 3));
  });

  it('an update that changes nothing makes no event and keeps the resourceVersion', () => {
    const { store, events } = setup();
    const a = store.create('networkpolicies', np('x'), { namespace: 'a' });
    const same = store.update('networkpolicies', structuredClone(a), { namespace: 'a', name: 'x' });
    expect(rv(same)).toBe(rv(a));
    expect(events).toHaveLength(1);
  });

  it('replays the events after an RV; compaction (explicit or by the history limit) expires older RVs', () => {
    const { store } = setup(10);
    const floor = Number(store.compactedResourceVersion);
    expect(store.eventsAfter(floor)).toEqual([]);
    expect(store.eventsAfter(floor - 1)).toBeUndefined();
    for (let i = 0; i < 8; i++) store.create('networkpolicies', np(`p${i}`), { namespace: 'a' });
    expect(store.eventsAfter(floor + 5)!.map((e) => e.rv)).toEqual([floor + 6, floor + 7, floor + 8]);
    for (let i = 8; i < 12; i++) store.create('networkpolicies', np(`p${i}`), { namespace: 'a' });
    // 12 events > limit 10: the oldest are dropped and the floor rises with them.
    expect(Number(store.compactedResourceVersion)).toBeGreaterThan(floor);
    expect(store.eventsAfter(floor)).toBeUndefined();
    const kept = store.eventsAfter(Number(store.compactedResourceVersion))!;
    expect(kept.at(-1)!.rv).toBe(Number(store.resourceVersion));
    store.compact();
    expect(store.compactedResourceVersion).toBe(store.resourceVersion);
    expect(store.eventsAfter(Number(store.resourceVersion) - 1)).toBeUndefined();
  });

  it('namespaces: the metadata.name label; deleting one marks it Terminating, deletes its objects, then itself', () => {
    const { store, events } = setup();
    const ns = store.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'b', labels: { team: 'x' } } });
    expect((ns['metadata'] as { labels: Record<string, string> }).labels).toEqual({ team: 'x', 'kubernetes.io/metadata.name': 'b' });
    store.create('networkpolicies', { ...np('in-b'), metadata: { name: 'in-b', namespace: 'b' } });
    events.length = 0;
    store.delete('namespaces', undefined, 'b');
    expect(events.map((e) => `${e.type} ${e.resource} ${String((e.object['metadata'] as { name: string }).name)}`)).toEqual([
      'MODIFIED namespaces b',
      'DELETED networkpolicies in-b',
      'DELETED namespaces b',
    ]);
    expect((events[0]!.object['status'] as { phase: string }).phase).toBe('Terminating');
  });

  it('generation starts at 1 and grows on spec changes only; uid and creationTimestamp are kept', () => {
    const { store } = setup();
    const a = store.create('networkpolicies', np('x'), { namespace: 'a' });
    const labelled = store.update('networkpolicies', { ...a, metadata: { ...(a['metadata'] as object), labels: { l: '1' } } }, { namespace: 'a', name: 'x' });
    expect((labelled['metadata'] as { generation: number }).generation).toBe(1);
    const changed = store.update('networkpolicies', { ...labelled, spec: { podSelector: {}, ingress: [] }, metadata: { ...(labelled['metadata'] as object), uid: 'forged' } }, { namespace: 'a', name: 'x' });
    expect(changed['metadata']).toMatchObject({ generation: 2, uid: (a['metadata'] as { uid: string }).uid, creationTimestamp: '2025-01-01T00:00:00Z' });
  });

  it('errors are ApiErrors with the Kubernetes codes', () => {
    const { store } = setup();
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        return (err as ApiError).code;
      }
      return 0;
    };
    store.create('networkpolicies', np('x'), { namespace: 'a' });
    expect(code(() => store.create('networkpolicies', np('x'), { namespace: 'a' }))).toBe(409);
    expect(code(() => store.create('networkpolicies', { ...np('x'), metadata: { name: 'x' } }, { namespace: 'zzz' }))).toBe(404);
    expect(code(() => store.create('networkpolicies', np('y'), { namespace: 'zzz' }))).toBe(400);
    expect(code(() => store.update('networkpolicies', { ...np('x'), metadata: { name: 'x', namespace: 'a', resourceVersion: '1' } }, { namespace: 'a', name: 'x' }))).toBe(409);
    expect(code(() => store.update('networkpolicies', np('nope'), { namespace: 'a', name: 'nope' }))).toBe(404);
    expect(code(() => store.create('networkpolicies', { ...np('x'), metadata: { namespace: 'a' } }, { namespace: 'a' }))).toBe(422);
    expect(code(() => store.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'Bad_Name' } }))).toBe(422);
    expect(code(() => store.create('baselineadminnetworkpolicies', { apiVersion: 'policy.networking.k8s.io/v1alpha1', kind: 'BaselineAdminNetworkPolicy', metadata: { name: 'not-default' }, spec: { subject: { namespaces: {} } } }))).toBe(422);
  });

  it('generateName gets a random suffix', () => {
    const { store } = setup();
    const p = store.create('networkpolicies', { ...np('x'), metadata: { generateName: 'gen-', namespace: 'a' } });
    expect((p['metadata'] as { name: string }).name).toMatch(/^gen-[a-z0-9]{5}$/);
  });
});

describe('humanDuration (kubectl AGE)', () => {
  it.each([
    [5_000, '5s'],
    [119_000, '119s'],
    [150_000, '2m30s'],
    [600_000, '10m'],
    [3 * 3600_000 + 5 * 60_000, '3h5m'],
    [30 * 3600_000, '30h'],
    [3 * 86_400_000 + 4 * 3600_000, '3d4h'],
    [100 * 86_400_000, '100d'],
    [3 * 365 * 86_400_000, '3y'],
  ])('%d ms = %s', (ms, text) => {
    expect(humanDuration(ms)).toBe(text);
  });
});
