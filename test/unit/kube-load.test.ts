import { describe, it, expect } from 'vitest';
import { buildCluster } from '../../shared/kube/load.ts';
import type { SourceObject } from '../../shared/kube/source-object.ts';
import { parseManifestText } from '../../shared/kube/yaml.ts';
import type { Cluster, Diagnostic, NetworkPolicy } from '../../shared/model/types.ts';

/** Parses YAML files (must parse cleanly) and builds the cluster. */
function loadFiles(files: Record<string, string>): { cluster: Cluster; diagnostics: Diagnostic[] } {
  const objects: SourceObject[] = [];
  for (const [file, text] of Object.entries(files)) {
    const parsed = parseManifestText(text, file);
    expect(parsed.diagnostics).toEqual([]);
    objects.push(...parsed.objects);
  }
  return buildCluster(objects);
}

function loadYaml(text: string): { cluster: Cluster; diagnostics: Diagnostic[] } {
  return loadFiles({ 'test.yaml': text });
}

function errors(diagnostics: Diagnostic[]): Diagnostic[] {
  return diagnostics.filter((d) => d.severity === 'error');
}

function policy(name: string, spec: unknown, namespace = 'prod'): SourceObject {
  return {
    file: 'policies.yaml',
    object: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec },
  };
}

function pod(name: string, namespace = 'prod', extra: Record<string, unknown> = {}): SourceObject {
  return {
    file: 'pods.yaml',
    object: { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels: { app: name } }, ...extra },
  };
}

function policyById(cluster: Cluster, id: string): NetworkPolicy {
  const p = cluster.policies.find((x) => x.id === id);
  if (!p) throw new Error(`no policy ${id}`);
  return p;
}

/** Neighbours that must survive any invalid object next to them. */
const NEIGHBOURS: SourceObject[] = [
  { file: 'ns.yaml', object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'prod' } } },
  pod('web'),
  policy('good', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ podSelector: {} }] }] }),
];

/** Loads the neighbours plus one bad object; checks the bad object is rejected at exactly `field`. */
function expectRejected(bad: SourceObject, object: string, field: string): Diagnostic {
  const { cluster, diagnostics } = buildCluster([NEIGHBOURS[0]!, bad, NEIGHBOURS[1]!, NEIGHBOURS[2]!]);
  const errs = errors(diagnostics);
  expect(errs).toHaveLength(1);
  expect(errs[0]).toMatchObject({ severity: 'error', file: bad.file, object, field });
  expect(errs[0]!.message).not.toBe('');
  expect(cluster.namespaces.map((n) => n.name)).toEqual(['prod']);
  expect(cluster.pods.map((p) => p.id)).toEqual(['prod/web']);
  expect(cluster.policies.map((p) => p.id)).toEqual(['prod/good']);
  return errs[0]!;
}

function expectPolicyRejected(spec: unknown, field: string): Diagnostic {
  return expectRejected(policy('bad', spec), 'NetworkPolicy prod/bad', field);
}

