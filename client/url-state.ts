// Everything that defines what the user is looking at lives in the URL, so a link reproduces the
// exact view (incident tickets, audit evidence). Parsing and writing are pure; `useUrlState`
// keeps a reactive copy in sync with the address bar.
import { reactive, watch } from 'vue';
import type { Protocol } from '../shared/model/types.ts';
import type { ViewLevel, ViewSpec } from '../shared/protocol/view.ts';

export type Tab = 'overview' | 'matrix' | 'graph' | 'report' | 'whatif';
export const TABS: readonly Tab[] = ['overview', 'matrix', 'graph', 'report', 'whatif'];

export interface UrlState {
  tab: Tab;
  level: ViewLevel;
  /** Empty: all namespaces. */
  namespaces: string[];
  labels: string;
  port: { protocol: Protocol; port: number } | null;
  unprotectedOnly: boolean;
  /** Selected node id (detail panel, graph focus). */
  focus: string | null;
  /** Selected connection: source and destination node ids. */
  pair: { from: string; to: string } | null;
  /** A past instant (ISO) every view shows, read-only; null: the live cluster. */
  at: string | null;
}

export const DEFAULT_STATE: UrlState = {
  tab: 'overview',
  level: 'namespace',
  namespaces: [],
  labels: '',
  port: null,
  unprotectedOnly: false,
  focus: null,
  pair: null,
  at: null,
};

const LEVELS: readonly ViewLevel[] = ['namespace', 'workload', 'pod'];

/** `5432/TCP`, `53/udp`, `8080` (TCP) → a port of interest; anything else → null. */
export function parsePort(text: string): UrlState['port'] {
  const m = /^\s*(\d{1,5})\s*(?:\/\s*(tcp|udp|sctp))?\s*$/i.exec(text);
  if (!m) return null;
  const port = Number(m[1]);
  if (port < 1 || port > 65535) return null;
  return { port, protocol: (m[2]?.toUpperCase() ?? 'TCP') as Protocol };
}

export const formatPort = (p: NonNullable<UrlState['port']>): string => `${p.port}/${p.protocol}`;

export function parseUrlState(search: string): UrlState {
  const q = new URLSearchParams(search);
  const tab = q.get('tab') as Tab | null;
  const level = q.get('level') as ViewLevel | null;
  const pair = q.get('pair')?.split(' -> ');
  return {
    tab: tab && TABS.includes(tab) ? tab : DEFAULT_STATE.tab,
    level: level && LEVELS.includes(level) ? level : DEFAULT_STATE.level,
    namespaces: (q.get('ns') ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0),
    labels: q.get('labels') ?? '',
    port: parsePort(q.get('port') ?? ''),
    unprotectedOnly: q.get('unprotected') === '1',
    focus: q.get('focus') || null,
    pair: pair && pair.length === 2 && pair[0] && pair[1] ? { from: pair[0], to: pair[1] } : null,
    at: parseInstant(q.get('at')),
  };
}

/** An ISO instant from the URL (normalized), or null when absent or not a time. */
export function parseInstant(text: string | null): string | null {
  if (!text) return null;
  const t = Date.parse(text);
  return Number.isFinite(t) ? new Date(t).toISOString() : null;
}

/** The scope fields every view and request of the URL state carries (the instant, when past). */
export const atOf = (s: Pick<UrlState, 'at'>): { at?: string } => (s.at ? { at: s.at } : {});

/** Only what differs from the defaults, in a fixed order: equal states give equal URLs. */
export function serializeUrlState(s: UrlState): string {
  const q = new URLSearchParams();
  if (s.tab !== DEFAULT_STATE.tab) q.set('tab', s.tab);
  if (s.level !== DEFAULT_STATE.level) q.set('level', s.level);
  if (s.namespaces.length > 0) q.set('ns', [...s.namespaces].sort().join(','));
  if (s.labels.trim()) q.set('labels', s.labels.trim());
  if (s.port) q.set('port', formatPort(s.port));
  if (s.unprotectedOnly) q.set('unprotected', '1');
  if (s.focus) q.set('focus', s.focus);
  if (s.pair) q.set('pair', `${s.pair.from} -> ${s.pair.to}`);
  if (s.at) q.set('at', s.at);
  const text = q.toString();
  return text ? `?${text}` : '';
}

/** The view to subscribe to for a URL state (the matrix and graph share it). */
export function viewSpecOf(s: UrlState): ViewSpec {
  return {
    level: s.level,
    namespaces: s.namespaces.length > 0 ? [...s.namespaces].sort() : 'all',
    ...(s.labels.trim() ? { labels: s.labels.trim() } : {}),
    ...(s.port ? { port: s.port } : {}),
    ...(s.unprotectedOnly ? { unprotectedOnly: true } : {}),
    ...atOf(s),
  };
}

let shared: UrlState | null = null;

/** The app's one URL state: changes are written to the address bar, back/forward read it. */
export function useUrlState(): UrlState {
  if (shared) return shared;
  const state = reactive(parseUrlState(location.search)) as UrlState;
  shared = state;
  watch(
    () => serializeUrlState(state),
    (query) => {
      if (query !== location.search) history.pushState(null, '', `${location.pathname}${query}${location.hash}`);
    },
  );
  addEventListener('popstate', () => Object.assign(state, parseUrlState(location.search)));
  return state;
}
