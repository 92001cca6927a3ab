import { Option, type Command } from 'commander';
import { CONFIG_ENV, SERVE_OPTIONS, envName, optionHelp, serveConfig, type OptionSpec, type ServeFlags } from '../config.ts';
import { createLogger } from '../log.ts';
import { startServer } from '../main.ts';
import { EXIT, type Output } from './common.ts';

const CONFIG_HELP = `YAML file of options: keys are the long flag names (port: 8080, sim-scenario: demo); a flag beats the environment, which beats the file (env ${CONFIG_ENV})`;

/** The serve options as help lines, for `traffic-map --help` (the default command's options). */
function serveOptionsHelp(): string {
  const rows = [['--config <file>', CONFIG_HELP], ...Object.values(SERVE_OPTIONS).map((o: OptionSpec<unknown>) => [`--${o.name}${o.arg ? ` ${o.arg}` : ''}`, optionHelp(o)])];
  const width = Math.max(...rows.map(([flag]) => flag!.length)) + 2;
  return rows.map(([flag, help]) => wrap(`  ${flag!.padEnd(width)}`, help!, 2 + width)).join('\n');
}

/** `head` then `text` wrapped at 80 columns, continuation lines indented to `indent`. */
function wrap(head: string, text: string, indent: number): string {
  const lines: string[] = [];
  let line = head;
  let empty = true;
  for (const word of text.split(' ')) {
    if (!empty && line.length + 1 + word.length > 80) {
      lines.push(line);
      line = ' '.repeat(indent);
      empty = true;
    }
    line += empty ? word : ` ${word}`;
    empty = false;
  }
  lines.push(line);
  return lines.join('\n');
}

/** `traffic-map serve` (the default command): the live dashboard server. */
export function registerServeCommand(program: Command, io: Output, setExit: (code: number) => void): Command {
  program.addHelpText(
    'after',
    `\nOptions of serve (the default command); each is also an environment variable\nand a key of the --config file (flag > environment > file > default):\n${serveOptionsHelp()}\n\nEndpoints: /healthz (liveness), /readyz (readiness), /metrics (Prometheus), /api/v1/snapshot.\n`,
  );
  const command = program
    .command('serve', { isDefault: true })
    .description('watch a cluster (or the built-in simulated one) and serve the live map, /healthz, /readyz and /metrics')
    .option('--config <file>', CONFIG_HELP);
  // No commander defaults: an absent flag must stay absent so the environment and the file can set it.
  for (const o of Object.values(SERVE_OPTIONS) as OptionSpec<unknown>[]) {
    command.addOption(new Option(`--${o.name}${o.arg ? ` ${o.arg}` : ''}`, optionHelp(o)));
  }
  // After --history: commander then sets `history: false` for it and leaves an absent flag absent.
  command.addOption(new Option('--no-history', 'record no history (same as --history off)'));
  command.addHelpText('after', `\nEvery option is also an environment variable (${envName('sim-scenario')}, ...) and a key of the --config file (sim-scenario: demo).\nPrecedence: flag > environment > config file > default.\n`);
  return command.action(async (flags: ServeFlags) => {
    let config;
    try {
      config = serveConfig(flags);
    } catch (err) {
      io.err(`error: ${(err as Error).message}\n`);
      setExit(EXIT.inputErrors);
      return;
    }
    const log = createLogger({ level: config.logLevel, format: config.logFormat, write: io.err });
    log.debug({ config }, 'configuration');
    const server = await startServer(config, log);
    await new Promise<void>((resolve) => {
      const stop = () => {
        log.info('Stopping.');
        void server.stop().then(resolve);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    setExit(EXIT.ok);
  });
}
