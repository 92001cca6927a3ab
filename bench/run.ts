// Benchmarks (not tests): `npm run bench -- [--section engine,...] [--only S,M] [--write]`.
// Each section is a module exporting a BenchSection; this file only parses flags and dispatches.
// With --write, each section rewrites its own marked block of bench/RESULTS.md.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { engineSection } from './engine.ts';
import { liveSection } from './live.ts';
import { viewsSection } from './views.ts';
import { soakSection } from './soak.ts';
import { browserSection } from './browser.ts';
import { socketSection } from './socket.ts';
import { historySection } from './history.ts';
import { RESULTS_FILE, writeSection } from './section.ts';
import type { BenchSection } from './section.ts';

/** Sections in the order "all" runs them. Add new ones here. */
const SECTIONS: readonly BenchSection[] = [engineSection, liveSection, viewsSection, soakSection, browserSection, socketSection, historySection];

const USAGE = `Usage: npm run bench -- [options]

  --section <names>  comma-separated sections to run (default: all): ${SECTIONS.map((s) => s.name).join(', ')}
  --only <names>     comma-separated cluster names within the sections (engine: S, M, L, adv-M, M+anp)
  --write            rewrite the sections' blocks in ${path.relative(process.cwd(), RESULTS_FILE)}
  -h, --help         this text

Sections:
${SECTIONS.map((s) => `  ${s.name.padEnd(10)} ${s.description}`).join('\n')}
`;

function list(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const items = value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  return items.length > 0 ? items : undefined;
}

async function main(): Promise<number> {
  let values: { section?: string; only?: string; write?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        section: { type: 'string' },
        only: { type: 'string' },
        write: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    console.error(`${e instanceof Error ? e.message : String(e)}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }

  const names = list(values.section);
  const sections: BenchSection[] = [];
  for (const name of names ?? SECTIONS.map((s) => s.name)) {
    const section = SECTIONS.find((s) => s.name === name);
    if (!section) {
      console.error(`unknown section "${name}"\n\n${USAGE}`);
      return 2;
    }
    sections.push(section);
  }

  const command = ['node', ...process.execArgv, path.relative(process.cwd(), process.argv[1] ?? 'bench/run.ts'), ...process.argv.slice(2)].join(' ');
  let failed = false;
  for (const section of sections) {
    let result;
    try {
      result = await section.run({ only: list(values.only), command });
    } catch (e) {
      console.error(`[bench] section "${section.name}": ${e instanceof Error ? e.message : String(e)}`);
      return 2;
    }
    console.log(`\n${result.markdown}\n`);
    failed ||= result.failed;
    if (values.write) {
      writeSection(section.name, result.markdown);
      console.error(`[bench] wrote section "${section.name}" to ${path.relative(process.cwd(), RESULTS_FILE)}`);
    }
  }
  return failed ? 1 : 0;
}

process.exitCode = await main();
