// Feeds the history store from the running server: the source's events are held until the live
// engine applies them (its delta says how many, in order), then recorded with the delta's time
// and seq — so the past is rebuilt exactly as the engine showed it, batch for batch. Posture
// samples are taken from the engine now and then (and soon after a policy or status change),
// a few milliseconds at a time so that the server keeps answering meanwhile.
import type { SourceEvent } from '../cluster/source.ts';
import type { LiveDelta, LiveEngine } from '../live/live-engine.ts';
import type { HistoryStore } from './history-store.ts';
import { postureSteps, type PostureSample } from './posture.ts';
import { sliced } from '../run-in-slices.ts';

/** How long a posture sample may hold the event loop at a time (ms). */
const SLICE_MS = 10;
/**
 * The pause after each slice (ms): a sample takes at most half of the event loop, so that view
 * updates, which go room by room between I/O, are not each held up by a slice.
 */
const GAP_MS = 10;

export interface RecorderOptions {
  /** At most one posture sample this often (ms). Default 60 s. */
  postureIntervalMs?: number;
  /** ... or this often after a policy, namespace or status change (ms). Default 5 s. */
  postureAfterChangeMs?: number;
  now?: () => number;
  log?: (message: string) => void;
}

export class HistoryRecorder {
  private pending: SourceEvent[] = [];
  private readonly off: () => void;
  private lastSample = -Infinity;
  private trailing: NodeJS.Timeout | undefined;
  private trailingDue = Infinity;
  private sampling: { cancel(): void } | undefined;
  private readonly now: () => number;
  private readonly log: (message: string) => void;

  constructor(
    private readonly store: HistoryStore,
    private readonly engine: LiveEngine,
    private readonly options: RecorderOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.log = options.log ?? (() => {});
    this.off = engine.onDelta((d) => this.applied(d));
  }

  /** A source event, given to the engine right after. */
  observe(event: SourceEvent): void {
    this.pending.push(event);
  }

  private applied(delta: LiveDelta): void {
    if (delta.events > this.pending.length) {
      this.log(`history: the engine applied ${delta.events} events but ${this.pending.length} were seen; recording what was seen`);
    }
    const batch = this.pending.splice(0, delta.events);
    try {
      this.store.record(batch, Date.parse(delta.at), delta.seq);
    } catch (err) {
      this.log(`history: could not record a batch: ${(err as Error).message}`);
      return;
    }
    const structural = batch.some((e) => e.type === 'status' || e.resource !== 'pods');
    this.maybeSample(structural ? (this.options.postureAfterChangeMs ?? 5_000) : (this.options.postureIntervalMs ?? 60_000));
  }

  private maybeSample(minGap: number): void {
    const wait = this.lastSample + minGap - this.now();
    if (wait <= 0) {
      this.sample();
      return;
    }
    // Too soon: sample at the end of the wait, so the last change is not left out of the timeline.
    // A policy change after pod events brings a pending sample forward (5 s, not a minute).
    const due = this.now() + wait;
    if (this.trailing !== undefined && this.trailingDue <= due) return;
    if (this.trailing !== undefined) clearTimeout(this.trailing);
    this.trailingDue = due;
    this.trailing = setTimeout(() => {
      this.trailing = undefined;
      this.sample();
    }, wait);
    this.trailing.unref();
  }

  private sample(): void {
    if (this.trailing !== undefined) clearTimeout(this.trailing);
    this.trailing = undefined;
    this.lastSample = this.now();
    // A sample still being computed is of an older state: the new one replaces it.
    this.sampling?.cancel();
    const at = this.now();
    const seq = this.engine.seq;
    // Set before the first slice: a short sample finishes in it (and clears `sampling`).
    let cancel = () => {};
    this.sampling = { cancel: () => cancel() };
    cancel = sliced(postureSteps(this.engine.analysis, this.engine.unknown), {
      sliceMs: SLICE_MS,
      gapMs: GAP_MS,
      done: (sample) => this.finish(sample, at, seq),
      failed: (err) => {
        this.sampling = undefined;
        this.log(`history: could not sample the posture: ${err.message}`);
      },
    });
  }

  private finish(sample: PostureSample, at: number, seq: number): void {
    this.sampling = undefined;
    try {
      this.store.recordPosture(sample, at, seq);
    } catch (err) {
      this.log(`history: could not record the posture: ${(err as Error).message}`);
    }
  }

  stop(): void {
    this.off();
    this.sampling?.cancel();
    if (this.trailing !== undefined) clearTimeout(this.trailing);
    this.trailing = undefined;
  }
}
