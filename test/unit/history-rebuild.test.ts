// The history store rebuilds every past instant exactly as the live engine showed it: random
// event sequences (valid and invalid objects, objects that lose their uid, stale deletes, admin
// policies, every sync state including `not-installed`) go through a LiveEngine batch by batch,
// as the server runs it, and into the store; then every instant is rebuilt from the store
// (checkpoints every few events, in order and out of order) and its snapshot document compared
// with the one the live engine gave at that instant.
import { describe, expect, it } from 'vitest';
import type { Group } from '../../shared/matrix/matrix.ts';
import { RESOURCE_KINDS, type ResourceKind, type ResourceState, type SourceEvent } from '../../server/cluster/source.ts';
import { HistoryStore } from '../../server/history/history-store.ts';
import type { NotRebuilt } from '../../server/history/history-reader.ts';
import { pastSnapshot, type PastInstant } from '../../server/history/rebuild.ts';
import { LiveEngine } from '../../server/live/live-engine.ts';
import { liveSnapshot, type LiveSnapshot } from '../../server/live/snapshot.ts';
import { Random, randomCluster } from '../support/random-cluster.ts';

type Raw = { kind: string; metadata: Record<string, unknown>; spec?: unknown; [k: string]: unknown };

const RESOURCE: Record<string, ResourceKind> = {
  Pod: 'pods',
  Namespace: 'namespaces',
  NetworkPolicy: 'networkpolicies',
  AdminNetworkPolicy: 'adminnetworkpolicies',
  BaselineAdminNetworkPolicy: 'baselineadminnetworkpolicies',
};
const GROUPS: Group[] = ['pod', 'namespace'];
const SOURCE = 'test cluster';

/** An object made invalid or odd in a way the loader reports (a diagnostic), or not loadable at all. */
function spoil(r: Random, o: Raw): Raw {
  const copy = structuredClone(o);
  const meta = copy.metadata;
  switch (r.int(0, 3)) {
    case 0:
      meta['labels'] = { ...((meta['labels'] as object) ?? {}), broken: 5 };
      break;
    case 1:
      copy.spec = 'not a map';
      break;
    case 2:
      if (copy.kind === 'Pod') copy.spec = { containers: [{ name: 'c', ports: [{ containerPort: 'eighty' }] }] };
      else meta['ownerReferences'] = [{ controller: true, kind: 'X' }];
      break;
    default:
      meta['name'] = `${String(meta['name'])}/slash`;
  }
  return copy;
}

interface Instant {
  t: number;
  docs: Map<Group, unknown>;
}

const comparable = (s: LiveSnapshot) => {
  const { generatedAt: _g, ...rest } = s;
  return rest;
};

