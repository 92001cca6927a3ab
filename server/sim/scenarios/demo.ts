// The `demo` scenario: a believable company cluster, as `kubectl get -o json` would show it.
//
// - kube-system: CoreDNS (Deployment, named ports dns/dns-tcp/metrics), metrics-server, kube-proxy
//   (DaemonSet, hostNetwork), plus the empty default, kube-public and kube-node-lease.
// - prod: the shop (frontend, checkout, payments, catalog Deployments; postgres and redis
//   StatefulSets), default-deny both ways and the shop's flows.
// - staging: the same shop, smaller, with policies but NO default deny (mistake).
// - monitoring: Prometheus (StatefulSet), Grafana, node-exporter (DaemonSet, hostNetwork).
// - ci: a GitLab runner and its job pods (bare pods; one finished).
//
// Real-world mistakes it contains on purpose (each is a finding of the analyzer):
// - staging (and ci, kube-system) without a default deny: `namespace-without-default-deny`;
// - ci/runner-egress lists only egress rules and no policyTypes, so it also denies all ingress
//   to the runner (its metrics scrape breaks): `policy-types-default-denies-ingress`;
// - prod/allow-prometheus-scrape writes namespaceSelector and podSelector as two peers (every
//   pod of monitoring may scrape, and any pod labelled prometheus in prod):
//   `separate-namespace-and-pod-peers`;
// - prod/catalog-ingress opens the named port `grpc`, which no catalog container has (copied
//   from the payments policy): `named-port-unresolved`.
// And a legitimate ipBlock: payments may reach the internet on 443 (0.0.0.0/0 except private ranges).
//
// Deterministic: the same `seed` and `now` give the same objects (uids, hashes, IPs, timestamps).
import { Prng } from '../scale-cluster.ts';

type Json = Record<string, unknown>;

export interface DemoOptions {
  /** Clock the ages are relative to (default: a fixed date, for reproducible output). */
  now?: number;
  seed?: number;
  /** Include AdminNetworkPolicy / BaselineAdminNetworkPolicy examples (default true). */
  adminPolicies?: boolean;
}

export const DEMO_FIXED_NOW = Date.UTC(2025, 5, 2, 10, 0, 0);
export const DEMO_POD_CIDR = '10.244.0.0/16';

const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];

interface Port {
  name: string;
  containerPort: number;
  protocol?: 'TCP' | 'UDP';
}

interface Container {
  name: string;
  image: string;
  ports?: Port[];
}

interface Node {
  name: string;
  hostIP: string;
  prefix: string;
  next: number;
}

interface PodOptions {
  labels: Record<string, string>;
  containers: Container[];
  /** How long ago the pods were created. */
  age: number;
  hostNetwork?: boolean;
  serviceAccount?: string;
  phase?: 'Running' | 'Succeeded';
}

