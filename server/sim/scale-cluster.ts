// Synthetic clusters for the benchmark and the simulated cluster's S/M/L scenarios: RAW Kubernetes
// objects (plain JSON, as the items of `kubectl get -o json` look), never the engine's model.
// Deterministic for a given seed; pure code (no I/O), fast enough for 100k pods in a few seconds.
//
// Shape of a generated cluster:
// - `kube-system` (CoreDNS pods labelled `k8s-app=kube-dns`, metrics-server) and `monitoring`
//   (Prometheus StatefulSet, Grafana, kube-state-metrics); every other namespace belongs to a team:
//   `team-042-payments`, labelled `team=team-042`, `env=prod|staging|dev`; a team owns 1-3 namespaces.
// - Per team namespace ~5-8 workloads (frontend/backend Deployments, db and some cache StatefulSets)
//   with 1-10 replicas; pods carry `app`, `tier`, `team` and the controller's hash labels, named
//   container ports, a Running status and an IP from the 10.64.0.0/10 pod CIDR (one /24 per node).
// - NetworkPolicies: default-deny in ~80% of team namespaces, DNS egress for namespaces that deny
//   egress, then a weighted mix (same-namespace, tier to tier with named and numeric ports,
//   cross-namespace by team label with one AND-ed peer or two OR-ed peers, Prometheus scraping,
//   internet and specific-CIDR egress, ipBlock ingress, port ranges, a few policyTypes mistakes).
//
// `uniqueLabels` (the adversarial variant): every pod gets its own `app` value and an `instance`
// label, so no two pods share a label set; policies still select by tier/team, some by such an app.

import { Prng } from './prng.ts';
import { generateAdminPolicies } from './scale-admin.ts';

export interface ScaleSpec {
  pods: number;
  /** Includes `kube-system` and `monitoring`; at least 3. */
  namespaces: number;
  policies: number;
  uniqueLabels?: boolean;
  /** AdminNetworkPolicies to add (scale-admin.ts), after the NetworkPolicies; default none. */
  adminPolicies?: number;
  /** Add the BaselineAdminNetworkPolicy. */
  baseline?: boolean;
  /** Default 1. */
  seed?: number;
}

export const SCALE_PRESETS = {
  S: { pods: 1000, namespaces: 50, policies: 100 },
  M: { pods: 10000, namespaces: 500, policies: 2000 },
  L: { pods: 100000, namespaces: 5000, policies: 20000 },
} as const satisfies Record<string, ScaleSpec>;

/** M with a unique label set per pod: the worst case for grouping pods into classes. */
export const ADVERSARIAL_M: ScaleSpec = { ...SCALE_PRESETS.M, uniqueLabels: true };

/** M (the same objects) plus 50 AdminNetworkPolicies and the baseline: the admin tiers' cost. */
export const ADMIN_M: ScaleSpec = { ...SCALE_PRESETS.M, adminPolicies: 50, baseline: true };

export { Prng } from './prng.ts';

/** Pod CIDR of generated clusters; each node gets a /24 from it. */
export const POD_CIDR = '10.64.0.0/10';

// ---------------------------------------------------------------------------------------------
// Internal plan: namespaces and workloads, decided before any object is written.

type Json = Record<string, unknown>;
type Tier = 'frontend' | 'backend' | 'db' | 'cache';
type WorkloadKind = 'Deployment' | 'StatefulSet';

interface PortDef {
  name: string;
  port: number;
  protocol: 'TCP' | 'UDP';
}

interface ContainerDef {
  name: string;
  image: string;
  ports: PortDef[];
}

interface WorkloadDef {
  name: string;
  kind: WorkloadKind;
  tier: Tier | null;
  replicas: number;
  containers: ContainerDef[];
  /** Labels shared by all the workload's pods (the unique ones are added per pod). */
  labels: Record<string, string>;
  /** pod-template-hash (Deployment) or the revision suffix (StatefulSet). */
  hash: string;
  ownerUid: string;
  /** The `app` label of each pod (all equal unless uniqueLabels). Filled while writing pods. */
  apps: string[];
  /** The serving port (first non-metrics port), if any: what policies open toward it. */
  serving: PortDef | null;
  created: number;
}

interface NsDef {
  name: string;
  team: string;
  domain: string;
  env: 'prod' | 'staging' | 'dev';
  system: boolean;
  labels: Record<string, string>;
  workloads: WorkloadDef[];
  podBudget: number;
  denyIngress: boolean;
  denyEgress: boolean;
  usedKinds: Set<string>;
  policies: Json[];
  policyNames: Set<string>;
}

const DOMAINS = [
  'payments', 'checkout', 'orders', 'inventory', 'search', 'catalog', 'shipping', 'billing',
  'auth', 'identity', 'notifications', 'analytics', 'reporting', 'ledger', 'pricing',
  'recommendations', 'reviews', 'cart', 'fraud', 'loyalty', 'media', 'messaging', 'onboarding',
  'profile', 'geo', 'ads', 'support', 'compliance', 'invoicing', 'subscriptions', 'returns',
  'warehouse', 'fulfillment', 'partners', 'marketplace', 'accounts', 'audit', 'chat', 'feeds',
  'tickets',
] as const;

