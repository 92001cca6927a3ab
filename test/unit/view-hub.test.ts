// The hub's flow control, with sockets whose write buffers the test controls: a socket that stops
// reading is held back while the others keep getting deltas, and once it drains it gets exactly
// what it missed (a replay, or a snapshot plus the deltas since when the replay is gone).
import { afterEach, describe, expect, it } from 'vitest';
import type { SourceEvent } from '../../server/cluster/source.ts';
import { engineState } from '../../server/live/engine-state.ts';
import { LiveEngine } from '../../server/live/live-engine.ts';
import { generateScaleCluster, SCALE_PRESETS } from '../../server/sim/scale-cluster.ts';
import { ViewHub, type HubServer, type HubSocket } from '../../server/socket/view-hub.ts';
import { decodeSnapshot, stateFromBody } from '../../shared/protocol/codec.ts';
import type { ViewSnapshotMessage } from '../../shared/protocol/events.ts';
import { applyViewDelta, type ViewDelta, type ViewSpec, type ViewState } from '../../shared/protocol/view.ts';
import { comparable } from '../support/view-client.ts';
import { RESOURCE_KINDS } from '../../shared/model/status.ts';

interface Received {
  event: string;
  message: unknown;
}

/** The parts of a socket.io socket the hub uses; `writeBuffer` stands for engine.io's queue. */
class FakeSocket {
  readonly data = { views: new Set<string>(), held: new Map<string, number | null>() };
  readonly rooms = new Set<string>();
  readonly conn = { writeBuffer: [] as unknown[] };
  readonly received: Received[] = [];
  connected = true;
  constructor(readonly id: string) {}
  emit(event: string, message: unknown): void {
    this.received.push({ event, message });
  }
  join(room: string): void {
    this.rooms.add(room);
  }
  leave(room: string): void {
    this.rooms.delete(room);
  }
  disconnect(): void {
    this.connected = false;
  }
}

/** The parts of a socket.io server the hub uses, with rooms as sets on the sockets. */
class FakeIo {
  readonly sockets = new Map<string, FakeSocket>();
  of() {
    const rooms = new Map<string, Set<string>>();
    for (const s of this.sockets.values()) for (const r of s.rooms) rooms.set(r, (rooms.get(r) ?? new Set()).add(s.id));
    return { sockets: this.sockets, adapter: { rooms } };
  }
  to(room: string) {
    return {
      except: (excluded: string) => ({
        emit: (event: string, message: unknown) => {
          for (const s of this.sockets.values()) if (s.rooms.has(room) && !s.rooms.has(excluded)) s.emit(event, message);
        },
      }),
    };
  }
  emit(event: string, message: unknown): void {
    for (const s of this.sockets.values()) s.emit(event, message);
  }
}

const VIEW: ViewSpec = { level: 'namespace', namespaces: 'all' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function pod(namespace: string, name: string, app: string) {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, uid: `${namespace}-${name}`, labels: { app } }, spec: {}, status: { podIP: undefined } };
}

let hub: ViewHub | null = null;
afterEach(() => hub?.stop());

function setup() {
  const live = new LiveEngine({ analysis: { ipBlockMatchesPods: false } });
  for (const resource of RESOURCE_KINDS) live.apply({ type: 'status', resource, status: { state: 'synced', syncedOnce: true } } as SourceEvent);
  for (const ns of ['shop', 'data']) live.apply({ type: 'upsert', resource: 'namespaces', object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { team: ns } } } });
  live.flush();
  const io = new FakeIo();
  hub = new ViewHub(io as unknown as HubServer, { state: () => engineState(live), source: () => 'test', fullStatus: () => live.state.status(), intervalMs: 0, lagPackets: 4 });
  let n = 0;
  /** One pod more: every namespace view changes (its pod count). */
  const change = async () => {
    n++;
    live.apply({ type: 'upsert', resource: 'pods', object: pod(n % 2 ? 'shop' : 'data', `p${n}`, `app${n % 3}`) });
    hub!.onEngineDelta(live.flush()!);
    // The flush runs on a timer and yields between rooms.
    for (let i = 0; i < 5 && [...hub!.rooms.values()].some((r) => r.pending); i++) await sleep(5);
    await sleep(5);
  };
  const connect = (id: string) => {
    const s = new FakeSocket(id);
    io.sockets.set(id, s);
    return s;
  };
  return { io, change, connect };
}

/** What a client holding everything `socket` received would show, checking the seq chain on the way. */
async function clientState(socket: FakeSocket): Promise<{ state: ViewState; outOfOrder: number }> {
  let state: ViewState | null = null;
  let outOfOrder = 0;
  for (const { event, message } of socket.received) {
    if (event === 'view:snapshot') state = stateFromBody(await decodeSnapshot(message as ViewSnapshotMessage));
    else if (event === 'view:delta' && state) {
      const d = message as ViewDelta;
      if (d.seq <= state.seq) continue;
      if (!applyViewDelta(state, d)) outOfOrder++;
    }
  }
  if (!state) throw new Error(`${socket.id} got no snapshot`);
  return { state, outOfOrder };
}

const until = async (test: () => boolean, what: string) => {
  for (let i = 0; i < 200 && !test(); i++) await sleep(10);
  if (!test()) throw new Error(`timed out waiting for ${what}`);
};
const deltasOf = (s: FakeSocket) => s.received.filter((r) => r.event === 'view:delta').length;
const snapshotsOf = (s: FakeSocket) => s.received.filter((r) => r.event === 'view:snapshot').length;

