// `traffic-map diff` as users and CI call it: two manifest folders, or the live (simulated) cluster
// against the same cluster with manifests applied; text, JSON and CSV; the --fail-on gates and
// exit codes; bad input reported while the rest is still diffed.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../server/cli/main.ts';
import { startSimulatedCluster, type SimulatedCluster } from '../../server/sim/simulated-cluster.ts';
import { parseManifestText } from '../../shared/kube/yaml.ts';
import { parseCsv } from '../support/csv.ts';

const FIXTURES = 'test/fixtures/diff';
const BEFORE = `${FIXTURES}/before`;
const AFTER = `${FIXTURES}/after`;

async function run(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(['diff', ...argv], { out: (t) => (stdout += t), err: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

type Json = Record<string, unknown>;
const find = (items: Json[], from: string, to: string) => items.find((c) => c['from'] === from && c['to'] === to);

describe('traffic-map diff A B (manifest folders)', () => {
  it('text: gained, lost and changed connections, nodes, policies of every tier, findings', async () => {
    const r = await run(BEFORE, AFTER);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('# diff at workload level');
    expect(lines[1]).toMatch(/^# before: manifests test\/fixtures\/diff\/before \(\d{4}-\d\d-\d\dT/);
    expect(lines).toContain(
      '+ prod/frontend[Deployment] => prod/db[StatefulSet] : TCP 5432  [egress: prod/egress-inside-prod rule 0; ingress: prod/api-to-db rule 0]',
    );
    expect(lines).toContain(
      '- prod/frontend[Deployment] => prod/api[Deployment] : TCP 8080  [was egress: prod/egress-inside-prod rule 0; ingress: prod/frontend-to-api rule 0]',
    );
    // The AdminNetworkPolicy gained a rule: monitoring now also reaches the api's http port.
    expect(lines).toContain(
      '~ monitoring/prometheus[Deployment] => prod/api[Deployment] : +TCP 8080, now TCP 8080,9100 (was TCP 9100)  [egress: not isolated; ingress: ANP allow-monitoring rule 0 Allow, ANP allow-monitoring rule 1 Allow]',
    );
    // The baseline added keeps staging out of monitoring.
    expect(lines).toContain('- staging/web[Deployment] => monitoring/prometheus[Deployment] : all  [was egress: not isolated; ingress: not isolated]');
    expect(lines).toContain('+ tools/debug[Deployment]: appeared, 1 pod, unprotected for egress');
    expect(lines).toContain('~ AdminNetworkPolicy allow-monitoring: spec.ingress[1]  (test/fixtures/diff/after/admin.yaml)');
    expect(lines).toContain('~ NetworkPolicy prod/api-to-db: spec.ingress[0]  (test/fixtures/diff/after/policies.yaml)');
    expect(lines).toContain('- NetworkPolicy prod/frontend-to-api  (test/fixtures/diff/before/policies.yaml)');
    expect(lines).toContain('+ BaselineAdminNetworkPolicy default  (test/fixtures/diff/after/admin.yaml)');
    expect(r.stdout).toContain('- warning: Namespace staging has no default-deny ingress policy');
  });

  it('json: the traffic-map/diff@1 document with both sources and times', async () => {
    const r = await run(BEFORE, AFTER, '--output', 'json', '--group', 'namespace');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.schema).toBe('traffic-map/diff@1');
    expect(doc.options).toEqual({ group: 'namespace', ipBlockMatchesPods: true });
    expect(doc.before).toMatchObject({ kind: 'manifests', description: `manifests ${BEFORE}`, paths: [BEFORE], diagnostics: [] });
    expect(doc.after).toMatchObject({ kind: 'manifests', paths: [AFTER] });
    for (const side of [doc.before, doc.after]) expect(new Date(side.at).toISOString()).toBe(side.at);
    expect(doc.summary).toEqual({
      connections: { gained: 4, lost: 3, changed: 2 },
      connectionsWithGainedPorts: 6,
      nodes: { appeared: 1, disappeared: 0, changed: 2 },
      podsBecameUnprotected: { ingress: 0, egress: 1 },
      podsBecameProtected: { ingress: 2, egress: 0 },
      policies: { added: 2, changed: 2, deleted: 1 },
      findings: { added: 2, removed: 1 },
    });
    // Inside prod the frontend lost the api and gained the database: one cell, two of six pod pairs.
    expect(find(doc.connections, 'prod', 'prod')).toEqual({
      from: 'prod',
      to: 'prod',
      change: 'changed',
      gained: [{ protocol: 'TCP', port: 5432, endPort: 5432 }],
      lost: [{ protocol: 'TCP', port: 8080, endPort: 8080 }],
      before: {
        allowed: [
          { protocol: 'TCP', port: 5432, endPort: 5432 },
          { protocol: 'TCP', port: 8080, endPort: 8080 },
        ],
        pairs: { allowed: 2, total: 6 },
        reasons: {
          ingress: [
            { policy: 'prod/api-to-db', rule: 0, tier: 'np' },
            { policy: 'prod/frontend-to-api', rule: 0, tier: 'np' },
          ],
          egress: [{ policy: 'prod/egress-inside-prod', rule: 0, tier: 'np' }],
        },
      },
      after: {
        allowed: [{ protocol: 'TCP', port: 5432, endPort: 5432 }],
        pairs: { allowed: 2, total: 6 },
        reasons: { ingress: [{ policy: 'prod/api-to-db', rule: 0, tier: 'np' }], egress: [{ policy: 'prod/egress-inside-prod', rule: 0, tier: 'np' }] },
      },
      pairsChanged: 2,
    });
    expect(doc.nodes.find((n: Json) => n['id'] === 'tools')).toEqual({
      id: 'tools',
      kind: 'namespace',
      change: 'appeared',
      before: null,
      after: { pods: 1, isolation: { ingress: true, egress: false }, unprotected: { ingress: 0, egress: 1 } },
      becameUnprotected: { ingress: 0, egress: 1 },
      becameProtected: { ingress: 0, egress: 0 },
    });
    expect(doc.policies).toEqual([
      { tier: 'anp', id: 'allow-monitoring', change: 'changed', fields: ['spec.ingress[1]'], source: { before: `${BEFORE}/admin.yaml`, after: `${AFTER}/admin.yaml` } },
      { tier: 'np', id: 'prod/api-to-db', change: 'changed', fields: ['spec.ingress[0]'], source: { before: `${BEFORE}/policies.yaml`, after: `${AFTER}/policies.yaml` } },
      { tier: 'np', id: 'prod/frontend-to-api', change: 'deleted', source: { before: `${BEFORE}/policies.yaml` } },
      { tier: 'np', id: 'staging/default-deny-ingress', change: 'added', source: { after: `${AFTER}/policies.yaml` } },
      { tier: 'banp', id: 'default', change: 'added', source: { after: `${AFTER}/admin.yaml` } },
    ]);
    expect(doc.notes).toEqual([]);
  });

  it('csv: one row per changed connection', async () => {
    const r = await run(BEFORE, AFTER, '--output', 'csv');
    const rows = parseCsv(r.stdout);
    expect(rows[0]).toEqual(['change', 'from', 'to', 'gained', 'lost', 'before', 'after', 'pairs_before', 'pairs_after', 'pairs_changed', 'egress_reason', 'ingress_reason']);
    expect(rows).toContainEqual(['gained', 'prod/frontend[Deployment]', 'prod/db[StatefulSet]', 'TCP 5432', 'none', 'none', 'TCP 5432', '0/1', '1/1', '1', 'prod/egress-inside-prod rule 0', 'prod/api-to-db rule 0']);
    expect(rows).toContainEqual(['lost', 'prod/frontend[Deployment]', 'prod/api[Deployment]', 'none', 'TCP 8080', 'TCP 8080', 'none', '1/1', '0/1', '1', 'prod/egress-inside-prod rule 0', 'prod/frontend-to-api rule 0']);
    expect(rows).toContainEqual(['gained', 'tools/debug[Deployment]', 'monitoring/prometheus[Deployment]', 'all', 'none', '', 'all', '', '1/1', '0', 'not isolated', 'not isolated']);
    expect(rows.length - 1).toBe(JSON.parse((await run(BEFORE, AFTER, '--output', 'json')).stdout).connections.length);
  });

  it('--fail-on: gained and unprotected fail when they happen, not otherwise', async () => {
    expect((await run(BEFORE, AFTER, '--fail-on', 'gained')).code).toBe(1);
    expect((await run(BEFORE, AFTER, '--fail-on', 'unprotected')).code).toBe(1);
    // Reversed: staging and monitoring lose the ingress protection the after side gave them.
    const reverse = await run(AFTER, BEFORE, '--fail-on', 'unprotected', '--output', 'json');
    expect(JSON.parse(reverse.stdout).summary.podsBecameUnprotected).toEqual({ ingress: 2, egress: 0 });
    expect(reverse.code).toBe(1);
    const same = await run(BEFORE, BEFORE, '--fail-on', 'gained,unprotected,any');
    expect(same.code).toBe(0);
    expect(same.stdout).toContain('# no change');
  });

  it('--fail-on gained passes when connections are only lost; any fails on any change', async () => {
    const work = mkdtempSync(join(tmpdir(), 'tm-diff-'));
    try {
      // After: prod/frontend-to-api deleted and nothing else.
      const policies = readFileSync(`${BEFORE}/policies.yaml`, 'utf8');
      for (const f of ['namespaces.yaml', 'workloads.yaml', 'admin.yaml']) writeFileSync(join(work, f), readFileSync(`${BEFORE}/${f}`, 'utf8'));
      writeFileSync(join(work, 'policies.yaml'), policies.split('\n---\n').filter((doc) => !doc.includes('name: frontend-to-api')).join('\n---\n'));
      const r = await run(BEFORE, work, '--fail-on', 'gained,unprotected', '--output', 'json');
      expect(JSON.parse(r.stdout).summary.connections).toEqual({ gained: 0, lost: 1, changed: 0 });
      expect(r.code).toBe(0);
      expect((await run(BEFORE, work, '--fail-on', 'any')).code).toBe(1);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('bad input: exit 2, the error names file, object and field, the rest is still diffed', async () => {
    const r = await run(BEFORE, `${FIXTURES}/bad-after`, '--output', 'json', '--fail-on', 'gained');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: test/fixtures/diff/bad-after/policies.yaml: NetworkPolicy prod/api-to-db: spec.ingress[0].ports[0].endPort: 5000 is less than port 5432');
    const doc = JSON.parse(r.stdout);
    expect(doc.after.diagnostics).toHaveLength(1);
    expect(doc.policies).toEqual([{ tier: 'np', id: 'staging/default-deny-ingress', change: 'added', source: { after: `${FIXTURES}/bad-after/policies.yaml` } }]);
    expect(find(doc.connections, 'monitoring/prometheus[Deployment]', 'staging/web[Deployment]')).toMatchObject({ change: 'lost', lost: 'all' });
  });

  it('usage mistakes exit 2', async () => {
    expect((await run(BEFORE)).code).toBe(2);
    expect((await run(BEFORE, AFTER, AFTER)).code).toBe(2);
    expect((await run(BEFORE, AFTER, '--fail-on', 'gained,sometimes')).code).toBe(2);
    expect((await run(BEFORE, AFTER, '--group', 'cluster')).code).toBe(2);
    expect((await run(BEFORE, AFTER, '--output', 'yaml')).code).toBe(2);
  });
});

describe('traffic-map diff --cluster B (the simulated cluster)', () => {
  let sim: SimulatedCluster;
  let work: string;
  let kubeconfig: string;
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'tm-diff-cluster-'));
    // The live cluster: the pods of the `before` workloads, its policies and its AdminNetworkPolicy.
    const objects = ['cluster.yaml', 'policies.yaml', 'admin.yaml']
      .flatMap((f) => parseManifestText(readFileSync(`${FIXTURES}/live/${f}`, 'utf8'), f).objects.map((o) => o.object as Json))
      .flatMap((o) => (o['kind'] === 'List' ? (o['items'] as Json[]) : [o]));
    sim = await startSimulatedCluster({ scenario: 'empty', objects });
    kubeconfig = await sim.writeKubeconfig(join(work, 'kubeconfig'));
  });
  afterAll(async () => {
    await sim.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('what applying the manifests would change: a rollout relabels running pods, a policy edit, a new workload', async () => {
    const r = await run('--cluster', '--kubeconfig', kubeconfig, `${FIXTURES}/change`, '--output', 'json', '--fail-on', 'gained');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.before).toMatchObject({ kind: 'cluster', cluster: `context "traffic-map-sim" (${sim.url})`, diagnostics: [] });
    expect(doc.after).toMatchObject({ kind: 'cluster+manifests', cluster: `context "traffic-map-sim" (${sim.url})`, paths: [`${FIXTURES}/change`] });
    const connections = doc.connections.map((c: Json) => `${c['change']} ${c['from']} => ${c['to']}`);
    // The api's pods now carry app=api-v2: the policies naming app=api no longer let the frontend in, or the api out to the db.
    expect(connections).toContain('lost prod/frontend[Deployment] => prod/api[Deployment]');
    expect(connections).toContain('lost prod/api[Deployment] => prod/db[StatefulSet]');
    expect(find(doc.connections, 'prod/frontend[Deployment]', 'prod/db[StatefulSet]')).toMatchObject({
      change: 'gained',
      gained: [{ protocol: 'TCP', port: 5432, endPort: 5432 }],
      after: { pairs: { allowed: 2, total: 2 } },
    });
    // The AdminNetworkPolicy read from the cluster still lets monitoring scrape the api: unchanged.
    expect(find(doc.connections, 'monitoring/prometheus[Deployment]', 'prod/api[Deployment]')).toBeUndefined();
    expect(doc.nodes.map((n: Json) => `${n['change']} ${n['id']}`)).toEqual(['appeared tools/debug[Deployment]']);
    expect(doc.policies).toEqual([
      { tier: 'np', id: 'prod/api-to-db', change: 'changed', fields: ['spec.ingress[0]'], source: { after: `${FIXTURES}/change/policies.yaml` } },
    ]);
  });

  it('pod level keeps the running pods (the rollout is applied to them, not as new pods)', async () => {
    const r = await run('--cluster', '--kubeconfig', kubeconfig, `${FIXTURES}/change`, '--group', 'pod', '--output', 'json');
    const doc = JSON.parse(r.stdout);
    expect(find(doc.connections, 'prod/frontend-6b7c9-abcde', 'prod/api-5f8d7-klmno')).toMatchObject({ change: 'lost', lost: [{ protocol: 'TCP', port: 8080, endPort: 8080 }] });
    expect(find(doc.connections, 'prod/api-5f8d7-klmno', 'prod/db-0')).toMatchObject({ change: 'lost' });
    expect(doc.nodes.map((n: Json) => `${n['change']} ${n['id']}`)).toEqual(['appeared tools/debug']);
  });

  it('an object the API server would reject leaves the live one in place, and is reported (exit 2)', async () => {
    const r = await run('--cluster', '--kubeconfig', kubeconfig, `${FIXTURES}/bad`);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: test/fixtures/diff/bad/policies.yaml: NetworkPolicy prod/api-to-db: spec.ingress[0].ports[0].endPort: 5000 is less than port 5432');
    expect(r.stdout).toContain('+ NetworkPolicy staging/default-deny-ingress  (test/fixtures/diff/bad/policies.yaml)');
    expect(r.stdout).not.toContain('prod/api-to-db');
    expect(r.stdout).toContain('- monitoring/prometheus[Deployment] => staging/web[Deployment] : all');
  });

  it('the live cluster against itself: no change', async () => {
    const empty = join(work, 'empty.yaml');
    writeFileSync(empty, '');
    const r = await run('--cluster', '--kubeconfig', kubeconfig, empty, '--fail-on', 'any');
    expect(r.stdout).toContain('# no change');
    expect(r.code).toBe(0);
  });

  it('a cluster that cannot be read: exit 3 with the reason', async () => {
    const closed = await startSimulatedCluster({ scenario: 'empty' });
    const path = await closed.writeKubeconfig(join(work, 'closed'));
    await closed.close();
    const r = await run('--cluster', '--kubeconfig', path, `${FIXTURES}/change`);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^error: cannot list (namespaces|pods|networkpolicies|adminnetworkpolicies|baselineadminnetworkpolicies): /);
    expect(r.stdout).toBe('');
  });

  it('a cluster without the AdminNetworkPolicy API has no admin policies', async () => {
    const plain = await startSimulatedCluster({ scenario: 'empty', servesAdminPolicies: false });
    try {
      const path = await plain.writeKubeconfig(join(work, 'plain'));
      const r = await run('--cluster', '--kubeconfig', path, `${FIXTURES}/change`, '--output', 'json');
      expect(r.code).toBe(0);
      const doc = JSON.parse(r.stdout);
      expect(doc.policies).toEqual([{ tier: 'np', id: 'prod/api-to-db', change: 'added', source: { after: `${FIXTURES}/change/policies.yaml` } }]);
    } finally {
      await plain.close();
    }
  });
});
