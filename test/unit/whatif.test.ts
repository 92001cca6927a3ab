// The what-if's pure core (client/whatif.ts, client/diff-view.ts) on the demo cluster. The draft
// is applied to the engine's model objects; the oracle applies it to the raw objects instead, the
// way `traffic-map diff --cluster` does (shared/diff/overlay.ts), and both must give the same diff.
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../shared/kube/yaml.ts';
import { buildCluster } from '../../shared/kube/load.ts';
import { analyze } from '../../shared/engine/engine.ts';
import { diffAnalyses } from '../../shared/diff/diff.ts';
import { applyManifests } from '../../shared/diff/overlay.ts';
import type { ConnectivityDiff, DiffSummary } from '../../shared/diff/types.ts';
import type { Group } from '../../shared/matrix/matrix.ts';
import { DEFAULT_OPTIONS } from '../../shared/model/types.ts';
import type { WhatIfObjects } from '../../shared/protocol/events.ts';
import { demoScenario } from '../../server/sim/scenarios/demo.ts';
import { applyDraft, deleteCommand, readDraft, WhatIfSession, type DraftInput } from '../../client/whatif.ts';
import { connectionUnknown, namespaceOfNode, nodeParts, summaryLine } from '../../client/diff-view.ts';

type Json = Record<string, unknown>;
const RAW = demoScenario();
const LIVE = buildCluster(RAW.map((object) => ({ object }))).cluster;
const OBJECTS: WhatIfObjects = { seq: 7, at: '2025-06-02T10:00:00.000Z', source: 'demo', options: DEFAULT_OPTIONS, objects: LIVE, unknown: [] };

const nameOf = (o: Json) => (o['metadata'] as { name: string }).name;
const namespaceOf = (o: Json) => (o['metadata'] as { namespace?: string }).namespace;
/** A policy id as `policy:list` names it, for a raw object. */
const idOf = (o: Json) => (o['kind'] === 'NetworkPolicy' ? `${namespaceOf(o)}/${nameOf(o)}` : `${String(o['kind'])}/${nameOf(o)}`);

/** The oracle: the raw objects, deletions removed and the draft applied as the CLI applies manifests. */
function oracle(draftText: string, deleted: string[], group: Group): ConnectivityDiff {
  const before = analyze(LIVE, DEFAULT_OPTIONS);
  const kept = RAW.filter((o) => !(['NetworkPolicy', 'AdminNetworkPolicy', 'BaselineAdminNetworkPolicy'].includes(String(o['kind'])) && deleted.includes(idOf(o))));
  const after = applyManifests(
    kept.map((object) => ({ object })),
    parseManifestText(draftText, 'draft.yaml').objects,
  ).cluster;
  return diffAnalyses(before, analyze(after, DEFAULT_OPTIONS), { group });
}

/** What must agree: everything but where policies came from (file names differ by design). */
const comparable = (d: ConnectivityDiff) => ({ ...d, policies: d.policies.map(({ source: _, ...p }) => p) });

const DENY_STAGING = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: default-deny-ingress, namespace: staging }
spec: { podSelector: {}, policyTypes: [Ingress] }
`;
const WIDER_FRONTEND = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: frontend-ingress, namespace: prod }
spec:
  podSelector: { matchLabels: { app: frontend } }
  ingress: [{ ports: [{ port: 8080 }, { port: 8443 }] }]
`;
// Without env=staging the baseline's deny of ci no longer selects staging.
const STAGING_RELABELLED = `apiVersion: v1
kind: Namespace
metadata: { name: staging, labels: { team: shop } }
`;
const BASELINE = `apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: { name: default }
spec:
  subject: { namespaces: {} }
  ingress: [{ name: deny-all, action: Deny, from: [{ namespaces: {} }] }]
`;

