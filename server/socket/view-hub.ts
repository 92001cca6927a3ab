// Keeps every subscribed view current: engine deltas are folded into the rooms, and at most ~10
// times a second each room computes one view delta and sends it, encoded once, to its sockets.
// Rooms are updated one at a time with the event loop free in between, so pings, watch events and
// other sockets are never kept waiting behind all the views. A socket that stops reading is held
// back (its messages would pile up in server memory); once it drains it gets the deltas it missed,
// or a snapshot when they are no longer kept.
import type { Server, Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents, SocketData, SourceStatusMessage, ViewSubscribed } from '../../shared/protocol/events.ts';
import type { SourceStatus } from '../../shared/model/status.ts';
import { normalizeView, viewIdOf, type ViewSpec } from '../../shared/protocol/view.ts';
import type { LiveDelta } from '../live/live-engine.ts';
import type { EngineState } from '../views/view-model.ts';
import { ViewRoom, type RoomBuild } from './view-room.ts';

export type HubServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
export type HubSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export interface ViewHubOptions {
  /** Current engine state, read when a room flushes. */
  state(): EngineState;
  /** The engine state at a past instant (from the history), for views with `at`; absent: no history. */
  past?(at: string): EngineState;
  /** What is watched, for snapshots and status. */
  source(): string;
  /** Source status with event times (views carry it without them). */
  fullStatus(): SourceStatus;
  /** Minimum time between two deltas of a room. */
  intervalMs?: number;
  /** Packets queued on a socket before it counts as not reading. */
  lagPackets?: number;
  /** Bytes buffered in a socket's WebSocket before it counts as not reading. */
  lagBytes?: number;
}

/** New rooms are built in slices of 10 ms with 10 ms pauses: half the event loop at most. */
export const ROOM_BUILD: RoomBuild = { sliced: { sliceMs: 10, gapMs: 10 } };

const lagRoom = (viewId: string) => `lag:${viewId}`;

/** A past instant the history cannot show; the message says why. */
export class ViewUnavailable extends Error {}

/** Packets engine.io holds for a socket because the previous write has not gone out yet. */
function queuedPackets(socket: HubSocket): number {
  return (socket.conn as unknown as { writeBuffer?: unknown[] }).writeBuffer?.length ?? 0;
}

/** Bytes the socket's WebSocket holds in user space (not yet taken by the kernel). */
function bufferedBytes(socket: HubSocket): number {
  return (socket.conn as unknown as { transport?: { socket?: { bufferedAmount?: number } } }).transport?.socket?.bufferedAmount ?? 0;
}

/** Read-only diagnostics of one connected socket (benchmarks, debugging). */
export interface SocketStats {
  id: string;
  /** Packets waiting in engine.io's write buffer. */
  queuedPackets: number;
  /** Bytes written to the WebSocket but not yet taken by the kernel. */
  bufferedBytes: number;
  /** Views whose deltas are held back because the socket is not reading. */
  laggingViews: number;
  /** Views whose snapshot is being prepared for it. */
  awaitingSnapshot: number;
}

export class ViewHub {
  readonly rooms = new Map<string, ViewRoom>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastFlush = -Infinity;
  private flushing = false;
  private stopped = false;
  private statusChanged = false;
  /** Lagging sockets are checked even while the cluster is quiet. */
  private readonly lagCheck = setInterval(() => this.checkLagging(), 1000).unref();

  constructor(
    private readonly io: HubServer,
    private readonly options: ViewHubOptions,
  ) {}

  /** Folds an engine delta into every live room and schedules a flush. */
  onEngineDelta(d: LiveDelta): void {
    for (const room of this.rooms.values()) if (!room.past) room.absorb(d);
    if (d.status) this.statusChanged = true;
    this.schedule();
  }

  sourceStatus(): SourceStatusMessage {
    const s = this.options.state();
    return {
      source: this.options.source(),
      status: this.options.fullStatus(),
      unknown: s.unknown === 'all' ? 'all' : [...s.unknown].sort(),
      lastEventAt: s.at,
      seq: s.seq,
    };
  }

  /** Joins the socket to the view's room; the snapshot follows (see `catchUp`). */
  subscribe(socket: HubSocket, view: ViewSpec): ViewSubscribed {
    const spec = normalizeView(view);
    const viewId = viewIdOf(spec);
    let room = this.rooms.get(viewId);
    if (!room) {
      room = this.newRoom(viewId, spec);
      this.rooms.set(viewId, room);
    }
    void socket.join(viewId);
    socket.data.views.add(viewId);
    this.catchUp(socket, room, null);
    return { viewId, view: spec, seq: room.seq };
  }

  unsubscribe(socket: HubSocket, viewId: string): boolean {
    if (!socket.data.views.delete(viewId)) return false;
    void socket.leave(viewId);
    this.release(socket, viewId);
    this.dropIfUnwatched(viewId);
    return true;
  }

  /** After a disconnect: rooms nobody watches are dropped. */
  forget(socket: HubSocket): void {
    for (const viewId of socket.data.views) this.dropIfUnwatched(viewId);
  }

  /** Replays what the socket missed after `seq`, or sends a snapshot. */
  resync(socket: HubSocket, viewId: string, seq: number): { mode: 'replay' | 'snapshot'; deltas: number } | null {
    const room = this.rooms.get(viewId);
    if (!room || !socket.data.views.has(viewId)) return null;
    return this.catchUp(socket, room, seq);
  }

  /** The live engine state, or the state at a past instant (throws ViewUnavailable when there is none). */
  stateAt(at: string | undefined): EngineState {
    if (at === undefined) return this.options.state();
    if (!this.options.past) throw new ViewUnavailable('this server keeps no history (it runs with --no-history)');
    return this.options.past(at);
  }

