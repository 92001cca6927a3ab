// A diff of two instants highlighted on the matrix and the graph, in a real browser against the
// real server (history in memory) on the simulated demo cluster. After an instant, policies change
// through the simulated API; at that instant "What changed since" must mark on each view exactly
// the changes the history's diff lists at the view's own level: cells and edges gained and lost,
// nodes whose pods became unprotected or protected. Read through the matrix's debug hook and the
// graph's data attributes, not by pixel colors.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { RunningServer } from '../../server/main.ts';
import { startDemoServer } from '../support/demo-server.ts';
import type { ConnectivityDiff } from '../../shared/diff/types.ts';
import type { MatrixDebug } from '../../client/render/matrix-debug.ts';
import { instantText } from '../../client/timeline.ts';
import { openBrowser, type Browser } from '../support/browser.ts';

let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  server = await startDemoServer();
  browser = await openBrowser({ width: 1440, height: 1000 });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const debug = (page: Page) => page.evaluate(() => (globalThis as unknown as { __trafficMapMatrix: MatrixDebug }).__trafficMapMatrix.changes());

async function historyDiff(at: string, group: string): Promise<ConnectivityDiff> {
  return (await (await fetch(`${server.url}/api/v1/history/diff?a=${encodeURIComponent(at)}&b=live&group=${group}`)).json()) as ConnectivityDiff;
}

/** What a view at this level must mark: the diff's connections between nodes it shows, by change. */
function expectedCells(diff: ConnectivityDiff, isSource: (id: string) => boolean, isDestination: (id: string) => boolean): string[] {
  return diff.connections
    .filter((c) => isSource(c.from) && isDestination(c.to))
    .map((c) => `${c.from} → ${c.to} ${c.change}`)
    .sort();
}

