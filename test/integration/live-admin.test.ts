// AdminNetworkPolicy and BaselineAdminNetworkPolicy in live mode, end to end: the live server
// watches the simulated demo cluster (which serves them) through the real client-node path; its
// analysis equals the CLI's analysis of the same objects; kubectl applies an ANP and the view
// follows within a second; a cluster without the CRDs reports them `not-installed` (known, no
// error); a 403 on them makes every pod unknown; explain and the policy list name tiers.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveConfig } from '../../server/config.ts';
import type { LiveSnapshot } from '../../server/live/snapshot.ts';
import { startServer, type RunningServer } from '../../server/main.ts';
import { startSimulatedCluster } from '../../server/sim/simulated-cluster.ts';
import { ADMIN_RESOURCE_KINDS, RESOURCE_KINDS } from '../../shared/model/status.ts';
import type { AnalysisDocument } from '../../shared/matrix/report.ts';
import type { ExplainResult, PolicyList, PolicySelection } from '../../shared/protocol/events.ts';
import { request } from '../../shared/protocol/subscription.ts';
import { comparable, connect, openView } from '../support/view-client.ts';

const run = promisify(execFile);
let server: RunningServer;
let dir: string;
const sockets: Socket[] = [];

async function snapshot(group: 'namespace' | 'pod' = 'namespace', s: RunningServer = server): Promise<LiveSnapshot> {
  const res = await fetch(`${s.url}/api/v1/snapshot?group=${group}`);
  expect(res.status).toBe(200);
  return (await res.json()) as LiveSnapshot;
}

async function waitFor(check: (s: LiveSnapshot) => boolean, what: string, s: RunningServer = server, timeoutMs = 15_000): Promise<LiveSnapshot> {
  const start = Date.now();
  for (;;) {
    const snap = await snapshot('namespace', s);
    if (check(snap)) return snap;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(snap.status)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function client(): Promise<Socket> {
  const socket = await connect(server.url);
  sockets.push(socket);
  return socket;
}

async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await run('/usr/bin/kubectl', ['--kubeconfig', server.simKubeconfig!, '--cache-dir', join(dir, 'kube-cache'), ...args], { timeout: 20_000 });
  return stdout;
}

const podsIn = (ns: string) => server.sim!.store.list('pods', ns).map((p) => `${ns}/${(p.metadata as { name: string }).name}`);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tm-live-admin-'));
  server = await startServer(serveConfig({ port: 0, simulate: true }), { info: () => {} });
  await waitFor((s) => s.unknown !== 'all', 'the first sync');
}, 60_000);

