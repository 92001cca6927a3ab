// The live engine after any sequence of events equals a full recomputation from the same objects,
// and its deltas name every row and column whose connections changed. With admin policies too:
// AdminNetworkPolicies and the baseline come and go, their resources turn forbidden, not installed
// (which empties them) or installed again, and every pod is unknown while they are not known.
import { describe, expect, it } from 'vitest';
import type { EndpointRef, Finding } from '../../shared/engine/analysis.ts';
import { analyze, type EngineAnalysis } from '../../shared/engine/engine.ts';
import { buildCluster } from '../../shared/kube/load.ts';
import { compareText } from '../../shared/model/order.ts';
import { RESOURCE_KINDS, type ResourceKind, type ResourceState, type SourceEvent } from '../../server/cluster/source.ts';
import { LiveEngine } from '../../server/live/live-engine.ts';
import { randomCluster } from '../support/random-cluster.ts';

type Raw = { kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; spec?: unknown };

const RESOURCE: Record<string, ResourceKind> = {
  Pod: 'pods',
  Namespace: 'namespaces',
  NetworkPolicy: 'networkpolicies',
  AdminNetworkPolicy: 'adminnetworkpolicies',
  BaselineAdminNetworkPolicy: 'baselineadminnetworkpolicies',
};
const ADMIN_KINDS = ['AdminNetworkPolicy', 'BaselineAdminNetworkPolicy'];

function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T,>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]! };
}

const findingKey = (f: Finding) => `${f.kind}|${f.subject}|${f.field ?? ''}|${f.direction ?? ''}`;
const clusterScoped = (kind: string) => kind === 'Namespace' || ADMIN_KINDS.includes(kind);
const keyOf = (o: Raw) => `${o.kind}:${clusterScoped(o.kind) ? '' : (o.metadata.namespace ?? 'default')}/${o.metadata.name}`;

/** Every pod pair and pod/external pair as text, for comparing two analyses. */
function connections(a: EngineAnalysis): Map<string, string> {
  const out = new Map<string, string>();
  const name = (r: EndpointRef) => (r.kind === 'pod' ? a.pods[r.index]!.id : a.externals[r.index]!.id);
  const visit = (f: EndpointRef, t: EndpointRef) => {
    const c = a.connection(f, t);
    if (c) out.set(`${name(f)} -> ${name(t)}`, `${c.ports.key()} ${JSON.stringify(c.reasons)}`);
  };
  a.pods.forEach((_, i) => {
    a.pods.forEach((_, j) => visit({ kind: 'pod', index: i }, { kind: 'pod', index: j }));
    a.externals.forEach((e, x) => {
      if (e.asSource) visit({ kind: 'external', index: x }, { kind: 'pod', index: i });
      if (e.asDestination) visit({ kind: 'pod', index: i }, { kind: 'external', index: x });
    });
  });
  return out;
}

function status(resource: ResourceKind, state: ResourceState, syncedOnce = true): SourceEvent {
  return { type: 'status', resource, status: { state, syncedOnce } };
}

