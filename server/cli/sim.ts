// `traffic-map sim`: runs the simulated Kubernetes API server alone, writes a kubeconfig for it and
// serves until SIGINT/SIGTERM. The lead wires `registerSimCommand` into the program in main.ts.
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { InvalidArgumentError, Option } from 'commander';
import type { Command } from 'commander';
import { SCENARIOS } from '../sim/scenarios/index.ts';
import { startSimulatedCluster } from '../sim/simulated-cluster.ts';
import type { SimulatedCluster } from '../sim/simulated-cluster.ts';
import type { Output } from './common.ts';

export interface SimCommandOptions {
  scenario?: string;
  port?: number;
  host?: string;
  https?: boolean;
  /** A bearer token clients must send (over HTTPS; kubectl sends none over plain HTTP). */
  token?: string;
  /** Churn rate in store writes per second. */
  churn?: number;
  seed?: number;
  /** Where to write the kubeconfig (default: a file in the OS temp folder). */
  kubeconfigOut?: string;
  /** Serve policy.networking.k8s.io/v1alpha1 (default true). */
  adminPolicies?: boolean;
  /** Stop on SIGINT/SIGTERM (default true; tests pass false and call stop()). */
  handleSignals?: boolean;
}

export interface SimHandle {
  cluster: SimulatedCluster;
  kubeconfigPath: string;
  /** Stops the server (idempotent); `done` resolves afterwards. */
  stop(): Promise<void>;
  /** Resolves once the server has stopped (by stop() or a signal). */
  done: Promise<void>;
}

/** Exit code when the server could not start (port taken, bad host...). */
export const SIM_START_FAILED = 1;

function count(cluster: SimulatedCluster): string {
  const { counts } = cluster.store.dump();
  const admin = counts.adminnetworkpolicies + counts.baselineadminnetworkpolicies;
  return `${counts.namespaces} namespaces, ${counts.pods} pods, ${counts.networkpolicies} NetworkPolicies${admin > 0 ? `, ${admin} admin policies` : ''}`;
}

export async function runSim(opts: SimCommandOptions, io: Output): Promise<SimHandle> {
  const cluster = await startSimulatedCluster({
    scenario: opts.scenario ?? 'demo',
    port: opts.port ?? 0,
    host: opts.host ?? '127.0.0.1',
    https: opts.https === true,
    ...(opts.token ? { tokens: [opts.token] } : {}),
    ...(opts.churn !== undefined ? { churn: opts.churn } : {}),
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    servesAdminPolicies: opts.adminPolicies !== false,
  });
  const kubeconfigPath = resolve(opts.kubeconfigOut ?? join(tmpdir(), `traffic-map-sim-${cluster.port}.kubeconfig`));
  try {
    await cluster.writeKubeconfig(kubeconfigPath);
  } catch (err) {
    await cluster.close();
    throw err;
  }

  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((r) => (resolveDone = r));
  let stopping: Promise<void> | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    io.err(`\n${signal}: stopping the simulated cluster\n`);
    void stop();
  };
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await cluster.close();
      resolveDone();
    })();
    return stopping;
  };
  if (opts.handleSignals !== false) {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }

  io.out(`Simulated Kubernetes API server (scenario ${cluster.scenario}: ${count(cluster)}) at ${cluster.url}\n`);
  io.out(`Kubeconfig: ${kubeconfigPath}\n`);
  if (opts.churn !== undefined && opts.churn > 0) io.out(`Churn: ${opts.churn} pod changes per second\n`);
  if (opts.token) io.out(`Bearer token required${cluster.https ? '' : ' (note: kubectl sends no token over plain http)'}\n`);
  if (!['127.0.0.1', '::1', 'localhost'].includes(cluster.host) && !opts.token) {
    io.err(`warning: listening on ${cluster.host} without a token: anyone who can reach it may read and change the simulated cluster\n`);
  }
  io.out(`Try:  kubectl --kubeconfig ${kubeconfigPath} get pods -A\n`);
  if (opts.handleSignals !== false) io.out('Press Ctrl+C to stop.\n');
  return { cluster, kubeconfigPath, stop, done };
}

function portArg(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new InvalidArgumentError('a port is a number from 0 (any free port) to 65535');
  return n;
}

function rateArg(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 100_000) throw new InvalidArgumentError('the churn rate is a number of pod changes per second, > 0');
  return n;
}

function seedArg(value: string): number {
  if (!/^-?\d+$/.test(value)) throw new InvalidArgumentError('the seed is an integer');
  return Number(value);
}

/** Adds `sim` to the program; the action resolves when the server stops. */
export function registerSimCommand(program: Command, io: Output, setExit: (code: number) => void): Command {
  return program
    .command('sim')
    .description('run a simulated Kubernetes API server (demo cluster, fault injection) and write a kubeconfig for it')
    .addOption(new Option('--scenario <name>', 'cluster to serve').choices([...SCENARIOS]).default('demo'))
    .addOption(new Option('--port <n>', 'port (0: any free port)').argParser(portArg).default(0))
    .option('--host <address>', 'address to bind', '127.0.0.1')
    .option('--https', 'serve HTTPS with a self-signed certificate', false)
    .option('--token <token>', 'require this bearer token (HTTPS: kubectl sends no token over plain http)')
    .addOption(new Option('--churn <rate>', 'pod changes per second (rolling updates, scaling)').argParser(rateArg))
    .addOption(new Option('--seed <n>', 'seed of the scenario and the churn').argParser(seedArg))
    .option('--kubeconfig-out <path>', 'where to write the kubeconfig (default: in the temp folder)')
    .option('--no-admin-policies', 'do not serve policy.networking.k8s.io (AdminNetworkPolicy)')
    .action(async (opts: SimCommandOptions & { adminPolicies: boolean }) => {
      let handle: SimHandle;
      try {
        handle = await runSim(opts, io);
      } catch (err) {
        io.err(`error: the simulated cluster could not start: ${(err as Error).message}\n`);
        setExit(SIM_START_FAILED);
        return;
      }
      await handle.done;
      setExit(0);
    });
}
