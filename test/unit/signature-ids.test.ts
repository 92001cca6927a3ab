// signatureIds (what a diff compares) says "equal" exactly where the signature texts are equal,
// across two analyses interned into one table: any class of one against any class of the other.
import { describe, expect, it } from 'vitest';
import { analyze, newSignatureTable, type EngineAnalysis } from '../../shared/engine/engine.ts';
import { buildCluster } from '../../shared/kube/load.ts';
import { randomCluster } from '../support/random-cluster.ts';

const analysisOf = (objects: unknown[]) => analyze(buildCluster(objects.map((object) => ({ object }))).cluster);

/** Pairs (class of a, class of b) whose texts agree, and whose ids agree, per side; how many agreed. */
function agreement(a: EngineAnalysis, b: EngineAnalysis, tag: (id: string) => string) {
  const table = newSignatureTable();
  const ids = [a.signatureIds(tag, table), b.signatureIds(tag, table)];
  const texts = [a.signatures(tag), b.signatures(tag)];
  let equalPairs = 0;
  for (const side of ['source', 'destination'] as const) {
    for (let i = 0; i < ids[0]![side].length; i++) {
      for (let j = 0; j < ids[1]![side].length; j++) {
        const sameText = texts[0]![side][i] === texts[1]![side][j];
        expect(ids[0]![side][i] === ids[1]![side][j], `${side} ${i} ~ ${j}`).toBe(sameText);
        if (sameText) equalPairs++;
      }
    }
  }
  return equalPairs;
}

describe('signatureIds', () => {
  it('agree with the signature texts on random cluster pairs, with and without admin policies', () => {
    let equalPairs = 0;
    for (let seed = 1; seed <= 150; seed++) {
      const admin = seed % 2 === 0;
      const a = analysisOf(randomCluster(seed, { admin }));
      // Half the pairs are one cluster with itself (every class has its twin), half two clusters.
      const b = seed % 4 < 2 ? analysisOf(randomCluster(seed, { admin })) : analysisOf(randomCluster(seed + 10_000, { admin }));
      equalPairs += agreement(a, b, (id) => id);
    }
    // The comparison saw equal signatures, not only different ones.
    expect(equalPairs).toBeGreaterThan(1000);
  });

  it('tell a changed policy version apart', () => {
    let checked = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const a = analysisOf(randomCluster(seed, { admin: true }));
      // A class selected by or reached through a policy names it in its signature.
      const named = a.signatures((id) => id);
      if (![...named.source, ...named.destination].some((text) => /[a-z]/.test(text))) continue;
      const table = newSignatureTable();
      const before = a.signatureIds((id) => `${id}@1`, table);
      const after = a.signatureIds((id) => `${id}@2`, table);
      const same = before.source.every((id, c) => id === after.source[c]) && before.destination.every((id, c) => id === after.destination[c]);
      expect(same, `seed ${seed}`).toBe(false);
      checked++;
    }
    expect(checked).toBeGreaterThan(10);
  });
});
