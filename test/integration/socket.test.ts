// The socket.io contract end to end: real socket.io-client against the real server watching the
// simulated cluster through client-node informers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import { serveConfig } from '../../server/config.ts';
import { startServer, type RunningServer } from '../../server/main.ts';
import { request, ViewSubscription } from '../../shared/protocol/subscription.ts';
import { PROTOCOL_VERSION, type ExplainResult, type PolicySelection } from '../../shared/protocol/events.ts';
import { viewIdOf, type ViewDelta, type ViewSpec } from '../../shared/protocol/view.ts';
import { Prng } from '../../server/sim/scale-cluster.ts';
import { cell, comparable, connect, openView } from '../support/view-client.ts';

let server: RunningServer;
const sockets: Socket[] = [];

async function client(options: { token?: string; origin?: string } = {}): Promise<Socket> {
  const s = await connect(server.url, options);
  sockets.push(s);
  return s;
}

const store = () => server.sim!.store;

function denyAll(namespace: string, name = 'deny-all') {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace },
    spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
  };
}

/** Waits until the engine and every room have applied everything (no pending work). */
async function settled(): Promise<void> {
  const start = Date.now();
  let quietSince = Date.now();
  let lastSeq = server.engine.seq;
  for (;;) {
    await new Promise((r) => setTimeout(r, 50));
    const busy = [...server.views.rooms.values()].some((r) => r.pending);
    if (server.engine.seq !== lastSeq || busy) {
      lastSeq = server.engine.seq;
      quietSince = Date.now();
    } else if (Date.now() - quietSince > 400) return;
    if (Date.now() - start > 15_000) throw new Error('server did not settle');
  }
}

beforeAll(async () => {
  server = await startServer(serveConfig({ port: 0, simulate: true }), { info: () => {} });
  const start = Date.now();
  while (server.engine.unknown === 'all' && Date.now() - start < 10_000) await new Promise((r) => setTimeout(r, 50));
}, 30_000);

afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await server?.stop();
});

