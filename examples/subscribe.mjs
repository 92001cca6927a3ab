#!/usr/bin/env node
// A third-party client of the Traffic Map socket protocol, in plain JavaScript: it subscribes to
// one view and prints every message it receives as one JSON line, e.g.
//
//   {"event":"hello","protocol":2,"server":"kube-traffic-map",...}
//   {"event":"view:snapshot","seq":3,"viewId":"...","nodes":[...],"cells":[...],...}
//   {"event":"view:delta","seq":12,"prevSeq":3,"nodes":{"upsert":[...],"remove":[]},...}
//
// Usage: node examples/subscribe.mjs [URL] [--level namespace|workload|pod] [--namespaces a,b]
//                                    [--token T]            (or TRAFFIC_MAP_TOKEN)
//
// The protocol in short (README, "Socket protocol"): connect with auth {protocol: 2, token};
// emit `view:subscribe` {view} with an ack; a `view:snapshot` follows, whose `body` is raw-deflate
// compressed JSON; then `view:delta` messages. Each delta's prevSeq is the seq of the message
// before it: on a mismatch, emit `view:resync` {viewId, seq} and the server replays what you
// missed or sends a new snapshot. A cell with allowed === total that a delta leaves out while its
// nodes' pod counts change has every pair still allowed: recount it (README, "Deltas").
import { inflateRawSync } from 'node:zlib';
import { parseArgs } from 'node:util';
import { io } from 'socket.io-client';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    level: { type: 'string', default: 'namespace' },
    namespaces: { type: 'string' },
    token: { type: 'string' },
  },
});
const url = positionals[0] ?? 'http://127.0.0.1:8080';
const token = values.token ?? process.env.TRAFFIC_MAP_TOKEN;
const view = { level: values.level, namespaces: values.namespaces ? values.namespaces.split(',') : 'all' };

const print = (event, message) => process.stdout.write(`${JSON.stringify({ event, ...message })}\n`);
const socket = io(url, { transports: ['websocket'], auth: { protocol: 2, ...(token ? { token } : {}) } });
let seq = -1;
let viewId = null;

socket.on('connect', () => {
  socket.emit('view:subscribe', { view }, (ack) => {
    if (!ack.ok) {
      print('error', ack.error);
      process.exit(1);
    }
    viewId = ack.data.viewId;
  });
});
socket.on('connect_error', (err) => print('connect_error', { message: err.message, data: err.data }));
socket.on('hello', (m) => print('hello', m));
socket.on('source:status', (m) => print('source:status', m));
socket.on('view:snapshot', (m) => {
  const body = JSON.parse(inflateRawSync(Buffer.from(m.body)).toString('utf8'));
  seq = body.seq;
  print('view:snapshot', body);
});
socket.on('view:delta', (d) => {
  // Already in the snapshot (a shared snapshot can be followed by deltas it includes).
  if (d.seq <= seq) return;
  if (d.prevSeq !== seq) {
    // A gap: ask for what we missed. Deltas until then are not applied (nor printed).
    socket.emit('view:resync', { viewId: viewId ?? d.viewId, seq }, () => {});
    return;
  }
  seq = d.seq;
  print('view:delta', d);
});
process.on('SIGINT', () => {
  socket.close();
  process.exit(0);
});
