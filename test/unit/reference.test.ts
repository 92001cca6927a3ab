// The reference evaluator on tiny hand-written clusters: each case pins a concrete answer that a
// wrong reading of semantics.md would change.
import { describe, expect, it } from 'vitest';
import { createReference, type RefEndpoint, type RefOptions, type RefResult } from '../../shared/reference/evaluate.ts';

type Json = Record<string, unknown>;

const MATCH = { ipBlockMatchesPods: true } satisfies RefOptions;
const NO_MATCH = { ipBlockMatchesPods: false } satisfies RefOptions;

function ns(name: string, labels?: Record<string, string>): Json {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: labels ? { name, labels } : { name } };
}

interface PodOptions {
  labels?: Record<string, string>;
  ips?: string[];
  ports?: Json[];
  containers?: Json[][];
  spec?: Json;
  status?: Json;
  metadata?: Json;
}

/** `id` is `ns/name`; a bare name means no metadata.namespace (the default namespace). */
function pod(id: string, o: PodOptions = {}): Json {
  const [namespace, name] = id.includes('/') ? id.split('/') : [undefined, id];
  const containers = (o.containers ?? [o.ports ?? []]).map((ports, i) => ({ name: `c${i}`, image: 'x', ports }));
  const status: Json = { phase: 'Running', ...o.status };
  if (o.ips && o.ips.length > 0) {
    status.podIP = o.ips[0];
    status.podIPs = o.ips.map((ip) => ({ ip }));
  }
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, ...(namespace ? { namespace } : {}), labels: o.labels ?? {}, ...o.metadata },
    spec: { containers, ...o.spec },
    status,
  };
}

function policy(id: string, spec: Json): Json {
  const [namespace, name] = id.split('/');
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec };
}

const P = (id: string): RefEndpoint => ({ kind: 'pod', id });
const IP = (ip: string): RefEndpoint => ({ kind: 'ip', ip });

/** A compact, comparable view of a result. */
function view(result: RefResult): { ports: string; egress: unknown; ingress: unknown } {
  const reason = (r: RefResult['reasons']['egress']): unknown =>
    r === 'unisolated' ? r : r.map((x) => `${x.tier && x.tier !== 'np' ? `${x.tier}:` : ''}${x.policy}#${x.rule}${x.action ? ` ${x.action}` : ''}`);
  return { ports: result.ports.key(), egress: reason(result.reasons.egress), ingress: reason(result.reasons.ingress) };
}

