// The client side of one view: subscribes, holds the state, applies deltas in order, and asks for a
// resync when it sees a gap. The dashboard, the tests and third-party clients share it; it needs
// only a socket.io-like `socket` (on/off/emit with acks).
import { decodeSnapshot, stateFromBody } from './codec.ts';
import type { Ack, ViewResynced, ViewSnapshotMessage, ViewSubscribed } from './events.ts';
import { applyViewDelta, viewIdOf, type ViewDelta, type ViewSpec, type ViewState } from './view.ts';

// socket.io-client's Socket (and the server's) fit this; listeners are typed per event by the caller.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Listener = (...args: any[]) => void;

export interface SocketLike {
  on(event: string, listener: Listener): unknown;
  off(event: string, listener: Listener): unknown;
  emit(event: string, ...args: unknown[]): unknown;
}

export interface SubscriptionEvents {
  /** The state changed (after a snapshot or a delta). */
  change?(state: ViewState, cause: 'snapshot' | 'delta'): void;
  /** A delta did not follow: a resync was requested. */
  gap?(expected: number, got: ViewDelta): void;
  error?(message: string): void;
}

/** Sends a request and resolves with its Ack (rejects on an error Ack). */
export function request<T>(socket: SocketLike, event: string, payload: unknown, timeoutMs = 10_000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${event}: no answer within ${timeoutMs} ms`)), timeoutMs);
    socket.emit(event, payload, (response: Ack<T>) => {
      clearTimeout(timer);
      if (response.ok) resolve(response.data);
      else reject(Object.assign(new Error(`${event}: ${response.error.code}: ${response.error.message}`), { code: response.error.code }));
    });
  });
}

export class ViewSubscription {
  state: ViewState | null = null;
  readonly viewId: string;
  private resyncing = false;
  private subscribed = false;
  /** Messages that arrive while a snapshot is being decoded wait here, in order. */
  private queue: Promise<void> = Promise.resolve();

  private readonly onSnapshot = (m: ViewSnapshotMessage) => {
    if (m.viewId !== this.viewId) return;
    this.enqueue(async () => {
      const body = await decodeSnapshot(m);
      this.state = stateFromBody(body);
      this.resyncing = false;
      this.events.change?.(this.state, 'snapshot');
    });
  };

  /** After a reconnect the server knows nothing of us: subscribe again (a snapshot follows). */
  private readonly onConnect = () => {
    if (!this.subscribed) return;
    this.subscribe().catch((e: unknown) => this.events.error?.(e instanceof Error ? e.message : String(e)));
  };

  private readonly onDelta = (d: ViewDelta) => {
    if (d.viewId !== this.viewId) return;
    this.enqueue(async () => {
      const state = this.state;
      if (!state || d.seq <= state.seq) return;
      if (!applyViewDelta(state, d)) {
        this.events.gap?.(state.seq, d);
        await this.resync();
        return;
      }
      this.events.change?.(state, 'delta');
    });
  };

  constructor(
    private readonly socket: SocketLike,
    readonly view: ViewSpec,
    private readonly events: SubscriptionEvents = {},
  ) {
    this.viewId = viewIdOf(view);
    socket.on('view:snapshot', this.onSnapshot);
    socket.on('view:delta', this.onDelta);
    socket.on('connect', this.onConnect);
  }

  /** Subscribes (again, after a reconnect); the snapshot follows. */
  async subscribe(): Promise<ViewSubscribed> {
    this.subscribed = true;
    return request<ViewSubscribed>(this.socket, 'view:subscribe', { view: this.view });
  }

  /** Asks the server for what was missed (a replay, or a snapshot). */
  async resync(): Promise<ViewResynced | null> {
    if (this.resyncing || !this.state) return null;
    this.resyncing = true;
    try {
      const result = await request<ViewResynced>(this.socket, 'view:resync', { viewId: this.viewId, seq: this.state.seq });
      if (result.mode === 'replay') this.resyncing = false;
      return result;
    } catch (e) {
      this.resyncing = false;
      this.events.error?.((e as Error).message);
      return null;
    }
  }

  /** Resolves once the state has reached at least `seq` (or rejects after the timeout). */
  async waitFor(test: (state: ViewState) => boolean, timeoutMs = 5000): Promise<ViewState> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.queue;
      if (this.state && test(this.state)) return this.state;
      if (Date.now() > deadline) throw new Error(`view ${this.viewId}: condition not met within ${timeoutMs} ms (seq ${this.state?.seq})`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  close(): void {
    this.socket.off('view:snapshot', this.onSnapshot);
    this.socket.off('view:delta', this.onDelta);
    this.socket.off('connect', this.onConnect);
    this.subscribed = false;
    this.socket.emit('view:unsubscribe', { viewId: this.viewId }, () => undefined);
  }

  private enqueue(task: () => Promise<void>): void {
    this.queue = this.queue.then(task).catch((e: unknown) => this.events.error?.(e instanceof Error ? e.message : String(e)));
  }
}
