// Exports in a real browser against the real server on the simulated demo cluster: the files are
// downloaded, PNG and SVG show the view with the stamp, CSV rows are the view's cells (checked
// against a fresh socket.io snapshot), JSON is the server's analysis@1 document as served.
// The files are kept in $TM_EXPORT_DIR (default: a temp folder) to be looked at.
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Socket } from 'socket.io-client';
import { serveConfig } from '../../server/config.ts';
import { startServer, type RunningServer } from '../../server/main.ts';
import { allowedText, ANALYSIS_SCHEMA } from '../../shared/matrix/report.ts';
import { cellKey, cellOf, type ViewSpec, type ViewState } from '../../shared/protocol/view.ts';
import { parseCsv } from '../support/csv.ts';
import { openBrowser, type Browser } from '../support/browser.ts';
import { connect, openView } from '../support/view-client.ts';

let server: RunningServer;
let browser: Browser;
let socket: Socket;
const dir = process.env['TM_EXPORT_DIR'] ?? mkdtempSync(join(tmpdir(), 'tm-export-'));

beforeAll(async () => {
  mkdirSync(dir, { recursive: true });
  server = await startServer(serveConfig({ port: 0, simulate: true }), { info: () => {} });
  browser = await openBrowser({ width: 1440, height: 900 });
  socket = await connect(server.url);
}, 60_000);

afterAll(async () => {
  socket?.close();
  await browser?.close();
  await server?.stop();
});

async function open(page: Page, query: string, ready: string): Promise<void> {
  await page.goto(`${server.url}/${query}`);
  await page.getByTestId('status').filter({ hasText: 'live' }).waitFor({ timeout: 15_000 });
  await page.getByTestId(ready).waitFor();
  if (ready === 'view-graph') await page.locator('[data-testid=view-graph][data-ready=true]').waitFor();
}

async function download(page: Page, kind: 'png' | 'svg' | 'csv' | 'json', prefix = ''): Promise<{ name: string; path: string; bytes: Buffer }> {
  await page.getByTestId('export-menu-button').click();
  const [file] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), page.getByTestId(`export-${kind}`).click()]);
  const name = file.suggestedFilename();
  const path = join(dir, `${prefix}${name}`);
  await file.saveAs(path);
  return { name, path, bytes: readFileSync(path) };
}

/** A fresh state of the same view, over its own socket.io subscription. */
async function fresh(view: ViewSpec): Promise<ViewState> {
  const sub = await openView(socket, view);
  const state = sub.state!;
  sub.close();
  return state;
}

/** The browser's DOMParser, typed here (the Node test config has no DOM types). */
interface ParsedNode {
  textContent: string | null;
  getAttribute(name: string): string | null;
}
interface ParsedDocument {
  querySelector(q: string): ParsedNode | null;
  querySelectorAll(q: string): ArrayLike<ParsedNode> & Iterable<ParsedNode>;
}
type DomParser = new () => { parseFromString(text: string, type: string): ParsedDocument };

const NAME = /^traffic-map-(namespace|workload|pod)-\d{8}-\d{6}\.(png|svg|csv|json)$/;
const STATE_AT = /State at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z \(seq \d+\) · exported \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/;

