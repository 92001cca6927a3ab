// Child process of the engine benchmark: one cluster per process (see bench/engine.ts).
// argv[2] is an EngineJob as JSON; the EngineJobResult goes back over IPC.
import { Worker } from 'node:worker_threads';
import { analyze } from '../shared/engine/engine.ts';
import type { EndpointRef } from '../shared/engine/analysis.ts';
import { buildCluster } from '../shared/kube/load.ts';
import { buildMatrix } from '../shared/matrix/matrix.ts';
import { Prng, generateScaleCluster } from '../server/sim/scale-cluster.ts';
import type { EngineJob, EngineJobResult } from './engine.ts';

const MB = 1024 * 1024;
const SAMPLE_MS = 20;

/**
 * RSS sampler on its own thread, so it keeps sampling while the main thread is busy in a
 * synchronous analyze(). Slot 0: peak since the last reset; slot 1: peak of the process.
 */
function startSampler(): { phasePeak(): number; resetPhase(): void; lifetimePeak(): number } {
  const peaks = new BigInt64Array(new SharedArrayBuffer(16));
  const rss = BigInt(process.memoryUsage.rss());
  peaks[0] = rss;
  peaks[1] = rss;
  const worker = new Worker(
    `const { workerData: peaks } = require('node:worker_threads');
     function tick() {
       const rss = BigInt(process.memoryUsage.rss());
       if (rss > Atomics.load(peaks, 0)) Atomics.store(peaks, 0, rss);
       if (rss > Atomics.load(peaks, 1)) Atomics.store(peaks, 1, rss);
     }
     tick();
     setInterval(tick, ${SAMPLE_MS});`,
    { eval: true, workerData: peaks, execArgv: [] },
  );
  worker.unref();
  return {
    phasePeak: () => Number(Atomics.load(peaks, 0)) / MB,
    resetPhase: () => void Atomics.store(peaks, 0, BigInt(process.memoryUsage.rss())),
    lifetimePeak: () => Number(Atomics.load(peaks, 1)) / MB,
  };
}

function collect(): void {
  // Two passes: the first may only queue finalizers / weak references.
  globalThis.gc?.();
  globalThis.gc?.();
}

/** A JSON-safe copy of whatever `stats` holds (Maps and Sets become objects and arrays). */
function jsonSafe(value: unknown): unknown {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(
      JSON.stringify(value, (_k, v: unknown) => {
        if (v instanceof Map) return Object.fromEntries(v);
        if (v instanceof Set) return [...v];
        if (typeof v === 'bigint') return Number(v);
        return v;
      }),
    ) as unknown;
  } catch {
    return String(value);
  }
}

/** Generation and loading in their own scope, so the raw objects are garbage once it returns. */
function generateAndLoad(job: EngineJob) {
  let t = performance.now();
  const objects = generateScaleCluster(job.spec);
  const generateMs = performance.now() - t;
  const sources = objects.map((object) => ({ object }));
  collect();
  t = performance.now();
  const { cluster, diagnostics } = buildCluster(sources);
  const loadMs = performance.now() - t;
  return { cluster, diagnostics, objectCount: objects.length, generateMs, loadMs };
}

