// Time travel in a real browser against the real server (history kept in memory) on the simulated
// demo cluster: a past instant shows the state the server showed then, marked as past; stepping to
// the next event shows the change; "Live" comes back to the present.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { RunningServer } from '../../server/main.ts';
import { startDemoServer } from '../support/demo-server.ts';
import type { AnalysisDocument } from '../../shared/matrix/report.ts';
import { openBrowser, type Browser } from '../support/browser.ts';

type Win = { document: { querySelector(s: string): { getAttribute(n: string): string | null } | null }; location: { search: string } };

let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  server = await startDemoServer();
  browser = await openBrowser({ width: 1280, height: 900 });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Unprotected pod counts of an analysis@1 document (the server's own figures). */
function counts(doc: AnalysisDocument): { ingress: number; egress: number; both: number } {
  const pods = doc.nodes.filter((n) => n.kind === 'pod');
  return {
    ingress: pods.filter((p) => !p.isolation.ingress).length,
    egress: pods.filter((p) => !p.isolation.egress).length,
    both: pods.filter((p) => !p.isolation.ingress && !p.isolation.egress).length,
  };
}

async function shown(page: Page): Promise<{ ingress: number; egress: number; both: number }> {
  await page.locator('[data-testid="overview-unprotected-ingress"]').waitFor();
  return page.evaluate(() => {
    const document = (globalThis as unknown as Win).document;
    const num = (id: string) => Number(document.querySelector(`[data-testid="${id}"]`)!.getAttribute('data-value'));
    return { ingress: num('overview-unprotected-ingress'), egress: num('overview-unprotected-egress'), both: num('overview-unprotected-both') };
  });
}

const live = async () => (await (await fetch(`${server.url}/api/v1/snapshot?group=pod`)).json()) as AnalysisDocument;

it('shows a past instant as it was, steps to the next event, and comes back to live', async () => {
  const page = browser.page;
  await sleep(500);
  const before = counts(await live());
  const t1 = new Date().toISOString();
  await sleep(300);
  server.sim!.store.create('networkpolicies', {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'tt-deny-all', namespace: 'staging' },
    spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
  });
  const deadline = Date.now() + 5000;
  let after = counts(await live());
  while (after.egress === before.egress && Date.now() < deadline) {
    await sleep(100);
    after = counts(await live());
  }
  expect(after.egress).toBeLessThan(before.egress);

  // The history's own document of that instant agrees with what the server showed then.
  const recorded = (await (await fetch(`${server.url}/api/v1/history/snapshot?at=${encodeURIComponent(t1)}&group=pod`)).json()) as AnalysisDocument;
  expect(counts(recorded)).toEqual(before);

  await page.goto(`${server.url}/?at=${encodeURIComponent(t1)}`);
  await page.locator('[data-testid="tt-banner"]').waitFor();
  await page.waitForFunction((n) => (globalThis as unknown as Win).document.querySelector('[data-testid="overview-unprotected-egress"]')?.getAttribute('data-value') === String(n), before.egress);
  expect(await shown(page)).toEqual(before);
  expect(await page.locator('[data-testid="tt-banner"]').textContent()).toContain('read-only');

  // What changed since then: the policy, and the connections it took away (as the history's diff says).
  await page.locator('[data-testid="tt-compare"]').click();
  await page.locator('[data-testid="time-diff-summary"]').waitFor();
  const diff = (await (await fetch(`${server.url}/api/v1/history/diff?a=${encodeURIComponent(t1)}&b=live&group=workload`)).json()) as { summary: { connections: { lost: number } } };
  expect(diff.summary.connections.lost).toBeGreaterThan(0);
  const summary = await page.locator('[data-testid="time-diff-summary"]').textContent();
  expect(summary).toContain(`−${diff.summary.connections.lost}`);
  expect(summary).toContain('1 policy added');
  expect(await page.locator('[data-testid="time-diff"]').textContent()).toContain('tt-deny-all');

  // The next event after t1 is the policy: the views move to it.
  await page.locator('[data-testid="tt-next"]').click();
  await page.waitForFunction((n) => (globalThis as unknown as Win).document.querySelector('[data-testid="overview-unprotected-egress"]')?.getAttribute('data-value') === String(n), after.egress);
  expect(await shown(page)).toEqual(after);
  expect(await page.locator('[data-testid="tt-banner"]').textContent()).toContain('networkpolicies staging/tt-deny-all');

  // The report of a past instant says so.
  await page.goto(`${server.url}/?tab=report&at=${encodeURIComponent(t1)}`);
  await page.locator('[data-report-ready="true"]').waitFor({ timeout: 30_000 });
  expect(await page.locator('[data-testid="report-at"]').textContent()).toContain('Past state');

  // Live again: the banner goes, the present shows.
  await page.goto(`${server.url}/?at=${encodeURIComponent(t1)}`);
  await page.locator('[data-testid="tt-live"]').click();
  await page.locator('[data-testid="tt-banner"]').waitFor({ state: 'detached' });
  expect(await page.evaluate(() => (globalThis as unknown as Win).location.search)).not.toContain('at=');
  await page.waitForFunction((n) => (globalThis as unknown as Win).document.querySelector('[data-testid="overview-unprotected-egress"]')?.getAttribute('data-value') === String(n), after.egress);
  expect(browser.errors).toEqual([]);
}, 90_000);