it('graph: PNG and SVG of the view, stamped with the source, time, level and filters', async () => {
  const { page } = browser;
  await open(page, '?tab=graph&level=workload', 'view-graph');
  const source = (await page.getByTestId('status-source').textContent())!.trim();
  expect(source).toContain('simulated cluster "demo"');
  const shown = await page.$$eval('[data-testid=graph-svg] .node', (els) => els.map((e) => e.getAttribute('data-id')!));
  expect(shown.length).toBeGreaterThan(20);

  const png = await download(page, 'png', 'graph-');
  expect(png.name).toMatch(NAME);
  expect(png.name.startsWith('traffic-map-workload-')).toBe(true);
  expect([...png.bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  expect(png.bytes.length).toBeGreaterThan(50_000);
  const width = png.bytes.readUInt32BE(16);
  const height = png.bytes.readUInt32BE(20);
  expect(width).toBeGreaterThan(1500);
  expect(height).toBeGreaterThan(800);

  const svg = await download(page, 'svg', 'graph-');
  expect(svg.name).toMatch(NAME);
  const text = svg.bytes.toString('utf8');
  const escaped = source.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
  expect(text).toContain(`Source: ${escaped}`);
  expect(text).toMatch(STATE_AT);
  expect(text).toContain('Graph of allowed connections · workload level');
  expect(text).toContain('Filters: none');
  for (const label of ['checkout', 'postgres', 'coredns', 'prometheus-k8s', '0.0.0.0-9.255.255.255']) expect(text).toContain(`>${label}</text>`);
  // Exactly the nodes on screen, and a document a browser parses.
  const parsed = await page.evaluate((s) => {
    const Parser = (globalThis as unknown as { DOMParser: DomParser }).DOMParser;
    const doc = new Parser().parseFromString(s, 'image/svg+xml');
    return { error: doc.querySelector('parsererror')?.textContent ?? null, ids: [...doc.querySelectorAll('.node')].map((e) => e.getAttribute('data-id')!) };
  }, text);
  expect(parsed.error).toBeNull();
  expect(parsed.ids.sort()).toEqual([...shown].sort());
  expect(browser.errors).toEqual([]);
});

it('graph with a focus and filters: the stamp says so', async () => {
  const { page } = browser;
  await open(page, `?tab=graph&level=workload&ns=prod&focus=${encodeURIComponent('prod/checkout[Deployment]')}`, 'view-graph');
  await page.getByTestId('graph-focus').waitFor();
  const svg = await download(page, 'svg', 'focus-');
  const text = svg.bytes.toString('utf8');
  expect(text).toContain('Filters: namespaces prod · focus: prod/checkout[Deployment]');
  expect(text).toContain('data-dim="true"');
  expect(browser.errors).toEqual([]);
});

it('matrix: the SVG is the matrix of the view, from its state', async () => {
  const { page } = browser;
  await open(page, '?tab=matrix', 'view-matrix');
  const svg = await download(page, 'svg', 'matrix-');
  expect(svg.name).toMatch(/^traffic-map-namespace-\d{8}-\d{6}\.svg$/);
  const text = svg.bytes.toString('utf8');
  expect(text).toContain('Matrix of allowed connections · namespace level');
  expect(text).toMatch(STATE_AT);
  const state = await fresh({ level: 'namespace', namespaces: 'all' });
  const parsed = await page.evaluate((s) => {
    const Parser = (globalThis as unknown as { DOMParser: DomParser }).DOMParser;
    const doc = new Parser().parseFromString(s, 'image/svg+xml');
    return {
      error: doc.querySelector('parsererror')?.textContent ?? null,
      rows: [...doc.querySelectorAll('.row-label')].map((e) => e.getAttribute('data-id')!),
      cells: [...doc.querySelectorAll('rect.cell title')].map((e) => e.textContent!),
    };
  }, text);
  expect(parsed.error).toBeNull();
  expect(parsed.rows.sort()).toEqual([...state.nodes.keys()].sort());
  expect(parsed.cells).toHaveLength(state.cells.size);
  const png = await download(page, 'png', 'matrix-');
  expect([...png.bytes.subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
  expect(png.bytes.length).toBeGreaterThan(20_000);
  expect(browser.errors).toEqual([]);
});

it('CSV: one row per cell of the view, equal to a fresh snapshot of the same view (grouped and pod level)', async () => {
  const { page } = browser;
  for (const [query, view] of [
    ['?tab=graph&level=workload&ns=prod,staging', { level: 'workload', namespaces: ['prod', 'staging'] }],
    ['?tab=matrix&level=pod&ns=prod', { level: 'pod', namespaces: ['prod'] }],
  ] as [string, ViewSpec][]) {
    await open(page, query, query.includes('graph') ? 'view-graph' : 'view-matrix');
    const csv = await download(page, 'csv', `${view.level}-`);
    expect(csv.name).toMatch(NAME);
    const text = csv.bytes.toString('utf8');
    const comment = text.slice(0, text.indexOf('\n'));
    const [header, ...rows] = parseCsv(text.slice(comment.length + 1));
    expect(comment).toMatch(/^# Traffic Map view export; source: simulated cluster "demo" .*; level: (workload|pod); filters: namespaces (prod, staging|prod); state at \S+ \(seq \d+\); exported \S+$/);
    expect(header).toEqual(['from', 'to', 'ports', 'allowed_pairs', 'total_pairs']);
    const state = await fresh(view);
    const expected = new Map<string, string[]>();
    const nodes = [...state.nodes.values()];
    if (view.level === 'pod') {
      for (const a of nodes)
        for (const b of nodes) {
          if (a.id === b.id) continue;
          const c = cellOf(state, a, b) ?? (a.row !== undefined && b.col !== undefined && a.row >= 0 && b.col >= 0 ? state.keyCells.get(`${a.row}\t${b.col}`) : undefined);
          const ports = c === undefined ? undefined : typeof c === 'string' || Array.isArray(c) ? c : c.ports;
          if (ports !== undefined && (ports === 'all' || ports.length > 0)) expected.set(cellKey(a.id, b.id), [a.id, b.id, allowedText(ports), '1', '1']);
        }
    } else {
      for (const [key, c] of state.cells) expected.set(key, [...key.split('\t'), allowedText(c.ports), String(c.allowed), String(c.total)]);
    }
    expect(expected.size).toBeGreaterThan(5);
    expect(rows).toHaveLength(expected.size);
    for (const row of rows) expect(row, row.join(',')).toEqual(expected.get(cellKey(row[0]!, row[1]!)));
  }
  expect(browser.errors).toEqual([]);
});

it('JSON: the traffic-map/analysis@1 document as the server serves it; filters named in the file name', async () => {
  const { page } = browser;
  await open(page, '?tab=graph&level=workload', 'view-graph');
  const json = await download(page, 'json');
  expect(json.name).toMatch(/^traffic-map-workload-\d{8}-\d{6}\.json$/);
  const doc = JSON.parse(json.bytes.toString('utf8')) as { schema: string; options: { group: string }; nodes: unknown[]; connections: unknown[]; source: string; generatedAt: string };
  expect(json.bytes.toString('utf8')).toContain(`"schema":"${ANALYSIS_SCHEMA}"`);
  expect(doc.schema).toBe('traffic-map/analysis@1');
  expect(doc.options.group).toBe('workload');
  const served = (await (await fetch(`${server.url}/api/v1/snapshot?group=workload`)).json()) as typeof doc;
  expect({ ...doc, generatedAt: '' }).toEqual({ ...served, generatedAt: '' });

  await open(page, '?tab=graph&level=namespace&ns=prod&unprotected=1', 'view-graph');
  const filtered = await download(page, 'json');
  expect(filtered.name).toMatch(/^traffic-map-namespace-\d{8}-\d{6}-unfiltered-view-was-ns-prod_unprotected\.json$/);
  expect((JSON.parse(filtered.bytes.toString('utf8')) as typeof doc).schema).toBe(ANALYSIS_SCHEMA);
  expect(browser.errors).toEqual([]);
});

it('on the overview, pictures are disabled and data exports still work', async () => {
  const { page } = browser;
  await open(page, '', 'view-overview');
  await page.getByTestId('export-menu-button').click();
  expect(await page.getByTestId('export-png').isDisabled()).toBe(true);
  expect(await page.getByTestId('export-svg').isDisabled()).toBe(true);
  expect(await page.getByTestId('export-csv').isDisabled()).toBe(false);
  await page.keyboard.press('Escape');
  await expect.poll(() => page.getByTestId('export-png').count()).toBe(0);
  const csv = await download(page, 'csv');
  expect(csv.name).toMatch(/^traffic-map-namespace-/);
  expect(browser.errors).toEqual([]);
});
