// A snapshot encoded in steps (so the server goes on serving while it encodes a big view) is the
// same body as one built at once, and is of the state at its first step even when the view moves
// on between steps.
import { describe, expect, it } from 'vitest';
import type { ResourceKind } from '../../server/cluster/source.ts';
import { engineState } from '../../server/live/engine-state.ts';
import { LiveEngine } from '../../server/live/live-engine.ts';
import { runInSlices, sliced } from '../../server/run-in-slices.ts';
import { ViewModel } from '../../server/views/view-model.ts';
import { RESOURCE_KINDS } from '../../shared/model/status.ts';
import { snapshotBody, snapshotTextSteps, stateFromBody } from '../../shared/protocol/codec.ts';
import { viewIdOf, type ViewSpec } from '../../shared/protocol/view.ts';
import { randomCluster } from '../support/random-cluster.ts';
import { comparable } from '../support/view-client.ts';

const RESOURCE: Record<string, ResourceKind> = { Pod: 'pods', Namespace: 'namespaces', NetworkPolicy: 'networkpolicies' };
type Raw = { kind: string; metadata: { name: string; namespace?: string } };

function engineWith(objects: Raw[]): LiveEngine {
  const live = new LiveEngine({ analysis: { ipBlockMatchesPods: false } });
  for (const resource of RESOURCE_KINDS) live.apply({ type: 'status', resource, status: { state: 'synced', syncedOnce: true } });
  for (const object of objects) if (RESOURCE[object.kind]) live.apply({ type: 'upsert', resource: RESOURCE[object.kind]!, object });
  live.flush();
  return live;
}

const SPECS: ViewSpec[] = [
  { level: 'namespace', namespaces: 'all' },
  { level: 'workload', namespaces: 'all' },
  { level: 'pod', namespaces: 'all' },
];

function drain(steps: Generator<void, string>): { text: string; steps: number } {
  let n = 0;
  for (let step = steps.next(); ; step = steps.next(), n++) if (step.done) return { text: step.value, steps: n };
}

describe('snapshot text in steps', () => {
  for (let seed = 1; seed <= 20; seed++) {
    it(`random cluster ${seed}: same body as built at once`, () => {
      const live = engineWith(randomCluster(seed) as Raw[]);
      for (const spec of SPECS) {
        const model = new ViewModel(viewIdOf(spec), spec, engineState(live));
        const whole = snapshotBody(model.state, 'test');
        const { text, steps } = drain(snapshotTextSteps(model.state, 'test', 3));
        expect(JSON.parse(text)).toEqual(whole);
        // One step per 3 cells, and one to finish.
        expect(steps).toBe(Math.ceil(model.state.cells.size / 3) + 1);
      }
    });
  }

  it('is of the state at its first step, though the view changes before the last', () => {
    const objects = randomCluster(2) as Raw[];
    const pods = objects.filter((o) => o.kind === 'Pod');
    expect(pods.length).toBeGreaterThan(4);
    const live = engineWith(objects);
    const spec: ViewSpec = { level: 'workload', namespaces: 'all' };
    const model = new ViewModel(viewIdOf(spec), spec, engineState(live));
    const before = comparable(stateFromBody(snapshotBody(model.state, 'test')));
    const steps = snapshotTextSteps(model.state, 'test', 2);
    steps.next();
    for (const pod of pods.slice(0, 4)) live.apply({ type: 'delete', resource: 'pods', object: pod });
    live.flush();
    model.update(engineState(live), { full: true, rows: new Set(), cols: new Set(), touched: new Set() });
    expect(comparable(stateFromBody(snapshotBody(model.state, 'test')))).not.toEqual(before);
    expect(comparable(stateFromBody(JSON.parse(drain(steps).text)))).toEqual(before);
  });
});

describe('runInSlices', () => {
  it('lets other work run between slices and resolves with the result', async () => {
    const order: string[] = [];
    function* work(): Generator<void, number> {
      for (let i = 0; i < 5; i++) {
        order.push(`step ${i}`);
        const until = performance.now() + 3;
        while (performance.now() < until);
        yield;
      }
      return 42;
    }
    const done = runInSlices(work(), 1);
    setImmediate(() => order.push('other'));
    expect(await done).toBe(42);
    expect(order.indexOf('other')).toBeGreaterThan(0);
    expect(order.indexOf('other')).toBeLessThan(order.length - 1);
  });

  it('with a gap, pauses after each slice', async () => {
    let steps = 0;
    function* work(): Generator<void, number> {
      for (; steps < 4; steps++) {
        const until = performance.now() + 2;
        while (performance.now() < until);
        yield;
      }
      return steps;
    }
    const started = performance.now();
    expect(await runInSlices(work(), 1, 25)).toBe(4);
    // Four slices of one step each, three or more pauses of 25 ms between them.
    expect(performance.now() - started).toBeGreaterThanOrEqual(75);
  });

  it('once cancelled, runs no further step and never says done', async () => {
    let steps = 0;
    function* work(): Generator<void, number> {
      while (steps < 100) {
        const until = performance.now() + 2;
        while (performance.now() < until);
        steps++;
        yield;
      }
      return steps;
    }
    let done = false;
    const cancel = sliced(work(), { sliceMs: 1, done: () => (done = true), failed: (err) => expect.fail(err.message) });
    const ran = steps;
    cancel();
    await new Promise((r) => setTimeout(r, 50));
    expect(ran).toBeGreaterThan(0);
    expect(steps).toBe(ran);
    expect(done).toBe(false);
  });

  it('rejects when a step throws', async () => {
    function* failing(): Generator<void, number> {
      yield;
      throw new Error('bad step');
    }
    await expect(runInSlices(failing())).rejects.toThrow('bad step');
  });
});