const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const BASE_TIME = Date.UTC(2025, 0, 6, 9, 0, 0);
const RFC1918 = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];

interface Blueprint {
  tier: Tier;
  kind: WorkloadKind;
  /** Max replicas. */
  cap: number;
  /** Whether the workload name is prefixed with the namespace's domain (`payments-api`). */
  prefixed: boolean;
  containers: (team: string, appName: string, rng: Prng) => ContainerDef[];
}

const METRICS: PortDef = { name: 'metrics', port: 9090, protocol: 'TCP' };

function version(rng: Prng): string {
  return `${rng.int(1, 4)}.${rng.int(0, 19)}.${rng.int(0, 9)}`;
}

function appImage(team: string, app: string, rng: Prng): string {
  return `registry.example.com/${team}/${app}:${version(rng)}`;
}

const BLUEPRINTS: Record<string, Blueprint> = {
  web: {
    tier: 'frontend', kind: 'Deployment', cap: 10, prefixed: true,
    containers: (t, a, r) => [{ name: 'web', image: appImage(t, a, r), ports: [{ name: 'http', port: 8080, protocol: 'TCP' }, METRICS] }],
  },
  gateway: {
    tier: 'frontend', kind: 'Deployment', cap: 10, prefixed: true,
    containers: (t, a, r) => [{
      name: 'envoy', image: 'envoyproxy/envoy:v1.31.2',
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'https', port: 8443, protocol: 'TCP' }, { name: 'metrics', port: 9901, protocol: 'TCP' }],
    }, { name: 'authz', image: appImage(t, `${a}-authz`, r), ports: [{ name: 'grpc', port: 9000, protocol: 'TCP' }] }],
  },
  ui: {
    tier: 'frontend', kind: 'Deployment', cap: 10, prefixed: true,
    containers: (t, a, r) => [{ name: 'ui', image: appImage(t, a, r), ports: [{ name: 'http', port: 3000, protocol: 'TCP' }] }],
  },
  api: {
    tier: 'backend', kind: 'Deployment', cap: 10, prefixed: true,
    containers: (t, a, r) => [{
      name: 'api', image: appImage(t, a, r),
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'grpc', port: 9000, protocol: 'TCP' }, METRICS],
    }],
  },
  svc: {
    tier: 'backend', kind: 'Deployment', cap: 10, prefixed: true,
    containers: (t, a, r) => [{ name: 'server', image: appImage(t, a, r), ports: [{ name: 'grpc', port: 9000, protocol: 'TCP' }, METRICS] }],
  },
  worker: {
    tier: 'backend', kind: 'Deployment', cap: 10, prefixed: true,
    containers: (t, a, r) => [{ name: 'worker', image: appImage(t, a, r), ports: [METRICS] }],
  },
  consumer: {
    tier: 'backend', kind: 'Deployment', cap: 10, prefixed: true,
    containers: (t, a, r) => [{ name: 'consumer', image: appImage(t, a, r), ports: [{ name: 'http-metrics', port: 8081, protocol: 'TCP' }] }],
  },
  postgres: {
    tier: 'db', kind: 'StatefulSet', cap: 3, prefixed: false,
    containers: () => [
      { name: 'postgres', image: 'postgres:16.4', ports: [{ name: 'postgres', port: 5432, protocol: 'TCP' }] },
      { name: 'exporter', image: 'quay.io/prometheuscommunity/postgres-exporter:v0.15.0', ports: [{ name: 'metrics', port: 9187, protocol: 'TCP' }] },
    ],
  },
  mysql: {
    tier: 'db', kind: 'StatefulSet', cap: 3, prefixed: false,
    containers: () => [
      { name: 'mysql', image: 'mysql:8.4.2', ports: [{ name: 'mysql', port: 3306, protocol: 'TCP' }] },
      { name: 'exporter', image: 'prom/mysqld-exporter:v0.15.1', ports: [{ name: 'metrics', port: 9104, protocol: 'TCP' }] },
    ],
  },
  mongodb: {
    tier: 'db', kind: 'StatefulSet', cap: 3, prefixed: false,
    containers: () => [{ name: 'mongod', image: 'mongo:7.0.14', ports: [{ name: 'mongodb', port: 27017, protocol: 'TCP' }] }],
  },
  redis: {
    tier: 'cache', kind: 'StatefulSet', cap: 3, prefixed: false,
    containers: () => [
      { name: 'redis', image: 'redis:7.2.5', ports: [{ name: 'redis', port: 6379, protocol: 'TCP' }] },
      { name: 'exporter', image: 'oliver006/redis_exporter:v1.62.0', ports: [{ name: 'metrics', port: 9121, protocol: 'TCP' }] },
    ],
  },
  memcached: {
    tier: 'cache', kind: 'Deployment', cap: 10, prefixed: false,
    containers: () => [{ name: 'memcached', image: 'memcached:1.6.29', ports: [{ name: 'memcache', port: 11211, protocol: 'TCP' }] }],
  },
};

const TYPES_BY_TIER: Record<Tier, readonly (readonly [string, number])[]> = {
  frontend: [['web', 3], ['gateway', 1], ['ui', 1]],
  backend: [['api', 5], ['worker', 2], ['consumer', 1], ['svc', 2]],
  db: [['postgres', 4], ['mysql', 1], ['mongodb', 1]],
  cache: [['redis', 3], ['memcached', 1]],
};