describe('views over socket.io', () => {
  it('sends hello and source status, then a snapshot on subscribe', async () => {
    const socket = await client();
    const sub = await openView(socket, { level: 'namespace', namespaces: 'all' });
    const s = sub.state!;
    expect(s.viewId).toBe(viewIdOf({ level: 'namespace', namespaces: 'all' }));
    expect(s.nodes.get('prod')?.kind).toBe('namespace');
    // No NetworkPolicy isolates most of staging, but the demo's BaselineAdminNetworkPolicy has a
    // Deny rule (from ci) for its pods: isolated for ingress, never for egress.
    expect(s.nodes.get('staging')?.isolation).toEqual({ ingress: true, egress: false });
    expect(s.nodes.get('kube-system')?.isolation).toEqual({ ingress: false, egress: false });
    expect(s.unknown).toEqual([]);
    // prod's frontend is reachable from outside; staging talks to itself freely.
    expect(cell(s, 'staging', 'staging')?.ports).toBe('all');
    sub.close();
  });

  it('a cluster change reaches the subscriber as a delta within 1 s', async () => {
    const socket = await client();
    const sub = await openView(socket, { level: 'namespace', namespaces: 'all' });
    const deltas: ViewDelta[] = [];
    socket.on('view:delta', (d: ViewDelta) => deltas.push(d));
    const start = performance.now();
    store().create('networkpolicies', denyAll('staging'));
    await sub.waitFor((s) => s.nodes.get('staging')?.isolation.egress === true, 1000);
    expect(performance.now() - start).toBeLessThan(1000);
    expect(deltas.length).toBeGreaterThan(0);
    expect(cell(sub.state!, 'staging', 'staging')).toBeUndefined();
    store().delete('networkpolicies', 'staging', 'deny-all');
    await sub.waitFor((s) => s.nodes.get('staging')?.isolation.egress === false, 1000);
    sub.close();
  });

  it('after a long random event sequence, every view built from deltas equals a fresh snapshot', async () => {
    const views: ViewSpec[] = [
      { level: 'namespace', namespaces: 'all' },
      { level: 'workload', namespaces: 'all' },
      { level: 'pod', namespaces: ['prod', 'staging'] },
      { level: 'pod', namespaces: 'all', labels: 'app' },
      { level: 'workload', namespaces: 'all', port: { protocol: 'TCP', port: 5432 } },
      { level: 'namespace', namespaces: 'all', unprotectedOnly: true },
    ];
    const socket = await client();
    const subs = await Promise.all(views.map((v) => openView(socket, v)));
    const rng = new Prng(7);
    const pick = (n: number) => rng.int(0, n - 1);
    const namespaces = ['prod', 'staging', 'monitoring'];
    const apps = ['web', 'api', 'db', 'cache'];
    const made: { ns: string; name: string }[] = [];
    const step = (i: number) => {
      const ns = namespaces[pick(namespaces.length)]!;
      const roll = pick(10);
      if (roll < 3) {
        const name = `rnd-${i}`;
        store().create('pods', {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name, namespace: ns, labels: { app: apps[pick(apps.length)]! } },
          spec: { containers: [{ name: 'c', image: 'nginx', ports: [{ name: 'http', containerPort: 80 + pick(3) }] }] },
        });
        made.push({ ns, name });
      } else if (roll < 4 && made.length > 0) {
        const [p] = made.splice(pick(made.length), 1);
        store().delete('pods', p!.ns, p!.name, { gracePeriodSeconds: 0 });
      } else if (roll < 6) {
        // Relabel a pod: it may move between policies' selections without changing its isolation.
        const [p] = made.length > 0 ? made.slice(pick(made.length)) : [];
        if (!p) return;
        const current = store().get('pods', p.ns, p.name)!;
        const labels = { app: apps[pick(apps.length)]! };
        store().update('pods', { ...current, metadata: { ...(current.metadata as object), labels } });
      } else if (roll < 8) {
        const name = `rnd-pol-${pick(6)}`;
        // Peers by pod label or by namespace label (so namespace label changes matter), either direction.
        const peer = pick(2) === 0 ? { podSelector: { matchLabels: { app: apps[pick(apps.length)]! } } } : { namespaceSelector: { matchLabels: { tier: `t${pick(3)}` } } };
        const rule = { ports: [pick(2) === 0 ? { port: 'http' } : { port: 5432 }] };
        const egress = pick(3) === 0;
        const policy = {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'NetworkPolicy',
          metadata: { name, namespace: ns },
          spec: {
            podSelector: pick(3) === 0 ? {} : { matchLabels: { app: apps[pick(apps.length)]! } },
            policyTypes: [egress ? 'Egress' : 'Ingress'],
            ...(egress ? { egress: [{ to: [peer], ...rule }] } : { ingress: [{ from: [peer], ...rule }] }),
          },
        };
        if (store().peek('networkpolicies', ns, name)) store().delete('networkpolicies', ns, name);
        else store().create('networkpolicies', policy);
      } else {
        const current = store().get('namespaces', undefined, ns)!;
        const labels = { ...((current.metadata as { labels?: Record<string, string> }).labels ?? {}), tier: `t${pick(3)}` };
        store().update('namespaces', { ...current, metadata: { ...(current.metadata as object), labels } });
      }
    };
    const fresh = await client();
    // Six rounds: each a burst of events with pauses, then every view is checked against a fresh snapshot.
    for (let round = 0; round < 6; round++) {
      for (let i = 0; i < 20; i++) {
        step(round * 20 + i);
        if (pick(4) === 0) await new Promise((r) => setTimeout(r, 30 + pick(120)));
      }
      await settled();
      for (const [i, sub] of subs.entries()) {
        const room = server.views.rooms.get(sub.viewId)!;
        await sub.waitFor((s) => s.seq === room.seq, 5000);
        const check = await openView(fresh, views[i]!);
        expect(comparable(sub.state!), `round ${round}, view ${sub.viewId}`).toEqual(comparable(check.state!));
        check.close();
      }
    }
    for (const sub of subs) sub.close();
    // Leave the cluster as the other tests expect it.
    for (const p of made) store().delete('pods', p.ns, p.name, { gracePeriodSeconds: 0 });
    for (const ns of namespaces) for (let k = 0; k < 6; k++) if (store().peek('networkpolicies', ns, `rnd-pol-${k}`)) store().delete('networkpolicies', ns, `rnd-pol-${k}`);
    await settled();
  }, 120_000);

  it('a client that missed a delta sees the gap and gets a replay; a very old seq gets a snapshot', async () => {
    const socket = await client();
    const view: ViewSpec = { level: 'namespace', namespaces: 'all' };
    const sub = await openView(socket, view);
    const seqBefore = sub.state!.seq;
    const gaps: number[] = [];
    // A second subscription object on the same socket, which drops the first delta it sees.
    const lossy = new ViewSubscription(socket, view, { gap: (expected) => gaps.push(expected) });
    lossy.state = structuredClone(sub.state);
    let dropped = false;
    const original = (lossy as unknown as { onDelta: (d: ViewDelta) => void }).onDelta;
    socket.off('view:delta', original);
    socket.on('view:delta', (d: ViewDelta) => {
      if (!dropped && d.viewId === lossy.viewId) {
        dropped = true;
        return;
      }
      original(d);
    });
    store().create('networkpolicies', denyAll('monitoring', 'gap-1'));
    await sub.waitFor((s) => s.seq > seqBefore, 2000);
    store().create('networkpolicies', denyAll('staging', 'gap-2'));
    await sub.waitFor((s) => s.nodes.get('staging')?.isolation.egress === true, 2000);
    await lossy.waitFor((s) => s.nodes.get('staging')?.isolation.egress === true, 2000);
    expect(dropped).toBe(true);
    expect(gaps).toEqual([seqBefore]);
    expect(comparable(lossy.state!)).toEqual(comparable(sub.state!));

    const old = await request<{ mode: string }>(socket, 'view:resync', { viewId: sub.viewId, seq: 0 });
    expect(old.mode).toBe('snapshot');
    store().delete('networkpolicies', 'monitoring', 'gap-1');
    store().delete('networkpolicies', 'staging', 'gap-2');
    sub.close();
  });

  it('answers explain:connection and policy:selection', async () => {
    const socket = await client();
    const prodPods = store().list('pods', 'prod').map((p) => `prod/${(p.metadata as { name: string }).name}`);
    const frontend = prodPods.find((id) => id.includes('frontend'))!;
    const checkout = prodPods.find((id) => id.includes('checkout'))!;
    const why = await request<ExplainResult>(socket, 'explain:connection', { level: 'pod', from: frontend, to: checkout });
    expect(why.explanation?.ingress.isolated).toBe(true);
    expect(why.explanation?.ingress.policies.every((p) => p.startsWith('prod/'))).toBe(true);
    const grouped = await request<ExplainResult>(socket, 'explain:connection', { level: 'namespace', from: 'staging', to: 'staging' });
    // staging isolates some pods for ingress (their rules are the reasons), and no pod for egress.
    expect(grouped.reasons?.egress).toBe('unisolated');
    const ingress = grouped.reasons?.ingress;
    expect(Array.isArray(ingress) && ingress.length > 0 && ingress.every((r) => r.policy.startsWith('staging/'))).toBe(true);
    expect(grouped.pairs.allowed).toBeGreaterThan(0);
    expect(grouped.pairs.allowed).toBeLessThanOrEqual(grouped.pairs.total);
    const selection = await request<PolicySelection>(socket, 'policy:selection', { pod: checkout });
    expect(selection.policies!.ingress.length).toBeGreaterThan(0);
    const pods = await request<PolicySelection>(socket, 'policy:selection', { policy: selection.policies!.ingress[0]! });
    expect(pods.pods).toContain(checkout);
  });

  it('answers a bad payload with an error Ack, and the socket stays usable', async () => {
    const socket = await client();
    await expect(request(socket, 'view:subscribe', { view: { level: 'cluster', namespaces: 'all' } })).rejects.toThrow(/bad-request.*view\.level/);
    await expect(request(socket, 'view:subscribe', { view: { level: 'pod', namespaces: 'all', labels: 'a in (' } })).rejects.toThrow(/bad-request.*labels/);
    await expect(request(socket, 'explain:connection', { level: 'pod', from: 'prod/none', to: 'prod/nothing' })).rejects.toThrow(/not-found/);
    await expect(request(socket, 'view:resync', 'nonsense')).rejects.toThrow(/bad-request/);
    const sub = await openView(socket, { level: 'namespace', namespaces: ['prod'] });
    expect(sub.state!.nodes.has('prod')).toBe(true);
    expect(sub.state!.nodes.has('staging')).toBe(false);
    sub.close();
  });

  it('shows a past instant from the history: the state of then, no deltas; an instant it cannot show is refused', async () => {
    const socket = await client();
    const view: ViewSpec = { level: 'namespace', namespaces: 'all' };
    const sub = await openView(socket, view);
    await settled();
    const then = comparable(sub.state!, { seq: false });
    const [from, to] = ['ci', 'kube-system'];
    const whyThen = await request<ExplainResult>(socket, 'explain:connection', { level: 'namespace', from, to });
    const at = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 50));
    store().create('networkpolicies', denyAll('kube-system', 'past-1'));
    await sub.waitFor((s) => s.nodes.get('kube-system')?.isolation.ingress === true, 2000);

    const past = await openView(socket, { ...view, at });
    expect(past.viewId).not.toBe(sub.viewId);
    expect({ ...(comparable(past.state!, { seq: false }) as object), status: null }).toEqual({ ...(then as object), status: null });
    // Explanations follow the instant too: as they were, not as they are.
    expect(await request<ExplainResult>(socket, 'explain:connection', { level: 'namespace', from, to, at })).toEqual(whyThen);
    expect(await request<ExplainResult>(socket, 'explain:connection', { level: 'namespace', from, to })).not.toEqual(whyThen);
    const pastSeq = past.state!.seq;
    store().delete('networkpolicies', 'kube-system', 'past-1');
    await sub.waitFor((s) => s.nodes.get('kube-system')?.isolation.ingress === false, 2000);
    await new Promise((r) => setTimeout(r, 300));
    expect(past.state!.seq).toBe(pastSeq);


    const refused = await new Promise<{ ok: boolean; error?: { code: string; message: string } }>((resolve) =>
      socket.emit('view:subscribe', { view: { ...view, at: '2000-01-01T00:00:00Z' } }, resolve),
    );
    expect(refused.ok).toBe(false);
    expect(refused.error?.code).toBe('not-available');
    expect(refused.error?.message).toContain('history starts');
    past.close();
    sub.close();
  });

  it('refuses a foreign Origin', async () => {
    await expect(connect(server.url, { origin: 'https://evil.example' })).rejects.toThrow();
    const own = await client({ origin: server.url });
    expect(own.connected).toBe(true);
  });
});

