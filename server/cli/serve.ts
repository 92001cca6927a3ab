import { Option, type Command } from 'commander';
import { serveConfig, type ServeFlags } from '../config.ts';
import { startServer } from '../main.ts';
import { EXIT, parseBooleanFlag, type Output } from './common.ts';

/** `traffic-map serve` (the default command): the live dashboard server. */
export function registerServeCommand(program: Command, io: Output, setExit: (code: number) => void): Command {
  return program
    .command('serve', { isDefault: true })
    .description('watch a cluster (or the built-in simulated one) and serve the live map')
    .option('--host <host>', 'address to listen on (env TRAFFIC_MAP_HOST)', undefined)
    .option('--port <n>', 'port to listen on (env TRAFFIC_MAP_PORT; default 8080)')
    .option('--token <token>', 'require this bearer token (env TRAFFIC_MAP_TOKEN); needed off loopback')
    .option('--insecure-no-auth', 'allow a non-loopback --host without a token', false)
    .option('--kubeconfig <path>', 'kubeconfig file (default: $KUBECONFIG, ~/.kube/config, in-cluster)')
    .option('--context <name>', 'kubeconfig context')
    .option('--namespace <ns...>', 'watch only these namespaces (without cluster-wide list rights)')
    .addOption(new Option('--ipblock-matches-pods <bool>', 'ipBlocks also match pod IPs').argParser(parseBooleanFlag).default(true))
    .option('--simulate', 'watch the built-in simulated cluster even when a kubeconfig exists', false)
    .option('--sim-scenario <name>', 'simulated cluster when no kubeconfig is found: demo, S, M, L', 'demo')
    .option('--sim-churn <rate>', 'simulated pod events per second', '0')
    .option('--allow-origin <origin...>', 'browser origins allowed to connect besides the server itself (e.g. http://localhost:5173)')
    .action(async (flags: ServeFlags) => {
      let config;
      try {
        config = serveConfig(flags);
      } catch (err) {
        io.err(`error: ${(err as Error).message}\n`);
        setExit(EXIT.inputErrors);
        return;
      }
      const server = await startServer(config, { info: (m) => io.err(`${m}\n`) });
      await new Promise<void>((resolve) => {
        const stop = () => void server.stop().then(resolve);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      setExit(EXIT.ok);
    });
}