function ts(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

class DemoBuilder {
  readonly objects: Json[] = [];
  private readonly rng: Prng;
  private readonly nodes: Node[] = [
    { name: 'node-pool-a-1', hostIP: '10.0.1.10', prefix: '10.244.0', next: 2 },
    { name: 'node-pool-a-2', hostIP: '10.0.1.11', prefix: '10.244.1', next: 2 },
    { name: 'node-pool-a-3', hostIP: '10.0.1.12', prefix: '10.244.2', next: 2 },
  ];
  private turn = 0;

  constructor(
    private readonly now: number,
    seed: number,
  ) {
    this.rng = new Prng(seed);
  }

  uid(): string {
    const h = (n: number): string => this.rng.uint32().toString(16).padStart(8, '0').slice(0, n);
    return `${h(8)}-${h(4)}-4${h(3)}-${'89ab'[this.rng.int(0, 3)]}${h(3)}-${h(8)}${h(4)}`;
  }

  suffix(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += ALPHABET[this.rng.int(0, ALPHABET.length - 1)];
    return s;
  }

  namespace(name: string, labels: Record<string, string>, age: number): void {
    this.objects.push({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name, uid: this.uid(), creationTimestamp: ts(this.now - age), labels: { 'kubernetes.io/metadata.name': name, ...labels } },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    });
  }

  private node(fixed?: Node): Node {
    if (fixed) return fixed;
    const n = this.nodes[this.turn % this.nodes.length]!;
    this.turn++;
    return n;
  }

  private pod(namespace: string, name: string, o: PodOptions, owner: Json | undefined, node?: Node, extraMeta: Json = {}): void {
    const n = this.node(node);
    const created = this.now - o.age + this.rng.int(0, 20) * 1000;
    const started = created + this.rng.int(3, 12) * 1000;
    const ip = o.hostNetwork ? n.hostIP : `${n.prefix}.${n.next++}`;
    const phase = o.phase ?? 'Running';
    const finished = phase === 'Succeeded';
    const metadata: Json = { name, namespace, uid: this.uid(), creationTimestamp: ts(created), labels: { ...o.labels }, ...extraMeta };
    if (owner) metadata['ownerReferences'] = [{ ...owner, controller: true, blockOwnerDeletion: true }];
    const spec: Json = {
      containers: o.containers.map((c) => ({
        name: c.name,
        image: c.image,
        ...(c.ports ? { ports: c.ports.map((p) => ({ name: p.name, containerPort: p.containerPort, protocol: p.protocol ?? 'TCP' })) } : {}),
        resources: {},
        terminationMessagePath: '/dev/termination-log',
        terminationMessagePolicy: 'File',
        imagePullPolicy: 'IfNotPresent',
      })),
      restartPolicy: finished ? 'Never' : 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: o.hostNetwork ? 'ClusterFirstWithHostNet' : 'ClusterFirst',
      serviceAccountName: o.serviceAccount ?? 'default',
      nodeName: n.name,
      schedulerName: 'default-scheduler',
      enableServiceLinks: true,
      priority: 0,
    };
    if (o.hostNetwork) spec['hostNetwork'] = true;
    const cond = (type: string, status = 'True') => ({ type, status, lastTransitionTime: ts(started) });
    this.objects.push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata,
      spec,
      status: {
        phase,
        conditions: finished
          ? [cond('PodReadyToStartContainers', 'False'), cond('Initialized'), cond('Ready', 'False'), cond('ContainersReady', 'False'), cond('PodScheduled')]
          : [cond('PodReadyToStartContainers'), cond('Initialized'), cond('Ready'), cond('ContainersReady'), cond('PodScheduled')],
        hostIP: n.hostIP,
        hostIPs: [{ ip: n.hostIP }],
        podIP: ip,
        podIPs: [{ ip }],
        startTime: ts(started),
        containerStatuses: o.containers.map((c) => ({
          name: c.name,
          image: c.image,
          imageID: '',
          containerID: `containerd://${this.suffix(12)}`,
          ready: !finished,
          restartCount: 0,
          started: !finished,
          state: finished
            ? { terminated: { exitCode: 0, reason: 'Completed', startedAt: ts(started), finishedAt: ts(started + 4 * MINUTE) } }
            : { running: { startedAt: ts(started) } },
        })),
        qosClass: 'BestEffort',
      },
    });
  }

  deployment(namespace: string, name: string, replicas: number, o: PodOptions): void {
    const hash = this.suffix(10);
    const rs = `${name}-${hash}`;
    const owner = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs, uid: this.uid() };
    for (let i = 0; i < replicas; i++) {
      this.pod(namespace, `${rs}-${this.suffix(5)}`, { ...o, labels: { ...o.labels, 'pod-template-hash': hash } }, owner, undefined, { generateName: `${rs}-` });
    }
  }

  statefulSet(namespace: string, name: string, replicas: number, o: PodOptions): void {
    const revision = `${name}-${this.suffix(10)}`;
    const owner = { apiVersion: 'apps/v1', kind: 'StatefulSet', name, uid: this.uid() };
    for (let i = 0; i < replicas; i++) {
      const podName = `${name}-${i}`;
      const labels = {
        ...o.labels,
        'controller-revision-hash': revision,
        'statefulset.kubernetes.io/pod-name': podName,
        'apps.kubernetes.io/pod-index': String(i),
      };
      this.pod(namespace, podName, { ...o, labels }, owner, undefined, { generateName: `${name}-` });
    }
  }

  daemonSet(namespace: string, name: string, o: PodOptions): void {
    const revision = this.suffix(10);
    const owner = { apiVersion: 'apps/v1', kind: 'DaemonSet', name, uid: this.uid() };
    for (const node of this.nodes) {
      const labels = { ...o.labels, 'controller-revision-hash': revision, 'pod-template-generation': '1' };
      this.pod(namespace, `${name}-${this.suffix(5)}`, { ...o, labels }, owner, node, { generateName: `${name}-` });
    }
  }

  barePod(namespace: string, name: string, o: PodOptions): void {
    this.pod(namespace, name, o, undefined);
  }

  policy(namespace: string, name: string, age: number, spec: Json, annotations?: Record<string, string>): void {
    const metadata: Json = { name, namespace, uid: this.uid(), creationTimestamp: ts(this.now - age), generation: 1 };
    if (annotations) metadata['annotations'] = annotations;
    this.objects.push({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata, spec });
  }

  adminPolicy(kind: 'AdminNetworkPolicy' | 'BaselineAdminNetworkPolicy', name: string, age: number, spec: Json): void {
    this.objects.push({
      apiVersion: 'policy.networking.k8s.io/v1alpha1',
      kind,
      metadata: { name, uid: this.uid(), creationTimestamp: ts(this.now - age), generation: 1 },
      spec,
    });
  }
}

