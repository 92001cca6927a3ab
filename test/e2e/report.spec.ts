// The compliance report in a real browser against the real server on the simulated demo cluster:
// its figures are the overview's, its unprotected list and policy inventory are the cluster's (from
// the REST analysis and the sim's objects), its hash follows the state (same state, same hash), and
// `traffic-map report` prints it to a PDF whose pages render and say the same.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { runReport } from '../../server/cli/report.ts';
import { serveConfig } from '../../server/config.ts';
import { startServer, type RunningServer } from '../../server/main.ts';
import type { AnalysisDocument } from '../../shared/matrix/report.ts';
import { openBrowser, type Browser } from '../support/browser.ts';

const run = promisify(execFile);

interface El {
  textContent: string | null;
  getAttribute(name: string): string | null;
}
type Win = { document: { querySelector(s: string): El | null; querySelectorAll(s: string): Iterable<El> } };

let server: RunningServer;
let browser: Browser;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tm-report-'));
  server = await startServer(serveConfig({ port: 0, simulate: true }), { info: () => {} });
  browser = await openBrowser({ width: 1280, height: 900 });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface ReportShown {
  figures: Record<string, string>;
  hash: string;
  unprotected: string[];
  namespaces: number;
  policies: string[];
}

async function openReport(page: Page): Promise<ReportShown> {
  await page.goto(`${server.url}/?tab=report`);
  await page.locator('[data-report-ready="true"]').waitFor({ timeout: 30_000 });
  return readReport(page);
}

async function readReport(page: Page): Promise<ReportShown> {
  return page.evaluate(() => {
    const document = (globalThis as unknown as Win).document;
    const figures: Record<string, string> = {};
    for (const el of document.querySelectorAll('[data-figure]')) figures[el.getAttribute('data-figure')!] = el.textContent!.trim();
    const column = (table: string, i: number) => [...document.querySelectorAll(`[data-testid="${table}"] tbody tr`)].map((tr) => (tr as unknown as { children: El[] }).children[i]!.textContent!.trim());
    return {
      figures,
      hash: document.querySelector('[data-testid="report-hash"]')!.textContent!.trim(),
      unprotected: column('report-unprotected', 0),
      namespaces: column('report-namespaces', 0).length,
      policies: column('report-policies', 1).map((name) => name.replace(/ \(incomplete data\)$/, '')),
    };
  });
}

async function overviewFigures(page: Page): Promise<Record<string, number>> {
  await page.goto(`${server.url}/?tab=overview`);
  await page.locator('[data-testid="overview-pods-total"]').waitFor({ timeout: 30_000 });
  return page.evaluate(() => {
    const document = (globalThis as unknown as Win).document;
    const num = (id: string) => Number(document.querySelector(`[data-testid="${id}"]`)!.getAttribute('data-value'));
    return {
      pods: num('overview-pods-total'),
      ingress: num('overview-unprotected-ingress'),
      egress: num('overview-unprotected-egress'),
      both: num('overview-unprotected-both'),
      findings: num('overview-findings-count'),
    };
  });
}

const figure = (r: ReportShown, name: string) => Number(r.figures[name]!.replace(/,/g, ''));

it('shows the overview figures, the unprotected pods and every policy of the cluster; same state, same hash', async () => {
  const page = browser.page;
  const overview = await overviewFigures(page);
  const report = await openReport(page);
  expect({
    pods: figure(report, 'Pods in scope'),
    ingress: figure(report, 'Unprotected for ingress'),
    egress: figure(report, 'Unprotected for egress'),
    both: figure(report, 'Unprotected both ways'),
    findings: figure(report, 'Findings'),
  }).toEqual(overview);
  expect(overview.ingress).toBeGreaterThan(0);

  // The unprotected pods are those the server's own analysis leaves open in some direction.
  const doc = (await (await fetch(`${server.url}/api/v1/snapshot?group=pod`)).json()) as AnalysisDocument;
  const open = doc.nodes.filter((n) => n.kind === 'pod' && (!n.isolation.ingress || !n.isolation.egress)).map((n) => n.id);
  expect(report.unprotected).toEqual([...open].sort());
  expect(report.namespaces).toBe(new Set(doc.nodes.filter((n) => n.kind === 'pod').map((n) => n.namespace)).size);

  // Every policy of every tier the simulated cluster holds is in the inventory.
  const store = server.sim!.store;
  const names = [
    ...store.list('networkpolicies').map((p) => `${(p.metadata as { namespace: string }).namespace}/${(p.metadata as { name: string }).name}`),
    ...store.list('adminnetworkpolicies').map((p) => (p.metadata as { name: string }).name),
    ...store.list('baselineadminnetworkpolicies').map((p) => (p.metadata as { name: string }).name),
  ];
  expect([...report.policies].sort()).toEqual(names.sort());

  expect(report.hash).toMatch(/^[0-9a-f]{64}$/);
  const again = await openReport(page);
  expect(again.hash).toBe(report.hash);
  expect(browser.errors).toEqual([]);
});