describe('what-if preview against the oracle (the draft applied to raw objects, as `diff --cluster` does)', () => {
  const cases: { name: string; text: string; deleted: string[] }[] = [
    { name: 'a default deny for staging', text: DENY_STAGING, deleted: [] },
    { name: 'a NetworkPolicy replaced by a wider one', text: WIDER_FRONTEND, deleted: [] },
    { name: 'a NetworkPolicy deleted', text: '', deleted: ['prod/default-deny'] },
    { name: 'an AdminNetworkPolicy deleted and the baseline replaced', text: BASELINE, deleted: ['AdminNetworkPolicy/deny-ci-to-prod'] },
    { name: 'a namespace relabelled', text: STAGING_RELABELLED, deleted: [] },
    { name: 'everything at once', text: [DENY_STAGING, WIDER_FRONTEND, STAGING_RELABELLED, BASELINE].join('---\n'), deleted: ['prod/default-deny', 'staging/frontend-ingress'] },
  ];
  for (const c of cases) {
    for (const group of ['workload', 'pod', 'namespace'] as const) {
      it(`${c.name} (${group} level)`, () => {
        const preview = new WhatIfSession().run({ live: OBJECTS, inputs: [{ name: 'pasted YAML', text: c.text }], deleted: c.deleted, group });
        const expected = oracle(c.text, c.deleted, group);
        expect(preview.diagnostics).toEqual([]);
        expect(comparable(preview.diff)).toEqual(comparable(expected));
        // Each case changes something: an empty diff on both sides would prove nothing.
        expect(expected.connections.length + expected.nodes.length + expected.policies.length).toBeGreaterThan(0);
      });
    }
  }

  it('one session answers another level from the analyses it keeps, with the same result as a fresh one', () => {
    const session = new WhatIfSession();
    const request = { live: OBJECTS, inputs: [{ name: 'pasted YAML', text: DENY_STAGING }], deleted: [] };
    session.run({ ...request, group: 'pod' });
    expect(session.run({ ...request, group: 'workload' }).diff).toEqual(new WhatIfSession().run({ ...request, group: 'workload' }).diff);
  });
});

