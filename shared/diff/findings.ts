// Findings that appeared or went away. A finding whose text changed (its policy was edited) is
// removed and added again, as the live deltas do.
import type { Finding } from '../engine/analysis.ts';
import { sameFinding } from '../engine/findings.ts';

const keyOf = (f: Finding) => `${f.kind}\u0000${f.subject}\u0000${f.field ?? ''}\u0000${f.direction ?? ''}`;

export function diffFindings(before: readonly Finding[], after: readonly Finding[]): { added: Finding[]; removed: Finding[] } {
  const was = new Map(before.map((f) => [keyOf(f), f]));
  const now = new Map(after.map((f) => [keyOf(f), f]));
  const kept = (f: Finding, other: Finding | undefined) => other !== undefined && sameFinding(f, other);
  return {
    added: after.filter((f) => !kept(f, was.get(keyOf(f)))),
    removed: before.filter((f) => !kept(f, now.get(keyOf(f)))),
  };
}
