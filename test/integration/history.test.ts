// Time travel, the whole way: the server watches the simulated cluster and records history into a
// file; a long random sequence of changes (pods created, relabelled, deleted, rollouts, policies
// added, changed and deleted, namespaces relabelled) runs through the simulated API server while
// the live snapshot is read at many instants; the server is stopped and started again on the same
// file (a new simulated cluster, the timeline continues after a gap), more changes run; then
// every instant, from both runs, is rebuilt through GET /api/v1/history/snapshot and must equal,
// field for field, what the live snapshot said then.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { serveConfig } from '../../server/config.ts';
import { startServer, type RunningServer } from '../../server/main.ts';
import type { Store } from '../../server/sim/store.ts';
import { Random } from '../support/random-cluster.ts';

type Json = Record<string, unknown>;
const GROUPS = ['pod', 'workload', 'namespace'] as const;

interface Recorded {
  at: string;
  docs: Record<string, Json>;
}

const dir = mkdtempSync(join(tmpdir(), 'tm-history-'));
const file = join(dir, 'history.sqlite');
const servers: RunningServer[] = [];

afterAll(async () => {
  for (const s of servers) await s.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function start(): Promise<RunningServer> {
  const server = await startServer(serveConfig({ port: 0, simulate: true, history: file, logLevel: 'silent' }, {}), { info: () => {} });
  servers.push(server);
  const begin = Date.now();
  while ((await get(server, '/api/v1/snapshot')).unknown === 'all') {
    if (Date.now() - begin > 15_000) throw new Error('the server did not sync within 15 s');
    await sleep(50);
  }
  return server;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function get(server: RunningServer, path: string): Promise<Json> {
  const res = await fetch(`${server.url}${path}`);
  const body = (await res.json()) as Json;
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

/** Waits until the engine has applied everything (no new batch for a while). */
async function settle(server: RunningServer): Promise<void> {
  let seq = server.engine.seq;
  let quietSince = Date.now();
  for (;;) {
    await sleep(20);
    if (server.engine.seq !== seq) {
      seq = server.engine.seq;
      quietSince = Date.now();
    } else if (Date.now() - quietSince >= 120) return;
  }
}

/** One random change through the simulated API server's store (as kubectl or a controller would make it). */
function change(store: Store, r: Random, step: number): void {
  const pods = store.peekList('pods').filter((p) => !(p['spec'] as Json)['hostNetwork']);
  const meta = (o: Json) => o['metadata'] as Json;
  const roll = r.float();
  if (roll < 0.2 && pods.length > 0) {
    const p = structuredClone(r.pick(pods)) as Json;
    meta(p)['labels'] = { ...(meta(p)['labels'] as Json), rev: `r${step % 3}` };
    store.apply(p);
  } else if (roll < 0.35 && pods.length > 0) {
    const p = r.pick(pods);
    store.remove('pods', meta(p as Json)['namespace'] as string, meta(p as Json)['name'] as string);
  } else if (roll < 0.5 && pods.length > 0) {
    const p = structuredClone(r.pick(pods)) as Json;
    const m = meta(p);
    p['metadata'] = { name: `${String(m['name'])}-x${step}`, namespace: m['namespace'], labels: { ...(m['labels'] as Json), copy: 'yes' } };
    delete p['status'];
    store.apply(p);
  } else if (roll < 0.7) {
    const ns = r.pick(['prod', 'staging', 'monitoring', 'ci']);
    const name = `hist-${r.int(0, 4)}`;
    if (r.chance(0.3)) store.remove('NetworkPolicy', ns, name);
    else {
      const ingress = r.chance(0.5) ? [] : [{ from: [{ podSelector: { matchLabels: { rev: `r${r.int(0, 2)}` } } }], ports: [{ port: r.pick([80, 443, 5432]) }] }];
      store.apply({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name, namespace: ns },
        spec: { podSelector: r.chance(0.5) ? {} : { matchLabels: { copy: 'yes' } }, policyTypes: r.chance(0.3) ? ['Ingress', 'Egress'] : ['Ingress'], ingress },
      });
    }
  } else if (roll < 0.8) {
    const ns = structuredClone(r.pick(store.peekList('namespaces'))) as Json;
    meta(ns)['labels'] = { ...(meta(ns)['labels'] as Json), zone: `z${r.int(0, 2)}` };
    store.apply(ns);
  } else if (pods.length > 0) {
    // A pod relabelled back and forth: a change that may not change any connection.
    const p = structuredClone(r.pick(pods)) as Json;
    meta(p)['labels'] = { ...(meta(p)['labels'] as Json), flip: r.chance(0.5) ? 'a' : 'b' };
    store.apply(p);
  }
}

async function drive(server: RunningServer, seed: number, steps: number): Promise<Recorded[]> {
  const r = new Random(seed);
  const sim = server.sim!;
  const recorded: Recorded[] = [];
  for (let step = 0; step < steps; step++) {
    const changes = r.int(1, 3);
    for (let i = 0; i < changes; i++) {
      if (r.chance(0.25)) sim.churn.step(r.int(1, 6));
      else change(sim.store, r, step);
    }
    await settle(server);
    const docs: Record<string, Json> = {};
    for (const g of GROUPS) docs[g] = await get(server, `/api/v1/snapshot?group=${g}`);
    // Every group read at the same seq, so one instant stands for all three.
    const seqs = new Set(Object.values(docs).map((d) => d['seq']));
    expect(seqs.size).toBe(1);
    recorded.push({ at: docs['pod']!['generatedAt'] as string, docs });
    await sleep(3);
  }
  return recorded;
}

const strip = (doc: Json) => {
  const { generatedAt: _g, at: _a, past: _p, session: _s, changedAt: _c, ...rest } = doc;
  return rest;
};

describe('history: rebuild any instant exactly, across a restart', () => {
  it('records a long random sequence, restarts, and rebuilds every instant as the live snapshot showed it', async () => {
    const first = await start();
    const before = await drive(first, 1, 40);
    await first.stop();
    const stoppedAt = Date.now();
    await sleep(400);

    const second = await start();
    const after = await drive(second, 2, 40);

    // The timeline: two runs, the time between them a gap (a clean stop).
    const sessions = await get(second, '/api/v1/history/sessions');
    expect((sessions['sessions'] as Json[]).map((s) => s['state'])).toEqual(['stopped', 'running']);
    const gaps = sessions['gaps'] as { from: string; to: string; reason: string }[];
    expect(gaps).toHaveLength(1);
    expect(gaps[0]!.reason).toBe('stopped');
    expect(Date.parse(gaps[0]!.from)).toBeLessThanOrEqual(stoppedAt);
    expect(Date.parse(gaps[0]!.to)).toBeGreaterThan(stoppedAt);

    // An instant inside the gap is not made up.
    const inGap = new Date(stoppedAt + 200).toISOString();
    const res = await fetch(`${second.url}/api/v1/history/snapshot?at=${inGap}`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as Json)['reason']).toBe('gap');

    // Every instant of both runs, rebuilt.
    let compared = 0;
    for (const instant of [...before, ...after]) {
      for (const g of GROUPS) {
        const past = await get(second, `/api/v1/history/snapshot?at=${instant.at}&group=${g}`);
        expect(past['past']).toBe(true);
        expect(past['at']).toBe(instant.at);
        expect(strip(past), `${g} at ${instant.at}`).toEqual(strip(instant.docs[g]!));
        compared++;
      }
    }
    expect(compared).toBe(80 * GROUPS.length);

    // The timeline has posture samples and the policy changes as markers.
    const timeline = await get(second, `/api/v1/history/timeline?from=${before[0]!.at}`);
    expect((timeline['posture'] as Json[]).length).toBeGreaterThan(0);
    expect((timeline['markers'] as Json[]).some((m) => m['resource'] === 'networkpolicies')).toBe(true);
  }, 240_000);
});
