// Flags and environment -> one validated Config for `traffic-map serve`.
export interface ServeConfig {
  host: string;
  port: number;
  token?: string;
  insecureNoAuth: boolean;
  kubeconfig?: string;
  context?: string;
  /** Watch only these namespaces (for users without cluster-wide list rights). */
  namespaces?: string[];
  ipBlockMatchesPods: boolean;
  /** Watch the built-in simulated cluster even when a kubeconfig exists. */
  simulate: boolean;
  /** Scenario of the simulated cluster started when no kubeconfig is found. */
  simScenario: string;
  /** Pod events per second of simulated churn (0 = none). */
  simChurn: number;
  /** Events within this window become one delta. */
  coalesceMs: number;
  /** Browser origins allowed besides the server's own (socket.io Origin check). */
  allowedOrigins?: string[];
}

export interface ServeFlags {
  host?: string;
  port?: string | number;
  token?: string;
  insecureNoAuth?: boolean;
  kubeconfig?: string;
  context?: string;
  namespace?: string[];
  ipblockMatchesPods?: boolean;
  simulate?: boolean;
  simScenario?: string;
  simChurn?: string | number;
  allowOrigin?: string[];
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|::1|\[::1\])$/;

export function isLoopback(host: string): boolean {
  return LOOPBACK.test(host);
}

/** Builds the config; throws an Error whose message says which flag or variable is wrong and how to fix it. */
export function serveConfig(flags: ServeFlags, env: NodeJS.ProcessEnv = process.env): ServeConfig {
  const host = flags.host ?? env['TRAFFIC_MAP_HOST'] ?? '127.0.0.1';
  const portText = String(flags.port ?? env['TRAFFIC_MAP_PORT'] ?? '8080');
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) throw new Error(`--port must be a number from 0 to 65535, got "${portText}"`);
  const token = flags.token ?? env['TRAFFIC_MAP_TOKEN'] ?? undefined;
  if (token !== undefined && token.length < 16) throw new Error('--token (TRAFFIC_MAP_TOKEN) must be at least 16 characters');
  const insecureNoAuth = flags.insecureNoAuth ?? false;
  if (!isLoopback(host) && token === undefined && !insecureNoAuth) {
    throw new Error(
      `--host ${host} exposes the dashboard (a map of the cluster's attack surface) beyond this machine: ` +
        'set --token (or TRAFFIC_MAP_TOKEN), or pass --insecure-no-auth if you really mean it',
    );
  }
  const churnText = String(flags.simChurn ?? '0');
  const simChurn = Number(churnText);
  if (!Number.isFinite(simChurn) || simChurn < 0) throw new Error(`--sim-churn must be a number of events per second >= 0, got "${churnText}"`);
  return {
    host,
    port,
    ...(token !== undefined ? { token } : {}),
    insecureNoAuth,
    ...(flags.kubeconfig !== undefined ? { kubeconfig: flags.kubeconfig } : {}),
    ...(flags.context !== undefined ? { context: flags.context } : {}),
    ...(flags.namespace && flags.namespace.length > 0 ? { namespaces: flags.namespace } : {}),
    ipBlockMatchesPods: flags.ipblockMatchesPods ?? true,
    simulate: flags.simulate ?? false,
    simScenario: flags.simScenario ?? 'demo',
    simChurn,
    coalesceMs: 20,
    ...(flags.allowOrigin && flags.allowOrigin.length > 0 ? { allowedOrigins: flags.allowOrigin } : {}),
  };
}
