// The whole live path as a user drives it: the server watches the simulated cluster through the
// real client-node informers, and /usr/bin/kubectl changes the cluster; the snapshot follows.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveConfig } from '../../server/config.ts';
import { startServer, type RunningServer } from '../../server/main.ts';
import type { LiveSnapshot } from '../../server/live/snapshot.ts';

const run = promisify(execFile);
let server: RunningServer;
let dir: string;

async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await run('/usr/bin/kubectl', ['--kubeconfig', server.simKubeconfig!, '--cache-dir', join(dir, 'cache'), ...args], { timeout: 20_000 });
  return stdout;
}

async function snapshot(): Promise<LiveSnapshot> {
  const res = await fetch(`${server.url}/api/v1/snapshot?group=namespace`);
  expect(res.status).toBe(200);
  return (await res.json()) as LiveSnapshot;
}

/**
 * kube-system's isolation: no policy of any tier isolates it in the demo (staging's pods have the
 * BaselineAdminNetworkPolicy's Deny rule, which counts as ingress isolation).
 */
function kubeSystem(s: LiveSnapshot) {
  const node = s.nodes.find((n) => n.id === 'kube-system');
  if (!node || node.kind === 'external') throw new Error('no kube-system namespace node');
  return node.isolation;
}

/** Polls the snapshot until `check` holds; returns how long it took. Fails after 1 s. */
async function within1s(check: (s: LiveSnapshot) => boolean): Promise<number> {
  const start = performance.now();
  for (;;) {
    const s = await snapshot();
    if (check(s)) return performance.now() - start;
    if (performance.now() - start > 1000) throw new Error(`not reflected within 1 s: ${JSON.stringify(kubeSystem(s))}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function policyFile(name: string, types: string[]): string {
  const path = join(dir, `${name}-${types.join('-')}.yaml`);
  writeFileSync(
    path,
    ['apiVersion: networking.k8s.io/v1', 'kind: NetworkPolicy', `metadata: { name: ${name}, namespace: kube-system }`, 'spec:', '  podSelector: {}', `  policyTypes: [${types.join(', ')}]`, ''].join('\n'),
  );
  return path;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tm-serve-'));
  server = await startServer(serveConfig({ port: 0, simulate: true }), { info: () => {} });
  const start = Date.now();
  while ((await snapshot()).unknown !== 'all' ? false : Date.now() - start < 10_000) await new Promise((r) => setTimeout(r, 50));
}, 30_000);

afterAll(async () => {
  await server?.stop();
});

describe('kubectl against the simulated cluster, watched by the live server', () => {
  it('starts synced, with kube-system unprotected', async () => {
    const s = await snapshot();
    expect(s.unknown).toEqual([]);
    expect(Object.values(s.status).flat().every((st) => st.state === 'synced')).toBe(true);
    expect(kubeSystem(s)).toEqual({ ingress: false, egress: false });
    const pods = await kubectl('get', 'pods', '-A');
    expect(pods).toContain('staging');
  });

  it('apply, change and re-apply, delete: each step reaches the snapshot within 1 s', async () => {
    await kubectl('apply', '-f', policyFile('default-deny', ['Ingress']));
    await within1s((s) => kubeSystem(s).ingress === true && kubeSystem(s).egress === false);

    await kubectl('apply', '-f', policyFile('default-deny', ['Ingress', 'Egress']));
    await within1s((s) => kubeSystem(s).ingress === true && kubeSystem(s).egress === true);

    await kubectl('delete', 'networkpolicy', 'default-deny', '-n', 'kube-system');
    await within1s((s) => kubeSystem(s).ingress === false && kubeSystem(s).egress === false);
  });

  it('sequence numbers only go up, and the REST snapshot needs no token on loopback', async () => {
    const a = await snapshot();
    await kubectl('label', 'namespace', 'staging', 'tier=test', '--overwrite');
    await within1s((s) => s.seq > a.seq);
  });
});

describe('pods and namespaces through the same path', () => {
  it('a pod created and deleted with kubectl appears in and leaves the pod-level snapshot within 1 s', async () => {
    const path = join(dir, 'pod.yaml');
    writeFileSync(
      path,
      [
        'apiVersion: v1',
        'kind: Pod',
        'metadata: { name: debug-shell, namespace: staging, labels: { app: debug } }',
        'spec: { containers: [{ name: shell, image: busybox }] }',
        '',
      ].join('\n'),
    );
    const podIds = async () => {
      const res = await fetch(`${server.url}/api/v1/snapshot?group=pod`);
      const doc = (await res.json()) as LiveSnapshot;
      return doc.nodes.filter((n) => n.kind === 'pod').map((n) => n.id);
    };
    const waitFor = async (check: (ids: string[]) => boolean) => {
      const start = performance.now();
      while (!check(await podIds())) {
        if (performance.now() - start > 1000) throw new Error('not reflected within 1 s');
        await new Promise((r) => setTimeout(r, 25));
      }
    };
    await kubectl('create', '-f', path);
    await waitFor((ids) => ids.includes('staging/debug-shell'));
    await kubectl('delete', 'pod', 'debug-shell', '-n', 'staging', '--wait=false');
    await waitFor((ids) => !ids.includes('staging/debug-shell'));
  });
});

describe('missing data is unknown, never open or protected', () => {
  it('a forbidden networkpolicies watch turns pods unknown; recovery restores them', async () => {
    const sim = server.sim!;
    const rule = sim.faults.forbid('networkpolicies');
    sim.faults.dropWatches('networkpolicies');
    const waitFor = async (check: (s: LiveSnapshot) => boolean, what: string) => {
      const start = Date.now();
      for (;;) {
        const s = await snapshot();
        if (check(s)) return s;
        if (Date.now() - start > 15_000) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(s.status.networkpolicies)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    const unknown = await waitFor((s) => s.unknown === 'all', 'unknown');
    expect(unknown.status.networkpolicies[0]!.state).toBe('forbidden');
    expect(kubeSystem(unknown)).toEqual({ ingress: null, egress: null });
    expect(unknown.connections).toEqual([]);

    sim.faults.clear(rule);
    const known = await waitFor((s) => s.unknown !== 'all', 'recovery');
    expect(known.status.networkpolicies[0]!.state).toBe('synced');
    expect(kubeSystem(known)).toEqual({ ingress: false, egress: false });
    expect(known.connections.length).toBeGreaterThan(0);
  }, 40_000);
});
