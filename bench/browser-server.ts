// Child of the browser benchmark: the Traffic Map server watching a simulated cluster (kubeconfig
// in BENCH_KUBECONFIG); reports its URL once every pod is synced, stops on "stop".
import { serveConfig } from '../server/config.ts';
import { startServer } from '../server/main.ts';

const minPods = Number(process.env['BENCH_MIN_PODS'] ?? '9000');
const server = await startServer(serveConfig({ port: 0, kubeconfig: process.env['BENCH_KUBECONFIG']! }), { info: () => {} });
while (server.engine.unknown === 'all' || server.engine.analysis.pods.length < minPods) await new Promise((r) => setTimeout(r, 100));
process.send?.({ url: server.url, pods: server.engine.analysis.pods.length });
process.on('message', (m) => {
  if (m === 'stop') void server.stop().then(() => process.exit(0));
});
