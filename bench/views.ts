// Benchmark section "views": the server's side of every socket view on the M cluster, without
// sockets. How long a room's first build takes (its first subscriber waits for it), an update after
// a policy event (every cell computed again), and an update under churn (one per hub flush), per
// view. The socket section measures the same views end to end; this one says where a view's time goes.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { machineHeader, median, percentile, table } from './section.ts';
import type { BenchSection, SectionContext, SectionResult } from './section.ts';
import type { ViewsResult } from './views-worker.ts';

const WORKER = fileURLToPath(new URL('./views-worker.ts', import.meta.url));

async function run(ctx: SectionContext): Promise<SectionResult> {
  const result = await new Promise<ViewsResult>((resolve, reject) => {
    const child = fork(WORKER, [], { execArgv: ['--import', 'tsx', '--max-old-space-size=8192', '--max-semi-space-size=32'] });
    child.on('message', (m) => resolve(m as ViewsResult));
    child.on('exit', (code) => (code === 0 ? undefined : reject(new Error(`views worker exited with ${code}`))));
  });
  const fmt = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: n < 10 ? 1 : 0 });
  const seconds = result.churnSteps / 10;
  const rows = result.views.map((v) => {
    const busy = v.churn.reduce((a, b) => a + b, 0);
    return [
      `\`${v.view}\``,
      `${fmt(v.nodes)} / ${fmt(v.cells + v.keyCells)}`,
      fmt(median(v.build)),
      `${fmt(median(v.sliced.map((b) => b.ms)))} / ${fmt(Math.max(...v.sliced.map((b) => b.blockedMs)))}`,
      `${fmt(median(v.policy))} (max ${fmt(Math.max(...v.policy))})`,
      `${fmt(median(v.churn))} / ${fmt(percentile(v.churn, 99))} / ${fmt(Math.max(...v.churn))}`,
      `${fmt((100 * busy) / (seconds * 1000))}%`,
    ];
  });
  const shared = [
    '(shared by every view of the analysis: the key matrix)',
    '',
    '',
    '',
    `${fmt(median(result.keyMatrix.policy))} (max ${fmt(Math.max(...result.keyMatrix.policy))})`,
    `${fmt(median(result.keyMatrix.churn))} / ${fmt(percentile(result.keyMatrix.churn, 99))} / ${fmt(Math.max(...result.keyMatrix.churn))}`,
    '',
  ];
  const markdown = [
    '## Views (the server side of each socket view on the M cluster)',
    '',
    machineHeader(ctx.command),
    '',
    `The M cluster in a \`LiveEngine\` fed by the simulated cluster's store (in process: no HTTP, no sockets), and the socket section's views in rooms (\`ViewRoom\` → \`ViewModel\`). Each row: a room's first build (median of ${result.views[0]!.build.length}), at once (the work it takes) and in slices of 10 ms with 10 ms pauses as the hub builds a new room (what the view's first subscriber waits for, and the longest any other event waited meanwhile, from \`monitorEventLoopDelay\`), an update after a policy event (a policy added, changed and deleted in one namespace, ${result.views[0]!.policy.length} events: the engine recomputes and every cell of the view is computed again and compared; the key matrix of a new analysis, which every view reads, is made first and timed on its own line), and the updates under churn: ${fmt(result.churnWrites)} writes of the sim's churn (rollouts and scaling), 3 per flush as 30 writes/s with the hub's 100 ms interval give, ${fmt(result.churnSteps)} flushes (${fmt(seconds)} s of churn). RSS at the end: ${fmt(result.rssMB)} MB.`,
    '',
    table(['view', 'nodes / cells', 'first build at once (ms)', 'first build in slices, as the hub makes it: wall (ms) / longest event-loop wait (ms)', 'update after a policy event (ms, median)', 'update under churn (ms): median / p99 / max', 'share of one core under churn'], [shared, ...rows]),
  ].join('\n');
  console.log(markdown);
  return { markdown, failed: false };
}

export const viewsSection: BenchSection = {
  name: 'views',
  description: "views: a room's first build, its update after a policy event and under churn, on the M cluster",
  run,
};
