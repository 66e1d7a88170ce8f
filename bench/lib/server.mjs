/**
 * The blast server: a minimal AppSync real-time endpoint that does nothing but the protocol, so
 * that whatever CPU the client spends is the client's. It runs in its own process (started by
 * run.mjs with an IPC channel) and is told what to do before each client run:
 *
 * - mode `blast`: once a connection has `subs` live subscriptions, send `frames` `data` frames
 *   round-robin over them, as fast as the socket takes them, then stop. The frames are encoded
 *   once, up front, as WebSocket frames (ws's own `Sender.frame`) into one batch of >= 64 frames
 *   (~64 KB), and the batch is written straight to the TCP socket, honouring backpressure
 *   (`write()` returning false → wait for `drain`). That keeps the server far faster than any
 *   client, so every client reads full socket buffers: the CPU a client spends per frame then
 *   depends on the client alone, not on how the server happens to pace it.
 * - mode `once`: answer every `start` with `start_ack` and one `data` frame (latency and memory).
 *
 * It answers `connection_init` with `connection_ack`, `start` with `start_ack`, `stop` with
 * `complete`. Auth (query string, subprotocol or headers) is accepted unchecked. Listens on
 * 127.0.0.1 only.
 */
import { createServer } from 'node:http';
import { Sender, WebSocketServer } from 'ws';
import { dataFrame } from './payload.mjs';

const ACK = JSON.stringify({ type: 'connection_ack', payload: { connectionTimeoutMs: 300000 } });

let config = { mode: 'once', subs: 1, frames: 0 };
const stats = { connections: 0, starts: 0, sent: 0 };

const http = createServer((req, res) => {
  res.writeHead(404).end();
});
const wss = new WebSocketServer({
  server: http,
  perMessageDeflate: false,
  handleProtocols: (protocols) => (protocols.has('graphql-ws') ? 'graphql-ws' : false),
});

wss.on('connection', (ws) => {
  stats.connections++;
  const ids = [];
  let blasting = false;
  ws.on('message', (raw) => {
    const message = JSON.parse(raw.toString());
    switch (message.type) {
      case 'connection_init':
        ws.send(ACK);
        return;
      case 'start': {
        stats.starts++;
        ws.send(`{"type":"start_ack","id":${JSON.stringify(message.id)}}`);
        if (config.mode === 'once') {
          ws.send(dataFrame(message.id));
          return;
        }
        ids.push(message.id);
        if (!blasting && ids.length >= config.subs) {
          blasting = true;
          blast(ws, ids, config.frames);
        }
        return;
      }
      case 'stop':
        ws.send(`{"type":"complete","id":${JSON.stringify(message.id)}}`);
        return;
      default:
        return;
    }
  });
  ws.on('error', () => {});
});

function blast(ws, ids, total) {
  const perBatch = Math.max(64, ids.length);
  const parts = [];
  for (let i = 0; i < perBatch; i++) {
    const data = Buffer.from(dataFrame(ids[i % ids.length]));
    parts.push(...Sender.frame(data, { fin: true, opcode: 1, mask: false, readOnly: false, rsv1: false }));
  }
  const batch = Buffer.concat(parts);
  const socket = ws._socket;
  let sent = 0;
  const pump = () => {
    while (sent < total && ws.readyState === 1) {
      sent += perBatch;
      stats.sent += perBatch;
      if (!socket.write(batch)) {
        socket.once('drain', pump);
        return;
      }
    }
  };
  pump();
}

process.on('message', (message) => {
  if (message.type === 'config') {
    config = { ...config, ...message.config };
    process.send({ type: 'configured' });
  } else if (message.type === 'stats') {
    process.send({ type: 'stats', stats: { ...stats, open: wss.clients.size } });
  } else if (message.type === 'exit') {
    for (const client of wss.clients) client.terminate();
    http.close(() => process.exit(0));
  }
});
process.on('disconnect', () => process.exit(0));

http.listen(0, '127.0.0.1', () => {
  process.send({ type: 'listening', port: http.address().port });
});
