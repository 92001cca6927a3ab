// The HTTP face of the server: REST (snapshot), health. Read-only: nothing here writes to the cluster.
import helmet from 'helmet';
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
  // No inline scripts or styles from markup, no framing, no third-party anything: the page shows
  // a cluster's attack surface. Styles set from script (Vue, D3) go through CSSOM, which CSP allows.
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:', 'blob:'],
          connectSrc: ["'self'"],
          fontSrc: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'none'"],
          formAction: ["'none'"],
          frameAncestors: ["'none'"],
        },
      },
      crossOriginEmbedderPolicy: false,
      referrerPolicy: { policy: 'no-referrer' },
      frameguard: { action: 'deny' },
      strictTransportSecurity: false,
    }),
  );
  app.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store');
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
