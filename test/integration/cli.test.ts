// The CLI as users and CI call it: real files, exit codes, stdout/stderr.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { main } from '../../server/cli/main.ts';

const DEMO = 'test/fixtures/shop-demo';
const BAD = 'test/fixtures/bad-input';
const ADMIN = 'test/fixtures/admin-tiers';

async function run(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { out: (t) => (stdout += t), err: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

describe('traffic-map analyze', () => {
  it('prints the traffic-map/analysis@1 JSON with nodes, reasons and findings', async () => {
    const r = await run('analyze', DEMO, '--format', 'json', '--group', 'workload');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.schema).toBe('traffic-map/analysis@1');
    expect(doc.options).toEqual({ group: 'workload', ipBlockMatchesPods: true });
    expect(doc.nodes.find((n: { id: string }) => n.id === 'prod/postgres[StatefulSet]')).toMatchObject({
      kind: 'workload',
      namespace: 'prod',
      pods: 1,
      isolation: { ingress: true, egress: true },
    });
    const toDb = doc.connections.filter((c: { to: string }) => c.to === 'prod/postgres[StatefulSet]');
    expect(toDb.find((c: { from: string }) => c.from === 'prod/checkout[Deployment]')).toEqual({
      from: 'prod/checkout[Deployment]',
      to: 'prod/postgres[StatefulSet]',
      allowed: [{ protocol: 'TCP', port: 5432, endPort: 5432 }],
      reasons: { ingress: [{ policy: 'prod/postgres-from-checkout', rule: 0 }], egress: [{ policy: 'prod/shop-egress', rule: 0 }] },
      pairs: { allowed: 1, total: 1 },
    });
    // The two-peer mistake lets every monitoring pod scrape postgres on 9090.
    expect(toDb.find((c: { from: string }) => c.from === 'monitoring/prometheus[Deployment]')?.allowed).toEqual([
      { protocol: 'TCP', port: 9090, endPort: 9090 },
    ]);
    expect(doc.findings.map((f: { kind: string; subject: string }) => `${f.kind} ${f.subject}`)).toContain('namespace-without-default-deny staging');
  });

  it('at pod level a template pod carries its workload id', async () => {
    const doc = JSON.parse((await run('analyze', DEMO, '--format', 'json')).stdout);
    expect(doc.nodes.find((n: { id: string }) => n.id === 'prod/postgres')).toMatchObject({ kind: 'pod', workload: 'prod/postgres[StatefulSet]', template: true });
  });

  it('namespace level summarizes pod pairs with counts', async () => {
    const doc = JSON.parse((await run('analyze', DEMO, '--format', 'json', '--group', 'namespace')).stdout);
    const prodToStaging = doc.connections.find((c: { from: string; to: string }) => c.from === 'prod' && c.to === 'staging');
    expect(prodToStaging).toMatchObject({ allowed: [{ protocol: 'TCP', port: 53, endPort: 53 }, { protocol: 'UDP', port: 53, endPort: 53 }], pairs: { allowed: 4, total: 4 } });
    const prodToProd = doc.connections.find((c: { from: string; to: string }) => c.from === 'prod' && c.to === 'prod');
    expect(prodToProd.pairs).toEqual({ allowed: 6, total: 12 });
  });

  it('writes CSV', async () => {
    const r = await run('analyze', DEMO, '--format', 'csv', '--group', 'workload');
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('from,to,allowed,egress_reason,ingress_reason,pairs_allowed,pairs_total');
    expect(lines).toContain('prod/checkout[Deployment],prod/postgres[StatefulSet],TCP 5432,prod/shop-egress rule 0,prod/postgres-from-checkout rule 0,1,1');
  });

  it('bad input: exit 2, diagnostics on stderr naming file, object and field, the rest still analyzed', async () => {
    const r = await run('analyze', BAD, '--format', 'json');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('test/fixtures/bad-input/mixed.yaml: NetworkPolicy shop/bad-endport: spec.ingress[0].ports[0].endPort');
    expect(r.stderr).toContain('NetworkPolicy shop/bad-operator: spec.podSelector.matchExpressions[0].operator');
    const doc = JSON.parse(r.stdout);
    expect(doc.diagnostics.filter((d: { severity: string }) => d.severity === 'error').length).toBeGreaterThanOrEqual(3);
    expect(doc.connections.find((c: { from: string; to: string }) => c.from === 'shop/client' && c.to === 'shop/api')?.allowed).toEqual([
      { protocol: 'TCP', port: 8080, endPort: 8080 },
    ]);
  });

  it('a missing path is an input error', async () => {
    const r = await run('analyze', 'test/fixtures/does-not-exist');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('test/fixtures/does-not-exist');
  });

  it('usage mistakes exit 2', async () => {
    expect((await run('analyze', DEMO, '--group', 'cluster')).code).toBe(2);
    expect((await run('check', DEMO, '--from', 'prod/frontend', '--to', 'prod/postgres', '--port', '70000')).code).toBe(2);
  });
});

describe('traffic-map check', () => {
  it('says allowed and names the rules per direction', async () => {
    const r = await run('check', DEMO, '--from', 'prod/checkout', '--to', 'prod/postgres', '--port', '5432', '--format', 'json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.verdict).toBe('allowed');
    expect(doc.pairs[0].ingress.rules).toEqual([{ policy: 'prod/postgres-from-checkout', rule: 0, ports: [{ protocol: 'TCP', port: 5432, endPort: 5432 }] }]);
  });

  it('says denied, with --expect as a gate', async () => {
    const r = await run('check', DEMO, '--from', 'prod/frontend', '--to', 'prod/postgres', '--port', '5432', '--expect', 'allowed');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^DENIED: /);
    expect(r.stdout).toContain('ingress: denied (isolated by prod/allow-scrape, prod/default-deny, prod/postgres-from-checkout)');
  });

  it('takes workloads and IP addresses', async () => {
    const r = await run('check', DEMO, '--from', 'prod/payments[Deployment]', '--to', '1.1.1.1', '--port', '443', '--format', 'json');
    expect(JSON.parse(r.stdout).verdict).toBe('allowed');
    const denied = await run('check', DEMO, '--from', 'prod/payments', '--to', '10.3.3.3', '--port', '443', '--format', 'json');
    expect(JSON.parse(denied.stdout).verdict).toBe('denied');
  });
});

describe('traffic-map unprotected', () => {
  it('lists unprotected workloads and fails the gate', async () => {
    const r = await run('unprotected', DEMO, '--fail');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('staging/frontend[Deployment]  1 pod  unprotected for ingress + egress');
    expect(r.stdout).toContain('2 of 6 pods unprotected');
  });

  it('passes the gate when nothing is unprotected in that direction', async () => {
    const r = await run('unprotected', 'test/fixtures/shop-demo/namespaces.yaml', 'test/fixtures/shop-demo/policies.yaml', '--fail', '--direction', 'ingress');
    expect(r.code).toBe(0);
  });
});

describe('AdminNetworkPolicy and BaselineAdminNetworkPolicy from manifests', () => {
  it('analyze: reasons name the tier, the policy, the rule and the action', async () => {
    const r = await run('analyze', ADMIN, '--format', 'json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    const connection = (from: string, to: string) => doc.connections.find((c: { from: string; to: string }) => c.from === from && c.to === to);
    expect(connection('monitoring/prometheus', 'prod/db')).toMatchObject({
      allowed: [{ protocol: 'TCP', port: 9090, endPort: 9090 }],
      reasons: { egress: 'unisolated', ingress: [{ policy: 'cluster-guardrails', rule: 0, tier: 'anp', action: 'Allow' }] },
    });
    expect(connection('monitoring/prometheus', 'prod/web').reasons.ingress).toEqual([
      { policy: 'cluster-guardrails', rule: 2, tier: 'anp', action: 'Pass' },
      { policy: 'prod/web-http', rule: 0, tier: 'np' },
    ]);
    expect(connection('staging/web', 'prod/web')).toBeUndefined();
    const text = (await run('analyze', ADMIN)).stdout;
    expect(text).toContain('staging/web => monitoring/prometheus : all  [egress: not isolated; ingress: BANP default rule 0 Allow]');
  });

  it('check: the deciding admin rule, or the tier the port was passed to', async () => {
    const denied = await run('check', ADMIN, '--from', 'staging/web', '--to', 'prod/web', '--port', '8080', '--expect', 'denied');
    expect(denied.code).toBe(0);
    expect(denied.stdout).toContain('    ingress: denied\n      AdminNetworkPolicy cluster-guardrails ingress[1]: Deny\n');
    const passed = await run('check', ADMIN, '--from', 'monitoring/prometheus', '--to', 'prod/web', '--port', '8080');
    expect(passed.stdout).toContain('AdminNetworkPolicy cluster-guardrails ingress[2]: Pass, to the NetworkPolicies\n      allowed by prod/web-http ingress[0]');
    const baseline = await run('check', ADMIN, '--from', 'prod/web', '--to', 'staging/web', '--port', '8080', '--format', 'json');
    expect(JSON.parse(baseline.stdout).pairs[0].ingress.admin).toEqual({
      policies: [],
      baseline: true,
      rules: [{ tier: 'banp', policy: 'default', rule: 1, action: 'Deny', ports: 'all' }],
      passed: 'all',
    });
  });

  it('unprotected: an admin Deny rule protects its direction', async () => {
    const r = await run('unprotected', ADMIN, '--direction', 'ingress', '--fail');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('0 of 4 pods unprotected (ingress)\n');
  });
});

describe('the installed bin', () => {
  it('runs through npx as users call it', () => {
    const out = execFileSync('npx', ['traffic-map', 'unprotected', DEMO, '--format', 'json'], { encoding: 'utf8' });
    expect(JSON.parse(out).unprotected.map((u: { pod: string }) => u.pod)).toEqual(['monitoring/prometheus', 'staging/frontend']);
  });
});
