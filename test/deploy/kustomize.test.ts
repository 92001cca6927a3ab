// deploy/kubernetes (the kustomize base) and deploy/kubernetes-namespaced (its overlay), rendered by
// `kubectl kustomize` as users render them: valid against the Kubernetes schemas, read-only RBAC on
// exactly the watched resources, a Deployment that meets the restricted Pod Security profile, and a
// NetworkPolicy that does what its comment says (checked by Traffic Map's own engine).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../server/cli/main.ts';
import { schemaErrors, type KubeObject } from './kube-schema.ts';
import { restrictedViolations, type PodTemplate } from './pod-security.ts';
import { REPO, find, grants, kustomize, parseObjects, render } from './render.ts';

const BASE = 'deploy/kubernetes';
const NAMESPACED = 'deploy/kubernetes-namespaced';
const READ_ONLY = ['get', 'list', 'watch'];
/** `group/resource` x get, list, watch, sorted like grants(). */
const readOnly = (...resources: string[]) => resources.flatMap((r) => READ_ONLY.map((v) => `${r}:${v}`)).sort();

interface Container {
  name: string;
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  ports?: { name?: string; containerPort: number }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: { readOnlyRootFilesystem?: boolean };
  volumeMounts?: { name: string; mountPath: string }[];
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
}
type DeploymentSpec = { template: PodTemplate & { spec: { serviceAccountName?: string; securityContext?: { runAsUser?: number }; containers: Container[] } } };

const spec = <T>(o: KubeObject) => o['spec'] as T;
const containerOf = (deployment: KubeObject): Container => spec<DeploymentSpec>(deployment).template.spec.containers[0]!;

