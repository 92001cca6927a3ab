// Keeps every subscribed view current: engine deltas are folded into the rooms, and at most ~10
// times a second each room computes one view delta and sends it, encoded once, to its sockets.
// A socket that stops reading is left out (its messages would pile up in server memory) and gets
// a fresh snapshot once it drains.
import type { Server, Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents, SocketData, SourceStatusMessage } from '../../shared/protocol/events.ts';
import type { SourceStatus } from '../../shared/model/status.ts';
import { normalizeView, viewIdOf, type ViewSpec } from '../../shared/protocol/view.ts';
import type { LiveDelta } from '../live/live-engine.ts';
import type { EngineState } from '../views/view-model.ts';
import { ViewRoom } from './view-room.ts';

export type HubServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
export type HubSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export interface ViewHubOptions {
  /** Current engine state, read when a room flushes. */
  state(): EngineState;
  /** What is watched, for snapshots and status. */
  source(): string;
  /** Source status with event times (views carry it without them). */
  fullStatus(): SourceStatus;
  /** Minimum time between two deltas of a room. */
  intervalMs?: number;
  /** Packets queued on a socket before it counts as not reading. */
  lagPackets?: number;
}

const lagRoom = (viewId: string) => `lag:${viewId}`;

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
}

export class ViewHub {
  readonly rooms = new Map<string, ViewRoom>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastFlush = -Infinity;
  private statusChanged = false;
  /** Lagging sockets are checked even while the cluster is quiet. */
  private readonly lagCheck = setInterval(() => this.checkLagging(), 1000).unref();

  constructor(
    private readonly io: HubServer,
    private readonly options: ViewHubOptions,
  ) {}

  /** Folds an engine delta into every room and schedules a flush. */
  onEngineDelta(d: LiveDelta): void {
    for (const room of this.rooms.values()) room.absorb(d);
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

  subscribe(socket: HubSocket, view: ViewSpec): { viewId: string; view: ViewSpec } {
    const spec = normalizeView(view);
    const viewId = viewIdOf(spec);
    let room = this.rooms.get(viewId);
    if (!room) {
      room = new ViewRoom(viewId, spec, this.options.state(), this.options.source);
      this.rooms.set(viewId, room);
    } else if (room.pending) {
      this.flushRoom(room);
    }
    void socket.join(viewId);
    socket.data.views.add(viewId);
    socket.emit('view:snapshot', room.snapshot());
    return { viewId, view: spec };
  }

  unsubscribe(socket: HubSocket, viewId: string): boolean {
    if (!socket.data.views.delete(viewId)) return false;
    void socket.leave(viewId);
    void socket.leave(lagRoom(viewId));
    socket.data.lagging.delete(viewId);
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
    const deltas = room.replayFrom(seq);
    if (deltas) {
      for (const d of deltas) socket.emit('view:delta', d);
      return { mode: 'replay', deltas: deltas.length };
    }
    socket.emit('view:snapshot', room.snapshot());
    return { mode: 'snapshot', deltas: 0 };
  }

  /** Per connected socket: what the server holds for it (see SocketStats). */
  socketStats(): SocketStats[] {
    return [...this.io.of('/').sockets.values()].map((s) => ({ id: s.id, queuedPackets: queuedPackets(s), bufferedBytes: bufferedBytes(s), laggingViews: s.data.lagging.size }));
  }

  stop(): void {
    clearInterval(this.lagCheck);
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.rooms.clear();
  }

  private dropIfUnwatched(viewId: string): void {
    const sockets = this.io.of('/').adapter.rooms.get(viewId);
    if (!sockets || sockets.size === 0) this.rooms.delete(viewId);
  }

  private schedule(): void {
    if (this.timer !== null) return;
    const wait = Math.max(0, this.lastFlush + (this.options.intervalMs ?? 100) - performance.now());
    this.timer = setTimeout(() => this.flush(), wait);
  }

  private flush(): void {
    this.timer = null;
    this.lastFlush = performance.now();
    for (const room of this.rooms.values()) if (room.pending) this.flushRoom(room);
    if (this.statusChanged) {
      this.statusChanged = false;
      this.io.emit('source:status', this.sourceStatus());
    }
    this.checkLagging();
  }

  private flushRoom(room: ViewRoom): void {
    const delta = room.flush(this.options.state());
    if (delta) this.io.to(room.viewId).except(lagRoom(room.viewId)).emit('view:delta', delta);
  }

  /** Sockets that stopped reading are held back; those that drained get a fresh snapshot. */
  private checkLagging(): void {
    const limit = this.options.lagPackets ?? 16;
    for (const socket of this.io.of('/').sockets.values()) {
      const queued = queuedPackets(socket);
      for (const viewId of socket.data.views) {
        const lagging = socket.data.lagging.has(viewId);
        if (!lagging && queued >= limit) {
          socket.data.lagging.add(viewId);
          void socket.join(lagRoom(viewId));
        } else if (lagging && queued === 0) {
          socket.data.lagging.delete(viewId);
          void socket.leave(lagRoom(viewId));
          const room = this.rooms.get(viewId);
          if (room) socket.emit('view:snapshot', room.snapshot());
        }
      }
    }
  }
}
