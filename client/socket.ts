// The one socket to the server, and what it says about itself and the cluster connection.
// The token (when the server needs one) comes from the URL fragment `#token=...` (never sent in
// requests or logs) and is kept for this tab only.
import { reactive } from 'vue';
import { io, type Socket } from 'socket.io-client';
import { PROTOCOL_VERSION, type HelloMessage, type SourceStatusMessage } from '../shared/protocol/events.ts';

export type ConnectionState = 'connecting' | 'connected' | 'disconnected' | 'unauthorized';

export interface Connection {
  state: ConnectionState;
  error: string | null;
  hello: HelloMessage | null;
  status: SourceStatusMessage | null;
  /** When the last message of any kind arrived (ms since epoch). */
  lastMessageAt: number | null;
}

export const connection = reactive<Connection>({ state: 'connecting', error: null, hello: null, status: null, lastMessageAt: null });

/** The token the dashboard was opened with (or typed), for REST reads; undefined when none. */
export function currentToken(): string | undefined {
  return takeToken();
}

function takeToken(): string | undefined {
  const m = /(?:^|[#&])token=([^&]+)/.exec(location.hash);
  if (m) {
    sessionStorage.setItem('traffic-map-token', decodeURIComponent(m[1]!));
    history.replaceState(null, '', location.pathname + location.search);
  }
  return sessionStorage.getItem('traffic-map-token') ?? undefined;
}

let socket: Socket | null = null;

export function useSocket(): Socket {
  if (socket) return socket;
  const token = takeToken();
  const s = io({ transports: ['websocket'], auth: { protocol: PROTOCOL_VERSION, ...(token ? { token } : {}) } });
  socket = s;
  const seen = () => (connection.lastMessageAt = Date.now());
  s.on('connect', () => {
    connection.state = 'connected';
    connection.error = null;
  });
  s.on('disconnect', () => (connection.state = 'disconnected'));
  s.on('connect_error', (err: Error & { data?: { code?: string; message?: string } }) => {
    connection.state = err.data?.code === 'unauthorized' ? 'unauthorized' : 'disconnected';
    connection.error = err.data?.message ?? err.message;
  });
  s.on('hello', (m: HelloMessage) => {
    connection.hello = m;
    seen();
  });
  s.on('source:status', (m: SourceStatusMessage) => {
    connection.status = m;
    seen();
  });
  s.on('view:delta', seen);
  s.on('view:snapshot', seen);
  return s;
}

/** Stores a token typed by the user and reconnects with it. */
export function useToken(token: string): void {
  sessionStorage.setItem('traffic-map-token', token);
  location.reload();
}
