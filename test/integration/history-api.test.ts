// The history REST API over real HTTP: token check, parameter errors that name the parameter,
// the timeline (samples, policy markers), the event list, a past snapshot, the diff of two
// instants and of an instant against the live cluster, and a server without history.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESOURCE_KINDS, type SourceEvent } from '../../server/cluster/source.ts';
import { HistoryStore } from '../../server/history/history-store.ts';
import { HistoryRecorder } from '../../server/history/recorder.ts';
import { createApp } from '../../server/http/app.ts';
import { LiveEngine } from '../../server/live/live-engine.ts';
import { namespace, pod, policy } from '../support/objects.ts';

const TOKEN = 'history-api-test-token';
type Json = Record<string, unknown>;

let server: Server;
let bare: Server;
let url: string;
let bareUrl: string;
let store: HistoryStore;
let engine: LiveEngine;
let recorder: HistoryRecorder;
const instants: Record<string, string> = {};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const upsert = (o: object): SourceEvent => {
  const kind = (o as { kind: string }).kind;
  const resource = kind === 'Pod' ? 'pods' : kind === 'Namespace' ? 'namespaces' : 'networkpolicies';
  return { type: 'upsert', resource, object: o };
};

/** Feeds events the way the server does (recorder first, then the engine) and applies them. */
async function feed(events: SourceEvent[]): Promise<void> {
  for (const e of events) {
    recorder.observe(e);
    engine.apply(e);
  }
  engine.flush();
  await sleep(5);
}

async function listen(s: Server): Promise<string> {
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

async function get(path: string, token: string | null = TOKEN, base = url): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${base}${path}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  return { status: res.status, body: (await res.json()) as Json };
}

beforeAll(async () => {
  engine = new LiveEngine({ analysis: { ipBlockMatchesPods: true } });
  store = HistoryStore.open({ path: ':memory:', retentionMs: 86_400_000, source: 'api test', analysis: { ipBlockMatchesPods: true }, retentionIntervalMs: 0 });
  recorder = new HistoryRecorder(store, engine, { postureIntervalMs: 0, postureAfterChangeMs: 0 });
  await feed(RESOURCE_KINDS.map((resource) => ({ type: 'status', resource, status: { state: 'synced', syncedOnce: true } })));
  await feed([namespace('shop'), pod('shop/web', { labels: { app: 'web' }, ip: '10.0.0.1' }), pod('shop/db', { labels: { app: 'db' }, ip: '10.0.0.2' })].map(upsert));
  instants['open'] = new Date().toISOString();
  await sleep(5);
  await feed([upsert(policy('shop/deny', { podSelector: {}, policyTypes: ['Ingress'] }))]);
  instants['denied'] = new Date().toISOString();
  await sleep(5);
  await feed([upsert(policy('shop/web-to-db', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 5432 }] }] }))]);
  instants['allowed'] = new Date().toISOString();
  server = createServer(createApp({ engine, source: 'api test', token: TOKEN, history: store }));
  url = await listen(server);
  bare = createServer(createApp({ engine, source: 'api test' }));
  bareUrl = await listen(bare);
});

afterAll(async () => {
  recorder.stop();
  engine.stop();
  await store.close();
  await new Promise((r) => server.close(r));
  await new Promise((r) => bare.close(r));
});

