/**
 * The subscribers of the fan-out benchmark, in their own process (the second core), so the
 * server's event loop does only server work. Driven over IPC by bench/parts/fanout.ts.
 * Each subscriber is a minimal WebSocket (raw-websocket.ts) speaking graphql-transport-ws by hand
 * (init, ack, subscribe, next): the receive time is taken when the bytes are read, before any
 * parsing, so the figure is the server's delivery, not the cost of a client library on one core.
 * Receive times are `performance.timeOrigin + performance.now()`: a wall-clock-based high
 * resolution time comparable across processes of one machine.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { latencyHistogram } from './histogram.js';
import { connectRaw, type RawWebSocket } from './raw-websocket.js';
import { ReceiveLog } from './receive-log.js';

type Command =
  | { type: 'connect'; url: string; count: number; query: string }
  | { type: 'start' }
  | { type: 'count' }
  | { type: 'published'; times: [string, number][] }
  | { type: 'close' };

const sockets: RawWebSocket[] = [];
/** Messages received after subscribing, with their receive times; parsed only when latency is asked for. */
const received = new ReceiveLog();
let errors = 0;

const now = () => performance.timeOrigin + performance.now();

function send(message: unknown): void {
  process.send!(message);
}

/** This process's CPU time and event-loop use since the run started: is the instrument keeping up? */
let runStart = { cpu: process.cpuUsage(), loop: performance.eventLoopUtilization(), at: performance.now() };

async function subscribe(url: string, query: string, source: number): Promise<void> {
  let subscribed = false;
  const socket = await connectRaw(url, 'graphql-transport-ws', now, {
    onText(payload, receivedAt) {
      if (subscribed) {
        // Keep the receive time and the bytes; parse later, so a busy subscriber does not delay the next one.
        received.add(payload, receivedAt, source);
        return;
      }
      const message = JSON.parse(String(payload)) as { type: string };
      if (message.type !== 'connection_ack') return void errors++;
      subscribed = true;
      // A fresh id per subscriber, as graphql-ws clients use (UUIDs): no two subscribers get the same frame.
      socket.sendText(JSON.stringify({ id: randomUUID(), type: 'subscribe', payload: { query } }));
    },
    onError: () => void errors++,
  });
  sockets.push(socket);
  socket.sendText(JSON.stringify({ type: 'connection_init', payload: {} }));
}

process.on('message', async (command: Command) => {
  if (command.type === 'connect') {
    send({ type: 'connecting' });
    for (let i = 0; i < command.count; i++) await subscribe(command.url, command.query, i).catch(() => void errors++);
  } else if (command.type === 'count') {
    send({ type: 'count', count: received.size });
  } else if (command.type === 'start') {
    runStart = { cpu: process.cpuUsage(), loop: performance.eventLoopUtilization(), at: performance.now() };
  } else if (command.type === 'published') {
    const cpu = process.cpuUsage(runStart.cpu);
    const loop = performance.eventLoopUtilization(runStart.loop);
    const runMs = performance.now() - runStart.at;
    const histogram = latencyHistogram();
    let delivered = 0;
    let unmatched = 0;
    let outOfOrder = 0;
    const published = new Map(command.times);
    /** Each subscriber's last seq of each handoff: every handoff's events must come 1, 2, 3… with no gap or repeat. */
    const lastSeq = new Map<string, number>();
    for (let index = 0; index < received.size; index++) {
      const { text, receivedAt, source } = received.at(index);
      const message = JSON.parse(text) as {
        type: string;
        payload?: { data?: { handoffEvents?: { handoffId: string; seq: number } } };
      };
      const event = message.type === 'next' ? message.payload?.data?.handoffEvents : undefined;
      if (!event) {
        errors++;
        continue;
      }
      const at = published.get(`${event.handoffId}#${event.seq}`);
      if (at === undefined) {
        unmatched++;
        continue;
      }
      histogram.recordValue(Math.max(1, Math.round((receivedAt - at) * 1000)));
      delivered++;
      const key = `${source}#${event.handoffId}`;
      if (event.seq !== (lastSeq.get(key) ?? 0) + 1) outOfOrder++;
      lastSeq.set(key, event.seq);
    }
    send({
      type: 'latency',
      delivered,
      unmatched,
      outOfOrder,
      errors,
      clientCpuShare: (cpu.user + cpu.system) / 1000 / runMs,
      clientLoopUtilization: loop.utilization,
      p50Ms: histogram.getValueAtPercentile(50) / 1000,
      p99Ms: histogram.getValueAtPercentile(99) / 1000,
      maxMs: histogram.maxValue / 1000,
    });
    received.clear();
  } else if (command.type === 'close') {
    for (const socket of sockets) socket.close();
    process.exit(0);
  }
});
send({ type: 'ready' });
