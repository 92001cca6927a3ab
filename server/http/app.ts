// The HTTP face of the server: REST (snapshot), health. Read-only: nothing here writes to the cluster.
import express, { type NextFunction, type Request, type Response } from 'express';
import { GROUPS, type Group } from '../../shared/matrix/matrix.ts';
import type { LiveEngine } from '../live/live-engine.ts';
import { liveSnapshot, type LiveSnapshot } from '../live/snapshot.ts';
import { bearerToken, tokenMatches } from './auth.ts';

export interface AppOptions {
  engine: LiveEngine;
  /** What is being watched, for the snapshot's `source`. */
  source: string;
  /** When set, every /api request needs `Authorization: Bearer <token>`. */
  token?: string;
}

export function createApp(opts: AppOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use((_req, res, next) => {
    res.set({
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
    });
    next();
  });

  app.get('/healthz', (_req, res) => void res.json({ ok: true }));

  const api = express.Router();
  if (opts.token !== undefined) {
    const token = opts.token;
    api.use((req: Request, res: Response, next: NextFunction) => {
      if (tokenMatches(token, bearerToken(req.get('authorization')))) return next();
      res.status(401).json({ error: 'unauthorized', message: 'this server needs Authorization: Bearer <token>' });
    });
  }

  // One snapshot per (seq, group): many readers of an unchanged cluster share the work.
  const cache = new Map<Group, LiveSnapshot>();
  api.get('/snapshot', (req, res) => {
    const group = (req.query['group'] ?? 'namespace') as Group;
    if (!GROUPS.includes(group)) {
      res.status(400).json({ error: 'bad-request', message: `group must be one of ${GROUPS.join(', ')}` });
      return;
    }
    let snap = cache.get(group);
    if (!snap || snap.seq !== opts.engine.seq) {
      snap = liveSnapshot(opts.engine, group, opts.source);
      cache.set(group, snap);
    }
    res.json(snap);
  });
  app.use('/api/v1', api);
  return app;
}
