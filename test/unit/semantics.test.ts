// One table entry (at least) per numbered rule of ../shared/handbook/semantics.md, named after it.
// Each goes raw objects -> loader -> class engine, and states the answer the rule dictates.
import { describe, expect, it } from 'vitest';
import { resolveEndpoints } from '../../shared/engine/resolve.ts';
import { analyzeObjects } from '../support/analyze-objects.ts';
import { namespace, pod, policy } from '../support/objects.ts';
import { semanticCases, type SemanticCase } from '../support/semantic-cases.ts';

const a = (labels: Record<string, string> = { app: 'a' }, ip = '10.0.0.1') => pod('x/a', { labels, ip });
const b = (labels: Record<string, string> = { app: 'b' }, ip = '10.0.0.2') => pod('x/b', { labels, ip });
const nsX = namespace('x', { team: 'x' });
const nsY = namespace('y', { team: 'y' });
const web = { ports: [{ name: 'http', containerPort: 8080 }] };

const cases: SemanticCase[] = [
  {
    rule: 'rule 1: isolation is per direction',
    objects: [nsX, a(), b(), policy('x/b-in', { podSelector: { matchLabels: { app: 'b' } }, policyTypes: ['Ingress'] })],
    isolation: [
      ['x/b', { ingress: true, egress: false }],
      ['x/a', { ingress: false, egress: false }],
    ],
    allowed: [
      ['x/a', 'x/b', 'none'],
      ['x/b', 'x/a', 'all'],
    ],
  },
  {
    rule: 'rule 2: policyTypes default adds Egress only when egress rules exist (and always Ingress)',
    objects: [
      nsX,
      a(),
      b(),
      policy('x/egress-only', { podSelector: { matchLabels: { app: 'b' } }, egress: [{ ports: [{ port: 53, protocol: 'UDP' }] }] }),
      policy('x/empty-egress', { podSelector: { matchLabels: { app: 'a' } }, egress: [] }),
    ],
    isolation: [
      ['x/b', { ingress: true, egress: true }],
      ['x/a', { ingress: true, egress: false }],
    ],
    allowed: [
      ['x/a', 'x/b', 'none'],
      ['x/b', 'x/a', 'none'],
      ['x/b', '8.8.8.8', 'UDP 53'],
    ],
  },
  {
    rule: 'rule 3: a listed direction without rules denies all; rules of an unlisted direction are ignored',
    objects: [
      nsX,
      a(),
      b(),
      policy('x/p', { podSelector: { matchLabels: { app: 'b' } }, policyTypes: ['Ingress'], egress: [{ ports: [{ port: 1 }] }] }),
    ],
    isolation: [['x/b', { ingress: true, egress: false }]],
    allowed: [
      ['x/a', 'x/b', 'none'],
      ['x/b', 'x/a', 'all'],
    ],
  },
  {
    rule: 'rule 4: spec.podSelector selects only pods of the policy namespace',
    objects: [nsX, nsY, a(), pod('y/a', { labels: { app: 'a' }, ip: '10.0.1.1' }), policy('x/deny', { podSelector: {} })],
    isolation: [
      ['x/a', { ingress: true, egress: false }],
      ['y/a', { ingress: false, egress: false }],
    ],
  },
  {
    rule: 'rule 5: ingress missing or [] denies all; ingress [{}] allows all',
    objects: [
      nsX,
      a(),
      b(),
      pod('x/c', { labels: { app: 'c' }, ip: '10.0.0.3' }),
      policy('x/deny-b', { podSelector: { matchLabels: { app: 'b' } }, ingress: [] }),
      policy('x/allow-c', { podSelector: { matchLabels: { app: 'c' } }, ingress: [{}] }),
    ],
    allowed: [
      ['x/a', 'x/b', 'none'],
      ['x/a', 'x/c', 'all'],
      ['1.2.3.4', 'x/c', 'all'],
    ],
  },
  {
    rule: 'rule 6: peers AND ports; from items OR; ports items OR; missing from = everyone, also outside',
    objects: [
      nsX,
      a(),
      b(),
      pod('x/c', { labels: { app: 'c' }, ip: '10.0.0.3' }),
      policy('x/b-in', {
        podSelector: { matchLabels: { app: 'b' } },
        ingress: [
          {
            from: [{ podSelector: { matchLabels: { app: 'a' } } }, { podSelector: { matchLabels: { app: 'c' } } }],
            ports: [{ port: 80 }, { port: 53, protocol: 'UDP' }],
          },
        ],
      }),
      policy('x/a-in', { podSelector: { matchLabels: { app: 'a' } }, ingress: [{ ports: [{ port: 443 }] }] }),
    ],
    allowed: [
      ['x/a', 'x/b', 'TCP 80 UDP 53'],
      ['x/c', 'x/b', 'TCP 80 UDP 53'],
      ['9.9.9.9', 'x/b', 'none'],
      ['x/b', 'x/a', 'TCP 443'],
      ['9.9.9.9', 'x/a', 'TCP 443'],
    ],
  },
  {
    rule: 'rule 7: policies are additive, order never matters',
    objects: [
      nsX,
      a(),
      b(),
      policy('x/p1', { podSelector: { matchLabels: { app: 'b' } }, ingress: [{ ports: [{ port: 80 }] }] }),
      policy('x/p2', { podSelector: {}, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'a' } } }], ports: [{ port: 81 }] }] }),
    ],
    allowed: [
      ['x/a', 'x/b', 'TCP 80-81'],
      ['8.8.8.8', 'x/b', 'TCP 80'],
    ],
  },
  {
    rule: 'rule 8: a connection needs the source egress AND the destination ingress',
    objects: [
      nsX,
      a(),
      b(),
      policy('x/a-out', { podSelector: { matchLabels: { app: 'a' } }, policyTypes: ['Egress'], egress: [{ ports: [{ port: 80 }, { port: 8080 }] }] }),
      policy('x/b-in', { podSelector: { matchLabels: { app: 'b' } }, ingress: [{ ports: [{ port: 80 }, { port: 443 }] }] }),
    ],
    allowed: [['x/a', 'x/b', 'TCP 80']],
  },
  {
    rule: 'rule 9: only the initiating direction counts (replies are implicit, not reverse permission)',
    objects: [
      nsX,
      a(),
      b(),
      policy('x/deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
      policy('x/a-to-b', {
        podSelector: {},
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ from: [{ podSelector: { matchLabels: { app: 'a' } } }] }],
        egress: [{ to: [{ podSelector: { matchLabels: { app: 'b' } } }] }],
      }),
    ],
    allowed: [
      ['x/a', 'x/b', 'all'],
      ['x/b', 'x/a', 'none'],
    ],
  },
  {
    rule: 'rule 10: a podSelector-only peer means pods of the policy namespace',
    objects: [
      nsX,
      nsY,
      a(),
      b(),
      pod('y/a', { labels: { app: 'a' }, ip: '10.0.1.1' }),
      policy('x/b-in', { podSelector: { matchLabels: { app: 'b' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'a' } } }] }] }),
    ],
    allowed: [
      ['x/a', 'x/b', 'all'],
      ['y/a', 'x/b', 'none'],
    ],
  },
  {
    rule: 'rule 11: a namespaceSelector-only peer means every pod there ({} = all namespaces), never outside addresses',
    objects: [
      nsX,
      nsY,
      a(),
      b(),
      pod('y/a', { labels: { app: 'other' }, ip: '10.0.1.1' }),
      policy('x/b-in', { podSelector: { matchLabels: { app: 'b' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'y' } } }] }] }),
      policy('x/a-in', { podSelector: { matchLabels: { app: 'a' } }, ingress: [{ from: [{ namespaceSelector: {} }] }] }),
    ],
    allowed: [
      ['y/a', 'x/b', 'all'],
      ['x/a', 'x/b', 'none'],
      ['y/a', 'x/a', 'all'],
      ['x/b', 'x/a', 'all'],
      ['10.0.1.1', 'x/a', 'none'],
      ['8.8.8.8', 'x/a', 'none'],
    ],
  },
  {
    rule: 'rule 12: both selectors in one peer are ANDed; two peers are ORed',
    objects: [
      nsX,
      nsY,
      b(),
      pod('x/mon', { labels: { app: 'mon' }, ip: '10.0.0.9' }),
      pod('y/mon', { labels: { app: 'mon' }, ip: '10.0.1.9' }),
      pod('y/other', { labels: { app: 'other' }, ip: '10.0.1.8' }),
      policy('x/and', {
        podSelector: { matchLabels: { app: 'b' } },
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'y' } }, podSelector: { matchLabels: { app: 'mon' } } }], ports: [{ port: 1 }] }],
      }),
      policy('x/or', {
        podSelector: { matchLabels: { app: 'b' } },
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'y' } } }, { podSelector: { matchLabels: { app: 'mon' } } }], ports: [{ port: 2 }] }],
      }),
    ],
    allowed: [
      ['y/mon', 'x/b', 'TCP 1-2'],
      ['y/other', 'x/b', 'TCP 2'],
      ['x/mon', 'x/b', 'TCP 2'],
    ],
  },
  {
    rule: 'rule 14: kubernetes.io/metadata.name is on every namespace, given or not',
    objects: [
      pod('given/a', { labels: { app: 'a' }, ip: '10.0.0.1' }),
      pod('implicit/c', { labels: { app: 'c' }, ip: '10.0.0.3' }),
      namespace('given'),
      b(),
      policy('x/b-in', {
        podSelector: { matchLabels: { app: 'b' } },
        ingress: [
          { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'given' } } }], ports: [{ port: 1 }] },
          { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'implicit' } } }], ports: [{ port: 2 }] },
        ],
      }),
    ],
    allowed: [
      ['given/a', 'x/b', 'TCP 1'],
      ['implicit/c', 'x/b', 'TCP 2'],
    ],
  },
  {
    rule: 'rule 15: In, NotIn (absent key matches), Exists, DoesNotExist',
    objects: [
      nsX,
      pod('x/dst', { labels: { app: 'dst' }, ip: '10.0.0.10' }),
      pod('x/red', { labels: { color: 'red' }, ip: '10.0.0.11' }),
      pod('x/blue', { labels: { color: 'blue' }, ip: '10.0.0.12' }),
      pod('x/none', { labels: {}, ip: '10.0.0.13' }),
      policy('x/dst-in', {
        podSelector: { matchLabels: { app: 'dst' } },
        ingress: [
          { from: [{ podSelector: { matchExpressions: [{ key: 'color', operator: 'In', values: ['red'] }] } }], ports: [{ port: 1 }] },
          { from: [{ podSelector: { matchExpressions: [{ key: 'color', operator: 'NotIn', values: ['red'] }] } }], ports: [{ port: 2 }] },
          { from: [{ podSelector: { matchExpressions: [{ key: 'color', operator: 'Exists' }] } }], ports: [{ port: 3 }] },
          { from: [{ podSelector: { matchExpressions: [{ key: 'color', operator: 'DoesNotExist' }] } }], ports: [{ port: 4 }] },
        ],
      }),
    ],
    allowed: [
      ['x/red', 'x/dst', 'TCP 1,3'],
      ['x/blue', 'x/dst', 'TCP 2-3'],
      ['x/none', 'x/dst', 'TCP 2,4'],
    ],
  },
  {
    rule: 'rule 16: ipBlock is the CIDR minus except, and except is local to its peer',
    objects: [
      nsX,
      b(),
      policy('x/b-in', {
        podSelector: { matchLabels: { app: 'b' } },
        ingress: [
          { from: [{ ipBlock: { cidr: '192.168.0.0/16', except: ['192.168.1.0/24'] } }], ports: [{ port: 1 }] },
          { from: [{ ipBlock: { cidr: '192.168.1.128/25' } }], ports: [{ port: 2 }] },
          { from: [{ ipBlock: { cidr: 'fd00::/8', except: ['fd00:1::/32'] } }], ports: [{ port: 3 }] },
        ],
      }),
    ],
    allowed: [
      ['192.168.2.1', 'x/b', 'TCP 1'],
      ['192.168.1.1', 'x/b', 'none'],
      ['192.168.1.200', 'x/b', 'TCP 2'],
      ['192.169.0.1', 'x/b', 'none'],
      ['fd00:2::1', 'x/b', 'TCP 3'],
      ['fd00:1::1', 'x/b', 'none'],
    ],
  },
  {
    rule: 'rule 17: ipBlocks match pod IPs when ipBlockMatchesPods (default true)',
    objects: [
      nsX,
      a(),
      b(),
      pod('x/v6', { labels: { app: 'v6' }, ip: ['10.9.0.1', 'fd00::1'] }),
      policy('x/b-in', { podSelector: { matchLabels: { app: 'b' } }, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/24' } }, { ipBlock: { cidr: 'fd00::/64' } }] }] }),
    ],
    allowed: [
      ['x/a', 'x/b', 'all'],
      ['x/v6', 'x/b', 'all'],
    ],
  },
  {
    rule: 'rule 17: with ipBlockMatchesPods=false ipBlocks never match pods',
    ipBlockMatchesPods: false,
    objects: [nsX, a(), b(), policy('x/b-in', { podSelector: { matchLabels: { app: 'b' } }, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/24' } }] }] })],
    allowed: [
      ['x/a', 'x/b', 'none'],
      ['10.0.0.77', 'x/b', 'all'],
    ],
  },
  {
    rule: 'rule 18: protocol defaults to TCP; a protocol-only entry opens all its ports; ports [{}] = all TCP',
    objects: [
      nsX,
      a(),
      b(),
      pod('x/c', { labels: { app: 'c' }, ip: '10.0.0.3' }),
      policy('x/b-in', { podSelector: { matchLabels: { app: 'b' } }, ingress: [{ ports: [{ protocol: 'UDP' }, { port: 80 }] }] }),
      policy('x/c-in', { podSelector: { matchLabels: { app: 'c' } }, ingress: [{ ports: [{}] }] }),
    ],
    allowed: [
      ['x/a', 'x/b', 'TCP 80 UDP 1-65535'],
      ['x/a', 'x/c', 'TCP 1-65535'],
    ],
  },
  {
    rule: 'rule 19: endPort is inclusive',
    objects: [nsX, a(), b(), policy('x/b-in', { podSelector: { matchLabels: { app: 'b' } }, ingress: [{ ports: [{ port: 8000, endPort: 8010, protocol: 'SCTP' }] }] })],
    allowed: [['x/a', 'x/b', 'SCTP 8000-8010']],
  },
  {
    rule: 'rule 20: named ports resolve on the destination pod (name and protocol); unresolved and external allow nothing',
    objects: [
      nsX,
      pod('x/a', { labels: { app: 'a' }, ip: '10.0.0.1', ports: [{ name: 'http', containerPort: 80 }] }),
      pod('x/b', { labels: { app: 'b' }, ip: '10.0.0.2', ...web }),
      pod('x/c', { labels: { app: 'c' }, ip: '10.0.0.3', ports: [{ name: 'http', containerPort: 8080, protocol: 'UDP' }] }),
      policy('x/in', { podSelector: {}, ingress: [{ ports: [{ port: 'http' }] }] }),
      policy('x/a-out', { podSelector: { matchLabels: { app: 'a' } }, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'http' }] }] }),
    ],
    allowed: [
      ['x/b', 'x/a', 'TCP 80'],
      ['x/a', 'x/b', 'TCP 8080'],
      ['x/a', 'x/c', 'none'],
      ['x/b', 'x/c', 'none'],
      ['x/a', '8.8.8.8', 'none'],
    ],
  },
  {
    rule: 'rule 21: finished pods are left out; a pending pod without IP takes part but matches no ipBlock',
    objects: [
      nsX,
      b(),
      pod('x/done', { labels: { app: 'a' }, ip: '10.0.0.5', phase: 'Succeeded' }),
      pod('x/failed', { labels: { app: 'a' }, ip: '10.0.0.6', phase: 'Failed' }),
      pod('x/pending', { labels: { app: 'p' }, phase: 'Pending' }),
      policy('x/b-in', { podSelector: { matchLabels: { app: 'b' } }, ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] }),
    ],
    allowed: [
      ['x/pending', 'x/b', 'none'],
      ['x/b', 'x/pending', 'all'],
    ],
  },
  {
    rule: 'rule 23: a pod to itself is not part of the matrix',
    objects: [nsX, a(), policy('x/deny', { podSelector: {} })],
    allowed: [['x/a', 'x/a', 'none']],
  },
];

