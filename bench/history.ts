// Benchmark section "history": 24 simulated hours of the M cluster at 30 events/s written into the
// history store (time-compressed), then the disk used, the median time to rebuild a random
// instant (target <= 1 s) and to diff two instants a day apart (target <= 2 s).
// HISTORY_HOURS shortens the run (e.g. 1 for a quick look).
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SERVER_NODE_FLAGS } from '../server/node-flags.ts';
import type { HistoryBenchResult } from './history-worker.ts';
import { machineHeader, median, table } from './section.ts';
import type { BenchSection, SectionContext, SectionResult } from './section.ts';

const WORKER = fileURLToPath(new URL('./history-worker.ts', import.meta.url));
const MB = 1024 * 1024;

async function run(ctx: SectionContext): Promise<SectionResult> {
  const result = await new Promise<HistoryBenchResult>((resolve, reject) => {
    // The server's Node flags: the rebuilds run where the server would run them.
    const child = fork(WORKER, [], { execArgv: ['--import', 'tsx', '--max-old-space-size=8192', ...SERVER_NODE_FLAGS] });
    child.on('message', (m) => resolve(m as HistoryBenchResult));
    child.on('exit', (code) => (code === 0 ? undefined : reject(new Error(`history worker exited with ${code}`))));
  });
  const fmt = (n: number) => (n < 10 ? n.toFixed(1) : Math.round(n).toLocaleString('en-US'));
  const mb = (n: number) => `${(n / MB).toFixed(1)} MB`;
  const rebuild = median(result.rebuild.ms);
  const diff = median(result.diff.totalMs);
  const b = result.bytes;
  const markdown = [
    '## History (time travel on the M cluster)',
    '',
    machineHeader(ctx.command),
    '',
    `${result.hours} simulated hours of the M cluster (${result.rebuild.pods.toLocaleString('en-US')} pods) under churn at ${result.rate} events/s, ` +
      `written through \`HistoryStore\` with synthetic timestamps as fast as it goes (${result.events.toLocaleString('en-US')} events in ${result.batches.toLocaleString('en-US')} batches, ` +
      `${fmt(result.writeSeconds)} s: ${fmt(result.events / result.writeSeconds)} events/s; default checkpoints every 2,500 events or 10 min). ` +
      `Rebuild: from a fresh reader (no cache), the last checkpoint before the instant plus the events after it, into a LiveEngine (state and full analysis). ` +
      `Diff: both instants rebuilt (the second decoded and loaded in the history's worker thread while the first is rebuilt, as the server's diff does) plus \`diffAnalyses\` at namespace level. RSS at the end ${fmt(result.rssMB)} MB.`,
    '',
    table(
      ['measure', 'value', 'target', 'verdict'],
      [
        ['disk used (file + WAL)', `${mb(b.file)} (${mb((b.file / result.hours) * 24)} per day)`, 'bounded by retention', '—'],
        ['… events', `${b.eventCount.toLocaleString('en-US')} rows, ${mb(b.events)} compressed (${fmt(b.events / Math.max(1, b.eventCount))} B/event)`, '', ''],
        ['… checkpoints', `${b.checkpointCount} × ${mb(b.checkpoints / Math.max(1, b.checkpointCount))} = ${mb(b.checkpoints)}`, '', ''],
        [`rebuild a random instant (median of ${result.rebuild.ms.length})`, `${fmt(rebuild)} ms (max ${fmt(Math.max(...result.rebuild.ms))} ms; events replayed: median ${fmt(median(result.rebuild.replayed))})`, '≤ 1,000 ms', rebuild <= 1000 ? 'PASS' : 'FAIL'],
        [`diff two instants a day apart (median of ${result.diff.totalMs.length})`, `${fmt(diff)} ms (of which diffAnalyses ${fmt(median(result.diff.diffMs))} ms; ${result.diff.changes} changed cells and nodes)`, '≤ 2,000 ms', diff <= 2000 ? 'PASS' : 'FAIL'],
      ],
    ),
  ].join('\n');
  console.log(markdown);
  return { markdown, failed: false };
}

export const historySection: BenchSection = {
  name: 'history',
  description: 'history store: 24 simulated hours of the M cluster at 30 events/s, disk, rebuild and diff times',
  run,
};