describe('invalid NetworkPolicies are left out with a precise field path', () => {
  it('accepts the neighbours alone', () => {
    const { cluster, diagnostics } = buildCluster(NEIGHBOURS);
    expect(diagnostics).toEqual([]);
    expect(cluster.policies).toHaveLength(1);
  });

  it('rejects an unknown selector operator', () => {
    expectPolicyRejected(
      {
        podSelector: {
          matchExpressions: [
            { key: 'app', operator: 'In', values: ['a'] },
            { key: 'tier', operator: 'Equals', values: ['x'] },
          ],
        },
      },
      'spec.podSelector.matchExpressions[1].operator',
    );
  });

  it('rejects In and NotIn without values', () => {
    expectPolicyRejected(
      { podSelector: {}, ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: 'a', operator: 'In' }] } }] }] },
      'spec.ingress[0].from[0].podSelector.matchExpressions[0].values',
    );
    expectPolicyRejected(
      {
        podSelector: {},
        egress: [{ to: [{ namespaceSelector: { matchExpressions: [{ key: 'a', operator: 'NotIn', values: [] }] } }] }],
      },
      'spec.egress[0].to[0].namespaceSelector.matchExpressions[0].values',
    );
  });

  it('rejects Exists and DoesNotExist with values', () => {
    expectPolicyRejected(
      { podSelector: { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] } },
      'spec.podSelector.matchExpressions[0].values',
    );
    expectPolicyRejected(
      { podSelector: { matchExpressions: [{ key: 'a', operator: 'DoesNotExist', values: ['x'] }] } },
      'spec.podSelector.matchExpressions[0].values',
    );
  });

  it('rejects a requirement without a key', () => {
    expectPolicyRejected(
      { podSelector: { matchExpressions: [{ operator: 'Exists' }] } },
      'spec.podSelector.matchExpressions[0].key',
    );
  });

  it('rejects a matchLabels value that is not a string', () => {
    expectPolicyRejected({ podSelector: { matchLabels: { version: 2 } } }, 'spec.podSelector.matchLabels[version]');
  });

  it('rejects endPort with a named port', () => {
    expectPolicyRejected(
      { podSelector: {}, ingress: [{ ports: [{ port: 'http', endPort: 90 }] }] },
      'spec.ingress[0].ports[0].endPort',
    );
  });

  it('rejects endPort without port', () => {
    expectPolicyRejected(
      { podSelector: {}, ingress: [{}, { ports: [{ port: 80 }, { protocol: 'UDP', endPort: 90 }] }] },
      'spec.ingress[1].ports[1].endPort',
    );
  });

  it('rejects endPort below port', () => {
    expectPolicyRejected(
      { podSelector: {}, egress: [{ ports: [{ port: 100, endPort: 90 }] }] },
      'spec.egress[0].ports[0].endPort',
    );
  });

  it('rejects ports out of range', () => {
    expectPolicyRejected({ podSelector: {}, ingress: [{ ports: [{ port: 70000 }] }] }, 'spec.ingress[0].ports[0].port');
    expectPolicyRejected({ podSelector: {}, ingress: [{ ports: [{ port: 0 }] }] }, 'spec.ingress[0].ports[0].port');
    expectPolicyRejected({ podSelector: {}, ingress: [{ ports: [{ port: '0' }] }] }, 'spec.ingress[0].ports[0].port');
    expectPolicyRejected(
      { podSelector: {}, ingress: [{ ports: [{ port: 80, endPort: 65536 }] }] },
      'spec.ingress[0].ports[0].endPort',
    );
  });

  it('rejects invalid port names', () => {
    for (const name of ['http_port', 'HTTP', 'a--b', '-http', 'http-', 'averyveryverylongname', '']) {
      expectPolicyRejected({ podSelector: {}, ingress: [{ ports: [{ port: name }] }] }, 'spec.ingress[0].ports[0].port');
    }
  });

  it('rejects an unknown protocol', () => {
    expectPolicyRejected(
      { podSelector: {}, ingress: [{ ports: [{ protocol: 'ICMP', port: 80 }] }] },
      'spec.ingress[0].ports[0].protocol',
    );
    expectPolicyRejected(
      { podSelector: {}, ingress: [{ ports: [{ protocol: 'tcp', port: 80 }] }] },
      'spec.ingress[0].ports[0].protocol',
    );
  });

  it('rejects a bad CIDR', () => {
    expectPolicyRejected(
      {
        podSelector: {},
        egress: [{}, {}, { to: [{ ipBlock: { cidr: '10.0.0.300/8' } }] }],
      },
      'spec.egress[2].to[0].ipBlock.cidr',
    );
    expectPolicyRejected({ podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0' } }] }] }, 'spec.egress[0].to[0].ipBlock.cidr');
    expectPolicyRejected({ podSelector: {}, egress: [{ to: [{ ipBlock: {} }] }] }, 'spec.egress[0].to[0].ipBlock.cidr');
  });

  it('rejects an except that is not a strict subset of its cidr', () => {
    const exceptAt = (cidr: string, except: string[]) =>
      expectPolicyRejected(
        { podSelector: {}, egress: [{ to: [{ ipBlock: { cidr, except } }] }] },
        `spec.egress[0].to[0].ipBlock.except[${except.length - 1}]`,
      );
    expect(exceptAt('10.0.0.0/8', ['fd00::/16']).message).toMatch(/family/); // other family
    exceptAt('10.0.0.0/8', ['10.1.0.0/16', '11.0.0.0/16']); // outside
    exceptAt('10.0.0.0/8', ['10.0.0.0/8']); // same prefix
    exceptAt('10.0.0.0/16', ['10.0.0.0/8']); // larger
    exceptAt('10.0.0.0/8', ['not-a-cidr']);
  });

  it('rejects a peer with ipBlock and a selector', () => {
    expectPolicyRejected(
      { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' }, namespaceSelector: {} }] }] },
      'spec.ingress[0].from[0]',
    );
  });

  it('rejects a peer with no field', () => {
    expectPolicyRejected({ podSelector: {}, ingress: [{ from: [{ podSelector: {} }, {}] }] }, 'spec.ingress[0].from[1]');
  });

  it('rejects a policyTypes value other than Ingress/Egress', () => {
    expectPolicyRejected({ podSelector: {}, policyTypes: ['Ingress', 'ingress'] }, 'spec.policyTypes[1]');
  });

  it('rejects a policy without metadata.name', () => {
    const bad: SourceObject = {
      file: 'policies.yaml',
      object: { kind: 'NetworkPolicy', metadata: { namespace: 'prod' }, spec: { podSelector: {} } },
    };
    expectRejected(bad, 'NetworkPolicy prod/<no name>', 'metadata.name');
  });

  it('rejects wrong types', () => {
    expectPolicyRejected({ podSelector: {}, ingress: { from: [] } }, 'spec.ingress');
    expectPolicyRejected({ podSelector: {}, egress: [{ to: 'everyone' }] }, 'spec.egress[0].to');
    expectPolicyRejected({ podSelector: 'app=web' }, 'spec.podSelector');
    expectPolicyRejected({ podSelector: {}, policyTypes: 'Ingress' }, 'spec.policyTypes');
    expectPolicyRejected({ podSelector: {}, ingress: [{ ports: [{ port: 80, endPort: '90' }] }] }, 'spec.ingress[0].ports[0].endPort');
    expectPolicyRejected({ podSelector: {}, ingress: [{ ports: [{ port: 80.5 }] }] }, 'spec.ingress[0].ports[0].port');
    expectPolicyRejected({ podSelector: { matchExpressions: [{ key: 'a', operator: 'In', values: 'x' }] } }, 'spec.podSelector.matchExpressions[0].values');
  });

  it('names the object with the default namespace when metadata.namespace is missing', () => {
    const bad: SourceObject = {
      file: 'p.yaml',
      object: { kind: 'NetworkPolicy', metadata: { name: 'x' }, spec: { policyTypes: ['Sideways'] } },
    };
    const { cluster, diagnostics } = buildCluster([bad]);
    expect(errors(diagnostics)).toEqual([
      expect.objectContaining({ file: 'p.yaml', object: 'NetworkPolicy default/x', field: 'spec.policyTypes[0]' }),
    ]);
    expect(cluster.policies).toEqual([]);
  });
});

describe('other invalid objects', () => {
  it('drops a pod without a name', () => {
    const bad: SourceObject = { file: 'pods.yaml', object: { kind: 'Pod', metadata: { namespace: 'prod' } } };
    expectRejected(bad, 'Pod prod/<no name>', 'metadata.name');
  });

  it('drops a pod whose labels are not a map', () => {
    const bad: SourceObject = { file: 'pods.yaml', object: { kind: 'Pod', metadata: { name: 'x', namespace: 'prod', labels: ['a'] } } };
    expectRejected(bad, 'Pod prod/x', 'metadata.labels');
  });

  it('drops a pod with a label value that is not a string', () => {
    const bad: SourceObject = {
      file: 'pods.yaml',
      object: { kind: 'Pod', metadata: { name: 'x', namespace: 'prod', labels: { enabled: true } } },
    };
    expectRejected(bad, 'Pod prod/x', 'metadata.labels[enabled]');
  });

  it('drops a namespace whose labels are not a map', () => {
    const bad: SourceObject = { file: 'ns2.yaml', object: { kind: 'Namespace', metadata: { name: 'other', labels: 'team=a' } } };
    expectRejected(bad, 'Namespace other', 'metadata.labels');
  });

  it('drops a workload without a name or with a bad template', () => {
    expectRejected(
      { file: 'd.yaml', object: { kind: 'Deployment', metadata: { namespace: 'prod' }, spec: { template: {} } } },
      'Deployment prod/<no name>',
      'metadata.name',
    );
    expectRejected(
      {
        file: 'd.yaml',
        object: {
          kind: 'Deployment',
          metadata: { name: 'd', namespace: 'prod' },
          spec: { template: { metadata: { labels: { app: 'd' } }, spec: { containers: {} } } },
        },
      },
      'Deployment prod/d',
      'spec.template.spec.containers',
    );
  });

  it('drops a duplicate object, naming both files, and keeps the first', () => {
    const first = policy('good', { podSelector: {}, policyTypes: ['Egress'] });
    const second: SourceObject = { ...policy('good', { podSelector: {} }), file: 'again.yaml' };
    const { cluster, diagnostics } = buildCluster([first, pod('web'), second]);
    expect(errors(diagnostics)).toHaveLength(1);
    const d = errors(diagnostics)[0]!;
    expect(d).toMatchObject({ file: 'again.yaml', object: 'NetworkPolicy prod/good' });
    expect(d.message).toContain('policies.yaml');
    expect(d.message).toContain('again.yaml');
    expect(cluster.policies).toHaveLength(1);
    expect(cluster.policies[0]!.policyTypes).toEqual({ ingress: false, egress: true });
    expect(cluster.pods.map((p) => p.id)).toEqual(['prod/web']);
  });

  it('does not count same-named objects of different kinds or namespaces as duplicates', () => {
    const { cluster, diagnostics } = buildCluster([pod('web'), pod('web', 'dev'), policy('web', {})]);
    expect(diagnostics).toEqual([]);
    expect(cluster.pods.map((p) => p.id)).toEqual(['dev/web', 'prod/web']);
    expect(cluster.policies.map((p) => p.id)).toEqual(['prod/web']);
  });

  it('keeps a host-bits CIDR as its network, with a warning', () => {
    const { cluster, diagnostics } = buildCluster([
      policy('hb', { podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: '10.0.0.1/8', except: ['10.1.2.3/16'] } }] }] }),
    ]);
    expect(errors(diagnostics)).toEqual([]);
    expect(diagnostics.map((d) => [d.severity, d.field])).toEqual([
      ['warning', 'spec.egress[0].to[0].ipBlock.cidr'],
      ['warning', 'spec.egress[0].to[0].ipBlock.except[0]'],
    ]);
    expect(policyById(cluster, 'prod/hb').egress[0]!.peers).toEqual([
      { kind: 'ipBlock', ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } },
    ]);
  });
});

