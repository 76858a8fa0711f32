/**
 * The subscribers of the fan-out benchmark, in their own process (the second core), so the
 * server's event loop does only server work. Driven over IPC by bench/parts/fanout.ts.
 * Each subscriber is a bare WebSocket speaking graphql-transport-ws by hand (init, ack,
 * subscribe, next): the receive time is taken before any parsing, so the figure is the
 * server's delivery, not the cost of a full client library on one shared core.
 * Receive times are `performance.timeOrigin + performance.now()`: a wall-clock-based high
 * resolution time comparable across processes of one machine.
 */
import WebSocket from 'ws';
import { latencyHistogram } from './histogram.js';

type Command =
  | { type: 'connect'; url: string; count: number; query: string }
  | { type: 'published'; times: [string, number][] }
  | { type: 'close' };

const sockets: WebSocket[] = [];
/** Frames received after subscribing, with their receive times; parsed only when latency is asked for. */
let frames: Buffer[] = [];
let times: number[] = [];
let errors = 0;

const now = () => performance.timeOrigin + performance.now();

function send(message: unknown): void {
  process.send!(message);
}

process.on('message', async (command: Command) => {
  if (command.type === 'connect') {
    for (let i = 0; i < command.count; i++) {
      // No UTF-8 validation of incoming frames: the subscriber should cost as little as possible.
      const socket = new WebSocket(command.url, 'graphql-transport-ws', { skipUTF8Validation: true });
      sockets.push(socket);
      let subscribed = false;
      socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: {} })));
      socket.on('error', () => void errors++);
      socket.on('message', (data: Buffer) => {
        if (subscribed) {
          // Keep the receive time and the bytes; parse later, so a busy subscriber does not delay the next one.
          times.push(now());
          frames.push(data);
          return;
        }
        const message = JSON.parse(String(data)) as { type: string };
        if (message.type === 'connection_ack') {
          subscribed = true;
          socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: command.query } }));
        } else errors++;
      });
    }
    send({ type: 'connecting' });
  } else if (command.type === 'published') {
    const histogram = latencyHistogram();
    let delivered = 0;
    let unmatched = 0;
    const published = new Map(command.times);
    frames.forEach((frame, index) => {
      const message = JSON.parse(String(frame)) as { type: string; payload?: { data?: { handoffEvents?: { handoffId: string; seq: number } } } };
      const event = message.type === 'next' ? message.payload?.data?.handoffEvents : undefined;
      if (!event) return void errors++;
      const at = published.get(`${event.handoffId}#${event.seq}`);
      if (at === undefined) return void unmatched++;
      histogram.recordValue(Math.max(1, Math.round((times[index] - at) * 1000)));
      delivered++;
    });
    send({
      type: 'latency',
      delivered,
      unmatched,
      errors,
      p50Ms: histogram.getValueAtPercentile(50) / 1000,
      p99Ms: histogram.getValueAtPercentile(99) / 1000,
      maxMs: histogram.maxValue / 1000,
    });
    frames = [];
    times = [];
  } else if (command.type === 'close') {
    for (const socket of sockets) socket.close(1000);
    process.exit(0);
  }
});
send({ type: 'ready' });