it('changes with the cluster and comes back to the same hash when the change is undone', async () => {
  const page = browser.page;
  const before = await openReport(page);
  server.sim!.store.create('networkpolicies', {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'report-deny-all', namespace: 'staging' },
    spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
  });
  await page.waitForFunction((h) => {
    const el = (globalThis as unknown as Win).document.querySelector('[data-testid="report-hash"]');
    return el !== null && el.textContent!.trim() !== h;
  }, before.hash);
  await page.locator('[data-report-ready="true"]').waitFor();
  const denied = await readReport(page);
  // staging's pods were open for egress; a deny-all closes them.
  expect(figure(denied, 'Unprotected for egress')).toBeLessThan(figure(before, 'Unprotected for egress'));
  expect(denied.unprotected.some((id) => id.startsWith('staging/'))).toBe(false);
  expect(denied.policies).toContain('staging/report-deny-all');

  server.sim!.store.delete('networkpolicies', 'staging', 'report-deny-all');
  await page.waitForFunction((h) => (globalThis as unknown as Win).document.querySelector('[data-testid="report-hash"]')?.textContent?.trim() === h, before.hash, { timeout: 10_000 });
  expect((await readReport(page)).figures).toEqual(before.figures);
});

it('traffic-map report prints a PDF whose pages render and carry the figures and the hash, and saves the HTML document', async () => {
  const shown = await openReport(browser.page);
  const pdf = join(dir, 'report.pdf');
  const errors: string[] = [];
  const io = { out: () => {}, err: (t: string) => errors.push(t) };
  expect(await runReport({ url: server.url, output: pdf, chromium: '/usr/bin/chromium', timeout: '60' }, io)).toBe(0);
  expect(readFileSync(pdf).subarray(0, 5).toString()).toBe('%PDF-');

  const { stdout: text } = await run('/usr/bin/pdftotext', [pdf, '-']);
  expect(text).toContain('Network isolation report');
  expect(text.replace(/\s+/g, '')).toContain(shown.hash);
  expect(text).toMatch(new RegExp(`Unprotected for ingress\\s+${shown.figures['Unprotected for ingress']}\\s`));
  for (const pod of shown.unprotected.slice(0, 5)) expect(text).toContain(pod);

  // Every page renders to a picture with something on it.
  await run('/usr/bin/pdftoppm', ['-png', '-r', '60', pdf, join(dir, 'page')]);
  const pages = readdirSync(dir).filter((f) => f.startsWith('page') && f.endsWith('.png'));
  expect(pages.length).toBeGreaterThanOrEqual(3);
  for (const p of pages) expect(statSync(join(dir, p)).size).toBeGreaterThan(3000);

  const html = join(dir, 'report.html');
  expect(await runReport({ url: server.url, output: html, chromium: '/usr/bin/chromium', timeout: '60' }, io)).toBe(0);
  const doc = readFileSync(html, 'utf8');
  expect(doc).toContain(`<meta name="content-sha256" content="${shown.hash}">`);
  expect(doc).not.toContain('<script');
  expect(existsSync(html)).toBe(true);
}, 120_000);

it('refuses an output that is neither .pdf nor .html, and says when the dashboard is not there', async () => {
  const errors: string[] = [];
  const io = { out: () => {}, err: (t: string) => errors.push(t) };
  expect(await runReport({ url: server.url, output: join(dir, 'report.txt'), chromium: '/usr/bin/chromium', timeout: '60' }, io)).toBe(2);
  expect(errors.join('')).toContain('--output must end in .pdf or .html');
  expect(await runReport({ url: 'http://127.0.0.1:9', output: join(dir, 'x.pdf'), chromium: '/usr/bin/chromium', timeout: '2' }, io)).toBe(3);
  expect(errors.join('')).toContain('was not ready');
}, 60_000);
