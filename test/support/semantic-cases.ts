// Table-driven semantics tests: one named cluster of raw objects per rule, and the answers the
// rule dictates (allowed ports between endpoints, isolation), through loader -> class engine.
import { describe, expect, it } from 'vitest';
import { analyzeObjects } from './analyze-objects.ts';

export interface SemanticCase {
  rule: string;
  objects: object[];
  ipBlockMatchesPods?: boolean;
  /** [from, to, expected port-set text] */
  allowed?: [string, string, string][];
  isolation?: [string, { ingress: boolean; egress: boolean }][];
}

export function semanticCases(title: string, cases: readonly SemanticCase[]): void {
  describe(title, () => {
    for (const c of cases) {
      it(c.rule, () => {
        const r = analyzeObjects(c.objects, c.ipBlockMatchesPods ?? true);
        expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
        for (const [from, to, expected] of c.allowed ?? []) {
          expect(`${from} -> ${to}: ${r.allowed(from, to)}`).toBe(`${from} -> ${to}: ${expected}`);
        }
        for (const [p, iso] of c.isolation ?? []) expect({ pod: p, ...r.isolation(p) }).toEqual({ pod: p, ...iso });
      });
    }
  });
}
