// One table entry (at least) per point of the "AdminNetworkPolicy and BaselineAdminNetworkPolicy"
// section of ../shared/handbook/semantics.md, named after it. Each goes raw objects -> loader ->
// class engine, and states the answer the tiers dictate.
import { describe, expect, it } from 'vitest';
import type { DirectionReason } from '../../shared/engine/analysis.ts';
import { analyzeObjects } from '../support/analyze-objects.ts';
import { adminPolicy, baselinePolicy, namespace, pod, policy } from '../support/objects.ts';
import { semanticCases, type SemanticCase } from '../support/semantic-cases.ts';

const nsX = namespace('x', { team: 'x' });
const nsY = namespace('y', { team: 'y' });
const nsZ = namespace('z', { team: 'z' });
const a = pod('x/a', { labels: { app: 'a' }, ip: '10.0.0.1' });
const b = pod('x/b', { labels: { app: 'b' }, ip: '10.0.0.2' });
const c = pod('y/c', {
  labels: { app: 'c' },
  ip: '10.0.1.1',
  ports: [
    { name: 'dns', containerPort: 53, protocol: 'UDP' },
    { name: 'web', containerPort: 80 },
  ],
});
const d = pod('z/d', { labels: { app: 'd' }, ip: '10.0.2.1' });
const base = [nsX, nsY, nsZ, a, b, c, d];

const onX = { namespaces: { matchLabels: { team: 'x' } } };
const fromY = [{ namespaces: { matchLabels: { team: 'y' } } }];
const toY = fromY;
const tcp80 = [{ portNumber: { protocol: 'TCP', port: 80 } }];
const ALL_BUT_TCP_80 = 'TCP 1-79,81-65535 UDP 1-65535 SCTP 1-65535';

