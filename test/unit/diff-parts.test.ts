// The parts of the diff that the reference cannot check: which policy fields changed (by meaning,
// not by spelling), findings, and manifests applied over a live cluster (replacement, rejection,
// rollout of a workload's template onto its running pods).
import { describe, expect, it } from 'vitest';
import { diffFindings } from '../../shared/diff/findings.ts';
import { applyManifests } from '../../shared/diff/overlay.ts';
import { diffPolicies } from '../../shared/diff/policies.ts';
import type { Finding } from '../../shared/engine/analysis.ts';
import { buildCluster } from '../../shared/kube/load.ts';
import type { Cluster } from '../../shared/model/types.ts';
import { adminPolicy, baselinePolicy, namespace, pod, policy } from '../support/objects.ts';

const clusterOf = (objects: object[], file?: string): Cluster => {
  const built = buildCluster(objects.map((object) => (file === undefined ? { object } : { file, object })));
  expect(built.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return built.cluster;
};

describe('diffPolicies', () => {
  it('the same meaning written differently (key order, requirement and value order, another file) is no change', () => {
    const a = policy('prod/p', {
      podSelector: { matchLabels: { app: 'api', tier: 'back' }, matchExpressions: [{ key: 'x', operator: 'In', values: ['1', '2'] }, { key: 'y', operator: 'Exists' }] },
      ingress: [{ from: [{ podSelector: {} }], ports: [{ port: 80 }] }],
    });
    const b = policy('prod/p', {
      ingress: [{ ports: [{ port: 80 }], from: [{ podSelector: {} }] }],
      podSelector: { matchExpressions: [{ operator: 'Exists', key: 'y' }, { key: 'x', operator: 'In', values: ['2', '1'] }], matchLabels: { tier: 'back', app: 'api' } },
    });
    expect(diffPolicies(clusterOf([a], 'a.yaml'), clusterOf([b], 'b.yaml'))).toEqual([]);
  });

  it('names the fields that differ, in reading order; a rule on one side only is a differing field', () => {
    const a = policy('prod/p', { podSelector: {}, ingress: [{ ports: [{ port: 80 }] }], egress: [{}] });
    const b = policy('prod/p', { podSelector: { matchLabels: { app: 'x' } }, policyTypes: ['Ingress', 'Egress'], ingress: [{ ports: [{ port: 80 }] }, {}], egress: [] });
    expect(diffPolicies(clusterOf([a]), clusterOf([b]))).toEqual([
      { tier: 'np', id: 'prod/p', change: 'changed', fields: ['spec.podSelector', 'spec.policyTypes', 'spec.ingress[1]', 'spec.egress[0]'] },
    ]);
  });

  it('policyTypes written out differs from the same types defaulted (the finding about it differs too)', () => {
    const a = policy('prod/p', { podSelector: {}, ingress: [{}] });
    const b = policy('prod/p', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{}] });
    expect(diffPolicies(clusterOf([a]), clusterOf([b]))).toEqual([{ tier: 'np', id: 'prod/p', change: 'changed', fields: ['spec.policyTypes'] }]);
  });

  it('admin tiers: priority and subject changes, the baseline added or deleted; order anp, np, banp', () => {
    const anp = (priority: number, env: string) => adminPolicy('guard', priority, { subject: { namespaces: { matchLabels: { env } } }, ingress: [{ action: 'Deny', from: [{ namespaces: {} }] }] });
    const banp = baselinePolicy({ subject: { namespaces: {} }, egress: [{ action: 'Deny', to: [{ namespaces: {} }] }] });
    const np = policy('prod/p', { podSelector: {} });
    const before = clusterOf([anp(10, 'prod'), np, banp], 'before.yaml');
    const after = clusterOf([anp(20, 'staging'), policy('prod/q', { podSelector: {} })], 'after.yaml');
    expect(diffPolicies(before, after)).toEqual([
      { tier: 'anp', id: 'guard', change: 'changed', fields: ['spec.priority', 'spec.subject'], source: { before: 'before.yaml', after: 'after.yaml' } },
      { tier: 'np', id: 'prod/p', change: 'deleted', source: { before: 'before.yaml' } },
      { tier: 'np', id: 'prod/q', change: 'added', source: { after: 'after.yaml' } },
      { tier: 'banp', id: 'default', change: 'deleted', source: { before: 'before.yaml' } },
    ]);
    expect(diffPolicies(after, before).map((p) => `${p.tier} ${p.id} ${p.change}`)).toEqual(['anp guard changed', 'np prod/p added', 'np prod/q deleted', 'banp default added']);
  });
});

describe('diffFindings', () => {
  it('a finding whose text changed is removed and added again; unchanged ones are not listed', () => {
    const f = (subject: string, message: string): Finding => ({ kind: 'policy-selects-nothing', severity: 'warning', subject, message });
    const kept = f('prod/a', 'same');
    expect(diffFindings([kept, f('prod/b', 'old text'), f('prod/c', 'gone')], [kept, f('prod/b', 'new text'), f('prod/d', 'new')])).toEqual({
      added: [f('prod/b', 'new text'), f('prod/d', 'new')],
      removed: [f('prod/b', 'old text'), f('prod/c', 'gone')],
    });
  });
});

