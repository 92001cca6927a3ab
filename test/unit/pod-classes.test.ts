// Pod classes: pods that no policy can tell apart share a class; pods that some policy can tell
// apart never do, whatever text their labels hold.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../shared/engine/engine.ts';
import { buildCluster } from '../../shared/kube/load.ts';

const policy = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'p', namespace: 'a' },
  spec: {
    podSelector: { matchLabels: { app: 'x' } },
    ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: 'tier', operator: 'Exists' }] } }], ports: [{ port: 'http' }] }],
  },
};

function pod(namespace: string, name: string, labels: Record<string, string>, ports: { name: string; containerPort: number }[] = []) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels },
    spec: { containers: [{ name: 'c', ports }] },
    status: { phase: 'Running', podIP: '10.0.0.1' },
  };
}

/** The class of each pod, by name. */
function classes(pods: object[]): Map<string, number> {
  const { cluster } = buildCluster([policy, ...pods].map((object) => ({ object })));
  const a = analyze(cluster);
  return new Map(a.pods.map((p, i) => [p.name, a.classSet.classOfPod[i]!]));
}

describe('pod classes', () => {
  it('labels and ports no policy reads do not split a class', () => {
    const c = classes([
      pod('a', 'p1', { app: 'x', tier: 'web', color: 'red' }, [{ name: 'http', containerPort: 80 }, { name: 'debug', containerPort: 9 }]),
      pod('a', 'p2', { tier: 'web', app: 'x', color: 'blue' }, [{ name: 'http', containerPort: 80 }]),
    ]);
    expect(c.get('p1')).toBe(c.get('p2'));
  });

  it('whatever a label holds, pods that differ on a key a selector reads are apart', () => {
    const tricky: Record<string, string>[] = [
      {},
      { app: '' },
      { app: 'x' },
      { app: 'x', tier: 'y' },
      { app: 'x\u0000tier\u0002y' },
      { app: 'x3:tier1:y' },
      { app: '1:x', tier: '' },
      { tier: '1:x' },
      { app: 'x|0|', tier: '' },
      { app: 'x,tier=y' },
      { app: 'xtier:y' },
    ];
    const c = classes(tricky.map((labels, i) => pod('a', `p${i}`, labels)));
    expect(new Set(c.values()).size).toBe(tricky.length);
  });

  it('the namespace and the named ports policies mention split classes', () => {
    const c = classes([
      pod('a', 'p1', { app: 'x' }),
      pod('a1', 'p2', { app: 'x' }),
      pod('a', 'p3', { app: 'x' }, [{ name: 'http', containerPort: 80 }]),
      pod('a', 'p4', { app: 'x' }, [{ name: 'http', containerPort: 8080 }]),
      pod('a', 'p5', { app: 'x' }, [{ name: 'http', containerPort: 8080 }]),
    ]);
    expect(new Set([c.get('p1'), c.get('p2'), c.get('p3'), c.get('p4')]).size).toBe(4);
    expect(c.get('p4')).toBe(c.get('p5'));
  });
});