semanticCases('semantics.md rules', cases);

describe('semantics.md rules: loading and participation', () => {
  it('rule 13: a peer with no field, or ipBlock with a selector, is rejected and the policy left out', () => {
    const r = analyzeObjects([
      nsX,
      a(),
      b(),
      policy('x/empty-peer', { podSelector: {}, ingress: [{ from: [{}] }] }),
      policy('x/mixed-peer', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' }, podSelector: {} }] }] }),
    ]);
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    expect(errors.map((d) => [d.object, d.field])).toEqual([
      ['NetworkPolicy x/empty-peer', 'spec.ingress[0].from[0]'],
      ['NetworkPolicy x/mixed-peer', 'spec.ingress[0].from[0]'],
    ]);
    expect(r.a.cluster.policies).toEqual([]);
    expect(r.allowed('x/a', 'x/b')).toBe('all');
  });

  it('rule 21: a pod being deleted whose containers all stopped is left out', () => {
    const terminated = pod('x/old', { labels: { app: 'a' }, ip: '10.0.0.7' }) as { metadata: object; status: object };
    terminated.metadata = { ...terminated.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' };
    terminated.status = { ...terminated.status, containerStatuses: [{ name: 'main', state: { terminated: { exitCode: 0 } } }] };
    const r = analyzeObjects([nsX, b(), terminated]);
    expect(r.a.pods.map((p) => p.id)).toEqual(['x/b']);
    expect(r.a.excludedPods.map((p) => [p.id, p.exclusion])).toEqual([['x/old', 'terminated']]);
  });

  it('rule 22: hostNetwork pods are left out of the matrix and listed apart', () => {
    const r = analyzeObjects([nsX, b(), pod('x/agent', { labels: { app: 'b' }, ip: '192.168.0.10', hostNetwork: true }), policy('x/deny', { podSelector: {} })]);
    expect(r.a.pods.map((p) => p.id)).toEqual(['x/b']);
    expect(r.a.excludedPods.map((p) => [p.id, p.exclusion])).toEqual([['x/agent', 'hostNetwork']]);
  });

  it('rule 24: node traffic (host-network pods) is not part of the matrix and cannot be checked as a pod', () => {
    const r = analyzeObjects([nsX, b(), pod('x/kubelet-probe', { ip: '192.168.0.10', hostNetwork: true }), policy('x/deny', { podSelector: {} })]);
    const resolved = resolveEndpoints(r.a, 'x/kubelet-probe', 'source');
    expect(resolved).toEqual({ error: expect.stringContaining('host network') });
    expect(r.a.pods.map((p) => p.id)).toEqual(['x/b']);
  });
});
