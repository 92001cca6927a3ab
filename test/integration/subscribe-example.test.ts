// examples/subscribe.mjs, the documented third-party client, run as a user would run it.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { serveConfig } from '../../server/config.ts';
import { startServer, type RunningServer } from '../../server/main.ts';

let server: RunningServer;
let child: ChildProcess | undefined;

beforeAll(async () => {
  server = await startServer(serveConfig({ port: 0, simulate: true, token: 'example-token-0123456789' }), { info: () => {} });
}, 30_000);

afterAll(async () => {
  child?.kill();
  await server?.stop();
});

it('prints hello, the snapshot and then each delta as one JSON line', async () => {
  child = spawn(process.execPath, ['examples/subscribe.mjs', server.url, '--level', 'namespace', '--token', 'example-token-0123456789'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: { event: string; [k: string]: unknown }[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => lines.push(JSON.parse(line) as { event: string }));
  const waitFor = async (test: () => boolean, what: string) => {
    const start = Date.now();
    while (!test()) {
      if (Date.now() - start > 10_000) throw new Error(`no ${what}; got ${lines.map((l) => l.event).join(', ')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  // The server starts the simulated cluster, so the first snapshot may still be "unknown".
  await waitFor(() => lines.some((l) => l.event === 'view:snapshot'), 'snapshot');
  expect(lines[0]!.event).toBe('hello');
  const snapshot = lines.find((l) => l.event === 'view:snapshot')!;
  expect(Array.isArray(snapshot['nodes'])).toBe(true);
  await waitFor(() => server.engine.unknown !== 'all' && lines.some((l) => l.event === 'view:delta' || (l.event === 'view:snapshot' && (l['unknown'] as unknown) !== 'all')), 'synced view');

  const before = lines.length;
  server.sim!.store.create('networkpolicies', {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'deny-all', namespace: 'staging' },
    spec: { podSelector: {}, policyTypes: ['Egress'] },
  });
  await waitFor(() => lines.slice(before).some((l) => l.event === 'view:delta'), 'delta after the change');
  const delta = lines.slice(before).find((l) => l.event === 'view:delta') as unknown as { seq: number; prevSeq: number; nodes: { upsert: { id: string; isolation: unknown }[] } };
  expect(delta.seq).toBeGreaterThan(delta.prevSeq);
  // Ingress: the demo's BaselineAdminNetworkPolicy already has a Deny rule for staging's pods.
  expect(delta.nodes.upsert.find((n) => n.id === 'staging')?.isolation).toEqual({ ingress: true, egress: true });
}, 30_000);
