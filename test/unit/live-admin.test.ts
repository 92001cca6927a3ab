// The live engine with the admin tiers, step by step: an AdminNetworkPolicy applied, edited (same
// peers, another action), deleted; the baseline; its resources unknown (syncing, forbidden) and
// not installed. Each step's analysis equals the CLI loader's analysis of the same objects, and its
// delta names the pods whose connections changed.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../shared/engine/engine.ts';
import { buildCluster } from '../../shared/kube/load.ts';
import { RESOURCE_KINDS, type ResourceKind, type ResourceState, type SourceEvent } from '../../server/cluster/source.ts';
import { LiveEngine, type LiveDelta } from '../../server/live/live-engine.ts';
import { adminPolicy, baselinePolicy, namespace, pod, policy } from '../support/objects.ts';

const RESOURCE: Record<string, ResourceKind> = {
  Pod: 'pods',
  Namespace: 'namespaces',
  NetworkPolicy: 'networkpolicies',
  AdminNetworkPolicy: 'adminnetworkpolicies',
  BaselineAdminNetworkPolicy: 'baselineadminnetworkpolicies',
};

const base: object[] = [
  namespace('ci', { team: 'platform' }),
  namespace('prod', { env: 'prod' }),
  namespace('dev'),
  pod('ci/runner', { labels: { app: 'runner' }, ip: '10.0.0.1' }),
  pod('prod/web', { labels: { app: 'web' }, ip: '10.0.1.1', ports: [{ name: 'http', containerPort: 8080 }] }),
  pod('prod/db', { labels: { app: 'db' }, ip: '10.0.1.2' }),
  pod('dev/tool', { labels: { app: 'tool' }, ip: '10.0.2.1' }),
  policy('prod/allow-web', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'], ingress: [{ ports: [{ port: 8080 }] }] }),
];

const guard = (action: 'Allow' | 'Deny' | 'Pass', port = 8080) =>
  adminPolicy('ci-guard', 20, {
    subject: { namespaces: { matchLabels: { env: 'prod' } } },
    ingress: [{ name: 'from-ci', action, from: [{ namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'ci' } } }], ports: [{ portNumber: { protocol: 'TCP', port } }] }],
  });
const baseline = baselinePolicy({
  subject: { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'dev' } } },
  ingress: [{ name: 'deny-ci', action: 'Deny', from: [{ namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'ci' } } }] }],
});

class Harness {
  readonly live = new LiveEngine({ analysis: { ipBlockMatchesPods: true } });
  private readonly objects = new Map<string, object>();

  constructor(statuses: Partial<Record<ResourceKind, ResourceState>> = {}) {
    for (const r of RESOURCE_KINDS) this.status(r, statuses[r] ?? 'synced');
    for (const o of base) this.upsert(o);
    this.live.flush();
  }

  private key(o: object): string {
    const { kind, metadata } = o as { kind: string; metadata: { name: string; namespace?: string } };
    return `${kind}/${metadata.namespace ?? ''}/${metadata.name}`;
  }

  upsert(o: object): void {
    this.objects.set(this.key(o), o);
    this.live.apply({ type: 'upsert', resource: RESOURCE[(o as { kind: string }).kind]!, object: structuredClone(o) });
  }

  delete(o: object): void {
    this.objects.delete(this.key(o));
    this.live.apply({ type: 'delete', resource: RESOURCE[(o as { kind: string }).kind]!, object: structuredClone(o) });
  }

  status(resource: ResourceKind, state: ResourceState, syncedOnce = state !== 'syncing'): void {
    const event: SourceEvent = { type: 'status', resource, status: { state, syncedOnce } };
    this.live.apply(event);
    if (state === 'not-installed') for (const [k, o] of this.objects) if (RESOURCE[(o as { kind: string }).kind] === resource) this.objects.delete(k);
  }

  flush(): LiveDelta {
    return this.live.flush()!;
  }

  /** `from -> to` allowed ports, from the live analysis. */
  allowed(from: string, to: string): string {
    const a = this.live.analysis;
    return a.allowed({ kind: 'pod', index: a.podIndex(from) }, { kind: 'pod', index: a.podIndex(to) }).key();
  }

  allows(from: string, to: string, port: number): boolean {
    const a = this.live.analysis;
    return a.allowed({ kind: 'pod', index: a.podIndex(from) }, { kind: 'pod', index: a.podIndex(to) }).has('TCP', port);
  }

  /** The same question to a fresh analysis of the objects the engine was given. */
  expected(from: string, to: string): string {
    const a = analyze(buildCluster([...this.objects.values()].map((object) => ({ object }))).cluster, { ipBlockMatchesPods: true });
    return a.allowed({ kind: 'pod', index: a.podIndex(from) }, { kind: 'pod', index: a.podIndex(to) }).key();
  }
}

const PAIRS: [string, string][] = [
  ['ci/runner', 'prod/web'],
  ['ci/runner', 'prod/db'],
  ['ci/runner', 'dev/tool'],
  ['dev/tool', 'prod/web'],
];

function expectSameAsCli(h: Harness): void {
  for (const [from, to] of PAIRS) expect(h.allowed(from, to), `${from} -> ${to}`).toBe(h.expected(from, to));
}