describe('a restarted server', () => {
  it('the client reconnects by itself, subscribes again and gets a fresh snapshot', async () => {
    const first = await startServer(serveConfig({ port: 0, simulate: true }), { info: () => {} });
    const port = first.port;
    const socket = io(first.url, { transports: ['websocket'], reconnectionDelay: 100, reconnectionDelayMax: 300, auth: { protocol: PROTOCOL_VERSION } });
    sockets.push(socket);
    const sub = new ViewSubscription(socket, { level: 'namespace', namespaces: 'all' });
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    await sub.subscribe();
    await sub.waitFor((s) => s.nodes.has('staging'), 10_000);
    await first.stop();
    const second = await startServer(serveConfig({ port, simulate: true }), { info: () => {} });
    try {
      second.sim!.store.create('networkpolicies', denyAll('staging'));
      await sub.waitFor((s) => s.nodes.get('staging')?.isolation.ingress === true, 10_000);
    } finally {
      socket.disconnect();
      await second.stop();
    }
  }, 40_000);
});

describe('a server with a token', () => {
  let secured: RunningServer;
  beforeAll(async () => {
    secured = await startServer(serveConfig({ port: 0, simulate: true, token: 'correct-horse-battery-staple' }), { info: () => {} });
  }, 30_000);
  afterAll(async () => secured?.stop());

  it('refuses a wrong or missing token and accepts the right one', async () => {
    await expect(connect(secured.url)).rejects.toThrow(/unauthorized/);
    await expect(connect(secured.url, { token: 'wrong-token-wrong-token' })).rejects.toThrow(/unauthorized/);
    const ok = await connect(secured.url, { token: 'correct-horse-battery-staple' });
    expect(ok.connected).toBe(true);
    ok.disconnect();
    const rest = await fetch(`${secured.url}/api/v1/snapshot`);
    expect(rest.status).toBe(401);
  });
});
