// Views kept current from engine deltas equal views computed from scratch, after every batch of
// random events; and a client applying the view deltas to the first snapshot holds the same state.
import { describe, expect, it } from 'vitest';
import type { ResourceKind, SourceEvent } from '../../server/cluster/source.ts';
import { engineState } from '../../server/live/engine-state.ts';
import { LiveEngine } from '../../server/live/live-engine.ts';
import { ViewRoom } from '../../server/socket/view-room.ts';
import { ViewModel } from '../../server/views/view-model.ts';
import { snapshotBody, stateFromBody } from '../../shared/protocol/codec.ts';
import { applyViewDelta, cellKey, viewIdOf, type ViewSpec, type ViewState } from '../../shared/protocol/view.ts';
import { Random, randomCluster } from '../support/random-cluster.ts';
import { comparable } from '../support/view-client.ts';
import { RESOURCE_KINDS } from '../../shared/model/status.ts';

type Raw = { kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; spec?: unknown };
const RESOURCE: Record<string, ResourceKind> = { Pod: 'pods', Namespace: 'namespaces', NetworkPolicy: 'networkpolicies' };
const keyOf = (o: Raw) => `${o.kind}:${o.kind === 'Namespace' ? '' : (o.metadata.namespace ?? 'default')}/${o.metadata.name}`;

function views(pool: Raw[]): ViewSpec[] {
  const namespaces = [...new Set(pool.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name))].slice(0, 2);
  const labelKey = pool.find((o) => o.kind === 'Pod' && Object.keys(o.metadata.labels ?? {}).length > 0)?.metadata.labels;
  return [
    { level: 'namespace', namespaces: 'all' },
    { level: 'workload', namespaces: 'all' },
    { level: 'pod', namespaces: 'all' },
    { level: 'pod', namespaces },
    { level: 'workload', namespaces: 'all', port: { protocol: 'TCP', port: 80 } },
    { level: 'namespace', namespaces: 'all', unprotectedOnly: true },
    ...(labelKey ? [{ level: 'pod' as const, namespaces: 'all' as const, labels: Object.keys(labelKey)[0]! }] : []),
  ];
}

/**
 * Brings every room to the engine's new state and checks it: the incremental view equals a view
 * computed from scratch, and a client applying the delta holds the room's state. Returns how many
 * cells clients recounted from pod counts (left out of the delta, protocol 2).
 */
function checkViews(live: LiveEngine, rooms: ViewRoom[], clients: ViewState[], step: string): number {
  const engineDelta = live.flush()!;
  const state = engineState(live);
  let recounted = 0;
  rooms.forEach((room, i) => {
    const where = `${step} view ${room.viewId}`;
    room.absorb(engineDelta);
    const delta = room.flush(state);
    const scratch = new ViewModel(room.viewId, room.spec, state);
    // A view's seq moves only when it changes, so a fresh view's seq may be newer.
    expect(comparable(room.model.state, { seq: false }), where).toEqual(comparable(scratch.state, { seq: false }));
    if (delta) {
      const before = new Map(clients[i]!.cells);
      const listed = new Set(delta.cells.upsert.map(([from, to]) => cellKey(from, to)));
      expect(applyViewDelta(clients[i]!, structuredClone(delta)), where).toBe(true);
      for (const [key, cell] of clients[i]!.cells) if (!listed.has(key) && before.has(key) && before.get(key) !== cell) recounted++;
    }
    expect(comparable(clients[i]!), where).toEqual(comparable(room.model.state));
  });
  return recounted;
}

