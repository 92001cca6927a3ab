// Socket benchmark, server child: the Traffic Map server watching the simulated cluster (kubeconfig
// in BENCH_KUBECONFIG). Reports its URL once every pod is synced; between "measure:start" and
// "measure:end" it samples RSS and what it holds for each socket, and measures CPU and event-loop delay.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { serveConfig } from '../server/config.ts';
import { startServer } from '../server/main.ts';
import { ViewRoom } from '../server/socket/view-room.ts';
import type { EngineState } from '../server/views/view-model.ts';
import { summarizeProfile, type CpuProfile } from './cpu-profile.ts';
import { Link, MARKER_NS, markerOf, now, type FromServer, type ServerMeasured, type ServerSample, type ToServer } from './socket-ipc.ts';

const SAMPLE_MS = 250;
const link = new Link<ToServer, FromServer>('parent', process);
const mb = () => process.memoryUsage.rss() / 2 ** 20;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const t0 = performance.now();
const server = await startServer(serveConfig({ port: 0, kubeconfig: process.env['BENCH_KUBECONFIG']! }), { info: () => {} });
while (server.engine.unknown === 'all' || server.engine.analysis.pods.length < 9000) await sleep(100);
// The watch events that queued up during the initial list come next (a few hundred): ready once a
// second passes with no more than the churn's own rate.
let caughtUp = 0;
const offCount = server.engine.onDelta((d) => (caughtUp += d.events));
for (let quiet = 0; quiet < 2; ) {
  caughtUp = 0;
  await sleep(1000);
  quiet = caughtUp < 100 ? quiet + 1 : 0;
}
offCount();
link.send({ type: 'ready', url: server.url, pods: server.engine.analysis.pods.length, syncMs: performance.now() - t0 });

function sample(): ServerSample {
  const stats = server.views.socketStats();
  return {
    at: now(),
    rssMB: mb(),
    sockets: stats.length,
    lagging: stats.filter((s) => s.laggingViews > 0).length,
    maxQueuedPackets: Math.max(0, ...stats.map((s) => s.queuedPackets)),
    maxBufferedBytes: Math.max(0, ...stats.map((s) => s.bufferedBytes)),
    held: stats.filter((s) => s.laggingViews > 0).map(({ id, queuedPackets, bufferedBytes }) => ({ id, queuedPackets, bufferedBytes })),
    roomSeqs: Object.fromEntries([...server.views.rooms].map(([id, room]) => [id, room.seq])),
  };
}

interface Run {
  start: number;
  cpu: NodeJS.CpuUsage;
  rssStart: number;
  rssMax: number;
  deltas: number;
  events: number;
  gcMs: number;
  gcMaxMs: number;
  markerApplied: (number | null)[];
  roomSent: Record<string, (number | null)[]>;
  timer: NodeJS.Timeout;
}
let run: Run | null = null;

// Progress on stderr: the setup (200 subscriptions) is not measured but shows how loaded the server is.
const progress = monitorEventLoopDelay({ resolution: 10 });
progress.enable();
setInterval(() => {
  const s = sample();
  console.error(`[socket server] ${s.sockets} sockets, ${s.lagging} lagging, max ${s.maxQueuedPackets} packets queued, event loop max ${(progress.max / 1e6).toFixed(0)} ms, RSS ${s.rssMB.toFixed(0)} MB`);
  progress.reset();
}, 10_000).unref();
const loop = monitorEventLoopDelay({ resolution: 10 });
server.engine.onDelta((d) => {
  if (!run) return;
  run.deltas++;
  run.events += d.events;
  // Where the marker latency goes: from the API write to here, and from here to the clients.
  for (const id of d.pods.added) {
    const n = markerOf(id);
    if (n !== null) run.markerApplied[n - 1] = now();
  }
});
// Instrumentation (this process only): when each room's delta first shows a marker. The hub sends
// the delta to the room's sockets right after flush returns it.
const flush = ViewRoom.prototype.flush;
ViewRoom.prototype.flush = function (this: ViewRoom, input: EngineState) {
  const delta = flush.call(this, input);
  if (delta && run) {
    const sent = (run.roomSent[this.viewId] ??= []);
    const at = now();
    for (const node of delta.nodes.upsert) {
      // Namespace level: the marker namespace's pod count; pod and workload level: the marker's node.
      if (node.id === MARKER_NS) for (let n = node.pods; n >= 1 && sent[n - 1] === undefined; n--) sent[n - 1] = at;
      const n = markerOf(node.id);
      if (n !== null) sent[n - 1] ??= at;
    }
  }
  return delta;
};

