// Benchmark section "soak": the server watching the simulated M cluster under pod churn for a
// while (SOAK_MINUTES, default 10; SOAK_CHURN events/s, default 30): RSS at start and end.
import { fork } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { firstMessage } from './children.ts';
import { machineHeader, table } from './section.ts';
import type { BenchSection, SectionContext, SectionResult } from './section.ts';
import { SERVER_NODE_FLAGS } from '../server/node-flags.ts';

interface SoakResult {
  heapStart: number;
  heapEnd: number;
  syncMs: number;
  start: number;
  final: number;
  max: number;
  secondHalfMin: number;
  secondHalfMax: number;
  deltas: number;
  events: number;
  pods: number;
  minutes: number;
}

const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));
const EXEC = ['--import', 'tsx', '--expose-gc'];


async function run(ctx: SectionContext): Promise<SectionResult> {
  const dir = mkdtempSync(join(tmpdir(), 'tm-soak-'));
  const churn = Number(process.env['SOAK_CHURN'] ?? '30');
  const sim = fork(here('./soak-sim.ts'), [], { execArgv: EXEC, env: { ...process.env, SOAK_DIR: dir, SOAK_CHURN: String(churn) } });
  const { kubeconfig } = await firstMessage<{ kubeconfig: string }>(sim);
  const server = fork(here('./soak-server.ts'), [], { execArgv: [...EXEC, ...SERVER_NODE_FLAGS], env: { ...process.env, SOAK_KUBECONFIG: kubeconfig } });
  const r = await firstMessage<SoakResult>(server);
  sim.send('stop');
  const fmt = (n: number) => n.toFixed(0);
  // Growth is judged on the live heap after a full GC: RSS also holds pages V8 keeps for later.
  const growth = r.heapEnd - r.heapStart;
  const markdown = [
    '## Soak (server watching the simulated M cluster under churn)',
    '',
    machineHeader(ctx.command),
    '',
    `The simulated M cluster (own process, churn ${churn} events/s) watched by the server (own process) through client-node informers for ${r.minutes} min after the first full sync (${fmt(r.syncMs)} ms to sync ${r.pods} pods). ${r.deltas} deltas applied ${r.events} source events.`,
    '',
    table(
      ['RSS after sync (MB)', 'RSS at end (MB)', 'RSS max (MB)', 'RSS second half min–max (MB)', 'heap after GC start → end (MB)', 'target', 'verdict'],
      [[fmt(r.start), fmt(r.final), fmt(r.max), `${fmt(r.secondHalfMin)}–${fmt(r.secondHalfMax)}`, `${fmt(r.heapStart)} → ${fmt(r.heapEnd)}`, 'RSS < 1,536 MB; heap growth < 32 MB', r.max < 1536 && growth < 32 ? 'PASS' : 'FAIL']],
    ),
  ].join('\n');
  console.log(markdown);
  return { markdown, failed: false };
}

export const soakSection: BenchSection = {
  name: 'soak',
  description: 'server RSS while watching the simulated M cluster under churn (SOAK_MINUTES, default 10)',
  run,
};
