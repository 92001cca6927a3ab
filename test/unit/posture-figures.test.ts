// The /metrics posture figures against a pair-by-pair count over the same analysis: unprotected pods
// per direction, default deny, allowed pod pairs and external connections per namespace; unknown
// namespaces counted as unknown only.
import { describe, expect, it } from 'vitest';
import { loadManifests } from '../../server/cli/load-manifests.ts';
import { postureFigures, type NamespaceFigures } from '../../server/http/posture-figures.ts';
import { analyze, type EngineAnalysis } from '../../shared/engine/engine.ts';

/** Every figure by brute force: pods × pods and pods × ranges through `allowed`. */
function bruteForce(a: EngineAnalysis, unknown: ReadonlySet<string>): Map<string, NamespaceFigures> {
  const out = new Map<string, NamespaceFigures>();
  const row = (ns: string) => {
    let r = out.get(ns);
    if (!r) {
      const u = unknown.has(ns);
      r = { namespace: ns, pods: 0, unknown: u, unprotected: { ingress: 0, egress: 0 }, defaultDeny: u ? { ingress: null, egress: null } : { ingress: true, egress: true }, allowedPodPairs: { ingress: 0, egress: 0 }, allowedExternal: { ingress: 0, egress: 0 } };
      out.set(ns, r);
    }
    return r;
  };
  const known = (i: number) => !unknown.has(a.pods[i]!.namespace);
  a.pods.forEach((p, i) => {
    const r = row(p.namespace);
    r.pods++;
    if (!known(i)) return;
    if (!a.isolation(i).ingress) r.unprotected.ingress++;
    if (!a.isolation(i).egress) r.unprotected.egress++;
    a.pods.forEach((q, j) => {
      if (i === j || !known(j) || a.allowed({ kind: 'pod', index: i }, { kind: 'pod', index: j }).isEmpty()) return;
      r.allowedPodPairs.egress++;
      row(q.namespace).allowedPodPairs.ingress++;
    });
    a.externals.forEach((e, k) => {
      if (e.asSource && !a.allowed({ kind: 'external', index: k }, { kind: 'pod', index: i }).isEmpty()) r.allowedExternal.ingress++;
      if (e.asDestination && !a.allowed({ kind: 'pod', index: i }, { kind: 'external', index: k }).isEmpty()) r.allowedExternal.egress++;
    });
  });
  for (const f of a.findings) {
    if (f.kind === 'namespace-without-default-deny' && out.has(f.subject) && !unknown.has(f.subject)) out.get(f.subject)!.defaultDeny[f.direction!] = false;
  }
  return out;
}

function analyzed(path: string): EngineAnalysis {
  const { cluster, diagnostics } = loadManifests([path]);
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return analyze(cluster, { ipBlockMatchesPods: true });
}

describe('postureFigures', () => {
  for (const fixture of ['test/fixtures/shop-demo', 'test/fixtures/admin-tiers']) {
    it(`${fixture}: equals the pair-by-pair count`, () => {
      const a = analyzed(fixture);
      const figures = postureFigures(a, new Set());
      const expected = bruteForce(a, new Set());
      expect(new Map(figures.namespaces.map((n) => [n.namespace, n]))).toEqual(expected);
      // Something is counted at all, or the comparison proves little.
      expect(figures.namespaces.some((n) => n.allowedPodPairs.ingress > 0 && n.allowedExternal.egress > 0)).toBe(true);
      expect(figures.withoutDefaultDeny.ingress).toBe([...expected.values()].filter((n) => n.defaultDeny.ingress === false).length);
    });
  }

  it('counts the pods of a namespace with unknown policies as unknown only, and no connection to or from them', () => {
    const a = analyzed('test/fixtures/shop-demo');
    const all = postureFigures(a, new Set());
    const unknown = new Set(['staging']);
    const figures = postureFigures(a, unknown);
    expect(new Map(figures.namespaces.map((n) => [n.namespace, n]))).toEqual(bruteForce(a, unknown));
    const staging = figures.namespaces.find((n) => n.namespace === 'staging')!;
    expect(staging).toMatchObject({ unknown: true, unprotected: { ingress: 0, egress: 0 }, defaultDeny: { ingress: null, egress: null }, allowedPodPairs: { ingress: 0, egress: 0 } });
    expect(staging.pods).toBe(all.namespaces.find((n) => n.namespace === 'staging')!.pods);
    expect(figures.unknownNamespaces).toBe(1);
    // staging's missing default deny is not a finding while its policies are unknown.
    expect(figures.withoutDefaultDeny.ingress).toBe(all.withoutDefaultDeny.ingress - 1);
  });

  it("counts every pod unknown while no policy list is known ('all')", () => {
    const a = analyzed('test/fixtures/shop-demo');
    const figures = postureFigures(a, 'all');
    expect(figures.namespaces.every((n) => n.unknown && n.unprotected.ingress === 0 && n.allowedPodPairs.egress === 0)).toBe(true);
    expect(figures.unknownNamespaces).toBe(a.cluster.namespaces.length);
    expect(figures.findings.filter((f) => f.kind === 'namespace-without-default-deny')).toEqual([]);
  });
});
