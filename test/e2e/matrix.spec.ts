// The Matrix view and the detail panel in a real browser, against the real server on the simulated
// demo cluster: drill-down by clicking cells, the explanation of a known pair (checked against the
// CLI on a kubectl dump of the same cluster), a live policy change arriving without reload or zoom
// reset, and no console errors. The canvas has no DOM per cell: cells are found through
// `window.__trafficMapMatrix` (client/render/matrix-debug.ts) and clicked with the mouse.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { serveConfig } from '../../server/config.ts';
import { startServer, type RunningServer } from '../../server/main.ts';
import { main } from '../../server/cli/main.ts';
import type { MatrixDebug } from '../../client/render/matrix-debug.ts';
import type { MatrixCellKind, Rect, Transform } from '../../client/render/matrix-layout.ts';
import { openBrowser, type Browser } from '../support/browser.ts';

const run = promisify(execFile);
let server: RunningServer;
let browser: Browser;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tm-matrix-'));
  server = await startServer(serveConfig({ port: 0, simulate: true }), { info: () => {} });
  browser = await openBrowser({ width: 1280, height: 800 });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await run('/usr/bin/kubectl', ['--kubeconfig', server.simKubeconfig!, '--cache-dir', join(dir, 'cache'), ...args], { timeout: 30_000, maxBuffer: 1 << 26 });
  return stdout;
}

// ----- the debug accessor, from Node -----

type Debug = { __trafficMapMatrix?: MatrixDebug };

const rows = (page: Page) => page.evaluate(() => (globalThis as Debug).__trafficMapMatrix?.rows() ?? []);
const cols = (page: Page) => page.evaluate(() => (globalThis as Debug).__trafficMapMatrix?.cols() ?? []);
const transform = (page: Page) => page.evaluate(() => (globalThis as Debug).__trafficMapMatrix!.transform()) as Promise<Transform>;
const kind = (page: Page, from: string, to: string) =>
  page.evaluate(([f, t]) => (globalThis as Debug).__trafficMapMatrix?.kind(f!, t!) ?? null, [from, to]) as Promise<MatrixCellKind | null>;

type Target = { cell: [from: string, to: string] } | { label: ['row' | 'col', string] };

/**
 * A cell's or a label's rectangle once it has stayed put for a few frames (a new level, the detail
 * panel opening or closing, or a revealed cell moves the matrix: a rectangle read at once may be
 * stale by the time the mouse clicks on a busy machine), with `at` checked to be on the canvas.
 */
async function settledRect(page: Page, target: Target, at: (r: Rect) => [number, number]): Promise<Rect> {
  const rect = await page.evaluate(async (t) => {
    const m = (globalThis as Debug).__trafficMapMatrix!;
    const read = () => JSON.stringify('cell' in t ? m.cellRect(t.cell[0], t.cell[1]) : m.labelRect(t.label[0], t.label[1]));
    const frame = () => new Promise((resolve) => (globalThis as unknown as { requestAnimationFrame(f: () => void): number }).requestAnimationFrame(() => resolve(undefined)));
    let last = read();
    for (let same = 0, frames = 0; same < 3 && frames < 300; frames++) {
      await frame();
      const now = read();
      same = now === last ? same + 1 : 0;
      last = now;
    }
    return JSON.parse(last) as Rect | null;
  }, target);
  expect(rect, JSON.stringify(target)).not.toBeNull();
  const [x, y] = at(rect!);
  const hit = await page.evaluate(([px, py]) => {
    const el = (globalThis as unknown as { document: { elementFromPoint(x: number, y: number): { tagName: string; outerHTML: string } | null } }).document.elementFromPoint(px!, py!);
    return el ? (el.tagName === 'CANVAS' ? 'CANVAS' : el.outerHTML.slice(0, 120)) : 'nothing';
  }, [x, y]);
  expect(hit, `what is at ${JSON.stringify(target)}`).toBe('CANVAS');
  return rect!;
}

const middle = (r: Rect): [number, number] => [r.x + r.width / 2, r.y + r.height / 2];

/** Waits until the matrix shows `lvl` with the cluster synced (cell `from → to` is `expected`). */
async function ready(page: Page, lvl: string, from: string, to: string, expected: MatrixCellKind): Promise<void> {
  await page.waitForFunction(
    ([l, f, t, k]) => {
      const m = (globalThis as Debug).__trafficMapMatrix;
      return !!m && m.level() === l && m.kind(f!, t!) === k;
    },
    [lvl, from, to, expected],
    { timeout: 15_000 },
  );
}

async function clickCell(page: Page, from: string, to: string, modifiers: ('Shift' | 'Alt')[] = []): Promise<void> {
  const [x, y] = middle(await settledRect(page, { cell: [from, to] }, middle));
  await page.mouse.move(x, y);
  for (const m of modifiers) await page.keyboard.down(m);
  await page.mouse.click(x, y);
  for (const m of modifiers) await page.keyboard.up(m);
}

