// Benchmark section "engine": the class engine on generated clusters S, M, L, adversarial M, and M
// with 50 AdminNetworkPolicies and the baseline.
// Each cluster runs in a fresh child process (bench/engine-worker.ts) so that sizes do not share a
// heap and the child's peak RSS is that cluster's alone.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ADMIN_M, ADVERSARIAL_M, SCALE_PRESETS } from '../server/sim/scale-cluster.ts';
import type { ScaleSpec } from '../server/sim/scale-cluster.ts';
import { machineHeader, median, table } from './section.ts';
import type { BenchSection, SectionContext, SectionResult } from './section.ts';

export interface EngineTarget {
  ms: number;
  rssMB?: number;
}

/** A target relative to another cluster's median in the same run (n/a when that one did not run). */
export interface RelativeTarget {
  cluster: string;
  factor: number;
}

export interface EngineCluster {
  name: string;
  spec: ScaleSpec;
  runs: number;
  target: EngineTarget | RelativeTarget | null;
  /** The child is killed after this long. */
  timeoutMs: number;
}

export const ENGINE_CLUSTERS: readonly EngineCluster[] = [
  { name: 'S', spec: SCALE_PRESETS.S, runs: 7, target: null, timeoutMs: 10 * 60_000 },
  { name: 'M', spec: SCALE_PRESETS.M, runs: 5, target: { ms: 1000, rssMB: 1024 }, timeoutMs: 20 * 60_000 },
  { name: 'L', spec: SCALE_PRESETS.L, runs: 3, target: { ms: 20_000, rssMB: 4096 }, timeoutMs: 60 * 60_000 },
  { name: 'adv-M', spec: ADVERSARIAL_M, runs: 3, target: { ms: 10_000 }, timeoutMs: 30 * 60_000 },
  { name: 'M+anp', spec: ADMIN_M, runs: 5, target: { cluster: 'M', factor: 1.5 }, timeoutMs: 20 * 60_000 },
];

/** Ordered pod pairs sampled for the `allowed()` throughput figure. */
export const PAIR_SAMPLES = 200_000;

/** What the parent asks of one child (passed as JSON in argv[2]). */
export interface EngineJob {
  cluster: string;
  spec: ScaleSpec;
  runs: number;
  pairSamples: number;
  /** Evaluate every class pair when classes² is at most this. */
  classPassLimit: number;
  /** Grouped matrices to build and time on the last analysis. */
  views: ('namespace' | 'workload')[];
  /** Stop starting new runs once the runs so far took this long in total (a slow engine still reports). */
  budgetMs: number;
}

/** What the child sends back over IPC. All sizes in MB (2^20 bytes), times in ms. */
export interface EngineJobResult {
  cluster: string;
  objects: number;
  generateMs: number;
  loadMs: number;
  loaded: { namespaces: number; pods: number; policies: number };
  diagnostics: { errors: number; warnings: number; firstErrors: string[] };
  /** analyze() + isolation(i) for every pod, per run. */
  runsMs: number[];
  /** analyze() alone, per run. */
  analyzeOnlyMs: number[];
  matrixPods: number;
  externals: number;
  pairs: { count: number; ms: number; nonEmpty: number };
  classPass: { cells: number; allowed: number; ms: number } | null;
  views: { group: string; nodes: number; cells: number; ms: number }[];
  rss: { afterLoadMB: number; peakDuringAnalyzeMB: number; peakSampledMB: number; maxRssMB: number };
  heapUsedAfterLoadMB: number;
  /** `Analysis.stats` when the engine exposes it (JSON-safe copy). */
  stats: unknown;
}

interface Outcome {
  def: EngineCluster;
  result?: EngineJobResult;
  error?: string;
}

const WORKER = fileURLToPath(new URL('./engine-worker.ts', import.meta.url));
const CHILD_EXEC_ARGV = ['--import', 'tsx', '--expose-gc', '--max-old-space-size=8192'];

function selectClusters(only: string[] | undefined): EngineCluster[] {
  if (!only) return [...ENGINE_CLUSTERS];
  const picked: EngineCluster[] = [];
  for (const name of only) {
    const def = ENGINE_CLUSTERS.find((c) => c.name.toLowerCase() === name.toLowerCase());
    if (!def) throw new Error(`unknown cluster "${name}" (engine section has ${ENGINE_CLUSTERS.map((c) => c.name).join(', ')})`);
    if (!picked.includes(def)) picked.push(def);
  }
  return picked;
}

