import type { Group } from '../../shared/matrix/matrix.ts';
import { analysisDocument, renderCsv, renderText } from '../../shared/matrix/report.ts';
import { EXIT, loadAndAnalyze, type Output } from './common.ts';

export interface AnalyzeOptions {
  group: Group;
  format: 'json' | 'text' | 'csv';
  ipblockMatchesPods: boolean;
}

export function runAnalyze(paths: string[], opts: AnalyzeOptions, io: Output): number {
  const { analysis, diagnostics, hasErrors } = loadAndAnalyze(paths, opts.ipblockMatchesPods, io);
  const doc = analysisDocument(analysis, opts.group, diagnostics);
  if (opts.format === 'json') io.out(JSON.stringify(doc, null, 2) + '\n');
  else if (opts.format === 'csv') io.out(renderCsv(doc));
  else io.out(renderText(doc));
  return hasErrors ? EXIT.inputErrors : EXIT.ok;
}