describe('reference: policyTypes defaulting (rule 2) and isolation per direction (rules 1, 3)', () => {
  const objects = [
    pod('a/p1', { labels: { app: 'one' }, ips: ['10.0.0.1'] }),
    pod('a/p2', { labels: { app: 'two' }, ips: ['10.0.0.2'] }),
    pod('a/p3', { labels: { app: 'three' }, ips: ['10.0.0.3'] }),
    pod('a/p4', { labels: { app: 'four' }, ips: ['10.0.0.4'] }),
    // Only egress rules, no policyTypes: isolates ingress (denying it all) AND egress.
    policy('a/egress-only', { podSelector: { matchLabels: { app: 'one' } }, egress: [{ ports: [{ port: 53, protocol: 'UDP' }] }] }),
    // egress: [] without policyTypes: egress is NOT isolated; ingress is (nothing allowed).
    policy('a/empty-egress', { podSelector: { matchLabels: { app: 'two' } }, egress: [] }),
    // Explicit Egress only: its ingress rules are ignored, ingress stays open.
    policy('a/explicit-egress', {
      podSelector: { matchLabels: { app: 'three' } },
      policyTypes: ['Egress'],
      ingress: [{}],
      egress: [{ to: [{ podSelector: { matchLabels: { app: 'four' } } }] }],
    }),
    // policyTypes: [] behaves as missing: [Ingress] (+Egress only with egress rules).
    policy('a/empty-types', { podSelector: { matchLabels: { app: 'four' } }, policyTypes: [], ingress: [{ ports: [{ port: 80 }] }], egress: [] }),
  ];
  const ref = createReference(objects, MATCH);

  it('derives isolation from the effective policyTypes', () => {
    expect(ref.isolation('a/p1')).toEqual({ ingress: true, egress: true });
    expect(ref.isolation('a/p2')).toEqual({ ingress: true, egress: false });
    expect(ref.isolation('a/p3')).toEqual({ ingress: false, egress: true });
    expect(ref.isolation('a/p4')).toEqual({ ingress: true, egress: false });
  });

  it('an egress-only policy without policyTypes denies all ingress', () => {
    expect(view(ref.connection(P('a/p2'), P('a/p1')))).toEqual({ ports: 'none', egress: 'unisolated', ingress: [] });
    expect(view(ref.connection(IP('8.8.8.8'), P('a/p1'))).ports).toBe('none');
  });

  it('its egress rule allows only UDP 53, toward pods and addresses alike', () => {
    expect(view(ref.connection(P('a/p1'), P('a/p3')))).toEqual({ ports: 'UDP 53', egress: ['a/egress-only#0'], ingress: 'unisolated' });
    expect(view(ref.connection(P('a/p1'), IP('8.8.8.8')))).toEqual({ ports: 'UDP 53', egress: ['a/egress-only#0'], ingress: 'unisolated' });
  });

  it('egress: [] without policyTypes leaves egress open', () => {
    expect(view(ref.connection(P('a/p2'), P('a/p3')))).toEqual({ ports: 'all', egress: 'unisolated', ingress: 'unisolated' });
  });

  it('ingress rules of an Egress-only policy are ignored; its egress is limited to app=four', () => {
    expect(view(ref.connection(P('a/p2'), P('a/p3')))).toMatchObject({ ports: 'all', ingress: 'unisolated' });
    expect(view(ref.connection(P('a/p3'), P('a/p1'))).ports).toBe('none');
    expect(view(ref.connection(P('a/p3'), P('a/p4')))).toEqual({ ports: 'TCP 80', egress: ['a/explicit-egress#0'], ingress: ['a/empty-types#0'] });
    expect(view(ref.connection(P('a/p3'), IP('1.1.1.1'))).ports).toBe('none');
  });

  it('a pod to itself is never a connection', () => {
    expect(view(ref.connection(P('a/p3'), P('a/p3')))).toEqual({ ports: 'none', egress: [], ingress: [] });
  });
});