/** A replica of a Deployment: owned by its ReplicaSet, with the template's labels. */
function replica(ns: string, app: string, n: number, extra: Record<string, string> = {}): Raw {
  const hash = `${app}hash`;
  return {
    kind: 'Pod',
    metadata: {
      name: `${app}-${hash}-${n}`,
      namespace: ns,
      labels: { app, 'pod-template-hash': hash, ...extra },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${app}-${hash}`, controller: true, uid: `rs-${app}` }],
    } as Raw['metadata'],
    spec: { containers: [{ name: 'main', ports: [{ containerPort: 8080, name: 'http' }] }] },
    status: { phase: 'Running', podIP: `10.1.${n % 250}.${app.length}` },
  } as Raw;
}

const statusEvent = (resource: ResourceKind, state: 'synced' | 'forbidden'): SourceEvent => ({ type: 'status', resource, status: { state, syncedOnce: true } });

describe('views follow the live engine exactly', () => {
  it('incremental view = view from scratch, and snapshot + deltas = current state, over 60 random sequences', () => {
    // Cells a client recounted from its nodes' pod counts (left out of the delta, protocol 2).
    let recounted = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const r = new Random(seed * 104729);
      const pool = randomCluster(seed) as Raw[];
      const variants = randomCluster(seed + 200_000) as Raw[];
      const live = new LiveEngine({ analysis: { ipBlockMatchesPods: seed % 2 === 0 } });
      for (const res of RESOURCE_KINDS) live.apply(statusEvent(res, 'synced'));
      live.flush();
      const specs = views(pool);
      const rooms = specs.map((v) => new ViewRoom(viewIdOf(v), v, engineState(live), () => 'test'));
      const clients: ViewState[] = rooms.map((room) => stateFromBody(structuredClone(snapshotBody(room.model.state, 'test'))));
      const raw = new Map<string, Raw>();
      let forbidden = false;

      for (let step = 0; step < 30; step++) {
        const n = 1 + r.int(0, 2);
        for (let k = 0; k < n; k++) {
          const roll = r.float();
          const present = [...raw.values()];
          if (roll < 0.45 || present.length === 0) {
            const o = structuredClone(r.pick(pool));
            raw.set(keyOf(o), o);
            live.apply({ type: 'upsert', resource: RESOURCE[o.kind]!, object: o });
          } else if (roll < 0.62) {
            const o = r.pick(present);
            raw.delete(keyOf(o));
            live.apply({ type: 'delete', resource: RESOURCE[o.kind]!, object: o });
          } else if (roll < 0.96) {
            const o = structuredClone(r.pick(present));
            if (o.kind === 'NetworkPolicy') o.spec = structuredClone(r.pick(variants.filter((v) => v.kind === 'NetworkPolicy').concat([o])).spec);
            else o.metadata.labels = structuredClone(r.pick([...pool, ...variants].filter((v) => v.kind === o.kind)).metadata.labels ?? {});
            raw.set(keyOf(o), o);
            live.apply({ type: 'upsert', resource: RESOURCE[o.kind]!, object: o });
          } else {
            forbidden = !forbidden;
            live.apply(statusEvent('networkpolicies', forbidden ? 'forbidden' : 'synced'));
          }
        }
        recounted += checkViews(live, rooms, clients, `seed ${seed} step ${step}`);
      }
      live.stop();
    }
    expect(recounted).toBeGreaterThan(100);
  }, 120_000);

  it('workloads scaling up and down (pods among the same keys) keep views exact, recounted instead of recomputed', () => {
    const r = new Random(77);
    const apps: [string, string][] = [
      ['shop', 'web'],
      ['shop', 'api'],
      ['shop', 'worker'],
      ['data', 'db'],
      ['data', 'cache'],
    ];
    const objects: { resource: ResourceKind; object: unknown }[] = [
      { resource: 'namespaces', object: { kind: 'Namespace', metadata: { name: 'shop', labels: { team: 'shop' } } } },
      { resource: 'namespaces', object: { kind: 'Namespace', metadata: { name: 'data', labels: { team: 'data' } } } },
      // shop: web may reach api on 8080, nothing else reaches shop; data: db from shop's api only.
      { resource: 'networkpolicies', object: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny', namespace: 'shop' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } } },
      { resource: 'networkpolicies', object: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'api', namespace: 'shop' }, spec: { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 'http' }] }] } } },
      { resource: 'networkpolicies', object: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'db', namespace: 'data' }, spec: { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'shop' } }, podSelector: { matchLabels: { app: 'api' } } }] }] } } },
    ];
    const live = new LiveEngine({ analysis: { ipBlockMatchesPods: true } });
    for (const res of RESOURCE_KINDS) live.apply(statusEvent(res, 'synced'));
    for (const o of objects) live.apply({ type: 'upsert', ...o });
    const replicas = new Map<string, number[]>(apps.map(([, app]) => [app, []]));
    let next = 0;
    for (const [ns, app] of apps) {
      for (let k = 0; k < 3; k++) {
        replicas.get(app)!.push(next);
        live.apply({ type: 'upsert', resource: 'pods', object: replica(ns, app, next++) });
      }
    }
    live.flush();
    const specs: ViewSpec[] = [
      { level: 'workload', namespaces: 'all' },
      { level: 'namespace', namespaces: 'all' },
      { level: 'workload', namespaces: 'all', port: { protocol: 'TCP', port: 8080 } },
      { level: 'workload', namespaces: 'all', unprotectedOnly: true },
    ];
    const rooms = specs.map((v) => new ViewRoom(viewIdOf(v), v, engineState(live), () => 'test'));
    const clients: ViewState[] = rooms.map((room) => stateFromBody(structuredClone(snapshotBody(room.model.state, 'test'))));
    let recounted = 0;
    for (let step = 0; step < 150; step++) {
      const [ns, app] = r.pick(apps);
      const list = replicas.get(app)!;
      const roll = r.float();
      if (roll < 0.5 || list.length === 0) {
        list.push(next);
        // Now and then a replica with a label of its own: new keys, its row and column in full.
        live.apply({ type: 'upsert', resource: 'pods', object: replica(ns, app, next++, r.chance(0.1) ? { canary: 'yes' } : {}) });
      } else {
        const n = list.splice(r.int(0, list.length - 1), 1)[0]!;
        live.apply({ type: 'delete', resource: 'pods', object: replica(ns, app, n) });
      }
      recounted += checkViews(live, rooms, clients, `scaling step ${step}`);
    }
    live.stop();
    expect(recounted).toBeGreaterThan(100);
  });
});
