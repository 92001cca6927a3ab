// The findings semantics.md asks the product to name, each shown on a cluster that has it and
// absent from one that does not.
import { describe, expect, it } from 'vitest';
import { analyzeObjects } from '../support/analyze-objects.ts';
import { namespace, pod, policy } from '../support/objects.ts';

const base = [namespace('x'), pod('x/a', { labels: { app: 'a' }, ip: '10.0.0.1', ports: [{ name: 'http', containerPort: 80 }] })];

function kinds(objects: object[]) {
  return analyzeObjects(objects).a.findings.map((f) => [f.kind, f.subject, f.field ?? f.direction]);
}

describe('findings', () => {
  it('a policy that selects no pod', () => {
    expect(kinds([...base, policy('x/ghost', { podSelector: { matchLabels: { app: 'nope' } } })])).toContainEqual([
      'policy-selects-nothing',
      'x/ghost',
      'spec.podSelector',
    ]);
    expect(kinds([...base, policy('x/real', { podSelector: { matchLabels: { app: 'a' } } })]).map((k) => k[0])).not.toContain('policy-selects-nothing');
  });

  it('a rule whose peers match nothing', () => {
    const found = kinds([...base, policy('x/p', { podSelector: {}, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'nope' } } }] }, { from: [{ podSelector: {} }] }] })]);
    expect(found).toContainEqual(['rule-peers-match-nothing', 'x/p', 'spec.ingress[0].from']);
    expect(found).not.toContainEqual(['rule-peers-match-nothing', 'x/p', 'spec.ingress[1].from']);
  });

  it('a named port that resolves nowhere (name or protocol)', () => {
    const found = kinds([
      ...base,
      policy('x/p', { podSelector: {}, ingress: [{ ports: [{ port: 'http' }, { port: 'http', protocol: 'UDP' }, { port: 'metrics' }] }] }),
    ]);
    expect(found.filter((f) => f[0] === 'named-port-unresolved')).toEqual([
      ['named-port-unresolved', 'x/p', 'spec.ingress[0].ports[1].port'],
      ['named-port-unresolved', 'x/p', 'spec.ingress[0].ports[2].port'],
    ]);
  });

  it('an egress-only policy without policyTypes that therefore denies all ingress', () => {
    const found = kinds([...base, policy('x/dns', { podSelector: {}, egress: [{ ports: [{ port: 53, protocol: 'UDP' }] }] })]);
    expect(found).toContainEqual(['policy-types-default-denies-ingress', 'x/dns', 'spec.policyTypes']);
    const explicit = kinds([...base, policy('x/dns', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 53, protocol: 'UDP' }] }] })]);
    expect(explicit.map((k) => k[0])).not.toContain('policy-types-default-denies-ingress');
  });

  it('a namespaceSelector and a podSelector written as two peers (ORed) instead of one (ANDed)', () => {
    const two = { from: [{ namespaceSelector: { matchLabels: { team: 'sre' } } }, { podSelector: { matchLabels: { app: 'prom' } } }] };
    const one = { from: [{ namespaceSelector: { matchLabels: { team: 'sre' } }, podSelector: { matchLabels: { app: 'prom' } } }] };
    expect(kinds([...base, policy('x/p', { podSelector: {}, ingress: [one, two] })])).toContainEqual([
      'separate-namespace-and-pod-peers',
      'x/p',
      'spec.ingress[1].from',
    ]);
    expect(kinds([...base, policy('x/p', { podSelector: {}, ingress: [one] })]).map((k) => k[0])).not.toContain('separate-namespace-and-pod-peers');
  });

  it('a namespace without default deny, per direction', () => {
    expect(kinds(base)).toEqual([
      ['namespace-without-default-deny', 'x', 'egress'],
      ['namespace-without-default-deny', 'x', 'ingress'],
    ]);
    expect(kinds([...base, policy('x/deny', { podSelector: {}, policyTypes: ['Ingress'] })])).toEqual([['namespace-without-default-deny', 'x', 'egress']]);
    // A select-all policy that allows everyone is not a default deny.
    expect(kinds([...base, policy('x/open', { podSelector: {}, ingress: [{}] })])).toContainEqual(['namespace-without-default-deny', 'x', 'ingress']);
  });
});