describe('reference: peers (rules 10-12, 14-15)', () => {
  const objects = [
    ns('prod', { team: 'red' }), // no kubernetes.io/metadata.name: it gets added
    // 'dev' is not given as an object: it exists with only its name label.
    pod('prod/api', { labels: { app: 'api' }, ips: ['10.0.0.1'] }),
    pod('prod/web', { labels: { app: 'web' }, ips: ['10.0.0.2'] }),
    pod('dev/web', { labels: { app: 'web' }, ips: ['10.0.0.3'] }),
    pod('dev/other', { labels: { app: 'other' }, ips: ['10.0.0.4'] }),
    pod('web', { labels: { app: 'web' }, ips: ['10.0.0.5'] }), // default namespace
    // ONE peer with both selectors: web pods in red-team namespaces only (AND).
    policy('prod/and', {
      podSelector: { matchLabels: { app: 'api' } },
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'red' } }, podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 80 }] }],
    }),
    // TWO peers: every pod of dev, OR web pods of the policy's own namespace (default).
    policy('default/or', {
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'dev' } } }, { podSelector: { matchLabels: { app: 'web' } } }],
          ports: [{ port: 443 }],
        },
      ],
    }),
  ];
  const ref = createReference(objects, MATCH);

  it('both selectors in one peer are ANDed', () => {
    expect(ref.connection(P('prod/web'), P('prod/api')).ports.key()).toBe('TCP 80');
    expect(ref.connection(P('dev/web'), P('prod/api')).ports.key()).toBe('none'); // right labels, wrong namespace
    expect(ref.connection(P('default/web'), P('prod/api')).ports.key()).toBe('none');
    expect(ref.connection(IP('10.0.0.2'), P('prod/api')).ports.key()).toBe('none'); // selectors never match addresses
  });

  it('separate peers are ORed; podSelector alone means the policy namespace; metadata.name is present on implicit namespaces', () => {
    expect(ref.connection(P('dev/other'), P('default/web')).ports.key()).toBe('TCP 443');
    expect(ref.connection(P('dev/web'), P('default/web')).ports.key()).toBe('TCP 443');
    expect(ref.connection(P('prod/web'), P('default/web')).ports.key()).toBe('none'); // app=web, but in prod
    expect(ref.connection(P('prod/api'), P('default/web')).ports.key()).toBe('none');
  });

  it('the name label is added to a given namespace lacking it', () => {
    const r = createReference(
      [
        ns('prod', { team: 'red' }),
        pod('prod/a', { ips: ['10.0.0.1'] }),
        pod('x/b', { ips: ['10.0.0.2'] }),
        policy('x/p', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['prod'] }] } }] }] }),
      ],
      MATCH,
    );
    expect(r.connection(P('prod/a'), P('x/b')).ports.key()).toBe('all');
  });

  it('matchExpressions: NotIn matches an absent key, DoesNotExist and Exists, ANDed with matchLabels', () => {
    const r = createReference(
      [
        pod('n/target', { labels: { app: 'db' }, ips: ['10.0.0.9'] }),
        pod('n/nolabel', { ips: ['10.0.0.1'] }),
        pod('n/prod', { labels: { env: 'prod', tier: 'x' }, ips: ['10.0.0.2'] }),
        pod('n/dev', { labels: { env: 'dev', tier: 'x' }, ips: ['10.0.0.3'] }),
        pod('n/devnotier', { labels: { env: 'dev' }, ips: ['10.0.0.4'] }),
        policy('n/p', {
          podSelector: { matchLabels: { app: 'db' } },
          ingress: [
            { from: [{ podSelector: { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] } }], ports: [{ port: 1 }] },
            { from: [{ podSelector: { matchExpressions: [{ key: 'env', operator: 'DoesNotExist' }] } }], ports: [{ port: 2 }] },
            {
              from: [{ podSelector: { matchLabels: { env: 'dev' }, matchExpressions: [{ key: 'tier', operator: 'Exists' }] } }],
              ports: [{ port: 3 }],
            },
          ],
        }),
      ],
      MATCH,
    );
    expect(r.connection(P('n/nolabel'), P('n/target')).ports.key()).toBe('TCP 1-2');
    expect(r.connection(P('n/prod'), P('n/target')).ports.key()).toBe('none');
    expect(r.connection(P('n/dev'), P('n/target')).ports.key()).toBe('TCP 1,3');
    expect(r.connection(P('n/devnotier'), P('n/target')).ports.key()).toBe('TCP 1');
  });
});

