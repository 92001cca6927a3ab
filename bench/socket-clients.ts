// Socket benchmark, clients child: many socket.io clients, one socket and one view each, every one
// applying the deltas to its own state with ViewSubscription (as the dashboard does). Each client
// notes when its state first shows each marker pod, and checks that every delta follows the one
// before it; at the end each state is compared with a fresh snapshot of its view.
import { isDeepStrictEqual } from 'node:util';
import type { Socket } from 'socket.io-client';
import { request, ViewSubscription } from '../shared/protocol/subscription.ts';
import type { ViewSnapshotMessage, ViewSubscribed } from '../shared/protocol/events.ts';
import { viewIdOf, type ViewDelta, type ViewState } from '../shared/protocol/view.ts';
import { comparable, connect } from '../test/support/view-client.ts';
import { Link, MARKER_NS, markerName, now, type ClientKind, type ClientResult, type ClientSpec, type FromClients, type ToClients } from './socket-ipc.ts';

/**
 * Subscriptions in flight at once during setup, per process. The server answers each subscribe
 * with a freshly encoded snapshot (~0.7 s of blocked event loop for the workload view): a burst of
 * them blocks it long enough for engine.io's ping timeout (20 s) to drop every socket.
 */
const SETUP_CONCURRENCY = 1;
/**
 * Setup is not measured, and can be slow: the server encodes a snapshot per subscriber (the
 * workload view's takes ~0.7 s of server CPU under churn, as the cached one is outdated by then).
 */
const SETUP_TIMEOUT_MS = 600_000;

const link = new Link<ToClients, FromClients>('parent', process);

/** Whether the state shows marker pod n (markers are never deleted, so namespace counts only grow). */
function showsMarker(kind: ClientKind, state: ViewState, n: number): boolean {
  switch (kind) {
    case 'namespace':
    case 'port':
      return (state.nodes.get(MARKER_NS)?.pods ?? 0) >= n;
    case 'workload':
      return state.nodes.has(`${MARKER_NS}/${markerName(n)}[Pod]`);
    case 'pod':
      return state.nodes.has(`${MARKER_NS}/${markerName(n)}`);
  }
}

interface Client {
  spec: ClientSpec;
  socket: Socket;
  sub: ViewSubscription;
  result: ClientResult;
}

const clients: Client[] = [];
let receivedBytes = 0;
let measure: { start: number; cpu: NodeJS.CpuUsage; bytes: number } | null = null;
let measured: { seconds: number; cpuPercent: number; receivedMB: number } | null = null;

async function open(url: string, spec: ClientSpec): Promise<Client> {
  // The server is busy sending the others their snapshots: give the handshake time.
  const socket = await connect(url, { timeoutMs: SETUP_TIMEOUT_MS });
  const result: ClientResult = { id: spec.id, kind: spec.kind, viewId: viewIdOf(spec.view), seen: [], deltas: 0, outOfOrder: 0, resyncs: 0, snapshots: 0, droppedAt: null, dropReason: null, errors: [] };
  let next = 1;
  const sub = new ViewSubscription(socket, spec.view, {
    change: (state) => {
      while (showsMarker(spec.kind, state, next)) result.seen[next++ - 1] = now();
    },
    gap: () => result.resyncs++,
    error: (message) => result.errors.push(message),
  });
  // The raw stream, independent of ViewSubscription: each delta must follow the message before it.
  let lastSeq: number | null = null;
  socket.on('view:snapshot', (m: ViewSnapshotMessage) => {
    if (m.viewId !== sub.viewId) return;
    result.snapshots++;
    lastSeq = m.seq;
  });
  socket.on('view:delta', (d: ViewDelta) => {
    if (d.viewId !== sub.viewId) return;
    result.deltas++;
    if (d.prevSeq !== lastSeq) result.outOfOrder++;
    lastSeq = d.seq;
  });
  socket.on('disconnect', (reason: string) => {
    result.droppedAt ??= now();
    result.dropReason ??= reason;
    console.error(`[socket clients ${process.pid}] client ${spec.id} disconnected: ${reason}`);
  });
  socket.io.engine.on('packet', (p: { data?: unknown }) => {
    receivedBytes += typeof p.data === 'string' ? p.data.length : p.data instanceof ArrayBuffer || ArrayBuffer.isView(p.data) ? p.data.byteLength : 0;
  });
  // Not sub.subscribe(): its 10 s answer timeout is too short here (see SETUP_TIMEOUT_MS).
  await request(socket, 'view:subscribe', { view: spec.view }, SETUP_TIMEOUT_MS);
  await sub.waitFor(() => true, SETUP_TIMEOUT_MS);
  return { spec, socket, sub, result };
}

