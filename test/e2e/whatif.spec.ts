// The What-if tab in a real browser against the real server on the simulated demo cluster: a
// pasted default deny, and a policy marked deleted, show exactly the connections `traffic-map diff`
// finds between the sim's objects and the same objects with the change (its JSON output); a broken
// document is reported with its document, object and field while the rest is still previewed; the
// draft downloads as YAML; the cluster gets no write request; the page logs no error.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { main } from '../../server/cli/main.ts';
import { serveConfig } from '../../server/config.ts';
import { startServer, type RunningServer } from '../../server/main.ts';
import type { SimResource } from '../../server/sim/resources.ts';
import type { DiffDocument } from '../../shared/diff/document.ts';
import type { WhatIfObjects } from '../../shared/protocol/events.ts';
import { request } from '../../shared/protocol/subscription.ts';
import { parseManifestText } from '../../shared/kube/yaml.ts';
import { openBrowser, type Browser } from '../support/browser.ts';
import { connect } from '../support/view-client.ts';

type Json = Record<string, unknown>;

let server: RunningServer;
let browser: Browser;
let dir: string;
/** URLs the page got an HTTP error for. */
const failed: string[] = [];

const RESOURCES: SimResource[] = ['namespaces', 'pods', 'networkpolicies', 'adminnetworkpolicies', 'baselineadminnetworkpolicies'];

const DENY_STAGING = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: whatif-default-deny
  namespace: staging
spec:
  podSelector: {}
  policyTypes: [Ingress]
