/**
 * A WebSocket server written by hand, for what a well-behaved server library will not do: write
 * frames in the same TCP write as the 101 response, or go silent mid-handshake. Server frames
 * are unmasked text frames (RFC 6455 §5.2); client frames are not read.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { TestContext } from 'node:test';

const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** An unmasked server text frame. */
export function textFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const length = payload.length;
  const header =
    length < 126
      ? Buffer.from([0x81, length])
      : length < 65536
        ? Buffer.from([0x81, 126, length >> 8, length & 0xff])
        : Buffer.concat([Buffer.from([0x81, 127]), (() => { const b = Buffer.alloc(8); b.writeBigUInt64BE(BigInt(length)); return b; })()]);
  return Buffer.concat([header, payload]);
}

/** The texts of the masked client frames in `chunk` (RFC 6455 §5.3; whole frames only). */
export function unmask(chunk: Buffer): string[] {
  const texts: string[] = [];
  for (let at = 0; at + 2 <= chunk.length; ) {
    let length = (chunk[at + 1] ?? 0) & 0x7f;
    let offset = at + 2;
    if (length === 126) {
      length = chunk.readUInt16BE(at + 2);
      offset = at + 4;
    } else if (length === 127) {
      length = Number(chunk.readBigUInt64BE(at + 2));
      offset = at + 10;
    }
    const mask = chunk.subarray(offset, offset + 4);
    const payload = chunk.subarray(offset + 4, offset + 4 + length);
    texts.push(Buffer.from(payload.map((byte, i) => byte ^ (mask[i % 4] ?? 0))).toString());
    at = offset + 4 + length;
  }
  return texts;
}

/** The 101 response accepting `req`, choosing `protocol` (which the client must have offered). */
export function upgradeResponse(req: IncomingMessage, protocol: string): string {
  const accept = createHash('sha1').update(`${req.headers['sec-websocket-key']}${WEBSOCKET_GUID}`).digest('base64');
  return `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\nSec-WebSocket-Protocol: ${protocol}\r\n\r\n`;
}

export interface RawServer {
  /** `http://127.0.0.1:<port>/graphql` (the transport derives the ws URL). */
  url: string;
  /** Upgrade requests seen. */
  upgrades: number;
  /** Sockets still open. */
  readonly open: Set<Socket>;
}

/** An HTTP server on 127.0.0.1:0 whose upgrades `onUpgrade` answers by hand; closed after the test. */
export async function rawServer(t: TestContext, onUpgrade: (req: IncomingMessage, socket: Socket) => void): Promise<RawServer> {
  const server = createServer((_req, res) => res.writeHead(404).end());
  const state: RawServer = { url: '', upgrades: 0, open: new Set() };
  server.on('upgrade', (req: IncomingMessage, socket: Socket) => {
    state.upgrades++;
    state.open.add(socket);
    socket.on('close', () => state.open.delete(socket));
    socket.on('error', () => {});
    onUpgrade(req, socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  state.url = `http://127.0.0.1:${address.port}/graphql`;
  t.after(async () => {
    for (const socket of state.open) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return state;
}

/** Answers the upgrade and `frames` in one TCP write, as a server that corks its socket does. */
export function acceptWith(req: IncomingMessage, socket: Socket, protocol: string, frames: string[]): void {
  socket.cork();
  socket.write(Buffer.concat([Buffer.from(upgradeResponse(req, protocol)), ...frames.map(textFrame)]));
  socket.uncork();
}
