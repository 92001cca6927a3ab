// Loading AdminNetworkPolicies and the BaselineAdminNetworkPolicy: the shapes of the
// policy.networking.k8s.io/v1alpha1 API, and a diagnostic with file, object and field path for
// everything its schema rejects (the object is then left out, the rest still loads).
import { describe, expect, it } from 'vitest';
import { buildCluster } from '../../shared/kube/load.ts';
import type { Diagnostic } from '../../shared/model/types.ts';

const API = 'policy.networking.k8s.io/v1alpha1';

function anp(name: string, spec: unknown, apiVersion = API): object {
  return { apiVersion, kind: 'AdminNetworkPolicy', metadata: { name }, spec };
}

function banp(spec: unknown, name = 'default'): object {
  return { apiVersion: API, kind: 'BaselineAdminNetworkPolicy', metadata: { name }, spec };
}

function load(...objects: object[]) {
  return buildCluster(objects.map((object) => ({ object, file: 'admin.yaml' })));
}

const brief = (d: Diagnostic) => `${d.severity} ${d.object ?? ''} ${d.field ?? ''}: ${d.message}`;

describe('AdminNetworkPolicy and BaselineAdminNetworkPolicy: valid shapes', () => {
  it('reads subjects, peers, actions and every port form, and orders policies by priority then name', () => {
    const { cluster, diagnostics } = load(
      anp('second', { priority: 20, subject: { namespaces: {} }, ingress: [{ action: 'Deny', from: [{ namespaces: {} }] }] }),
      anp('first', {
        priority: 5,
        subject: { pods: { namespaceSelector: { matchLabels: { team: 'a' } }, podSelector: { matchLabels: { app: 'web' } } } },
        ingress: [{ name: 'dns', action: 'Allow', from: [{ pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'x' } } } }], ports: [{ namedPort: 'dns' }] }],
        egress: [
          {
            action: 'Pass',
            to: [{ networks: ['10.0.0.0/8', 'fd00::/8'] }, { namespaces: { matchLabels: { team: 'b' } } }],
            ports: [{ portNumber: { protocol: 'UDP', port: 53 } }, { portNumber: { port: 80 } }, { portRange: { protocol: 'SCTP', start: 1000, end: 2000 } }],
          },
        ],
      }),
      anp('also-20', { priority: 20, subject: { namespaces: {} } }),
      banp({ subject: { namespaces: {} }, egress: [{ action: 'Deny', to: [{ networks: ['0.0.0.0/0'] }] }] }),
    );
    expect(diagnostics.map(brief)).toEqual([]);
    expect(cluster.adminPolicies.map((p) => `${p.priority} ${p.name}`)).toEqual(['5 first', '20 also-20', '20 second']);
    const first = cluster.adminPolicies[0]!;
    expect(first.subject).toEqual({
      namespaceSelector: { matchLabels: { team: 'a' }, matchExpressions: [] },
      podSelector: { matchLabels: { app: 'web' }, matchExpressions: [] },
    });
    expect(first.ingress[0]).toEqual({
      name: 'dns',
      action: 'Allow',
      peers: [{ kind: 'pods', namespaceSelector: { matchLabels: {}, matchExpressions: [] }, podSelector: { matchLabels: { app: 'x' }, matchExpressions: [] } }],
      ports: [{ kind: 'named', name: 'dns' }],
    });
    expect(first.egress[0]!.peers).toEqual([
      { kind: 'networks', cidrs: ['10.0.0.0/8', 'fd00::/8'] },
      { kind: 'pods', namespaceSelector: { matchLabels: { team: 'b' }, matchExpressions: [] } },
    ]);
    expect(first.egress[0]!.ports).toEqual([
      { kind: 'range', protocol: 'UDP', port: 53, endPort: 53 },
      { kind: 'range', protocol: 'TCP', port: 80, endPort: 80 },
      { kind: 'range', protocol: 'SCTP', port: 1000, endPort: 2000 },
    ]);
    expect(cluster.baselineAdminPolicy?.egress[0]).toEqual({ name: '', action: 'Deny', peers: [{ kind: 'networks', cidrs: ['0.0.0.0/0'] }], ports: [] });
  });

  it('warns and reads {} for a selector missing in `pods`, and drops `nodes` peers (they match nothing in the matrix)', () => {
    const { cluster, diagnostics } = load(
      anp('a', { priority: 1, subject: { pods: { podSelector: {} } }, egress: [{ action: 'Deny', to: [{ nodes: {} }, { pods: { namespaceSelector: {} } }] }] }),
    );
    expect(diagnostics.map(brief)).toEqual([
      'warning AdminNetworkPolicy a spec.subject.pods.namespaceSelector: missing (the API schema requires it): taken as {}, every namespace',
      'warning AdminNetworkPolicy a spec.egress[0].to[0].nodes: a nodes peer selects node addresses, which the matrix leaves out (host traffic): it matches no pod and no external range',
      'warning AdminNetworkPolicy a spec.egress[0].to[1].pods.podSelector: missing (the API schema requires it): taken as {}, every pod',
    ]);
    expect(cluster.adminPolicies[0]!.egress[0]!.peers).toHaveLength(1);
  });

  it('ignores kinds of the same name from other APIs, with a warning', () => {
    const { cluster, diagnostics } = load(anp('x', { priority: 1, subject: { namespaces: {} } }, 'example.com/v1'));
    expect(cluster.adminPolicies).toEqual([]);
    expect(diagnostics.map(brief)).toEqual(['warning AdminNetworkPolicy x apiVersion: example.com/v1 is not the policy.networking.k8s.io API: ignored']);
  });
});

