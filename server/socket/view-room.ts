// Everyone watching one view: one ViewModel, one encoded snapshot shared by everyone who needs
// one for a while, and the recent deltas kept for clients that missed some (a replay is cheaper
// than a snapshot, and a slightly old snapshot plus the deltas since is cheaper than a new one).
import { promisify } from 'node:util';
import { deflateRaw } from 'node:zlib';
import { snapshotTextSteps } from '../../shared/protocol/codec.ts';
import type { ViewSnapshotMessage } from '../../shared/protocol/events.ts';
import type { ViewDelta, ViewSpec } from '../../shared/protocol/view.ts';
import type { LiveDelta } from '../live/live-engine.ts';
import { isEmptyDelta, ViewModel, type ChangeHint, type EngineState } from '../views/view-model.ts';
import { runInSlices, sliced, type Slicing } from '../run-in-slices.ts';

/** Deltas kept for replay. */
const REPLAY_LIMIT = 256;
/**
 * How long an encoded snapshot is reused (with the deltas since). Encoding the M cluster's
 * workload view takes most of a second (in slices: the event loop stays free); newcomers within
 * this window share it.
 */
const SNAPSHOT_REUSE_MS = 3000;

const deflate = promisify(deflateRaw);

/** A snapshot and the deltas that bring it to the room's current seq. */
export interface CatchUp {
  snapshot: ViewSnapshotMessage;
  deltas: ViewDelta[];
}

/** How a room builds its view: at once, or in slices of the event loop (see `ViewModel`). */
export type RoomBuild = 'now' | { sliced: Pick<Slicing<unknown>, 'sliceMs' | 'gapMs'> };

export class ViewRoom {
  readonly model: ViewModel;
  /**
   * Settles when the view is built (rejected when the room is closed first); until then the room
   * sends nothing and holds its events.
   */
  readonly ready: Promise<void>;
  private built = false;
  private stopBuild: (() => void) | null = null;
  private isClosed = false;
  private readonly recent: ViewDelta[] = [];
  private hint = ViewRoom.noHint();
  private pendingEvents = false;
  private encoded: { message: ViewSnapshotMessage; at: number } | null = null;
  private encoding: Promise<ViewSnapshotMessage> | null = null;

  constructor(
    readonly viewId: string,
    readonly spec: ViewSpec,
    input: EngineState,
    private readonly source: () => string,
    build: RoomBuild = 'now',
  ) {
    this.model = new ViewModel(viewId, spec, input, build === 'now' ? 'now' : 'steps');
    if (build === 'now') {
      this.built = true;
      this.ready = Promise.resolve();
    } else {
      // Events that come in meanwhile are absorbed as usual and applied by the first flush after.
      this.ready = new Promise<void>((resolve, reject) => {
        const cancel = sliced(this.model.buildSteps!, {
          ...build.sliced,
          done: () => {
            this.built = true;
            this.stopBuild = null;
            resolve();
          },
          failed: reject,
        });
        // (The first slice runs at once and may have built it already.)
        if (!this.built) {
          this.stopBuild = () => {
            cancel();
            reject(new Error(`view ${viewId}: closed before it was built`));
          };
        }
      });
      // A room closed with nobody waiting must not be an unhandled rejection (Node would exit):
      // those who wait still see it.
      this.ready.catch(() => undefined);
    }
  }

  /** Nobody watches any more: a build still going is stopped. */
  close(): void {
    this.isClosed = true;
    this.stopBuild?.();
    this.stopBuild = null;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  private static noHint() {
    return { full: false, rows: new Set<string>(), cols: new Set<string>(), touched: new Set<string>() };
  }

  get seq(): number {
    return this.model.state.seq;
  }

  /** A past instant's view: computed once from the history, never updated. */
  get past(): boolean {
    return this.spec.at !== undefined;
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

  /** Events wait for a flush (and the view is built: before that there is nothing to update). */
  get pending(): boolean {
    return this.built && this.pendingEvents;
  }

  /** Brings the view up to the engine; returns the delta to send, or null when nothing visible changed. */
  flush(input: EngineState): ViewDelta | null {
    const hint: ChangeHint = this.hint;
    this.hint = ViewRoom.noHint();
    this.pendingEvents = false;
    const delta = this.model.update(input, hint);
    if (isEmptyDelta(delta)) return null;
    this.recent.push(delta);
    if (this.recent.length > REPLAY_LIMIT) this.recent.shift();
    return delta;
  }

  /** The deltas after `seq`, when they are all still here (null: send a snapshot). */
  replayFrom(seq: number): ViewDelta[] | null {
    if (!this.built) return null;
    if (seq === this.seq) return [];
    const start = this.recent.findIndex((d) => d.prevSeq === seq);
    return start < 0 ? null : this.recent.slice(start);
  }

  /**
   * A snapshot and the deltas since it, for a client that needs the whole state. The snapshot is
   * encoded at most once per SNAPSHOT_REUSE_MS, in slices of the event loop, compressed off it,
   * and shared.
   */
  async catchUp(): Promise<CatchUp> {
    await this.ready;
    for (;;) {
      const cached = this.encoded;
      if (cached && performance.now() - cached.at < SNAPSHOT_REUSE_MS) {
        const deltas = this.replayFrom(cached.message.seq);
        if (deltas) return { snapshot: cached.message, deltas };
      }
      this.encoding ??= this.encode().finally(() => (this.encoding = null));
      const message = await this.encoding;
      // Read the deltas after the await: the room may have moved on while compressing.
      const deltas = this.replayFrom(message.seq);
      if (deltas) return { snapshot: message, deltas };
    }
  }

  private async encode(): Promise<ViewSnapshotMessage> {
    // The state is read in the first slice: the snapshot is of this seq, the deltas since follow it.
    const seq = this.seq;
    // Half the event loop at most: the other rooms' deltas go on while a newcomer waits.
    const json = await runInSlices(snapshotTextSteps(this.model.state, this.source()), 10, 10);
    const message: ViewSnapshotMessage = { viewId: this.viewId, seq, encoding: 'deflate-raw+json', body: await deflate(json) };
    this.encoded = { message, at: performance.now() };
    return message;
  }
}
