// startSimulatedCluster: the simulated Kubernetes API server as a programmatic API, for tests, the
// `traffic-map sim` command and the dashboard's demo mode.
import { createServer as createHttpServer } from 'node:http';
import type { Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { ApiServer } from './api-server.ts';
import { Churn } from './churn.ts';
import { Faults } from './faults.ts';
import { kubeconfigYaml, writeKubeconfigFile } from './kubeconfig.ts';
import { RequestLog } from './requests.ts';
import { ADMIN_POLICY_GROUP, resourceForKind } from './resources.ts';
import type { SimResource } from './resources.ts';
import { scenarioObjects, isScenario, SCENARIOS } from './scenarios/index.ts';
import { Store } from './store.ts';
import type { StoreDump } from './store.ts';
import { selfSignedCertificate } from './tls.ts';

export interface SimulatedClusterOptions {
  /** `demo` (default), `S`, `M`, `L` or `empty`. */
  scenario?: string;
  /** Objects loaded after the scenario (e.g. a test's fixture). */
  objects?: readonly unknown[];
  /** Default 0: a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Serve HTTPS with a self-signed certificate generated at start. */
  https?: boolean;
  /** Bearer tokens accepted; when given, a request without a valid one gets 401. */
  tokens?: string[];
  /** Churn rate (store writes per second); 0 or absent: none. */
  churn?: number;
  /** Seed of the scenario and of the churn. */
  seed?: number;
  /** Serve policy.networking.k8s.io/v1alpha1 (AdminNetworkPolicy, BaselineAdminNetworkPolicy). Default true. */
  servesAdminPolicies?: boolean;
  /** Interval of BOOKMARK events on watches with allowWatchBookmarks=true. Default 10 s. */
  bookmarkIntervalMs?: number;
  /** Events kept for watch replay (older ones compacted). Default 50,000. */
  historyLimit?: number;
  /** Fixed clock for the demo's ages (default: now). */
  now?: number;
}

export interface SimState {
  url: string;
  scenario: string;
  https: boolean;
  servesAdminPolicies: boolean;
  store: StoreDump;
  openWatches: Record<SimResource, number>;
  faults: ReturnType<Faults['active']>;
  counters: Record<string, number>;
  churn: { running: boolean; writes: number } | null;
}

export interface SimulatedCluster {
  /** `http://127.0.0.1:PORT` or `https://...`. */
  readonly url: string;
  readonly port: number;
  readonly host: string;
  readonly https: boolean;
  readonly scenario: string;
  readonly faults: Faults;
  readonly requests: RequestLog;
  readonly store: Store;
  /** The churn engine: running when started with `churn` > 0; start, stop or step it at will. */
  readonly churn: Churn;
  /** The kubeconfig text (token: the first configured one, or `token`). */
  kubeconfig(options?: { token?: string; namespace?: string }): string;
  /** Writes the kubeconfig (mode 0600); returns the path. */
  writeKubeconfig(path: string, options?: { token?: string; namespace?: string }): Promise<string>;
  /** Everything for assertions: objects per resource, RVs, open watches, faults, counters. */
  state(): SimState;
  /** Stops churn, ends every connection, closes the listener. */
  close(): Promise<void>;
}

export async function startSimulatedCluster(options: SimulatedClusterOptions = {}): Promise<SimulatedCluster> {
  const scenario = options.scenario ?? 'demo';
  if (!isScenario(scenario)) throw new Error(`unknown scenario "${scenario}" (one of ${SCENARIOS.join(', ')})`);
  const host = options.host ?? '127.0.0.1';
  const https = options.https === true;
  const tokens = [...(options.tokens ?? [])];
  const servesAdminPolicies = options.servesAdminPolicies !== false;
  const now = Date.now;

  const store = new Store({ ...(options.historyLimit === undefined ? {} : { historyLimit: options.historyLimit }) });
  const served = (o: unknown): boolean => {
    const obj = o as { kind?: unknown; apiVersion?: unknown };
    const def = resourceForKind(String(obj.kind), typeof obj.apiVersion === 'string' ? obj.apiVersion : undefined);
    return def !== undefined && (servesAdminPolicies || def.group !== ADMIN_POLICY_GROUP);
  };
  const objects = scenarioObjects(scenario, {
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    now: options.now ?? now(),
    adminPolicies: servesAdminPolicies,
  });
  // The scenario's objects were just generated for this store: taken over without copies.
  store.load(objects.filter(served), { owned: true });
  if (options.objects) store.load(options.objects.filter(served));

  const faults = new Faults(store);
  const requests = new RequestLog();
  const churn = new Churn(store, { rate: options.churn && options.churn > 0 ? options.churn : 1, ...(options.seed === undefined ? {} : { seed: options.seed }) });

  let url = '';
  let port = 0;
  const sockets = new Set<Socket>();
  const state = (): SimState => ({
    url,
    scenario,
    https,
    servesAdminPolicies,
    store: store.dump(),
    openWatches: faults.openWatches(),
    faults: faults.active(),
    counters: requests.counters(),
    churn: { running: churn.running, writes: churn.stats.writes },
  });
  const api = new ApiServer({
    store,
    faults,
    requests,
    tokens,
    servesAdminPolicies,
    https,
    bookmarkIntervalMs: options.bookmarkIntervalMs ?? 10_000,
    now,
    serverAddress: () => `${host}:${port}`,
    control: {
      state,
      churn: (action, o) => {
        if (action === 'start') churn.start(typeof o['rate'] === 'number' ? o['rate'] : undefined);
        else if (action === 'stop') churn.stop();
        else if (action === 'step') churn.step(typeof o['n'] === 'number' ? o['n'] : 1);
        else throw new Error(`unknown churn action "${action}"`);
        return { running: churn.running, ...churn.stats };
      },
    },
  });

  let server: Server;
  if (https) {
    const tls = await selfSignedCertificate(host);
    server = createHttpsServer({ key: tls.key, cert: tls.cert }, api.listener);
  } else {
    server = createHttpServer(api.listener);
  }
  server.keepAliveTimeout = 30_000;
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '[::1]' : host;
  url = `${https ? 'https' : 'http'}://${urlHost}:${port}`;
  if (options.churn && options.churn > 0) churn.start(options.churn);

  let closing: Promise<void> | undefined;
  const kubeconfig = (o: { token?: string; namespace?: string } = {}): string => {
    const token = o.token ?? tokens[0];
    return kubeconfigYaml({ server: url, ...(token === undefined ? {} : { token }), ...(o.namespace ? { namespace: o.namespace } : {}) });
  };
  return {
    url,
    port,
    host,
    https,
    scenario,
    faults,
    requests,
    store,
    churn,
    kubeconfig,
    writeKubeconfig: async (path, o = {}) => {
      const token = o.token ?? tokens[0];
      return writeKubeconfigFile(path, { server: url, ...(token === undefined ? {} : { token }), ...(o.namespace ? { namespace: o.namespace } : {}) });
    },
    state,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        churn.stop();
        faults.endWatches();
        server.close(() => resolve());
        server.closeAllConnections();
        for (const s of sockets) s.destroy();
      });
      return closing;
    },
  };
}
