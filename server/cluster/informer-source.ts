// The live cluster: pods, namespaces, networkpolicies (and the admin tiers) through client-node informers, each kept
// alive by a ResourceWatcher (backoff, stall detection, flap guard, relist on 410).
//
// Cluster-wide by default (listPodForAllNamespaces, listNamespace, listNetworkPolicyForAllNamespaces).
// With `namespaces` (for users without cluster-wide rights) pods and networkpolicies are watched
// in each listed namespace (one status per namespace), and namespaces still with one cluster-wide
// informer: namespace labels decide namespaceSelectors, and no per-namespace request can list
// them. When that list is forbidden the namespaces resource says `forbidden` and keeps retrying
// with backoff; nothing is made up in its place: labels we cannot read are unknown, not empty
// (the loader already gives a referenced namespace its `kubernetes.io/metadata.name` label).
//
// AdminNetworkPolicies and the BaselineAdminNetworkPolicy (cluster-scoped, also with `namespaces`)
// are watched only when API discovery finds them served (DiscoveredResources); otherwise their
// status is `not-installed`, which is not an error: such a cluster has none.
import { CoreV1Api, CustomObjectsApi, NetworkingV1Api, Observable } from '@kubernetes/client-node';
import type {
  KubeConfig,
  KubernetesListObject,
  KubernetesObject,
  ObservableMiddleware,
  RequestContext,
  ResponseContext,
} from '@kubernetes/client-node';
import { backoffPolicy } from './backoff.ts';
import type { BackoffPolicy } from './backoff.ts';
import { DiscoveredResources } from './discovered-resources.ts';
import { ResourceWatcher, describeError } from './resource-watcher.ts';
import type { WatchTarget, WatcherSettings } from './resource-watcher.ts';
import { RESOURCE_KINDS } from './source.ts';
import type { ClusterSource, ResourceKind, ResourceStatus, SourceEvent, SourceListener } from './source.ts';

export interface InformerSourceOptions {
  kubeConfig: KubeConfig;
  /** For logs and the UI; default `context "NAME" (SERVER)` from the kubeconfig. */
  description?: string;
  /** Watch pods and networkpolicies in these namespaces only (namespaces stay cluster-wide). */
  namespaces?: readonly string[];
  /** Restart a watch that got no event or bookmark for this long. Default 5 minutes. */
  stallTimeoutMs?: number;
  /** Abandon (and retry) a list that has not answered after this long. Default: stallTimeoutMs. */
  listTimeoutMs?: number;
  /** Restart backoff. Default 200 ms doubling to 30 s, ±20 % jitter. */
  backoff?: Partial<BackoffPolicy>;
  /** A watch the server ends within this long counts as ended at once (flapping). Default 1 s. */
  rapidEndMs?: number;
  /** A watch open this long resets the backoff. Default 60 s. */
  healthyAfterMs?: number;
  /**
   * `timeoutSeconds` sent with each watch, so the server ends it cleanly before the stall timer
   * fires. Default: 60-90 % of stallTimeoutMs (randomized, as client-go does) when that is at
   * least 30 s, else not sent. 0: never sent.
   */
  watchTimeoutSeconds?: number;
  /** How often API discovery is asked whether the admin policy CRDs are (still) installed. Default 60 s. */
  adminDiscoveryIntervalMs?: number;
  /** Random numbers in [0, 1) for jitter (tests pass a fixed one). */
  random?: () => number;
  /** Where restarts and skipped objects are reported. Default: console.warn. */
  log?: (message: string) => void;
}

export const DEFAULT_STALL_TIMEOUT_MS = 5 * 60_000;
export const DEFAULT_ADMIN_DISCOVERY_INTERVAL_MS = 60_000;

/** The AdminNetworkPolicy API (sig-network's network-policy-api CRDs). */
const ADMIN_GROUP = 'policy.networking.k8s.io';
const ADMIN_VERSION = 'v1alpha1';