function runSequence(seed: number): { store: HistoryStore; instants: Instant[]; clock: { now: number } } {
  const r = new Random(seed * 104729);
  const pool = [...(randomCluster(seed, { admin: true }) as Raw[]), ...(randomCluster(seed + 50_000, { admin: true }) as Raw[])];
  const clock = { now: 1_700_000_000_000 + seed * 1000 };
  const store = HistoryStore.open({
    path: ':memory:',
    retentionMs: 30 * 86_400_000,
    source: SOURCE,
    analysis: { ipBlockMatchesPods: seed % 2 === 0 },
    flushIntervalMs: 0,
    retentionIntervalMs: 0,
    checkpointEvents: 7,
    asyncCheckpoints: false,
    now: () => clock.now,
  });
  const live = new LiveEngine({ analysis: { ipBlockMatchesPods: seed % 2 === 0 } });
  const present = new Map<string, { resource: ResourceKind; object: Raw }>();
  let uid = 0;
  const instants: Instant[] = [];
  const keyOf = (res: ResourceKind, o: Raw) => `${res}:${String(o.metadata['namespace'] ?? '')}/${String(o.metadata['name'])}`;

  const randomEvent = (): SourceEvent => {
    const roll = r.float();
    if (roll < 0.12) {
      const resource = r.pick(RESOURCE_KINDS);
      const states: ResourceState[] = ['synced', 'synced', 'reconnecting', 'forbidden', 'error', 'syncing'];
      if (resource === 'adminnetworkpolicies' || resource === 'baselineadminnetworkpolicies') states.push('not-installed');
      const state = r.pick(states);
      return { type: 'status', resource, status: { state, syncedOnce: state !== 'syncing' || r.chance(0.5), ...(state === 'error' ? { lastError: '500 boom' } : {}), lastEventAt: new Date(clock.now).toISOString() } };
    }
    if (roll < 0.32 && present.size > 0) {
      const [k, { resource, object }] = r.pick([...present]);
      // Now and then a stale delete: an older uid of the same name.
      const stale = r.chance(0.15);
      if (!stale) present.delete(k);
      const metadata = { ...object.metadata, ...(stale ? { uid: 'some-older-uid' } : {}) };
      return { type: 'delete', resource, object: { ...object, metadata } };
    }
    let object = structuredClone(r.pick(pool));
    const resource = RESOURCE[object.kind]!;
    if (r.chance(0.1)) object = spoil(r, object);
    if (r.chance(0.85)) object.metadata['uid'] = `uid-${++uid}`;
    if (r.chance(0.2)) object.metadata['labels'] = { ...((object.metadata['labels'] as object) ?? {}), touched: String(r.int(0, 2)) };
    present.set(keyOf(resource, object), { resource, object });
    return { type: 'upsert', resource, object };
  };

  // Every resource listed first, as a source does (admin ones sometimes not installed).
  const first: SourceEvent[] = RESOURCE_KINDS.map((resource) => ({ type: 'status', resource, status: { state: 'synced', syncedOnce: true } }));
  const batches = 60;
  for (let b = 0; b < batches; b++) {
    const batch = b === 0 ? first : Array.from({ length: r.int(1, 5) }, randomEvent);
    clock.now += r.int(0, 3) * 1000 + r.int(0, 999);
    for (const e of batch) live.apply(e);
    const delta = live.flush()!;
    store.record(batch, clock.now, delta.seq);
    instants.push({ t: clock.now, docs: new Map(GROUPS.map((g) => [g, comparable(liveSnapshot(live, g, SOURCE))])) });
  }
  live.stop();
  clock.now += 5000;
  store.flush();
  return { store, instants, clock };
}

function rebuiltDoc(store: HistoryStore, t: number, group: Group): unknown {
  return docOf(store.reader.rebuild(t), group);
}

function docOf(past: PastInstant | NotRebuilt, group: Group): unknown {
  if ('reason' in past) throw new Error(`instant not rebuilt: ${past.reason}`);
  const { at: _a, past: _p, session: _s, changedAt: _c, ...doc } = pastSnapshot(past, group);
  return comparable(doc);
}

describe('history rebuild equals what the live engine showed', () => {
  for (let seed = 1; seed <= 12; seed++) {
    it(`random sequence ${seed}: every instant, in order and shuffled`, async () => {
      const { store, instants } = runSequence(seed);
      try {
        // In order: each rebuild steps forward from the previous one.
        for (const i of instants) for (const g of GROUPS) expect(rebuiltDoc(store, i.t, g), `seed ${seed} at ${i.t} (${g})`).toEqual(i.docs.get(g));
        // Shuffled: rebuilds start from checkpoints (the cache rarely helps).
        const r = new Random(seed);
        const shuffled = [...instants].sort(() => r.float() - 0.5);
        for (const i of shuffled) expect(rebuiltDoc(store, i.t, 'pod'), `seed ${seed} at ${i.t} shuffled`).toEqual(i.docs.get('pod'));
        // Between two batches the earlier one holds.
        const mid = instants[20]!;
        const next = instants[21]!;
        if (next.t > mid.t + 1) expect(rebuiltDoc(store, next.t - 1, 'pod')).toEqual(mid.docs.get('pod'));
        // Pairs (a diff's two sides): the second made ready in the history's worker thread.
        for (let k = 0; k < 6; k++) {
          const [a, b] = [r.pick(instants), r.pick(instants)];
          const [before, after] = await store.rebuildPair(a.t, b.t);
          expect(docOf(before, 'pod'), `seed ${seed} pair, first side`).toEqual(a.docs.get('pod'));
          expect(docOf(after, 'pod'), `seed ${seed} pair, side made in the worker`).toEqual(b.docs.get('pod'));
        }
      } finally {
        await store.close();
      }
    });
  }
});
