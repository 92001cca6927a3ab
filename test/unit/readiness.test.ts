// /readyz's rule: every watched resource listed once, and none without its watch past the grace
// period; on a fake clock.
import { describe, expect, it } from 'vitest';
import { Readiness } from '../../server/http/health.ts';
import type { ResourceStatus } from '../../shared/model/status.ts';

const synced: ResourceStatus = { state: 'synced', syncedOnce: true };
const syncing: ResourceStatus = { state: 'syncing', syncedOnce: false };

function clock() {
  let t = Date.parse('2026-01-01T00:00:00Z');
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('Readiness', () => {
  it('is not ready until every resource has been listed once, and names the missing ones', () => {
    const c = clock();
    const r = new Readiness(1000, c.now);
    expect(r.check({ pods: [syncing], namespaces: [synced], networkpolicies: [{ state: 'error', syncedOnce: false, lastError: 'connect ECONNREFUSED' }] })).toEqual({
      ready: false,
      notReady: [
        { resource: 'pods', state: 'syncing', reason: 'not-synced-yet' },
        { resource: 'networkpolicies', state: 'error', reason: 'not-synced-yet' },
      ],
    });
    expect(r.check({ pods: [synced], namespaces: [synced], networkpolicies: [synced] })).toEqual({ ready: true, notReady: [] });
  });

  it('names the namespace of a per-namespace watch', () => {
    const r = new Readiness(1000, clock().now);
    const report = r.check({ pods: [{ ...synced, namespace: 'a' }, { ...syncing, namespace: 'b' }] });
    expect(report.notReady).toEqual([{ resource: 'pods', namespace: 'b', state: 'syncing', reason: 'not-synced-yet' }]);
  });

  it('counts a resource that is not installed as known (empty)', () => {
    const r = new Readiness(1000, clock().now);
    expect(r.check({ pods: [synced], adminnetworkpolicies: [{ state: 'not-installed', syncedOnce: true }] }).ready).toBe(true);
  });

  it('stays ready through a blip shorter than the grace period, and goes unready past it', () => {
    const c = clock();
    const r = new Readiness(30_000, c.now);
    r.observe({ pods: [synced], namespaces: [synced] });
    const lostAt = c.now();
    r.observe({ pods: [{ state: 'reconnecting', syncedOnce: true }], namespaces: [synced] });
    c.advance(10_000);
    // The state changes (reconnecting -> error) but the time counts from when it stopped being synced.
    const down = { pods: [{ state: 'error' as const, syncedOnce: true }], namespaces: [synced] };
    r.observe(down);
    c.advance(19_999);
    expect(r.check(down).ready).toBe(true);
    c.advance(1);
    expect(r.check(down)).toEqual({ ready: false, notReady: [{ resource: 'pods', state: 'error', reason: 'lost', since: new Date(lostAt).toISOString() }] });
    r.observe({ pods: [synced], namespaces: [synced] });
    expect(r.check({ pods: [synced], namespaces: [synced] }).ready).toBe(true);
  });

  it('starts the grace period at the first check that sees a loss it was not told about', () => {
    const c = clock();
    const r = new Readiness(5000, c.now);
    const forbidden = { networkpolicies: [{ state: 'forbidden' as const, syncedOnce: true }] };
    expect(r.check(forbidden).ready).toBe(true);
    c.advance(5000);
    expect(r.check(forbidden).notReady).toEqual([{ resource: 'networkpolicies', state: 'forbidden', reason: 'lost', since: '2026-01-01T00:00:00.000Z' }]);
  });

  it('with no grace, any loss is unready at once', () => {
    const r = new Readiness(0, clock().now);
    expect(r.check({ pods: [{ state: 'reconnecting', syncedOnce: true }] }).ready).toBe(false);
  });
});
