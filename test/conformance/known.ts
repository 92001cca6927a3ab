// Reads test/conformance/KNOWN.md, the single record of where we knowingly differ from the corpus:
// the "Skipped lines" table (rules 21-22) and the "Explained disagreements" table.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const KNOWN_FILE = fileURLToPath(new URL('./KNOWN.md', import.meta.url));

export interface SkipEntry {
  case: string;
  count: number;
  /** Endpoint names made only of left-out pods. */
  endpoints: string[];
  reason: string;
}

export interface ExplainedEntry {
  case: string;
  /** `missing`: an expected line we do not produce; `extra`: a line of ours that is not expected. */
  side: 'missing' | 'extra';
  line: string;
  reason: string;
}

export interface Known {
  skips: Map<string, SkipEntry>;
  explained: ExplainedEntry[];
}

/** The body rows of the first table under the `## <title>` heading. */
function tableRows(text: string, title: string): string[][] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.trim() === `## ${title}`);
  if (start < 0) throw new Error(`KNOWN.md: no "## ${title}" section`);
  const rows: string[][] = [];
  let inTable = false;
  for (const raw of lines.slice(start + 1)) {
    const line = raw.trim();
    if (line.startsWith('## ')) break;
    if (!line.startsWith('|')) {
      if (inTable) break;
      continue;
    }
    inTable = true;
    const cells = line
      .slice(1, line.endsWith('|') ? -1 : undefined)
      .split('|')
      .map((c) => c.trim());
    rows.push(cells);
  }
  // Header and separator rows.
  if (rows.length < 2 || !rows[1]!.every((c) => /^:?-+:?$/.test(c))) throw new Error(`KNOWN.md: "${title}" has no table`);
  return rows.slice(2);
}

/** `` `a`, `b` `` -> ['a', 'b'] */
function codeSpans(cell: string): string[] {
  return [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
}

function oneCodeSpan(cell: string, what: string): string {
  const spans = codeSpans(cell);
  if (spans.length !== 1) throw new Error(`KNOWN.md: ${what} must be one \`code span\`, got "${cell}"`);
  return spans[0]!;
}

export function parseKnown(text: string): Known {
  const skips = new Map<string, SkipEntry>();
  for (const cells of tableRows(text, 'Skipped lines')) {
    if (cells.length !== 4) throw new Error(`KNOWN.md: a "Skipped lines" row needs 4 cells: | ${cells.join(' | ')} |`);
    const [caseCell, countCell, endpointsCell, reason] = cells as [string, string, string, string];
    const name = oneCodeSpan(caseCell, 'the case');
    if (!/^\d+$/.test(countCell)) throw new Error(`KNOWN.md: skipped count of ${name} is not a number: "${countCell}"`);
    if (skips.has(name)) throw new Error(`KNOWN.md: ${name} listed twice under "Skipped lines"`);
    skips.set(name, { case: name, count: Number(countCell), endpoints: codeSpans(endpointsCell), reason });
  }
  const explained: ExplainedEntry[] = [];
  for (const cells of tableRows(text, 'Explained disagreements')) {
    if (cells.length !== 4) throw new Error(`KNOWN.md: an "Explained disagreements" row needs 4 cells: | ${cells.join(' | ')} |`);
    const [caseCell, side, lineCell, reason] = cells as [string, string, string, string];
    if (side !== 'missing' && side !== 'extra') throw new Error(`KNOWN.md: side must be missing or extra, got "${side}"`);
    if (reason === '') throw new Error(`KNOWN.md: explained disagreement without a reason: ${lineCell}`);
    explained.push({ case: oneCodeSpan(caseCell, 'the case'), side, line: oneCodeSpan(lineCell, 'the line'), reason });
  }
  return { skips, explained };
}

export function readKnown(): Known {
  return parseKnown(readFileSync(KNOWN_FILE, 'utf8'));
}
