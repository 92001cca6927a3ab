// What the worker thread sends for a diff's second side: equal pod parts made one object (the
// structured clone then writes and reads them once), the content unchanged.
import { describe, expect, it } from 'vitest';
import { prepareEngine, ObjectSet } from '../../server/history/object-set.ts';
import { shareAlike } from '../../server/history/share-alike.ts';
import type { ResourceKind } from '../../server/cluster/source.ts';

function pod(name: string, labels: Record<string, string>, owner: string, port: number) {
  return {
    metadata: { name, namespace: 'shop', uid: `uid-${name}`, labels, ownerReferences: [{ kind: 'ReplicaSet', name: owner, controller: true }] },
    spec: { containers: [{ name: 'c', ports: [{ name: 'http', containerPort: port }] }] },
    status: { phase: 'Running', podIP: '10.0.0.1' },
  };
}

function prepared(objects: [ResourceKind, object][]) {
  const set = new ObjectSet({ diagnostics: true });
  for (const [resource, object] of objects) set.upsert(resource, object, JSON.stringify(object));
  return prepareEngine(set);
}

describe('shareAlike', () => {
  it('makes equal labels, ports and owners one object, and changes no content', () => {
    const p = prepared([
      ['pods', pod('web-1', { app: 'web', hash: 'a' }, 'web-a', 80)],
      ['pods', pod('web-2', { app: 'web', hash: 'a' }, 'web-a', 80)],
      ['pods', pod('web-3', { app: 'web', hash: 'b' }, 'web-b', 8080)],
    ]);
    const before = structuredClone(p);
    const pods = shareAlike(p).load.quiet!.cluster.pods;
    expect(p).toEqual(before);
    const [w1, w2, w3] = pods;
    expect(w1!.labels).toBe(w2!.labels);
    expect(w1!.ports).toBe(w2!.ports);
    expect(w1!.owner).toBe(w2!.owner);
    expect(w3!.labels).not.toBe(w1!.labels);
    expect(w3!.ports).not.toBe(w1!.ports);
    expect(w3!.owner).not.toBe(w1!.owner);
    // What the main thread receives is the same content.
    expect(structuredClone(p)).toEqual(before);
  });
});