`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tm-whatif-e2e-'));
  server = await startServer(serveConfig({ port: 0, simulate: true }, { TRAFFIC_MAP_HISTORY: 'off' }), { info: () => {} });
  // The engine has every object of the sim (nothing changes afterwards: no churn).
  const pods = server.sim!.store.list('pods').length;
  const deadline = Date.now() + 30_000;
  while (server.engine.unknown === 'all' || server.engine.unknown.size > 0 || server.engine.analysis.cluster.pods.length !== pods) {
    if (Date.now() > deadline) throw new Error('the engine did not sync with the simulated cluster');
    await new Promise((r) => setTimeout(r, 50));
  }
  browser = await openBrowser({ width: 1440, height: 1000 });
  browser.page.on('response', (r) => {
    if (r.status() >= 400) failed.push(new URL(r.url()).pathname);
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The sim's objects as manifest files in a new folder, less the objects `drop` names, plus extra files. */
function writeFolder(name: string, drop: (o: Json) => boolean = () => false, extra: Record<string, string> = {}): string {
  const folder = join(dir, name);
  mkdirSync(folder);
  for (const r of RESOURCES) {
    const items = server.sim!.store.list(r).filter((o) => !drop(o as Json));
    writeFileSync(join(folder, `${r}.json`), JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
  }
  for (const [file, text] of Object.entries(extra)) writeFileSync(join(folder, file), text);
  return folder;
}

async function cliDiff(before: string, after: string): Promise<DiffDocument> {
  let stdout = '';
  let stderr = '';
  await main(['diff', before, after, '--output', 'json'], { out: (t) => (stdout += t), err: (t) => (stderr += t) });
  expect(stderr).toBe('');
  return JSON.parse(stdout) as DiffDocument;
}

interface Shown {
  change: string;
  from: string;
  to: string;
  gained: unknown;
  lost: unknown;
}

async function openWhatIf(page: Page): Promise<void> {
  await page.goto(`${server.url}/?tab=whatif`);
  await page.getByTestId('view-whatif').waitFor();
  // Connected, and the deletion list has the cluster's policies.
  await page.locator('[data-testid="whatif-deletion"]').first().waitFor({ timeout: 30_000 });
}

/** Runs the preview and reads every listed connection (all of them, past the first hundred). */
async function preview(page: Page): Promise<{ summary: string; connections: Shown[] }> {
  const before = await page.getByTestId('whatif-summary').count() > 0 ? await page.getByTestId('whatif-against').textContent() : null;
  await page.getByTestId('whatif-preview').click();
  await page.locator('[data-testid="whatif-result"][aria-busy="false"] [data-testid="whatif-summary"]').waitFor({ timeout: 60_000 });
  if (before !== null) await expect.poll(() => page.getByTestId('whatif-outdated').count()).toBe(0);
  for (const more of await page.locator('[data-testid="diff-list"] button.more').all()) await more.click();
  const connections = await page.locator('[data-testid="diff-connection"]').evaluateAll((rows) =>
    rows.map((r) => ({
      change: r.getAttribute('data-change')!,
      from: r.getAttribute('data-from')!,
      to: r.getAttribute('data-to')!,
      gained: JSON.parse(r.getAttribute('data-gained')!) as unknown,
      lost: JSON.parse(r.getAttribute('data-lost')!) as unknown,
    })),
  );
  return { summary: (await page.getByTestId('whatif-summary').textContent())!.trim(), connections };
}

const expected = (doc: DiffDocument): Shown[] => doc.connections.map((c) => ({ change: c.change, from: c.from, to: c.to, gained: c.gained, lost: c.lost }));
const byKey = (list: Shown[]) => [...list].sort((a, b) => `${a.change} ${a.from} ${a.to}`.localeCompare(`${b.change} ${b.from} ${b.to}`));

it('a pasted default deny lists exactly the connections `traffic-map diff` says are lost', async () => {
  const { page } = browser;
  await openWhatIf(page);
  await page.getByTestId('whatif-paste').fill(DENY_STAGING);
  const shown = await preview(page);

  const doc = await cliDiff(writeFolder('base-1'), writeFolder('deny', undefined, { 'draft.yaml': DENY_STAGING }));
  expect(doc.summary.connections.lost).toBeGreaterThan(0);
  expect(doc.summary.connections.gained).toBe(0);
  expect(byKey(shown.connections)).toEqual(byKey(expected(doc)));
  // Only ingress to staging is denied now (the admin tier still lets monitoring scrape: ports changed, not lost).
  expect(shown.connections.every((c) => c.change !== 'gained' && c.to.startsWith('staging/') && JSON.stringify(c.gained) === '[]')).toBe(true);
  expect(shown.summary).toContain(`−${doc.summary.connections.lost} connections`);
  // Computed in the Web Worker: the page's CSP lets it start.
  expect(await page.getByTestId('whatif-result').getAttribute('data-mode')).toBe('worker');
  await expect.poll(() => page.locator('[data-testid="diff-policy"]').evaluateAll((rows) => rows.map((r) => `${r.getAttribute('data-change')} ${r.getAttribute('data-id')}`))).toEqual([
    'added staging/whatif-default-deny',
  ]);

  // The page, as a person sees it (looked at while writing this test).
  await page.screenshot({ path: '/tmp/whatif.png', fullPage: true });
});

it('the draft downloads as YAML: the previewed policy, and the deletions as kubectl commands', async () => {
  const { page } = browser;
  await page.getByTestId('whatif-delete-prod/allow-dns').check();
  await preview(page);
  const [file] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), page.getByTestId('whatif-download').click()]);
  expect(file.suggestedFilename()).toMatch(/^traffic-map-whatif-\d{8}-\d{6}\.yaml$/);
  const path = join(dir, 'draft-download.yaml');
  await file.saveAs(path);
  const text = readFileSync(path, 'utf8');
  const parsed = parseManifestText(text, path);
  expect(parsed.diagnostics).toEqual([]);
  expect(parsed.objects.map((o) => o.object)).toEqual(parseManifestText(DENY_STAGING, 'draft').objects.map((o) => o.object));
  expect(text).toContain('#   kubectl delete networkpolicy -n prod allow-dns\n');
  expect(text).toContain('nothing here was applied to the cluster');
  await page.getByTestId('whatif-clear').click();
});

it('a policy marked deleted lists exactly the connections `traffic-map diff` says are gained', async () => {
  const { page } = browser;
  await openWhatIf(page);
  await page.getByTestId('whatif-delete-ci/runner-egress').check();
  const shown = await preview(page);

  const isRunnerEgress = (o: Json) => o['kind'] === 'NetworkPolicy' && (o['metadata'] as Json)['namespace'] === 'ci' && (o['metadata'] as Json)['name'] === 'runner-egress';
  const doc = await cliDiff(writeFolder('base-2'), writeFolder('deleted', isRunnerEgress));
  expect(doc.summary.connections.gained).toBeGreaterThan(0);
  expect(byKey(shown.connections)).toEqual(byKey(expected(doc)));
  expect(shown.connections.filter((c) => c.change === 'gained').length).toBe(doc.summary.connections.gained);
  expect(await page.locator('[data-testid="diff-policy"][data-change="deleted"]').getAttribute('data-id')).toBe('ci/runner-egress');
  expect(doc.summary.podsBecameUnprotected).toEqual({ ingress: 1, egress: 1 });
  expect(shown.summary).toContain('1 pod becomes unprotected for ingress, 1 pod becomes unprotected for egress');
  await page.getByTestId('whatif-clear').click();
});

it('a broken document is reported with its document, object and field; the rest is still previewed', async () => {
  const { page } = browser;
  await openWhatIf(page);
  const badPort = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: bad-port, namespace: prod }
spec:
  podSelector: {}
  ingress: [{ ports: [{ port: 5432, endPort: 5000 }] }]
`;
  await page.getByTestId('whatif-paste').fill(['kind: NetworkPolicy\nmetadata: { name: [broken\n', badPort, DENY_STAGING].join('---\n'));
  const shown = await preview(page);

  const issues = await page.locator('[data-testid="whatif-issue"]').allTextContents();
  expect(issues).toHaveLength(2);
  expect(issues[0]).toContain('pasted YAML');
  expect(issues[0]).toContain('YAML (document 1)');
  expect(issues[1]).toContain('pasted YAML, document 2');
  expect(issues[1]).toContain('NetworkPolicy prod/bad-port');
  expect(issues[1]).toContain('spec.ingress[0].ports[0].endPort');
  // The valid default deny is previewed: the same connections as the CLI finds for it alone.
  const doc = await cliDiff(writeFolder('base-3'), writeFolder('deny-3', undefined, { 'draft.yaml': DENY_STAGING }));
  expect(byKey(shown.connections)).toEqual(byKey(expected(doc)));
  await page.getByTestId('whatif-clear').click();
});

