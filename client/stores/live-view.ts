// A live view for components: subscribes to the spec (re-subscribing when it changes), applies
// snapshots and deltas through the shared ViewSubscription, and bumps `version` on every change
// so computed values recompute. The state itself is not deeply reactive: 10k nodes stay cheap.
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

export function useLiveView(spec: () => ViewSpec | null): LiveView {
  const socket = useSocket();
  const state = shallowRef<ViewState | null>(null);
  const version = ref(0);
  const changed = shallowRef<ReadonlySet<string>>(new Set());
  const error = ref<string | null>(null);
  let sub: ViewSubscription | null = null;
  let stopTracking = () => {};

  const open = (view: ViewSpec | null) => {
    sub?.close();
    stopTracking();
    sub = null;
    state.value = null;
    if (!view) return;
    const s = new ViewSubscription(socket, view, {
      change: (st, cause) => {
        state.value = st;
        changed.value = cause === 'delta' ? lastTouched : new Set();
        version.value++;
      },
      error: (message) => (error.value = message),
    });
    let lastTouched: Set<string> = new Set();
    const track = (d: ViewDelta) => {
      if (d.viewId === s.viewId) lastTouched = new Set([...d.nodes.upsert.map((n) => n.id), ...d.cells.upsert.flatMap(([f, t]) => [f, t])]);
    };
    socket.on('view:delta', track);
    stopTracking = () => socket.off('view:delta', track);
    sub = s;
    const subscribe = () => s.subscribe().catch((e: unknown) => (error.value = e instanceof Error ? e.message : String(e)));
    if (socket.connected) void subscribe();
    else socket.once('connect', () => void subscribe());
  };

  watch(() => (spec() ? viewIdOf(spec()!) : null), () => open(spec()), { immediate: true });
  onScopeDispose(() => {
    sub?.close();
    stopTracking();
  });
  return { state, version, changed, error };
}
