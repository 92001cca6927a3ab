// Soak benchmark, child 2: the Traffic Map server watching the simulated cluster; RSS sampled
// from the first full sync to the end of the run.
import { serveConfig } from '../server/config.ts';
import { startServer } from '../server/main.ts';

const kubeconfig = process.env['SOAK_KUBECONFIG']!;
const minutes = Number(process.env['SOAK_MINUTES'] ?? '10');
const mb = () => process.memoryUsage.rss() / 2 ** 20;
const heap = () => process.memoryUsage().heapUsed / 2 ** 20;
const t0 = performance.now();
const server = await startServer(serveConfig({ port: 0, kubeconfig }), { info: () => {} });
while (server.engine.unknown === 'all' || server.engine.analysis.pods.length < 9000) await new Promise((r) => setTimeout(r, 100));
const syncMs = performance.now() - t0;
let deltas = 0;
let events = 0;
server.engine.onDelta((d) => {
  deltas++;
  events += d.events;
});
globalThis.gc?.();
const start = mb();
const heapStart = heap();
const samples: number[] = [];
const end = Date.now() + minutes * 60_000;
while (Date.now() < end) {
  await new Promise((r) => setTimeout(r, 5000));
  samples.push(mb());
}
globalThis.gc?.();
const final = mb();
const heapEnd = heap();
const half = samples.slice(Math.floor(samples.length / 2));
process.send?.({ heapStart, heapEnd, syncMs, start, final, max: Math.max(start, ...samples), secondHalfMin: Math.min(...half), secondHalfMax: Math.max(...half), deltas, events, pods: server.engine.analysis.pods.length, minutes });
await server.stop();
process.exit(0);