describe('NetworkPolicy parsing', () => {
  it('defaults policyTypes: egress rules without policyTypes isolate both directions', () => {
    const { cluster } = buildCluster([policy('p', { podSelector: {}, egress: [{ to: [{ podSelector: {} }] }] })]);
    const p = policyById(cluster, 'prod/p');
    expect(p.policyTypes).toEqual({ ingress: true, egress: true });
    expect(p.policyTypesDefaulted).toBe(true);
  });

  it('defaults policyTypes: `egress: []` without policyTypes isolates only ingress', () => {
    const { cluster } = buildCluster([
      policy('p', { podSelector: {}, egress: [] }),
      policy('q', { podSelector: {}, policyTypes: [] }),
    ]);
    expect(policyById(cluster, 'prod/p').policyTypes).toEqual({ ingress: true, egress: false });
    expect(policyById(cluster, 'prod/p').policyTypesDefaulted).toBe(true);
    expect(policyById(cluster, 'prod/q').policyTypes).toEqual({ ingress: true, egress: false });
    expect(policyById(cluster, 'prod/q').policyTypesDefaulted).toBe(true);
  });

  it('keeps explicit policyTypes exactly, and keeps rules of other directions', () => {
    const { cluster } = buildCluster([policy('p', { podSelector: {}, policyTypes: ['Egress'], ingress: [{}] })]);
    const p = policyById(cluster, 'prod/p');
    expect(p.policyTypes).toEqual({ ingress: false, egress: true });
    expect(p.policyTypesDefaulted).toBe(false);
    expect(p.ingress).toEqual([{ peers: [], ports: [] }]);
    expect(p.egress).toEqual([]);
  });

  it('reads selectors, peers and ports', () => {
    const { cluster, diagnostics } = loadYaml(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p, namespace: prod}
spec:
  podSelector:
    matchLabels: {app: web}
    matchExpressions:
    - {key: tier, operator: NotIn, values: [db, cache]}
    - {key: canary, operator: DoesNotExist}
  ingress:
  - from:
    - podSelector: {}
    - namespaceSelector: {matchLabels: {team: a}}
    - namespaceSelector: {}
      podSelector: {matchExpressions: [{key: role, operator: Exists}]}
    - ipBlock: {cidr: "2001:DB8::/32", except: ["2001:db8:0:1::/64"]}
    ports:
    - port: 80
    - {protocol: UDP, port: 53}
    - {port: 8000, endPort: 8080}
    - {protocol: SCTP}
    - port: http-alt
    -
  - {}
`);
    expect(diagnostics).toEqual([]);
    const p = policyById(cluster, 'prod/p');
    expect(p.podSelector).toEqual({
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'NotIn', values: ['db', 'cache'] },
        { key: 'canary', operator: 'DoesNotExist', values: [] },
      ],
    });
    const empty = { matchLabels: {}, matchExpressions: [] };
    expect(p.ingress[0]!.peers).toEqual([
      { kind: 'selector', podSelector: empty },
      { kind: 'selector', namespaceSelector: { matchLabels: { team: 'a' }, matchExpressions: [] } },
      {
        kind: 'selector',
        namespaceSelector: empty,
        podSelector: { matchLabels: {}, matchExpressions: [{ key: 'role', operator: 'Exists', values: [] }] },
      },
      { kind: 'ipBlock', ipBlock: { cidr: '2001:db8::/32', except: ['2001:db8:0:1::/64'] } },
    ]);
    // podSelector {} is present (an empty selector); an absent selector stays undefined.
    expect('namespaceSelector' in p.ingress[0]!.peers[0]!).toBe(false);
    expect('podSelector' in p.ingress[0]!.peers[1]!).toBe(false);
    expect(p.ingress[0]!.ports).toEqual([
      { protocol: 'TCP', port: 80 },
      { protocol: 'UDP', port: 53 },
      { protocol: 'TCP', port: 8000, endPort: 8080 },
      { protocol: 'SCTP' },
      { protocol: 'TCP', port: 'http-alt' },
      { protocol: 'TCP' },
    ]);
    expect(p.ingress[1]).toEqual({ peers: [], ports: [] });
    expect(p.source).toBe('test.yaml');
  });

  it('rejects the quoted port "80" as Kubernetes does (a port name needs a letter)', () => {
    const { cluster, diagnostics } = loadYaml(`
kind: NetworkPolicy
metadata: {name: p, namespace: prod}
spec:
  ingress:
  - ports:
    - port: "80"
      endPort: 81
`);
    expect(diagnostics.map((d) => [d.severity, d.object, d.field])).toEqual([['error', 'NetworkPolicy prod/p', 'spec.ingress[0].ports[0].port']]);
    expect(diagnostics[0]!.message).toContain('without quotes');
    expect(cluster.policies).toEqual([]);
  });

  it('treats a missing podSelector or spec as selecting every pod', () => {
    const { cluster, diagnostics } = buildCluster([
      policy('p', { ingress: [] }),
      { object: { kind: 'NetworkPolicy', metadata: { name: 'q' } } },
    ]);
    expect(diagnostics).toEqual([]);
    expect(policyById(cluster, 'prod/p').podSelector).toEqual({ matchLabels: {}, matchExpressions: [] });
    expect(policyById(cluster, 'default/q').podSelector).toEqual({ matchLabels: {}, matchExpressions: [] });
    expect(policyById(cluster, 'default/q').policyTypes).toEqual({ ingress: true, egress: false });
  });

  it('warns about unknown fields but keeps the policy', () => {
    const { cluster, diagnostics } = buildCluster([policy('p', { podSelector: { matchlabels: { app: 'x' } } })]);
    expect(diagnostics).toEqual([
      expect.objectContaining({ severity: 'warning', field: 'spec.podSelector.matchlabels' }),
    ]);
    expect(cluster.policies).toHaveLength(1);
  });

  it('ignores NetworkPolicies of other APIs (Calico) with a warning', () => {
    const { cluster, diagnostics } = buildCluster([
      { file: 'c.yaml', object: { apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name: 'c' }, spec: { selector: 'all()' } } },
    ]);
    expect(cluster.policies).toEqual([]);
    expect(diagnostics).toEqual([expect.objectContaining({ severity: 'warning', file: 'c.yaml', field: 'apiVersion' })]);
  });
});

describe('Lists and unknown kinds', () => {
  it('expands typed lists whose items have no kind, recursively', () => {
    const { cluster, diagnostics } = loadYaml(`
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: PodList
  items:
  - metadata: {name: a, namespace: x}
  - metadata: {name: b, namespace: x}
- kind: NamespaceList
  items:
  - metadata: {name: x, labels: {team: blue}}
- kind: NetworkPolicyList
  items:
  - metadata: {name: deny, namespace: x}
    spec: {podSelector: {}}
- kind: Service
  metadata: {name: svc, namespace: x}
`);
    expect(diagnostics).toEqual([]);
    expect(cluster.pods.map((p) => p.id)).toEqual(['x/a', 'x/b']);
    expect(cluster.namespaces).toEqual([{ name: 'x', labels: { team: 'blue', 'kubernetes.io/metadata.name': 'x' } }]);
    expect(cluster.policies.map((p) => p.id)).toEqual(['x/deny']);
  });

  it('ignores unknown kinds silently (and creates no namespace for them)', () => {
    const { cluster, diagnostics } = loadYaml(`
kind: Service
metadata: {name: s, namespace: svc-only}
---
kind: ConfigMap
metadata: {name: c}
---
kind: Pod
metadata: {name: p}
`);
    expect(diagnostics).toEqual([]);
    expect(cluster.namespaces.map((n) => n.name)).toEqual(['default']);
    expect(cluster.pods.map((p) => p.id)).toEqual(['default/p']);
    expect(cluster.policies).toEqual([]);
  });

  it('warns about objects without a kind, and about list items without one', () => {
    const { cluster, diagnostics } = buildCluster([
      { file: 'a.yaml', object: { metadata: { name: 'x' } } },
      { file: 'b.yaml', object: { kind: 'List', items: [{ kind: 'Pod', metadata: { name: 'p' } }, { metadata: { name: 'q' } }] } },
    ]);
    expect(diagnostics).toEqual([
      expect.objectContaining({ severity: 'warning', file: 'a.yaml', field: 'kind' }),
      expect.objectContaining({ severity: 'warning', file: 'b.yaml', object: 'List', field: 'items[1].kind' }),
    ]);
    expect(cluster.pods.map((p) => p.id)).toEqual(['default/p']);
  });
});

describe('namespaces', () => {
  it('adds kubernetes.io/metadata.name, keeps an explicit value, and creates referenced namespaces', () => {
    const { cluster, diagnostics } = loadYaml(`
kind: Namespace
metadata: {name: given, labels: {env: prod}}
---
kind: Namespace
metadata: {name: explicit, labels: {kubernetes.io/metadata.name: other}}
---
kind: Pod
metadata: {name: p, namespace: from-pod}
---
kind: NetworkPolicy
metadata: {name: np, namespace: from-policy}
spec: {}
---
kind: StatefulSet
metadata: {name: s, namespace: from-workload}
spec: {template: {metadata: {labels: {app: s}}}}
---
kind: Pod
metadata: {name: nons}
`);
    expect(diagnostics).toEqual([]);
    expect(cluster.namespaces).toEqual([
      { name: 'default', labels: { 'kubernetes.io/metadata.name': 'default' } },
      { name: 'explicit', labels: { 'kubernetes.io/metadata.name': 'other' } },
      { name: 'from-pod', labels: { 'kubernetes.io/metadata.name': 'from-pod' } },
      { name: 'from-policy', labels: { 'kubernetes.io/metadata.name': 'from-policy' } },
      { name: 'from-workload', labels: { 'kubernetes.io/metadata.name': 'from-workload' } },
      { name: 'given', labels: { env: 'prod', 'kubernetes.io/metadata.name': 'given' } },
    ]);
    expect(cluster.pods.find((p) => p.name === 'nons')!.id).toBe('default/nons');
  });

  it('does not create a namespace for an object that was rejected', () => {
    const { cluster } = buildCluster([policy('bad', { policyTypes: ['X'] }, 'ghost')]);
    expect(cluster.namespaces).toEqual([]);
  });
});

describe('pods', () => {
  it('reads labels, IPs and container ports', () => {
    const { cluster, diagnostics } = loadYaml(`
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: prod, labels: {app: web}}
spec:
  initContainers:
  - name: init
    ports: [{containerPort: 1111}]
  containers:
  - name: a
    ports:
    - {name: http, containerPort: 8080}
    - {containerPort: 53, protocol: UDP}
    - {name: broken, containerport: 9090}
    - {name: quoted, containerPort: "9091"}
  - name: b
    ports:
    - {name: metrics, containerPort: 9100, protocol: SCTP}
status:
  podIP: 10.0.0.9
  podIPs:
  - ip: 10.0.0.1
  - ip: "2001:DB8:0::1"
  - ip: bogus
`);
    expect(errors(diagnostics)).toEqual([]);
    expect(diagnostics.map((d) => [d.severity, d.object, d.field])).toEqual([
      ['warning', 'Pod prod/web', 'spec.containers[0].ports[2].containerPort'],
      ['warning', 'Pod prod/web', 'spec.containers[0].ports[3].containerPort'],
      ['warning', 'Pod prod/web', 'status.podIPs[2].ip'],
    ]);
    expect(cluster.pods).toEqual([
      {
        id: 'prod/web',
        namespace: 'prod',
        name: 'web',
        labels: { app: 'web' },
        ips: ['10.0.0.1', '2001:db8::1'],
        ports: [
          { name: 'http', protocol: 'TCP', port: 8080 },
          { name: '', protocol: 'UDP', port: 53 },
          { name: 'metrics', protocol: 'SCTP', port: 9100 },
        ],
        workload: 'prod/web[Pod]',
        owner: null,
        exclusion: null,
        template: false,
        source: 'test.yaml',
      },
    ]);
  });

  it('falls back to status.podIP', () => {
    const { cluster } = buildCluster([pod('a', 'prod', { status: { podIP: '10.1.2.3' } }), pod('b')]);
    expect(cluster.pods.map((p) => p.ips)).toEqual([['10.1.2.3'], []]);
  });

  it('excludes hostNetwork, finished and terminated pods', () => {
    const terminated = { state: { terminated: { exitCode: 0 } } };
    const running = { state: { running: {} } };
    const deleting = { name: '', namespace: 'prod', deletionTimestamp: '2024-01-01T00:00:00Z' };
    const withMeta = (name: string, extra: Record<string, unknown>): SourceObject => ({
      object: { kind: 'Pod', metadata: { ...deleting, name }, ...extra },
    });
    const { cluster, diagnostics } = buildCluster([
      pod('host', 'prod', { spec: { hostNetwork: true }, status: { phase: 'Running' } }),
      pod('done', 'prod', { status: { phase: 'Succeeded' } }),
      pod('failed', 'prod', { status: { phase: 'Failed' } }),
      pod('running', 'prod', { status: { phase: 'Running' } }),
      withMeta('gone', { status: { phase: 'Running', containerStatuses: [terminated, terminated] } }),
      withMeta('stopping', { status: { phase: 'Running', containerStatuses: [terminated, running] } }),
      withMeta('nostatus', { status: { phase: 'Running', containerStatuses: [] } }),
      pod('stoppednotdeleted', 'prod', { status: { phase: 'Running', containerStatuses: [terminated] } }),
    ]);
    expect(diagnostics).toEqual([]);
    expect(Object.fromEntries(cluster.pods.map((p) => [p.name, p.exclusion]))).toEqual({
      host: 'hostNetwork',
      done: 'finished',
      failed: 'finished',
      running: null,
      gone: 'terminated',
      stopping: null,
      nostatus: null,
      stoppednotdeleted: null,
    });
  });

  it('sorts pods, policies and workloads by id', () => {
    const { cluster } = buildCluster([pod('b'), pod('a', 'z'), pod('c', 'a'), policy('y', {}), policy('x', {}, 'b')]);
    expect(cluster.pods.map((p) => p.id)).toEqual(['a/c', 'prod/b', 'z/a']);
    expect(cluster.policies.map((p) => p.id)).toEqual(['b/x', 'prod/y']);
    expect(cluster.workloads.map((w) => w.id)).toEqual(['a/c[Pod]', 'prod/b[Pod]', 'z/a[Pod]']);
  });
});

describe('workload grouping', () => {
  const owned = (name: string, owner: Record<string, unknown> | null, labels: Record<string, string> = {}): SourceObject => ({
    file: 'pods.yaml',
    object: {
      kind: 'Pod',
      metadata: { name, namespace: 'ns', labels, ownerReferences: owner ? [{ apiVersion: 'v1', ...owner }] : [] },
    },
  });
  const workloadObject = (kind: string, name: string, owner?: Record<string, unknown>, template?: unknown): SourceObject => ({
    file: 'workloads.yaml',
    object: {
      kind,
      metadata: { name, namespace: 'ns', ...(owner ? { ownerReferences: [owner] } : {}) },
      spec:
        kind === 'CronJob'
          ? { jobTemplate: { spec: { template: template ?? { metadata: { labels: { app: name } } } } } }
          : { template: template ?? { metadata: { labels: { app: name } } } },
    },
  });
  const workloadOf = (cluster: Cluster) => Object.fromEntries(cluster.pods.map((p) => [p.name, p.workload]));

  it('groups pods by their controller', () => {
    const { cluster, diagnostics } = buildCluster([
      owned('solo', null),
      owned('hashed', { kind: 'ReplicaSet', name: 'web-7d9f', controller: true }, { 'pod-template-hash': '7d9f' }),
      owned('nohash', { kind: 'ReplicaSet', name: 'plain', controller: true }),
      owned('wronghash', { kind: 'ReplicaSet', name: 'api-1234', controller: true }, { 'pod-template-hash': '9999' }),
      owned('viars', { kind: 'ReplicaSet', name: 'front-abc', controller: true }),
      workloadObject('ReplicaSet', 'front-abc', { kind: 'Deployment', name: 'front', controller: true }),
      owned('cronpod', { kind: 'Job', name: 'backup-123', controller: true }),
      workloadObject('Job', 'backup-123', { kind: 'CronJob', name: 'backup', controller: true }),
      owned('jobpod', { kind: 'Job', name: 'migrate', controller: true }),
      owned('sts-0', { kind: 'StatefulSet', name: 'db', controller: true }),
      owned('static', { kind: 'Node', name: 'node-1', controller: true }),
      owned('nokind', { name: 'internal', controller: true }),
      owned('notcontroller', { kind: 'ReplicaSet', name: 'x' }),
    ]);
    expect(diagnostics).toEqual([]);
    expect(workloadOf(cluster)).toEqual({
      solo: 'ns/solo[Pod]',
      hashed: 'ns/web[Deployment]',
      nohash: 'ns/plain[ReplicaSet]',
      wronghash: 'ns/api-1234[ReplicaSet]',
      viars: 'ns/front[Deployment]',
      cronpod: 'ns/backup[CronJob]',
      jobpod: 'ns/migrate[Job]',
      'sts-0': 'ns/db[StatefulSet]',
      static: 'ns/static[Pod]',
      nokind: 'ns/internal[Pod]',
      notcontroller: 'ns/notcontroller[Pod]',
    });
    const byName = Object.fromEntries(cluster.pods.map((p) => [p.name, p]));
    expect(byName['hashed']!.owner).toEqual({ kind: 'ReplicaSet', name: 'web-7d9f' });
    expect(byName['static']!.owner).toBeNull();
    expect(byName['nokind']!.owner).toEqual({ kind: '', name: 'internal' });
    // No template pods: every workload object has real pods.
    expect(cluster.pods.every((p) => !p.template)).toBe(true);
    expect(cluster.workloads).toEqual(
      [
        { id: 'ns/api-1234[ReplicaSet]', namespace: 'ns', name: 'api-1234', kind: 'ReplicaSet' },
        { id: 'ns/backup[CronJob]', namespace: 'ns', name: 'backup', kind: 'CronJob' },
        { id: 'ns/db[StatefulSet]', namespace: 'ns', name: 'db', kind: 'StatefulSet' },
        { id: 'ns/front[Deployment]', namespace: 'ns', name: 'front', kind: 'Deployment' },
        { id: 'ns/internal[Pod]', namespace: 'ns', name: 'internal', kind: 'Pod' },
        { id: 'ns/migrate[Job]', namespace: 'ns', name: 'migrate', kind: 'Job' },
        { id: 'ns/notcontroller[Pod]', namespace: 'ns', name: 'notcontroller', kind: 'Pod' },
        { id: 'ns/plain[ReplicaSet]', namespace: 'ns', name: 'plain', kind: 'ReplicaSet' },
        { id: 'ns/solo[Pod]', namespace: 'ns', name: 'solo', kind: 'Pod' },
        { id: 'ns/static[Pod]', namespace: 'ns', name: 'static', kind: 'Pod' },
        { id: 'ns/web[Deployment]', namespace: 'ns', name: 'web', kind: 'Deployment' },
      ].sort((a, b) => (a.id < b.id ? -1 : 1)),
    );
    // every pod's workload is listed
    const ids = new Set(cluster.workloads.map((w) => w.id));
    expect(cluster.pods.every((p) => ids.has(p.workload))).toBe(true);
  });

  it('trusts a given ReplicaSet without a Deployment owner over the pod-template-hash guess', () => {
    const { cluster } = buildCluster([
      owned('p', { kind: 'ReplicaSet', name: 'web-7d9f', controller: true }, { 'pod-template-hash': '7d9f' }),
      workloadObject('ReplicaSet', 'web-7d9f'),
    ]);
    expect(cluster.pods.map((p) => [p.name, p.workload, p.template])).toEqual([['p', 'ns/web-7d9f[ReplicaSet]', false]]);
  });

  it('makes one template pod for a Deployment manifest without pods', () => {
    const { cluster, diagnostics } = loadYaml(`
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop, labels: {ignored: yes-this-is-the-deployment}}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web, tier: front}}
    spec:
      containers:
      - name: c
        ports: [{name: http, containerPort: 8080}, {containerPort: 9090, protocol: UDP}]
