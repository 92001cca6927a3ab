// Composition root of `traffic-map serve`: config -> source -> live engine -> HTTP. With no
// kubeconfig it starts the simulated cluster and watches it through the same client-node path.
import { createServer, type Server } from 'node:http';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import type { ClusterSource } from './cluster/source.ts';
import { InformerSource } from './cluster/informer-source.ts';
import { resolveKubeConfig } from './cluster/kubeconfig.ts';
import type { ServeConfig } from './config.ts';
import { createApp } from './http/app.ts';
import { Readiness } from './http/health.ts';
import { ServerMetrics } from './http/metrics.ts';
import { engineState } from './live/engine-state.ts';
import { LiveEngine } from './live/live-engine.ts';
import { attachSocketServer } from './socket/socket-server.ts';
import type { ViewHub } from './socket/view-hub.ts';
import { startSimulatedCluster, type SimulatedCluster } from './sim/simulated-cluster.ts';
import type { HistoryStore } from './history/history-store.ts';
import { pastState } from './history/past-state.ts';
import { startHistory } from './history/start.ts';

export interface RunningServer {
  url: string;
  port: number;
  engine: LiveEngine;
  source: ClusterSource;
  /** The socket.io views (rooms), for tests and diagnostics. */
  views: ViewHub;
  /** The built-in simulated cluster, when no kubeconfig was found. */
  sim?: SimulatedCluster;
  /** The kubeconfig written for the simulated cluster. */
  simKubeconfig?: string;
  /** The history store (absent with --no-history). */
  history?: HistoryStore;
  stop(): Promise<void>;
}

export interface ServerLog {
  info(message: string): void;
  /** Watch restarts and skipped objects (default: info). */
  warn?(message: string): void;
}

export async function startServer(config: ServeConfig, log: ServerLog): Promise<RunningServer> {
  let resolved = config.simulate
    ? null
    : resolveKubeConfig({
        ...(config.kubeconfig !== undefined ? { kubeconfig: config.kubeconfig } : {}),
        ...(config.context !== undefined ? { context: config.context } : {}),
      });
  let sim: SimulatedCluster | undefined;
  let simKubeconfig: string | undefined;
  if (!resolved) {
    sim = await startSimulatedCluster({ scenario: config.simScenario, churn: config.simChurn });
    const dir = join(tmpdir(), 'traffic-map');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    simKubeconfig = await sim.writeKubeconfig(join(dir, `sim-${sim.port}.kubeconfig`));
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(simKubeconfig);
    resolved = { kubeConfig, description: `simulated cluster "${config.simScenario}" (${sim.url})` };
    log.info(`${config.simulate ? 'Simulating' : 'No kubeconfig found'}: watching the built-in simulated cluster "${config.simScenario}" at ${sim.url}.`);
    log.info(`Change it with kubectl:  kubectl --kubeconfig ${simKubeconfig} get pods -A`);
  } else {
    log.info(`Watching ${resolved.description}${config.namespaces ? ` (namespaces ${config.namespaces.join(', ')})` : ''}.`);
  }

  const engine = new LiveEngine({ analysis: { ipBlockMatchesPods: config.ipBlockMatchesPods }, coalesceMs: config.coalesceMs });
  const source = new InformerSource({
    kubeConfig: resolved.kubeConfig,
    description: resolved.description,
    ...(config.namespaces ? { namespaces: config.namespaces } : {}),
    log: (m) => (log.warn ? log.warn(m) : log.info(m)),
  });
  // Operations: readiness follows the statuses the engine applied; metrics time each event from
  // receipt to its delta (so their delta listener goes first).
  const readiness = new Readiness(config.readyGraceMs);
  const socketHub: { current?: ViewHub } = {};
  const metrics = new ServerMetrics({
    engine,
    readiness: () => readiness.check(engine.state.status()),
    clients: () => {
      const stats = socketHub.current?.socketStats() ?? [];
      return { connected: stats.length, lagging: stats.filter((s) => s.laggingViews > 0).length };
    },
  });
  const offOps = engine.onDelta((d) => {
    metrics.deltaEmitted(d);
    if (d.status) readiness.observe(d.status);
  });
  // History records each event once the engine has applied it (its listener is set up here, before any event).
  const warn = (m: string) => (log.warn ? log.warn(m) : log.info(m));
  const history = config.history
    ? startHistory({
        ...(config.historyPath !== undefined ? { path: config.historyPath } : {}),
        retentionMs: config.retentionMs,
        source: resolved.description,
        simulated: sim !== undefined,
        engine,
        analysis: { ipBlockMatchesPods: config.ipBlockMatchesPods },
        log: (m) => log.info(m),
        warn,
      })
    : undefined;
  await source.start((event) => {
    metrics.eventReceived(event);
    history?.observe(event);
    engine.apply(event);
  });

  const sourceName = resolved.description;
  const app = createApp({
    engine,
    source: sourceName,
    ...(config.token !== undefined ? { token: config.token } : {}),
    readiness: () => readiness.check(engine.state.status()),
    metrics: metrics.handler({ ...(config.token !== undefined ? { token: config.token } : {}), public: config.publicMetrics }),
    ...(history ? { history: history.store } : {}),
  });
  const server: Server = createServer(app);
  const sockets = attachSocketServer(server, {
    state: () => engineState(engine),
    source: () => sourceName,
    fullStatus: () => engine.state.status(),
    ...(history ? { past: (at: string) => pastState(history.store.reader, at) } : {}),
    ...(config.token !== undefined ? { token: config.token } : {}),
    ...(config.allowedOrigins ? { allowedOrigins: config.allowedOrigins } : {}),
  });
  socketHub.current = sockets.hub;
  const offDelta = engine.onDelta((d) => sockets.hub.onEngineDelta(d));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  log.info(`Traffic Map on ${url}  (snapshot: ${url}/api/v1/snapshot?group=namespace)`);

  let stopped = false;
  return {
    url,
    port,
    engine,
    source,
    views: sockets.hub,
    ...(sim ? { sim } : {}),
    ...(simKubeconfig ? { simKubeconfig } : {}),
    ...(history ? { history: history.store } : {}),
    async stop() {
      if (stopped) return;
      stopped = true;
      offDelta();
      offOps();
      await sockets.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await source.stop();
      engine.stop();
      await history?.stop();
      await sim?.close();
    },
  };
}
