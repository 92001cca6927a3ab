// Admin policy tiers in the dashboard, in a real browser against the real server on the simulated
// demo cluster (which serves AdminNetworkPolicies and the baseline): the detail panel names the
// tier, policy, rule and action that decided a pair; the node panel lists the policies of every
// tier selecting a pod; the overview lists policies by tier with a tier filter; and a cluster
// without the admin CRDs says "not installed" neutrally.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { serveConfig } from '../../server/config.ts';
import { startServer, type RunningServer } from '../../server/main.ts';
import { startSimulatedCluster } from '../../server/sim/simulated-cluster.ts';
import { openBrowser, type Browser } from '../support/browser.ts';

let server: RunningServer;
let browser: Browser;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tm-admin-e2e-'));
  server = await startServer(serveConfig({ port: 0, simulate: true }), { info: () => {} });
  browser = await openBrowser({ width: 1400, height: 900 });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const podsIn = (ns: string) => server.sim!.store.list('pods', ns).map((p) => `${ns}/${(p.metadata as { name: string }).name}`);

it('the detail panel shows the ANP tier, rule and action that denied a pair', async () => {
  const { page } = browser;
  const job = podsIn('ci').find((id) => id.includes('project-42'))!;
  const frontend = podsIn('prod').find((id) => id.includes('frontend'))!;
  await page.goto(`${server.url}/?tab=matrix&level=pod&ns=ci,prod&pair=${encodeURIComponent(`${job} -> ${frontend}`)}`);
  const panel = page.getByTestId('detail-panel');
  const ingress = panel.getByTestId('reasons-ingress');
  const rule = ingress.locator('[data-testid="reason-rule"][data-tier="AdminNetworkPolicy"]');
  await rule.first().waitFor({ timeout: 20_000 });
  expect(await panel.getByTestId('detail-verdict').textContent()).toContain('Denied by ingress of the destination');
  expect(await rule.count()).toBe(1);
  expect(await rule.getAttribute('data-action')).toBe('Deny');
  const text = (await rule.textContent())!.replace(/\s+/g, ' ');
  expect(text).toContain('ANP 20');
  expect(text).toContain('deny-ci-to-prod');
  expect(text).toContain('ingress[0]');
  expect(text).toContain('Deny');
  expect(await ingress.textContent()).toContain('denied by an AdminNetworkPolicy rule');
  expect(browser.errors).toEqual([]);
});

it('a pair decided tier by tier: the ANP Allow step, then what passed to NetworkPolicy', async () => {
  const { page } = browser;
  const prometheus = podsIn('monitoring').find((id) => id.includes('prometheus'))!;
  const checkout = podsIn('prod').find((id) => id.includes('checkout'))!;
  await page.goto(`${server.url}/?tab=matrix&level=pod&ns=monitoring,prod&pair=${encodeURIComponent(`${prometheus} -> ${checkout}`)}`);
  const ingress = page.getByTestId('detail-panel').getByTestId('reasons-ingress');
  await ingress.locator('[data-tier="AdminNetworkPolicy"]').first().waitFor({ timeout: 20_000 });
  const rows = await ingress.getByTestId('reason-rule').evaluateAll((els) => els.map((e) => [e.getAttribute('data-tier'), e.getAttribute('data-action')]));
  expect(rows).toEqual([
    ['AdminNetworkPolicy', 'Allow'],
    ['NetworkPolicy', 'Deny'],
  ]);
  expect(await ingress.textContent()).toContain('allow-monitoring-scrape');
  expect(await ingress.textContent()).toContain('passed to NetworkPolicy');
});

