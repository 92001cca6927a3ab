// Everyone watching one view: one ViewModel, one encoded snapshot per seq, and the recent deltas
// kept for clients that missed some (a replay is cheaper than a snapshot).
import { deflateRawSync } from 'node:zlib';
import { snapshotBody } from '../../shared/protocol/codec.ts';
import type { ViewSnapshotMessage } from '../../shared/protocol/events.ts';
import type { ViewDelta, ViewSpec } from '../../shared/protocol/view.ts';
import type { LiveDelta } from '../live/live-engine.ts';
import { isEmptyDelta, ViewModel, type ChangeHint, type EngineState } from '../views/view-model.ts';

/** Deltas kept for replay. */
const REPLAY_LIMIT = 256;

export class ViewRoom {
  readonly model: ViewModel;
  private readonly recent: ViewDelta[] = [];
  private hint = ViewRoom.noHint();
  private pendingEvents = false;
  private encoded: ViewSnapshotMessage | null = null;

  constructor(
    readonly viewId: string,
    readonly spec: ViewSpec,
    input: EngineState,
    private readonly source: () => string,
  ) {
    this.model = new ViewModel(viewId, spec, input);
  }

  private static noHint() {
    return { full: false, rows: new Set<string>(), cols: new Set<string>(), touched: new Set<string>() };
  }

  get seq(): number {
    return this.model.state.seq;
  }

  /** Notes what an engine delta may have changed; the work waits for `flush`. */
  absorb(d: LiveDelta): void {
    this.pendingEvents = true;
    if (d.externals) this.hint.full = true;
    const moved = [...d.pods.added, ...d.pods.removed, ...d.isolation.map((i) => i.pod)];
    for (const pod of [...d.sources, ...moved]) this.hint.rows.add(pod);
    for (const pod of [...d.destinations, ...moved]) this.hint.cols.add(pod);
    for (const pod of d.touched) this.hint.touched.add(pod);
  }

  get pending(): boolean {
    return this.pendingEvents;
  }

  /** Brings the view up to the engine; returns the delta to send, or null when nothing visible changed. */
  flush(input: EngineState): ViewDelta | null {
    const hint: ChangeHint = this.hint;
    this.hint = ViewRoom.noHint();
    this.pendingEvents = false;
    const delta = this.model.update(input, hint);
    if (isEmptyDelta(delta)) return null;
    this.encoded = null;
    this.recent.push(delta);
    if (this.recent.length > REPLAY_LIMIT) this.recent.shift();
    return delta;
  }

  /** The deltas after `seq`, when they are all still here (null: send a snapshot). */
  replayFrom(seq: number): ViewDelta[] | null {
    if (seq === this.seq) return [];
    const start = this.recent.findIndex((d) => d.prevSeq === seq);
    return start < 0 ? null : this.recent.slice(start);
  }

  /** The current state, encoded once per seq for every client that needs it. */
  snapshot(): ViewSnapshotMessage {
    if (!this.encoded || this.encoded.seq !== this.seq) {
      const json = JSON.stringify(snapshotBody(this.model.state, this.source()));
      this.encoded = { viewId: this.viewId, seq: this.seq, encoding: 'deflate-raw+json', body: deflateRawSync(json) };
    }
    return this.encoded;
  }
}