describe('live engine with admin policies', () => {
  it('an ANP applied, its action changed (same peers), deleted: the analysis follows and the delta names the pods', () => {
    const h = new Harness();
    expect(h.allowed('ci/runner', 'prod/web')).toBe('TCP 8080');

    h.upsert(guard('Deny'));
    let delta = h.flush();
    expectSameAsCli(h);
    expect(h.allowed('ci/runner', 'prod/web')).toBe('none');
    expect(h.allows('ci/runner', 'prod/db', 8080)).toBe(false);
    expect(h.allows('ci/runner', 'prod/db', 8081)).toBe(true);
    expect(delta.destinations).toEqual(expect.arrayContaining(['prod/web', 'prod/db']));
    // A Deny rule isolates the pod it selects (it can deny traffic).
    expect(h.live.isolationOf('prod/db')).toEqual({ ingress: true, egress: false });

    // Same subject, same peers, same ports: only the action differs.
    h.upsert(guard('Allow'));
    delta = h.flush();
    expectSameAsCli(h);
    expect(h.allowed('ci/runner', 'prod/web')).toBe('TCP 8080');
    expect(h.allowed('ci/runner', 'prod/db')).toBe('all');
    expect(delta.destinations).toEqual(expect.arrayContaining(['prod/web', 'prod/db']));

    h.delete(guard('Allow'));
    delta = h.flush();
    expectSameAsCli(h);
    expect(h.allowed('ci/runner', 'prod/web')).toBe('TCP 8080');
    expect(h.live.isolationOf('prod/db')).toEqual({ ingress: false, egress: false });
    expect(delta.isolation).toEqual([]);
  });

  it('the baseline applies only where no NetworkPolicy isolates the pod', () => {
    const h = new Harness();
    h.upsert(baseline);
    h.flush();
    expectSameAsCli(h);
    expect(h.allowed('ci/runner', 'dev/tool')).toBe('none');
    expect(h.allowed('dev/tool', 'prod/web')).toBe('TCP 8080');
  });

  it('admin resources not yet listed, or forbidden: every pod unknown; not installed: known, and empty', () => {
    const h = new Harness({ adminnetworkpolicies: 'syncing' });
    expect(h.live.unknown).toBe('all');
    expect(h.live.isolationOf('prod/web')).toBeNull();

    h.status('adminnetworkpolicies', 'not-installed');
    h.flush();
    expect(h.live.unknown).toEqual(new Set());
    expect(h.live.isolationOf('prod/web')).toEqual({ ingress: true, egress: false });

    // Installed later: the first list brings an ANP.
    h.status('adminnetworkpolicies', 'syncing');
    let delta = h.flush();
    expect(h.live.unknown).toBe('all');
    expect(delta.isolation.find((i) => i.pod === 'prod/db')?.isolation).toBeNull();
    h.upsert(guard('Deny'));
    h.status('adminnetworkpolicies', 'synced');
    delta = h.flush();
    expectSameAsCli(h);
    expect(h.live.isolationOf('prod/db')).toEqual({ ingress: true, egress: false });
    expect(delta.isolation).toEqual(expect.arrayContaining([{ pod: 'prod/db', isolation: { ingress: true, egress: false } }]));

    h.status('baselineadminnetworkpolicies', 'forbidden', false);
    h.flush();
    expect(h.live.unknown).toBe('all');

    h.status('baselineadminnetworkpolicies', 'synced');
    h.flush();
    // Removed: the ANP goes with its CRD.
    h.status('adminnetworkpolicies', 'not-installed');
    delta = h.flush();
    expectSameAsCli(h);
    expect(h.live.state.cluster().adminPolicies).toEqual([]);
    expect(h.allowed('ci/runner', 'prod/db')).toBe('all');
    expect(delta.isolation).toEqual(expect.arrayContaining([{ pod: 'prod/db', isolation: { ingress: false, egress: false } }]));
  });

  it('pod events stay incremental and exact while admin policies exist', () => {
    const h = new Harness();
    h.upsert(guard('Deny', 9999));
    h.upsert(baseline);
    h.flush();
    const structure = h.live.state.structureVersion;
    // A new pod in prod: an ANP subject; a new pod in ci: an ANP peer.
    h.upsert(pod('prod/api', { labels: { app: 'api' }, ip: '10.0.1.3' }));
    h.upsert(pod('ci/runner-2', { labels: { app: 'runner' }, ip: '10.0.0.2' }));
    const delta = h.flush();
    expect(h.live.state.structureVersion).toBe(structure);
    expect(delta.pods.added.sort()).toEqual(['ci/runner-2', 'prod/api']);
    for (const [from, to] of [...PAIRS, ['ci/runner-2', 'prod/api'], ['ci/runner', 'prod/api'], ['prod/api', 'dev/tool']] as [string, string][]) {
      expect(h.allowed(from, to), `${from} -> ${to}`).toBe(h.expected(from, to));
    }
    // The new prod pod is an ANP subject: port 9999 from ci is denied, the rest allowed.
    expect(h.allows('ci/runner-2', 'prod/api', 9999)).toBe(false);
    expect(h.allows('ci/runner-2', 'prod/api', 80)).toBe(true);
    expect(h.allows('prod/web', 'prod/api', 9999)).toBe(true);
  });
});
