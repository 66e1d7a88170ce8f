/**
 * Child process of the robustness tests: starts the simulator, opens a raw socket with valid
 * query-string auth, sends the frames given as a JSON array, and exits 0 with "PROBE_SURVIVED" on
 * stderr if the process is still alive 2 s later. A crash exits non-zero on its own.
 */
import WebSocket from 'ws';
import { API_KEY, startSimulator } from './simulator.mjs';

const frames = JSON.parse(process.argv[2]);
const server = await startSimulator();
const header = Buffer.from(JSON.stringify({ host: server.host, 'x-api-key': API_KEY })).toString('base64');
const socket = new WebSocket(`${server.realtimeUrl}?header=${encodeURIComponent(header)}&payload=e30=`, ['graphql-ws']);
socket.on('error', () => {});
socket.on('open', () => {
  for (const frame of frames) socket.send(frame);
});
setTimeout(async () => {
  process.stderr.write('PROBE_SURVIVED\n');
  socket.terminate();
  await server.stop();
  process.exit(0);
}, 2000).unref();
setInterval(() => {}, 1000);