function main(job: EngineJob): EngineJobResult {
  const sampler = startSampler();
  const now = (): number => performance.now();
  const log = (msg: string): void => void console.error(`[engine:${job.cluster}] ${msg}`);

  const { cluster, diagnostics, objectCount, generateMs, loadMs } = generateAndLoad(job);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  log(`generated ${objectCount} objects in ${generateMs.toFixed(0)} ms, loaded in ${loadMs.toFixed(0)} ms (${errors.length} errors)`);
  collect();
  const afterLoadMB = process.memoryUsage.rss() / MB;
  const heapUsedAfterLoadMB = process.memoryUsage().heapUsed / MB;
  sampler.resetPhase();

  const runsMs: number[] = [];
  const analyzeOnlyMs: number[] = [];
  // A holder, so the previous run's analysis can be dropped before the next run starts.
  const holder: { last?: ReturnType<typeof analyze> } = {};
  let isolatedSum = 0;
  let spent = 0;
  for (let run = 0; run < job.runs; run++) {
    if (run > 0 && spent > job.budgetMs) {
      log(`time budget used up after ${run} runs`);
      break;
    }
    delete holder.last;
    collect();
    const start = now();
    const a = analyze(cluster, { ipBlockMatchesPods: true });
    const analyzed = now();
    for (let i = 0; i < a.pods.length; i++) {
      const iso = a.isolation(i);
      isolatedSum += (iso.ingress ? 1 : 0) + (iso.egress ? 2 : 0);
    }
    const end = now();
    runsMs.push(end - start);
    analyzeOnlyMs.push(analyzed - start);
    spent += end - start;
    holder.last = a;
    log(`run ${run + 1}: analyze ${(analyzed - start).toFixed(0)} ms, + isolation ${(end - analyzed).toFixed(0)} ms`);
  }
  const peakDuringAnalyzeMB = sampler.phasePeak();
  const last = holder.last;
  if (!last) throw new Error('no run completed');

  // Pod-level queries over a fixed sample of ordered pairs (self pairs excluded).
  const n = last.pods.length;
  const count = n >= 2 ? job.pairSamples : 0;
  const pairs = new Int32Array(count * 2);
  const rng = new Prng(20240601);
  for (let k = 0; k < count; k++) {
    const i = Math.floor(rng.next() * n);
    let j = Math.floor(rng.next() * (n - 1));
    if (j >= i) j++;
    pairs[2 * k] = i;
    pairs[2 * k + 1] = j;
  }
  const refs: EndpointRef[] = [];
  for (let i = 0; i < n; i++) refs.push({ kind: 'pod', index: i });
  let nonEmpty = 0;
  const t = now();
  for (let k = 0; k < count; k++) {
    if (!last.allowed(refs[pairs[2 * k]!]!, refs[pairs[2 * k + 1]!]!).isEmpty()) nonEmpty++;
  }
  const pairMs = now() - t;
  log(`${count} pair queries in ${pairMs.toFixed(0)} ms (isolation checksum ${isolatedSum})`);

  // Every class pair, evaluated once: the whole class-level matrix, which is never stored.
  const classes = last.classSet.classes.length;
  let classPass: EngineJobResult['classPass'] = null;
  if (classes * classes <= job.classPassLimit) {
    const t0 = now();
    let cellsAllowed = 0;
    for (let c1 = 0; c1 < classes; c1++) for (let c2 = 0; c2 < classes; c2++) if (last.classAllowedId(c1, c2) !== 0) cellsAllowed++;
    classPass = { cells: classes * classes, allowed: cellsAllowed, ms: now() - t0 };
    log(`class matrix: ${classes * classes} cells in ${classPass.ms.toFixed(0)} ms`);
  }
  // The grouped matrices the dashboard opens with (cells with reasons and pair counts).
  const views: EngineJobResult['views'] = [];
  for (const group of job.views) {
    const t0 = now();
    const m = buildMatrix(last, group);
    views.push({ group, nodes: m.nodes.length, cells: m.cells.length, ms: now() - t0 });
    log(`${group} matrix: ${m.cells.length} cells in ${views.at(-1)!.ms.toFixed(0)} ms`);
  }

  return {
    cluster: job.cluster,
    objects: objectCount,
    generateMs,
    loadMs,
    loaded: { namespaces: cluster.namespaces.length, pods: cluster.pods.length, policies: cluster.policies.length },
    diagnostics: {
      errors: errors.length,
      warnings: diagnostics.length - errors.length,
      firstErrors: errors.slice(0, 5).map((d) => [d.object, d.field, d.message].filter(Boolean).join(': ')),
    },
    runsMs,
    analyzeOnlyMs,
    matrixPods: n,
    externals: last.externals.length,
    pairs: { count, ms: pairMs, nonEmpty },
    classPass,
    views,
    rss: {
      afterLoadMB,
      peakDuringAnalyzeMB,
      peakSampledMB: sampler.lifetimePeak(),
      // Kilobytes on every platform Node supports.
      maxRssMB: process.resourceUsage().maxRSS / 1024,
    },
    heapUsedAfterLoadMB,
    stats: jsonSafe((last as unknown as { stats?: unknown }).stats),
  };
}

const send = (msg: unknown): Promise<void> =>
  new Promise((resolve) => {
    if (!process.send) {
      console.log(JSON.stringify(msg, null, 2));
      resolve();
      return;
    }
    process.send(msg, () => resolve());
  });

try {
  const job = JSON.parse(process.argv[2] ?? '') as EngineJob;
  await send({ result: main(job) });
} catch (e) {
  console.error(e);
  await send({ error: e instanceof Error ? e.message : String(e) });
  process.exitCode = 1;
}
process.exit();
