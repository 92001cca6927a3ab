// Benchmark section "live": time from a source event to its delta on the M cluster, per kind of
// event, against the targets of the live-cluster issue, and the ratio to a full recomputation.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { machineHeader, table } from './section.ts';
import type { BenchSection, SectionContext, SectionResult } from './section.ts';

interface LiveResult {
  initialMs: number;
  fullMs: number;
  results: Record<string, { median: number; max: number; deltas: number }>;
  rollout: { ms: number; deltas: number };
  rssMB: number;
}

const TARGETS: Record<string, number> = {
  'pod add (new replica)': 10,
  'pod delete': 10,
  'pod label change (same class)': 10,
  'pod label change (new class)': 10,
  'policy add': 100,
  'policy change': 100,
  'policy delete': 100,
  'namespace label change': 200,
};

const WORKER = fileURLToPath(new URL('./live-worker.ts', import.meta.url));

async function run(ctx: SectionContext): Promise<SectionResult> {
  const result = await new Promise<LiveResult>((resolve, reject) => {
    const child = fork(WORKER, [], { execArgv: ['--import', 'tsx', '--max-old-space-size=8192'] });
    child.on('message', (m) => resolve(m as LiveResult));
    child.on('exit', (code) => (code === 0 ? undefined : reject(new Error(`live worker exited with ${code}`))));
  });
  const fmt = (n: number) => n.toFixed(n < 10 ? 1 : 0);
  const rows = Object.entries(result.results).map(([name, r]) => {
    const target = TARGETS[name]!;
    return [name, fmt(r.median), fmt(r.max), `${(r.median / result.fullMs).toFixed(2)}`, `≤ ${target} ms`, r.median <= target ? 'PASS' : 'FAIL'];
  });
  rows.push(['500-pod rollout burst (fully reflected)', fmt(result.rollout.ms), `${result.rollout.deltas} deltas`, `${(result.rollout.ms / result.fullMs).toFixed(2)}`, '≤ 1000 ms', result.rollout.ms <= 1000 ? 'PASS' : 'FAIL']);
  const markdown = [
    '## Live engine (event to delta)',
    '',
    machineHeader(ctx.command),
    '',
    `M cluster (10,000 pods, 500 namespaces, 2,000 policies) in a \`LiveEngine\` (in process, no network): time from \`apply(event)\` to the delta listener, median of 15 events each after a quiet period (coalescing window 20 ms; an event after a quiet period is applied at once). Full recomputation of the same cluster: ${fmt(result.fullMs)} ms; initial load of all objects: ${fmt(result.initialMs)} ms; RSS at the end ${fmt(result.rssMB)} MB.`,
    '',
    table(['event', 'median (ms)', 'max (ms)', 'ratio to full recompute', 'target', 'verdict'], rows),
  ].join('\n');
  console.log(markdown);
  return { markdown, failed: false };
}

export const liveSection: BenchSection = {
  name: 'live',
  description: 'live engine: event-to-delta time per event kind on the M cluster',
  run,
};
