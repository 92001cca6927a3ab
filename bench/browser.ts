// Benchmark section "browser": the dashboard in headless Chromium against the server watching the
// simulated M cluster (churn 30 events/s): time from navigation to an interactive overview and
// matrix, frame times while zooming and panning each matrix level, and the page's JS heap.
import { fork } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { openBrowser } from '../test/support/browser.ts';
import { firstMessage } from './children.ts';
import { machineHeader, median, percentile, table } from './section.ts';
import type { BenchSection, SectionContext, SectionResult } from './section.ts';
import { SERVER_NODE_FLAGS } from '../server/node-flags.ts';

const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));
const EXEC = ['--import', 'tsx'];


/** Frame intervals (ms) measured in the page while `act` zooms and pans. */
async function frameTimes(page: Page, act: () => Promise<void>): Promise<number[]> {
  // Runs in the page. Functions, not strings: the dashboard's CSP forbids eval. This file is
  // type-checked without the DOM library, hence the narrow casts.
  await page.evaluate(() => {
    const w = globalThis as unknown as PageGlobals;
    w.__frames = [];
    w.__framesOn = true;
    let last = performance.now();
    const tick = (t: number) => {
      w.__frames.push(t - last);
      last = t;
      if (w.__framesOn) w.requestAnimationFrame(tick);
    };
    w.requestAnimationFrame(tick);
  });
  await act();
  return page.evaluate(() => {
    const w = globalThis as unknown as PageGlobals;
    w.__framesOn = false;
    return w.__frames.slice(2);
  });
}

interface PageGlobals {
  __frames: number[];
  __framesOn: boolean;
  requestAnimationFrame(cb: (t: number) => void): number;
  document: { querySelector(s: string): { textContent: string | null; dataset: Record<string, string | undefined> } | null };
  __trafficMapMatrix?: { stats(): { frames: number } };
}

async function zoomAndPan(page: Page): Promise<void> {
  const canvas = page.getByTestId('matrix-canvas');
  const box = await canvas.boundingBox();
  if (!box) throw new Error('no matrix canvas');
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  await page.mouse.move(cx, cy);
  for (let i = 0; i < 20; i++) {
    await page.mouse.wheel(0, -120);
    await page.waitForTimeout(30);
  }
  await page.mouse.down();
  for (let i = 0; i < 40; i++) await page.mouse.move(cx - i * 8, cy - i * 5, { steps: 2 });
  await page.mouse.up();
  for (let i = 0; i < 20; i++) {
    await page.mouse.wheel(0, 120);
    await page.waitForTimeout(30);
  }
}

async function jsHeapMB(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  await cdp.send('HeapProfiler.collectGarbage');
  const { metrics } = await cdp.send('Performance.getMetrics');
  await cdp.detach();
  return (metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? NaN) / 2 ** 20;
}

async function run(ctx: SectionContext): Promise<SectionResult> {
  const dir = mkdtempSync(join(tmpdir(), 'tm-browser-'));
  const churn = Number(process.env['BROWSER_CHURN'] ?? '30');
  const sim = fork(here('./soak-sim.ts'), [], { execArgv: EXEC, env: { ...process.env, SOAK_DIR: dir, SOAK_CHURN: String(churn) } });
  const server = fork(here('./browser-server.ts'), [], { execArgv: [...EXEC, ...SERVER_NODE_FLAGS], env: { ...process.env, BENCH_KUBECONFIG: (await firstMessage<{ kubeconfig: string }>(sim)).kubeconfig } });
  const { url, pods } = await firstMessage<{ url: string; pods: number }>(server);
  const browser = await openBrowser({ width: 1440, height: 900 });
  const { page } = browser;
  try {
    page.setDefaultTimeout(120_000);
    // tsx wraps the page functions below in esbuild's __name helper: give the page one.
    await page.addInitScript('globalThis.__name = (f) => f;');
    const loads: string[][] = [];
    // Overview: navigation to the pod count shown.
    let t0 = performance.now();
    await page.goto(url);
    await page.waitForFunction(() => {
      const el = (globalThis as unknown as PageGlobals).document.querySelector('[data-testid="overview-pods-total"]');
      return Number(el?.textContent?.replace(/\D/g, '') ?? 0) > 0;
    });
    loads.push(['overview (all pods, class-form pod view)', (performance.now() - t0).toFixed(0), `${(await jsHeapMB(page)).toFixed(0)}`]);

    const frames: string[][] = [];
    for (const [level, target] of [['namespace', 60], ['workload', 60], ['pod', 30]] as const) {
      t0 = performance.now();
      await page.goto(`${url}/?tab=matrix&level=${level}`);
      // Ready: the model of this level is built and at least one frame drawn after it.
      await page.waitForFunction((want) => {
        const w = globalThis as unknown as PageGlobals;
        return w.document.querySelector('[data-testid="view-matrix"]')?.dataset['level'] === want && (w.__trafficMapMatrix?.stats().frames ?? 0) > 0;
      }, level);
      loads.push([`matrix, ${level} level`, (performance.now() - t0).toFixed(0), `${(await jsHeapMB(page)).toFixed(0)}`]);
      const times = await frameTimes(page, () => zoomAndPan(page));
      const fps = 1000 / median(times);
      frames.push([level, String(times.length), median(times).toFixed(1), percentile(times, 95).toFixed(1), fps.toFixed(0), `≥ ${target} fps`, fps >= target * 0.95 ? 'PASS' : 'FAIL']);
    }
    const markdown = [
      '## Browser (dashboard on the simulated M cluster)',
      '',
      machineHeader(ctx.command),
      '',
      `Headless Debian Chromium (playwright-core, 1440×900) against the server watching the simulated M cluster (${pods} pods, churn ${churn} events/s; sim, server and browser on this one machine). Load time: from navigation to the figure shown (overview: the pod count; matrix: the first draw of the built matrix). JS heap after a forced GC.`,
      '',
      table(['page', 'navigation to interactive (ms)', 'JS heap (MB)'], loads),
      '',
      'Frame intervals (requestAnimationFrame) while zooming in with the wheel, dragging, and zooming out:',
      '',
      table(['matrix level', 'frames', 'median (ms)', 'p95 (ms)', 'fps (median)', 'target', 'verdict'], frames),
    ].join('\n');
    console.log(markdown);
    return { markdown, failed: false };
  } finally {
    await browser.close();
    server.send('stop');
    sim.send('stop');
  }
}

export const browserSection: BenchSection = {
  name: 'browser',
  description: 'dashboard load time, matrix frame times and JS heap on the M cluster (headless Chromium)',
  run,
};
