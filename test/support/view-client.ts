// A socket.io client for tests: connects to a running server and opens view subscriptions.
import { io, type Socket } from 'socket.io-client';
import { PROTOCOL_VERSION } from '../../shared/protocol/events.ts';
import { ViewSubscription } from '../../shared/protocol/subscription.ts';
import { cellKey, type ViewSpec, type ViewState } from '../../shared/protocol/view.ts';

export async function connect(url: string, options: { token?: string; origin?: string; timeoutMs?: number } = {}): Promise<Socket> {
  const socket = io(url, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    ...(options.timeoutMs !== undefined ? { timeout: options.timeoutMs } : {}),
    auth: { protocol: PROTOCOL_VERSION, ...(options.token ? { token: options.token } : {}) },
    ...(options.origin ? { extraHeaders: { Origin: options.origin } } : {}),
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (e) => reject(e));
  });
  return socket;
}

export async function openView(socket: Socket, view: ViewSpec): Promise<ViewSubscription> {
  const sub = new ViewSubscription(socket, view);
  const { seq } = await sub.subscribe();
  // The snapshot may be a little older than the subscription; the deltas since follow it.
  await sub.waitFor((s) => s.seq >= seq);
  return sub;
}

/** A state as plain sorted data, for comparing a delta-built state with a fresh snapshot. */
export function comparable(s: ViewState, options: { seq?: boolean } = {}): unknown {
  const sorted = <T>(m: Map<string, T>) => [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    ...(options.seq === false ? {} : { seq: s.seq }),
    nodes: sorted(s.nodes),
    cells: sorted(s.cells),
    keyCells: sorted(s.keyCells),
    findings: s.findings,
    status: s.status,
    unknown: s.unknown,
  };
}

export function cell(s: ViewState, from: string, to: string) {
  return s.cells.get(cellKey(from, to));
}