describe('reference: ports (rules 18-20)', () => {
  const objects = [
    pod('a/client', { labels: { role: 'client' }, ips: ['10.0.0.1'] }),
    pod('a/s1', { labels: { role: 'server' }, ips: ['10.0.0.2'], ports: [{ name: 'http', containerPort: 8080 }, { name: 'dns', containerPort: 53, protocol: 'UDP' }] }),
    pod('a/s2', {
      labels: { role: 'server' },
      ips: ['10.0.0.3'],
      containers: [[{ name: 'http', containerPort: 80, protocol: 'TCP' }], [{ name: 'http', containerPort: 81 }, { name: 'dns', containerPort: 5353, protocol: 'TCP' }]],
    }),
    policy('a/egress', {
      podSelector: { matchLabels: { role: 'client' } },
      policyTypes: ['Egress'],
      egress: [{ ports: [{ port: 'http' }, { port: 'dns', protocol: 'UDP' }] }],
    }),
  ];

  it('a named port resolves against the destination pod, matching name and protocol', () => {
    const ref = createReference(objects, MATCH);
    expect(view(ref.connection(P('a/client'), P('a/s1')))).toEqual({ ports: 'TCP 8080 UDP 53', egress: ['a/egress#0'], ingress: 'unisolated' });
    // s2: two containers share the name http (valid: names are unique per container); its dns is TCP.
    expect(ref.connection(P('a/client'), P('a/s2')).ports.key()).toBe('TCP 80-81');
    expect(ref.connection(P('a/client'), P('a/client')).ports.key()).toBe('none');
    // Toward an address a named port allows nothing.
    expect(view(ref.connection(P('a/client'), IP('10.0.0.2')))).toEqual({ ports: 'none', egress: [], ingress: 'unisolated' });
  });

  it('ingress named ports resolve against the selected (destination) pod', () => {
    const ref = createReference(
      [
        pod('a/x', { ips: ['10.0.0.1'], ports: [{ name: 'http', containerPort: 9000 }] }),
        pod('a/y', { ips: ['10.0.0.2'], ports: [{ name: 'http', containerPort: 7000 }] }),
        policy('a/in', { podSelector: {}, ingress: [{ ports: [{ port: 'http' }] }] }),
      ],
      MATCH,
    );
    expect(ref.connection(P('a/x'), P('a/y')).ports.key()).toBe('TCP 7000');
    expect(ref.connection(P('a/y'), P('a/x')).ports.key()).toBe('TCP 9000');
    expect(ref.connection(IP('1.2.3.4'), P('a/x')).ports.key()).toBe('TCP 9000');
  });

  it('protocol default, protocol-only entries, [{}], string digits, endPort inclusive', () => {
    const ref = createReference(
      [
        pod('a/x', { labels: { k: 'x' }, ips: ['10.0.0.1'] }),
        pod('a/y', { labels: { k: 'y' }, ips: ['10.0.0.2'] }),
        pod('a/z', { labels: { k: 'z' }, ips: ['10.0.0.3'] }),
        policy('a/x', { podSelector: { matchLabels: { k: 'x' } }, ingress: [{ ports: [{ port: '80' }, { protocol: 'SCTP', port: 100, endPort: 102 }] }] }),
        policy('a/y', { podSelector: { matchLabels: { k: 'y' } }, ingress: [{ ports: [{}] }, { ports: [{ protocol: 'UDP' }] }] }),
        policy('a/z', { podSelector: { matchLabels: { k: 'z' } }, ingress: [{ ports: [] }] }),
      ],
      MATCH,
    );
    expect(ref.connection(P('a/y'), P('a/x')).ports.key()).toBe('TCP 80 SCTP 100-102');
    expect(ref.connection(P('a/x'), P('a/y')).ports.key()).toBe('TCP 1-65535 UDP 1-65535');
    expect(ref.connection(P('a/x'), P('a/z')).ports.key()).toBe('all');
  });
});

