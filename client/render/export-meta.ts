// What every export says about itself: where the data comes from, when, and which filters made
// the view (the "stamp"), and the file names. Pure functions.
import type { ViewLevel, ViewSpec } from '../../shared/protocol/view.ts';

export type ExportKind = 'png' | 'svg' | 'csv' | 'json';

export interface ExportStamp {
  /** The cluster or kubeconfig context the server watches (`source:status.source`). */
  source: string;
  /** The view as the server normalized it (filters included). */
  view: ViewSpec;
  /** ISO time of the view's state (the last cluster event applied) and its sequence number. */
  at: string;
  seq: number;
  /** ISO time of the export. */
  exportedAt: string;
  /** What is pictured: the graph or the matrix. */
  picture?: 'graph' | 'matrix';
  /** The graph's focused node, if any. */
  focus?: string | null;
  /** A note (a cap on what is drawn, aggregation). */
  note?: string;
}

const LEVEL_NAMES: Record<ViewLevel, string> = { namespace: 'namespace', workload: 'workload', pod: 'pod' };

export function hasFilters(view: ViewSpec): boolean {
  return view.namespaces !== 'all' || Boolean(view.labels) || Boolean(view.port) || Boolean(view.unprotectedOnly);
}

/** `namespaces prod, staging; labels app=web; port 5432/TCP; only unprotected pods`, or `none`. */
export function filtersText(view: ViewSpec): string {
  const parts: string[] = [];
  if (view.namespaces !== 'all') parts.push(`namespaces ${view.namespaces.join(', ')}`);
  if (view.labels) parts.push(`labels ${view.labels}`);
  if (view.port) parts.push(`port ${view.port.port}/${view.port.protocol}`);
  if (view.unprotectedOnly) parts.push('only unprotected pods');
  return parts.length > 0 ? parts.join('; ') : 'none';
}

/** The filters as a file-name part: `ns-prod+staging_labels-app-web_port-5432-TCP_unprotected`. */
export function filtersSlug(view: ViewSpec): string {
  const clean = (s: string) => s.replace(/[^A-Za-z0-9.+-]+/g, '-').replace(/^-+|-+$/g, '');
  const parts: string[] = [];
  if (view.namespaces !== 'all') parts.push(`ns-${view.namespaces.map(clean).join('+')}`);
  if (view.labels) parts.push(`labels-${clean(view.labels)}`);
  if (view.port) parts.push(`port-${view.port.port}-${view.port.protocol}`);
  if (view.unprotectedOnly) parts.push('unprotected');
  const slug = parts.join('_');
  return slug.length > 100 ? slug.slice(0, 100) : slug;
}

/** `YYYYMMDD-HHMMSS`, in UTC (the stamp inside the file says so). */
export function fileTimestamp(date: Date): string {
  const iso = date.toISOString(); // 2025-06-02T10:00:00.000Z
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
}

/** `traffic-map-<level>-<YYYYMMDD-HHMMSS>[-<suffix>].<ext>` */
export function exportFileName(level: ViewLevel, date: Date, ext: ExportKind, suffix?: string): string {
  return `traffic-map-${LEVEL_NAMES[level]}-${fileTimestamp(date)}${suffix ? `-${suffix}` : ''}.${ext}`;
}

/**
 * The JSON export is the server's `traffic-map/analysis@1` document as served, which is the whole
 * cluster at that level: when the view has filters, the file name says which ones the view had.
 */
export function jsonFileName(view: ViewSpec, date: Date): string {
  return exportFileName(view.level, date, 'json', hasFilters(view) ? `unfiltered-view-was-${filtersSlug(view)}` : undefined);
}

/** The stamp as lines of text (SVG/PNG footer; the CSV header joins them). */
export function stampLines(s: ExportStamp): string[] {
  const what = s.picture === 'matrix' ? 'Matrix of allowed connections' : s.picture === 'graph' ? 'Graph of allowed connections' : 'Allowed connections';
  const lines = [`${what} · ${LEVEL_NAMES[s.view.level]} level`, `Source: ${s.source}`, `Filters: ${filtersText(s.view)}${s.focus ? ` · focus: ${s.focus}` : ''}`, `State at ${s.at} (seq ${s.seq}) · exported ${s.exportedAt}`];
  if (s.note) lines.push(s.note);
  return lines;
}
