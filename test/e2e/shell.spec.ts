// The dashboard shell in a real browser against the real server on the simulated demo cluster.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { serveConfig } from '../../server/config.ts';
import { startServer, type RunningServer } from '../../server/main.ts';
import { openBrowser, type Browser } from '../support/browser.ts';

let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  server = await startServer(serveConfig({ port: 0, simulate: true }), { info: () => {} });
  browser = await openBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

it('loads, connects, shows the cluster as live, with no console errors', async () => {
  const { page } = browser;
  await page.goto(server.url);
  await page.getByTestId('status').filter({ hasText: 'live' }).waitFor({ timeout: 15_000 });
  expect(await page.getByTestId('status-source').textContent()).toContain('simulated cluster');
  const csp = (await page.request.get(server.url)).headers()['content-security-policy'];
  expect(csp).toContain("script-src 'self'");
  expect(browser.errors).toEqual([]);
});

it('keeps the view in the URL: tabs and filters survive a reload', async () => {
  const { page } = browser;
  await page.goto(`${server.url}/?tab=matrix&level=workload&ns=prod&port=5432%2FTCP`);
  await page.getByTestId('view-matrix').waitFor();
  expect(await page.getByTestId('filter-level').inputValue()).toBe('workload');
  expect(await page.getByTestId('filter-namespaces').inputValue()).toBe('prod');
  expect(await page.getByTestId('filter-port').inputValue()).toBe('5432/TCP');
  await page.getByTestId('tab-graph').click();
  expect(new URL(page.url()).searchParams.get('tab')).toBe('graph');
  await page.reload();
  await page.getByTestId('view-graph').waitFor();
  expect(browser.errors).toEqual([]);
});
