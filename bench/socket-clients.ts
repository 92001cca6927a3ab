// Socket benchmark, clients child: many socket.io clients, one socket and one view each. Every client
// checks that each delta follows the one before it and notes when a message first shows each marker
// pod. A few per view ("full" clients) also apply every delta to their own state with
// ViewSubscription, as the dashboard does, and their states are compared with a fresh snapshot at
// the end; the others keep no state (200 states of the workload view, 2.7 GB, made the client
// processes, not the server, set the latency on this 2-core machine).
import { isDeepStrictEqual } from 'node:util';
import type { Socket } from 'socket.io-client';
import { decodeSnapshot } from '../shared/protocol/codec.ts';
import { request, ViewSubscription } from '../shared/protocol/subscription.ts';
import type { ViewResynced, ViewSnapshotMessage, ViewSubscribed } from '../shared/protocol/events.ts';
import { viewIdOf, type ViewDelta, type ViewNode, type ViewState } from '../shared/protocol/view.ts';
import { comparable, connect } from '../test/support/view-client.ts';
import { Link, MARKER_NS, markerName, markerOf, now, type ClientKind, type ClientResult, type ClientSpec, type FromClients, type ToClients } from './socket-ipc.ts';

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

/** Notes the markers that nodes of a message show (namespace views: the marker namespace's pod count). */
function noteMarkers(kind: ClientKind, nodes: Iterable<ViewNode>, seen: (number | null)[], at: number): void {
  for (const node of nodes) {
    if (kind === 'namespace' || kind === 'port') {
      if (node.id === MARKER_NS) for (let n = node.pods; n >= 1 && seen[n - 1] === undefined; n--) seen[n - 1] = at;
    } else {
      const n = markerOf(node.id);
      if (n !== null) seen[n - 1] ??= at;
    }
  }
}

interface Client {
  spec: ClientSpec;
  socket: Socket;
  viewId: string;
  /** Full clients only. */
  sub: ViewSubscription | null;
  /** The last seq received (snapshot or delta). */
  seq: () => number | null;
  result: ClientResult;
}

const clients: Client[] = [];
let receivedBytes = 0;
let measure: { start: number; cpu: NodeJS.CpuUsage; bytes: number } | null = null;
let measured: { seconds: number; cpuPercent: number; receivedMB: number } | null = null;

async function open(url: string, spec: ClientSpec): Promise<Client> {
  // The server is busy sending the others their snapshots: give the handshake time.
  const socket = await connect(url, { timeoutMs: SETUP_TIMEOUT_MS });
  const viewId = viewIdOf(spec.view);
  const result: ClientResult = { id: spec.id, kind: spec.kind, full: spec.full, viewId, seen: [], deltas: 0, outOfOrder: 0, resyncs: 0, snapshots: 0, droppedAt: null, dropReason: null, errors: [] };
  // The raw stream, independent of ViewSubscription: each delta must follow the message before it.
  let lastSeq: number | null = null;
  let resyncing = false;
  let decoded: Promise<void> | null = null;
  socket.on('view:snapshot', (m: ViewSnapshotMessage) => {
    if (m.viewId !== viewId) return;
    result.snapshots++;
    lastSeq = m.seq;
    resyncing = false;
    // A full client notes markers from its applied state; the others from the snapshot's nodes.
    if (!spec.full) decoded = decodeSnapshot(m).then((body) => noteMarkers(spec.kind, body.nodes, result.seen, now()), (e: Error) => void result.errors.push(e.message));
  });
  socket.on('view:delta', (d: ViewDelta) => {
    if (d.viewId !== viewId) return;
    result.deltas++;
    const follows = d.prevSeq === lastSeq;
    if (!follows) result.outOfOrder++;
    lastSeq = d.seq;
    if (spec.full) return;
    noteMarkers(spec.kind, d.nodes.upsert, result.seen, now());
    // As ViewSubscription does: ask for what was missed (a replay, or a snapshot).
    if (!follows && !resyncing) {
      resyncing = true;
      result.resyncs++;
      request<ViewResynced>(socket, 'view:resync', { viewId, seq: lastSeq }).then(
        (r) => r.mode === 'replay' && (resyncing = false),
        (e: Error) => result.errors.push(e.message),
      );
    }
  });
  socket.on('disconnect', (reason: string) => {
    result.droppedAt ??= now();
    result.dropReason ??= reason;
    console.error(`[socket clients ${process.pid}] client ${spec.id} disconnected: ${reason}`);
  });
  socket.io.engine.on('packet', (p: { data?: unknown }) => {
    receivedBytes += typeof p.data === 'string' ? p.data.length : p.data instanceof ArrayBuffer || ArrayBuffer.isView(p.data) ? p.data.byteLength : 0;
  });
  let next = 1;
  const sub = spec.full
    ? new ViewSubscription(socket, spec.view, {
        change: (state) => {
          while (showsMarker(spec.kind, state, next)) result.seen[next++ - 1] = now();
        },
        gap: () => result.resyncs++,
        error: (message) => result.errors.push(message),
      })
    : null;
  // Not sub.subscribe(): its 10 s answer timeout is too short here (see SETUP_TIMEOUT_MS).
  await request(socket, 'view:subscribe', { view: spec.view }, SETUP_TIMEOUT_MS);
  // Ready once the snapshot is read (decoding the workload view's takes a while: not during the run).
  if (sub) await sub.waitFor(() => true, SETUP_TIMEOUT_MS);
  else await until(() => decoded !== null, SETUP_TIMEOUT_MS).then(() => decoded);
  return { spec, socket, viewId, sub, seq: () => lastSeq, result };
}