describe('applyManifests (a cluster with manifests applied)', () => {
  const live = [
    namespace('prod', { env: 'prod' }),
    {
      ...(pod('prod/api-5f8d7-abcde', { labels: { app: 'api', version: 'v1', 'pod-template-hash': '5f8d7' }, ip: '10.0.0.5', ports: [{ name: 'http', containerPort: 8080 }] }) as Record<string, unknown>),
    },
    policy('prod/allow', { podSelector: {}, ingress: [{ ports: [{ port: 80 }] }] }),
    policy('prod/keep', { podSelector: {}, policyTypes: ['Egress'] }),
  ].map((object) => ({ object }));
  // The live pod is owned by the api Deployment's ReplicaSet.
  const livePod = live[1]!.object as { metadata: Record<string, unknown> };
  livePod.metadata['ownerReferences'] = [{ kind: 'ReplicaSet', name: 'api-5f8d7', controller: true }];

  it('replaces objects of the same kind, namespace and name, adds the others', () => {
    const manifests = [
      { file: 'm.yaml', object: policy('prod/allow', { podSelector: {}, ingress: [{ ports: [{ port: 443 }] }] }) },
      { file: 'm.yaml', object: policy('prod/new', { podSelector: {}, policyTypes: ['Ingress'] }) },
      { file: 'm.yaml', object: namespace('prod', { env: 'production' }) },
    ];
    const o = applyManifests(live, manifests);
    expect(o.diagnostics).toEqual([]);
    expect(o.replaced).toEqual(['NetworkPolicy prod/allow', 'Namespace prod']);
    expect(o.added).toEqual(['NetworkPolicy prod/new']);
    expect(o.cluster.policies.map((p) => `${p.id} ${p.source ?? 'live'}`)).toEqual(['prod/allow m.yaml', 'prod/keep live', 'prod/new m.yaml']);
    expect(o.cluster.policies[0]!.ingress[0]!.ports).toEqual([{ protocol: 'TCP', port: 443 }]);
    expect(o.cluster.namespaces.find((n) => n.name === 'prod')!.labels).toEqual({ env: 'production', 'kubernetes.io/metadata.name': 'prod' });
  });

  it('an object with errors is rejected (as the API server would): the live one stays, the error names file, object and field', () => {
    const o = applyManifests(live, [{ file: 'bad.yaml', object: policy('prod/allow', { podSelector: {}, ingress: [{ ports: [{ port: 80, endPort: 10 }] }] }) }]);
    expect(o.diagnostics).toEqual([
      { severity: 'error', file: 'bad.yaml', object: 'NetworkPolicy prod/allow', field: 'spec.ingress[0].ports[0].endPort', message: expect.stringContaining('less than port') },
    ]);
    expect(o.replaced).toEqual([]);
    expect(o.cluster.policies.find((p) => p.id === 'prod/allow')!.ingress[0]!.ports).toEqual([{ protocol: 'TCP', port: 80 }]);
  });

  it('an object given twice in the manifests: the first counts, the second is an error', () => {
    const o = applyManifests(live, [
      { file: 'a.yaml', object: policy('prod/new', { podSelector: {}, policyTypes: ['Ingress'] }) },
      { file: 'b.yaml', object: policy('prod/new', { podSelector: {}, policyTypes: ['Egress'] }) },
    ]);
    expect(o.diagnostics).toEqual([
      { severity: 'error', file: 'b.yaml', object: 'NetworkPolicy prod/new', message: 'duplicate NetworkPolicy prod/new: already defined in a.yaml; this one is ignored' },
    ]);
    expect(o.cluster.policies.find((p) => p.id === 'prod/new')!.policyTypes).toEqual({ ingress: true, egress: false });
  });

  it("a workload manifest rolls its template onto the running pods: names, IPs and controller labels kept", () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'api', namespace: 'prod' },
      spec: { template: { metadata: { labels: { app: 'api', version: 'v2' } }, spec: { containers: [{ name: 'c', ports: [{ name: 'http', containerPort: 9000 }] }] } } },
    };
    const o = applyManifests(live, [{ file: 'api.yaml', object: deployment }]);
    expect(o.rolledOut).toEqual(['prod/api[Deployment]']);
    expect(o.cluster.pods).toEqual([
      expect.objectContaining({
        id: 'prod/api-5f8d7-abcde',
        ips: ['10.0.0.5'],
        labels: { 'pod-template-hash': '5f8d7', app: 'api', version: 'v2' },
        ports: [{ name: 'http', protocol: 'TCP', port: 9000 }],
        template: false,
      }),
    ]);
  });

  it('a new workload is one template pod; a pod given in the manifests is taken as written, not rolled', () => {
    const deployment = (name: string, labels: Record<string, string>) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: 'prod' },
      spec: { template: { metadata: { labels }, spec: { containers: [{ name: 'c' }] } } },
    });
    const replacement = pod('prod/api-5f8d7-abcde', { labels: { app: 'pinned', 'pod-template-hash': '5f8d7' }, ip: '10.0.0.6' }) as { metadata: Record<string, unknown> };
    replacement.metadata['ownerReferences'] = [{ kind: 'ReplicaSet', name: 'api-5f8d7', controller: true }];
    const o = applyManifests(live, [
      { file: 'w.yaml', object: deployment('worker', { app: 'worker' }) },
      { file: 'a.yaml', object: deployment('api', { app: 'api', version: 'v2' }) },
      { file: 'p.yaml', object: replacement },
    ]);
    expect(o.rolledOut).toEqual([]);
    expect(o.cluster.pods.map((p) => `${p.id} ${p.workload} ${JSON.stringify(p.labels)} ${p.template}`)).toEqual([
      'prod/api-5f8d7-abcde prod/api[Deployment] {"app":"pinned","pod-template-hash":"5f8d7"} false',
      'prod/worker prod/worker[Deployment] {"app":"worker"} true',
    ]);
  });
});
