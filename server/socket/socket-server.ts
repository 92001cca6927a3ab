// The socket.io face of the server: checks the Origin, the token and the protocol version of every
// connection, validates every request against its schema, and serves views through the hub.
// Read-only: no event writes to the cluster.
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import { clientSchemas, describeProblem, type ClientEventName } from '../../shared/protocol/schemas.ts';
import { PROTOCOL_VERSION, type Ack, type ErrorCode } from '../../shared/protocol/events.ts';
import { bearerToken, tokenMatches } from '../http/auth.ts';
import { explainConnection, NotFoundError } from '../views/explain.ts';
import { policyList, policySelection } from '../views/policies.ts';
import type { SourceStatus } from '../../shared/model/status.ts';
import type { EngineState } from '../views/view-model.ts';
import { ViewHub, ViewUnavailable, type HubServer, type HubSocket } from './view-hub.ts';
import { whatIfObjects } from './whatif.ts';

export interface SocketServerOptions {
  state(): EngineState;
  source(): string;
  fullStatus(): SourceStatus;
  /** The engine state at a past instant, from the history (throws ViewUnavailable); absent: no history. */
  past?(at: string): EngineState;
  /** When set, every connection must present it (`auth.token`, or `Authorization: Bearer`). */
  token?: string;
  /** Origins allowed besides the server's own (e.g. a Vite dev server). */
  allowedOrigins?: readonly string[];
  /** Views one socket may hold at once. */
  maxViewsPerSocket?: number;
  intervalMs?: number;
}

/** Largest message a client may send (requests are small). */
const MAX_CLIENT_MESSAGE = 64 * 1024;

class RequestError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Browsers always send Origin on WebSocket and cross-site requests: accept our own origin and the
 * configured ones. Clients without Origin (scripts, CLIs) are not browsers and cannot be the
 * victim of a cross-site attack; they still need the token.
 */
export function originAllowed(req: IncomingMessage, allowed: readonly string[]): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  if (allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

export function attachSocketServer(http: HttpServer, options: SocketServerOptions): { io: HubServer; hub: ViewHub; close(): Promise<void> } {
  const io: HubServer = new Server(http, {
    path: '/socket.io',
    serveClient: false,
    maxHttpBufferSize: MAX_CLIENT_MESSAGE,
    allowRequest: (req, callback) => callback(originAllowed(req, options.allowedOrigins ?? []) ? null : 'origin not allowed', originAllowed(req, options.allowedOrigins ?? [])),
  });
  const hub = new ViewHub(io, {
    state: options.state,
    source: options.source,
    fullStatus: options.fullStatus,
    ...(options.past ? { past: options.past } : {}),
    ...(options.intervalMs !== undefined ? { intervalMs: options.intervalMs } : {}),
  });

  io.use((socket, next) => {
    const auth = (socket.handshake.auth ?? {}) as { token?: unknown; protocol?: unknown };
    if (options.token !== undefined) {
      const presented = typeof auth.token === 'string' ? auth.token : bearerToken(socket.handshake.headers.authorization);
      if (!tokenMatches(options.token, presented)) return next(Object.assign(new Error('unauthorized'), { data: { code: 'unauthorized', message: 'a valid token is needed (auth.token)' } }));
    }
    if (auth.protocol !== undefined && auth.protocol !== PROTOCOL_VERSION) {
      const message = `server speaks protocol ${PROTOCOL_VERSION}, client ${String(auth.protocol)}`;
      return next(Object.assign(new Error('protocol-mismatch'), { data: { code: 'protocol-mismatch', message } }));
    }
    socket.data.views = new Set();
    socket.data.held = new Map();
    next();
  });

  io.on('connection', (socket: HubSocket) => {
    const s = options.state();
    socket.emit('hello', { protocol: PROTOCOL_VERSION, server: 'kube-traffic-map', source: options.source(), seq: s.seq, history: options.past !== undefined });
    socket.emit('source:status', hub.sourceStatus());

    const on = <E extends ClientEventName>(event: E, handle: (payload: ReturnType<(typeof clientSchemas)[E]['parse']>) => unknown) => {
      (socket as unknown as { on(e: string, f: (payload: unknown, ack: unknown) => void): void }).on(event, (payload, ack) => {
        // Requests without an ack function have nobody to answer: ignore them.
        if (typeof ack !== 'function') return;
        const reply = ack as (response: Ack<unknown>) => void;
        const parsed = clientSchemas[event].safeParse(payload);
        if (!parsed.success) return reply({ ok: false, error: { code: 'bad-request', message: `${event}: ${describeProblem(parsed.error)}` } });
        try {
          reply({ ok: true, data: handle(parsed.data as ReturnType<(typeof clientSchemas)[E]['parse']>) });
        } catch (e) {
          if (e instanceof RequestError) return reply({ ok: false, error: { code: e.code, message: e.message } });
          if (e instanceof NotFoundError) return reply({ ok: false, error: { code: 'not-found', message: e.message } });
          if (e instanceof ViewUnavailable) return reply({ ok: false, error: { code: 'not-available', message: e.message } });
          reply({ ok: false, error: { code: 'internal', message: e instanceof Error ? e.message : String(e) } });
        }
      });
    };

    on('view:subscribe', ({ view }) => {
      if (socket.data.views.size >= (options.maxViewsPerSocket ?? 16)) throw new RequestError('too-many-views', 'unsubscribe from a view first');
      return hub.subscribe(socket, view);
    });
    on('view:unsubscribe', ({ viewId }) => {
      if (!hub.unsubscribe(socket, viewId)) throw new NotFoundError(`not subscribed to ${viewId}`);
      return null;
    });
    on('view:resync', ({ viewId, seq }) => {
      const result = hub.resync(socket, viewId, seq);
      if (!result) throw new NotFoundError(`not subscribed to ${viewId}`);
      return result;
    });
    on('explain:connection', ({ at, ...req }) => {
      const st = hub.stateAt(at);
      return explainConnection(st.analysis, st.unknown, req);
    });
    on('policy:selection', ({ at, ...req }) => policySelection(hub.stateAt(at).analysis, req));
    on('policy:list', ({ at }) => {
      const st = hub.stateAt(at);
      return policyList(st.analysis, st.unknown);
    });
    on('whatif:objects', () => whatIfObjects(options.state(), options.source()));

    socket.on('disconnect', () => hub.forget(socket));
  });

  return {
    io,
    hub,
    async close() {
      hub.stop();
      await new Promise<void>((resolve) => void io.close(() => resolve()));
    },
  };
}