describe('view hub flow control', () => {
  it('holds back a socket that stops reading, keeps the others current, and replays what it missed', async () => {
    const { change, connect } = setup();
    const slow = connect('slow');
    const reader = connect('reader');
    const { viewId } = hub!.subscribe(slow as unknown as HubSocket, VIEW);
    hub!.subscribe(reader as unknown as HubSocket, VIEW);
    await until(() => snapshotsOf(slow) === 1 && snapshotsOf(reader) === 1, 'the snapshots');
    await change();
    expect(deltasOf(slow)).toBe(1);

    // It stops reading: its queue fills, and the check after the next flush holds it back, noting
    // the last seq it was sent.
    slow.conn.writeBuffer.push(...Array.from({ length: 4 }, () => 'packet'));
    await change();
    const lastSent = slow.received.filter((r) => r.event === 'view:delta').at(-1)!.message as ViewDelta;
    expect(slow.data.held.get(viewId)).toBe(lastSent.seq);
    const slowDeltas = deltasOf(slow);
    const readerDeltas = deltasOf(reader);
    for (let i = 0; i < 10; i++) await change();
    expect(deltasOf(slow)).toBe(slowDeltas);
    expect(deltasOf(reader)).toBe(readerDeltas + 10);

    // It reads again: the next check sends exactly the ten deltas it missed, in order.
    slow.conn.writeBuffer.length = 0;
    await change();
    expect(slow.data.held.has(viewId)).toBe(false);
    expect(snapshotsOf(slow)).toBe(1);
    const room = hub!.rooms.get(viewId)!;
    for (const socket of [slow, reader]) {
      const { state, outOfOrder } = await clientState(socket);
      expect(outOfOrder).toBe(0);
      expect(comparable(state)).toEqual(comparable(room.model.state));
    }
  });

  it('sends a socket that missed more than the room keeps a snapshot plus the deltas since', async () => {
    const { change, connect } = setup();
    const slow = connect('slow');
    const { viewId } = hub!.subscribe(slow as unknown as HubSocket, VIEW);
    await until(() => snapshotsOf(slow) === 1, 'the snapshot');
    slow.conn.writeBuffer.push(...Array.from({ length: 4 }, () => 'packet'));
    for (let i = 0; i < 260; i++) await change();
    expect(slow.data.held.has(viewId)).toBe(true);
    slow.conn.writeBuffer.length = 0;
    await change();
    await until(() => snapshotsOf(slow) === 2, 'the second snapshot');
    await until(() => !slow.data.held.has(viewId), 'the release');
    const { state, outOfOrder } = await clientState(slow);
    expect(outOfOrder).toBe(0);
    expect(comparable(state)).toEqual(comparable(hub!.rooms.get(viewId)!.model.state));
  });

  it('encodes one snapshot for subscribers that come within a short while, and brings each to the current seq', async () => {
    const { change, connect } = setup();
    const first = connect('first');
    const { viewId } = hub!.subscribe(first as unknown as HubSocket, VIEW);
    await until(() => snapshotsOf(first) === 1, 'the first snapshot');
    await change();
    await change();
    const second = connect('second');
    const subscribed = hub!.subscribe(second as unknown as HubSocket, VIEW);
    await until(() => snapshotsOf(second) === 1, 'the second snapshot');
    const bodies = [first, second].map((s) => (s.received.find((r) => r.event === 'view:snapshot')!.message as ViewSnapshotMessage).body);
    expect(bodies[1]).toBe(bodies[0]);
    // The shared snapshot is two deltas old: they follow it, and the client reaches the seq it was promised.
    expect(deltasOf(second)).toBe(2);
    const { state } = await clientState(second);
    expect(state.seq).toBe(subscribed.seq);
    expect(comparable(state)).toEqual(comparable(hub!.rooms.get(viewId)!.model.state));
  });
});

describe('rooms built in slices', () => {
  it('drops a room whose last socket leaves while it is built, and keeps the socket', async () => {
    // The S cluster's workload view: its build takes more than one 10 ms slice.
    const live = new LiveEngine({ analysis: { ipBlockMatchesPods: true }, coalesceMs: 0 });
    for (const resource of RESOURCE_KINDS) live.apply({ type: 'status', resource, status: { state: 'synced', syncedOnce: true } } as SourceEvent);
    const kinds = { Pod: 'pods', Namespace: 'namespaces', NetworkPolicy: 'networkpolicies' } as const;
    for (const o of generateScaleCluster({ ...SCALE_PRESETS.S, seed: 5 }) as { kind: keyof typeof kinds }[]) live.apply({ type: 'upsert', resource: kinds[o.kind], object: o });
    live.flush();
    const io = new FakeIo();
    hub = new ViewHub(io as unknown as HubServer, { state: () => engineState(live), source: () => 'test', fullStatus: () => live.state.status(), intervalMs: 0 });
    const socket = new FakeSocket('leaves');
    io.sockets.set(socket.id, socket);
    const spec: ViewSpec = { level: 'workload', namespaces: 'all' };

    const { viewId } = hub.subscribe(socket as unknown as HubSocket, spec);
    const room = hub.rooms.get(viewId)!;
    expect(room.replayFrom(room.seq), 'still being built').toBeNull();
    expect(hub.unsubscribe(socket as unknown as HubSocket, viewId)).toBe(true);
    expect(hub.rooms.has(viewId)).toBe(false);
    await expect(room.ready).rejects.toThrow(/closed before it was built/);
    await sleep(50);
    expect(socket.connected).toBe(true);
    expect(snapshotsOf(socket)).toBe(0);

    // Back again: a new room, built, and its snapshot sent.
    hub.subscribe(socket as unknown as HubSocket, spec);
    await until(() => snapshotsOf(socket) === 1, 'the snapshot');
    expect(socket.connected).toBe(true);
    live.stop();
  });
});