/** The Dockerfile's final `ENV NAME=value` and numeric `USER`, which the Deployment must agree with. */
function dockerfileFacts(): { env: Record<string, string>; uid: number } {
  const text = readFileSync(join(REPO, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  const finalStage = text.split(/^FROM /m).pop()!;
  const env: Record<string, string> = {};
  for (const line of finalStage.split('\n').filter((l) => l.startsWith('ENV '))) {
    for (const m of line.slice(4).matchAll(/(\w+)=(\S+)/g)) env[m[1]!] = m[2]!;
  }
  const user = /^USER (\d+)/m.exec(finalStage);
  if (!user) throw new Error('Dockerfile: the final stage has no numeric USER');
  return { env, uid: Number(user[1]) };
}

describe(`${BASE} (kustomize base)`, () => {
  const objects = render(BASE);

  it('renders exactly the objects of an install, and no Secret (the user creates the token)', () => {
    const kinds = objects.map((o) => o.kind).sort();
    expect(kinds).toEqual(['ClusterRole', 'ClusterRoleBinding', 'Deployment', 'Namespace', 'NetworkPolicy', 'Service', 'ServiceAccount']);
  });

  it('every object is valid against the Kubernetes schemas (no unknown fields)', () => {
    expect(objects.flatMap(schemaErrors)).toEqual([]);
  });

  it('the schema check rejects a wrong type and a misspelt field', () => {
    const deployment = structuredClone(find(objects, 'Deployment', 'traffic-map'));
    const d = spec<{ replicas: unknown } & DeploymentSpec>(deployment);
    d.replicas = 'one';
    const sc = d.template.spec.containers[0]!.securityContext as Record<string, unknown>;
    sc['readOnlyRootFileSystem'] = sc['readOnlyRootFilesystem'];
    delete sc['readOnlyRootFilesystem'];
    const errors = schemaErrors(deployment).join('\n');
    expect(errors).toMatch(/replicas must be integer/);
    expect(errors).toMatch(/unknown field spec\.template\.spec\.containers\[0\]\.securityContext\.readOnlyRootFileSystem/);
  });

  it('the ClusterRole grants get, list and watch on the watched resources, and nothing else', () => {
    expect(grants(find(objects, 'ClusterRole', 'traffic-map-reader'))).toEqual(
      readOnly(
        'core/pods',
        'core/namespaces',
        'networking.k8s.io/networkpolicies',
        'policy.networking.k8s.io/adminnetworkpolicies',
        'policy.networking.k8s.io/baselineadminnetworkpolicies',
      ),
    );
  });

  it("binds the ClusterRole to the Deployment's service account", () => {
    const deployment = find(objects, 'Deployment', 'traffic-map');
    const sa = find(objects, 'ServiceAccount', spec<DeploymentSpec>(deployment).template.spec.serviceAccountName ?? 'default', 'traffic-map');
    const binding = find(objects, 'ClusterRoleBinding', 'traffic-map-reader');
    expect(binding['roleRef']).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'traffic-map-reader' });
    expect(binding['subjects']).toEqual([{ kind: 'ServiceAccount', name: sa.metadata.name, namespace: sa.metadata.namespace }]);
  });

  it('the Deployment meets the restricted Pod Security profile, which its namespace enforces', () => {
    const deployment = find(objects, 'Deployment', 'traffic-map');
    expect(restrictedViolations(spec<DeploymentSpec>(deployment).template)).toEqual([]);
    expect(find(objects, 'Namespace', 'traffic-map').metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });

  it('the Deployment listens off loopback with a token from the Secret the user creates', () => {
    const c = containerOf(find(objects, 'Deployment', 'traffic-map'));
    expect(c.args).toEqual(expect.arrayContaining(['--host', '0.0.0.0']));
    expect(c.args).not.toContain('--insecure-no-auth');
    expect(c.args).not.toContain('--token');
    expect(c.env).toEqual([{ name: 'TRAFFIC_MAP_TOKEN', valueFrom: { secretKeyRef: { name: 'traffic-map-token', key: 'token' } } }]);
  });

  it('the Deployment has resources, probes on its port, and agrees with the image (user, writable folders)', () => {
    const deployment = find(objects, 'Deployment', 'traffic-map');
    const c = containerOf(deployment);
    expect(Object.keys(c.resources?.requests ?? {}).sort()).toEqual(['cpu', 'memory']);
    expect(c.resources?.limits?.['memory']).toBeDefined();
    const port = c.ports?.[0];
    expect(port?.containerPort).toBe(8080);
    expect(c.args).toEqual(expect.arrayContaining(['--port', String(port?.containerPort)]));
    expect(c.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: port?.name });
    expect(c.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: port?.name });
    // A read-only root filesystem: the history folder of the image ($XDG_DATA_HOME) and /tmp are volumes.
    const image = dockerfileFacts();
    expect(c.securityContext?.readOnlyRootFilesystem).toBe(true);
    expect(c.volumeMounts?.map((m) => m.mountPath).sort()).toEqual([image.env['XDG_DATA_HOME'], '/tmp'].sort());
    expect(spec<DeploymentSpec>(deployment).template.spec.securityContext?.runAsUser).toBe(image.uid);
  });

  it('the Service is cluster-internal and targets the container port', () => {
    const svc = spec<{ type: string; ports: { port: number; targetPort: string }[]; selector: Record<string, string> }>(find(objects, 'Service', 'traffic-map'));
    const deployment = find(objects, 'Deployment', 'traffic-map');
    expect(svc.type).toBe('ClusterIP');
    expect(svc.ports.map((p) => p.targetPort)).toEqual([containerOf(deployment).ports?.[0]?.name]);
    expect((deployment['spec'] as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels).toMatchObject(svc.selector);
  });

  describe('the NetworkPolicy, checked by traffic-map itself', () => {
    // The rendered install plus a pod in another namespace, one in the dashboard's namespace and DNS.
    const others = `
apiVersion: v1
kind: Namespace
metadata: { name: other }
---
apiVersion: v1
kind: Pod
metadata: { name: client, namespace: other, labels: { app: client } }
spec: { containers: [{ name: c, image: x }] }
---
apiVersion: v1
kind: Pod
metadata: { name: debug, namespace: traffic-map, labels: { app: debug } }
spec: { containers: [{ name: c, image: x }] }
---
apiVersion: v1
kind: Namespace
metadata: { name: kube-system }
---
apiVersion: v1
kind: Pod
metadata: { name: coredns, namespace: kube-system, labels: { k8s-app: kube-dns } }
spec: { containers: [{ name: c, image: x, ports: [{ name: dns, containerPort: 53, protocol: UDP }] }] }
`;
    const dir = mkdtempSync(join(tmpdir(), 'traffic-map-deploy-'));
    writeFileSync(join(dir, 'install.yaml'), kustomize(BASE));
    writeFileSync(join(dir, 'others.yaml'), others);
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    const DASHBOARD = 'traffic-map/traffic-map[Deployment]';
    async function verdict(from: string, to: string, port: number, protocol = 'TCP'): Promise<string> {
      let out = '';
      let err = '';
      const code = await main(['check', dir, '--from', from, '--to', to, '--port', String(port), '--protocol', protocol], { out: (t) => (out += t), err: (t) => (err += t) });
      if (code !== 0) throw new Error(`traffic-map check exited ${code}: ${err}`);
      return out.split(':')[0]!.toLowerCase();
    }

    it('the dashboard is isolated both ways (`unprotected --fail` passes)', async () => {
      const code = await main(['unprotected', join(dir, 'install.yaml'), '--fail'], { out: () => undefined, err: () => undefined });
      expect(code).toBe(0);
    });

    it('in: its port from its own namespace only', async () => {
      expect(await verdict('traffic-map/debug', DASHBOARD, 8080)).toBe('allowed');
      expect(await verdict('other/client', DASHBOARD, 8080)).toBe('denied');
      expect(await verdict('traffic-map/debug', DASHBOARD, 9090)).toBe('denied');
    });

    it('out: the API server on 443 and 6443 at any address, DNS in kube-system, nothing else', async () => {
      expect(await verdict(DASHBOARD, '10.96.0.1', 443)).toBe('allowed');
      expect(await verdict(DASHBOARD, '172.18.0.2', 6443)).toBe('allowed');
      expect(await verdict(DASHBOARD, '10.96.0.1', 80)).toBe('denied');
      expect(await verdict(DASHBOARD, 'kube-system/coredns', 53, 'UDP')).toBe('allowed');
      expect(await verdict(DASHBOARD, 'other/client', 53, 'UDP')).toBe('denied');
      expect(await verdict(DASHBOARD, 'other/client', 8080)).toBe('denied');
    });
  });
});

