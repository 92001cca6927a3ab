// `traffic-map sim`: runSim in process, and the commander command in a child process stopped by
// SIGTERM, with the kubeconfig it writes used by the real kubectl.
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runSim } from '../../server/cli/sim.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const KUBECTL = '/usr/bin/kubectl';

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'sim-cli-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.on('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

describe('runSim', () => {
  it('serves, writes a kubeconfig, prints the kubectl line that works, and stops cleanly', async () => {
    let out = '';
    const path = join(work, 'run.kubeconfig');
    const handle = await runSim({ scenario: 'demo', kubeconfigOut: path, handleSignals: false }, { out: (t) => (out += t), err: (t) => (out += t) });
    try {
      expect(out).toContain(`at ${handle.cluster.url}`);
      expect(out).toContain('8 namespaces, 33 pods, 18 NetworkPolicies');
      const config = parse(await readFile(path, 'utf8')) as { clusters: { cluster: Record<string, unknown> }[]; 'current-context': string };
      expect(config.clusters[0]!.cluster).toEqual({ server: handle.cluster.url, 'insecure-skip-tls-verify': true });
      const line = /Try:\s+(kubectl .*)\n/.exec(out)?.[1];
      expect(line).toBe(`kubectl --kubeconfig ${path} get pods -A`);
      if (existsSync(KUBECTL)) {
        const args = line!.split(' ').slice(1);
        const stdout = await new Promise<string>((resolve, reject) =>
          execFile(KUBECTL, [...args, '--cache-dir', join(work, 'cache')], { timeout: 20_000 }, (err, so) => (err ? reject(err) : resolve(so))),
        );
        expect(stdout).toMatch(/\nprod\s+postgres-0\s/);
      }
    } finally {
      await handle.stop();
    }
    await handle.done;
    expect(await portOpen(handle.cluster.port)).toBe(false);
  });
});

describe('traffic-map sim (commander) in a child process', () => {
  it('runs with --https --token, writes the token user, and exits 0 on SIGTERM', async () => {
    const path = join(work, 'child.kubeconfig');
    const code = [
      "import { Command } from 'commander';",
      `import { registerSimCommand } from ${JSON.stringify(join(ROOT, 'server/cli/sim.ts'))};`,
      "const program = new Command('traffic-map').exitOverride();",
      'let exit = -1;',
      "const io = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };",
      'registerSimCommand(program, io, (c) => { exit = c; });',
      `await program.parseAsync(['sim', '--scenario', 'empty', '--https', '--token', 'tok', '--kubeconfig-out', ${JSON.stringify(path)}], { from: 'user' });`,
      "process.stdout.write(`exit=${exit}\\n`);",
    ].join('\n');
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    try {
      for (let i = 0; i < 200 && !stdout.includes('Press Ctrl+C'); i++) await new Promise((r) => setTimeout(r, 50));
      expect(stdout, stderr).toContain('Press Ctrl+C to stop.');
      const url = /at (https:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
      expect(url).toBeDefined();
      const config = parse(await readFile(path, 'utf8')) as { clusters: { cluster: Record<string, unknown> }[]; users: { user: Record<string, unknown> }[] };
      expect(config.clusters[0]!.cluster).toEqual({ server: url, 'insecure-skip-tls-verify': true });
      expect(config.users[0]!.user).toEqual({ token: 'tok' });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(stderr).toContain('SIGTERM: stopping the simulated cluster');
    expect(stdout).toContain('exit=0');
  });
});
