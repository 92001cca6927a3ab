// The simulated API server against the REAL kubectl (/usr/bin/kubectl, v1.32): discovery,
// server-side tables, apply/create WITHOUT --validate=false, re-apply as a strategic merge
// PATCH, delete, get -w, and HTTPS with a bearer token.
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulatedCluster } from '../../server/sim/simulated-cluster.ts';
import type { SimulatedCluster } from '../../server/sim/simulated-cluster.ts';

const KUBECTL = '/usr/bin/kubectl';
const hasKubectl = existsSync(KUBECTL);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let work: string;
let cacheN = 0;

/** Runs kubectl with the kubeconfig and a fresh --cache-dir (kubectl caches discovery for 10 minutes). */
function kubectl(kubeconfig: string, ...args: string[]): Promise<Run> {
  const cache = join(work, `cache-${++cacheN}`);
  return new Promise((resolve) => {
    execFile(KUBECTL, ['--kubeconfig', kubeconfig, '--cache-dir', cache, '--request-timeout', '15s', ...args], { timeout: 20_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const NETPOL = (port: number) => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: kubectl-test
  namespace: staging
spec:
  podSelector:
    matchLabels: { app: frontend }
  policyTypes: [Ingress]
  ingress:
    - from: [{ podSelector: { matchLabels: { tier: api } } }]
      ports: [{ port: ${port}, protocol: TCP }]
`;

const POD = `apiVersion: v1
kind: Pod
metadata:
  name: toolbox
  namespace: staging
  labels: { app: toolbox }
spec:
  containers:
    - name: shell
      image: busybox:1.36
      command: [sleep, infinity]
      ports: [{ name: http, containerPort: 8080 }]
`;

describe.skipIf(!hasKubectl)('kubectl against the simulated cluster over http', () => {
  let sim: SimulatedCluster;
  let kubeconfig: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'sim-kubectl-'));
    sim = await startSimulatedCluster({ scenario: 'demo' });
    kubeconfig = await sim.writeKubeconfig(join(work, 'kubeconfig'));
  });
  afterAll(async () => {
    await sim.close();
    await rm(work, { recursive: true, force: true });
  });

  it('get pods -A prints the server-side table of every namespace', async () => {
    const r = await kubectl(kubeconfig, 'get', 'pods', '-A');
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
    expect(lines).toHaveLength(sim.store.count('pods') + 1);
    expect(r.stdout).toMatch(/\nprod\s+postgres-0\s+2\/2\s+Running\s+0\s+\S+/);
    expect(r.stdout).toMatch(/\nci\s+runner-\S+-project-17-concurrent-0\s+0\/2\s+Completed/);
    expect(r.stderr).toBe('');
  });

  it('get ns lists the namespaces', async () => {
    const r = await kubectl(kubeconfig, 'get', 'ns');
    expect(r.code, r.stderr).toBe(0);
    for (const ns of ['default', 'kube-system', 'prod', 'staging', 'monitoring', 'ci']) expect(r.stdout).toMatch(new RegExp(`\\n${ns}\\s+Active\\s`));
  });

  it('get netpol -A -o json gives every NetworkPolicy with kind and apiVersion', async () => {
    const r = await kubectl(kubeconfig, 'get', 'netpol', '-A', '-o', 'json');
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { kind: string; items: { kind: string; apiVersion: string; metadata: { namespace: string; name: string } }[] };
    expect(doc.kind).toBe('List');
    expect(doc.items).toHaveLength(sim.store.count('networkpolicies'));
    expect(doc.items.every((i) => i.kind === 'NetworkPolicy' && i.apiVersion === 'networking.k8s.io/v1')).toBe(true);
    expect(doc.items.map((i) => `${i.metadata.namespace}/${i.metadata.name}`)).toContain('prod/allow-prometheus-scrape');
  });

  it('apply -f creates (no --validate=false), a changed file re-applies as a strategic merge PATCH, delete removes', async () => {
    const file = join(work, 'netpol.yaml');
    await writeFile(file, NETPOL(8080));
    const mark = sim.requests.mark();
    const created = await kubectl(kubeconfig, 'apply', '-f', file);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout.trim()).toBe('networkpolicy.networking.k8s.io/kubectl-test created');
    const stored = sim.store.get('networkpolicies', 'staging', 'kubectl-test')!;
    expect((stored['metadata'] as { annotations: Record<string, string> }).annotations['kubectl.kubernetes.io/last-applied-configuration']).toContain('"port":8080');
    const post = sim.requests.entries({ after: mark, resource: 'networkpolicies', verb: 'create' });
    expect(post).toHaveLength(1);
    expect(post[0]!.query).toMatchObject({ fieldManager: 'kubectl-client-side-apply', fieldValidation: 'Strict' });

    await writeFile(file, NETPOL(9090));
    const mark2 = sim.requests.mark();
    const changed = await kubectl(kubeconfig, 'apply', '-f', file);
    expect(changed.code, changed.stderr).toBe(0);
    expect(changed.stdout.trim()).toBe('networkpolicy.networking.k8s.io/kubectl-test configured');
    const patches = sim.requests.entries({ after: mark2, resource: 'networkpolicies', verb: 'patch' });
    expect(patches.map((p) => [p.status, p.contentType])).toEqual([[200, 'application/strategic-merge-patch+json']]);
    const spec = sim.store.get('networkpolicies', 'staging', 'kubectl-test')!['spec'] as { ingress: { ports: { port: number }[] }[] };
    expect(spec.ingress[0]!.ports).toEqual([{ port: 9090, protocol: 'TCP' }]);

    const unchanged = await kubectl(kubeconfig, 'apply', '-f', file);
    expect(unchanged.stdout.trim()).toBe('networkpolicy.networking.k8s.io/kubectl-test unchanged');

    const deleted = await kubectl(kubeconfig, 'delete', 'netpol', '-n', 'staging', 'kubectl-test');
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.stdout.trim()).toBe('networkpolicy.networking.k8s.io "kubectl-test" deleted');
    expect(sim.store.get('networkpolicies', 'staging', 'kubectl-test')).toBeUndefined();
  });

  it('apply -f of an AdminNetworkPolicy (a kind kubectl has no Go type for) re-applies as a merge patch', async () => {
    const file = join(work, 'anp.yaml');
    const anp = (priority: number) => `apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: { name: kubectl-anp }
spec:
  priority: ${priority}
  subject: { namespaces: { matchLabels: { env: staging } } }
  ingress:
    - { name: deny-ci, action: Deny, from: [{ namespaces: { matchLabels: { team: platform } } }] }
`;
    await writeFile(file, anp(40));
    expect((await kubectl(kubeconfig, 'apply', '-f', file)).stdout).toContain('created');
    await writeFile(file, anp(41));
    const mark = sim.requests.mark();
    const r = await kubectl(kubeconfig, 'apply', '-f', file);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('configured');
    expect(sim.requests.entries({ after: mark, verb: 'patch' }).map((p) => p.contentType)).toEqual(['application/merge-patch+json']);
    expect((sim.store.get('adminnetworkpolicies', undefined, 'kubectl-anp')!['spec'] as { priority: number }).priority).toBe(41);
  });

  it('create -f of a pod: it gets a Running status with an IP, like a kubelet would give it', async () => {
    const file = join(work, 'pod.yaml');
    await writeFile(file, POD);
    const r = await kubectl(kubeconfig, 'create', '-f', file);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('pod/toolbox created');
    const wide = await kubectl(kubeconfig, 'get', 'pod', '-n', 'staging', 'toolbox', '-o', 'wide');
    expect(wide.stdout).toMatch(/toolbox\s+1\/1\s+Running\s+0\s+\S+\s+10\.244\.\d+\.\d+\s+node-pool-a-\d/);
    const again = await kubectl(kubeconfig, 'create', '-f', file);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('AlreadyExists');
    const loose = join(work, 'pod-no-namespace.yaml');
    await writeFile(loose, POD.replace('  namespace: staging\n', ''));
    const missingNs = await kubectl(kubeconfig, 'create', '-f', loose, '-n', 'nope');
    expect(missingNs.code).not.toBe(0);
    expect(missingNs.stderr).toContain('namespaces "nope" not found');
  });

  it('create namespace (a protobuf body from kubectl\'s typed client) and delete namespace', async () => {
    const created = await kubectl(kubeconfig, 'create', 'namespace', 'lab');
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout.trim()).toBe('namespace/lab created');
    expect(sim.requests.entries({ resource: 'namespaces', verb: 'create' }).at(-1)!.contentType).toBe('application/vnd.kubernetes.protobuf');
    expect((sim.store.get('namespaces', undefined, 'lab')!['metadata'] as { labels: Record<string, string> }).labels).toEqual({ 'kubernetes.io/metadata.name': 'lab' });
    const deleted = await kubectl(kubeconfig, 'delete', 'namespace', 'lab');
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(sim.store.get('namespaces', undefined, 'lab')).toBeUndefined();
  });

  it('get -w prints an event as it happens; the test then ends it', async () => {
    const mark = sim.requests.mark();
    const child = spawn(KUBECTL, ['--kubeconfig', kubeconfig, '--cache-dir', join(work, 'cache-watch'), 'get', 'pods', '-n', 'ci', '-w'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const until = async (re: RegExp) => {
        for (let i = 0; i < 150 && !re.test(out); i++) await new Promise((r) => setTimeout(r, 100));
        expect(out).toMatch(re);
      };
      await until(/gitlab-runner-\S+\s+1\/1\s+Running/);
      // The table printed comes from the list; wait for the watch itself before changing anything.
      await sim.requests.waitFor({ resource: 'pods', verb: 'watch', status: 200, after: mark }, 15_000);
      sim.store.apply({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'watched-pod', namespace: 'ci' },
        spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] },
      });
      await until(/watched-pod\s+1\/1\s+Running/);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });
});

describe.skipIf(!hasKubectl)('kubectl against the simulated cluster over https with a bearer token', () => {
  let sim: SimulatedCluster;

  beforeAll(async () => {
    work ??= await mkdtemp(join(tmpdir(), 'sim-kubectl-'));
    sim = await startSimulatedCluster({ scenario: 'demo', https: true, tokens: ['kubectl-t0ken'] });
  });
  afterAll(async () => {
    await sim.close();
    await rm(work, { recursive: true, force: true });
  });

  it('get pods -A with the token from the kubeconfig', async () => {
    const kubeconfig = await sim.writeKubeconfig(join(work, 'https.kubeconfig'));
    const r = await kubectl(kubeconfig, 'get', 'pods', '-A');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\nprod\s+redis-0\s+1\/1\s+Running/);
    const authorized = sim.requests.entries({ resource: 'pods', verb: 'list' });
    expect(authorized.at(-1)!.status).toBe(200);
  });

  it('a wrong token gets 401 and kubectl fails asking for credentials', async () => {
    const kubeconfig = await sim.writeKubeconfig(join(work, 'wrong.kubeconfig'), { token: 'wrong' });
    const mark = sim.requests.mark();
    const r = await kubectl(kubeconfig, 'get', 'pods', '-A');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('the server has asked for the client to provide credentials');
    const answers = sim.requests.entries({ after: mark });
    expect(answers.length).toBeGreaterThan(0);
    expect(answers.every((a) => a.status === 401)).toBe(true);
  });
});
