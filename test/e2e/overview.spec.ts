// The posture overview in a real browser against the real server on the simulated demo cluster:
// its numbers equal the CLI's analysis of the same objects, a kubectl change reaches it live, and
// unknown policies are shown as unknown.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { serveConfig } from '../../server/config.ts';
import { startServer, type RunningServer } from '../../server/main.ts';
import type { AnalysisDocument } from '../../shared/matrix/report.ts';
import { openBrowser, type Browser } from '../support/browser.ts';

const run = promisify(execFile);

// The DOM, as far as the page functions below use it (the Node tsconfig has no DOM types).
interface El {
  tagName: string;
  textContent: string | null;
  getAttribute(name: string): string | null;
}
interface Doc {
  querySelector(selector: string): El | null;
  querySelectorAll(selector: string): Iterable<El>;
}
type Win = { document: Doc; marker?: string };
let server: RunningServer;
let browser: Browser;
let dir: string;
let dumps = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tm-overview-'));
  server = await startServer(serveConfig({ port: 0, simulate: true }), { info: () => {} });
  browser = await openBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await run('/usr/bin/kubectl', ['--kubeconfig', server.simKubeconfig!, '--cache-dir', join(dir, 'kube-cache'), ...args], { timeout: 20_000 });
  return stdout;
}

/**
 * The simulated cluster's objects as `kubectl get -o json` lists, analyzed by the CLI at pod level:
 * namespaces, pods, NetworkPolicies, and any other resource the server reports watching (the sim
 * also holds admin policies, which count only once the live server reads them).
 */
async function analyzeSimObjects(): Promise<AnalysisDocument> {
  const out = join(dir, `dump-${++dumps}`);
  mkdirSync(out);
  const snapshot = (await (await fetch(`${server.url}/api/v1/snapshot?group=namespace`)).json()) as { status: Record<string, unknown> };
  const watched = new Set<string>(['namespaces', 'pods', 'networkpolicies', ...Object.keys(snapshot.status)]);
  for (const resource of ['namespaces', 'pods', 'networkpolicies', 'adminnetworkpolicies', 'baselineadminnetworkpolicies'] as const) {
    if (!watched.has(resource)) continue;
    writeFileSync(join(out, `${resource}.json`), JSON.stringify({ apiVersion: 'v1', kind: 'List', items: server.sim!.store.list(resource) }));
  }
  const { stdout } = await run(process.execPath, ['bin/traffic-map.js', 'analyze', out, '--group', 'pod', '--format', 'json'], { timeout: 60_000, maxBuffer: 64 << 20 });
  return JSON.parse(stdout) as AnalysisDocument;
}

interface Expected {
  total: number;
  ingress: number;
  egress: number;
  both: number;
  namespacesWithoutDefaultDeny: number;
  findings: number;
  perNamespace: Map<string, { pods: number; ingress: number; egress: number }>;
  /** By pod id: other pods and external ranges it reaches / that reach it. */
  out: Map<string, { pods: number; externals: number }>;
  in: Map<string, { pods: number; externals: number }>;
}

/** What the overview must show, computed independently from the CLI's document. */
function expectedFrom(doc: AnalysisDocument): Expected {
  const pods = doc.nodes.filter((n) => n.kind === 'pod');
  const isPod = new Set(pods.map((p) => p.id));
  const perNamespace = new Map<string, { pods: number; ingress: number; egress: number }>();
  let ingress = 0;
  let egress = 0;
  let both = 0;
  const out = new Map(pods.map((p) => [p.id, { pods: 0, externals: 0 }]));
  const inward = new Map(pods.map((p) => [p.id, { pods: 0, externals: 0 }]));
  for (const p of pods) {
    const ns = perNamespace.get(p.namespace) ?? { pods: 0, ingress: 0, egress: 0 };
    ns.pods++;
    if (!p.isolation.ingress) {
      ingress++;
      ns.ingress++;
    }
    if (!p.isolation.egress) {
      egress++;
      ns.egress++;
    }
    if (!p.isolation.ingress && !p.isolation.egress) both++;
    perNamespace.set(p.namespace, ns);
  }
  for (const c of doc.connections) {
    if (isPod.has(c.from)) out.get(c.from)![isPod.has(c.to) ? 'pods' : 'externals']++;
    if (isPod.has(c.to)) inward.get(c.to)![isPod.has(c.from) ? 'pods' : 'externals']++;
  }
  const withoutDeny = new Set(doc.findings.filter((f) => f.kind === 'namespace-without-default-deny').map((f) => f.subject));
  return { total: pods.length, ingress, egress, both, namespacesWithoutDefaultDeny: withoutDeny.size, findings: doc.findings.length, perNamespace, out, in: inward };
}

