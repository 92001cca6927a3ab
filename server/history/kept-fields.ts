// What the history keeps of a pod: the fields the loader reads (shared/kube/metadata.ts, pod.ts,
// pod-spec.ts) and its identity, nothing else. Images, resources, conditions and timestamps are a
// pod's bulk and change often, but never change the analysis: dropping them makes the history a
// third of the size and a rebuild's parse and garbage a third of the work. Only pods the loader has
// nothing to say about are cut down (the others keep every field, so their diagnostics stay the
// same); test/unit/history-kept-fields.test.ts checks the loader reads the same pod from both.
import type { JsonObject } from '../cluster/normalize.ts';

type Json = Record<string, unknown>;

const isMap = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The listed fields of `o` that are present. */
function pick(o: unknown, keys: readonly string[]): Json {
  const kept: Json = {};
  if (!isMap(o)) return kept;
  for (const k of keys) if (o[k] !== undefined) kept[k] = o[k];
  return kept;
}

const METADATA = ['name', 'namespace', 'uid', 'labels', 'ownerReferences', 'deletionTimestamp'] as const;

/** A pod the loader reads without a diagnostic, cut down to what it reads. */
export function keptPod(pod: JsonObject): JsonObject {
  // No apiVersion or kind: the state gives every pod its kind, and a pod's apiVersion is not read.
  const kept: JsonObject = {};
  const metadata = pick(pod['metadata'], METADATA);
  // Only the first controller reference is read, and of it only these fields.
  const owners = metadata['ownerReferences'];
  if (Array.isArray(owners)) {
    const controller = owners.find((o) => isMap(o) && o['controller'] === true);
    if (controller === undefined) delete metadata['ownerReferences'];
    else metadata['ownerReferences'] = [pick(controller, ['kind', 'name', 'controller'])];
  }
  kept['metadata'] = metadata;
  if (isMap(pod['spec'])) {
    const spec = pick(pod['spec'], ['hostNetwork']);
    const containers = pod['spec']['containers'];
    // A container without ports offers nothing to a policy.
    if (Array.isArray(containers)) spec['containers'] = containers.filter((c) => isMap(c) && c['ports'] !== undefined).map((c) => pick(c, ['ports']));
    kept['spec'] = spec;
  }
  if (isMap(pod['status'])) {
    const podIPs = pod['status']['podIPs'];
    // `podIP` is read only when `podIPs` gives no address.
    const status = pick(pod['status'], Array.isArray(podIPs) && podIPs.length > 0 ? ['phase', 'podIPs'] : ['phase', 'podIP', 'podIPs']);
    const statuses = pod['status']['containerStatuses'];
    const deleting = metadata['deletionTimestamp'] !== undefined && metadata['deletionTimestamp'] !== null && metadata['deletionTimestamp'] !== '';
    // Read only for whether every container of a pod being deleted has terminated.
    if (deleting && Array.isArray(statuses)) status['containerStatuses'] = statuses.map((s) => ({ state: pick(isMap(s) ? s['state'] : undefined, ['terminated']) }));
    kept['status'] = status;
  }
  return kept;
}