type ListOptions = Parameters<CoreV1Api['listPodForAllNamespaces']>[1];
type AnyList = KubernetesListObject<KubernetesObject>;

/** List options that abort the request with `signal` (stop, list timeout). */
function withSignal(signal: AbortSignal): ListOptions {
  const middleware: ObservableMiddleware = {
    pre: (context: RequestContext) => {
      context.setSignal(signal as Parameters<RequestContext['setSignal']>[0]);
      return new Observable(Promise.resolve(context));
    },
    post: (context: ResponseContext) => new Observable(Promise.resolve(context)),
  };
  return { middleware: [middleware], middlewareMergeStrategy: 'append' };
}

export class InformerSource implements ClusterSource {
  readonly description: string;
  private readonly watchers: ResourceWatcher[];
  private readonly admin: DiscoveredResources;
  private listener: SourceListener | undefined;
  private state: 'new' | 'running' | 'stopped' = 'new';
  private readonly log: (message: string) => void;

  constructor(options: InformerSourceOptions) {
    const { kubeConfig } = options;
    this.description = options.description ?? describeKubeConfig(kubeConfig);
    this.log = options.log ?? ((message) => console.warn(`[informer] ${message}`));

    const stallTimeoutMs = positive(options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS, 'stallTimeoutMs');
    const random = options.random ?? Math.random;
    const fixedTimeout = options.watchTimeoutSeconds;
    const settings: WatcherSettings = {
      stallTimeoutMs,
      listTimeoutMs: positive(options.listTimeoutMs ?? stallTimeoutMs, 'listTimeoutMs'),
      rapidEndMs: positive(options.rapidEndMs ?? 1000, 'rapidEndMs'),
      healthyAfterMs: positive(options.healthyAfterMs ?? 60_000, 'healthyAfterMs'),
      backoff: backoffPolicy(options.backoff),
      random,
      watchTimeoutSeconds: () => {
        if (fixedTimeout !== undefined) return fixedTimeout > 0 ? fixedTimeout : undefined;
        const seconds = Math.floor((stallTimeoutMs / 1000) * (0.6 + 0.3 * random()));
        return seconds >= 30 ? seconds : undefined;
      },
    };

    const core = kubeConfig.makeApiClient(CoreV1Api);
    const networking = kubeConfig.makeApiClient(NetworkingV1Api);
    const targets: WatchTarget[] = [];
    const namespaces = options.namespaces === undefined ? undefined : [...new Set(options.namespaces)];
    if (namespaces !== undefined && namespaces.length === 0) throw new Error('namespaces: give at least one, or leave it out to watch all');
    for (const ns of namespaces ?? []) {
      if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(ns) || ns.length > 63) throw new Error(`namespaces: "${ns}" is not a namespace name`);
    }

    if (namespaces === undefined) {
      targets.push({
        resource: 'pods',
        path: '/api/v1/pods',
        list: (signal) => core.listPodForAllNamespaces({}, withSignal(signal)) as Promise<AnyList>,
      });
    } else {
      for (const namespace of namespaces) {
        targets.push({
          resource: 'pods',
          namespace,
          path: `/api/v1/namespaces/${namespace}/pods`,
          list: (signal) => core.listNamespacedPod({ namespace }, withSignal(signal)) as Promise<AnyList>,
        });
      }
    }
    targets.push({
      resource: 'namespaces',
      path: '/api/v1/namespaces',
      list: (signal) => core.listNamespace({}, withSignal(signal)) as Promise<AnyList>,
    });
    if (namespaces === undefined) {
      targets.push({
        resource: 'networkpolicies',
        path: '/apis/networking.k8s.io/v1/networkpolicies',
        list: (signal) => networking.listNetworkPolicyForAllNamespaces({}, withSignal(signal)) as Promise<AnyList>,
      });
    } else {
      for (const namespace of namespaces) {
        targets.push({
          resource: 'networkpolicies',
          namespace,
          path: `/apis/networking.k8s.io/v1/namespaces/${namespace}/networkpolicies`,
          list: (signal) => networking.listNamespacedNetworkPolicy({ namespace }, withSignal(signal)) as Promise<AnyList>,
        });
      }
    }

