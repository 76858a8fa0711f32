/**
 * The thinnest WebSocket client the fan-out benchmark can use as its instrument: an HTTP upgrade,
 * then frames read straight off the TCP socket. Per chunk read it takes one clock reading and
 * walks the frame headers; text frames are kept as byte slices (no UTF-8 decoding, no stream
 * machinery, no event per message), so a thousand subscribers on one core cost little more than
 * the reads themselves. Answers pings (graphql-ws closes sockets that stop ponging).
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { Socket } from 'node:net';

const TEXT = 0x1;
const CLOSE = 0x8;
const PING = 0x9;
const PONG = 0xa;
const EMPTY = Buffer.alloc(0);

export interface RawWebSocket {
  /** Sends one text message (masked, as a client must). */
  sendText(text: string): void;
  close(): void;
}

export interface RawWebSocketHandlers {
  /** A text message: its bytes and when the chunk that completed it was read. */
  onText(payload: Buffer, receivedAt: number): void;
  onError(error: Error): void;
}

function frame(opcode: number, payload: Buffer): Buffer {
  const mask = randomBytes(4);
  const length = payload.length;
  const header =
    length < 126
      ? Buffer.from([0x80 | opcode, 0x80 | length])
      : Buffer.from([0x80 | opcode, 0x80 | 126, length >> 8, length & 0xff]);
  if (length > 0xffff) throw new Error('frame too large for this client');
  const masked = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) masked[i] = payload[i] ^ mask[i & 3];
  return Buffer.concat([header, mask, masked]);
}

export function connectRaw(
  url: string,
  protocol: string,
  now: () => number,
  handlers: RawWebSocketHandlers,
): Promise<RawWebSocket> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const request = http.request({
      host: target.hostname,
      port: target.port,
      path: target.pathname,
      agent: false,
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-key': randomBytes(16).toString('base64'),
        'sec-websocket-version': '13',
        'sec-websocket-protocol': protocol,
      },
    });
    request.on('error', reject);
    request.on('response', (response) => reject(new Error(`upgrade refused: HTTP ${response.statusCode}`)));
    request.on('upgrade', (_response, socket: Socket, head: Buffer) => {
      socket.setNoDelay(true);
      let pending: Buffer = head;
      const read = (chunk: Buffer): void => {
        const at = now();
        pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
        let offset = 0;
        for (;;) {
          if (pending.length - offset < 2) break;
          const opcode = pending[offset] & 0x0f;
          let length = pending[offset + 1] & 0x7f;
          let start = offset + 2;
          if (length === 126) {
            if (pending.length - offset < 4) break;
            length = pending.readUInt16BE(offset + 2);
            start = offset + 4;
          } else if (length === 127) {
            if (pending.length - offset < 10) break;
            length = Number(pending.readBigUInt64BE(offset + 2));
            start = offset + 10;
          }
          if (pending.length < start + length) break;
          const payload = pending.subarray(start, start + length);
          offset = start + length;
          if (opcode === TEXT) handlers.onText(payload, at);
          else if (opcode === PING) socket.write(frame(PONG, payload));
          else if (opcode === CLOSE) socket.end();
        }
        pending = offset === pending.length ? EMPTY : pending.subarray(offset);
      };
      socket.on('data', read);
      socket.on('error', (error) => handlers.onError(error));
      if (head.length > 0) read(EMPTY);
      resolve({
        sendText: (text) => void socket.write(frame(TEXT, Buffer.from(text))),
        close: () => {
          socket.write(frame(CLOSE, Buffer.from([0x03, 0xe8])));
          socket.end();
        },
      });
    });
    request.end();
  });
}
