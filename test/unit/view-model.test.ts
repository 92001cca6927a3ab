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
        const engineDelta = live.flush()!;
        const state = engineState(live);
        rooms.forEach((room, i) => {
          const where = `seed ${seed} step ${step} view ${room.viewId}`;
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
      }
      live.stop();
    }
    expect(recounted).toBeGreaterThan(100);
  }, 120_000);
});