it('marks what changed since a past instant on the matrix and the graph, each at its own level', async () => {
  const page = browser.page;
  await sleep(500);
  const t1 = new Date().toISOString();
  await sleep(300);
  // The incident: staging gets a default deny both ways (connections lost, pods protected for
  // egress), prod's frontend may now send anywhere (gained), ci's runner loses its only policy
  // (gained, and unprotected both ways).
  const store = server.sim!.store;
  store.create('networkpolicies', {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'hl-deny-all', namespace: 'staging' },
    spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
  });
  store.patch('networkpolicies', 'prod', 'frontend-egress', 'application/merge-patch+json', { spec: { egress: [{}] } });
  store.delete('networkpolicies', 'ci', 'runner-egress');
  let workload = await historyDiff(t1, 'workload');
  for (const deadline = Date.now() + 10_000; workload.summary.policies.added + workload.summary.policies.changed + workload.summary.policies.deleted < 3 && Date.now() < deadline; ) {
    await sleep(200);
    workload = await historyDiff(t1, 'workload');
  }
  expect(workload.summary.policies).toEqual({ added: 1, changed: 1, deleted: 1 });
  const kinds = (d: ConnectivityDiff, change: string) => d.connections.filter((c) => c.change === change).map((c) => `${c.from} → ${c.to}`);
  expect(kinds(workload, 'gained')).toContain('prod/frontend[Deployment] → kube-system/metrics-server[Deployment]');
  expect(kinds(workload, 'lost')).toContain('kube-system/coredns[Deployment] → staging/catalog[Deployment]');

  // ----- the matrix at workload level -----
  await page.goto(`${server.url}/?tab=matrix&level=workload&at=${encodeURIComponent(t1)}`);
  await page.getByTestId('tt-banner').waitFor();
  await page.locator('[data-testid="view-matrix"][data-level="workload"]').waitFor();
  await page.getByTestId('tt-compare').click();
  const line = page.locator('[data-testid="diff-highlight"][data-state="shown"]');
  await line.waitFor({ timeout: 30_000 });
  expect(await line.textContent()).toContain(`Changes from ${instantText(t1)} to now highlighted`);

  const rows = new Set(await page.evaluate(() => (globalThis as unknown as { __trafficMapMatrix: MatrixDebug }).__trafficMapMatrix.rows()));
  const cols = new Set(await page.evaluate(() => (globalThis as unknown as { __trafficMapMatrix: MatrixDebug }).__trafficMapMatrix.cols()));
  const marked = await debug(page);
  const want = expectedCells(
    workload,
    (id) => rows.has(id),
    (id) => cols.has(id),
  );
  expect(marked.cells.map((c) => `${c.from} → ${c.to} ${c.change}`).sort()).toEqual(want);
  expect(want.filter((c) => c.endsWith(' gained')).length).toBeGreaterThan(0);
  expect(want.filter((c) => c.endsWith(' lost')).length).toBeGreaterThan(0);
  expect(Number(await line.getAttribute('data-gained'))).toBe(want.filter((c) => c.endsWith(' gained')).length);
  expect(Number(await line.getAttribute('data-lost'))).toBe(want.filter((c) => c.endsWith(' lost')).length);
  // Nodes: staging's workloads are protected for egress now (their rows), ci's runner unprotected both ways.
  const stagingRows = [...rows].filter((id) => id.startsWith('staging/'));
  expect(stagingRows.length).toBeGreaterThan(0);
  for (const id of stagingRows) expect(marked.rows).toContainEqual({ id, mark: 'protected' });
  expect(marked.rows).toContainEqual({ id: 'ci/gitlab-runner[Deployment]', mark: 'unprotected' });
  expect(marked.cols).toContainEqual({ id: 'ci/gitlab-runner[Deployment]', mark: 'unprotected' });
  expect(await page.locator('[data-testid="matrix-legend"] [data-testid="legend-change-gained"]').count()).toBe(1);

  // The tooltip of a gained cell says so (the list above pushes the matrix down: scroll to it).
  await page.getByTestId('view-matrix').evaluate((el) => el.scrollIntoView({ block: 'end' }));
  const cell = await page.evaluate(() => (globalThis as unknown as { __trafficMapMatrix: MatrixDebug }).__trafficMapMatrix.cellRect('prod/frontend[Deployment]', 'kube-system/metrics-server[Deployment]'));
  expect(cell).not.toBeNull();
  await page.mouse.move(cell!.x + cell!.width / 2, cell!.y + cell!.height / 2);
  expect(await page.getByTestId('tooltip-changes').textContent()).toContain(`gained since ${instantText(t1)}: all ports`);

  // ----- the graph at namespace level: the views follow their own level, the list keeps its own -----
  await page.getByTestId('tab-graph').click();
  await page.getByTestId('filter-level').selectOption('namespace');
  await page.locator('[data-testid="view-graph"][data-level="namespace"][data-ready="true"]').waitFor();
  await page.locator('[data-testid="diff-highlight"][data-state="shown"]').waitFor({ timeout: 30_000 });
  expect(await page.getByTestId('time-diff-level').inputValue()).toBe('workload');
  const namespaces = await historyDiff(t1, 'namespace');
  const graphNodes = new Set(await page.$$eval('[data-testid=graph-svg] .node', (els) => els.map((e) => e.getAttribute('data-id')!)));
  await page.waitForFunction((n) => (globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }).document.querySelectorAll('[data-testid=graph-svg] .change').length === n, expectedCells(namespaces, (id) => graphNodes.has(id), (id) => graphNodes.has(id)).length);
  const edges = await page.$$eval('[data-testid=graph-svg] .change', (els) => els.map((e) => `${e.getAttribute('data-from')} → ${e.getAttribute('data-to')} ${e.getAttribute('data-change')}`).sort());
  expect(edges).toEqual(
    expectedCells(
      namespaces,
      (id) => graphNodes.has(id),
      (id) => graphNodes.has(id),
    ),
  );
  expect(edges.some((e) => e.endsWith(' gained'))).toBe(true);
  expect(edges.some((e) => e.endsWith(' lost'))).toBe(true);
  const nodeMarks = Object.fromEntries(await page.$$eval('[data-testid=graph-svg] .node[data-change]', (els) => els.map((e) => [e.getAttribute('data-id')!, e.getAttribute('data-change')!])));
  expect(nodeMarks).toMatchObject({ ci: 'unprotected', staging: 'protected' });
  expect(await page.locator('[data-testid="graph-legend"] [data-testid="legend-change-lost"]').count()).toBe(1);

  // Off: no marks, no legend entries, the line says so; on again; closing the comparison removes the line.
  await page.getByTestId('diff-highlight-toggle').click();
  await page.locator('[data-testid="diff-highlight"][data-state="hidden"]').waitFor();
  expect(await page.locator('[data-testid=graph-svg] .change').count()).toBe(0);
  expect(await page.locator('[data-testid=graph-svg] .node[data-change]').count()).toBe(0);
  expect(await page.locator('[data-testid="graph-legend"] [data-testid="legend-change-lost"]').count()).toBe(0);
  await page.getByTestId('diff-highlight-toggle').click();
  await page.locator('[data-testid=graph-svg] .change').first().waitFor();
  await page.getByTestId('tt-compare').click();
  await page.getByTestId('diff-highlight').waitFor({ state: 'detached' });
  expect(await page.locator('[data-testid=graph-svg] .change').count()).toBe(0);

  expect(browser.errors).toEqual([]);
}, 120_000);
