// `npm run screenshots`: the dashboard on the simulated demo cluster, each view, light and dark,
// written to docs/ (shown in the README). Look at them before calling a view done.
import { mkdirSync } from 'node:fs';
import { serveConfig } from '../server/config.ts';
import { startServer } from '../server/main.ts';
import { openBrowser } from '../test/support/browser.ts';

type Page = Awaited<ReturnType<typeof openBrowser>>['page'];

interface Shot {
  name: string;
  query: string;
  ready: string;
  theme?: 'light' | 'dark';
  /** After the view is ready: what to do before the picture (open a panel, fill a draft). */
  act?: (page: Page) => Promise<void>;
  /** Then scroll the page until this test id is in view (its bottom at the window's). */
  scrollTo?: string;
  height?: number;
}

/** A draft for the what-if picture: staging gets a default deny. */
const DENY_STAGING = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny
  namespace: staging
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
`;

/** Opens "What changed since" and waits for the view's highlight. */
async function compareSince(page: Page): Promise<void> {
  await page.getByTestId('tt-compare').click();
  await page.locator('[data-testid="diff-highlight"][data-state="shown"]').waitFor({ timeout: 30_000 });
}

const SHOTS: Shot[] = [
  { name: 'overview', query: '', ready: 'overview-pods-total' },
  { name: 'overview-dark', query: '', ready: 'overview-pods-total', theme: 'dark' },
  { name: 'matrix-namespace', query: '?tab=matrix', ready: 'view-matrix' },
  { name: 'matrix-workload', query: '?tab=matrix&level=workload', ready: 'view-matrix' },
  { name: 'matrix-pod-dark', query: '?tab=matrix&level=pod&ns=prod', ready: 'view-matrix', theme: 'dark' },
  { name: 'graph-workload', query: '?tab=graph&level=workload', ready: 'view-graph' },
  { name: 'graph-namespace', query: '?tab=graph', ready: 'view-graph' },
  // The incident review: `{at}` is an instant before the change the script makes (see below).
  {
    name: 'timetravel',
    query: '?at={at}',
    ready: 'tt-banner',
    act: async (page) => {
      await page.getByTestId('tt-compare').click();
      await page.getByTestId('time-diff-summary').waitFor();
    },
    height: 1100,
  },
  // The same changes highlighted on the matrix and the graph (a comparison stays open across tabs).
  { name: 'timetravel-matrix', query: '?tab=matrix&level=workload&at={at}', ready: 'tt-banner', act: compareSince, scrollTo: 'view-matrix', height: 1000 },
  { name: 'timetravel-graph', query: '?tab=graph&level=workload&at={at}', ready: 'tt-banner', act: compareSince, scrollTo: 'view-graph', height: 1000 },
  { name: 'report', query: '?tab=report', ready: 'report', act: (page) => page.locator('[data-report-ready="true"]').waitFor({ timeout: 30_000 }) },
  {
    name: 'whatif',
    query: '?tab=whatif',
    ready: 'view-whatif',
    act: async (page) => {
      await page.getByTestId('whatif-paste').fill(DENY_STAGING);
      await page.getByTestId('whatif-preview').click();
      await page.locator('[data-testid="whatif-result"][aria-busy="false"] [data-testid="whatif-summary"]').waitFor({ timeout: 60_000 });
    },
    height: 1100,
  },
];

const only = process.argv.slice(2);
mkdirSync('docs', { recursive: true });
const server = await startServer(serveConfig({ port: 0, simulate: true }), { info: () => {} });
// The incident: a few seconds into the run a bad deploy deletes prod's default deny and its
// catalog policy, opens prod's frontend egress to everything and deletes ci's runner policy, while
// staging gets a default deny. The time-travel pictures look at the cluster just before, and at
// what changed.
await new Promise((r) => setTimeout(r, 6000));
const before = new Date().toISOString();
await new Promise((r) => setTimeout(r, 500));
const store = server.sim!.store;
for (const name of store.list('networkpolicies', 'prod').map((p) => (p.metadata as { name: string }).name)) {
  if (name.includes('default-deny') || name.includes('catalog')) store.delete('networkpolicies', 'prod', name);
}
store.patch('networkpolicies', 'prod', 'frontend-egress', 'application/merge-patch+json', { spec: { egress: [{}] } });
store.delete('networkpolicies', 'ci', 'runner-egress');
store.create('networkpolicies', {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'default-deny', namespace: 'staging' },
  spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
});
await new Promise((r) => setTimeout(r, 6000));
try {
  for (const shot of SHOTS.filter((s) => only.length === 0 || only.includes(s.name))) {
    const browser = await openBrowser({ width: 1440, height: shot.height ?? 900, colorScheme: shot.theme ?? 'light' });
    try {
      await browser.page.goto(`${server.url}/${shot.query.replace('{at}', encodeURIComponent(before))}`);
      await browser.page.getByTestId('status').filter({ hasText: 'live' }).waitFor({ timeout: 15_000 });
      await browser.page.getByTestId(shot.ready).waitFor();
      await shot.act?.(browser.page);
      if (shot.scrollTo) await browser.page.getByTestId(shot.scrollTo).evaluate((el) => el.scrollIntoView({ block: 'end' }));
      await browser.page.waitForTimeout(800);
      await browser.page.screenshot({ path: `docs/${shot.name}.png` });
      console.log(`docs/${shot.name}.png${browser.errors.length ? `  (console errors: ${browser.errors.join(' | ')})` : ''}`);
    } finally {
      await browser.close();
    }
  }
} finally {
  await server.stop();
}
