// The graph view in a real browser against the real server on the simulated demo cluster: nodes
// and edges are the view's, unprotected nodes are outlined, clicking focuses a neighborhood, and a
// live change neither moves the existing nodes nor loses the zoom or the focus.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { serveConfig } from '../../server/config.ts';
import { startServer, type RunningServer } from '../../server/main.ts';
import { openBrowser, type Browser } from '../support/browser.ts';

let server: RunningServer;
let browser: Browser;

interface Snapshot {
  nodes: { id: string; kind: string; isolation: { ingress: boolean | null; egress: boolean | null } }[];
  connections: { from: string; to: string }[];
}

beforeAll(async () => {
  server = await startServer(serveConfig({ port: 0, simulate: true }), { info: () => {} });
  browser = await openBrowser({ width: 1440, height: 900 });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function snapshot(group: string): Promise<Snapshot> {
  return (await (await fetch(`${server.url}/api/v1/snapshot?group=${group}`)).json()) as Snapshot;
}

async function openGraph(page: Page, query: string): Promise<void> {
  await page.goto(`${server.url}/?tab=graph${query}`);
  await page.getByTestId('status').filter({ hasText: 'live' }).waitFor({ timeout: 15_000 });
  await page.locator('[data-testid=view-graph][data-ready=true]').waitFor();
  await page.locator('[data-testid=graph-svg] .node').first().waitFor();
}

const drawnNodes = (page: Page) =>
  page.$$eval('[data-testid=graph-svg] .node', (els) =>
    els.map((e) => ({
      id: e.getAttribute('data-id')!,
      kind: e.getAttribute('data-kind')!,
      unprotected: e.getAttribute('data-unprotected') === 'true',
      dim: e.getAttribute('data-dim') === 'true',
      transform: e.getAttribute('transform')!,
      dashedOutline: e.querySelector(':scope > circle[stroke-dasharray]') !== null,
      warning: e.querySelector(':scope > .warn') !== null,
      diamond: e.querySelector(':scope > path') !== null && e.querySelector(':scope > circle') === null,
      label: e.querySelector('text')?.textContent ?? '',
    })),
  );

it('draws the demo workloads in their namespaces, externals as diamonds, one arrow per connection', async () => {
  const { page } = browser;
  await openGraph(page, '&level=workload');
  const snap = await snapshot('workload');
  const nodes = await drawnNodes(page);
  expect(nodes.map((n) => n.id).sort()).toEqual(snap.nodes.map((n) => n.id).sort());
  for (const id of ['prod/checkout[Deployment]', 'prod/postgres[StatefulSet]', 'staging/frontend[Deployment]', 'monitoring/prometheus-k8s[StatefulSet]', 'kube-system/coredns[Deployment]']) {
    expect(nodes.some((n) => n.id === id)).toBe(true);
  }
  const groups = await page.$$eval('[data-testid=graph-svg] .group', (els) => els.map((e) => e.getAttribute('data-group')));
  expect(groups.sort()).toEqual(['external', 'ns:ci', 'ns:kube-system', 'ns:monitoring', 'ns:prod', 'ns:staging']);
  // Unprotected: not isolated in some direction. Outlined (dashed) and marked with a glyph.
  for (const n of nodes) {
    const s = snap.nodes.find((x) => x.id === n.id)!;
    if (s.kind === 'external') {
      expect(n.diamond, n.id).toBe(true);
      continue;
    }
    const bad = s.isolation.ingress === false || s.isolation.egress === false;
    expect(n.unprotected, n.id).toBe(bad);
    expect(n.dashedOutline, n.id).toBe(bad);
    expect(n.warning, n.id).toBe(bad);
  }
  expect(nodes.find((n) => n.id === 'staging/frontend[Deployment]')!.unprotected).toBe(true);
  expect(nodes.find((n) => n.id === 'prod/checkout[Deployment]')!.unprotected).toBe(false);
  const edges = await page.$$eval('[data-testid=graph-svg] .edge', (els) => els.map((e) => `${e.getAttribute('data-from')} -> ${e.getAttribute('data-to')}`));
  expect(edges.sort()).toEqual(snap.connections.map((c) => `${c.from} -> ${c.to}`).sort());
  await expect.poll(() => page.getByTestId('graph-summary').textContent()).toContain(`${snap.connections.length} connections`);
  expect(browser.errors).toEqual([]);
});

it('at namespace level, the namespaces are the nodes', async () => {
  const { page } = browser;
  await openGraph(page, '');
  const snap = await snapshot('namespace');
  const nodes = await drawnNodes(page);
  expect(nodes.map((n) => n.id).sort()).toEqual(snap.nodes.map((n) => n.id).sort());
  expect(nodes.filter((n) => n.kind === 'namespace').map((n) => n.id).sort()).toEqual(['ci', 'kube-system', 'monitoring', 'prod', 'staging']);
  expect(nodes.find((n) => n.id === 'staging')!.unprotected).toBe(true);
  expect(nodes.find((n) => n.id === 'prod')!.unprotected).toBe(false);
  expect(browser.errors).toEqual([]);
});

it('clicking a node focuses its in/out neighborhood (URL focus), Escape clears it', async () => {
  const { page } = browser;
  await openGraph(page, '&level=workload');
  const focus = 'prod/checkout[Deployment]';
  await page.locator(`[data-testid=graph-svg] .node[data-id="${focus}"]`).click();
  await expect.poll(() => new URL(page.url()).searchParams.get('focus')).toBe(focus);
  await page.getByTestId('graph-focus').waitFor();
  const snap = await snapshot('workload');
  const hood = new Set([focus]);
  for (const c of snap.connections) {
    if (c.from === focus) hood.add(c.to);
    if (c.to === focus) hood.add(c.from);
  }
  expect(hood.size).toBeGreaterThan(2);
  const nodes = await drawnNodes(page);
  for (const n of nodes) expect(n.dim, n.id).toBe(!hood.has(n.id));
  // Its own edges stand out: every edge touching it is in the focused group.
  const focused = await page.$$eval('[data-testid=graph-svg] .edges.focused .edge', (els) => els.map((e) => [e.getAttribute('data-from'), e.getAttribute('data-to')]));
  expect(focused.length).toBe(snap.connections.filter((c) => c.from === focus || c.to === focus).length);
  expect(focused.every(([f, t]) => f === focus || t === focus)).toBe(true);

  await page.keyboard.press('Escape');
  await expect.poll(() => new URL(page.url()).searchParams.get('focus')).toBeNull();
  expect((await drawnNodes(page)).some((n) => n.dim)).toBe(false);
  expect(browser.errors).toEqual([]);
});

it('a live change adds the new node without moving the others, losing the zoom or the focus', async () => {
  const { page } = browser;
  const focus = 'prod/frontend[Deployment]';
  await openGraph(page, `&level=workload&focus=${encodeURIComponent(focus)}`);
  // Zoom in a bit, so that a refit would show.
  const viewport = () => page.locator('[data-testid=graph-svg] .graph-viewport').getAttribute('transform');
  const fitted = await viewport();
  await page.getByRole('button', { name: 'Zoom in' }).click();
  // The zoom is animated: wait until it has reached its target (1.4 × the fitted scale).
  const scaleOf = (t: string | null) => Number(/scale\(([\d.e-]+)\)/.exec(t ?? '')?.[1]);
  await expect.poll(async () => Math.abs(scaleOf(await viewport()) / scaleOf(fitted) - 1.4) < 1e-6, { timeout: 10_000 }).toBe(true);
  const zoomBefore = await viewport();
  const before = new Map((await drawnNodes(page)).map((n) => [n.id, n.transform]));

  server.sim!.store.create('pods', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'debug-shell', namespace: 'staging', labels: { run: 'debug-shell' } },
    spec: { containers: [{ name: 'sh', image: 'busybox' }] },
  });
  const added = 'staging/debug-shell[Pod]';
  await page.locator(`[data-testid=graph-svg] .node[data-id="${added}"]`).waitFor({ timeout: 15_000 });
  const after = await drawnNodes(page);
  for (const n of after) if (before.has(n.id)) expect(n.transform, n.id).toBe(before.get(n.id));
  expect(after.find((n) => n.id === added)!.unprotected).toBe(true);
  expect(await viewport()).toBe(zoomBefore);
  expect(new URL(page.url()).searchParams.get('focus')).toBe(focus);
  expect(after.find((n) => n.id === focus)!.dim).toBe(false);
  expect(after.some((n) => n.dim)).toBe(true);
  expect(browser.errors).toEqual([]);
});