it('the node panel lists the policies of every tier selecting a pod, in evaluation order', async () => {
  const { page } = browser;
  const frontend = podsIn('prod').find((id) => id.includes('frontend'))!;
  await page.goto(`${server.url}/?tab=matrix&level=pod&ns=prod&focus=${encodeURIComponent(frontend)}`);
  const ingress = page.getByTestId('detail-policies-ingress');
  await ingress.locator('[data-tier="anp"]').first().waitFor({ timeout: 20_000 });
  const chips = await ingress.locator('.chip').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-tier')} ${e.textContent!.trim()}`));
  expect(chips.slice(0, 2)).toEqual(['anp ANPallow-monitoring-scrape', 'anp ANPdeny-ci-to-prod']);
  expect(chips.slice(2).every((c) => c.startsWith('np NPprod/'))).toBe(true);
});

it('the overview lists policies by tier, and the tier filter narrows the list', async () => {
  const { page } = browser;
  await page.goto(`${server.url}/`);
  const list = page.getByTestId('overview-policies');
  await list.getByTestId('overview-policy').first().waitFor({ timeout: 20_000 });
  const tiers = () => list.getByTestId('overview-policy').evaluateAll((els) => els.map((e) => e.getAttribute('data-tier')));
  const all = await tiers();
  expect(all[0]).toBe('anp');
  expect(all).toContain('np');
  const count = async (key: string) => Number((await list.getByTestId(`policies-tier-${key}`).locator('.count').textContent())!.trim());
  expect(await count('anp')).toBe(server.sim!.store.count('adminnetworkpolicies'));
  expect(await count('banp')).toBe(1);
  expect(await count('np')).toBe(server.sim!.store.count('networkpolicies'));

  await list.getByTestId('policies-tier-anp').click();
  expect(await tiers()).toEqual(new Array(await count('anp')).fill('anp'));
  const first = (await list.getByTestId('overview-policy').first().textContent())!.replace(/\s+/g, ' ');
  expect(first).toContain('ANP 10');
  expect(first).toContain('allow-monitoring-scrape');

  await list.getByTestId('policies-tier-banp').click();
  expect(await tiers()).toEqual(['banp']);
  await list.getByTestId('policies-tier-all').click();
  // Long lists show their first 12, and the rest on demand.
  expect((await tiers()).length).toBe(Math.min(12, await count('all')));
  await list.getByRole('button', { name: /Show all/ }).click();
  const everything = await tiers();
  expect(everything.length).toBe(await count('all'));
  // Evaluation order: every ANP, then NetworkPolicies, then the baseline.
  expect(everything).toEqual([...everything].sort((a, b) => ['anp', 'np', 'banp'].indexOf(a!) - ['anp', 'np', 'banp'].indexOf(b!)));
  expect(everything.at(-1)).toBe('banp');
  // Synced admin resources are part of the connection panel.
  expect(await page.getByTestId('overview-sync-adminnetworkpolicies').getAttribute('data-state')).toBe('synced');
  expect(browser.errors).toEqual([]);
});

it('a cluster without the admin CRDs: "not installed", said neutrally, and the dashboard stays live', async () => {
  const sim = await startSimulatedCluster({ servesAdminPolicies: false });
  const other = await startServer(serveConfig({ port: 0, kubeconfig: await sim.writeKubeconfig(join(dir, 'no-admin.kubeconfig')), history: false }), { info: () => {} });
  const page = await browser.context.newPage();
  try {
    await page.goto(`${other.url}/`);
    await page.getByTestId('status').filter({ hasText: 'live' }).waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('status').getAttribute('data-state')).toBe('live');
    expect(await page.getByTestId('status-admin').textContent()).toBe('admin policies: not installed');
    const anp = page.getByTestId('overview-sync-adminnetworkpolicies');
    await anp.and(page.locator('[data-state="not-installed"]')).waitFor({ timeout: 20_000 });
    expect((await anp.textContent())!.trim()).toContain('not installed');
    expect(await page.getByTestId('overview-connection').getAttribute('data-state')).toBe('Live');
    // No pod is unknown because of it.
    expect(await page.getByTestId('overview-unknown').getAttribute('data-value')).toBe('0');
    expect(Number(await page.getByTestId('overview-pods-total').getAttribute('data-value'))).toBeGreaterThan(0);
  } finally {
    await page.close();
    await other.stop();
    await sim.close();
  }
});
