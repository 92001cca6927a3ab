// REST for the past (mounted under /api/v1, behind the same token check as the rest):
//   GET /history/sessions                          server runs and gaps
//   GET /history/timeline?from&to[&limit]          posture samples, policy-change markers, runs and gaps
//   GET /history/events?from&to[&limit][&resource] the events applied, for stepping
//   GET /history/snapshot?at[&group]               the analysis@1 document at that instant (`past: true`)
//   GET /history/diff?a&b[&group]                  what changed from instant a to instant b (or `live`)
// Instants are ISO 8601 times with a zone (`2026-11-26T02:14:00Z`). Read-only.
import express, { type Request, type Response } from 'express';
import { diffAnalyses } from '../../shared/diff/diff.ts';
import { GROUPS, type Group } from '../../shared/matrix/matrix.ts';
import { RESOURCE_KINDS, type ResourceKind } from '../cluster/source.ts';
import { formatDuration } from '../history/duration.ts';
import { describeNotRebuilt, type NotRebuilt } from '../history/history-reader.ts';
import type { HistoryStore } from '../history/history-store.ts';
import { pastSnapshot, type PastInstant } from '../history/rebuild.ts';
import type { LiveEngine } from '../live/live-engine.ts';

export interface HistoryRoutesOptions {
  /** Undefined when the server runs with --no-history. */
  store: HistoryStore | undefined;
  engine: LiveEngine;
  /** Clock (ms); default Date.now. */
  now?: () => number;
}

class BadRequest extends Error {}

function param(req: Request, name: string): string | undefined {
  const v = req.query[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new BadRequest(`${name} must be given once, as text`);
  return v;
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

function instant(req: Request, name: string, fallback?: number): number {
  const text = param(req, name);
  if (text === undefined) {
    if (fallback !== undefined) return fallback;
    throw new BadRequest(`${name} is required: an ISO 8601 time with a zone, e.g. 2026-11-26T02:14:00Z`);
  }
  const ms = ISO.test(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(ms)) throw new BadRequest(`${name} must be an ISO 8601 time with a zone, e.g. 2026-11-26T02:14:00Z; got "${text}"`);
  return ms;
}

function group(req: Request): Group {
  const g = param(req, 'group') ?? 'namespace';
  if (!(GROUPS as readonly string[]).includes(g)) throw new BadRequest(`group must be one of ${GROUPS.join(', ')}; got "${g}"`);
  return g as Group;
}

function limit(req: Request, fallback: number, max: number): number {
  const text = param(req, 'limit');
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > max) throw new BadRequest(`limit must be a whole number from 1 to ${max}; got "${text}"`);
  return n;
}

function resources(req: Request): ResourceKind[] | undefined {
  const text = param(req, 'resource');
  if (text === undefined) return undefined;
  const list = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const r of list) if (!(RESOURCE_KINDS as readonly string[]).includes(r)) throw new BadRequest(`resource must be a comma-separated list of ${RESOURCE_KINDS.join(', ')}; got "${r}"`);
  return list as ResourceKind[];
}

function range(req: Request, now: number): { from: number; to: number } {
  const to = instant(req, 'to', now);
  const from = instant(req, 'from', to - 86_400_000);
  if (from > to) throw new BadRequest('from must not be after to');
  return { from, to };
}

/** 404 with what is known instead: the gap, or where history begins. */
function notRebuilt(res: Response, name: string, n: NotRebuilt): void {
  res.status(404).json({ error: 'not-recorded', message: describeNotRebuilt(n, name), ...n });
}

export function historyRouter(opts: HistoryRoutesOptions): express.Router {
  const router = express.Router();
  const now = opts.now ?? Date.now;

  const handle = (fn: (store: HistoryStore, req: Request, res: Response) => void | Promise<void>) => async (req: Request, res: Response) => {
    const store = opts.store;
    if (!store) {
      res.status(404).json({ error: 'history-off', message: 'this server runs without history (--no-history)' });
      return;
    }
    try {
      await fn(store, req, res);
    } catch (err) {
      if (err instanceof BadRequest) res.status(400).json({ error: 'bad-request', message: err.message });
      else res.status(500).json({ error: 'internal', message: `history: ${(err as Error).message}` });
    }
  };

  router.get(
    '/sessions',
    handle((store, _req, res) => {
      res.json({ retention: formatDuration(store.retentionMs), sessions: store.reader.sessions(), gaps: store.reader.gaps() });
    }),
  );

  router.get(
    '/timeline',
    handle((store, req, res) => {
      const { from, to } = range(req, now());
      res.json({ retention: formatDuration(store.retentionMs), ...store.reader.timeline(from, to, limit(req, 2000, 100_000)) });
    }),
  );

  router.get(
    '/events',
    handle((store, req, res) => {
      const { from, to } = range(req, now());
      res.json(store.reader.events(from, to, limit(req, 1000, 10_000), resources(req)));
    }),
  );

  router.get(
    '/snapshot',
    handle((store, req, res) => {
      const at = instant(req, 'at');
      const g = group(req);
      const past = store.reader.rebuild(at);
      if ('reason' in past) return notRebuilt(res, 'at', past);
      res.json(pastSnapshot(past, g));
    }),
  );

  router.get(
    '/diff',
    handle(async (store, req, res) => {
      const g = group(req);
      const a = instant(req, 'a');
      const bText = param(req, 'b');
      const b = bText === 'live' ? null : instant(req, 'b');
      // Two past instants are rebuilt side by side (one in the history's worker thread).
      const [before, after] = b === null ? [store.reader.rebuild(a), null] : await store.rebuildPair(a, b);
      if ('reason' in before) return notRebuilt(res, 'a', before);
      // Taken now: a later rebuild may step the cached engine forward, never this analysis.
      const side = (p: PastInstant | null) => {
        const engine = p ? p.engine : opts.engine;
        const unknown = engine.unknown;
        return { analysis: engine.analysis, about: { at: p ? p.at : new Date(now()).toISOString(), live: p === null, seq: p ? p.seq : engine.seq, unknown: unknown === 'all' ? ('all' as const) : [...unknown].sort() } };
      };
      const left = side(before);
      let right;
      if (after === null) right = side(null);
      else {
        if ('reason' in after) return notRebuilt(res, 'b', after);
        right = side(after);
      }
      const diff = diffAnalyses(left.analysis, right.analysis, { group: g });
      const unknownNote = left.about.unknown.length > 0 || right.about.unknown.length > 0;
      res.json({
        a: left.about,
        b: right.about,
        ...diff,
        notes: [...diff.notes, ...(unknownNote ? ['some namespaces were unknown at a or b (see `unknown`): changes about them are not reliable'] : [])],
      });
    }),
  );

  return router;
}
