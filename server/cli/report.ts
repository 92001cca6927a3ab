// `traffic-map report`: the dashboard's compliance report of a running Traffic Map, saved as PDF
// (printed by headless Chromium) or as the standalone HTML document. The dashboard builds the
// report; this command opens its Report tab with the chosen scope, waits until it is complete,
// and prints or downloads it, so the file says exactly what the dashboard says.
import { writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_CHROMIUM, launchChromium } from './chromium.ts';
import { EXIT, type Output } from './common.ts';

export interface ReportOptions {
  url: string;
  token?: string;
  namespace?: string[];
  labels?: string;
  /** A past instant (ISO): the report of the cluster as it was then, from the server's history. */
  at?: string;
  output: string;
  chromium: string;
  timeout: string;
}

/** The dashboard address that shows the report of this scope (the token goes in the fragment, never to the server's logs). */
export function reportPageUrl(options: Pick<ReportOptions, 'url' | 'token' | 'namespace' | 'labels' | 'at'>): string {
  const url = new URL(options.url);
  url.search = '';
  url.searchParams.set('tab', 'report');
  if (options.namespace && options.namespace.length > 0) url.searchParams.set('ns', [...options.namespace].sort().join(','));
  if (options.labels) url.searchParams.set('labels', options.labels);
  if (options.at) url.searchParams.set('at', new Date(options.at).toISOString());
  url.hash = options.token ? `token=${encodeURIComponent(options.token)}` : '';
  return url.toString();
}

export async function runReport(options: ReportOptions, io: Output): Promise<number> {
  const kind = extname(options.output).toLowerCase();
  if (kind !== '.pdf' && kind !== '.html') {
    io.err(`error: --output must end in .pdf or .html, got "${options.output}"\n`);
    return EXIT.inputErrors;
  }
  if (options.at !== undefined && !Number.isFinite(Date.parse(options.at))) {
    io.err(`error: --at must be an ISO 8601 time (2026-11-26T02:14:00Z), got "${options.at}"\n`);
    return EXIT.inputErrors;
  }
  const timeoutMs = Number(options.timeout) * 1000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    io.err(`error: --timeout must be a number of seconds, got "${options.timeout}"\n`);
    return EXIT.inputErrors;
  }
  let browser;
  try {
    browser = await launchChromium({ executablePath: options.chromium, width: 1200, height: 900 });
  } catch (e) {
    io.err(`error: could not start Chromium at ${options.chromium} (--chromium or CHROMIUM_PATH): ${(e as Error).message.split('\n')[0]}\n`);
    return EXIT.inputErrors;
  }
  try {
    const page = browser.context.pages()[0] ?? (await browser.context.newPage());
    const target = reportPageUrl(options);
    try {
      await page.goto(target, { timeout: timeoutMs });
      await page.locator('[data-report-ready="true"]').waitFor({ timeout: timeoutMs });
    } catch (e) {
      const shown = (await page.locator('.app').textContent().catch(() => null))?.slice(0, 200);
      io.err(`error: the report at ${options.url} was not ready within ${options.timeout} s (${(e as Error).message.split('\n')[0]})${shown ? `; the page shows: ${shown}` : ''}\n`);
      return EXIT.clusterUnavailable;
    }
    const hash = (await page.locator('[data-testid="report-hash"]').textContent())?.trim() ?? '';
    if (kind === '.pdf') {
      await page.emulateMedia({ media: 'print' });
      const pdf = await page.pdf({
        format: 'A4',
        printBackground: true,
        displayHeaderFooter: true,
        headerTemplate: '<span></span>',
        footerTemplate: `<div style="font-size:8px;width:100%;padding:0 12mm;color:#57606a;display:flex;justify-content:space-between"><span>Traffic Map report · SHA-256 ${hash.slice(0, 16)}…</span><span><span class="pageNumber"></span> / <span class="totalPages"></span></span></div>`,
        margin: { top: '14mm', bottom: '16mm', left: '12mm', right: '12mm' },
      });
      writeFileSync(options.output, pdf);
    } else {
      const [download] = await Promise.all([page.waitForEvent('download', { timeout: timeoutMs }), page.locator('[data-testid="report-download"]').click()]);
      await download.saveAs(options.output);
    }
    io.err(`Report written to ${options.output} (content SHA-256 ${hash})\n`);
    return EXIT.ok;
  } finally {
    await browser.close();
  }
}

export function registerReportCommand(program: Command, io: Output, setExit: (code: number) => void): Command {
  return program
    .command('report')
    .description("save the compliance report of a running Traffic Map as PDF (headless Chromium) or HTML")
    .requiredOption('-o, --output <file>', 'report.pdf or report.html')
    .option('--url <url>', 'the dashboard (env TRAFFIC_MAP_URL)', process.env['TRAFFIC_MAP_URL'] ?? 'http://127.0.0.1:8080')
    .option('--token <token>', 'the dashboard token (env TRAFFIC_MAP_TOKEN)', process.env['TRAFFIC_MAP_TOKEN'])
    .option('--namespace <ns...>', 'only these namespaces')
    .option('--labels <selector>', 'only pods matching this label selector')
    .option('--at <time>', 'a past instant (ISO 8601, e.g. 2026-11-26T02:14:00Z): the cluster as it was then (the server keeps history)')
    .option('--chromium <path>', 'Chromium executable (env CHROMIUM_PATH)', DEFAULT_CHROMIUM)
    .option('--timeout <seconds>', 'how long to wait for the dashboard', '60')
    .action(async (options: ReportOptions) => setExit(await runReport(options, io)));
}
