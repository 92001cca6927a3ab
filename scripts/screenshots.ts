// `npm run screenshots`: the dashboard on the simulated demo cluster, each view, light and dark,
// written to docs/ (shown in the README). Look at them before calling a view done.
import { mkdirSync } from 'node:fs';
import { serveConfig } from '../server/config.ts';
import { startServer } from '../server/main.ts';
import { openBrowser } from '../test/support/browser.ts';

const SHOTS: { name: string; query: string; ready: string; theme?: 'light' | 'dark' }[] = [
  { name: 'overview', query: '', ready: 'overview-pods-total' },
  { name: 'overview-dark', query: '', ready: 'overview-pods-total', theme: 'dark' },
  { name: 'matrix-namespace', query: '?tab=matrix', ready: 'view-matrix' },
  { name: 'matrix-workload', query: '?tab=matrix&level=workload', ready: 'view-matrix' },
  { name: 'matrix-pod-dark', query: '?tab=matrix&level=pod&ns=prod', ready: 'view-matrix', theme: 'dark' },
  { name: 'graph-workload', query: '?tab=graph&level=workload', ready: 'view-graph' },
  { name: 'graph-namespace', query: '?tab=graph', ready: 'view-graph' },
];

const only = process.argv.slice(2);
mkdirSync('docs', { recursive: true });
const server = await startServer(serveConfig({ port: 0, simulate: true }), { info: () => {} });
try {
  for (const shot of SHOTS.filter((s) => only.length === 0 || only.includes(s.name))) {
    const browser = await openBrowser({ width: 1440, height: 900, colorScheme: shot.theme ?? 'light' });
    try {
      await browser.page.goto(`${server.url}/${shot.query}`);
      await browser.page.getByTestId('status').filter({ hasText: 'live' }).waitFor({ timeout: 15_000 });
      await browser.page.getByTestId(shot.ready).waitFor();
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
