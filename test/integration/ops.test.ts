// Operations on the live server watching the simulated demo cluster: /readyz before sync, after it
// and after the API server goes away; /metrics scraped and parsed, its posture figures checked
// against the CLI's analysis of the same objects (dumped from the simulated store), before and after
// a default-deny policy; structured logs without the token.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../server/cli/main.ts';
import { serveConfig } from '../../server/config.ts';
import { createApp } from '../../server/http/app.ts';
import { ServerMetrics } from '../../server/http/metrics.ts';
import { LiveEngine } from '../../server/live/live-engine.ts';
import { createLogger } from '../../server/log.ts';
import { startServer, type RunningServer } from '../../server/main.ts';
import { startSimulatedCluster, type SimulatedCluster } from '../../server/sim/simulated-cluster.ts';
import type { SimResource } from '../../server/sim/resources.ts';
import { RESOURCE_KINDS } from '../../shared/model/status.ts';

const TOKEN = 'ops-test-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };

let dir: string;
let sim: SimulatedCluster;
let simClosed = false;
let server: RunningServer;
const logLines: string[] = [];
let readyBeforeSync: { status: number; body: { ready: boolean; notReady: { resource: string; reason: string }[] } };
let metricsBeforeSync: Sample[];

// ----- Prometheus text format -----

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parseProm(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!.replace(/\\(.)/g, '$1');
    samples.push({ name: m[1]!, labels, value: Number(m[4]) });
  }
  return samples;
}

async function scrape(): Promise<Sample[]> {
  const res = await fetch(`${server.url}/metrics`, { headers: auth });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseProm(await res.text());
}

/** name{label...} -> value, keyed by the listed labels joined with '|'. */
function series(samples: Sample[], name: string, keys: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of samples) if (s.name === name) out[keys.map((k) => s.labels[k] ?? '').join('|')] = s.value;
  return out;
}

function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

// ----- The CLI's answer on the same objects -----

interface Expected {
  pods: Record<string, number>;
  unprotected: Record<string, number>;
  defaultDeny: Record<string, number>;
  withoutDefaultDeny: Record<string, number>;
  podPairs: Record<string, number>;
  external: Record<string, number>;
  findings: Record<string, number>;
}

let dumps = 0;
async function cli(...argv: string[]): Promise<unknown> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  expect(err).toBe('');
  expect(code).toBe(0);
  return JSON.parse(out);
}