const cases: SemanticCase[] = [
  {
    rule: 'step 1: AdminNetworkPolicies by priority, lower first',
    objects: [
      ...base,
      adminPolicy('deny-y', 1, { subject: onX, ingress: [{ action: 'Deny', from: fromY }] }),
      adminPolicy('allow-y', 0, { subject: onX, ingress: [{ action: 'Allow', from: fromY }] }),
      policy('x/deny-all', { podSelector: {} }),
    ],
    allowed: [
      ['y/c', 'x/a', 'all'],
      ['z/d', 'x/a', 'none'],
    ],
  },
  {
    rule: 'step 1: rules in written order, the first matching rule decides',
    objects: [...base, adminPolicy('p', 5, { subject: onX, ingress: [{ action: 'Allow', from: fromY, ports: tcp80 }, { action: 'Deny', from: fromY }] })],
    allowed: [
      ['y/c', 'x/a', 'TCP 80'],
      ['z/d', 'x/a', 'all'],
    ],
  },
  {
    rule: 'step 1: a rule matching some ports decides only those; the others go on to later rules',
    objects: [...base, adminPolicy('p', 5, { subject: onX, ingress: [{ action: 'Deny', from: fromY, ports: tcp80 }, { action: 'Pass', from: fromY }] })],
    allowed: [['y/c', 'x/a', ALL_BUT_TCP_80]],
  },
  {
    rule: 'step 1: Allow allows even if NetworkPolicy would deny',
    objects: [...base, policy('x/deny-all', { podSelector: {} }), adminPolicy('p', 5, { subject: onX, ingress: [{ action: 'Allow', from: fromY, ports: tcp80 }] })],
    allowed: [
      ['y/c', 'x/a', 'TCP 80'],
      ['z/d', 'x/a', 'none'],
    ],
  },
  {
    rule: 'step 1: Deny denies even if NetworkPolicy allows',
    objects: [...base, policy('x/allow-all', { podSelector: {}, ingress: [{}] }), adminPolicy('p', 5, { subject: onX, ingress: [{ action: 'Deny', from: fromY }] })],
    allowed: [
      ['y/c', 'x/a', 'none'],
      ['z/d', 'x/a', 'all'],
    ],
  },
  {
    rule: 'step 1: Pass skips the remaining admin rules (of every AdminNetworkPolicy) and goes to step 2',
    objects: [
      ...base,
      adminPolicy('pass', 1, { subject: onX, ingress: [{ action: 'Pass', from: fromY }] }),
      adminPolicy('deny', 2, { subject: onX, ingress: [{ action: 'Deny', from: fromY }] }),
      policy('x/web', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'y' } } }], ports: [{ port: 80 }] }] }),
    ],
    allowed: [['y/c', 'x/a', 'TCP 80']],
  },
  {
    rule: 'step 2: a NetworkPolicy isolating the pod decides what the AdminNetworkPolicies left, and the baseline is not consulted',
    objects: [
      ...base,
      policy('x/from-y', { podSelector: { matchLabels: { app: 'a' } }, ingress: [{ from: [{ namespaceSelector: {} }] }] }),
      baselinePolicy({ subject: onX, ingress: [{ action: 'Deny', from: fromY }] }),
    ],
    allowed: [
      ['y/c', 'x/a', 'all'],
      ['y/c', 'x/b', 'none'],
    ],
  },
  {
    rule: 'step 2: isolation is per direction: an egress-only NetworkPolicy leaves ingress to the baseline',
    objects: [...base, policy('x/egress', { podSelector: {}, policyTypes: ['Egress'], egress: [{}] }), baselinePolicy({ subject: onX, ingress: [{ action: 'Deny', from: fromY }] })],
    allowed: [['y/c', 'x/a', 'none']],
  },
  {
    rule: 'step 3: the baseline, first matching rule, Allow or Deny',
    objects: [...base, baselinePolicy({ subject: onX, ingress: [{ action: 'Allow', from: fromY, ports: tcp80 }, { action: 'Deny', from: fromY }] })],
    allowed: [
      ['y/c', 'x/a', 'TCP 80'],
      ['z/d', 'x/a', 'all'],
    ],
  },
  {
    rule: 'step 3: ports an AdminNetworkPolicy passes reach the baseline when no NetworkPolicy isolates the pod',
    objects: [
      ...base,
      adminPolicy('p', 5, { subject: onX, ingress: [{ action: 'Allow', from: fromY, ports: tcp80 }, { action: 'Pass', from: fromY }] }),
      baselinePolicy({ subject: onX, ingress: [{ action: 'Deny', from: fromY }] }),
    ],
    allowed: [['y/c', 'x/a', 'TCP 80']],
  },
  {
    rule: 'step 4: nothing matched: allowed (egress and ingress each)',
    objects: [...base, adminPolicy('p', 5, { subject: onX, egress: [{ action: 'Deny', to: [{ namespaces: { matchLabels: { team: 'z' } } }] }] })],
    allowed: [
      ['x/a', 'y/c', 'all'],
      ['x/a', 'z/d', 'none'],
      ['z/d', 'x/a', 'all'],
    ],
  },
  {
    rule: 'subjects by namespaces, or by namespace and pod selectors; peers by pods too',
    objects: [
      ...base,
      adminPolicy('p', 5, {
        subject: { pods: { namespaceSelector: { matchLabels: { team: 'x' } }, podSelector: { matchLabels: { app: 'b' } } } },
        ingress: [{ action: 'Deny', from: [{ pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'c' } } } }] }],
      }),
    ],
    allowed: [
      ['y/c', 'x/b', 'none'],
      ['y/c', 'x/a', 'all'],
      ['z/d', 'x/b', 'all'],
    ],
  },
  {
    rule: 'ports: namedPort resolves on the destination pod by name, whatever the protocol',
    objects: [...base, adminPolicy('p', 5, { subject: onX, egress: [{ action: 'Allow', to: toY, ports: [{ namedPort: 'dns' }] }, { action: 'Deny', to: toY }] })],
    allowed: [['x/a', 'y/c', 'UDP 53']],
  },
  {
    rule: 'ports: portNumber (protocol defaults to TCP) and portRange (inclusive)',
    objects: [
      ...base,
      adminPolicy('p', 5, {
        subject: onX,
        egress: [{ action: 'Allow', to: toY, ports: [{ portNumber: { port: 443 } }, { portRange: { protocol: 'UDP', start: 1000, end: 2000 } }] }, { action: 'Deny', to: toY }],
      }),
    ],
    allowed: [['x/a', 'y/c', 'TCP 443 UDP 1000-2000']],
  },
  {
    rule: 'peers: networks match addresses outside the cluster, and pod IPs when ipBlocks match pods',
    objects: [...base, adminPolicy('p', 5, { subject: onX, egress: [{ action: 'Deny', to: [{ networks: ['10.0.1.0/24'] }] }] })],
    allowed: [
      ['x/a', '10.0.1.200', 'none'],
      ['x/a', '8.8.8.8', 'all'],
      ['x/a', 'y/c', 'none'],
    ],
  },
  {
    rule: 'peers: networks never match pod IPs when ipBlocks do not match pods',
    ipBlockMatchesPods: false,
    objects: [...base, adminPolicy('p', 5, { subject: onX, egress: [{ action: 'Deny', to: [{ networks: ['10.0.1.0/24'] }] }] })],
    allowed: [
      ['x/a', '10.0.1.200', 'none'],
      ['x/a', 'y/c', 'all'],
    ],
  },
  {
    rule: 'peers: nodes peers match no pod and no address (node traffic is not in the matrix)',
    objects: [...base, adminPolicy('p', 5, { subject: onX, egress: [{ action: 'Deny', to: [{ nodes: {} }] }] })],
    allowed: [
      ['x/a', 'y/c', 'all'],
      ['x/a', '10.0.1.200', 'all'],
    ],
  },
  {
    rule: 'equal priorities (undefined behaviour, a finding) are taken by name',
    objects: [
      ...base,
      adminPolicy('b-allow', 5, { subject: onX, ingress: [{ action: 'Allow', from: fromY }] }),
      adminPolicy('a-deny', 5, { subject: onX, ingress: [{ action: 'Deny', from: fromY }] }),
    ],
    allowed: [['y/c', 'x/a', 'none']],
  },
  {
    rule: 'host-network pods are never subjects or peers',
    objects: [...base, pod('x/agent', { labels: { app: 'a' }, ip: '192.168.0.9', hostNetwork: true }), adminPolicy('p', 5, { subject: onX, ingress: [{ action: 'Deny', from: fromY }] })],
    allowed: [['y/c', 'x/a', 'none']],
  },
  {
    rule: 'unprotected: a Deny rule isolates its direction, Allow and Pass rules alone do not',
    objects: [
      ...base,
      adminPolicy('allow', 1, { subject: { namespaces: {} }, ingress: [{ action: 'Allow', from: fromY }], egress: [{ action: 'Pass', to: toY }] }),
      adminPolicy('deny', 2, { subject: onX, egress: [{ action: 'Deny', to: toY }] }),
      baselinePolicy({ subject: { namespaces: { matchLabels: { team: 'z' } } }, ingress: [{ action: 'Deny', from: fromY }] }),
    ],
    isolation: [
      ['x/a', { ingress: false, egress: true }],
      ['y/c', { ingress: false, egress: false }],
      ['z/d', { ingress: true, egress: false }],
    ],
  },
];