const EXTRA_TIERS: readonly (readonly [Tier, number])[] = [['backend', 5], ['frontend', 1], ['cache', 2], ['db', 1]];

// ---------------------------------------------------------------------------------------------

/**
 * Generate the raw objects: Namespaces, then Pods (by namespace), then NetworkPolicies (by
 * namespace, name), then the admin policies asked for (their own random stream: the rest is the
 * same with or without them).
 */
export function generateScaleCluster(spec: ScaleSpec): unknown[] {
  for (const key of ['pods', 'namespaces', 'policies', 'adminPolicies'] as const) {
    const n = spec[key] ?? 0;
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`${key} must be a non-negative integer`);
  }
  if (spec.namespaces < 3) throw new RangeError('namespaces must be at least 3 (kube-system, monitoring and a team)');
  const gen = new Generator(spec);
  const objects = gen.run();
  if ((spec.adminPolicies ?? 0) > 0 || spec.baseline) objects.push(...generateAdminPolicies(objects, spec.adminPolicies ?? 0, spec.baseline ?? false, spec.seed ?? 1));
  return objects;
}

class Generator {
  private readonly rng: Prng;
  private readonly unique: boolean;
  private readonly namespaces: NsDef[] = [];
  private readonly teamNamespaces: NsDef[] = [];
  private readonly populated: NsDef[] = [];
  private resourceVersion = 1000;
  private podSerial = 0;
  // Node and IP allocation: node n owns 10.(64 + n>>8).(n&255).0/24.
  private nodeCount = 0;
  private nodeFill: Uint16Array = new Uint16Array(0);

  constructor(private readonly spec: ScaleSpec) {
    this.rng = new Prng(spec.seed ?? 1);
    this.unique = spec.uniqueLabels === true;
  }

  run(): unknown[] {
    this.planNamespaces();
    this.planPods();
    const out: unknown[] = [];
    for (const ns of this.namespaces) out.push(this.namespaceObject(ns));
    this.nodeCount = Math.max(3, Math.ceil(this.spec.pods / 60));
    this.nodeFill = new Uint16Array(this.nodeCount);
    for (const ns of this.namespaces) for (const wl of ns.workloads) this.writePods(ns, wl, out);
    this.planPolicies();
    for (const ns of this.namespaces) {
      ns.policies.sort((a, b) => {
        const x = (a.metadata as { name: string }).name;
        const y = (b.metadata as { name: string }).name;
        return x < y ? -1 : x > y ? 1 : 0;
      });
      for (const p of ns.policies) out.push(p);
    }
    return out;
  }

  // ----- namespaces -----

  private planNamespaces(): void {
    const rng = this.rng;
    const sys = (name: string, labels: Record<string, string>): NsDef => this.nsDef(name, 'platform', name, 'prod', true, labels);
    this.namespaces.push(sys('kube-system', {}));
    this.namespaces.push(sys('monitoring', { team: 'platform', env: 'prod' }));

    const teamNs = this.spec.namespaces - 2;
    const width = Math.max(3, String(teamNs).length);
    let team = 0;
    while (this.teamNamespaces.length < teamNs) {
      team++;
      const teamName = `team-${String(team).padStart(width, '0')}`;
      const owned = Math.min(rng.weighted([[1, 5], [2, 3], [3, 2]] as const), teamNs - this.teamNamespaces.length);
      const domains = new Set<string>();
      while (domains.size < owned) domains.add(rng.pick(DOMAINS));
      for (const domain of domains) {
        const env = rng.weighted([['prod', 5], ['staging', 3], ['dev', 2]] as const);
        const name = `${teamName}-${domain}`;
        const ns = this.nsDef(name, teamName, domain, env, false, { team: teamName, env });
        this.namespaces.push(ns);
        this.teamNamespaces.push(ns);
      }
    }
  }

  private nsDef(name: string, team: string, domain: string, env: NsDef['env'], system: boolean, extra: Record<string, string>): NsDef {
    return {
      name, team, domain, env, system,
      labels: { 'kubernetes.io/metadata.name': name, ...extra },
      workloads: [], podBudget: 0, denyIngress: false, denyEgress: false,
      usedKinds: new Set(), policies: [], policyNames: new Set(),
    };
  }