it('drills down: namespace matrix → click prod → prod → the workloads of prod', async () => {
  const { page } = browser;
  await page.goto(`${server.url}/?tab=matrix`);
  await ready(page, 'namespace', 'prod', 'prod', 'some');
  // Sorted by namespace, externals last; unprotected staging is all open inside.
  const r = await rows(page);
  expect(r.slice(0, 5)).toEqual(['ci', 'kube-system', 'monitoring', 'prod', 'staging']);
  expect(r.slice(5).every((id) => id.startsWith('ip:'))).toBe(true);
  expect(await kind(page, 'staging', 'staging')).toBe('all');
  expect(await kind(page, 'prod', 'staging')).toBe('none');

  // Hover: ports and pod pairs at once, the rules once fetched.
  await page.mouse.move(...middle(await settledRect(page, { cell: ['prod', 'prod'] }, middle)));
  const tooltip = page.getByTestId('matrix-tooltip');
  await tooltip.waitFor();
  expect(await page.getByTestId('tooltip-ports').textContent()).toContain('5432');
  expect(await page.getByTestId('tooltip-pairs').textContent()).toMatch(/30 of 132 pod pairs/);
  await tooltip.getByText('prod/postgres-ingress').waitFor({ timeout: 5000 });

  await clickCell(page, 'prod', 'prod');
  await ready(page, 'workload', 'prod/checkout[Deployment]', 'prod/postgres[StatefulSet]', 'some');
  await expect.poll(() => new URL(page.url()).searchParams.get('level')).toBe('workload');
  expect(new URL(page.url()).searchParams.get('ns')).toBe('prod');
  const inCluster = (await rows(page)).filter((id) => !id.startsWith('ip:'));
  expect(inCluster).toEqual([
    'prod/catalog[Deployment]',
    'prod/checkout[Deployment]',
    'prod/frontend[Deployment]',
    'prod/payments[Deployment]',
    'prod/postgres[StatefulSet]',
    'prod/redis[StatefulSet]',
  ]);
  expect(await page.getByTestId('matrix-breadcrumb').textContent()).toContain('Workloads');
  expect(await page.getByTestId('matrix-scope').textContent()).toBe('in prod');
  expect(browser.errors).toEqual([]);
});

it('explains a known pair: prod checkout → postgres on 5432, by the same rules as the CLI', async () => {
  const { page } = browser;
  // From the workload level (previous test): the checkout → postgres cell opens the pods of prod.
  await clickCell(page, 'prod/checkout[Deployment]', 'prod/postgres[StatefulSet]');
  await page.waitForFunction(() => (globalThis as Debug).__trafficMapMatrix?.level() === 'pod', undefined, { timeout: 15_000 });
  const checkout = (await rows(page)).find((id) => id.startsWith('prod/checkout-'))!;
  expect(checkout).toBeDefined();
  expect(await cols(page)).toContain('prod/postgres-0');
  await ready(page, 'pod', checkout, 'prod/postgres-0', 'some');
  expect(await kind(page, checkout, checkout)).toBe('self');

  await clickCell(page, checkout, 'prod/postgres-0');
  // The URL follows the selection (router.replace: a moment after the click).
  await expect.poll(() => new URL(page.url()).searchParams.get('pair')).toBe(`${checkout} -> prod/postgres-0`);
  const panel = page.getByTestId('detail-panel');
  await panel.getByTestId('detail-verdict').waitFor({ timeout: 10_000 });
  expect(await panel.getByTestId('detail-verdict').textContent()).toContain('Allowed: TCP 5432');
  const egress = (await panel.getByTestId('reasons-egress').textContent())!;
  const ingress = (await panel.getByTestId('reasons-ingress').textContent())!;
  expect(egress).toMatch(/prod\/api-egress\s*egress\[0\]\s*TCP 5432/);
  expect(egress).toContain('prod/default-deny');
  expect(ingress).toMatch(/prod\/postgres-ingress\s*ingress\[0\]\s*TCP 5432/);
  // One named rule per side (the demo's ANP selects postgres too, so its ingress also lists the tier steps).
  expect(await panel.getByTestId('reason-rule').locator('code.policy').count()).toBe(2);

  // The CLI, on a kubectl dump of the same cluster, names the same rules.
  const dump = join(dir, 'cluster.yaml');
  writeFileSync(dump, await kubectl('get', 'namespaces,pods,networkpolicies', '-A', '-o', 'yaml'));
  let stdout = '';
  const code = await main(['check', dump, '--from', checkout, '--to', 'prod/postgres-0', '--port', '5432', '--format', 'json'], { out: (t) => (stdout += t), err: () => {} });
  expect(code).toBe(0);
  const cli = JSON.parse(stdout) as { verdict: string; pairs: { egress: { rules: { policy: string; rule: number }[] }; ingress: { rules: { policy: string; rule: number }[] } }[] };
  expect(cli.verdict).toBe('allowed');
  expect(cli.pairs[0]!.egress.rules.map((r) => `${r.policy} egress[${r.rule}]`)).toEqual(['prod/api-egress egress[0]']);
  expect(cli.pairs[0]!.ingress.rules.map((r) => `${r.policy} ingress[${r.rule}]`)).toEqual(['prod/postgres-ingress ingress[0]']);

  // A denied pair says which side denies; Escape clears the selection.
  const frontend = (await rows(page)).find((id) => id.startsWith('prod/frontend-'))!;
  await clickCell(page, frontend, 'prod/postgres-0');
  await panel.getByTestId('detail-verdict').filter({ hasText: 'Denied' }).waitFor({ timeout: 10_000 });
  expect(await panel.getByTestId('reasons-ingress').textContent()).toContain('no ingress rule of these policies matches the source');
  await page.getByTestId('matrix-stage').focus();
  await page.keyboard.press('Escape');
  await panel.waitFor({ state: 'detached' });
  await expect.poll(() => new URL(page.url()).searchParams.get('pair')).toBeNull();

  // A row label selects the node: labels, IPs, named ports, policies per direction, reach.
  await page.mouse.click(...middle(await settledRect(page, { label: ['row', 'prod/postgres-0'] }, middle)));
  await panel.getByTestId('detail-title').filter({ hasText: 'postgres-0' }).waitFor();
  const ports = (await panel.getByTestId('detail-ports').textContent())!;
  expect(ports).toContain('postgres');
  expect(ports).toContain('5432/TCP');
  await panel.getByTestId('detail-policies').getByText('prod/postgres-ingress').waitFor({ timeout: 5000 });
  expect(await panel.getByTestId('detail-reach-in').textContent()).toMatch(/checkout-/);
  expect(browser.errors).toEqual([]);
});