function runChild(def: EngineCluster): Promise<Outcome> {
  const job: EngineJob = {
    cluster: def.name,
    spec: def.spec,
    runs: def.runs,
    pairSamples: PAIR_SAMPLES,
    classPassLimit: 120_000_000,
    views: def.spec.pods <= 10_000 ? ['namespace', 'workload'] : ['namespace'],
    budgetMs: Math.max(60_000, 5 * (def.target && 'ms' in def.target ? def.target.ms : 0)),
  };
  return new Promise((resolve) => {
    let result: EngineJobResult | undefined;
    let error: string | undefined;
    const child = fork(WORKER, [JSON.stringify(job)], {
      execArgv: CHILD_EXEC_ARGV,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const timer = setTimeout(() => {
      error = `timeout after ${Math.round(def.timeoutMs / 60_000)} min`;
      child.kill('SIGKILL');
    }, def.timeoutMs);
    child.on('message', (msg: { result?: EngineJobResult; error?: string }) => {
      if (msg.result) result = msg.result;
      if (msg.error) error = msg.error;
    });
    child.on('error', (e) => {
      error ??= e.message;
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (!result && !error) error = `worker exited (${signal ?? `code ${code}`}) without a result`;
      resolve({ def, ...(result ? { result } : {}), ...(error !== undefined ? { error } : {}) });
    });
  });
}

const fmt = (n: number, digits = 0): string =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '—';

/** `classes` from Analysis.stats: a number field `classes`, else every numeric field whose name mentions classes. */
function classesOf(stats: unknown): string {
  if (!stats || typeof stats !== 'object') return '—';
  const s = stats as Record<string, unknown>;
  if (typeof s.classes === 'number') return fmt(s.classes);
  const parts = Object.entries(s).filter(([k, v]) => /class/i.test(k) && typeof v === 'number');
  return parts.length > 0 ? parts.map(([k, v]) => `${k} ${fmt(v as number)}`).join(', ') : '—';
}

function peakMB(r: EngineJobResult): number {
  return Math.max(r.rss.peakSampledMB, r.rss.maxRssMB);
}

function targetText(t: EngineCluster['target']): string {
  if (!t) return '—';
  if ('cluster' in t) return `≤ ${t.factor}× ${t.cluster}`;
  return t.rssMB === undefined ? `≤ ${fmt(t.ms)} ms` : `≤ ${fmt(t.ms)} ms, ≤ ${t.rssMB >= 1024 ? `${t.rssMB / 1024} GB` : `${t.rssMB} MB`}`;
}

/** `all`: the outcomes of this run, for relative targets. */
function verdict(o: Outcome, all: readonly Outcome[]): string {
  if (!o.result) return `ERROR: ${o.error ?? 'unknown'}`;
  const t = o.def.target;
  if (o.result.diagnostics.errors > 0) return `INVALID (${o.result.diagnostics.errors} load errors)`;
  if (!t) return 'n/a';
  if ('cluster' in t) {
    const base = all.find((x) => x.def.name === t.cluster)?.result;
    if (!base) return `n/a (run ${t.cluster} too)`;
    const ratio = median(o.result.runsMs) / median(base.runsMs);
    return `${ratio <= t.factor ? 'PASS' : 'FAIL (time)'} (${ratio.toFixed(2)}×)`;
  }
  const misses: string[] = [];
  if (median(o.result.runsMs) > t.ms) misses.push('time');
  if (t.rssMB !== undefined && peakMB(o.result) > t.rssMB) misses.push('memory');
  return misses.length === 0 ? 'PASS' : `FAIL (${misses.join(', ')})`;
}

function render(outcomes: readonly Outcome[], ctx: SectionContext): string {
  const main = outcomes.map((o) => {
    const r = o.result;
    const spec = o.def.spec;
    return [
      o.def.name,
      fmt(spec.pods),
      fmt(spec.namespaces),
      fmt(spec.policies),
      r ? classesOf(r.stats) : '—',
      r ? fmt(r.loadMs) : '—',
      r ? fmt(median(r.runsMs)) : '—',
      r ? `${r.runsMs.length}${r.runsMs.length < o.def.runs ? ` of ${o.def.runs}` : ''}` : '—',
      r ? fmt(peakMB(r)) : '—',
      targetText(o.def.target),
      verdict(o, outcomes),
    ];
  });
  const details = outcomes.flatMap((o) => {
    const r = o.result;
    if (!r) return [];
    return [[
      o.def.name,
      fmt(r.generateMs),
      fmt(median(r.analyzeOnlyMs)),
      `${fmt(Math.min(...r.runsMs))}–${fmt(Math.max(...r.runsMs))}`,
      fmt(r.pairs.count),
      r.pairs.ms > 0 ? fmt((r.pairs.count / r.pairs.ms) * 1000) : '—',
      r.pairs.count > 0 ? `${fmt((100 * r.pairs.nonEmpty) / r.pairs.count, 1)}%` : '—',
      fmt(r.rss.afterLoadMB),
      fmt(r.rss.peakDuringAnalyzeMB),
      fmt(r.matrixPods),
      fmt(r.externals),
      `${r.diagnostics.errors} / ${r.diagnostics.warnings}`,
    ]];
  });
  const lines = [
    '## Engine',
    '',
    machineHeader(ctx.command),
    '',
    'Generated clusters (`server/sim/scale-cluster.ts`, seed 1). "analyze median" is the full computation:',
    '`analyze(cluster, { ipBlockMatchesPods: true })` plus `isolation(i)` for every pod, median over the runs',
    '(a run is skipped once earlier runs used up the time budget). Each cluster runs in a fresh child process;',
    'peak RSS is the child\'s maximum (max of `resourceUsage().maxRSS` and a 20 ms sampler thread), so it',
    'includes generating and loading the raw objects.',
    '',
    table(
      ['cluster', 'pods', 'namespaces', 'policies', 'classes', 'load (ms)', 'analyze median (ms)', 'runs', 'peak RSS (MB)', 'target', 'verdict'],
      main,
    ),
  ];
  if (details.length > 0) {
    lines.push(
      '',
      `Details: pair queries = \`allowed(pod, pod)\` over a fixed random sample of ${fmt(PAIR_SAMPLES)} ordered pod pairs on the last analysis.`,
      '',
      table(
        ['cluster', 'generate (ms)', 'analyze() only median (ms)', 'full runs min–max (ms)', 'pair queries', 'pair queries/s', 'pairs allowed', 'RSS after load (MB)', 'peak RSS during analyze (MB)', 'matrix pods', 'externals', 'load errors / warnings'],
        details,
      ),
    );
  }
  const viewRows = outcomes.flatMap((o) => {
    const r = o.result;
    if (!r) return [];
    const cp = r.classPass;
    const view = (g: string) => r.views.find((v) => v.group === g);
    const cell = (g: string) => {
      const v = view(g);
      return v ? `${fmt(v.ms)} (${fmt(v.nodes)} nodes, ${fmt(v.cells)} cells)` : 'not run';
    };
    return [[o.def.name, cp ? `${fmt(cp.ms)} (${fmt(cp.cells)} cells, ${fmt(cp.allowed)} allowed)` : 'not run (too many cells)', cell('namespace'), cell('workload')]];
  });
  if (viewRows.length > 0) {
    lines.push(
      '',
      'Whole matrices on the last analysis: every class pair evaluated once (the class-level matrix, which is never stored), and the grouped matrices with reasons and pod-pair counts.',
      '',
      table(['cluster', 'all class pairs (ms)', 'namespace matrix (ms)', 'workload matrix (ms)'], viewRows),
    );
  }
  const withStats = outcomes.filter((o) => o.result?.stats !== undefined);
  if (withStats.length > 0) {
    lines.push('', '`Analysis.stats`:', '');
    for (const o of withStats) lines.push(`- ${o.def.name}: \`${JSON.stringify(o.result!.stats)}\``);
  }
  const problems = outcomes.filter((o) => o.error || (o.result && o.result.diagnostics.firstErrors.length > 0));
  if (problems.length > 0) {
    lines.push('', 'Problems:', '');
    for (const o of problems) {
      if (o.error) lines.push(`- ${o.def.name}: ${o.error}`);
      for (const e of o.result?.diagnostics.firstErrors ?? []) lines.push(`- ${o.def.name} load error: ${e}`);
    }
  }
  return lines.join('\n');
}

async function run(ctx: SectionContext): Promise<SectionResult> {
  const outcomes: Outcome[] = [];
  for (const def of selectClusters(ctx.only)) {
    console.error(`[engine] ${def.name}: ${def.spec.pods} pods, ${def.spec.namespaces} namespaces, ${def.spec.policies} policies, ${def.runs} runs`);
    const outcome = await runChild(def);
    if (outcome.result) {
      const r = outcome.result;
      console.error(
        `[engine] ${def.name}: load ${fmt(r.loadMs)} ms, full median ${fmt(median(r.runsMs))} ms over ${r.runsMs.length} runs, ` +
          `peak RSS ${fmt(peakMB(r))} MB, classes ${classesOf(r.stats)}, ${fmt(r.pairs.ms > 0 ? (r.pairs.count / r.pairs.ms) * 1000 : NaN)} pair queries/s -> ${verdict(outcome, [...outcomes, outcome])}`,
      );
    } else {
      console.error(`[engine] ${def.name}: ${outcome.error}`);
    }
    outcomes.push(outcome);
  }
  return { markdown: render(outcomes, ctx), failed: outcomes.some((o) => !o.result) };
}

export const engineSection: BenchSection = {
  name: 'engine',
  description: 'class engine: load and analyze time, pair queries, peak RSS on generated S/M/L/adversarial-M clusters',
  run,
};