  private namespaceObject(ns: NsDef): Json {
    return {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: ns.name,
        uid: this.uid(),
        resourceVersion: String(this.resourceVersion++),
        creationTimestamp: timestamp(BASE_TIME - 86_400_000 * 90 + this.rng.int(0, 86_400_000 * 60)),
        labels: { ...ns.labels },
      },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    };
  }

  // ----- workloads and pod budget -----

  private planPods(): void {
    const rng = this.rng;
    const [kubeSystem, monitoring] = this.namespaces;
    if (!kubeSystem || !monitoring) throw new Error('unreachable');

    // System workloads: 7 pods, fewer when the whole cluster is tiny.
    const system: [NsDef, WorkloadDef, number][] = [
      [kubeSystem, this.systemWorkload('coredns', 'Deployment', { 'k8s-app': 'kube-dns' }, [{
        name: 'coredns', image: 'registry.k8s.io/coredns/coredns:v1.11.3',
        ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }, { name: 'metrics', port: 9153, protocol: 'TCP' }],
      }]), 2],
      [monitoring, this.systemWorkload('prometheus-k8s', 'StatefulSet', { app: 'prometheus', 'app.kubernetes.io/name': 'prometheus' }, [{
        name: 'prometheus', image: 'quay.io/prometheus/prometheus:v2.54.1', ports: [{ name: 'web', port: 9090, protocol: 'TCP' }],
      }]), 2],
      [kubeSystem, this.systemWorkload('metrics-server', 'Deployment', { 'k8s-app': 'metrics-server' }, [{
        name: 'metrics-server', image: 'registry.k8s.io/metrics-server/metrics-server:v0.7.2', ports: [{ name: 'https', port: 10250, protocol: 'TCP' }],
      }]), 1],
      [monitoring, this.systemWorkload('grafana', 'Deployment', { app: 'grafana', 'app.kubernetes.io/name': 'grafana' }, [{
        name: 'grafana', image: 'grafana/grafana:11.2.0', ports: [{ name: 'http', port: 3000, protocol: 'TCP' }],
      }]), 1],
      [monitoring, this.systemWorkload('kube-state-metrics', 'Deployment', { app: 'kube-state-metrics', 'app.kubernetes.io/name': 'kube-state-metrics' }, [{
        name: 'kube-state-metrics', image: 'registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.13.0',
        ports: [{ name: 'http-metrics', port: 8080, protocol: 'TCP' }, { name: 'telemetry', port: 8081, protocol: 'TCP' }],
      }]), 1],
    ];
    let remaining = this.spec.pods;
    for (const [ns, wl, replicas] of system) {
      const n = Math.min(replicas, remaining);
      if (n === 0) break;
      wl.replicas = n;
      remaining -= n;
      ns.workloads.push(wl);
    }

    // Spread the rest over the team namespaces, with some namespaces bigger than others.
    const teams = this.teamNamespaces;
    const weights = teams.map(() => 0.3 + rng.next() * 1.4);
    const total = weights.reduce((a, b) => a + b, 0);
    let assigned = 0;
    teams.forEach((ns, i) => {
      ns.podBudget = Math.floor((remaining * weights[i]!) / total);
      assigned += ns.podBudget;
    });
    for (let left = remaining - assigned; left > 0; left--) rng.pick(teams).podBudget++;

    for (const ns of teams) {
      this.planWorkloads(ns);
      if (ns.workloads.length > 0) this.populated.push(ns);
    }
  }

  private systemWorkload(name: string, kind: WorkloadKind, labels: Record<string, string>, containers: ContainerDef[]): WorkloadDef {
    return this.workloadDef(name, kind, null, labels, containers);
  }

  private workloadDef(name: string, kind: WorkloadKind, tier: Tier | null, labels: Record<string, string>, containers: ContainerDef[]): WorkloadDef {
    const rng = this.rng;
    let hash = '';
    for (let i = 0; i < 10; i++) hash += SAFE_ALPHABET[rng.int(0, SAFE_ALPHABET.length - 1)];
    let serving: PortDef | null = null;
    for (const c of containers) for (const p of c.ports) if (!serving && !p.name.includes('metrics')) serving = p;
    return {
      name, kind, tier, replicas: 0, containers, labels, hash, ownerUid: this.uid(), apps: [], serving,
      created: BASE_TIME - rng.int(0, 86_400_000 * 30),
    };
  }

  private planWorkloads(ns: NsDef): void {
    const rng = this.rng;
    const budget = ns.podBudget;
    if (budget === 0) return;
    const count = Math.min(rng.int(5, 8), budget);
    const tiers: Tier[] = (['frontend', 'backend', 'db'] as Tier[]).slice(0, count);
    if (count === 1) tiers[0] = 'backend';
    while (tiers.length < count) tiers.push(rng.weighted(EXTRA_TIERS));

    const names = new Set<string>();
    const add = (tier: Tier): void => {
      const type = rng.weighted(TYPES_BY_TIER[tier]);
      const bp = BLUEPRINTS[type]!;
      const base = bp.prefixed ? `${ns.domain}-${type}` : type;
      let name = base;
      for (let i = 2; names.has(name); i++) name = `${base}-${i}`;
      names.add(name);
      const labels: Record<string, string> = { app: name, tier, team: ns.team };
      ns.workloads.push(this.workloadDef(name, bp.kind, tier, labels, bp.containers(ns.team, name, rng)));
    };
    for (const tier of tiers) add(tier);
    const cap = (wl: WorkloadDef): number => (wl.kind === 'StatefulSet' ? 3 : 10);
    let capacity = ns.workloads.reduce((s, wl) => s + cap(wl), 0);
    while (capacity < budget) {
      add(rng.chance(0.8) ? 'backend' : 'frontend');
      capacity += 10;
    }

    // Each workload gets one replica, the rest goes to random workloads below their cap.
    const open: WorkloadDef[] = [];
    for (const wl of ns.workloads) {
      wl.replicas = 1;
      if (cap(wl) > 1) open.push(wl);
    }
    for (let left = budget - ns.workloads.length; left > 0; left--) {
      const i = Math.floor(rng.next() * open.length);
      const wl = open[i]!;
      wl.replicas++;
      if (wl.replicas >= cap(wl)) {
        open[i] = open[open.length - 1]!;
        open.pop();
      }
    }
  }

  // ----- pods -----

  private writePods(ns: NsDef, wl: WorkloadDef, out: unknown[]): void {
    const rng = this.rng;
    const suffixes = new Set<string>();
    const sts = wl.kind === 'StatefulSet';
    const ownerKind = sts ? 'StatefulSet' : 'ReplicaSet';
    const ownerName = sts ? wl.name : `${wl.name}-${wl.hash}`;
    const revision = `${wl.name}-${wl.hash}`;
    // A rollout starts all replicas within a few seconds: one timestamp per workload.
    const started = wl.created + rng.int(5_000, 86_400_000 * 5);
    const createdAt = timestamp(started);
    const startedAt = timestamp(started + 4_000);
    // Shared by the workload's pods (read-only, like the rest of the output): identical in every
    // replica, and sharing them keeps 100k-pod generation fast.
    const containers: Json[] = [];
    const statuses: Json[] = [];
    for (const c of wl.containers) {
      const ports: Json[] = [];
      for (const p of c.ports) ports.push({ name: p.name, containerPort: p.port, protocol: p.protocol });
      containers.push({
        name: c.name,
        image: c.image,
        ports,
        resources: { requests: { cpu: '100m', memory: '128Mi' } },
        imagePullPolicy: 'IfNotPresent',
      });
      statuses.push({ name: c.name, image: c.image, ready: true, restartCount: 0, started: true, state: { running: { startedAt } } });
    }
    const conditions = [{ type: 'Ready', status: 'True', lastTransitionTime: startedAt }];
    for (let r = 0; r < wl.replicas; r++) {
      let name: string;
      const labels: Record<string, string> = { ...wl.labels };
      if (sts) {
        name = `${wl.name}-${r}`;
        labels['controller-revision-hash'] = revision;
        labels['statefulset.kubernetes.io/pod-name'] = name;
      } else {
        let suffix: string;
        do {
          suffix = '';
          for (let i = 0; i < 5; i++) suffix += SAFE_ALPHABET[rng.int(0, SAFE_ALPHABET.length - 1)];
        } while (suffixes.has(suffix));
        suffixes.add(suffix);
        name = `${wl.name}-${wl.hash}-${suffix}`;
        labels['pod-template-hash'] = wl.hash;
      }
      const serial = this.podSerial++;
      if (this.unique) {
        labels.app = `${labels.app ?? wl.name}-${serial.toString(36)}`;
        labels.instance = name;
      }
      wl.apps.push(labels.app ?? wl.name);

      const node = this.pickNode();
      const host = this.nodeFill[node]!;
      this.nodeFill[node] = host + 1;
      const podIP = `10.${64 + (node >> 8)}.${node & 255}.${host + 2}`;
      const nodeAddr = node + 10;
      const hostIP = `172.20.${nodeAddr >> 8}.${nodeAddr & 255}`;

      const spec: Json = {
        containers,
        nodeName: `node-${String(node).padStart(4, '0')}`,
        restartPolicy: 'Always',
        dnsPolicy: 'ClusterFirst',
        serviceAccountName: wl.name,
        terminationGracePeriodSeconds: 30,
      };
      if (sts) {
        spec.hostname = name;
        spec.subdomain = wl.name;
      }
      out.push({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name,
          namespace: ns.name,
          uid: this.uid(),
          resourceVersion: String(this.resourceVersion++),
          creationTimestamp: createdAt,
          labels,
          ownerReferences: [{ apiVersion: 'apps/v1', kind: ownerKind, name: ownerName, uid: wl.ownerUid, controller: true, blockOwnerDeletion: true }],
        },
        spec,
        status: {
          phase: 'Running',
          conditions,
          hostIP,
          hostIPs: [{ ip: hostIP }],
          podIP,
          podIPs: [{ ip: podIP }],
          startTime: createdAt,
          containerStatuses: statuses,
        },
      });
    }
  }

  private pickNode(): number {
    let node = Math.floor(this.rng.next() * this.nodeCount);
    // Linear probe past full nodes (250 pods per /24).
    for (let i = 0; i < this.nodeCount && this.nodeFill[node]! >= 250; i++) node = (node + 1) % this.nodeCount;
    if (this.nodeFill[node]! >= 250) throw new Error('pod CIDR exhausted');
    return node;
  }

  // ----- policies -----

  private planPolicies(): void {
    const rng = this.rng;
    let budget = this.spec.policies;

    // 1. Default deny in ~80% of the team namespaces.
    for (const ns of this.teamNamespaces) {
      if (budget === 0) return;
      if (!rng.chance(0.8)) continue;
      const style = rng.weighted([['ingress', 47], ['both', 45], ['defaulted', 8]] as const);
      ns.denyIngress = true;
      ns.denyEgress = style === 'both';
      const spec: Json = { podSelector: {} };
      if (style === 'ingress') spec.policyTypes = ['Ingress'];
      if (style === 'both') spec.policyTypes = ['Ingress', 'Egress'];
      this.addPolicy(ns, style === 'both' ? 'default-deny-all' : 'default-deny-ingress', spec);
      budget--;
    }

    // 2. Namespaces that deny egress need DNS.
    for (const ns of this.teamNamespaces) {
      if (budget === 0) return;
      if (!ns.denyEgress) continue;
      this.addPolicy(ns, 'allow-dns-egress', this.dnsPolicy());
      ns.usedKinds.add('dns');
      budget--;
    }

    // 3. The mix.
    const kinds: readonly (readonly [PolicyKind, number])[] = [
      ['same-namespace', 10], ['tier-ingress', 26], ['tier-egress', 8], ['cross-namespace', 18], ['monitoring', 12],
      ['internet', 6], ['cidr', 6], ['ipblock-ingress', 4], ['port-range', 3], ['allow-all', 2], ['defaulted-egress', 1],
    ];
    for (; budget > 0; budget--) {
      const ns = this.populated.length > 0 && rng.chance(0.97) ? rng.pick(this.populated) : rng.pick(this.teamNamespaces);
      let made = false;
      for (let attempt = 0; attempt < 8 && !made; attempt++) made = this.makePolicy(ns, rng.weighted(kinds));
      if (!made) {
        this.addPolicy(ns, 'allow-internal-http', {
          podSelector: {}, policyTypes: ['Ingress'],
          ingress: [{ from: [{ podSelector: {} }], ports: [{ protocol: 'TCP', port: 8080 }] }],
        });
      }
    }
  }

  private addPolicy(ns: NsDef, base: string, spec: Json): void {
    let name = base;
    for (let i = 2; ns.policyNames.has(name); i++) name = `${base}-${i}`;
    ns.policyNames.add(name);
    ns.policies.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: {
        name,
        namespace: ns.name,
        uid: this.uid(),
        resourceVersion: String(this.resourceVersion++),
        generation: 1,
        creationTimestamp: timestamp(BASE_TIME - this.rng.int(0, 86_400_000 * 30)),
      },
      spec,
    });
  }

  private dnsPolicy(): Json {
    const nsSel = this.rng.chance(0.75) ? { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } : {};
    return {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{
        to: [{ namespaceSelector: nsSel, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
        ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
      }],
    };
  }

  /** Adds one policy of `kind` to `ns`, or returns false when it does not apply there. */
  private makePolicy(ns: NsDef, kind: PolicyKind): boolean {
    const rng = this.rng;
    const singleton = kind === 'same-namespace' || kind === 'monitoring' || kind === 'internet' || kind === 'allow-all';
    if (singleton && ns.usedKinds.has(kind)) return false;
    const byTier = (tier: Tier, serving = false): WorkloadDef[] =>
      ns.workloads.filter((w) => w.tier === tier && (!serving || w.serving !== null));
    const anyApp = (): WorkloadDef[] => ns.workloads.filter((w) => w.tier === 'frontend' || w.tier === 'backend');

    switch (kind) {
      case 'same-namespace': {
        const both = ns.denyEgress && rng.chance(0.5);
        const spec: Json = { podSelector: {}, policyTypes: both ? ['Ingress', 'Egress'] : ['Ingress'], ingress: [{ from: [{ podSelector: {} }] }] };
        if (both) spec.egress = [{ to: [{ podSelector: {} }] }];
        this.addPolicy(ns, 'allow-same-namespace', spec);
        break;
      }
      case 'tier-ingress':
      case 'tier-egress': {
        if (kind === 'tier-egress' && !ns.denyEgress) return false;
        const flows: [WorkloadDef, WorkloadDef][] = [];
        for (const [from, to] of [['frontend', 'backend'], ['backend', 'db'], ['backend', 'cache'], ['backend', 'backend']] as const) {
          for (const src of byTier(from)) for (const dst of byTier(to, true)) if (src !== dst) flows.push([src, dst]);
        }
        if (flows.length === 0) return false;
        const [src, dst] = rng.pick(flows);
        const ports = this.portsFor(dst);
        if (kind === 'tier-ingress') {
          this.addPolicy(ns, `allow-${src.tier}-to-${dst.tier}`, {
            podSelector: this.selectorFor(dst), policyTypes: ['Ingress'],
            ingress: [{ from: [{ podSelector: this.selectorFor(src) }], ports }],
          });
        } else {
          this.addPolicy(ns, `allow-${src.tier}-egress-to-${dst.tier}`, {
            podSelector: this.selectorFor(src), policyTypes: ['Egress'],
            egress: [{ to: [{ podSelector: this.selectorFor(dst) }], ports }],
          });
        }
        break;
      }
      case 'cross-namespace': {
        if (this.populated.length < 2) return false;
        let other = rng.pick(this.populated);
        for (let i = 0; i < 5 && other === ns; i++) other = rng.pick(this.populated);
        if (other === ns) return false;
        const egress = ns.denyEgress && rng.chance(0.35);
        const local = egress ? anyApp() : anyApp().filter((w) => w.serving);
        const remote = egress
          ? other.workloads.filter((w) => w.serving && w.tier !== null)
          : other.workloads.filter((w) => w.tier === 'frontend' || w.tier === 'backend');
        if (local.length === 0 || remote.length === 0) return false;
        const mine = rng.pick(local);
        const theirs = rng.pick(remote);
        const nsSel = rng.weighted([
          [{ matchLabels: { team: other.team } }, 65],
          [{ matchLabels: { 'kubernetes.io/metadata.name': other.name } }, 25],
          [{ matchLabels: { team: other.team }, matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'staging'] }] }, 10],
        ] as const);
        const podSel = rng.chance(0.7)
          ? { matchLabels: { app: rng.pick(theirs.apps) } }
          : { matchLabels: { tier: theirs.tier ?? 'backend' } };
        // The classic mistake: two peers (ORed) where one peer with both selectors (ANDed) was meant.
        const peers = rng.chance(0.25) ? [{ namespaceSelector: nsSel }, { podSelector: podSel }] : [{ namespaceSelector: nsSel, podSelector: podSel }];
        const appName = theirs.name;
        if (egress) {
          this.addPolicy(ns, `allow-egress-to-${other.team}-${appName}`, {
            podSelector: this.selectorFor(mine), policyTypes: ['Egress'],
            egress: [{ to: peers, ports: this.portsFor(theirs) }],
          });
        } else {
          this.addPolicy(ns, `allow-from-${other.team}-${appName}`, {
            podSelector: this.selectorFor(mine), policyTypes: ['Ingress'],
            ingress: [{ from: peers, ports: this.portsFor(mine) }],
          });
        }
        break;
      }
      case 'monitoring': {
        const ports = rng.weighted([
          [[{ protocol: 'TCP', port: 'metrics' }], 5],
          [[{ protocol: 'TCP', port: 9090 }], 3],
          [[{ port: 'metrics' }, { protocol: 'TCP', port: 9187 }, { protocol: 'TCP', port: 9121 }], 2],
        ] as const);
        this.addPolicy(ns, 'allow-prometheus-scrape', {
          podSelector: {}, policyTypes: ['Ingress'],
          ingress: [{
            from: [{
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
              podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
            }],
            ports: structuredClone(ports),
          }],
        });
        break;
      }
      case 'internet': {
        const apps = anyApp();
        const sel = apps.length > 0 ? this.selectorFor(rng.pick(apps)) : {};
        const ports: Json[] = [{ protocol: 'TCP', port: 443 }];
        if (rng.chance(0.3)) ports.push({ protocol: 'TCP', port: 80 });
        this.addPolicy(ns, 'allow-internet-egress', {
          podSelector: sel, policyTypes: ['Egress'],
          egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: [...RFC1918] } }], ports }],
        });
        break;
      }
      case 'cidr': {
        const target = rng.pick(CIDR_TARGETS);
        const key = `cidr:${target.name}`;
        if (ns.usedKinds.has(key)) return false;
        ns.usedKinds.add(key);
        const apps = byTier('backend');
        const sel = apps.length > 0 ? this.selectorFor(rng.pick(apps)) : {};
        this.addPolicy(ns, `allow-egress-to-${target.name}`, {
          podSelector: sel, policyTypes: ['Egress'],
          egress: [{ to: [{ ipBlock: structuredClone(target.ipBlock) }], ports: structuredClone(target.ports) }],
        });
        break;
      }
      case 'ipblock-ingress': {
        const source = rng.pick(INGRESS_SOURCES);
        const key = `ipblock-ingress:${source.name}`;
        const front = byTier('frontend', true);
        if (ns.usedKinds.has(key) || front.length === 0) return false;
        ns.usedKinds.add(key);
        const dst = rng.pick(front);
        this.addPolicy(ns, `allow-from-${source.name}`, {
          podSelector: this.selectorFor(dst), policyTypes: ['Ingress'],
          ingress: [{ from: [{ ipBlock: structuredClone(source.ipBlock) }], ports: this.portsFor(dst) }],
        });
        break;
      }
      case 'port-range': {
        const back = byTier('backend');
        if (back.length === 0) return false;
        const dst = rng.pick(back);
        if (rng.chance(0.5)) {
          this.addPolicy(ns, 'allow-media-port-range', {
            podSelector: this.selectorFor(dst), policyTypes: ['Ingress'],
            ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: ns.team } } }], ports: [{ protocol: 'UDP', port: 10000, endPort: 10100 }] }],
          });
        } else {
          if (!ns.denyEgress) return false;
          this.addPolicy(ns, 'allow-egress-high-ports', {
            podSelector: this.selectorFor(dst), policyTypes: ['Egress'],
            egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: [...RFC1918] } }], ports: [{ protocol: 'TCP', port: 30000, endPort: 32767 }] }],
          });
        }
        break;
      }
      case 'allow-all': {
        const front = byTier('frontend');
        if (front.length === 0) return false;
        const dst = rng.pick(front);
        this.addPolicy(ns, `allow-all-ingress-to-${dst.name}`, {
          podSelector: { matchLabels: { app: rng.pick(dst.apps) } }, policyTypes: ['Ingress'],
          ingress: [{}],
        });
        break;
      }
      case 'defaulted-egress': {
        // policyTypes omitted on an egress-only policy: it defaults to [Ingress, Egress] and so
        // also denies all ingress to the selected pods (semantics.md rule 2).
        const back = byTier('backend');
        const db = byTier('db', true);
        if (back.length === 0 || db.length === 0) return false;
        const src = rng.pick(back);
        const dst = rng.pick(db);
        this.addPolicy(ns, `${src.name}-egress-to-${dst.name}`, {
          podSelector: this.selectorFor(src),
          egress: [{ to: [{ podSelector: this.selectorFor(dst) }], ports: this.portsFor(dst) }],
        });
        break;
      }
    }
    if (singleton) ns.usedKinds.add(kind);
    return true;
  }

  /** How a policy selects a workload: by tier mostly, by app label, sometimes by expression. */
  private selectorFor(wl: WorkloadDef): Json {
    const rng = this.rng;
    const r = rng.next();
    if (wl.tier && r < 0.55) return { matchLabels: { tier: wl.tier } };
    if (r < 0.9 || !wl.tier) return { matchLabels: { app: rng.pick(wl.apps) } };
    return { matchExpressions: [{ key: 'tier', operator: 'In', values: [wl.tier] }] };
  }

  /** Ports toward a workload: its serving port by name or number; sometimes with a second port. */
  private portsFor(wl: WorkloadDef): Json[] {
    const rng = this.rng;
    const p = wl.serving;
    if (!p) return [{ protocol: 'TCP', port: 8080 }];
    const ports: Json[] = [];
    const r = rng.next();
    if (r < 0.35) ports.push({ port: p.name });
    else if (r < 0.55) ports.push({ protocol: p.protocol, port: p.name });
    else ports.push({ protocol: p.protocol, port: p.port });
    if (rng.chance(0.2)) {
      const extra = wl.containers.flatMap((c) => c.ports).find((q) => q !== p && !q.name.includes('metrics'));
      if (extra) ports.push({ protocol: extra.protocol, port: rng.chance(0.5) ? extra.name : extra.port });
    }
    return ports;
  }

  // ----- helpers -----

  private uid(): string {
    const rng = this.rng;
    const a = rng.uint32();
    const b = rng.uint32();
    const c = rng.uint32();
    const d = rng.uint32();
    // Version 4 layout: xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx
    return (
      `${hex8(a)}-${HEX2[b >>> 24]}${HEX2[(b >>> 16) & 255]}-4${HEX2[(b >>> 8) & 15]!.slice(1)}${HEX2[b & 255]}-` +
      `${HEX2[0x80 | ((c >>> 24) & 0x3f)]}${HEX2[(c >>> 16) & 255]}-${HEX2[(c >>> 8) & 255]}${HEX2[c & 255]}${hex8(d)}`
    );
  }
}

