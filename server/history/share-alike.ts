// A prepared instant crosses from the worker thread to the main thread by structured clone, whose
// reading on the main thread is in the way of a diff (the other side waits for it). The clone
// writes an object once however often it is referenced, so pods of one ReplicaSet are made to
// share their equal labels, ports and owner: a third of the objects to read for the M cluster.
// Nothing changes a pod's parts in place (a changed pod is a new object), so sharing is safe.
import type { OwnerRef, Pod } from '../../shared/model/types.ts';
import type { PreparedEngine } from './object-set.ts';

/** The same `prepared`, with equal pod parts made one object. */
export function shareAlike(prepared: PreparedEngine): PreparedEngine {
  const pods = prepared.load.quiet?.cluster.pods;
  if (!pods) return prepared;
  // Labels, ports and owners hold only strings and numbers: equal JSON is equal content.
  const labels = interner<Pod['labels']>();
  const ports = interner<Pod['ports']>();
  const owners = interner<OwnerRef>();
  for (const pod of pods) {
    pod.labels = labels(pod.labels);
    pod.ports = ports(pod.ports);
    if (pod.owner) pod.owner = owners(pod.owner);
  }
  return prepared;
}

/** The first value seen with each content. */
function interner<T>(): (value: T) => T {
  const seen = new Map<string, T>();
  return (value) => {
    const key = JSON.stringify(value);
    const known = seen.get(key);
    if (known !== undefined) return known;
    seen.set(key, value);
    return value;
  };
}
