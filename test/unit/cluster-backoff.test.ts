import { describe, expect, it } from 'vitest';
import { DEFAULT_BACKOFF, backoffDelay, backoffPolicy } from '../../server/cluster/backoff.ts';

const middle = (): number => 0.5; // no jitter
const low = (): number => 0;
const high = (): number => 0.999999;

describe('backoffDelay', () => {
  it('is 0 before any failure', () => {
    expect(backoffDelay(0)).toBe(0);
    expect(backoffDelay(-1)).toBe(0);
    expect(backoffDelay(Number.NaN)).toBe(0);
  });

  it('starts at 200 ms and doubles up to 30 s', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((n) => backoffDelay(n, DEFAULT_BACKOFF, middle));
    expect(delays).toEqual([200, 400, 800, 1600, 3200, 6400, 12800, 25600, 30000, 30000]);
    expect(backoffDelay(10_000, DEFAULT_BACKOFF, middle)).toBe(30000);
  });

  it('spreads by ±20 %', () => {
    expect(backoffDelay(1, DEFAULT_BACKOFF, low)).toBe(160);
    expect(backoffDelay(1, DEFAULT_BACKOFF, high)).toBe(240);
    expect(backoffDelay(20, DEFAULT_BACKOFF, low)).toBe(24000);
    expect(backoffDelay(20, DEFAULT_BACKOFF, high)).toBe(36000);
    for (let i = 0; i < 200; i++) {
      const d = backoffDelay(3);
      expect(d).toBeGreaterThanOrEqual(640);
      expect(d).toBeLessThanOrEqual(960);
    }
  });

  it('uses the given policy', () => {
    const policy = backoffPolicy({ initialMs: 50, maxMs: 400 });
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, policy, middle))).toEqual([50, 100, 200, 400, 400]);
  });
});

describe('backoffPolicy', () => {
  it('fills in the defaults', () => {
    expect(backoffPolicy()).toEqual(DEFAULT_BACKOFF);
    expect(backoffPolicy({ jitter: 0 }).jitter).toBe(0);
  });

  it('rejects nonsense with a clear message', () => {
    expect(() => backoffPolicy({ initialMs: 0 })).toThrow(/initialMs must be > 0/);
    expect(() => backoffPolicy({ initialMs: 500, maxMs: 100 })).toThrow(/maxMs \(100\) must be >= initialMs \(500\)/);
    expect(() => backoffPolicy({ factor: 0.5 })).toThrow(/factor/);
    expect(() => backoffPolicy({ jitter: 1 })).toThrow(/jitter/);
  });
});
