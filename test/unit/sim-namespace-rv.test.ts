// A changed Namespace gets a new resourceVersion (informers drop a MODIFIED event whose
// resourceVersion did not change, as client-go does).
import { describe, expect, it } from 'vitest';
import { startSimulatedCluster } from '../../server/sim/simulated-cluster.ts';

describe('simulated cluster: namespace updates', () => {
  it('bumps resourceVersion on a label patch and on apply', async () => {
    const sim = await startSimulatedCluster({ scenario: 'demo' });
    try {
      const get = async () => (await (await fetch(`${sim.url}/api/v1/namespaces/staging`)).json()) as { metadata: { resourceVersion: string; labels: Record<string, string> } };
      const before = await get();
      const res = await fetch(`${sim.url}/api/v1/namespaces/staging`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/merge-patch+json' },
        body: JSON.stringify({ metadata: { labels: { tier: 'test' } } }),
      });
      expect(res.status).toBe(200);
      const patched = await get();
      expect(patched.metadata.labels['tier']).toBe('test');
      expect(patched.metadata.resourceVersion).not.toBe(before.metadata.resourceVersion);
      expect(Number(patched.metadata.resourceVersion)).toBeGreaterThan(Number(before.metadata.resourceVersion));
    } finally {
      await sim.close();
    }
  });
});