it('shows a live policy change in kube-system within 2 s, without reload and without resetting the zoom', async () => {
  // kube-system: no policy of any tier restricts its ingress in the demo (staging's pods have the
  // BaselineAdminNetworkPolicy's Deny rule from ci).
  const { page } = browser;
  await page.goto(`${server.url}/?tab=matrix`);
  await ready(page, 'namespace', 'ci', 'kube-system', 'all');
  const fitted = await transform(page);
  // Zoom in and pan a little, mark the page (a reload would drop the mark).
  await page.getByTestId('matrix-stage').focus();
  await page.keyboard.press('+');
  await page.waitForTimeout(400);
  await page.keyboard.press('ArrowRight');
  const zoomed = await transform(page);
  expect(zoomed.k).toBeGreaterThan(fitted.k * 1.2);
  await page.evaluate(() => ((globalThis as { __noReload?: boolean }).__noReload = true));
  // The detail panel of kube-system is open during the change (it shares the matrix's subscription).
  const colLabel = (r: Rect): [number, number] => [r.x + r.width / 2, r.y + r.height - 20];
  await page.mouse.click(...colLabel(await settledRect(page, { label: ['col', 'kube-system'] }, colLabel)));
  const panel = page.getByTestId('detail-panel');
  await panel.getByTestId('detail-title').filter({ hasText: 'kube-system' }).waitFor();
  expect(await panel.getByTestId('detail-isolation-ingress').textContent()).toMatch(/not isolated \(all \d+ pods\)/);
  const zoomedBefore = await transform(page);
  expect(zoomedBefore).toEqual(zoomed);
  const urlBefore = page.url();
  const seqBefore = await page.evaluate(() => (globalThis as Debug).__trafficMapMatrix!.seq());

  const file = join(dir, 'dns-only.yaml');
  writeFileSync(
    file,
    ['apiVersion: networking.k8s.io/v1', 'kind: NetworkPolicy', 'metadata: { name: dns-only, namespace: kube-system }', 'spec:', '  podSelector: {}', '  policyTypes: [Ingress]', '  ingress: [{ ports: [{ protocol: UDP, port: 53 }] }]', ''].join('\n'),
  );
  await kubectl('apply', '-f', file);
  const applied = performance.now();
  // kube-system now only accepts DNS, from anyone (some ports).
  await page.waitForFunction(() => (globalThis as Debug).__trafficMapMatrix?.kind('ci', 'kube-system') === 'some', undefined, { timeout: 2000 });
  const took = performance.now() - applied;
  expect(took).toBeLessThan(2000);
  expect(await kind(page, 'kube-system', 'kube-system')).toBe('some');
  expect(await page.evaluate(() => (globalThis as { __noReload?: boolean }).__noReload)).toBe(true);
  expect(await page.evaluate(() => (globalThis as Debug).__trafficMapMatrix!.seq())).toBeGreaterThan(seqBefore!);
  expect(await transform(page)).toEqual(zoomed);
  expect(page.url()).toBe(urlBefore);
  expect(new URL(urlBefore).searchParams.get('focus')).toBe('kube-system');
  await panel.getByTestId('detail-isolation-ingress').filter({ hasText: /^isolated \(all \d+ pods\)$/ }).waitFor({ timeout: 2000 });

  // Closing the panel must not end the matrix's subscription: the next change still arrives.
  await panel.getByTestId('detail-close').click();
  await panel.waitFor({ state: 'detached' });
  await kubectl('delete', '-f', file);
  await page.waitForFunction(() => (globalThis as Debug).__trafficMapMatrix?.kind('ci', 'kube-system') === 'all', undefined, { timeout: 5000 });
  expect(browser.errors).toEqual([]);
});
