// Accumulates what a ClusterSource delivers, the way the live engine would: objects by
// namespace/name per resource (upsert replaces, delete removes), and the status history.
import type { ResourceKind, ResourceState, ResourceStatus, SourceEvent } from '../../server/cluster/source.ts';

type Json = Record<string, unknown>;

export class Collector {
  readonly events: SourceEvent[] = [];
  readonly objects: Record<ResourceKind, Map<string, Json>> = {
    pods: new Map(),
    namespaces: new Map(),
    networkpolicies: new Map(),
    adminnetworkpolicies: new Map(),
    baselineadminnetworkpolicies: new Map(),
  };
  readonly statuses: { resource: ResourceKind; status: ResourceStatus }[] = [];
  /** Deletes of objects the collector did not hold. */
  readonly strayDeletes: string[] = [];

  readonly listener = (event: SourceEvent): void => {
    this.events.push(event);
    if (event.type === 'status') {
      this.statuses.push({ resource: event.resource, status: event.status });
      return;
    }
    const object = event.object as Json;
    const key = keyOf(object);
    if (event.type === 'upsert') this.objects[event.resource].set(key, object);
    else if (!this.objects[event.resource].delete(key)) this.strayDeletes.push(`${event.resource} ${key}`);
  };

  /** The latest status per resource (and namespace). */
  latest(resource: ResourceKind, namespace?: string): ResourceStatus | undefined {
    for (let i = this.statuses.length - 1; i >= 0; i--) {
      const s = this.statuses[i]!;
      if (s.resource === resource && s.status.namespace === namespace) return s.status;
    }
    return undefined;
  }

  states(resource: ResourceKind, namespace?: string): ResourceState[] {
    return this.statuses.filter((s) => s.resource === resource && s.status.namespace === namespace).map((s) => s.status.state);
  }

  names(resource: ResourceKind): string[] {
    return [...this.objects[resource].keys()].sort();
  }

  /** namespace/name -> resourceVersion, to compare with the server. */
  versions(resource: ResourceKind): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [key, o] of this.objects[resource]) out[key] = String((o['metadata'] as Json)['resourceVersion']);
    return out;
  }
}

export function keyOf(object: Json): string {
  const meta = (object['metadata'] ?? {}) as Json;
  const ns = typeof meta['namespace'] === 'string' ? meta['namespace'] : '';
  return ns ? `${ns}/${String(meta['name'])}` : String(meta['name']);
}

/** Polls `check` until it returns true (or throws the last reason after `timeoutMs`). */
export async function until(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