interface Shown {
  total: number;
  ingress: number;
  egress: number;
  both: number;
  unknown: number;
  namespacesWithoutDefaultDeny: number;
  findings: number;
  namespaces: Record<string, { pods: string; ingress: string; egress: string }>;
  blast: { pod: string; pods: number; externals: number }[];
  exposed: { pod: string; pods: number; externals: number }[];
}

/** Everything the overview shows, read through the stable test ids (text and data-value must agree). */
async function shown(page: Page): Promise<Shown> {
  return page.evaluate(() => {
    const document = (globalThis as unknown as Win).document;
    const num = (id: string) => {
      const el = document.querySelector(`[data-testid="${id}"]`);
      if (!el) throw new Error(`no ${id}`);
      if (el.textContent!.trim() !== el.getAttribute('data-value')) throw new Error(`${id}: text ${el.textContent} != data-value ${el.getAttribute('data-value')}`);
      return Number(el.getAttribute('data-value'));
    };
    const value = (id: string) => document.querySelector(`[data-testid="${id}"]`)?.getAttribute('data-value') ?? 'missing';
    const namespaces: Record<string, { pods: string; ingress: string; egress: string }> = {};
    for (const row of document.querySelectorAll('[data-testid^="overview-ns-"]')) {
      const m = /^overview-ns-([a-z0-9-]+)$/.exec(row.getAttribute('data-testid')!);
      if (!m || row.tagName !== 'TR') continue;
      const ns = m[1]!;
      namespaces[ns] = { pods: value(`overview-ns-${ns}-pods`), ingress: value(`overview-ns-${ns}-unprotected-ingress`), egress: value(`overview-ns-${ns}-unprotected-egress`) };
    }
    const list = (id: string) =>
      [...document.querySelectorAll(`[data-testid="${id}-item"]`)].map((li) => ({
        pod: li.getAttribute('data-pod')!,
        pods: Number(li.getAttribute('data-value')),
        externals: Number(li.getAttribute('data-externals')),
      }));
    return {
      total: num('overview-pods-total'),
      ingress: num('overview-unprotected-ingress'),
      egress: num('overview-unprotected-egress'),
      both: num('overview-unprotected-both'),
      unknown: num('overview-unknown'),
      namespacesWithoutDefaultDeny: num('overview-namespaces-without-default-deny'),
      findings: num('overview-findings-count'),
      namespaces,
      blast: list('overview-blast-radius'),
      exposed: list('overview-exposed'),
    };
  });
}

/** The overview agrees with the CLI on every number it shows. */
function compare(s: Shown, e: Expected): void {
  expect({ total: s.total, ingress: s.ingress, egress: s.egress, both: s.both, unknown: s.unknown }).toEqual({ total: e.total, ingress: e.ingress, egress: e.egress, both: e.both, unknown: 0 });
  expect(s.namespacesWithoutDefaultDeny).toBe(e.namespacesWithoutDefaultDeny);
  expect(s.findings).toBe(e.findings);
  expect(Object.keys(s.namespaces).sort()).toEqual([...e.perNamespace.keys()].sort());
  for (const [ns, x] of e.perNamespace) expect(s.namespaces[ns], ns).toEqual({ pods: String(x.pods), ingress: String(x.ingress), egress: String(x.egress) });
  // Top 10 by reach: each listed pod's numbers are the CLI's, and nothing unlisted reaches further.
  for (const [list, reach] of [
    [s.blast, e.out],
    [s.exposed, e.in],
  ] as const) {
    expect(list).toHaveLength(Math.min(10, e.total));
    for (const item of list) expect({ pod: item.pod, pods: item.pods, externals: item.externals }).toEqual({ pod: item.pod, ...reach.get(item.pod)! });
    const sorted = [...reach.values()].map((r) => r.pods).sort((a, b) => b - a);
    expect(list.map((i) => i.pods)).toEqual(sorted.slice(0, list.length));
  }
}

const waitForOverview = async (page: Page) => {
  await page.getByTestId('status').filter({ hasText: 'live' }).waitFor({ timeout: 15_000 });
  await page.getByTestId('overview-pods-total').waitFor({ timeout: 15_000 });
};

it('shows the same numbers as `traffic-map analyze` on the same objects', async () => {
  const { page } = browser;
  await page.goto(server.url);
  await waitForOverview(page);
  const expected = expectedFrom(await analyzeSimObjects());
  // The demo's known mistakes are there: staging unprotected for egress (for ingress, the
  // BaselineAdminNetworkPolicy's Deny rule isolates it), four namespaces without default deny.
  expect(expected.perNamespace.get('staging')!.egress).toBeGreaterThan(0);
  expect(expected.perNamespace.get('kube-system')!.ingress).toBeGreaterThan(0);
  expect(expected.namespacesWithoutDefaultDeny).toBe(4);
  compare(await shown(page), expected);
  expect(await page.getByTestId('overview-connection').getAttribute('data-state')).toBe('Live');
}, 90_000);

