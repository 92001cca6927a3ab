// Crash safety: a process writing history as fast as it can (pods churning, checkpoints being
// compressed) is killed with SIGKILL. The file must pass SQLite's integrity check, hold every
// event recorded up to a second before the kill (writes are committed every 500 ms), replay to
// its last recorded instant, and the next run must see the time since the kill as a gap
// (`crashed`), starting within a second of the kill.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { HistoryStore } from '../../server/history/history-store.ts';

const STORE_MODULE = fileURLToPath(new URL('../../server/history/history-store.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

// The writer: 2,000 pod events a second in batches of 20, one batch every 10 ms; it says how many
// batches it has recorded on stdout.
const WRITER = `
import { HistoryStore } from ${JSON.stringify(STORE_MODULE)};
const store = HistoryStore.open({ path: process.argv[1], retentionMs: 86400000, source: 'crash test', analysis: { ipBlockMatchesPods: true }, checkpointEvents: 4000 });
let seq = 0;
const pod = (i, n) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-' + i, namespace: 'ns-' + (i % 7), uid: 'uid-' + i + '-' + n, labels: { app: 'web', rev: String(n % 5) } },
  spec: { containers: [{ name: 'c', image: 'registry.example/web:' + n, ports: [{ containerPort: 8080, name: 'http' }] }] },
  status: { phase: 'Running', podIP: '10.1.' + (i % 250) + '.' + (n % 250), podIPs: [{ ip: '10.1.' + (i % 250) + '.' + (n % 250) }] } });
store.record([{ type: 'status', resource: 'pods', status: { state: 'synced', syncedOnce: true } }], Date.now(), ++seq);
let n = 0;
setInterval(() => {
  const events = [];
  for (let k = 0; k < 20; k++) {
    n++;
    const i = n % 3000;
    events.push(n % 9 === 0 ? { type: 'delete', resource: 'pods', object: pod(i, n - 1) } : { type: 'upsert', resource: 'pods', object: pod(i, n) });
  }
  store.record(events, Date.now(), ++seq);
  if (seq % 50 === 0) process.stdout.write('batches ' + seq + '\\n');
}, 10);
`;

const dir = mkdtempSync(join(tmpdir(), 'tm-history-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('history: crash safety', () => {
  it('SIGKILL during heavy writes: intact file, at most the last second lost, the gap recorded', async () => {
    const file = join(dir, 'crash.sqlite');
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', WRITER, file], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // Wait until it has been writing for a while (several commits and checkpoints).
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        const m = /batches (\d+)/.exec(d.toString());
        if (m && Number(m[1]) >= 400) resolve();
      });
      child.once('exit', (code) => reject(new Error(`the writer exited (${code}) before the kill: ${stderr}`)));
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const killedAt = Date.now();
    child.kill('SIGKILL');
    await exited;

    const db = new Database(file, { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const last = db.prepare('SELECT max(t) AS t, count(*) AS n, max(id) AS maxId, min(id) AS minId FROM events').get() as { t: number; n: number; maxId: number; minId: number };
    const session = db.prepare('SELECT * FROM sessions').get() as { last_seen_at: number; stopped_at: number | null };
    const checkpoints = (db.prepare('SELECT count(*) AS n FROM checkpoints').get() as { n: number }).n;
    db.close();
    // Events are committed in order: no hole.
    expect(last.n).toBe(last.maxId - last.minId + 1);
    expect(checkpoints).toBeGreaterThan(0);
    expect(killedAt - last.t).toBeLessThanOrEqual(1000);
    expect(session.stopped_at).toBeNull();
    expect(killedAt - session.last_seen_at).toBeLessThanOrEqual(1000);

    // The next run: the last recorded instant replays; the time since the kill is a gap.
    const store = HistoryStore.open({ path: file, retentionMs: 86_400_000, source: 'crash test', analysis: { ipBlockMatchesPods: true }, flushIntervalMs: 0, retentionIntervalMs: 0 });
    try {
      const past = store.reader.rebuild(last.t);
      if ('reason' in past) throw new Error(`the last instant was not rebuilt: ${past.reason}`);
      expect(past.engine.analysis.pods.length).toBeGreaterThan(1000);
      const gaps = store.reader.gaps();
      expect(gaps).toHaveLength(1);
      expect(gaps[0]!.reason).toBe('crashed');
      expect(killedAt - Date.parse(gaps[0]!.from)).toBeLessThanOrEqual(1000);
      expect(Date.parse(gaps[0]!.to!)).toBeGreaterThanOrEqual(killedAt);
      expect(store.reader.sessions().map((s) => s.state)).toEqual(['crashed', 'running']);
    } finally {
      await store.close();
    }
  }, 120_000);
});
