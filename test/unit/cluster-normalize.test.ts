// The two shapes client-node 1.4.0 hands an informer's callbacks (deserialized class instances
// from a list, raw JSON from a watch event) come out as the same plain API JSON, and the
// project's loader reads both the same way.
import { describe, expect, it } from 'vitest';
// Not exported from the package index in 1.4.0: the serializer its list calls use.
import { ObjectSerializer } from '@kubernetes/client-node/dist/gen/models/ObjectSerializer.js';
import { formatTime, normalizeObject, objectKey, uidOf } from '../../server/cluster/normalize.ts';
import { buildCluster } from '../../shared/kube/load.ts';

const rawPolicy = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: {
    name: 'allow-web',
    namespace: 'db',
    uid: 'u-1',
    resourceVersion: '42',
    creationTimestamp: '2024-05-01T10:00:00Z',
    labels: { team: 'db' },
    managedFields: [{ manager: 'kubectl', operation: 'Update', time: '2024-05-01T10:00:00Z', fieldsV1: { 'f:spec': {} } }],
  },
  spec: {
    podSelector: { matchLabels: { app: 'pg' } },
    policyTypes: ['Ingress', 'Egress'],
    ingress: [
      {
        from: [
          { podSelector: { matchLabels: { app: 'web' } }, namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'In', values: ['shop'] }] } },
          { ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } },
        ],
        ports: [{ port: 5432, protocol: 'TCP' }, { port: 'pg' }, { port: 8000, endPort: 8080 }],
      },
    ],
    egress: [{ to: [{ podSelector: {} }] }],
  },
};

const rawPod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'web-1',
    namespace: 'shop',
    uid: 'u-2',
    resourceVersion: '43',
    creationTimestamp: '2024-05-01T10:00:00Z',
    labels: { app: 'web' },
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5d9c', uid: 'u-rs', controller: true, blockOwnerDeletion: true }],
  },
  spec: {
    hostNetwork: false,
    containers: [{ name: 'web', image: 'nginx', ports: [{ containerPort: 80, name: 'http', protocol: 'TCP' }] }],
  },
  status: {
    phase: 'Running',
    podIP: '10.0.0.7',
    podIPs: [{ ip: '10.0.0.7' }, { ip: 'fd00::7' }],
    startTime: '2024-05-01T10:00:01Z',
    conditions: [{ type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: '2024-05-01T10:00:03Z' }],
  },
};

const rawNamespace = {
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name: 'shop', uid: 'u-3', resourceVersion: '7', creationTimestamp: '2024-05-01T09:00:00Z', labels: { 'kubernetes.io/metadata.name': 'shop', team: 'shop' } },
  spec: { finalizers: ['kubernetes'] },
  status: { phase: 'Active' },
};

/** What a list gives the informer: a class instance, without kind/apiVersion (as list items come). */
function fromList(raw: Record<string, unknown>, type: string): unknown {
  const { kind: _kind, apiVersion: _apiVersion, ...item } = raw;
  return ObjectSerializer.deserialize(structuredClone(item), type, '');
}

describe('normalizeObject', () => {
  it('gives a list instance and a watch event object the same JSON', () => {
    const listed = fromList(rawPolicy, 'V1NetworkPolicy');
    // The trap: the instance says `_from` and holds Dates.
    expect(JSON.stringify(listed)).toContain('"_from"');
    expect((listed as { metadata: { creationTimestamp: unknown } }).metadata.creationTimestamp).toBeInstanceOf(Date);

    const a = normalizeObject('networkpolicies', listed);
    const b = normalizeObject('networkpolicies', structuredClone(rawPolicy));
    expect(a).toEqual(b);
    expect(a).toEqual(rawPolicy);
    expect(Object.keys(a).slice(0, 2)).toEqual(['apiVersion', 'kind']);
  });

  it('keeps every field the loader reads on pods and namespaces, both ways', () => {
    for (const [resource, raw, type] of [
      ['pods', rawPod, 'V1Pod'],
      ['namespaces', rawNamespace, 'V1Namespace'],
    ] as const) {
      const a = normalizeObject(resource, fromList(raw, type));
      const b = normalizeObject(resource, structuredClone(raw));
      expect(a).toEqual(b);
      expect(a).toEqual(raw);
    }
  });

  it('keeps ports as sent: numbers stay numbers, names stay strings', () => {
    const a = normalizeObject('networkpolicies', fromList(rawPolicy, 'V1NetworkPolicy'));
    const ports = (a['spec'] as { ingress: { ports: unknown[] }[] }).ingress[0]!.ports;
    expect(ports).toEqual([{ port: 5432, protocol: 'TCP' }, { port: 'pg' }, { port: 8000, endPort: 8080 }]);
  });

  it('writes timestamps as the API does, in UTC', () => {
    expect(formatTime(new Date('2024-05-01T10:00:00Z'))).toBe('2024-05-01T10:00:00Z');
    expect(formatTime(new Date('2024-05-01T10:00:00.250Z'))).toBe('2024-05-01T10:00:00.250Z');
    const shifted = { ...rawNamespace, metadata: { ...rawNamespace.metadata, creationTimestamp: '2024-05-01T12:00:00+02:00' } };
    expect((normalizeObject('namespaces', shifted)['metadata'] as Record<string, unknown>)['creationTimestamp']).toBe('2024-05-01T10:00:00Z');
  });

  it('drops fields the client-node model does not know, on both paths alike', () => {
    const withExtra = { ...rawNamespace, spec: { ...rawNamespace.spec, futureField: true }, extra: 1 };
    const a = normalizeObject('namespaces', withExtra);
    expect(a).toEqual(normalizeObject('namespaces', fromList(withExtra, 'V1Namespace')));
    expect(a).toEqual(rawNamespace);
  });

  it('rejects what is not an object', () => {
    expect(() => normalizeObject('pods', null)).toThrow(/expected a Pod object, got null/);
    expect(() => normalizeObject('pods', [])).toThrow(/got an array/);
  });

  it('gives keys and uids', () => {
    expect(objectKey(rawPod)).toBe('shop/web-1');
    expect(objectKey(rawNamespace)).toBe('shop');
    expect(uidOf(rawPod)).toBe('u-2');
    expect(uidOf({})).toBeUndefined();
  });

  it('feeds the loader the same cluster whichever way the objects came', () => {
    const viaList = [
      normalizeObject('namespaces', fromList(rawNamespace, 'V1Namespace')),
      normalizeObject('pods', fromList(rawPod, 'V1Pod')),
      normalizeObject('networkpolicies', fromList(rawPolicy, 'V1NetworkPolicy')),
    ];
    const viaWatch = [
      normalizeObject('namespaces', rawNamespace),
      normalizeObject('pods', rawPod),
      normalizeObject('networkpolicies', rawPolicy),
    ];
    const a = buildCluster(viaList.map((object) => ({ object })));
    const b = buildCluster(viaWatch.map((object) => ({ object })));
    expect(a.diagnostics).toEqual([]);
    expect(a).toEqual(b);
    expect(a.cluster.pods.map((p) => p.id)).toEqual(['shop/web-1']);
    expect(a.cluster.policies).toHaveLength(1);
    // Not the "from is missing: every source allowed" reading of `_from`.
    expect(JSON.stringify(a.cluster.policies[0])).toContain('web');
  });
});