    const sink = { event: (event: SourceEvent) => this.deliver(event), log: this.log };
    this.watchers = targets.map((target) => new ResourceWatcher(kubeConfig, target, settings, sink));

    const custom = kubeConfig.makeApiClient(CustomObjectsApi);
    const interval = positive(options.adminDiscoveryIntervalMs ?? DEFAULT_ADMIN_DISCOVERY_INTERVAL_MS, 'adminDiscoveryIntervalMs');
    const adminTarget = (resource: 'adminnetworkpolicies' | 'baselineadminnetworkpolicies'): WatchTarget => ({
      resource,
      path: `/apis/${ADMIN_GROUP}/${ADMIN_VERSION}/${resource}`,
      list: (signal) => custom.listClusterCustomObject({ group: ADMIN_GROUP, version: ADMIN_VERSION, plural: resource }, withSignal(signal)) as Promise<AnyList>,
    });
    this.admin = new DiscoveredResources(
      kubeConfig,
      {
        groupVersion: `${ADMIN_GROUP}/${ADMIN_VERSION}`,
        discover: async (signal) => (await custom.getAPIResources({ group: ADMIN_GROUP, version: ADMIN_VERSION }, withSignal(signal))).resources.map((r) => r.name),
        targets: [adminTarget('adminnetworkpolicies'), adminTarget('baselineadminnetworkpolicies')],
      },
      settings,
      { intervalMs: interval, minIntervalMs: Math.min(interval, 5000) },
      sink,
    );
  }

  async start(listener: SourceListener): Promise<void> {
    if (this.state !== 'new') throw new Error(`InformerSource.start: already ${this.state === 'running' ? 'started' : 'stopped'}`);
    this.state = 'running';
    this.listener = listener;
    for (const watcher of this.watchers) watcher.start();
    this.admin.start();
  }

  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    this.listener = undefined;
    await Promise.all([...this.watchers.map((w) => w.stop()), this.admin.stop()]);
  }

  status(): Record<ResourceKind, ResourceStatus[]> {
    const result = Object.fromEntries(RESOURCE_KINDS.map((kind) => [kind, [] as ResourceStatus[]])) as Record<ResourceKind, ResourceStatus[]>;
    for (const watcher of this.watchers) result[watcher.target.resource].push(watcher.status());
    for (const { resource, status } of this.admin.status()) result[resource].push(status);
    return result;
  }

  /** Discovery requests for the admin policy API so far: for tests and metrics. */
  get adminDiscoveries(): number {
    return this.admin.discoveries;
  }

  /** Lists, watches and restarts so far, per resource (and namespace): for tests and metrics. */
  requestCounts(): { resource: ResourceKind; namespace?: string; lists: number; watches: number; restarts: number }[] {
    return [
      ...this.watchers.map((w) => ({
        resource: w.target.resource,
        ...(w.target.namespace !== undefined ? { namespace: w.target.namespace } : {}),
        ...w.counters,
      })),
      ...this.admin.requestCounts(),
    ];
  }

  private deliver(event: SourceEvent): void {
    const listener = this.listener;
    if (this.state !== 'running' || listener === undefined) return;
    try {
      listener(event);
    } catch (err) {
      this.log(`the listener failed on a ${event.type} event for ${event.resource}: ${describeError(err)}`);
    }
  }
}

function positive(value: number, name: string): number {
  if (!(value > 0) || !Number.isFinite(value)) throw new Error(`${name} must be a positive number of milliseconds, got ${value}`);
  return value;
}

/** `context "kind-prod" (https://127.0.0.1:6443)`. */
export function describeKubeConfig(kubeConfig: KubeConfig): string {
  const server = kubeConfig.getCurrentCluster()?.server ?? 'no cluster';
  return `context "${kubeConfig.getCurrentContext()}" (${server})`;
}