afterAll(async () => {
  for (const s of sockets) s.close();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('live server on the demo cluster (which serves the admin policy API)', () => {
  it('watches both admin resources: synced, with the demo ANPs and BANP in the model', async () => {
    const s = await snapshot();
    for (const kind of RESOURCE_KINDS) expect(s.status[kind].map((x) => x.state), kind).toEqual(['synced']);
    expect(s.unknown).toEqual([]);
    const cluster = server.engine.state.cluster();
    expect(cluster.adminPolicies.map((p) => p.name)).toEqual(server.sim!.store.list('adminnetworkpolicies').map((o) => (o.metadata as { name: string }).name).sort());
    expect(cluster.adminPolicies.length).toBeGreaterThan(0);
    expect(cluster.baselineAdminPolicy?.name).toBe('default');
  });

  it('the live analysis equals the CLI analysis of the same objects (pod level)', async () => {
    const out = join(dir, 'dump');
    mkdirSync(out);
    for (const resource of RESOURCE_KINDS) {
      writeFileSync(join(out, `${resource}.json`), JSON.stringify({ apiVersion: 'v1', kind: 'List', items: server.sim!.store.list(resource) }));
    }
    const { stdout } = await run(process.execPath, ['bin/traffic-map.js', 'analyze', out, '--group', 'pod', '--format', 'json'], { timeout: 60_000, maxBuffer: 64 << 20 });
    const cli = JSON.parse(stdout) as AnalysisDocument;
    const live = await snapshot('pod');
    // The admin policies decide some of it: otherwise this comparison would prove nothing about them.
    const tiers = new Set(cli.connections.flatMap((c) => [c.reasons.ingress, c.reasons.egress]).flatMap((r) => (r === 'unisolated' ? [] : r.map((x) => x.tier))));
    expect(tiers).toContain('anp');
    expect(live.nodes).toEqual(cli.nodes);
    expect(live.connections).toEqual(cli.connections);
    expect(live.findings).toEqual(cli.findings);
    expect(live.excluded).toEqual(cli.excluded);
  });

  it('explain:connection names the tier and action of each deciding rule', async () => {
    const socket = await client();
    // A running CI job pod (no egress policy) to the prod frontend: the demo's ANP deny-ci-to-prod denies it.
    const job = podsIn('ci').find((id) => id.includes('project-42'))!;
    const frontend = podsIn('prod').find((id) => id.includes('frontend'))!;
    const denied = await request<ExplainResult>(socket, 'explain:connection', { level: 'pod', from: job, to: frontend });
    expect(denied.unknown).toBe(false);
    expect(denied.explanation!.verdict).toBe(false);
    const ingress = denied.explanation!.ingress;
    expect(ingress.admin!.policies).toContain('deny-ci-to-prod');
    expect(ingress.decision![0]).toMatchObject({ tier: 'anp', policy: 'deny-ci-to-prod', rule: 0, ruleName: 'deny-from-ci', action: 'Deny', priority: 20, ports: 'all' });
    expect(ingress.decision![0]!.text).toBe('ANP deny-ci-to-prod (priority 20) rule 0 "deny-from-ci": Deny');

    // Prometheus to a prod pod's metrics port: allowed by the ANP; the other ports are passed to
    // checkout's NetworkPolicies, whose only rule matching Prometheus opens that same metrics port.
    const prometheus = podsIn('monitoring').find((id) => id.includes('prometheus'))!;
    const checkout = podsIn('prod').find((id) => id.includes('checkout'))!;
    const scrape = await request<ExplainResult>(socket, 'explain:connection', { level: 'pod', from: prometheus, to: checkout, port: { protocol: 'TCP', port: 9090 } });
    expect(scrape.explanation!.verdict).toBe(true);
    const steps = scrape.explanation!.ingress.decision!;
    expect(steps[0]).toMatchObject({ tier: 'anp', policy: 'allow-monitoring-scrape', action: 'Allow', ports: [{ protocol: 'TCP', port: 9090, endPort: 9090 }] });
    expect(steps.slice(1).map((s) => [s.tier, s.action])).toEqual([['np', 'Deny']]);
    expect(steps.every((s) => s.text.length > 0)).toBe(true);

    // Grouped levels: the merged reasons carry tier and action.
    const grouped = await request<ExplainResult>(socket, 'explain:connection', { level: 'namespace', from: 'monitoring', to: 'prod' });
    const reasons = grouped.reasons!.ingress;
    expect(Array.isArray(reasons) && reasons.some((r) => r.tier === 'anp' && r.policy === 'allow-monitoring-scrape' && r.action === 'Allow')).toBe(true);
  });

  it('policy:list lists every tier in evaluation order; policy:selection takes admin ids', async () => {
    const socket = await client();
    const { policies } = await request<PolicyList>(socket, 'policy:list', {});
    const tiers = policies.map((p) => p.tier);
    // ANPs, then NetworkPolicies, then the BANP.
    expect(tiers.indexOf('np')).toBeGreaterThan(tiers.lastIndexOf('anp'));
    expect(tiers.at(-1)).toBe('banp');
    const anps = policies.filter((p) => p.tier === 'anp');
    expect(anps.map((p) => p.priority)).toEqual([...anps.map((p) => p.priority)].sort((a, b) => a! - b!));
    const deny = policies.find((p) => p.id === 'AdminNetworkPolicy/deny-ci-to-prod')!;
    expect(deny).toMatchObject({ tier: 'anp', name: 'deny-ci-to-prod', priority: 20, ingressRules: 1, egressRules: 0, unknown: false });
    expect(policies.filter((p) => p.tier === 'np').length).toBe(server.sim!.store.count('networkpolicies'));

    // The pods counted are the pods policy:selection names, for each tier.
    for (const id of ['AdminNetworkPolicy/deny-ci-to-prod', 'BaselineAdminNetworkPolicy/default', 'prod/default-deny']) {
      const selection = await request<PolicySelection>(socket, 'policy:selection', { policy: id });
      expect(selection.pods!.length, id).toBe(policies.find((p) => p.id === id)!.pods);
    }
    const prodRunning = (await snapshot('pod')).nodes.filter((n) => n.kind === 'pod' && n.namespace === 'prod').map((n) => n.id).sort();
    expect((await request<PolicySelection>(socket, 'policy:selection', { policy: 'AdminNetworkPolicy/deny-ci-to-prod' })).pods).toEqual(prodRunning);

    const frontend = podsIn('prod').find((id) => id.includes('frontend'))!;
    const forPod = await request<PolicySelection>(socket, 'policy:selection', { pod: frontend });
    expect(forPod.adminPolicies!.ingress).toEqual(['AdminNetworkPolicy/allow-monitoring-scrape', 'AdminNetworkPolicy/deny-ci-to-prod']);
    expect(forPod.adminPolicies!.egress).toEqual([]);
    await expect(request(socket, 'policy:selection', { policy: 'AdminNetworkPolicy/nope' })).rejects.toThrow(/not-found/);
  });

  it('an ANP applied with kubectl changes the view within 1 s; deleting it restores the view', async () => {
    const socket = await client();
    const sub = await openView(socket, { level: 'namespace', namespaces: 'all' });
    const kubeSystem = () => sub.state!.nodes.get('kube-system')!.isolation;
    expect(kubeSystem()).toEqual({ ingress: false, egress: false });
    expect(sub.state!.cells.has('monitoring\tkube-system')).toBe(true);
    const before = comparable(sub.state!, { seq: false });
    const file = join(dir, 'anp.yaml');
    writeFileSync(
      file,
      [
        'apiVersion: policy.networking.k8s.io/v1alpha1',
        'kind: AdminNetworkPolicy',
        'metadata: { name: kube-system-lockdown }',
        'spec:',
        '  priority: 5',
        '  subject: { namespaces: { matchLabels: { kubernetes.io/metadata.name: kube-system } } }',
        '  ingress:',
        '  - { name: deny-from-monitoring, action: Deny, from: [ { namespaces: { matchLabels: { kubernetes.io/metadata.name: monitoring } } } ] }',
        '',
      ].join('\n'),
    );
    await kubectl('apply', '-f', file);
    const applied = performance.now();
    // A Deny rule selecting every kube-system pod isolates them for ingress, and cuts monitoring -> kube-system.
    await sub.waitFor((s) => s.nodes.get('kube-system')!.isolation.ingress === true, 1000);
    expect(performance.now() - applied).toBeLessThan(1000);
    expect(sub.state!.cells.has('monitoring\tkube-system')).toBe(false);

    await kubectl('delete', 'adminnetworkpolicy', 'kube-system-lockdown');
    const deleted = performance.now();
    await sub.waitFor((s) => s.nodes.get('kube-system')!.isolation.ingress === false, 1000);
    expect(performance.now() - deleted).toBeLessThan(1000);
    expect(comparable(sub.state!, { seq: false })).toEqual(before);
    sub.close();
  });

  it('a 403 on adminnetworkpolicies makes every pod unknown (never open); recovery restores them', async () => {
    const sim = server.sim!;
    const rule = sim.faults.forbid('adminnetworkpolicies');
    sim.faults.dropWatches('adminnetworkpolicies');
    const unknown = await waitFor((s) => s.unknown === 'all', 'unknown');
    expect(unknown.status.adminnetworkpolicies[0]!.state).toBe('forbidden');
    expect(unknown.connections).toEqual([]);
    for (const node of unknown.nodes) if (node.kind !== 'external') expect(node.isolation, node.id).toEqual({ ingress: null, egress: null });
    const socket = await client();
    const job = podsIn('ci').find((id) => id.includes('project-42'))!;
    const frontend = podsIn('prod').find((id) => id.includes('frontend'))!;
    const why = await request<ExplainResult>(socket, 'explain:connection', { level: 'pod', from: job, to: frontend });
    expect(why.unknown).toBe(true);
    expect(why.allowed).toEqual([]);
    expect((await request<PolicyList>(socket, 'policy:list', {})).policies.every((p) => p.unknown && p.pods === null)).toBe(true);

    sim.faults.clear(rule);
    const known = await waitFor((s) => s.unknown !== 'all', 'recovery');
    expect(known.status.adminnetworkpolicies[0]!.state).toBe('synced');
    expect(known.connections.length).toBeGreaterThan(0);
  }, 40_000);
});

describe('a cluster that does not serve the admin policy API', () => {
  it('reports both admin resources not-installed, logs no error, and leaves no pod unknown', async () => {
    const sim = await startSimulatedCluster({ servesAdminPolicies: false });
    const logs: string[] = [];
    let other: RunningServer | undefined;
    try {
      const kubeconfig = await sim.writeKubeconfig(join(dir, 'no-admin.kubeconfig'));
      other = await startServer(serveConfig({ port: 0, kubeconfig, history: false }), { info: (m) => logs.push(m) });
      const s = await waitFor((x) => RESOURCE_KINDS.every((k) => x.status[k].every((st) => st.syncedOnce)), 'sync', other);
      for (const kind of ADMIN_RESOURCE_KINDS) expect(s.status[kind]).toEqual([{ state: 'not-installed', syncedOnce: true }]);
      expect(s.unknown).toEqual([]);
      expect(s.nodes.filter((n) => n.kind !== 'external' && n.isolation.ingress === null)).toEqual([]);
      expect(other.engine.state.cluster().adminPolicies).toEqual([]);
      // Not an error: nothing logged about it, and no list or watch of it was sent.
      expect(logs.filter((l) => /admin|policy\.networking|error|fail/i.test(l))).toEqual([]);
      expect(sim.requests.count({ path: /adminnetworkpolicies/ })).toBe(0);
      // Discovery asked for the group (and got 404).
      expect(sim.requests.count({ path: '/apis/policy.networking.k8s.io/v1alpha1', status: 404 })).toBeGreaterThan(0);
    } finally {
      await other?.stop();
      await sim.close();
    }
  }, 40_000);
});
