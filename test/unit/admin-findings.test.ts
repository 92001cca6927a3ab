// The admin findings, each shown on a cluster that has it and absent from one that does not:
// overlapping equal priorities, Pass rules nothing below handles, rules shadowed by an earlier one.
import { describe, expect, it } from 'vitest';
import { analyzeObjects } from '../support/analyze-objects.ts';
import { adminPolicy, baselinePolicy, namespace, pod, policy } from '../support/objects.ts';

const base = [
  namespace('x', { team: 'x' }),
  namespace('y', { team: 'y' }),
  pod('x/a', { labels: { app: 'a' }, ip: '10.0.0.1', ports: [{ name: 'http', containerPort: 80 }] }),
  pod('y/b', { labels: { app: 'b' }, ip: '10.0.1.1' }),
];
const onX = { namespaces: { matchLabels: { team: 'x' } } };
const fromY = [{ namespaces: { matchLabels: { team: 'y' } } }];

function adminFindings(objects: object[]): string[][] {
  return analyzeObjects(objects)
    .a.findings.filter((f) => f.kind.startsWith('admin-'))
    .map((f) => [f.kind, f.subject, f.field ?? '']);
}

describe('admin findings', () => {
  it('two AdminNetworkPolicies of one priority selecting a common pod', () => {
    const deny = adminPolicy('deny', 5, { subject: onX, ingress: [{ action: 'Deny', from: fromY }] });
    expect(adminFindings([...base, deny, adminPolicy('allow', 5, { subject: { namespaces: {} }, ingress: [{ action: 'Allow', from: fromY }] })])).toEqual([
      ['admin-priority-overlap', 'allow', 'spec.priority'],
    ]);
    // Another priority, other pods, or rules in another direction: defined.
    expect(adminFindings([...base, deny, adminPolicy('allow', 6, { subject: onX, ingress: [{ action: 'Allow', from: fromY }] })])).toEqual([]);
    expect(adminFindings([...base, deny, adminPolicy('allow', 5, { subject: { namespaces: { matchLabels: { team: 'y' } } }, ingress: [{ action: 'Allow', from: fromY }] })])).toEqual([]);
    expect(adminFindings([...base, deny, adminPolicy('allow', 5, { subject: onX, egress: [{ action: 'Allow', to: fromY }] })])).toEqual([]);
  });

  it('a Pass rule whose subject pods have no NetworkPolicy and no baseline rule below', () => {
    const pass = adminPolicy('pass', 5, { subject: onX, ingress: [{ name: 'to-teams', action: 'Pass', from: fromY }] });
    const found = analyzeObjects([...base, pass]).a.findings.filter((f) => f.kind === 'admin-pass-unhandled');
    expect(found.map((f) => [f.subject, f.field])).toEqual([['pass', 'spec.ingress[0]']]);
    expect(found[0]!.message).toContain('Rule ingress[0] "to-teams" of AdminNetworkPolicy pass');
    expect(adminFindings([...base, pass, policy('x/deny', { podSelector: {} })])).toEqual([]);
    expect(adminFindings([...base, pass, baselinePolicy({ subject: onX, ingress: [{ action: 'Deny', from: fromY }] })])).toEqual([]);
    // A baseline rule for the other direction does not handle it.
    expect(adminFindings([...base, pass, baselinePolicy({ subject: onX, egress: [{ action: 'Deny', to: fromY }] })])).toEqual([
      ['admin-pass-unhandled', 'pass', 'spec.ingress[0]'],
    ]);
  });

  it('a rule whose peers and ports an earlier rule of the policy already matches', () => {
    const found = adminFindings([
      ...base,
      adminPolicy('p', 5, {
        subject: onX,
        ingress: [
          { action: 'Allow', from: [{ namespaces: {} }], ports: [{ portRange: { start: 1, end: 1000 } }] },
          { action: 'Deny', from: fromY, ports: [{ portNumber: { protocol: 'TCP', port: 80 } }] },
          { action: 'Deny', from: fromY, ports: [{ namedPort: 'http' }] },
          { action: 'Deny', from: fromY },
        ],
      }),
      baselinePolicy({ subject: onX, egress: [{ action: 'Deny', to: fromY }, { action: 'Allow', to: [{ pods: { namespaceSelector: onX.namespaces, podSelector: {} } }] }] }),
    ]);
    expect(found).toEqual([
      ['admin-rule-shadowed', 'p', 'spec.ingress[1]'],
      ['admin-rule-shadowed', 'p', 'spec.ingress[2]'],
    ]);
  });
});