new PerformanceObserver((list) => {
  if (!run) return;
  for (const entry of list.getEntries()) {
    run.gcMs += entry.duration;
    run.gcMaxMs = Math.max(run.gcMaxMs, entry.duration);
  }
}).observe({ entryTypes: ['gc'] });

// With BENCH_CPU_PROF (a file path), the run window is profiled: where the server's time goes.
const profileFile = process.env['BENCH_CPU_PROF'];
const session = profileFile ? new Session() : null;

link.on('measure:start', () => {
  if (session) {
    session.connect();
    void session.post('Profiler.enable').then(() => session.post('Profiler.start'));
  }
  const rssStart = mb();
  loop.reset();
  loop.enable();
  const timer = setInterval(() => {
    const s = sample();
    if (run) run.rssMax = Math.max(run.rssMax, s.rssMB);
    link.send({ type: 'sample', ...s });
  }, SAMPLE_MS);
  run = { start: performance.now(), cpu: process.cpuUsage(), rssStart, rssMax: rssStart, deltas: 0, events: 0, gcMs: 0, gcMaxMs: 0, markerApplied: [], roomSent: {}, timer };
});

link.on('measure:end', () => void measureEnd());

async function measureEnd(): Promise<void> {
  if (!run) return;
  clearInterval(run.timer);
  loop.disable();
  let profile: ServerMeasured['profile'];
  if (session && profileFile) {
    const stopped = (await session.post('Profiler.stop')) as { profile: CpuProfile };
    session.disconnect();
    writeFileSync(profileFile, JSON.stringify(stopped.profile));
    profile = { file: profileFile, ...summarizeProfile(stopped.profile) };
  }
  const seconds = (performance.now() - run.start) / 1000;
  const cpu = process.cpuUsage(run.cpu);
  const rssEnd = mb();
  link.send({
    type: 'measured',
    seconds,
    cpuPercent: ((cpu.user + cpu.system) / 1e6 / seconds) * 100,
    rssStartMB: run.rssStart,
    rssEndMB: rssEnd,
    rssMaxMB: Math.max(run.rssMax, rssEnd),
    loopP99: loop.percentile(99) / 1e6,
    loopMax: loop.max / 1e6,
    deltas: run.deltas,
    events: run.events,
    gcMs: run.gcMs,
    gcMaxMs: run.gcMaxMs,
    markerApplied: Array.from(run.markerApplied, (t) => t ?? null),
    roomSent: Object.fromEntries(Object.entries(run.roomSent).map(([id, sent]) => [id, Array.from(sent, (t) => t ?? null)])),
    ...(profile ? { profile } : {}),
  });
  run = null;
}

// Settled: the engine's seq and every room stayed put for a second (the churn is stopped first).
link.on('settle', () => {
  void (async () => {
    let seq = server.engine.seq;
    let quietSince = performance.now();
    while (performance.now() - quietSince < 1000) {
      await sleep(50);
      const busy = [...server.views.rooms.values()].some((r) => r.pending);
      if (busy || server.engine.seq !== seq) {
        seq = server.engine.seq;
        quietSince = performance.now();
      }
    }
    link.send({ type: 'settled', rooms: Object.fromEntries([...server.views.rooms].map(([id, room]) => [id, room.seq])) });
  })();
});

link.on('stop', () => void server.stop().then(() => process.exit(0)));