describe('reference: ipBlock (rules 16-17)', () => {
  const objects = [
    pod('a/src', { labels: { role: 'src' }, ips: ['10.0.0.1'] }),
    pod('a/in', { labels: { role: 'in' }, ips: ['10.0.1.5'] }),
    pod('a/out', { labels: { role: 'out' }, ips: ['10.0.2.5'] }),
    pod('a/dual', { labels: { role: 'dual' }, ips: ['192.168.9.9', 'fd00::5'] }),
    pod('a/pending', { labels: { role: 'pending' }, status: { phase: 'Pending' } }),
    policy('a/egress', {
      podSelector: { matchLabels: { role: 'src' } },
      policyTypes: ['Egress'],
      egress: [
        // host bits set in the CIDR (10.9.9.9/8 = 10.0.0.0/8); except 10.0.2.0/24.
        { to: [{ ipBlock: { cidr: '10.9.9.9/8', except: ['10.0.2.0/24'] } }], ports: [{ port: 80 }] },
        { to: [{ ipBlock: { cidr: 'fd00::/64' } }], ports: [{ port: 443 }] },
        // Another peer still allows what the first except removed (except is local).
        { to: [{ ipBlock: { cidr: '10.0.2.0/23' } }], ports: [{ port: 22 }] },
      ],
    }),
  ];

  it('addresses: CIDR minus except, host bits masked, except local to its peer', () => {
    const ref = createReference(objects, MATCH);
    expect(ref.connection(P('a/src'), IP('10.200.0.1')).ports.key()).toBe('TCP 80');
    expect(ref.connection(P('a/src'), IP('10.0.2.7')).ports.key()).toBe('TCP 22');
    expect(ref.connection(P('a/src'), IP('10.0.3.7')).ports.key()).toBe('TCP 22,80');
    expect(ref.connection(P('a/src'), IP('11.0.0.1')).ports.key()).toBe('none');
    expect(ref.connection(P('a/src'), IP('fd00::ffff')).ports.key()).toBe('TCP 443');
    expect(ref.connection(P('a/src'), IP('fd00:0:0:1::1')).ports.key()).toBe('none');
  });

  it('ipBlockMatchesPods=true: pods match by any of their IPs, pods without IP never', () => {
    const ref = createReference(objects, MATCH);
    expect(view(ref.connection(P('a/src'), P('a/in')))).toEqual({ ports: 'TCP 80', egress: ['a/egress#0'], ingress: 'unisolated' });
    expect(ref.connection(P('a/src'), P('a/out')).ports.key()).toBe('TCP 22');
    expect(ref.connection(P('a/src'), P('a/dual')).ports.key()).toBe('TCP 443');
    expect(ref.connection(P('a/src'), P('a/pending')).ports.key()).toBe('none');
    expect(ref.participatingPods()).toContain('a/pending');
  });

  it('ipBlockMatchesPods=false: ipBlocks match addresses only', () => {
    const ref = createReference(objects, NO_MATCH);
    expect(ref.connection(P('a/src'), P('a/in')).ports.key()).toBe('none');
    expect(ref.connection(P('a/src'), P('a/dual')).ports.key()).toBe('none');
    expect(ref.connection(P('a/src'), IP('10.0.1.5')).ports.key()).toBe('TCP 80');
  });

  it('ingress ipBlock /0 with except, both options', () => {
    const objs = [
      pod('b/t', { ips: ['10.0.0.1'] }),
      pod('b/s', { ips: ['10.1.0.1'] }),
      pod('b/u', { ips: ['172.16.0.1'] }),
      policy('b/p', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }] }] }),
    ];
    const yes = createReference(objs, MATCH);
    const no = createReference(objs, NO_MATCH);
    expect(yes.connection(P('b/u'), P('b/t')).ports.key()).toBe('all');
    expect(yes.connection(P('b/s'), P('b/t')).ports.key()).toBe('none');
    expect(no.connection(P('b/u'), P('b/t')).ports.key()).toBe('none');
    expect(no.connection(IP('172.16.0.1'), P('b/t')).ports.key()).toBe('all');
    expect(no.connection(IP('10.1.0.1'), P('b/t')).ports.key()).toBe('none');
    expect(no.connection(IP('::1'), P('b/t')).ports.key()).toBe('none'); // an IPv4 block never matches IPv6
  });
});