const nsIs = (name: string) => ({ matchLabels: { 'kubernetes.io/metadata.name': name } });
const app = (name: string) => ({ matchLabels: { app: name } });

/** The demo cluster's raw objects: Namespaces, Pods, NetworkPolicies (and admin policies). */
export function demoScenario(options: DemoOptions = {}): Json[] {
  const now = options.now ?? DEMO_FIXED_NOW;
  const b = new DemoBuilder(now, options.seed ?? 7);

  // ----- namespaces -----
  b.namespace('default', {}, 412 * DAY);
  b.namespace('kube-system', {}, 412 * DAY);
  b.namespace('kube-public', {}, 412 * DAY);
  b.namespace('kube-node-lease', {}, 412 * DAY);
  b.namespace('prod', { env: 'prod', team: 'shop' }, 305 * DAY);
  b.namespace('staging', { env: 'staging', team: 'shop' }, 298 * DAY);
  b.namespace('monitoring', { team: 'sre' }, 401 * DAY);
  b.namespace('ci', { team: 'platform' }, 187 * DAY);

  // ----- kube-system -----
  b.deployment('kube-system', 'coredns', 2, {
    labels: { 'k8s-app': 'kube-dns' },
    serviceAccount: 'coredns',
    age: 412 * DAY,
    containers: [{
      name: 'coredns',
      image: 'registry.k8s.io/coredns/coredns:v1.11.3',
      ports: [{ name: 'dns', containerPort: 53, protocol: 'UDP' }, { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' }, { name: 'metrics', containerPort: 9153 }],
    }],
  });
  b.deployment('kube-system', 'metrics-server', 1, {
    labels: { 'k8s-app': 'metrics-server' },
    serviceAccount: 'metrics-server',
    age: 96 * DAY,
    containers: [{ name: 'metrics-server', image: 'registry.k8s.io/metrics-server/metrics-server:v0.7.2', ports: [{ name: 'https', containerPort: 10250 }] }],
  });
  b.daemonSet('kube-system', 'kube-proxy', {
    labels: { 'k8s-app': 'kube-proxy' },
    serviceAccount: 'kube-proxy',
    hostNetwork: true,
    age: 31 * DAY,
    containers: [{ name: 'kube-proxy', image: 'registry.k8s.io/kube-proxy:v1.32.0' }],
  });

  // ----- prod: the shop -----
  const metrics: Port = { name: 'metrics', containerPort: 9090 };
  const shop = (ns: string, scale: number, version: (v: string) => string, ageOf: (d: number) => number): void => {
    const tier = (name: string, t: string) => ({ app: name, tier: t, 'app.kubernetes.io/part-of': 'shop' });
    b.deployment(ns, 'frontend', 3 * scale || 1, {
      labels: tier('frontend', 'web'),
      age: ageOf(2 * DAY),
      containers: [{ name: 'web', image: `registry.example.com/shop/frontend:${version('4.12.0')}`, ports: [{ name: 'http', containerPort: 8080 }] }],
    });
    b.deployment(ns, 'checkout', 2 * scale || 1, {
      labels: tier('checkout', 'api'),
      age: ageOf(5 * HOUR),
      containers: [{ name: 'checkout', image: `registry.example.com/shop/checkout:${version('2.8.1')}`, ports: [{ name: 'http', containerPort: 8080 }, metrics] }],
    });
    b.deployment(ns, 'payments', 2 * scale || 1, {
      labels: tier('payments', 'api'),
      age: ageOf(12 * DAY),
      containers: [{ name: 'payments', image: `registry.example.com/shop/payments:${version('3.1.4')}`, ports: [{ name: 'grpc', containerPort: 50051 }, metrics] }],
    });
    b.deployment(ns, 'catalog', 2 * scale || 1, {
      labels: tier('catalog', 'api'),
      age: ageOf(3 * DAY),
      containers: [{ name: 'catalog', image: `registry.example.com/shop/catalog:${version('1.19.0')}`, ports: [{ name: 'http', containerPort: 8080 }, metrics] }],
    });
    b.statefulSet(ns, 'postgres', 2 * scale || 1, {
      labels: tier('postgres', 'db'),
      age: ageOf(90 * DAY),
      containers: [
        { name: 'postgres', image: 'postgres:16.4', ports: [{ name: 'postgres', containerPort: 5432 }] },
        { name: 'exporter', image: 'quay.io/prometheuscommunity/postgres-exporter:v0.15.0', ports: [{ name: 'metrics', containerPort: 9187 }] },
      ],
    });
    b.statefulSet(ns, 'redis', 1, {
      labels: tier('redis', 'cache'),
      age: ageOf(40 * DAY),
      containers: [{ name: 'redis', image: 'redis:7.2.5', ports: [{ name: 'redis', containerPort: 6379 }] }],
    });
  };
  shop('prod', 1, (v) => v, (d) => d);
  shop('staging', 0, (v) => `${v.replace(/\.\d+$/, '')}.${Number(v.split('.').pop()) + 1}-rc1`, (d) => Math.min(d, 26 * HOUR));

  // ----- monitoring -----
  b.statefulSet('monitoring', 'prometheus-k8s', 1, {
    labels: { 'app.kubernetes.io/name': 'prometheus', 'app.kubernetes.io/instance': 'k8s' },
    serviceAccount: 'prometheus-k8s',
    age: 21 * DAY,
    containers: [
      { name: 'prometheus', image: 'quay.io/prometheus/prometheus:v2.54.1', ports: [{ name: 'web', containerPort: 9090 }] },
      { name: 'config-reloader', image: 'quay.io/prometheus-operator/prometheus-config-reloader:v0.76.0', ports: [{ name: 'reloader-web', containerPort: 8080 }] },
    ],
  });
  b.deployment('monitoring', 'grafana', 1, {
    labels: { 'app.kubernetes.io/name': 'grafana' },
    age: 21 * DAY,
    containers: [{ name: 'grafana', image: 'grafana/grafana:11.2.0', ports: [{ name: 'http', containerPort: 3000 }] }],
  });
  b.daemonSet('monitoring', 'node-exporter', {
    labels: { 'app.kubernetes.io/name': 'node-exporter' },
    hostNetwork: true,
    age: 21 * DAY,
    containers: [{ name: 'node-exporter', image: 'quay.io/prometheus/node-exporter:v1.8.2', ports: [{ name: 'metrics', containerPort: 9100 }] }],
  });

  // ----- ci -----
  b.deployment('ci', 'gitlab-runner', 1, {
    labels: { app: 'gitlab-runner' },
    serviceAccount: 'gitlab-runner',
    age: 9 * DAY,
    containers: [{ name: 'gitlab-runner', image: 'gitlab/gitlab-runner:alpine-v17.4.0', ports: [{ name: 'metrics', containerPort: 9252 }] }],
  });
  const job = (n: number, project: number, age: number, phase: 'Running' | 'Succeeded'): void => {
    const name = `runner-${b.suffix(8)}-project-${project}-concurrent-${n}`;
    b.barePod('ci', name, {
      labels: { pod: name, 'ci.example.com/project': String(project) },
      serviceAccount: 'gitlab-runner-jobs',
      age,
      phase,
      containers: [
        { name: 'build', image: 'registry.example.com/ci/builder:2025.05' },
        { name: 'helper', image: 'registry.gitlab.com/gitlab-org/gitlab-runner/gitlab-runner-helper:x86_64-v17.4.0' },
      ],
    });
  };
  job(0, 42, 3 * MINUTE, 'Running');
  job(1, 42, 2 * MINUTE, 'Running');
  job(0, 17, 47 * MINUTE, 'Succeeded');

  // ----- NetworkPolicies: prod (the intended design, plus two mistakes) -----
  const applied = (d: number) => d;
  b.policy('prod', 'default-deny', applied(300 * DAY), { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  b.policy('prod', 'allow-dns', applied(300 * DAY), {
    podSelector: {},
    policyTypes: ['Egress'],
    egress: [{ to: [{ namespaceSelector: nsIs('kube-system'), podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] }],
  });
  b.policy('prod', 'frontend-ingress', applied(300 * DAY), {
    podSelector: app('frontend'),
    policyTypes: ['Ingress'],
    ingress: [{ ports: [{ protocol: 'TCP', port: 'http' }] }],
  });
  b.policy('prod', 'frontend-egress', applied(300 * DAY), {
    podSelector: app('frontend'),
    policyTypes: ['Egress'],
    egress: [{ to: [{ podSelector: { matchLabels: { tier: 'api' } } }], ports: [{ protocol: 'TCP', port: 'http' }] }],
  });
  b.policy('prod', 'checkout-ingress', applied(280 * DAY), {
    podSelector: app('checkout'),
    policyTypes: ['Ingress'],
    ingress: [{ from: [{ podSelector: app('frontend') }], ports: [{ protocol: 'TCP', port: 'http' }] }],
  });
  b.policy('prod', 'payments-ingress', applied(280 * DAY), {
    podSelector: app('payments'),
    policyTypes: ['Ingress'],
    ingress: [{ from: [{ podSelector: app('checkout') }], ports: [{ protocol: 'TCP', port: 'grpc' }] }],
  });
  // Mistake: copied from payments-ingress; catalog has no port named grpc.
  b.policy('prod', 'catalog-ingress', applied(45 * DAY), {
    podSelector: app('catalog'),
    policyTypes: ['Ingress'],
    ingress: [{ from: [{ podSelector: app('frontend') }], ports: [{ protocol: 'TCP', port: 'http' }, { protocol: 'TCP', port: 'grpc' }] }],
  });
  b.policy('prod', 'api-egress', applied(280 * DAY), {
    podSelector: { matchLabels: { tier: 'api' } },
    policyTypes: ['Egress'],
    egress: [
      { to: [{ podSelector: app('postgres') }], ports: [{ protocol: 'TCP', port: 5432 }] },
      { to: [{ podSelector: app('redis') }], ports: [{ protocol: 'TCP', port: 'redis' }] },
      { to: [{ podSelector: app('payments') }], ports: [{ protocol: 'TCP', port: 'grpc' }] },
    ],
  });
  b.policy('prod', 'postgres-ingress', applied(280 * DAY), {
    podSelector: app('postgres'),
    policyTypes: ['Ingress'],
    ingress: [{
      from: [{ podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['checkout', 'payments'] }] } }],
      ports: [{ protocol: 'TCP', port: 5432 }],
    }],
  });
  b.policy('prod', 'redis-ingress', applied(120 * DAY), {
    podSelector: app('redis'),
    policyTypes: ['Ingress'],
    ingress: [{ from: [{ podSelector: { matchLabels: { tier: 'api' } } }], ports: [{ protocol: 'TCP', port: 'redis' }] }],
  });
  b.policy('prod', 'payments-egress-internet', applied(200 * DAY), {
    podSelector: app('payments'),
    policyTypes: ['Egress'],
    egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: [...PRIVATE_RANGES] } }], ports: [{ protocol: 'TCP', port: 443 }] }],
  });
  // Mistake: meant "Prometheus pods in monitoring" (one peer) but wrote two ORed peers.
  b.policy('prod', 'allow-prometheus-scrape', applied(150 * DAY), {
    podSelector: {},
    policyTypes: ['Ingress'],
    ingress: [{
      from: [{ namespaceSelector: nsIs('monitoring') }, { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } } }],
      ports: [{ protocol: 'TCP', port: 'metrics' }],
    }],
  });

  // ----- staging: some policies, but no default deny (mistake) -----
  b.policy('staging', 'frontend-ingress', applied(200 * DAY), {
    podSelector: app('frontend'),
    policyTypes: ['Ingress'],
    ingress: [{ ports: [{ protocol: 'TCP', port: 'http' }] }],
  });
  b.policy('staging', 'postgres-ingress', applied(200 * DAY), {
    podSelector: app('postgres'),
    policyTypes: ['Ingress'],
    ingress: [{ from: [{ podSelector: { matchLabels: { tier: 'api' } } }], ports: [{ protocol: 'TCP', port: 5432 }] }],
  });

  // ----- monitoring -----
  b.policy('monitoring', 'default-deny-ingress', applied(380 * DAY), { podSelector: {}, policyTypes: ['Ingress'] });
  b.policy('monitoring', 'grafana-ingress', applied(380 * DAY), {
    podSelector: { matchLabels: { 'app.kubernetes.io/name': 'grafana' } },
    policyTypes: ['Ingress'],
    ingress: [{ ports: [{ protocol: 'TCP', port: 'http' }] }],
  });
  b.policy('monitoring', 'prometheus-ingress', applied(380 * DAY), {
    podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
    policyTypes: ['Ingress'],
    ingress: [{ from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'grafana' } } }], ports: [{ protocol: 'TCP', port: 'web' }] }],
  });

  // ----- ci: mistake: egress rules only, no policyTypes -> also denies all ingress to the runner -----
  b.policy('ci', 'runner-egress', applied(60 * DAY), {
    podSelector: app('gitlab-runner'),
    egress: [
      { to: [{ ipBlock: { cidr: '0.0.0.0/0', except: [...PRIVATE_RANGES] } }], ports: [{ protocol: 'TCP', port: 443 }] },
      { to: [{ namespaceSelector: nsIs('kube-system'), podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] },
    ],
  });

  // ----- cluster-wide admin policies (policy.networking.k8s.io/v1alpha1) -----
  if (options.adminPolicies !== false) {
    b.adminPolicy('AdminNetworkPolicy', 'allow-monitoring-scrape', 150 * DAY, {
      priority: 10,
      subject: { namespaces: {} },
      ingress: [{ name: 'allow-prometheus', action: 'Allow', from: [{ namespaces: nsIs('monitoring') }], ports: [{ namedPort: 'metrics' }] }],
    });
    b.adminPolicy('AdminNetworkPolicy', 'deny-ci-to-prod', 120 * DAY, {
      priority: 20,
      subject: { namespaces: { matchLabels: { env: 'prod' } } },
      ingress: [{ name: 'deny-from-ci', action: 'Deny', from: [{ namespaces: nsIs('ci') }] }],
    });
    b.adminPolicy('BaselineAdminNetworkPolicy', 'default', 120 * DAY, {
      subject: { namespaces: { matchLabels: { env: 'staging' } } },
      ingress: [{ name: 'deny-from-ci', action: 'Deny', from: [{ namespaces: nsIs('ci') }] }],
    });
  }
  return b.objects;
}
