// The server on the simulated demo cluster, for browser tests: started, and returned once every
// namespace's policies are known (the views then show the demo as it is, nothing unknown).
import { serveConfig } from '../../server/config.ts';
import { startServer, type RunningServer } from '../../server/main.ts';

export async function startDemoServer(): Promise<RunningServer> {
  const server = await startServer(serveConfig({ port: 0, simulate: true }), { info: () => {} });
  const start = Date.now();
  while (server.engine.unknown !== 'all' && server.engine.unknown.size > 0 && Date.now() - start < 10_000) await new Promise((r) => setTimeout(r, 50));
  return server;
}