`);
    expect(diagnostics).toEqual([]);
    expect(cluster.pods).toEqual([
      {
        id: 'shop/web',
        namespace: 'shop',
        name: 'web',
        labels: { app: 'web', tier: 'front' },
        ips: [],
        ports: [
          { name: 'http', protocol: 'TCP', port: 8080 },
          { name: '', protocol: 'UDP', port: 9090 },
        ],
        workload: 'shop/web[Deployment]',
        owner: { kind: 'Deployment', name: 'web' },
        exclusion: null,
        template: true,
        source: 'test.yaml',
      },
    ]);
    expect(cluster.workloads).toEqual([{ id: 'shop/web[Deployment]', namespace: 'shop', name: 'web', kind: 'Deployment' }]);
    expect(cluster.namespaces.map((n) => n.name)).toEqual(['shop']);
  });

  it('makes no template pod when pods of the workload are present', () => {
    const { cluster } = buildCluster([
      workloadObject('Deployment', 'web'),
      owned('web-7d9f-abcde', { kind: 'ReplicaSet', name: 'web-7d9f', controller: true }, { 'pod-template-hash': '7d9f' }),
      workloadObject('StatefulSet', 'db'),
      owned('db-0', { kind: 'StatefulSet', name: 'db', controller: true }),
    ]);
    expect(cluster.pods.map((p) => [p.id, p.workload, p.template])).toEqual([
      ['ns/db-0', 'ns/db[StatefulSet]', false],
      ['ns/web-7d9f-abcde', 'ns/web[Deployment]', false],
    ]);
  });

  it('makes one template pod for a Deployment with its ReplicaSet, and for a CronJob with its Job', () => {
    const { cluster, diagnostics } = buildCluster([
      workloadObject('ReplicaSet', 'web-1', { kind: 'Deployment', name: 'web', controller: true }, { metadata: { labels: { from: 'rs' } } }),
      workloadObject('Deployment', 'web', undefined, { metadata: { labels: { from: 'deployment' } } }),
      workloadObject('Job', 'backup-1', { kind: 'CronJob', name: 'backup', controller: true }, { metadata: { labels: { from: 'job' } } }),
      workloadObject('CronJob', 'backup', undefined, { metadata: { labels: { from: 'cronjob' } } }),
      workloadObject('ReplicaSet', 'orphan-rs', { kind: 'Deployment', name: 'gone', controller: true }, { metadata: { labels: { from: 'orphan' } } }),
    ]);
    expect(diagnostics).toEqual([]);
    expect(cluster.pods.map((p) => [p.id, p.workload, p.labels, p.owner, p.template])).toEqual([
      ['ns/backup', 'ns/backup[CronJob]', { from: 'cronjob' }, { kind: 'CronJob', name: 'backup' }, true],
      ['ns/gone', 'ns/gone[Deployment]', { from: 'orphan' }, { kind: 'ReplicaSet', name: 'orphan-rs' }, true],
      ['ns/web', 'ns/web[Deployment]', { from: 'deployment' }, { kind: 'Deployment', name: 'web' }, true],
    ]);
    expect(cluster.workloads.map((w) => w.id)).toEqual(['ns/backup[CronJob]', 'ns/gone[Deployment]', 'ns/web[Deployment]']);
  });

  it('names a template pod <name>-template when a pod already has the name', () => {
    const { cluster } = buildCluster([
      workloadObject('DaemonSet', 'agent', undefined, { metadata: { labels: { app: 'agent' } }, spec: { hostNetwork: true } }),
      owned('agent', null),
      workloadObject('ReplicationController', 'agent'),
    ]);
    expect(cluster.pods.map((p) => [p.id, p.workload, p.exclusion])).toEqual([
      ['ns/agent', 'ns/agent[Pod]', null],
      ['ns/agent-template', 'ns/agent[DaemonSet]', 'hostNetwork'],
      ['ns/agent-template-2', 'ns/agent[ReplicationController]', null],
    ]);
  });

  it('rejects a workload without a pod template', () => {
    const { cluster, diagnostics } = buildCluster([
      { file: 'w.yaml', object: { kind: 'CronJob', metadata: { name: 'c', namespace: 'ns' }, spec: { schedule: '* * * * *' } } },
      workloadObject('Deployment', 'ok'),
    ]);
    expect(errors(diagnostics)).toEqual([
      expect.objectContaining({ file: 'w.yaml', object: 'CronJob ns/c', field: 'spec.jobTemplate' }),
    ]);
    expect(cluster.pods.map((p) => p.id)).toEqual(['ns/ok']);
  });
});

describe('parseManifestText', () => {
  it('reads several documents, skipping empty ones', () => {
    const { objects, diagnostics } = parseManifestText('---\nkind: Pod\nmetadata: {name: a}\n---\n---\n# only a comment\n---\nkind: Pod\nmetadata: {name: b}\n', 'f.yaml');
    expect(diagnostics).toEqual([]);
    expect(objects).toEqual([
      { file: 'f.yaml', object: { kind: 'Pod', metadata: { name: 'a' } } },
      { file: 'f.yaml', object: { kind: 'Pod', metadata: { name: 'b' } } },
    ]);
  });

  it('reads JSON', () => {
    const { objects, diagnostics } = parseManifestText('{\n\t"kind": "PodList",\n\t"items": [{"metadata": {"name": "a"}}]\n}\n', 'f.json');
    expect(diagnostics).toEqual([]);
    expect(buildCluster(objects).cluster.pods.map((p) => p.id)).toEqual(['default/a']);
  });

  it('reports a document that does not parse, naming the file and line, and keeps the others', () => {
    const text = [
      'kind: Pod',
      'metadata: {name: first}',
      '---',
      'kind: Pod',
      'metadata: {name: broken',
      '  labels: [a',
      '---',
      'kind: Pod',
      'metadata: {name: last}',
      '',
    ].join('\n');
    const { objects, diagnostics } = parseManifestText(text, 'manifests/app.yaml');
    expect(diagnostics.length).toBeGreaterThan(0);
    for (const d of diagnostics) {
      expect(d.severity).toBe('error');
      expect(d.file).toBe('manifests/app.yaml');
      expect(d.message).toMatch(/document 2/);
    }
    expect(diagnostics[0]!.message).toMatch(/line \d+/);
    expect(buildCluster(objects).cluster.pods.map((p) => p.name)).toEqual(['first', 'last']);
  });

  it('reports duplicate keys as a parse error', () => {
    const { objects, diagnostics } = parseManifestText('kind: Pod\nmetadata: {name: a, name: b}\n', 'dup.yaml');
    expect(objects).toEqual([]);
    expect(diagnostics).toEqual([expect.objectContaining({ severity: 'error', file: 'dup.yaml' })]);
    expect(diagnostics[0]!.message).toMatch(/line 2/);
  });

  it('reports broken JSON with a line', () => {
    const { objects, diagnostics } = parseManifestText('{\n  "kind": "Pod",\n  "metadata": {"name": "a"\n}\n', 'bad.json');
    expect(objects).toEqual([]);
    expect(diagnostics.length).toBeGreaterThan(0);
    expect(diagnostics[0]).toMatchObject({ severity: 'error', file: 'bad.json' });
  });
});

describe('end to end from files', () => {
  it('loads a small multi-file app deterministically', () => {
    const files = {
      'ns.yaml': 'kind: Namespace\nmetadata: {name: shop}\n',
      'app.yaml': `
kind: Deployment
metadata: {name: api, namespace: shop}
spec: {template: {metadata: {labels: {app: api}}, spec: {containers: [{name: c, ports: [{containerPort: 80}]}]}}}
---
kind: NetworkPolicy
apiVersion: networking.k8s.io/v1
metadata: {name: api, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress: [{from: [{podSelector: {matchLabels: {app: web}}}], ports: [{port: 80}]}]
`,
    };
    const a = loadFiles(files);
    const b = loadFiles(Object.fromEntries(Object.entries(files).reverse()));
    expect(a.diagnostics).toEqual([]);
    expect(JSON.stringify(a.cluster)).toBe(JSON.stringify(b.cluster));
    expect(a.cluster.pods.map((p) => [p.id, p.workload, p.source])).toEqual([['shop/api', 'shop/api[Deployment]', 'app.yaml']]);
    expect(a.cluster.policies.map((p) => [p.id, p.source])).toEqual([['shop/api', 'app.yaml']]);
  });
});