semanticCases('semantics.md: AdminNetworkPolicy and BaselineAdminNetworkPolicy', cases);

describe('reasons name the tier, the policy, the rule and the action', () => {
  const objects = [
    ...base,
    adminPolicy('guardrails', 5, {
      subject: onX,
      ingress: [
        { action: 'Allow', from: fromY, ports: tcp80 },
        { action: 'Deny', from: fromY, ports: [{ portNumber: { protocol: 'TCP', port: 22 } }] },
        { action: 'Pass', from: fromY, ports: [{ portRange: { protocol: 'TCP', start: 8000, end: 8999 } }] },
      ],
    }),
    baselinePolicy({
      subject: onX,
      ingress: [
        { action: 'Allow', from: fromY, ports: [{ portNumber: { protocol: 'TCP', port: 8080 } }] },
        { action: 'Deny', from: fromY, ports: [{ portRange: { protocol: 'TCP', start: 8000, end: 8099 } }] },
      ],
    }),
    policy('y/egress', { podSelector: {}, policyTypes: ['Egress'], egress: [{}] }),
  ];
  const r = analyzeObjects(objects);
  // TCP 80 allowed, TCP 22 denied by the AdminNetworkPolicy; of the rest, the baseline denies TCP 8000-8099 but 8080.
  const ALLOWED = 'TCP 1-21,23-7999,8080,8100-65535 UDP 1-65535 SCTP 1-65535';
  const reasons = (from: string, to: string) => r.a.connection({ kind: 'pod', index: r.a.podIndex(from) }, { kind: 'pod', index: r.a.podIndex(to) })?.reasons;

  it('admin rules with tier and action, NetworkPolicy rules with tier np, and allowed-by-default ports', () => {
    expect(r.allowed('y/c', 'x/a')).toBe(ALLOWED);
    expect(reasons('y/c', 'x/a')).toEqual({
      egress: [{ policy: 'y/egress', rule: 0, tier: 'np' }],
      ingress: [
        { policy: 'guardrails', rule: 0, tier: 'anp', action: 'Allow' },
        { policy: 'guardrails', rule: 2, tier: 'anp', action: 'Pass' },
        { policy: 'default', rule: 0, tier: 'banp', action: 'Allow' },
        { policy: '', rule: -1, tier: 'default' },
      ],
    } satisfies Record<string, DirectionReason>);
  });

  it('a side no rule of any tier restricts is unisolated', () => {
    expect(reasons('z/d', 'x/a')?.ingress).toBe('unisolated');
    expect(reasons('x/a', 'z/d')).toEqual({ egress: 'unisolated', ingress: 'unisolated' });
  });

  it('explain lists the admin rules with what each decides, and what passed down', () => {
    const e = r.a.explain({ kind: 'pod', index: r.a.podIndex('y/c') }, { kind: 'pod', index: r.a.podIndex('x/a') }, { protocol: 'TCP', port: 22 });
    expect(e.verdict).toBe(false);
    expect(e.ingress.isolated).toBe(false);
    expect(e.ingress.ports.key()).toBe(ALLOWED);
    const admin = e.ingress.admin!;
    expect(admin.policies).toEqual(['guardrails']);
    expect(admin.baseline).toBe(true);
    expect(admin.rules.map((x) => `${x.tier} ${x.policy} ${x.rule} ${x.action} ${x.ports.key()}`)).toEqual([
      'anp guardrails 0 Allow TCP 80',
      'anp guardrails 1 Deny TCP 22',
      'anp guardrails 2 Pass TCP 8000-8999',
      'banp default 0 Allow TCP 8080',
      'banp default 1 Deny TCP 8000-8079,8081-8099',
    ]);
    expect(admin.passed.key()).toBe('TCP 1-21,23-79,81-65535 UDP 1-65535 SCTP 1-65535');
    expect(e.egress.admin).toBeUndefined();
  });
});