describe('reference: which pods take part (rules 21-23)', () => {
  const terminated = { state: { terminated: { exitCode: 0 } } };
  const running = { state: { running: {} } };
  const objects = [
    pod('a/ok', { ips: ['10.0.0.1'] }),
    pod('a/host', { ips: ['172.18.0.2'], spec: { hostNetwork: true } }),
    pod('a/done', { ips: ['10.0.0.3'], status: { phase: 'Succeeded' } }),
    pod('a/failed', { ips: ['10.0.0.4'], status: { phase: 'Failed' } }),
    pod('a/gone', { ips: ['10.0.0.5'], metadata: { deletionTimestamp: '2024-01-01T00:00:00Z' }, status: { containerStatuses: [terminated] } }),
    pod('a/going', {
      ips: ['10.0.0.6'],
      containers: [[], []],
      metadata: { deletionTimestamp: '2024-01-01T00:00:00Z' },
      status: { containerStatuses: [terminated, running] },
    }),
    pod('a/pending', { status: { phase: 'Pending' } }),
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ignored', namespace: 'a' } },
    policy('a/deny', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }] }),
  ];
  const ref = createReference(objects, MATCH);

  it('lists only participating pods, sorted', () => {
    expect(ref.participatingPods()).toEqual(['a/going', 'a/ok', 'a/pending']);
  });

  it('excluded pods are never endpoints', () => {
    expect(() => ref.connection(P('a/host'), P('a/ok'))).toThrow(/takes no part/);
    expect(() => ref.connection(P('a/ok'), P('a/done'))).toThrow(/takes no part/);
    expect(() => ref.connection(P('a/ok'), P('a/nope'))).toThrow(/unknown pod/);
  });

  it('pods are matched by ipBlock through their IPs, the pending pod is not', () => {
    expect(ref.connection(P('a/going'), P('a/ok')).ports.key()).toBe('all');
    expect(ref.connection(P('a/pending'), P('a/ok')).ports.key()).toBe('none');
    expect(ref.connection(P('a/ok'), P('a/ok')).ports.key()).toBe('none');
  });
});

describe('reference: reasons (which rules allowed the final set)', () => {
  const objects = [
    pod('a/c', { labels: { app: 'c' }, ips: ['10.0.0.1'] }),
    pod('a/s', { labels: { app: 's' }, ips: ['10.0.0.2'] }),
    policy('a/c-egress', {
      podSelector: { matchLabels: { app: 'c' } },
      policyTypes: ['Egress'],
      egress: [
        { ports: [{ port: 80 }] }, // only contributes ports that s denies: not a reason
        { to: [{ podSelector: { matchLabels: { app: 's' } } }], ports: [{ port: 443 }] },
        { to: [{ podSelector: { matchLabels: { app: 'nobody' } } }], ports: [{ port: 443 }] }, // peers do not match
        { ports: [{ port: 400, endPort: 500 }] },
      ],
    }),
    policy('a/b-second', { podSelector: { matchLabels: { app: 's' } }, ingress: [{ ports: [{ port: 443 }, { port: 'missing' }] }] }),
    policy('a/a-first', { podSelector: { matchLabels: { app: 's' } }, ingress: [{ ports: [{ port: 8443 }] }, { from: [{ podSelector: {} }], ports: [{ port: 443 }] }] }),
  ];

  it('lists only rules whose ports meet the final set, sorted by policy then rule', () => {
    const ref = createReference(objects, MATCH);
    expect(view(ref.connection(P('a/c'), P('a/s')))).toEqual({
      ports: 'TCP 443',
      egress: ['a/c-egress#1', 'a/c-egress#3'],
      ingress: ['a/a-first#1', 'a/b-second#0'],
    });
  });

  it('an address source: ingress reasons only from rules whose peers match it', () => {
    const ref = createReference(objects, MATCH);
    expect(view(ref.connection(IP('1.2.3.4'), P('a/s')))).toEqual({ ports: 'TCP 443,8443', egress: 'unisolated', ingress: ['a/a-first#0', 'a/b-second#0'] });
  });

  it('nothing allowed: isolated sides list no rule', () => {
    const ref = createReference(
      [
        pod('a/c', { ips: ['10.0.0.1'] }),
        pod('a/s', { ips: ['10.0.0.2'] }),
        policy('a/e', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 80 }] }] }),
        policy('a/i', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ ports: [{ port: 81 }] }] }),
      ],
      MATCH,
    );
    expect(view(ref.connection(P('a/c'), P('a/s')))).toEqual({ ports: 'none', egress: [], ingress: [] });
    expect(view(ref.connection(P('a/c'), IP('9.9.9.9')))).toEqual({ ports: 'TCP 80', egress: ['a/e#0'], ingress: 'unisolated' });
  });
});