/** Dumps the simulated store's watched objects as a List manifest and runs `analyze` and `unprotected` on it. */
async function expectedFromCli(): Promise<Expected> {
  const items = RESOURCE_KINDS.flatMap((r) => sim.store.peekList(r as SimResource));
  const path = join(dir, `dump-${++dumps}.json`);
  writeFileSync(path, JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
  type Node = { id: string; kind: string; namespace?: string; isolation?: { ingress: boolean; egress: boolean } };
  const doc = (await cli('analyze', path, '--group', 'pod', '--format', 'json')) as {
    nodes: Node[];
    connections: { from: string; to: string }[];
    findings: { kind: string; severity: string; subject: string; direction?: string }[];
  };
  const gate = (await cli('unprotected', path, '--direction', 'any', '--format', 'json')) as { unprotected: { pod: string; unprotected: { ingress: boolean; egress: boolean } }[] };
  const e: Expected = { pods: {}, unprotected: {}, defaultDeny: {}, withoutDefaultDeny: { ingress: 0, egress: 0 }, podPairs: {}, external: {}, findings: {} };
  const add = (m: Record<string, number>, k: string, n = 1) => (m[k] = (m[k] ?? 0) + n);
  const byId = new Map(doc.nodes.map((n) => [n.id, n]));
  const namespaces = new Set<string>();
  for (const n of doc.nodes) {
    if (n.kind !== 'pod') continue;
    namespaces.add(n.namespace!);
    add(e.pods, n.namespace!);
    for (const d of ['ingress', 'egress']) {
      add(e.unprotected, `${n.namespace}|${d}`, 0);
      add(e.podPairs, `${n.namespace}|${d}`, 0);
      add(e.external, `${n.namespace}|${d}`, 0);
      e.defaultDeny[`${n.namespace}|${d}`] = 1;
    }
  }
  for (const u of gate.unprotected) {
    const ns = u.pod.split('/')[0]!;
    if (u.unprotected.ingress) add(e.unprotected, `${ns}|ingress`);
    if (u.unprotected.egress) add(e.unprotected, `${ns}|egress`);
  }
  for (const c of doc.connections) {
    const from = byId.get(c.from)!;
    const to = byId.get(c.to)!;
    if (from.kind === 'pod' && to.kind === 'pod') {
      add(e.podPairs, `${from.namespace}|egress`);
      add(e.podPairs, `${to.namespace}|ingress`);
    } else if (from.kind === 'external') add(e.external, `${to.namespace}|ingress`);
    else add(e.external, `${from.namespace}|egress`);
  }
  for (const f of doc.findings) {
    add(e.findings, `${f.kind}|${f.severity}`);
    if (f.kind === 'namespace-without-default-deny' && namespaces.has(f.subject)) {
      e.defaultDeny[`${f.subject}|${f.direction}`] = 0;
      add(e.withoutDefaultDeny, f.direction!);
    }
  }
  return e;
}

async function expectMetricsToMatchCli(): Promise<{ samples: Sample[]; expected: Expected }> {
  const expected = await expectedFromCli();
  const samples = await scrape();
  expect(series(samples, 'traffic_map_pods', ['namespace'])).toEqual(expected.pods);
  expect(series(samples, 'traffic_map_unprotected_pods', ['namespace', 'direction'])).toEqual(expected.unprotected);
  expect(series(samples, 'traffic_map_default_deny', ['namespace', 'direction'])).toEqual(expected.defaultDeny);
  expect(series(samples, 'traffic_map_namespaces_without_default_deny', ['direction'])).toEqual(expected.withoutDefaultDeny);
  expect(series(samples, 'traffic_map_allowed_pod_pairs', ['namespace', 'direction'])).toEqual(expected.podPairs);
  expect(series(samples, 'traffic_map_allowed_external_connections', ['namespace', 'direction'])).toEqual(expected.external);
  expect(series(samples, 'traffic_map_findings', ['kind', 'severity'])).toEqual(expected.findings);
  expect(Object.values(series(samples, 'traffic_map_unknown_pods', ['namespace'])).every((v) => v === 0)).toBe(true);
  expect(value(samples, 'traffic_map_unknown_namespaces')).toBe(0);
  return { samples, expected };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function readyz() {
  const res = await fetch(`${server.url}/readyz`);
  return { status: res.status, body: (await res.json()) as { ready: boolean; message?: string; notReady: { resource: string; state: string; reason: string; since?: string }[] } };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tm-ops-'));
  sim = await startSimulatedCluster({ scenario: 'demo' });
  const kubeconfig = await sim.writeKubeconfig(join(dir, 'sim.kubeconfig'));
  // Lists (and discovery) answer only after 2.5 s: the server starts before anything is synced.
  const hold = sim.faults.delay(2500);
  const log = createLogger({ level: 'debug', format: 'json', write: (l) => logLines.push(l) });
  log.debug({ config: serveConfig({ port: 0, kubeconfig, token: TOKEN, readyGrace: 1 }, {}) }, 'configuration');
  // No history file: this "real" cluster is a throwaway.
  server = await startServer(serveConfig({ port: 0, kubeconfig, token: TOKEN, readyGrace: 1, logLevel: 'debug' }, { TRAFFIC_MAP_HISTORY: 'off' }), log);
  readyBeforeSync = await readyz();
  metricsBeforeSync = await scrape();
  sim.faults.clear(hold);
  await until('ready', async () => ((await readyz()).status === 200 ? true : undefined));
}, 60_000);

afterAll(async () => {
  await server?.stop();
  if (!simClosed) await sim?.close();
});

describe('/readyz and /healthz', () => {
  it('is not ready before the first lists, naming every resource not listed yet, while /healthz is fine', async () => {
    expect(readyBeforeSync.status).toBe(503);
    expect(readyBeforeSync.body.ready).toBe(false);
    for (const resource of ['pods', 'namespaces', 'networkpolicies']) {
      expect(readyBeforeSync.body.notReady).toContainEqual(expect.objectContaining({ resource, reason: 'not-synced-yet' }));
    }
    expect(value(metricsBeforeSync, 'traffic_map_ready')).toBe(0);
    // Nothing is known yet: no pod counts as unprotected.
    expect(metricsBeforeSync.filter((s) => s.name === 'traffic_map_unprotected_pods' && s.value > 0)).toEqual([]);
  });

  it('is ready once everything is listed, without a token (probes), as is /healthz', async () => {
    const r = await readyz();
    expect(r).toEqual({ status: 200, body: { ready: true } });
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(value(await scrape(), 'traffic_map_ready')).toBe(1);
  });
});

describe('/metrics', () => {
  it('needs the token when one is set', async () => {
    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(401);
    const wrong = await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer not-the-token-at-all' } });
    expect(wrong.status).toBe(401);
  });

  it('serves the posture the CLI computes from the same objects, and follows a default-deny policy', async () => {
    const before = await expectMetricsToMatchCli();
    // A namespace with pods open for ingress.
    const target = Object.entries(before.expected.unprotected).find(([k, v]) => k.endsWith('|ingress') && v > 0)?.[0].split('|')[0];
    expect(target).toBeDefined();
    const policyEvents = value(before.samples, 'traffic_map_event_to_delta_seconds_count', { resource: 'networkpolicies' }) ?? 0;

    sim.store.apply({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'ops-test-default-deny', namespace: target },
      spec: { podSelector: {}, policyTypes: ['Ingress'] },
    });
    await until('the unprotected count to drop', async () => {
      const v = value(await scrape(), 'traffic_map_unprotected_pods', { namespace: target!, direction: 'ingress' });
      return v === 0 ? true : undefined;
    });

    const after = await expectMetricsToMatchCli();
    expect(before.expected.unprotected[`${target}|ingress`]).toBeGreaterThan(0);
    expect(after.expected.unprotected[`${target}|ingress`]).toBe(0);
    expect(value(after.samples, 'traffic_map_default_deny', { namespace: target!, direction: 'ingress' })).toBe(1);
    expect(value(before.samples, 'traffic_map_default_deny', { namespace: target!, direction: 'ingress' })).toBe(0);
    expect(value(after.samples, 'traffic_map_namespaces_without_default_deny', { direction: 'ingress' })).toBe(
      value(before.samples, 'traffic_map_namespaces_without_default_deny', { direction: 'ingress' })! - 1,
    );
    // The policy event was timed from receipt to its delta.
    expect(value(after.samples, 'traffic_map_event_to_delta_seconds_count', { resource: 'networkpolicies' })).toBeGreaterThan(policyEvents);
    expect(value(after.samples, 'traffic_map_source_events_total', { resource: 'networkpolicies', type: 'upsert' })).toBeGreaterThan(0);
  });

  it('reports the source status per resource and the connected clients', async () => {
    const samples = await scrape();
    for (const resource of ['pods', 'namespaces', 'networkpolicies']) {
      expect(value(samples, 'traffic_map_source_status', { resource, namespace: '', state: 'synced' })).toBe(1);
      expect(value(samples, 'traffic_map_source_status', { resource, namespace: '', state: 'error' })).toBe(0);
    }
    expect(value(samples, 'traffic_map_connected_clients')).toBe(0);
    expect(value(samples, 'traffic_map_process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('--public-metrics serves it without the token; without it the token is needed', async () => {
    const engine = new LiveEngine({ analysis: { ipBlockMatchesPods: true } });
    const metrics = new ServerMetrics({ engine, readiness: () => ({ ready: false, notReady: [] }), clients: () => ({ connected: 0, lagging: 0 }) });
    for (const pub of [true, false]) {
      const app = createApp({ engine, source: 'test', token: TOKEN, metrics: metrics.handler({ token: TOKEN, public: pub }) });
      const http = createServer(app);
      await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
      const address = http.address() as { port: number };
      try {
        const res = await fetch(`http://127.0.0.1:${address.port}/metrics`);
        expect(res.status).toBe(pub ? 200 : 401);
        if (pub) expect(value(parseProm(await res.text()), 'traffic_map_ready')).toBe(0);
        // The API stays behind the token either way.
        expect((await fetch(`http://127.0.0.1:${address.port}/api/v1/snapshot`)).status).toBe(401);
      } finally {
        await new Promise<void>((r) => http.close(() => r()));
      }
    }
    engine.stop();
  });
});

describe('logs', () => {
  it('are JSON lines with levels, keep the startup messages, and never contain the token', () => {
    const parsed = logLines.map((l) => JSON.parse(l) as { level: string; msg: string });
    expect(parsed.every((l) => typeof l.level === 'string' && typeof l.msg === 'string')).toBe(true);
    expect(parsed).toContainEqual(expect.objectContaining({ level: 'info', msg: expect.stringMatching(/^Traffic Map on http:\/\/127\.0\.0\.1:\d+ {2}\(snapshot: /) }));
    expect(parsed).toContainEqual(expect.objectContaining({ level: 'debug', msg: 'configuration' }));
    expect(logLines.join('')).not.toContain(TOKEN);
  });
});

// Last: it takes the API server away.
describe('when the API server goes away', () => {
  it('/readyz turns unready after the grace period, naming the lost resources; /healthz stays up', async () => {
    await sim.close();
    simClosed = true;
    const r = await until('unready', async () => {
      const x = await readyz();
      return x.status === 503 ? x : undefined;
    });
    expect(r.body.ready).toBe(false);
    expect(r.body.message).toMatch(/^watch lost: /);
    const lost = r.body.notReady.filter((n) => n.reason === 'lost').map((n) => n.resource);
    expect(lost).toEqual(expect.arrayContaining(['pods', 'namespaces', 'networkpolicies']));
    for (const n of r.body.notReady) {
      expect(['reconnecting', 'error']).toContain(n.state);
      expect(Date.parse(n.since!)).toBeLessThanOrEqual(Date.now() - 1000);
    }
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const samples = await scrape();
    expect(value(samples, 'traffic_map_ready')).toBe(0);
    expect(value(samples, 'traffic_map_source_status', { resource: 'pods', namespace: '', state: 'synced' })).toBe(0);
    // Watch restarts are logged as warnings.
    await until('a warning', async () => (logLines.some((l) => JSON.parse(l).level === 'warn') ? true : undefined));
  });
});
