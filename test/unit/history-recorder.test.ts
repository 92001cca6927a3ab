// When the recorder samples the posture: at once for the first change, then at most once a minute
// for pod events, but within 5 s of a policy, namespace or status change, even when pod events
// had already scheduled a later sample.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SourceEvent } from '../../server/cluster/source.ts';
import type { HistoryStore } from '../../server/history/history-store.ts';
import { HistoryRecorder } from '../../server/history/recorder.ts';
import type { LiveDelta, LiveEngine } from '../../server/live/live-engine.ts';

// The sample's content is tested in history-posture.test.ts; here only when it is taken.
vi.mock('../../server/history/posture.ts', () => ({
  // eslint-disable-next-line require-yield
  postureSteps: function* () {
    return {};
  },
}));
const empty = {};

function fakes() {
  const samples: number[] = [];
  let listener: ((d: LiveDelta) => void) | null = null;
  const engine = {
    analysis: empty,
    unknown: 'all',
    seq: 0,
    onDelta: (l: (d: LiveDelta) => void) => ((listener = l), () => (listener = null)),
  } as unknown as LiveEngine;
  const store = { record: () => {}, recordPosture: (_s: unknown, at: number) => samples.push(at) } as unknown as HistoryStore;
  const recorder = new HistoryRecorder(store, engine, { now: () => Date.now() });
  /** The engine applied these events (one batch). */
  const apply = (...events: SourceEvent[]) => {
    for (const e of events) recorder.observe(e);
    listener!({ events: events.length, at: new Date().toISOString(), seq: 1 } as unknown as LiveDelta);
  };
  return { samples, recorder, apply };
}

const pod: SourceEvent = { type: 'upsert', resource: 'pods', object: { metadata: { name: 'p', namespace: 'a' } } };
const policy: SourceEvent = { type: 'upsert', resource: 'networkpolicies', object: { metadata: { name: 'n', namespace: 'a' } } };

beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
afterEach(() => vi.useRealTimers());

describe('posture samples over time', () => {
  it('a policy change after pod events is sampled within 5 s, not a minute later', () => {
    const { samples, recorder, apply } = fakes();
    apply(policy);
    expect(samples).toEqual([1_000_000]);
    vi.advanceTimersByTime(100);
    apply(pod);
    vi.advanceTimersByTime(100);
    apply(policy);
    vi.advanceTimersByTime(4_800);
    expect(samples).toEqual([1_000_000, 1_005_000]);
    recorder.stop();
  });

  it('pod events alone are sampled at most once a minute, and the last one is not left out', () => {
    const { samples, recorder, apply } = fakes();
    apply(pod);
    for (let i = 0; i < 30; i++) {
      vi.advanceTimersByTime(1_000);
      apply(pod);
    }
    expect(samples).toEqual([1_000_000]);
    vi.advanceTimersByTime(30_000);
    expect(samples).toEqual([1_000_000, 1_060_000]);
    recorder.stop();
  });
});
