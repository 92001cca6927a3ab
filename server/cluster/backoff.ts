// Jittered exponential backoff for restarting watches: 200 ms doubling to 30 s, ±20 %. Pure.

export interface BackoffPolicy {
  /** Delay before the first retry. */
  initialMs: number;
  /** The delay never grows past this (before jitter). */
  maxMs: number;
  /** Growth per failure. */
  factor: number;
  /** Fraction of the delay added or taken away at random: 0.2 = ±20 %. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 200, maxMs: 30_000, factor: 2, jitter: 0.2 };

/**
 * The delay before retry number `failures` (1 = after the first failure), with jitter from
 * `random` (a number in [0, 1)). 0 when there was no failure.
 */
export function backoffDelay(failures: number, policy: BackoffPolicy = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  if (!(failures >= 1)) return 0;
  // Capped exponent: no Infinity after a week of failures.
  const steps = Math.min(failures - 1, 64);
  const base = Math.min(policy.maxMs, policy.initialMs * policy.factor ** steps);
  const spread = base * policy.jitter * (2 * random() - 1);
  return Math.max(0, Math.round(base + spread));
}

/** Merges partial settings over the defaults and checks them. */
export function backoffPolicy(partial: Partial<BackoffPolicy> = {}): BackoffPolicy {
  const policy = { ...DEFAULT_BACKOFF, ...partial };
  if (!(policy.initialMs > 0)) throw new Error(`backoff initialMs must be > 0, got ${policy.initialMs}`);
  if (!(policy.maxMs >= policy.initialMs)) throw new Error(`backoff maxMs (${policy.maxMs}) must be >= initialMs (${policy.initialMs})`);
  if (!(policy.factor >= 1)) throw new Error(`backoff factor must be >= 1, got ${policy.factor}`);
  if (!(policy.jitter >= 0 && policy.jitter < 1)) throw new Error(`backoff jitter must be in [0, 1), got ${policy.jitter}`);
  return policy;
}
