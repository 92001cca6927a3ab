// A live view for components: subscribes to the spec (re-subscribing when it changes), applies
// snapshots and deltas through the shared ViewSubscription, and bumps `version` on every change
// so computed values recompute. The state itself is not deeply reactive: 10k nodes stay cheap.
//
// Components that ask for the same view at once (a view and the detail panel) share one
// subscription, counted: `view:unsubscribe` leaves the server-side room for the whole socket, so
// one of them closing must not stop the others' deltas.
import { onScopeDispose, ref, shallowRef, watch, type Ref, type ShallowRef } from 'vue';
import { ViewSubscription } from '../../shared/protocol/subscription.ts';
import { viewIdOf, type ViewDelta, type ViewSpec, type ViewState } from '../../shared/protocol/view.ts';
import { useSocket } from '../socket.ts';

export interface LiveView {
  state: ShallowRef<ViewState | null>;
  /** Bumped on every snapshot and delta. */
  version: Ref<number>;
  /** Node ids touched by the last delta (for a short highlight). */
  changed: ShallowRef<ReadonlySet<string>>;
  error: Ref<string | null>;
}

interface Consumer {
  change(state: ViewState, changed: ReadonlySet<string>): void;
  error(message: string): void;
}

interface Shared {
  sub: ViewSubscription;
  consumers: Set<Consumer>;
  close(): void;
}

const shared = new Map<string, Shared>();

function acquire(view: ViewSpec, consumer: Consumer): () => void {
  const viewId = viewIdOf(view);
  let entry = shared.get(viewId);
  if (!entry) {
    const socket = useSocket();
    const consumers = new Set<Consumer>();
    let lastTouched: Set<string> = new Set();
    const s = new ViewSubscription(socket, view, {
      change: (st, cause) => {
        const changed = cause === 'delta' ? lastTouched : new Set<string>();
        for (const c of consumers) c.change(st, changed);
      },
      error: (message) => {
        for (const c of consumers) c.error(message);
      },
    });
    const track = (d: ViewDelta) => {
      if (d.viewId === s.viewId) lastTouched = new Set([...d.nodes.upsert.map((n) => n.id), ...d.cells.upsert.flatMap(([f, t]) => [f, t])]);
    };
    socket.on('view:delta', track);
    const subscribe = () =>
      s.subscribe().catch((e: unknown) => {
        for (const c of consumers) c.error(e instanceof Error ? e.message : String(e));
      });
    if (socket.connected) void subscribe();
    else socket.once('connect', () => void subscribe());
    entry = {
      sub: s,
      consumers,
      close: () => {
        s.close();
        socket.off('view:delta', track);
      },
    };
    shared.set(viewId, entry);
  } else if (entry.sub.state) {
    // Joining a view that is already live: start from its current state.
    consumer.change(entry.sub.state, new Set());
  }
  entry.consumers.add(consumer);
  const held = entry;
  return () => {
    held.consumers.delete(consumer);
    if (held.consumers.size === 0 && shared.get(viewId) === held) {
      shared.delete(viewId);
      held.close();
    }
  };
}

export function useLiveView(spec: () => ViewSpec | null): LiveView {
  const state = shallowRef<ViewState | null>(null);
  const version = ref(0);
  const changed = shallowRef<ReadonlySet<string>>(new Set());
  const error = ref<string | null>(null);
  let release = () => {};

  const open = (view: ViewSpec | null) => {
    release();
    release = () => {};
    state.value = null;
    if (!view) return;
    release = acquire(view, {
      change: (st, touched) => {
        state.value = st;
        changed.value = touched;
        version.value++;
      },
      error: (message) => (error.value = message),
    });
  };

  watch(() => (spec() ? viewIdOf(spec()!) : null), () => open(spec()), { immediate: true });
  onScopeDispose(() => release());
  return { state, version, changed, error };
}