describe('reading the draft', () => {
  it('names the input and document of every object; YAML errors and rejected kinds are errors, the rest is kept', () => {
    const text = [
      DENY_STAGING,
      'apiVersion: v1\nkind: Secret\nmetadata: { name: db-password, namespace: prod }\ndata: { password: aHVudGVyMg== }\n',
      'kind: NetworkPolicy\nmetadata: { name: [broken\n',
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web, namespace: prod }\n',
      WIDER_FRONTEND,
    ].join('---\n');
    const list = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [parseManifestText(BASELINE, 'x').objects[0]!.object] });
    const read = readDraft([
      { name: 'pasted YAML', text },
      { name: 'admin.json', text: list },
      { name: 'empty.yaml', text: '  \n' },
    ]);
    expect(read.objects.map((o) => `${o.where}: ${o.label}`)).toEqual([
      'pasted YAML, document 1: NetworkPolicy staging/default-deny-ingress',
      'pasted YAML, document 5: NetworkPolicy prod/frontend-ingress',
      'admin.json, document 1: BaselineAdminNetworkPolicy default',
    ]);
    expect(read.rejected).toBe(2);
    const errors = read.diagnostics.filter((d) => d.severity === 'error');
    expect(errors).toHaveLength(3);
    expect(errors[0]).toMatchObject({ file: 'pasted YAML' });
    expect(errors[0]!.message).toMatch(/^YAML \(document 3\): /);
    expect(errors[1]).toMatchObject({ file: 'pasted YAML, document 2', object: 'Secret prod/db-password', field: 'kind' });
    expect(errors[1]!.message).toContain('Secrets are never read');
    expect(errors[2]).toMatchObject({ file: 'pasted YAML, document 4', object: 'Deployment prod/web', field: 'kind' });
    expect(errors[2]!.message).toContain('traffic-map diff --cluster');
  });

  it('an invalid object is left out with its document, object and field; the rest is still previewed and the cluster keeps its own', () => {
    const bad = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: postgres-ingress, namespace: prod }
spec:
  podSelector: {}
  ingress: [{ ports: [{ port: 5432, endPort: 5000 }] }]
`;
    const inputs: DraftInput[] = [{ name: 'pasted YAML', text: `${bad}---\n${DENY_STAGING}` }];
    const preview = new WhatIfSession().run({ live: OBJECTS, inputs, deleted: [], group: 'workload' });
    expect(preview.diagnostics).toEqual([
      {
        severity: 'error',
        file: 'pasted YAML, document 1',
        object: 'NetworkPolicy prod/postgres-ingress',
        field: 'spec.ingress[0].ports[0].endPort',
        message: expect.stringContaining('5000') as unknown as string,
      },
    ]);
    expect(preview.applied).toBe(1);
    expect(preview.leftOut).toBe(1);
    // Only the valid policy counts: the same as previewing it alone.
    const alone = new WhatIfSession().run({ live: OBJECTS, inputs: [{ name: 'pasted YAML', text: DENY_STAGING }], deleted: [], group: 'workload' });
    expect(comparable(preview.diff)).toEqual(comparable(alone.diff));
    expect(preview.diff.policies.map((p) => `${p.change} ${p.id}`)).toEqual(['added staging/default-deny-ingress']);
  });
});

describe('applying the draft', () => {
  const draft = (text: string) => readDraft([{ name: 'pasted YAML', text }]).objects;

  it('says what it added and replaced, and keeps the Cluster in the loader’s order', () => {
    const overlay = applyDraft(LIVE, draft([DENY_STAGING, WIDER_FRONTEND, STAGING_RELABELLED].join('---\n')), ['prod/default-deny']);
    expect(overlay.added).toEqual(['NetworkPolicy staging/default-deny-ingress']);
    expect(overlay.replaced).toEqual(['NetworkPolicy prod/frontend-ingress', 'Namespace staging']);
    expect(overlay.deleted).toEqual(['prod/default-deny']);
    const ids = overlay.cluster.policies.map((p) => p.id);
    expect(ids).toEqual([...ids].sort());
    expect(ids).not.toContain('prod/default-deny');
    expect(overlay.cluster.namespaces.find((n) => n.name === 'staging')!.labels).toEqual({ team: 'shop', 'kubernetes.io/metadata.name': 'staging' });
    // The live cluster is not touched.
    expect(LIVE.policies.map((p) => p.id)).toContain('prod/default-deny');
  });

  it('a duplicate in the draft is an error; a policy both deleted and drafted is previewed as drafted; an unknown deletion is a warning', () => {
    const overlay = applyDraft(LIVE, draft(`${DENY_STAGING}---\n${DENY_STAGING}---\n${WIDER_FRONTEND}`), ['prod/frontend-ingress', 'prod/gone']);
    expect(overlay.diagnostics.map((d) => `${d.severity} ${d.file ?? ''} ${d.message}`)).toEqual([
      'warning  prod/gone is marked deleted but is no longer in the cluster: nothing to delete',
      'error pasted YAML, document 2 duplicate NetworkPolicy staging/default-deny-ingress: already in pasted YAML, document 1; this one is ignored',
      "warning pasted YAML, document 3 prod/frontend-ingress is marked deleted and is in the draft: the draft's version is previewed",
    ]);
    expect(overlay.cluster.policies.find((p) => p.id === 'prod/frontend-ingress')!.source).toBe('pasted YAML, document 3');
    expect(overlay.applied).toHaveLength(2);
  });

  it('an object of another API group is left out with the loader’s warning', () => {
    const overlay = applyDraft(LIVE, draft(DENY_STAGING.replace('networking.k8s.io/v1', 'crd.projectcalico.org/v1')), []);
    expect(overlay.applied).toEqual([]);
    expect(overlay.diagnostics).toMatchObject([{ severity: 'warning', field: 'apiVersion' }]);
    expect(overlay.cluster.policies).toEqual(LIVE.policies);
  });
});

describe('the downloaded draft', () => {
  it('is the previewed objects as YAML, with the deletions as kubectl commands in comments; a pasted Secret is not in it', () => {
    const secret = 'apiVersion: v1\nkind: Secret\nmetadata: { name: db-password, namespace: prod }\ndata: { password: aHVudGVyMg== }\n';
    const inputs = [{ name: 'pasted YAML', text: `${DENY_STAGING}---\n${secret}---\n${BASELINE}` }];
    const deleted = ['prod/default-deny', 'AdminNetworkPolicy/deny-ci-to-prod'];
    const preview = new WhatIfSession().run({ live: OBJECTS, inputs, deleted, group: 'workload' });
    const parsed = parseManifestText(preview.yaml, 'download.yaml');
    expect(parsed.diagnostics).toEqual([]);
    expect(parsed.objects.map((o) => o.object)).toEqual([parseManifestText(DENY_STAGING, 'a').objects[0]!.object, parseManifestText(BASELINE, 'b').objects[0]!.object]);
    expect(preview.yaml).toContain('#   kubectl delete networkpolicy -n prod default-deny\n');
    expect(preview.yaml).toContain('#   kubectl delete adminnetworkpolicy deny-ci-to-prod\n');
    expect(preview.yaml).toContain('nothing here was applied to the cluster');
    expect(preview.yaml).not.toContain('aHVudGVyMg');
    expect(preview.yaml).not.toContain('db-password');
  });

  it('kubectl delete commands for every tier', () => {
    expect(deleteCommand('prod/allow-dns')).toBe('kubectl delete networkpolicy -n prod allow-dns');
    expect(deleteCommand('AdminNetworkPolicy/x')).toBe('kubectl delete adminnetworkpolicy x');
    expect(deleteCommand('BaselineAdminNetworkPolicy/default')).toBe('kubectl delete baselineadminnetworkpolicy default');
  });
});

describe('reading a diff', () => {
  const summary = (over: Partial<DiffSummary>): DiffSummary => ({
    connections: { gained: 0, lost: 0, changed: 0 },
    connectionsWithGainedPorts: 0,
    nodes: { appeared: 0, disappeared: 0, changed: 0 },
    podsBecameUnprotected: { ingress: 0, egress: 0 },
    podsBecameProtected: { ingress: 0, egress: 0 },
    policies: { added: 0, changed: 0, deleted: 0 },
    findings: { added: 0, removed: 0 },
    ...over,
  });

  it('the summary line', () => {
    expect(summaryLine(summary({}))).toBe('No change');
    expect(summaryLine(summary({ connections: { gained: 3, lost: 12, changed: 0 }, podsBecameProtected: { ingress: 2, egress: 0 } }))).toBe(
      '+3 connections, −12; 2 pods become protected for ingress',
    );
    expect(summaryLine(summary({ connections: { gained: 0, lost: 1, changed: 2 }, podsBecameUnprotected: { ingress: 0, egress: 1 }, policies: { added: 1, changed: 0, deleted: 2 } }))).toBe(
      '−1 connection, 2 with other ports; 1 pod becomes unprotected for egress; 1 policy added, 2 deleted',
    );
    expect(summaryLine(summary({ connections: { gained: 0, lost: 0, changed: 1 }, findings: { added: 0, removed: 2 } }))).toBe('1 connection with other ports; −2 findings');
  });

  it('node ids in parts, and which entries touch unknown namespaces', () => {
    expect(nodeParts('prod/frontend[Deployment]')).toEqual({ namespace: 'prod', name: 'frontend', kind: 'Deployment', external: false });
    expect(nodeParts('prod/frontend-7d9f-abcde')).toEqual({ namespace: 'prod', name: 'frontend-7d9f-abcde', kind: null, external: false });
    expect(nodeParts('prod')).toEqual({ namespace: null, name: 'prod', kind: null, external: false });
    expect(nodeParts('ip:0.0.0.0-9.255.255.255')).toEqual({ namespace: null, name: '0.0.0.0-9.255.255.255', kind: null, external: true });
    expect(namespaceOfNode('prod')).toBe('prod');
    expect(namespaceOfNode('ip:10.0.0.0-10.0.0.255')).toBeNull();
    const c = { from: 'ip:0.0.0.0-9.255.255.255', to: 'staging/web[Deployment]', change: 'lost' as const, gained: [], lost: 'all' as const, before: null, after: null };
    expect(connectionUnknown(c, ['staging'])).toBe(true);
    expect(connectionUnknown(c, ['prod'])).toBe(false);
    expect(connectionUnknown(c, 'all')).toBe(true);
  });
});