  /** Per connected socket: what the server holds for it (see SocketStats). */
  socketStats(): SocketStats[] {
    return [...this.io.of('/').sockets.values()].map((s) => {
      const held = [...s.data.held.values()];
      return { id: s.id, queuedPackets: queuedPackets(s), bufferedBytes: bufferedBytes(s), laggingViews: held.filter((h) => h !== null).length, awaitingSnapshot: held.filter((h) => h === null).length };
    });
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.lagCheck);
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    for (const room of this.rooms.values()) room.close();
    this.rooms.clear();
  }

  /**
   * A room whose view is built in slices (half a second for the M cluster's workload view would
   * hold every other socket up): the snapshot follows once it is built, and so do the events that
   * came in meanwhile.
   */
  private newRoom(viewId: string, spec: ViewSpec): ViewRoom {
    const room = new ViewRoom(viewId, spec, this.stateAt(spec.at), this.options.source, ROOM_BUILD);
    room.ready.then(
      () => {
        if (room.pending) this.schedule();
      },
      // Not expected (our own data); its sockets are disconnected by catchUp and subscribe again.
      () => {
        if (this.rooms.get(viewId) === room) this.rooms.delete(viewId);
      },
    );
    return room;
  }

  private dropIfUnwatched(viewId: string): void {
    const sockets = this.io.of('/').adapter.rooms.get(viewId);
    if (!sockets || sockets.size === 0) {
      this.rooms.get(viewId)?.close();
      this.rooms.delete(viewId);
    }
  }

  private schedule(): void {
    if (this.timer !== null || this.flushing || this.stopped) return;
    const wait = Math.max(0, this.lastFlush + (this.options.intervalMs ?? 100) - performance.now());
    this.timer = setTimeout(() => void this.flush(), wait);
  }

  private async flush(): Promise<void> {
    this.timer = null;
    this.flushing = true;
    this.lastFlush = performance.now();
    try {
      for (const room of [...this.rooms.values()]) {
        if (this.stopped) return;
        if (!room.pending || this.rooms.get(room.viewId) !== room) continue;
        this.flushRoom(room);
        // Let sockets, pings and watch events in before the next view.
        await new Promise((resolve) => setImmediate(resolve));
      }
      if (this.statusChanged) {
        this.statusChanged = false;
        this.io.emit('source:status', this.sourceStatus());
      }
      this.checkLagging();
    } finally {
      this.flushing = false;
      // Events that came in while the rooms were updated.
      if ([...this.rooms.values()].some((r) => r.pending) || this.statusChanged) this.schedule();
    }
  }

  private flushRoom(room: ViewRoom): void {
    const delta = room.flush(this.options.state());
    if (delta) this.io.to(room.viewId).except(lagRoom(room.viewId)).emit('view:delta', delta);
  }

  /**
   * Brings a socket's view up to date: the deltas after `fromSeq` when the room still has them,
   * else a (shared, possibly slightly older) snapshot followed by the deltas since. Until that is
   * sent the socket is held back from the room's deltas, so nothing arrives out of order.
   */
  private catchUp(socket: HubSocket, room: ViewRoom, fromSeq: number | null): { mode: 'replay' | 'snapshot'; deltas: number } {
    const replay = fromSeq === null ? null : room.replayFrom(fromSeq);
    if (replay) {
      for (const d of replay) socket.emit('view:delta', d);
      this.release(socket, room.viewId);
      return { mode: 'replay', deltas: replay.length };
    }
    this.hold(socket, room.viewId, null);
    room.catchUp().then(
      ({ snapshot, deltas }) => {
        // Unsubscribed, disconnected or already caught up meanwhile: nothing to send.
        if (!socket.connected || socket.data.held.get(room.viewId) !== null) return;
        socket.emit('view:snapshot', snapshot);
        for (const d of deltas) socket.emit('view:delta', d);
        this.release(socket, room.viewId);
      },
      // A room closed meanwhile (nobody watched it any more) has nothing to send. Anything else is
      // not expected (our own data, zlib): the client reconnects, subscribes again and gets another try.
      () => {
        if (!room.closed) socket.disconnect(true);
      },
    );
    return { mode: 'snapshot', deltas: 0 };
  }

  private hold(socket: HubSocket, viewId: string, lastSeq: number | null): void {
    socket.data.held.set(viewId, lastSeq);
    void socket.join(lagRoom(viewId));
  }

  private release(socket: HubSocket, viewId: string): void {
    socket.data.held.delete(viewId);
    void socket.leave(lagRoom(viewId));
  }

  /** Sockets that stopped reading are held back; those that drained get what they missed. */
  private checkLagging(): void {
    const limit = this.options.lagPackets ?? 16;
    const bytesLimit = this.options.lagBytes ?? 4 * 1024 * 1024;
    for (const socket of this.io.of('/').sockets.values()) {
      const queued = queuedPackets(socket);
      const bytes = bufferedBytes(socket);
      const backedUp = queued >= limit || bytes >= bytesLimit;
      const drained = queued === 0 && bytes < bytesLimit / 4;
      for (const viewId of socket.data.views) {
        const room = this.rooms.get(viewId);
        if (!room) continue;
        const held = socket.data.held.get(viewId);
        // It has been sent every delta up to the room's seq; the rest waits until it reads again.
        if (held === undefined && backedUp) this.hold(socket, viewId, room.seq);
        else if (held !== undefined && held !== null && drained) this.catchUp(socket, room, held);
      }
    }
  }
}