describe('AdminNetworkPolicy and BaselineAdminNetworkPolicy: what the schema rejects', () => {
  const subject = { namespaces: {} };
  const cases: [string, object, string[]][] = [
    ['priority missing', anp('p', { subject }), ['spec.priority: required field is missing']],
    ['priority out of range', anp('p', { priority: 1001, subject }), ['spec.priority: must be an integer from 0 to 1000, got 1001']],
    ['no subject', anp('p', { priority: 1 }), ['spec.subject: required field is missing']],
    ['two subject forms', anp('p', { priority: 1, subject: { namespaces: {}, pods: {} } }), ['spec.subject: sets namespaces and pods: exactly one is allowed']],
    ['unknown action', anp('p', { priority: 1, subject, ingress: [{ action: 'Drop', from: [{ namespaces: {} }] }] }), ['spec.ingress[0].action: unsupported action "Drop": must be Allow, Deny, Pass']],
    ['no peers', anp('p', { priority: 1, subject, ingress: [{ action: 'Deny' }] }), ['spec.ingress[0].from: required field is missing']],
    ['empty peers', anp('p', { priority: 1, subject, egress: [{ action: 'Deny', to: [] }] }), ['spec.egress[0].to: must list 1 to 100 entries, got 0']],
    ['networks in ingress', anp('p', { priority: 1, subject, ingress: [{ action: 'Deny', from: [{ networks: ['10.0.0.0/8'] }] }] }), ['spec.ingress[0].from[0].networks: networks peers are for egress rules only']],
    ['bad CIDR', anp('p', { priority: 1, subject, egress: [{ action: 'Deny', to: [{ networks: ['10.0.0.300/8'] }] }] }), ['spec.egress[0].to[0].networks[0]: "10.0.0.300/8" is not a valid CIDR']],
    ['two port forms', anp('p', { priority: 1, subject, egress: [{ action: 'Deny', to: [{ namespaces: {} }], ports: [{ portNumber: { port: 80 }, namedPort: 'http' }] }] }), ['spec.egress[0].ports[0]: sets portNumber and namedPort: exactly one is allowed']],
    ['quoted port', anp('p', { priority: 1, subject, egress: [{ action: 'Deny', to: [{ namespaces: {} }], ports: [{ portNumber: { port: '80' } }] }] }), ['spec.egress[0].ports[0].portNumber.port: must be an integer, got a string']],
    ['reversed range', anp('p', { priority: 1, subject, egress: [{ action: 'Deny', to: [{ namespaces: {} }], ports: [{ portRange: { start: 90, end: 80 } }] }] }), ['spec.egress[0].ports[0].portRange.end: 80 must be greater than start 90']],
    ['bad port name', anp('p', { priority: 1, subject, egress: [{ action: 'Deny', to: [{ namespaces: {} }], ports: [{ namedPort: 'HTTP' }] }] }), ['spec.egress[0].ports[0].namedPort: "HTTP" is not a valid port name: 1-15 lowercase letters, digits and \'-\', with a letter, no leading, trailing or double \'-\'']],
    ['Pass in the baseline', banp({ subject, ingress: [{ action: 'Pass', from: [{ namespaces: {} }] }] }), ['spec.ingress[0].action: unsupported action "Pass": must be Allow, Deny']],
    ['baseline not named default', banp({ subject }, 'other'), ['metadata.name: must be "default": a cluster has a single BaselineAdminNetworkPolicy, named default']],
  ];
  it.each(cases)('%s', (_name, object, expected) => {
    const { cluster, diagnostics } = load(object, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'still-loaded' } });
    expect(diagnostics.map((d) => `${d.field ?? ''}: ${d.message}`)).toEqual(expected);
    expect(diagnostics.every((d) => d.file === 'admin.yaml' && d.object !== undefined)).toBe(true);
    if (diagnostics.some((d) => d.severity === 'error')) {
      expect(cluster.adminPolicies).toEqual([]);
      expect(cluster.baselineAdminPolicy).toBeNull();
    }
    expect(cluster.pods.map((p) => p.id)).toEqual(['default/still-loaded']);
  });

  it('a second baseline is a duplicate', () => {
    const { cluster, diagnostics } = load(banp({ subject: { namespaces: {} } }), banp({ subject: { namespaces: {} } }));
    expect(cluster.baselineAdminPolicy).not.toBeNull();
    expect(diagnostics.map(brief)).toEqual([
      'error BaselineAdminNetworkPolicy default : duplicate BaselineAdminNetworkPolicy default: already defined in admin.yaml; this one (in admin.yaml) is ignored',
    ]);
  });
});