function sequences(admin: boolean, seeds: number): void {
  for (let seed = 1; seed <= seeds; seed++) {
    const r = rng(seed * 7919);
    const pool = randomCluster(seed, { admin }) as Raw[];
    const variants = randomCluster(seed + 100_000, { admin }) as Raw[];
    const live = new LiveEngine({ analysis: { ipBlockMatchesPods: seed % 2 === 0 } });
    const raw = new Map<string, Raw>();
    // networkpolicies forbidden, and each admin resource's state.
    let npForbidden = false;
    const adminState = new Map<ResourceKind, ResourceState>([
      ['adminnetworkpolicies', 'synced'],
      ['baselineadminnetworkpolicies', 'synced'],
    ]);
    const send = (e: SourceEvent) => live.apply(e);
    for (const res of RESOURCE_KINDS) send(status(res, 'synced'));
    live.flush();
    let previous = connections(live.analysis);
    // Findings as a client following the deltas knows them.
    const findings = new Map<string, Finding>();

    for (let step = 0; step < 25; step++) {
      // A batch of 1-3 events.
      const n = 1 + r.int(3);
      for (let k = 0; k < n; k++) {
        const roll = r.next();
        const present = [...raw.values()];
        if (roll < 0.45 || present.length === 0) {
          const o = structuredClone(r.pick(pool));
          const resource = RESOURCE[o.kind]!;
          if (adminState.get(resource) === 'not-installed') {
            // The CRD is installed (again): a fresh watcher lists from scratch.
            adminState.set(resource, 'syncing');
            send(status(resource, 'syncing', false));
          }
          raw.set(keyOf(o), o);
          send({ type: 'upsert', resource, object: o });
        } else if (roll < 0.65) {
          const o = r.pick(present);
          raw.delete(keyOf(o));
          send({ type: 'delete', resource: RESOURCE[o.kind]!, object: o });
        } else if (roll < 0.95) {
          // Modify: new labels for pods/namespaces, another spec for policies.
          const o = structuredClone(r.pick(present));
          if (o.kind === 'NetworkPolicy' || ADMIN_KINDS.includes(o.kind)) o.spec = structuredClone(r.pick(variants.filter((v) => v.kind === o.kind).concat([o])).spec);
          else o.metadata.labels = structuredClone(r.pick([...pool, ...variants].filter((v) => v.kind === o.kind)).metadata.labels ?? {});
          raw.set(keyOf(o), o);
          send({ type: 'upsert', resource: RESOURCE[o.kind]!, object: o });
        } else if (!admin || roll < 0.97) {
          npForbidden = !npForbidden;
          send(status('networkpolicies', npForbidden ? 'forbidden' : 'synced'));
        } else {
          const resource = r.pick(['adminnetworkpolicies', 'baselineadminnetworkpolicies'] as const);
          const next = r.pick(['synced', 'forbidden', 'not-installed'] as const);
          adminState.set(resource, next);
          send(status(resource, next));
          // Not installed: the cluster has none of them.
          if (next === 'not-installed') for (const [k, o] of raw) if (RESOURCE[o.kind] === resource) raw.delete(k);
        }
      }
      // A resource that was being listed has been listed by the end of the batch.
      for (const [resource, state] of adminState) {
        if (state !== 'syncing') continue;
        adminState.set(resource, 'synced');
        send(status(resource, 'synced'));
      }
      const forbidden = npForbidden || [...adminState.values()].some((s) => s === 'forbidden');
      const delta = live.flush()!;

      const loaded = buildCluster([...raw.values()].map((object) => ({ object }))).cluster;
      const full = analyze(loaded, live.analysis.options);
      const where = `seed ${seed} step ${step}`;
      const state = live.state.cluster();
      expect(state.namespaces, where).toEqual(loaded.namespaces);
      expect(state.workloads, where).toEqual(loaded.workloads);
      expect(live.analysis.pods.map((p) => p.id), where).toEqual(full.pods.map((p) => p.id));
      const now = connections(live.analysis);
      expect(now, where).toEqual(connections(full));
      expect(live.analysis.findings, where).toEqual(full.findings);
      for (const f of delta.findings.removed) findings.delete(findingKey(f));
      for (const f of delta.findings.added) findings.set(findingKey(f), f);
      expect([...findings.values()].sort((a, b) => compareText(findingKey(a), findingKey(b))), where).toEqual(
        forbidden ? [] : [...full.findings].sort((a, b) => compareText(findingKey(a), findingKey(b))),
      );
      full.pods.forEach((p, i) => {
        expect(live.isolationOf(p.id), `${where} ${p.id}`).toEqual(forbidden ? null : full.isolation(i));
      });

      // Every changed connection between pods that existed before and after is covered by the delta.
      const added = new Set(delta.pods.added);
      const removed = new Set(delta.pods.removed);
      const sources = new Set(delta.sources);
      const destinations = new Set(delta.destinations);
      const isExternal = (id: string) => id.startsWith('ip:');
      for (const key of new Set([...previous.keys(), ...now.keys()])) {
        if (previous.get(key) === now.get(key)) continue;
        const [from, to] = key.split(' -> ') as [string, string];
        if (added.has(from) || added.has(to) || removed.has(from) || removed.has(to)) continue;
        if (isExternal(from) || isExternal(to)) {
          const pod = isExternal(from) ? to : from;
          const covered = delta.externals || (isExternal(from) ? destinations.has(pod) : sources.has(pod));
          expect(covered, `${where}: ${key} changed but the delta does not say so`).toBe(true);
        } else {
          expect(sources.has(from) || destinations.has(to), `${where}: ${key} changed but the delta does not say so`).toBe(true);
        }
      }
      previous = now;
    }
    live.stop();
  }
}

describe('live engine equals a full recomputation', () => {
  it('after every batch of 150 random event sequences', () => {
    sequences(false, 150);
  });

  it('with admin policies: after every batch of 100 random event sequences (ANP/BANP added, changed, deleted; forbidden; not installed)', () => {
    sequences(true, 100);
  });
});
