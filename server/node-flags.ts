// The Node flags the server runs with, wherever it is started from: the `traffic-map` shebang,
// `npm start`, the container's entrypoint and the benchmarks' server processes
// (test/unit/node-flags.test.ts checks they agree).
//
// A 32 MB young generation (semi-space; V8's default is 16 MB): every view update and delta makes
// short-lived garbage, and with the default size much of it was promoted and collected again in
// the 1 GB old generation. On the socket benchmark (M cluster, 200 clients, 30 pod events/s) GC
// time went from 5.2 to 2.4-3.5 s per 2 minutes, and the p99 latency from 0.7-0.9 s to 0.35-0.5 s.
export const SERVER_NODE_FLAGS = ['--max-semi-space-size=32'] as const;
