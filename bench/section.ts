// What every benchmark section shares: the section contract `bench/run.ts` dispatches on, the
// machine header, and the marked blocks of bench/RESULTS.md (one per section, others preserved).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

export interface SectionContext {
  /** `--only` names (as typed), or undefined for the section's default set. */
  only: string[] | undefined;
  /** The command line that started the run, for the results header. */
  command: string;
}

export interface SectionResult {
  /** Markdown body of the section's block in RESULTS.md (without the markers). */
  markdown: string;
  /** True when something could not be measured at all (crash, timeout); a missed target is not a failure. */
  failed: boolean;
}

export interface BenchSection {
  name: string;
  description: string;
  run(ctx: SectionContext): Promise<SectionResult>;
}

export const RESULTS_FILE = fileURLToPath(new URL('./RESULTS.md', import.meta.url));

const MB = 1024 * 1024;

/** Machine, date and command lines for a section header. */
export function machineHeader(command: string): string {
  const cpus = os.cpus();
  const model = cpus[0]?.model.trim() ?? 'unknown CPU';
  return [
    `- Machine: ${os.type()} ${os.release()} (${os.arch()}), ${model}, ${cpus.length} cores, ` +
      `${(os.totalmem() / 1024 / MB).toFixed(1)} GiB RAM, Node ${process.version}`,
    `- Date: ${new Date().toISOString()}`,
    `- Command: \`${command}\``,
  ].join('\n');
}

function markers(section: string): { start: string; end: string } {
  return { start: `<!-- section:${section} -->`, end: `<!-- /section:${section} -->` };
}

/** Replaces (or appends) the marked block of `section` in `doc`, leaving everything else as is. */
export function replaceSection(doc: string, section: string, body: string): string {
  const { start, end } = markers(section);
  const block = `${start}\n${body.trim()}\n${end}`;
  const from = doc.indexOf(start);
  const to = doc.indexOf(end);
  if (from >= 0 && to > from) return doc.slice(0, from) + block + doc.slice(to + end.length);
  const base = doc.trim().length > 0 ? doc.replace(/\s*$/, '\n\n') : '# Benchmark results\n\nWritten by `npm run bench -- --write`; each section is rewritten on its own.\n\n';
  return `${base}${block}\n`;
}

export function writeSection(section: string, body: string, file = RESULTS_FILE): void {
  const doc = existsSync(file) ? readFileSync(file, 'utf8') : '';
  writeFileSync(file, replaceSection(doc, section, body));
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The value below which `p`% of the values fall (nearest rank). */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** A markdown table from a header row and body rows. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
