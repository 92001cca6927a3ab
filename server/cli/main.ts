// `traffic-map` command line: the live server (`serve`, the default), the simulated cluster (`sim`),
// offline analysis of manifest folders (`analyze`, `check`, `unprotected`) and `diff` of two states.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { Protocol } from '../../shared/model/types.ts';
import { runAnalyze } from './analyze.ts';
import { runCheck } from './check.ts';
import { EXIT, parseBooleanFlag, type Output } from './common.ts';
import { registerDiffCommand } from './diff.ts';
import { registerReportCommand } from './report.ts';
import { registerServeCommand } from './serve.ts';
import { registerSimCommand } from './sim.ts';
import { runUnprotected } from './unprotected.ts';

const stdio: Output = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

function booleanArg(value: string): boolean {
  try {
    return parseBooleanFlag(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

function portArg(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 65535) throw new InvalidArgumentError('a port is a number from 1 to 65535');
  return n;
}

const ipBlockOption = () =>
  new Option('--ipblock-matches-pods <bool>', 'whether ipBlocks (and admin networks) also match pod IPs (semantics.md rule 17)').argParser(booleanArg).default(true);

export function buildProgram(io: Output, setExit: (code: number) => void): Command {
  const program = new Command('traffic-map')
    .description('Which pods may talk to which: Kubernetes NetworkPolicy (and AdminNetworkPolicy) connectivity, exactly.')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err });

  program
    .command('analyze')
    .description('connectivity matrix of manifest files/folders (YAML or JSON, recursive)')
    .argument('<paths...>', 'manifest files or folders')
    .addOption(new Option('--group <level>', 'matrix level').choices(['pod', 'workload', 'namespace']).default('pod'))
    .addOption(new Option('--format <format>', 'output format').choices(['json', 'text', 'csv']).default('text'))
    .addOption(ipBlockOption())
    .action((paths: string[], opts) => setExit(runAnalyze(paths, opts, io)));

  program
    .command('check')
    .description('is FROM allowed to connect to TO on a port, and why (per direction)')
    .argument('<paths...>', 'manifest files or folders')
    .requiredOption('--from <ref>', 'namespace/pod, namespace/workload, namespace/name[Kind] or an IP address')
    .requiredOption('--to <ref>', 'namespace/pod, namespace/workload, namespace/name[Kind] or an IP address')
    .requiredOption('--port <n>', 'destination port', portArg)
    .addOption(new Option('--protocol <p>', 'protocol').choices(['TCP', 'UDP', 'SCTP']).default('TCP'))
    .addOption(new Option('--format <format>', 'output format').choices(['json', 'text']).default('text'))
    .addOption(new Option('--expect <verdict>', 'exit 1 unless the verdict is this').choices(['allowed', 'denied']))
    .addOption(ipBlockOption())
    .action((paths: string[], opts) => setExit(runCheck(paths, { ...opts, protocol: opts.protocol as Protocol }, io)));

  program
    .command('unprotected')
    .description('pods no NetworkPolicy isolates and no admin Deny rule covers; with --fail, exit 1 when there are any (a CI gate)')
    .argument('<paths...>', 'manifest files or folders')
    .addOption(new Option('--direction <d>', 'which direction counts').choices(['ingress', 'egress', 'any']).default('any'))
    .option('--fail', 'exit with code 1 when any pod is unprotected', false)
    .addOption(new Option('--format <format>', 'output format').choices(['json', 'text']).default('text'))
    .addOption(ipBlockOption())
    .action((paths: string[], opts) => setExit(runUnprotected(paths, opts, io)));

  registerDiffCommand(program, io, setExit);
  registerReportCommand(program, io, setExit);
  registerServeCommand(program, io, setExit);
  registerSimCommand(program, io, setExit);
  return program;
}

/** Runs the CLI and returns the exit code: 0 done, 1 gate failed, 2 input or usage errors, 3 cluster unreadable (EXIT). */
export async function main(argv: string[], io: Output = stdio): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram(io, (c) => (code = c));
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here with exit code 0; usage mistakes are input errors.
      return err.exitCode === 0 ? EXIT.ok : EXIT.inputErrors;
    }
    throw err;
  }
  return code;
}