describe(`${NAMESPACED} (overlay: watch listed namespaces only)`, () => {
  const objects = render(NAMESPACED);
  const deployment = find(objects, 'Deployment', 'traffic-map');
  const args = containerOf(deployment).args ?? [];
  // The values after --namespace, up to the next flag.
  const start = args.indexOf('--namespace') + 1;
  const end = args.findIndex((a, i) => i >= start && a.startsWith('--'));
  const watched = args.slice(start, end === -1 ? undefined : end);

  it('every object is valid, and the Deployment still meets the restricted profile', () => {
    expect(objects.flatMap(schemaErrors)).toEqual([]);
    expect(restrictedViolations(spec<DeploymentSpec>(deployment).template)).toEqual([]);
  });

  it('keeps no cluster-wide right on pods or policies: only namespaces and the cluster-scoped admin policies', () => {
    expect(objects.filter((o) => o.kind === 'ClusterRole').map((o) => o.metadata.name)).toEqual(['traffic-map-cluster-scoped-reader']);
    expect(grants(find(objects, 'ClusterRole', 'traffic-map-cluster-scoped-reader'))).toEqual(
      readOnly('core/namespaces', 'policy.networking.k8s.io/adminnetworkpolicies', 'policy.networking.k8s.io/baselineadminnetworkpolicies'),
    );
    const binding = find(objects, 'ClusterRoleBinding', 'traffic-map-cluster-scoped-reader');
    expect(binding['subjects']).toEqual([{ kind: 'ServiceAccount', name: 'traffic-map', namespace: 'traffic-map' }]);
  });

  it('has one read-only Role on pods and NetworkPolicies, bound to the service account, in each namespace of --namespace', () => {
    expect(args.includes('--namespace')).toBe(true);
    expect(watched.length).toBeGreaterThan(0);
    const roles = objects.filter((o) => o.kind === 'Role');
    expect(roles.map((r) => r.metadata.namespace).sort()).toEqual([...watched].sort());
    for (const role of roles) {
      expect(grants(role)).toEqual(readOnly('core/pods', 'networking.k8s.io/networkpolicies'));
      const binding = find(objects, 'RoleBinding', role.metadata.name, role.metadata.namespace);
      expect(binding['roleRef']).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.metadata.name });
      expect(binding['subjects']).toEqual([{ kind: 'ServiceAccount', name: 'traffic-map', namespace: 'traffic-map' }]);
    }
  });
});

describe('both installs', () => {
  const all = [...render(BASE), ...render(NAMESPACED)];

  it('no role mentions Secrets, wildcards or a verb other than get, list, watch', () => {
    const roles = all.filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role');
    expect(roles.length).toBeGreaterThan(0);
    for (const role of roles) {
      for (const grant of grants(role)) {
        expect(grant).not.toMatch(/secrets|\*/);
        expect(READ_ONLY).toContain(grant.split(':')[1]);
      }
    }
  });

  it('parseObjects names the source of a YAML error', () => {
    expect(() => parseObjects('a: [1\n', 'broken.yaml')).toThrow(/broken\.yaml, document 1/);
  });
});
