// The comparison on screen: while time travel's "What changed since" panel (TimeDiff) is open, the
// past instant it compares with now. The matrix and the graph read it and highlight the changes at
// their own level; each level's diff is fetched once (`GET /api/v1/history/diff`) and shared with
// the panel's list.
import { onScopeDispose, reactive, ref, shallowRef, watch, type Ref, type ShallowRef } from 'vue';
import type { ConnectivityDiff } from '../../shared/diff/types.ts';
import type { Group } from '../../shared/matrix/matrix.ts';
import { getJson } from '../api.ts';
import type { UnknownNamespaces } from '../diff-view.ts';

/** One side of a diff of instants: when, whether live, and the namespaces whose policies were unknown. */
export interface InstantSide {
  at: string;
  live: boolean;
  unknown: UnknownNamespaces;
}

export type InstantDiff = ConnectivityDiff & { a: InstantSide; b: InstantSide };

export interface Compare {
  /** The past instant (ISO) compared with now; null when no comparison is open. */
  since: string | null;
  /** The views highlight the changes (the user may turn it off while the list stays open). */
  highlight: boolean;
}

export const compare = reactive<Compare>({ since: null, highlight: true });

const diffs = new Map<string, Promise<InstantDiff>>();

/** Opens (or moves) the comparison; a new instant forgets the diffs of the previous one. */
export function openCompare(since: string): void {
  if (compare.since === since) return;
  diffs.clear();
  compare.since = since;
  compare.highlight = true;
}

export function closeCompare(): void {
  diffs.clear();
  compare.since = null;
  compare.highlight = true;
}

/** The diff from `since` to now at a level, fetched once while the comparison stays open. */
export function loadDiff(since: string, group: Group): Promise<InstantDiff> {
  const key = `${since}|${group}`;
  let diff = diffs.get(key);
  if (!diff) {
    diff = getJson<InstantDiff>('/api/v1/history/diff', { a: since, b: 'live', group });
    diffs.set(key, diff);
    // A failed request is asked again next time.
    diff.catch(() => diffs.get(key) === diff && diffs.delete(key));
  }
  return diff;
}

export interface ComparedDiff {
  since: Ref<string | null>;
  diff: ShallowRef<InstantDiff | null>;
  error: Ref<string | null>;
  busy: Ref<boolean>;
}

/**
 * The diff at `group` from `since` (by default the open comparison's instant) to now, following
 * both; null while there is no comparison.
 */
export function useComparedDiff(group: () => Group, since: () => string | null = () => compare.since): ComparedDiff {
  const current = ref<string | null>(null);
  const diff = shallowRef<InstantDiff | null>(null);
  const error = ref<string | null>(null);
  const busy = ref(false);
  let asked = 0;
  const load = async (at: string | null, level: Group) => {
    const ticket = ++asked;
    current.value = at;
    diff.value = null;
    error.value = null;
    if (!at) {
      busy.value = false;
      return;
    }
    busy.value = true;
    try {
      const result = await loadDiff(at, level);
      if (ticket === asked) diff.value = result;
    } catch (e) {
      if (ticket === asked) error.value = e instanceof Error ? e.message : String(e);
    } finally {
      if (ticket === asked) busy.value = false;
    }
  };
  watch([since, group], ([at, level]) => void load(at, level), { immediate: true });
  onScopeDispose(() => void asked++);
  return { since: current, diff, error, busy };
}