it('follows a default deny applied with kubectl within 2 s, without a reload', async () => {
  const { page } = browser;
  await page.evaluate(() => ((globalThis as unknown as Win).marker = 'no reload'));
  const before = await shown(page);
  expect(Number(before.namespaces['staging']!.egress)).toBeGreaterThan(0);
  const file = join(dir, 'deny.yaml');
  writeFileSync(
    file,
    ['apiVersion: networking.k8s.io/v1', 'kind: NetworkPolicy', 'metadata: { name: default-deny, namespace: staging }', 'spec:', '  podSelector: {}', '  policyTypes: [Ingress, Egress]', ''].join('\n'),
  );
  await kubectl('apply', '-f', file);
  const applied = performance.now();
  await page.waitForFunction(
    () => {
      const v = (id: string) => (globalThis as unknown as Win).document.querySelector(`[data-testid="${id}"]`)?.getAttribute('data-value');
      return v('overview-ns-staging-unprotected-ingress') === '0' && v('overview-ns-staging-unprotected-egress') === '0';
    },
    undefined,
    { timeout: 2000, polling: 20 },
  );
  expect(performance.now() - applied).toBeLessThan(2000);
  expect(await page.evaluate(() => (globalThis as unknown as Win).marker)).toBe('no reload');
  const after = await shown(page);
  expect(after.ingress).toBe(before.ingress - Number(before.namespaces['staging']!.ingress));
  expect(after.egress).toBe(before.egress - Number(before.namespaces['staging']!.egress));
  expect(after.namespacesWithoutDefaultDeny).toBe(before.namespacesWithoutDefaultDeny - 1);
  // And the whole page still agrees with the CLI on the changed objects.
  compare(after, expectedFrom(await analyzeSimObjects()));
}, 90_000);

it('opens a namespace in the detail panel and in the workload matrix', async () => {
  const { page } = browser;
  await page.getByTestId('overview-ns-prod').getByRole('button', { name: 'prod', exact: true }).click();
  expect(new URL(page.url()).searchParams.get('focus')).toBe('prod');
  // Sorting by name puts ci first, and the header says so.
  await page.getByTestId('overview-ns-sort-name').click();
  expect(await page.locator('tbody tr').first().getAttribute('data-testid')).toBe('overview-ns-ci');
  expect(await page.locator('th[aria-sort="ascending"]').count()).toBe(1);
  await page.getByTestId('overview-ns-staging-matrix').click();
  const q = new URL(page.url()).searchParams;
  expect([q.get('tab'), q.get('ns'), q.get('level')]).toEqual(['matrix', 'staging', 'workload']);
  await page.getByTestId('tab-overview').click();
  await page.getByTestId('overview-pods-total').waitFor();
  // The overview keeps the URL's namespace filter, and says so.
  await page.getByTestId('overview-scope').waitFor();
  expect(Object.keys((await shown(page)).namespaces)).toEqual(['staging']);
  await page.getByTestId('overview-clear-scope').click();
  await page.getByTestId('overview-ns-prod').waitFor();
});

it('shows pods whose policies are unknown as unknown, never as open or protected', async () => {
  const { page } = browser;
  const sim = server.sim!;
  const rule = sim.faults.forbid('networkpolicies');
  sim.faults.dropWatches('networkpolicies');
  try {
    await page.waitForFunction(
      () => {
        const v = (id: string) => (globalThis as unknown as Win).document.querySelector(`[data-testid="${id}"]`)?.getAttribute('data-value');
        return v('overview-unknown') !== '0' && v('overview-unknown') === v('overview-pods-total');
      },
      undefined,
      { timeout: 20_000 },
    );
    const s = await shown(page);
    expect({ ingress: s.ingress, egress: s.egress, both: s.both }).toEqual({ ingress: 0, egress: 0, both: 0 });
    expect(s.namespaces['staging']).toMatchObject({ ingress: 'unknown', egress: 'unknown' });
    expect(await page.getByTestId('overview-ns-staging-default-deny-ingress').getAttribute('data-value')).toBe('null');
    expect(s.blast).toEqual([]);
    expect(await page.getByTestId('overview-sync-networkpolicies').getAttribute('data-state')).toBe('forbidden');
    expect(await page.getByTestId('overview-unknown-areas').textContent()).toContain('every namespace');
  } finally {
    sim.faults.clear(rule);
  }
  await page.waitForFunction(() => (globalThis as unknown as Win).document.querySelector('[data-testid="overview-unknown"]')?.getAttribute('data-value') === '0', undefined, {
    timeout: 20_000,
  });
  compare(await shown(page), expectedFrom(await analyzeSimObjects()));
}, 60_000);

it('logged no console errors', () => {
  expect(browser.errors).toEqual([]);
});