describe('GET /api/v1/history/...', () => {
  it('needs the token like every /api request', async () => {
    expect((await get(`/api/v1/history/snapshot?at=${instants['open']}`, null)).status).toBe(401);
    expect((await get(`/api/v1/history/timeline`, 'wrong-token-wrong-token')).status).toBe(401);
  });

  it.each([
    ['/api/v1/history/snapshot', /^at is required/],
    ['/api/v1/history/snapshot?at=yesterday', /^at must be an ISO 8601 time/],
    ['/api/v1/history/snapshot?at=2026-01-01T00:00:00', /^at must be an ISO 8601 time with a zone/],
    ['/api/v1/history/snapshot?at=2026-01-01T00:00:00Z&group=cluster', /^group must be one of pod, workload, namespace/],
    ['/api/v1/history/timeline?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z', /^from must not be after to/],
    ['/api/v1/history/events?limit=0', /^limit must be a whole number from 1 to 10000/],
    ['/api/v1/history/events?resource=secrets', /^resource must be a comma-separated list/],
    ['/api/v1/history/diff?a=2026-01-01T00:00:00Z', /^b is required/],
  ])('%s: 400 naming the parameter', async (path, message) => {
    const { status, body } = await get(path);
    expect(status).toBe(400);
    expect(body['error']).toBe('bad-request');
    expect(body['message']).toMatch(message);
  });

  it('snapshot: each instant as it was, marked past; before history and in the future: 404 saying why', async () => {
    const at = (name: string) => get(`/api/v1/history/snapshot?at=${instants[name]}&group=pod`);
    const isolation = (body: Json, id: string) => (body['nodes'] as Json[]).find((n) => n['id'] === id)!['isolation'];
    const open = await at('open');
    expect(open.status).toBe(200);
    expect(open.body).toMatchObject({ schema: 'traffic-map/analysis@1', past: true, at: instants['open'], source: 'api test', unknown: [] });
    expect(isolation(open.body, 'shop/db')).toEqual({ ingress: false, egress: false });
    // Between pods (external ranges aside): none once ingress is denied, then web to db.
    const betweenPods = (body: Json) => (body['connections'] as Json[]).filter((c) => !String(c['from']).startsWith('ip:') && !String(c['to']).startsWith('ip:')).map((c) => `${c['from']} -> ${c['to']}`);
    expect(betweenPods(open.body)).toEqual(['shop/db -> shop/web', 'shop/web -> shop/db']);
    expect(betweenPods((await at('denied')).body)).toEqual([]);
    expect(betweenPods((await at('allowed')).body)).toEqual(['shop/web -> shop/db']);

    const before = await get('/api/v1/history/snapshot?at=2000-01-01T00:00:00Z');
    expect(before.status).toBe(404);
    expect(before.body).toMatchObject({ error: 'not-recorded', reason: 'before-history' });
    const future = await get('/api/v1/history/snapshot?at=2999-01-01T00:00:00Z');
    expect(future.body).toMatchObject({ error: 'not-recorded', reason: 'future' });
  });

  it('timeline: one running session, posture samples, the namespace and the two policies as markers', async () => {
    const { body } = await get(`/api/v1/history/timeline?from=2000-01-01T00:00:00Z`);
    expect(body['retention']).toBe('1d');
    expect((body['sessions'] as Json[]).map((s) => s['state'])).toEqual(['running']);
    expect(body['gaps']).toEqual([]);
    expect((body['markers'] as Json[]).map((m) => [m['resource'], m['change'], m['namespace'], m['name']])).toEqual([
      ['namespaces', 'added', null, 'shop'],
      ['networkpolicies', 'added', 'shop', 'deny'],
      ['networkpolicies', 'added', 'shop', 'web-to-db'],
    ]);
    // Sampled after every change here: both pods open, then ingress denied, then web -> db allowed.
    const samples = (body['posture'] as Json[]).filter((p) => p['pods'] === 2);
    expect(samples[0]).toMatchObject({ unknownPods: 0, unprotectedIngress: 2, unprotectedEgress: 2, unprotectedBoth: 2, allowedPairs: 2, policies: 0 });
    expect(samples.at(-1)).toMatchObject({ unknownPods: 0, unprotectedIngress: 0, unprotectedEgress: 2, unprotectedBoth: 0, allowedPairs: 1, policies: 2 });
  });

  it('events: in order, filtered by resource', async () => {
    const all = (await get('/api/v1/history/events?from=2000-01-01T00:00:00Z')).body;
    expect((all['events'] as Json[]).length).toBe(RESOURCE_KINDS.length + 5);
    const policies = (await get('/api/v1/history/events?from=2000-01-01T00:00:00Z&resource=networkpolicies')).body;
    expect((policies['events'] as Json[]).map((e) => [e['type'], e['namespace'], e['name']])).toEqual([
      ['status', null, null],
      ['upsert', 'shop', 'deny'],
      ['upsert', 'shop', 'web-to-db'],
    ]);
    expect((await get('/api/v1/history/events?from=2000-01-01T00:00:00Z&limit=2')).body['truncated']).toBe(true);
  });

  it('diff: two instants, and an instant against live', async () => {
    const { status, body } = await get(`/api/v1/history/diff?a=${instants['open']}&b=${instants['denied']}&group=pod`);
    expect(status).toBe(200);
    expect(body['a']).toMatchObject({ at: instants['open'], live: false });
    expect(body['summary']).toMatchObject({ policies: { added: 1, changed: 0, deleted: 0 }, podsBecameProtected: { ingress: 2, egress: 0 } });
    const live = (await get(`/api/v1/history/diff?a=${instants['denied']}&b=live&group=pod`)).body;
    expect(live['b']).toMatchObject({ live: true, seq: engine.seq });
    expect((live['connections'] as Json[]).map((c) => [c['from'], c['to'], c['change']])).toEqual([['shop/web', 'shop/db', 'gained']]);
  });

  it('a server without history says so', async () => {
    const { status, body } = await get(`/api/v1/history/snapshot?at=${instants['open']}`, null, bareUrl);
    expect(status).toBe(404);
    expect(body['error']).toBe('history-off');
  });
});