async function start(url: string, specs: ClientSpec[]): Promise<void> {
  const t0 = performance.now();
  const queue = [...specs];
  await Promise.all(
    Array.from({ length: SETUP_CONCURRENCY }, async () => {
      for (let spec = queue.shift(); spec; spec = queue.shift()) {
        clients.push(await open(url, spec));
        if (clients.length % 20 === 0) console.error(`[socket clients ${process.pid}] ${clients.length} of ${specs.length} subscribed after ${((performance.now() - t0) / 1000).toFixed(0)} s`);
      }
    }),
  );
  globalThis.gc?.();
  link.send({ type: 'ready', setupMs: performance.now() - t0, heapMB: process.memoryUsage().heapUsed / 2 ** 20 });
}

/** waitFor checks its deadline only between queued tasks: this bounds a task that never ends, too. */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Every client reaches its room's seq, then equals a fresh snapshot of its view (one per distinct view). */
async function verify(url: string, rooms: Record<string, number>): Promise<void> {
  const problems: string[] = [];
  let equal = 0;
  // Dropped clients (counted apart) stopped at some seq: only the connected ones can be compared.
  const connected = clients.filter((c) => c.socket.connected);
  await Promise.all(
    connected.map(async (c) => {
      const seq = rooms[c.sub.viewId];
      if (seq === undefined) problems.push(`client ${c.spec.id}: no room for ${c.sub.viewId}`);
      else await withTimeout(c.sub.waitFor((s) => s.seq === seq, 60_000), 70_000).catch((e: Error) => problems.push(`client ${c.spec.id}: ${e.message}`));
    }),
  );
  const fresh = await connect(url, { timeoutMs: SETUP_TIMEOUT_MS });
  const byView = new Map<string, Client[]>();
  for (const c of connected) byView.set(c.sub.viewId, [...(byView.get(c.sub.viewId) ?? []), c]);
  for (const group of byView.values()) {
    const check = new ViewSubscription(fresh, group[0]!.spec.view);
    const { seq } = await request<ViewSubscribed>(fresh, 'view:subscribe', { view: check.view }, SETUP_TIMEOUT_MS);
    // The snapshot can be a little older than the subscription: the deltas since follow it.
    const expected = comparable(await withTimeout(check.waitFor((s) => s.seq >= seq, SETUP_TIMEOUT_MS), SETUP_TIMEOUT_MS));
    for (const c of group) {
      // Comparing a workload view takes a while: let pings through between clients.
      await new Promise((r) => setImmediate(r));
      if (c.sub.state && isDeepStrictEqual(comparable(c.sub.state), expected)) equal++;
      else problems.push(`client ${c.spec.id} (${c.sub.viewId}): state differs from a fresh snapshot (seq ${c.sub.state?.seq} vs ${check.state!.seq})`);
    }
    check.close();
  }
  fresh.disconnect();
  link.send({ type: 'verified', checked: connected.length, equal, problems });
}

let url = '';
const fail = (e: unknown) => {
  console.error(`[socket clients] ${e instanceof Error ? e.stack : String(e)}`);
  process.exit(1);
};
link.on('start', (m) => {
  url = m.url;
  start(m.url, m.clients).catch(fail);
});
link.on('measure:start', () => {
  measure = { start: performance.now(), cpu: process.cpuUsage(), bytes: receivedBytes };
});
link.on('measure:end', () => {
  if (!measure) return;
  const seconds = (performance.now() - measure.start) / 1000;
  const cpu = process.cpuUsage(measure.cpu);
  measured = { seconds, cpuPercent: ((cpu.user + cpu.system) / 1e6 / seconds) * 100, receivedMB: (receivedBytes - measure.bytes) / 2 ** 20 };
});
link.on('verify', (m) => verify(url, m.rooms).catch(fail));
link.on('collect', () => {
  link.send({ type: 'collected', clients: clients.map((c) => c.result), cpuPercent: measured?.cpuPercent ?? NaN, receivedMB: measured?.receivedMB ?? NaN, seconds: measured?.seconds ?? NaN });
});
link.on('stop', () => {
  for (const c of clients) c.socket.disconnect();
  process.exit(0);
});