const HEX2: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hex8(n: number): string {
  return `${HEX2[n >>> 24]}${HEX2[(n >>> 16) & 255]}${HEX2[(n >>> 8) & 255]}${HEX2[n & 255]}`;
}

type PolicyKind =
  | 'same-namespace' | 'tier-ingress' | 'tier-egress' | 'cross-namespace' | 'monitoring' | 'internet'
  | 'cidr' | 'ipblock-ingress' | 'port-range' | 'allow-all' | 'defaulted-egress';

interface IpBlockTarget {
  name: string;
  ipBlock: { cidr: string; except?: string[] };
  ports: Json[];
}

const CIDR_TARGETS: readonly IpBlockTarget[] = [
  { name: 'rds', ipBlock: { cidr: '10.20.0.0/16' }, ports: [{ protocol: 'TCP', port: 5432 }] },
  { name: 'onprem-ldap', ipBlock: { cidr: '192.168.10.0/24' }, ports: [{ protocol: 'TCP', port: 636 }] },
  { name: 'partner-api', ipBlock: { cidr: '203.0.113.0/24' }, ports: [{ protocol: 'TCP', port: 443 }] },
  { name: 'smtp-relay', ipBlock: { cidr: '198.51.100.25/32' }, ports: [{ protocol: 'TCP', port: 587 }] },
  { name: 'vault', ipBlock: { cidr: '172.16.0.0/12', except: ['172.16.40.0/24'] }, ports: [{ protocol: 'TCP', port: 8200 }] },
  { name: 'kafka', ipBlock: { cidr: '10.30.8.0/21' }, ports: [{ protocol: 'TCP', port: 9092, endPort: 9094 }] },
  // A legacy allow-list of part of the pod CIDR: matches pods when ipBlockMatchesPods is on.
  { name: 'legacy-subnet', ipBlock: { cidr: '10.64.0.0/16' }, ports: [{ protocol: 'TCP', port: 8080 }] },
  { name: 'object-storage-v6', ipBlock: { cidr: '2001:db8:100::/48' }, ports: [{ protocol: 'TCP', port: 443 }] },
];

const INGRESS_SOURCES: readonly Omit<IpBlockTarget, 'ports'>[] = [
  { name: 'office', ipBlock: { cidr: '198.51.100.0/24' } },
  { name: 'load-balancers', ipBlock: { cidr: '172.20.0.0/16' } },
  { name: 'vpn', ipBlock: { cidr: '100.64.0.0/10', except: ['100.64.1.0/24'] } },
];

function timestamp(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}