describe('reference: AdminNetworkPolicy and BaselineAdminNetworkPolicy tiers', () => {
  const admin = (kind: string, name: string, spec: Json): Json => ({ apiVersion: 'policy.networking.k8s.io/v1alpha1', kind, metadata: { name }, spec });
  const anp = (name: string, priority: number, spec: Json) => admin('AdminNetworkPolicy', name, { priority, ...spec });
  const banp = (spec: Json) => admin('BaselineAdminNetworkPolicy', 'default', spec);
  const fromB = [{ namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'b' } } }];
  const onA = { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'a' } } };
  const base = [
    pod('a/s', { ips: ['10.0.0.2'], ports: [{ name: 'dns', containerPort: 53, protocol: 'UDP' }] }),
    pod('b/c', { ips: ['10.0.1.1'] }),
  ];

  it('priority first, then written order; the first matching rule decides each port', () => {
    const ref = createReference(
      [
        ...base,
        anp('late', 9, { subject: onA, ingress: [{ action: 'Allow', from: fromB }] }),
        anp('early', 1, { subject: onA, ingress: [{ action: 'Deny', from: fromB, ports: [{ portNumber: { protocol: 'TCP', port: 22 } }] }, { action: 'Pass', from: fromB, ports: [{ portRange: { start: 20, end: 30 } }] }] }),
      ],
      MATCH,
    );
    expect(view(ref.connection(P('b/c'), P('a/s')))).toEqual({
      ports: 'TCP 1-21,23-65535 UDP 1-65535 SCTP 1-65535',
      egress: 'unisolated',
      ingress: ['anp:early#1 Pass', 'anp:late#0 Allow', 'default:#-1'],
    });
    expect(ref.isolation('a/s')).toEqual({ ingress: true, egress: false });
  });

  it('passed ports: the NetworkPolicies when one isolates the pod, else the baseline, else allowed', () => {
    const objects = [...base, anp('p', 1, { subject: onA, ingress: [{ action: 'Pass', from: fromB }] }), banp({ subject: onA, ingress: [{ action: 'Deny', from: fromB }] })];
    expect(view(createReference(objects, MATCH).connection(P('b/c'), P('a/s'))).ports).toBe('none');
    const isolated = createReference([...objects, policy('a/web', { podSelector: {}, ingress: [{ ports: [{ port: 80 }] }] })], MATCH);
    expect(view(isolated.connection(P('b/c'), P('a/s')))).toEqual({ ports: 'TCP 80', egress: 'unisolated', ingress: ['anp:p#0 Pass', 'a/web#0'] });
  });

  it('a named port matches the destination container port by name, whatever its protocol; networks match pod IPs only with the option', () => {
    const objects = [
      ...base,
      anp('p', 1, {
        subject: { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'b' } } },
        egress: [{ action: 'Allow', to: [{ pods: { namespaceSelector: {}, podSelector: {} } }], ports: [{ namedPort: 'dns' }] }, { action: 'Deny', to: [{ networks: ['10.0.0.0/24'] }] }],
      }),
    ];
    expect(view(createReference(objects, MATCH).connection(P('b/c'), P('a/s'))).ports).toBe('UDP 53');
    expect(view(createReference(objects, NO_MATCH).connection(P('b/c'), P('a/s'))).ports).toBe('all');
    expect(view(createReference(objects, NO_MATCH).connection(P('b/c'), IP('10.0.0.9'))).ports).toBe('none');
  });
});
