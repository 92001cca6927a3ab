// The socket benchmark's processes (bench/socket.ts and its children socket-server.ts and
// socket-clients.ts): the messages they exchange, a typed link over the IPC channel, and the clock
// they share.
import type { ChildProcess } from 'node:child_process';
import type { ViewSpec } from '../shared/protocol/view.ts';
import type { ProfileSummary } from './cpu-profile.ts';

/** Epoch milliseconds with sub-ms resolution: comparable between processes of one machine. */
export const now = (): number => performance.timeOrigin + performance.now();

/** The namespace the benchmark writes its marker pods to (created at start, never deleted). */
export const MARKER_NS = 'bench-marker';

/** Marker pod number n (from 1). */
export const markerName = (n: number): string => `marker-${n}`;

/** The marker number a view node stands for (pod or workload level), or null. */
export function markerOf(nodeId: string): number | null {
  const m = new RegExp(`^${MARKER_NS}/marker-(\\d+)(\\[Pod\\])?$`).exec(nodeId);
  return m ? Number(m[1]) : null;
}

/** Which kind of view a client holds; decides how it recognizes a marker. */
export type ClientKind = 'namespace' | 'workload' | 'pod' | 'port';

export interface ClientSpec {
  id: number;
  kind: ClientKind;
  view: ViewSpec;
  /** Holds the view's state and applies every delta (the others check the stream and note markers). */
  full: boolean;
}

/** A sample of what the server holds for its sockets. */
export interface ServerSample {
  at: number;
  rssMB: number;
  sockets: number;
  /** Sockets with at least one view held back. */
  lagging: number;
  maxQueuedPackets: number;
  maxBufferedBytes: number;
  /** The sockets held back (lagging), by socket id: what the server holds for each. */
  held: { id: string; queuedPackets: number; bufferedBytes: number }[];
  /** Each room's seq (by viewId). */
  roomSeqs: Record<string, number>;
}

export interface ServerMeasured {
  seconds: number;
  /** CPU time (user + system) over the run, in % of one core. */
  cpuPercent: number;
  rssStartMB: number;
  rssEndMB: number;
  rssMaxMB: number;
  /** Event-loop delay over the run (ms). */
  loopP99: number;
  loopMax: number;
  /** Engine deltas and the source events they applied. */
  deltas: number;
  events: number;
  /** Garbage collection over the run: total and longest pause (ms). */
  gcMs: number;
  gcMaxMs: number;
  /** When the engine's delta added marker pod n: `markerApplied[n - 1]` (epoch ms). */
  markerApplied: (number | null)[];
  /** Per view: when the room's delta first showed marker n (sent to its sockets right after). */
  roomSent: Record<string, (number | null)[]>;
  /** With SOCKET_CPU_PROF: the run's CPU profile file and where the time went. */
  profile?: { file: string } & ProfileSummary;
}

export type ToServer = { type: 'measure:start' } | { type: 'measure:end' } | { type: 'settle' } | { type: 'stop' };
export type FromServer =
  | { type: 'ready'; url: string; pods: number; syncMs: number }
  | ({ type: 'sample' } & ServerSample)
  | ({ type: 'measured' } & ServerMeasured)
  /** Every room's seq once nothing changed for a while. */
  | { type: 'settled'; rooms: Record<string, number> };

export interface ClientResult {
  id: number;
  kind: ClientKind;
  full: boolean;
  viewId: string;
  /** When a message the client received (a full client: its applied state) first showed marker n: `seen[n - 1]` (epoch ms), null when it never did. */
  seen: (number | null)[];
  deltas: number;
  /** Deltas whose prevSeq was not the last seq received. */
  outOfOrder: number;
  /** Resyncs the client had to ask for (ViewSubscription saw a gap). */
  resyncs: number;
  /** Snapshots received (1 = only the one after subscribing). */
  snapshots: number;
  /** When the socket was dropped (epoch ms; null: connected to the end) and why. Clients do not reconnect. */
  droppedAt: number | null;
  dropReason: string | null;
  errors: string[];
}

export type ToClients =
  | { type: 'start'; url: string; clients: ClientSpec[] }
  | { type: 'measure:start' }
  | { type: 'measure:end' }
  | { type: 'verify'; rooms: Record<string, number> }
  | { type: 'collect' }
  | { type: 'stop' };
export type FromClients =
  | { type: 'ready'; setupMs: number; heapMB: number }
  /** `checked`: the clients still connected; `atSeq`: those at their room's seq; `full` of them hold a state, `equal` of those equal a fresh snapshot. */
  | { type: 'verified'; checked: number; atSeq: number; full: number; equal: number; problems: string[] }
  | { type: 'collected'; clients: ClientResult[]; cpuPercent: number; receivedMB: number; seconds: number };

type Typed = { type: string };

/** Typed messages over a child's (or the parent's) IPC channel. */
export class Link<In extends Typed, Out extends Typed> {
  private readonly waiters: { type: string; resolve: (m: In) => void; reject: (e: Error) => void }[] = [];
  private readonly listeners = new Map<string, (m: In) => void>();

  constructor(
    private readonly name: string,
    private readonly channel: ChildProcess | NodeJS.Process,
  ) {
    channel.on('message', (m: In) => {
      const i = this.waiters.findIndex((w) => w.type === m.type);
      if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve(m);
      else this.listeners.get(m.type)?.(m);
    });
    // A child whose parent is gone has nobody to report to.
    if (channel === process) channel.on('disconnect', () => process.exit(1));
    channel.on('exit', (code: number | null) => {
      for (const w of this.waiters.splice(0)) w.reject(new Error(`${this.name} exited with ${code} while awaiting "${w.type}"`));
    });
  }

  send(message: Out): void {
    if (this.channel.connected) this.channel.send?.(message);
  }

  /** The next message of this type (rejects when the process exits or after the timeout). */
  next<T extends In['type']>(type: T, timeoutMs = 600_000): Promise<Extract<In, { type: T }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name}: no "${type}" within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({
        type,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m as Extract<In, { type: T }>);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
    });
  }

  /** Every message of this type nobody awaits. */
  on<T extends In['type']>(type: T, listener: (m: Extract<In, { type: T }>) => void): void {
    this.listeners.set(type, listener as (m: In) => void);
  }
}
