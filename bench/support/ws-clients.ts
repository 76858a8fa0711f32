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
/** `${handoffId}#${seq}` → receive times, one per subscriber that got it. */
const received = new Map<string, number[]>();
let errors = 0;

const now = () => performance.timeOrigin + performance.now();

function send(message: unknown): void {
  process.send!(message);
}

process.on('message', async (command: Command) => {
  if (command.type === 'connect') {
    for (let i = 0; i < command.count; i++) {
      const socket = new WebSocket(command.url, 'graphql-transport-ws');
      sockets.push(socket);
      socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: {} })));
      socket.on('error', () => void errors++);
      socket.on('message', (data) => {
        const t = now();
        const message = JSON.parse(String(data)) as { type: string; payload?: { data?: { handoffEvents?: { handoffId: string; seq: number } } } };
        if (message.type === 'connection_ack') {
          socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: command.query } }));
          return;
        }
        if (message.type !== 'next') {
          if (message.type === 'error') errors++;
          return;
        }
        const event = message.payload?.data?.handoffEvents;
        if (!event) return void errors++;
        const key = `${event.handoffId}#${event.seq}`;
        let times = received.get(key);
        if (!times) received.set(key, (times = []));
        times.push(t);
      });
    }
    send({ type: 'connecting' });
  } else if (command.type === 'published') {
    const histogram = latencyHistogram();
    let delivered = 0;
    let unmatched = 0;
    const published = new Map(command.times);
    for (const [key, times] of received) {
      const at = published.get(key);
      if (at === undefined) {
        unmatched += times.length;
        continue;
      }
      for (const t of times) histogram.recordValue(Math.max(1, Math.round((t - at) * 1000)));
      delivered += times.length;
    }
    send({
      type: 'latency',
      delivered,
      unmatched,
      errors,
      p50Ms: histogram.getValueAtPercentile(50) / 1000,
      p99Ms: histogram.getValueAtPercentile(99) / 1000,
      maxMs: histogram.maxValue / 1000,
    });
    received.clear();
  } else if (command.type === 'close') {
    for (const socket of sockets) socket.close(1000);
    process.exit(0);
  }
});
send({ type: 'ready' });
