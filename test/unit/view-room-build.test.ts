// A room built in slices (as the hub builds every new room): the event loop runs between the
// slices, events that come in meanwhile wait, the built view is the one of the state the build
// started from, and the first flush after brings it to the engine's state exactly.
import { describe, expect, it } from 'vitest';
import { engineState } from '../../server/live/engine-state.ts';
import { LiveEngine } from '../../server/live/live-engine.ts';
import { generateScaleCluster, SCALE_PRESETS } from '../../server/sim/scale-cluster.ts';
import { ViewRoom } from '../../server/socket/view-room.ts';
import { ViewModel } from '../../server/views/view-model.ts';
import { RESOURCE_KINDS } from '../../shared/model/status.ts';
import { viewIdOf, type ViewSpec } from '../../shared/protocol/view.ts';
import { comparable } from '../support/view-client.ts';

type Raw = { kind: string; metadata: { name: string; labels?: Record<string, string> } };
const RESOURCE = { Pod: 'pods', Namespace: 'namespaces', NetworkPolicy: 'networkpolicies' } as const;

describe('a room built in slices', () => {
  it.each<ViewSpec>([
    { level: 'workload', namespaces: 'all' },
    { level: 'namespace', namespaces: 'all', port: { protocol: 'TCP', port: 5432 } },
    { level: 'pod', namespaces: 'all' },
  ])('lets the event loop run, holds events meanwhile, then equals a view built at once: %j', async (spec) => {
    const objects = generateScaleCluster({ ...SCALE_PRESETS.S, seed: 3 }) as Raw[];
    const live = new LiveEngine({ analysis: { ipBlockMatchesPods: true }, coalesceMs: 0 });
    for (const resource of RESOURCE_KINDS) live.apply({ type: 'status', resource, status: { state: 'synced', syncedOnce: true } });
    for (const o of objects) live.apply({ type: 'upsert', resource: RESOURCE[o.kind as keyof typeof RESOURCE], object: o });
    live.flush();
    const start = engineState(live);
    const viewId = viewIdOf(spec);
    // Slices of no time: every step of the build is a slice of its own.
    const room = new ViewRoom(viewId, spec, start, () => 'test', { sliced: { sliceMs: 0, gapMs: 0 } });

    // Turns of the event loop while the room builds.
    let turns = 0;
    let built = false;
    const spin = () => {
      turns++;
      if (!built) setImmediate(spin);
    };
    setImmediate(spin);
    // Meanwhile pods go and come: the room holds the events until it is built.
    const pods = objects.filter((o) => o.kind === 'Pod');
    for (const pod of pods.slice(0, 40)) live.apply({ type: 'delete', resource: 'pods', object: pod });
    for (const pod of pods.slice(40, 60)) live.apply({ type: 'upsert', resource: 'pods', object: { ...pod, metadata: { ...pod.metadata, labels: { ...pod.metadata.labels, app: 'moved' } } } });
    room.absorb(live.flush()!);
    expect(room.pending).toBe(false);
    expect(room.replayFrom(start.seq)).toBeNull();

    await room.ready;
    built = true;
    expect(turns, 'event-loop turns during the build').toBeGreaterThan(1);
    expect(comparable(room.model.state)).toEqual(comparable(new ViewModel(viewId, spec, start).state));
    expect(room.pending).toBe(true);
    const delta = room.flush(engineState(live));
    expect(delta).not.toBeNull();
    expect(comparable(room.model.state, { seq: false })).toEqual(comparable(new ViewModel(viewId, spec, engineState(live)).state, { seq: false }));
    live.stop();
  });
});

describe('a room closed before it is built', () => {
  it('stops building, and says so to whoever waits for it', async () => {
    const objects = generateScaleCluster({ ...SCALE_PRESETS.S, seed: 4 }) as Raw[];
    const live = new LiveEngine({ analysis: { ipBlockMatchesPods: true }, coalesceMs: 0 });
    for (const resource of RESOURCE_KINDS) live.apply({ type: 'status', resource, status: { state: 'synced', syncedOnce: true } });
    for (const o of objects) live.apply({ type: 'upsert', resource: RESOURCE[o.kind as keyof typeof RESOURCE], object: o });
    live.flush();
    const spec: ViewSpec = { level: 'workload', namespaces: 'all' };
    const room = new ViewRoom(viewIdOf(spec), spec, engineState(live), () => 'test', { sliced: { sliceMs: 0, gapMs: 0 } });
    const snapshot = room.catchUp();
    await new Promise((resolve) => setImmediate(resolve));
    room.close();
    expect(room.closed).toBe(true);
    await expect(room.ready).rejects.toThrow(/closed before it was built/);
    await expect(snapshot).rejects.toThrow(/closed before it was built/);
    // The build stopped where it was: steps are left, and nothing runs them any more, however long
    // we wait (as many turns as the whole build has steps).
    const steps = new ViewModel(viewIdOf(spec), spec, engineState(live), 'steps').buildSteps!;
    let count = 0;
    while (!steps.next().done) count++;
    expect(count).toBeGreaterThan(10);
    for (let i = 0; i < count + 10; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(room.model.buildSteps!.next().done).toBe(false);
    expect(room.pending).toBe(false);
    live.stop();
  });

  it('is no unhandled rejection when nobody waits for it (Node would end the process)', async () => {
    const live = new LiveEngine({ analysis: { ipBlockMatchesPods: true }, coalesceMs: 0 });
    for (const resource of RESOURCE_KINDS) live.apply({ type: 'status', resource, status: { state: 'synced', syncedOnce: true } });
    for (const o of generateScaleCluster({ ...SCALE_PRESETS.S, seed: 6 }) as Raw[]) live.apply({ type: 'upsert', resource: RESOURCE[o.kind as keyof typeof RESOURCE], object: o });
    live.flush();
    const unhandled: unknown[] = [];
    const note = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', note);
    try {
      const spec: ViewSpec = { level: 'workload', namespaces: 'all' };
      const room = new ViewRoom(viewIdOf(spec), spec, engineState(live), () => 'test', { sliced: { sliceMs: 0, gapMs: 0 } });
      await new Promise((resolve) => setImmediate(resolve));
      room.close();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(room.closed).toBe(true);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', note);
      live.stop();
    }
  });
});
