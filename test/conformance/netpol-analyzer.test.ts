// Our engine against every `networkpolicy` and `anp-banp` case of the netpol-analyzer corpus
// (../shared/conformance/netpol-analyzer, see its README.md and FORMAT.md): our answer, written in
// that analyzer's connlist format, must equal expected.txt line for line, external ranges included.
// The only differences allowed are those recorded in KNOWN.md, and every record there must still
// occur: lines skipped because our semantics leave pods out (rules 21-22), counted per case, and
// explained disagreements (case, line, reason).
import { describe, expect, it } from 'vitest';
import { caseResult, readCases } from './netpol-analyzer.ts';
import type { CaseResult } from './netpol-analyzer.ts';
import { readKnown } from './known.ts';
import type { Known } from './known.ts';

interface Category {
  name: string;
  /** README.md / FORMAT.md: the size of the category. */
  cases: number;
  lines: number;
  /** Lines actually compared (expected minus skipped): the floor keeps the test from passing by comparing (almost) nothing. */
  minCompared: number;
}

const CATEGORIES: readonly Category[] = [
  // Rules 21-22 skip 16,740 lines, most of them in ipblockstest_4 whose host-network DaemonSets
  // face ~1,000 external ranges each, so 14,924 remain.
  { name: 'networkpolicy', cases: 42, lines: 31_664, minCompared: 14_900 },
  // AdminNetworkPolicy and BaselineAdminNetworkPolicy tiers: nothing is skipped.
  { name: 'anp-banp', cases: 54, lines: 858, minCompared: 858 },
];
const SHOWN = 20;

const known: Known = readKnown();

function list(title: string, items: readonly string[]): string[] {
  if (items.length === 0) return [];
  const more = items.length > SHOWN ? [`  ... and ${items.length - SHOWN} more`] : [];
  return [`${title} (${items.length}):`, ...items.slice(0, SHOWN).map((i) => `  ${i}`), ...more];
}

/** Everything wrong with one case, as readable lines; empty when the case conforms. */
function problems(r: CaseResult): string[] {
  const explained = known.explained.filter((e) => e.case === r.name);
  const explainedMissing = new Set(explained.filter((e) => e.side === 'missing').map((e) => e.line));
  const explainedExtra = new Set(explained.filter((e) => e.side === 'extra').map((e) => e.line));
  const missing = new Set(r.missing);
  const extra = new Set(r.extra);
  const stale = explained.filter((e) => !(e.side === 'missing' ? missing : extra).has(e.line)).map((e) => `${e.side}: ${e.line}`);

  const skip = known.skips.get(r.name);
  const excluded = [...r.excludedEndpoints.keys()];
  const skipProblems: string[] = [];
  if ((skip?.count ?? 0) !== r.skipped.length) {
    skipProblems.push(`skipped ${r.skipped.length} expected lines, KNOWN.md records ${skip?.count ?? 0}`);
  }
  const recorded = new Set(skip?.endpoints ?? []);
  if (excluded.length !== recorded.size || excluded.some((e) => !recorded.has(e))) {
    skipProblems.push(`left-out endpoints ${JSON.stringify(excluded)}, KNOWN.md records ${JSON.stringify([...recorded])}`);
  }

  const naming = r.naming;
  return [
    ...list('expected lines we do not produce', r.missing.filter((l) => !explainedMissing.has(l))),
    ...list('lines we produce that are not expected', r.extra.filter((l) => !explainedExtra.has(l))),
    ...list('stale KNOWN.md disagreements (no longer occur)', stale),
    ...list('KNOWN.md skipped lines', skipProblems),
    ...list(
      'pods of one endpoint disagree (union used)',
      r.conflicts.map((c) => `${c.from} => ${c.to}: ${c.answers.join(' | ')}`),
    ),
    ...list('endpoints with both left-out and participating pods', r.mixedEndpoints),
    ...list('endpoint names from the loader but not from the manifests', naming.onlyLoader),
    ...list('endpoint names from the manifests but not from the loader', naming.onlyManifests),
    ...list('left out by the loader but not by rules 21-22 on the manifests', naming.excludedOnlyLoader),
    ...list('left out by rules 21-22 on the manifests but not by the loader', naming.excludedOnlyManifests),
    ...list('endpoints of expected.txt we do not know', r.unknownExpectedEndpoints),
    ...list(
      'loader errors',
      r.errors.map((d) => [d.file, d.object, d.field, d.message].filter((x) => x !== undefined).join(': ')),
    ),
  ];
}

for (const category of CATEGORIES) {
  const cases = readCases(category.name);

  describe(`netpol-analyzer conformance (${category.name})`, () => {
    it.each(cases.map((c) => c.case))('%s', (name) => {
      const r = caseResult(name);
      expect(problems(r).join('\n'), name).toBe('');
    });

    it(`runs all ${category.cases} cases and compares at least ${category.minCompared} of the ${category.lines} lines`, () => {
      expect(cases.length).toBe(category.cases);
      const results = cases.map((c) => caseResult(c.case));
      const expected = results.reduce((n, r) => n + r.expected.length, 0);
      const compared = results.reduce((n, r) => n + r.compared, 0);
      const skipped = results.reduce((n, r) => n + r.skipped.length, 0);
      expect(expected).toBe(category.lines);
      expect(compared + skipped).toBe(category.lines);
      expect(compared).toBeGreaterThanOrEqual(category.minCompared);
    });
  });
}

describe('netpol-analyzer conformance: KNOWN.md', () => {
  it('names only cases of the compared categories, each row backed by a real difference', () => {
    const names = new Set(CATEGORIES.flatMap((c) => readCases(c.name).map((x) => x.case)));
    const unknownCases = [...known.skips.keys(), ...known.explained.map((e) => e.case)].filter((n) => !names.has(n));
    expect(unknownCases).toEqual([]);
    for (const skip of known.skips.values()) {
      expect(skip.count, `${skip.case}: a zero row is noise, leave the case out`).toBeGreaterThan(0);
      const reasons = new Set([...caseResult(skip.case).excludedEndpoints.values()].flat());
      if (reasons.has('hostNetwork')) expect(skip.reason, skip.case).toMatch(/rule 22/);
      if (reasons.has('finished') || reasons.has('terminated')) expect(skip.reason, skip.case).toMatch(/rule 21/);
    }
  });
});