it('`whatif:objects` hands out the engine’s model objects only, and takes no arguments', async () => {
  const socket = await connect(server.url);
  try {
    const answer = await request<WhatIfObjects>(socket, 'whatif:objects', {});
    expect(answer.seq).toBe(server.engine.seq);
    expect(answer.unknown).toEqual([]);
    expect(Object.keys(answer.objects).sort()).toEqual(['adminPolicies', 'baselineAdminPolicy', 'namespaces', 'pods', 'policies', 'workloads']);
    expect(answer.objects).toEqual(JSON.parse(JSON.stringify(server.engine.analysis.cluster)));
    // No raw API object: no metadata, no managedFields, no Secret.
    const text = JSON.stringify(answer);
    for (const raw of ['"metadata"', 'managedFields', '"Secret"']) expect(text).not.toContain(raw);
    await expect(request(socket, 'whatif:objects', { at: '2025-01-01T00:00:00Z' })).rejects.toThrow(/bad-request/);
  } finally {
    socket.close();
  }
});

it('nothing was written to the cluster, no Secret was read, and the page logged no error', () => {
  const requests = server.sim!.requests.entries();
  expect(requests.length).toBeGreaterThan(0);
  expect(requests.filter((r) => r.method !== 'GET')).toEqual([]);
  expect(requests.filter((r) => r.path.includes('secrets'))).toEqual([]);
  // The time-travel bar asks for the history's timeline, which this server (history off) answers
  // 404: Chromium logs each as "Failed to load resource". Any other error is the page's.
  const history = failed.filter((path) => path.startsWith('/api/v1/history/'));
  expect(failed.filter((path) => !path.startsWith('/api/v1/history/'))).toEqual([]);
  expect(browser.errors.filter((e) => !(history.length > 0 && e.startsWith('Failed to load resource: the server responded with a status of 404')))).toEqual([]);
  expect(browser.errors.length).toBeLessThanOrEqual(history.length);
});