/** Resolves once `test` holds (checked every 10 ms), rejects after `ms`. */
async function until(test: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`not reached within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
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

/**
 * Every client reaches its room's seq through an unbroken chain of deltas; each full client's state
 * then equals a fresh snapshot of its view (one per distinct view).
 */
async function verify(url: string, rooms: Record<string, number>): Promise<void> {
  const problems: string[] = [];
  let atSeq = 0;
  let equal = 0;
  // Dropped clients (counted apart) stopped at some seq: only the connected ones can be compared.
  const connected = clients.filter((c) => c.socket.connected);
  await Promise.all(
    connected.map(async (c) => {
      const seq = rooms[c.viewId];
      if (seq === undefined) return problems.push(`client ${c.spec.id}: no room for ${c.viewId}`);
      const reached = c.sub ? () => c.sub!.state?.seq === seq : () => c.seq() === seq;
      await withTimeout(until(reached, 60_000), 70_000).then(
        () => atSeq++,
        (e: Error) => problems.push(`client ${c.spec.id}: seq ${seq} ${e.message} (at ${c.seq()})`),
      );
    }),
  );
  const full = connected.filter((c) => c.sub);
  const fresh = await connect(url, { timeoutMs: SETUP_TIMEOUT_MS });
  const byView = new Map<string, Client[]>();
  for (const c of full) byView.set(c.viewId, [...(byView.get(c.viewId) ?? []), c]);
  for (const group of byView.values()) {
    const check = new ViewSubscription(fresh, group[0]!.spec.view);
    const { seq } = await request<ViewSubscribed>(fresh, 'view:subscribe', { view: check.view }, SETUP_TIMEOUT_MS);
    // The snapshot can be a little older than the subscription: the deltas since follow it.
    const expected = comparable(await withTimeout(check.waitFor((s) => s.seq >= seq, SETUP_TIMEOUT_MS), SETUP_TIMEOUT_MS));
    for (const c of group) {
      // Comparing a workload view takes a while: let pings through between clients.
      await new Promise((r) => setImmediate(r));
      const state = c.sub!.state;
      if (state && isDeepStrictEqual(comparable(state), expected)) equal++;
      else problems.push(`client ${c.spec.id} (${c.viewId}): state differs from a fresh snapshot (seq ${state?.seq} vs ${check.state!.seq})`);
    }
    check.close();
  }
  fresh.disconnect();
  link.send({ type: 'verified', checked: connected.length, atSeq, full: full.length, equal, problems });
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
