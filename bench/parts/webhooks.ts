/**
 * Webhooks: what an active subscription costs the handoff hot path, and how fast deliveries drain.
 * Four-step no-op handoffs through the engine API on the embedded file store (SQLite, NORMAL),
 * without any subscription and with one subscription to every event type; the receiver is a local
 * HTTP server in this process (it shares the CPU with the engine, so the figure is pessimistic).
 */
import fs from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createEngine, type Engine } from '../../src/engine/engine.js';
import { openStores } from '../../src/store/open-stores.js';
import { SqliteDatabase } from '../../src/store/sqlite/sqlite-database.js';
import { log, median, QUICK, type Row, RUNS, report, round } from '../support/common.js';
import { BENCH_MAX_CONCURRENT, closeEngine, ensureNoopProcedure, runEngineBatch } from '../support/engine-harness.js';

const HANDOFFS = QUICK ? 300 : 3_000;
const WARMUP = QUICK ? 200 : 1_500;

/** A receiver answering 204 to every POST, counting them. */
async function startReceiver(): Promise<{ url: string; count: () => number; close: () => Promise<void> }> {
  let received = 0;
  const server = createServer((req, res) => {
    req.resume().on('end', () => {
      received++;
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    count: () => received,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function engineOn(db: SqliteDatabase): Promise<Engine> {
  const stores = await openStores(db, { writer: 'bench' });
  const engine = await createEngine({
    stores,
    settings: {
      agentHeartbeatWindowMs: 30_000,
      maxConcurrentHandoffs: BENCH_MAX_CONCURRENT,
      webhookAllowList: ['127.0.0.1'],
      outboundAllowPrivate: ['127.0.0.1'],
      webhookPollMs: 50,
    },
  });
  await engine.start();
  await ensureNoopProcedure(engine);
  return engine;
}

async function waitUntil(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 5));
}

/** One run: handoffs/s, and (with a subscription) events delivered/s from the batch's start to the last delivery. */
async function run(
  subscribed: boolean,
  index: number,
): Promise<{ handoffsPerSecond: number; deliveriesPerSecond?: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-bench-webhooks-'));
  const receiver = await startReceiver();
  const db = SqliteDatabase.open(path.join(dir, 'handoff.sqlite'), { sync: 'NORMAL' });
  try {
    const engine = await engineOn(db);
    if (subscribed) {
      const registered = await engine.webhooks.register({ url: receiver.url });
      if (!registered.ok) throw new Error(JSON.stringify(registered.errors));
    }
    const eventsBefore = async () => Number(db.connection.prepare('SELECT count(*) FROM handoff_events').pluck().get());
    await runEngineBatch(engine, WARMUP, `warm${index}`);
    const startEvents = await eventsBefore();
    // The warm-up's deliveries drain first: the measured batch starts with nothing queued.
    if (subscribed) await waitUntil(() => receiver.count() >= startEvents);
    const started = performance.now();
    const { ms, failed } = await runEngineBatch(engine, HANDOFFS, `run${index}`);
    if (failed) throw new Error(`${failed} handoffs did not complete`);
    const handoffsPerSecond = (HANDOFFS / ms) * 1000;
    let deliveriesPerSecond: number | undefined;
    if (subscribed) {
      const total = await eventsBefore();
      await waitUntil(() => receiver.count() >= total);
      deliveriesPerSecond = ((total - startEvents) / (performance.now() - started)) * 1000;
    }
    log(
      `${subscribed ? 'one subscription' : 'no subscription'}, run ${index + 1}: ${round(handoffsPerSecond)} handoffs/s${deliveriesPerSecond ? `, ${round(deliveriesPerSecond)} deliveries/s` : ''}`,
    );
    await closeEngine(engine, db);
    return { handoffsPerSecond, deliveriesPerSecond };
  } finally {
    await receiver.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const plain: number[] = [];
const subscribed: number[] = [];
const drained: number[] = [];
// Alternating, so a slow moment of this shared machine does not land on one side only.
for (let index = 0; index < RUNS; index++) {
  plain.push((await run(false, index)).handoffsPerSecond);
  const withHook = await run(true, index);
  subscribed.push(withHook.handoffsPerSecond);
  drained.push(withHook.deliveriesPerSecond!);
}

const rows: Row[] = [
  {
    section: 'webhooks',
    name: 'engine API, file store, no subscription',
    value: round(median(plain)),
    unit: 'handoffs/s',
    runs: plain.map((r) => round(r)),
  },
  {
    section: 'webhooks',
    name: 'engine API, file store, one subscription (all events)',
    value: round(median(subscribed)),
    unit: 'handoffs/s',
    runs: subscribed.map((r) => round(r)),
    ratio: round(median(subscribed) / median(plain), 2),
    reference: 'no subscription',
    note: 'deliveries run alongside; receiver in the same process',
  },
  {
    section: 'webhooks',
    name: 'webhook deliveries drained',
    value: round(median(drained)),
    unit: 'deliveries/s',
    runs: drained.map((r) => round(r)),
    note: 'from the batch start to the last POST answered; signed, one POST per event, in order per handoff',
  },
];
report({ rows, details: { handoffs: HANDOFFS, warmup: WARMUP, pollMs: 50 } });
