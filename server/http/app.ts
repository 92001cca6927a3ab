// The HTTP face of the server: REST (snapshot), health. Read-only: nothing here writes to the cluster.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import helmet from 'helmet';
import express, { type NextFunction, type Request, type Response } from 'express';
import { GROUPS, type Group } from '../../shared/matrix/matrix.ts';
import type { LiveEngine } from '../live/live-engine.ts';
import { liveSnapshot, type LiveSnapshot } from '../live/snapshot.ts';
import { bearerToken, tokenMatches } from './auth.ts';
import { readyzHandler, type ReadyReport } from './health.ts';
import { historyRouter } from './history.ts';
import type { HistoryStore } from '../history/history-store.ts';

export interface AppOptions {
  engine: LiveEngine;
  /** What is being watched, for the snapshot's `source`. */
  source: string;
  /** When set, every /api request needs `Authorization: Bearer <token>`. */
  token?: string;
  /** The built dashboard (default: dist/client of this checkout). */
  clientDir?: string;
  /** Readiness for GET /readyz (unauthenticated, for probes). */
  readiness?: () => ReadyReport;
  /** GET /metrics (it checks the token itself: it may be public). */
  metrics?: express.RequestHandler;
  /** The history store behind /api/v1/history/... (absent: those answer `history-off`). */
  history?: HistoryStore;
}

const CLIENT_DIR = fileURLToPath(new URL('../../dist/client', import.meta.url));

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
  if (opts.readiness) app.get('/readyz', readyzHandler(opts.readiness));
  if (opts.metrics) app.get('/metrics', opts.metrics);

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
  api.use('/history', historyRouter({ store: opts.history, engine: opts.engine }));
  app.use('/api/v1', api);
  app.use('/api', (_req, res) => void res.status(404).json({ error: 'not-found', message: 'no such API endpoint' }));

  // The dashboard (built by `npm run build` into dist/client); every other path is the app.
  const client = opts.clientDir ?? CLIENT_DIR;
  if (existsSync(join(client, 'index.html'))) {
    app.use(express.static(client, { index: false, maxAge: '1h' }));
    app.get(/^\/(?!socket\.io\/).*/, (_req, res) => res.sendFile(join(client, 'index.html')));
  } else {
    app.get('/', (_req, res) => void res.type('text/plain').send('Traffic Map: the dashboard is not built. Run `npm run build` (npm start does it), or use /api/v1/snapshot.\n'));
  }
  return app;
}
