// The current view's cells as CSV: `from,to,ports,allowed_pairs,total_pairs`, one row per allowed
// connection the view shows (pod level: the class form expanded to pod pairs), after one comment
// line that says where, when and with which filters. Pure.
import { allowedText } from '../../shared/matrix/report.ts';
import type { PortsJSON, ViewState } from '../../shared/protocol/view.ts';
import { compareNodes, edgeKindOf, forEachConnection } from './graph-layout.ts';
import { filtersText, type ExportStamp } from './export-meta.ts';

export const CSV_HEADER = ['from', 'to', 'ports', 'allowed_pairs', 'total_pairs'] as const;

export interface CsvRow {
  from: string;
  to: string;
  ports: PortsJSON;
  allowed: number;
  total: number;
}

/** The view's connections in view order (rows by source, then destination). */
export function viewRows(state: ViewState): CsvRow[] {
  const rank = new Map([...state.nodes.values()].sort(compareNodes).map((n, i) => [n.id, i]));
  const rows: CsvRow[] = [];
  forEachConnection(state, (from, to, ports, cell) => {
    if (!edgeKindOf(ports)) return;
    rows.push({ from: from.id, to: to.id, ports, allowed: cell ? cell.allowed : 1, total: cell ? cell.total : 1 });
  });
  return rows.sort((a, b) => rank.get(a.from)! - rank.get(b.from)! || rank.get(a.to)! - rank.get(b.to)!);
}

export function csvField(value: string): string {
  return /[",\n\r#]/.test(value) || /^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** The comment line: source, level, filters, state time and seq, export time. */
export function csvComment(s: ExportStamp): string {
  const flat = (t: string) => t.replace(/[\r\n]+/g, ' ');
  return `# Traffic Map view export; source: ${flat(s.source)}; level: ${s.view.level}; filters: ${flat(filtersText(s.view))}; state at ${s.at} (seq ${s.seq}); exported ${s.exportedAt}`;
}

export function viewCsv(state: ViewState, stamp: ExportStamp): string {
  const lines = [csvComment(stamp), CSV_HEADER.join(',')];
  for (const r of viewRows(state)) lines.push([r.from, r.to, allowedText(r.ports), String(r.allowed), String(r.total)].map(csvField).join(','));
  return lines.join('\n') + '\n';
}
