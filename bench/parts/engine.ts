/**
 * 2. Engine throughput: four-step no-op handoffs, started through the engine API and through
 * `initiateHandoff` over HTTP, on the in-memory store, on a Map-backed stub store (the ceiling:
 * persistence calls do nothing but Map gets/sets), and on MongoDB when MONGODB_URL is set.
 */
import { MongoDatabase } from '../../src/store/adapters/mongo.js';
import { NedbDatabase } from '../../src/store/adapters/nedb.js';
import type { Database } from '../../src/store/collection.js';
import { startBenchServer } from '../support/app.js';
import { log, median, QUICK, report, round, RUNS, type Row } from '../support/common.js';
import { BENCH_MAX_CONCURRENT, finalEvents, NOOP_PROCEDURE_ID, openEngine, purgeHandoffs, runEngineBatch, STEPS_PER_HANDOFF } from '../support/engine-harness.js';
import { MapDatabase } from '../support/map-database.js';
import { loadInChild } from '../support/spawn.js';

// About 2.5 s per measured batch: long enough that a brief stall of this VM does not decide a run.
const HANDOFFS = QUICK ? 500 : 5_000;
// Steady state: the JIT needs about one full batch before the figures settle.
const WARMUP = QUICK ? 300 : 2_000;
const HTTP_CONNECTIONS = 32;

interface Store {
  name: string;
  open(): Promise<Database>;
}

const stores: Store[] = [
  { name: 'memory', open: async () => NedbDatabase.inMemory() },
  { name: 'stub (ceiling)', open: async () => new MapDatabase() },
];
if (process.env.MONGODB_URL) {
  stores.push({
    name: 'mongo',
    open: async () => {
      const db = await MongoDatabase.connect(process.env.MONGODB_URL!);
      await purgeHandoffs(db);
      return db;
    },
  });
}

/** Handoffs/s through the engine API: a fresh store per run, a warm-up batch, then the measured batch. */
async function engineApi(store: Store): Promise<number[]> {
  const rates: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const engine = await openEngine(await store.open());
    await runEngineBatch(engine, WARMUP, `warm${run}`);
    const { ms, failed } = await runEngineBatch(engine, HANDOFFS, `run${run}`);
    if (failed) throw new Error(`${failed} handoffs did not complete`);
    rates.push((HANDOFFS / ms) * 1000);
    log(`engine API, ${store.name}, run ${run + 1}: ${round(rates.at(-1)!)} handoffs/s`);
    await engine.stop();
    await engine.db.close();
  }
  return rates;
}

/** Handoffs/s through `initiateHandoff` over HTTP (autocannon in a child process sends them). */
async function overHttp(store: Store): Promise<number[]> {
  const body = JSON.stringify({
    query: `mutation { initiateHandoff(input: { procedureId: "${NOOP_PROCEDURE_ID}" }) { handoff { id status } userErrors { message } } }`,
  });
  const rates: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const server = await startBenchServer({ db: await store.open() });
    const warm = finalEvents(server.app.engine, WARMUP);
    await loadInChild({ url: server.url, body, connections: HTTP_CONNECTIONS, amount: WARMUP });
    await warm.done;
    const finals = finalEvents(server.app.engine, HANDOFFS);
    const started = performance.now();
    const result = await loadInChild({ url: server.url, body, connections: HTTP_CONNECTIONS, amount: HANDOFFS });
    if (result.non2xx || result.errors) throw new Error(`initiateHandoff failed under load: ${result.non2xx} non-2xx, ${result.errors} errors`);
    await finals.done;
    rates.push((HANDOFFS / (performance.now() - started)) * 1000);
    log(`initiateHandoff over HTTP, ${store.name}, run ${run + 1}: ${round(rates.at(-1)!)} handoffs/s`);
    await server.close();
  }
  return rates;
}

const rows: Row[] = [];
const api = new Map<string, number[]>();
for (const store of stores) api.set(store.name, await engineApi(store));
const ceiling = median(api.get('stub (ceiling)')!);
for (const store of stores) {
  const rates = api.get(store.name)!;
  const value = median(rates);
  const isCeiling = store.name.startsWith('stub');
  rows.push({
    section: 'engine',
    name: `engine API, ${store.name}`,
    value: round(value),
    unit: 'handoffs/s',
    runs: rates.map((r) => round(r)),
    ...(isCeiling ? {} : { ratio: round(value / ceiling, 2), reference: 'stub store (ceiling)' }),
    ...(store.name === 'memory' ? { goal: '≥ 2,000 handoffs/s', met: value >= 2_000 } : {}),
    note: `${round(value * STEPS_PER_HANDOFF)} steps/s`,
  });
}
for (const store of stores.filter((s) => !s.name.startsWith('stub'))) {
  const rates = await overHttp(store);
  const value = median(rates);
  rows.push({
    section: 'engine',
    name: `initiateHandoff over HTTP, ${store.name}`,
    value: round(value),
    unit: 'handoffs/s',
    runs: rates.map((r) => round(r)),
    ratio: round(value / median(api.get(store.name)!), 2),
    reference: `engine API, ${store.name}`,
    note: `${round(value * STEPS_PER_HANDOFF)} steps/s; ${HTTP_CONNECTIONS} connections`,
  });
}
report({
  rows,
  details: { handoffsPerRun: HANDOFFS, warmup: WARMUP, maxConcurrentHandoffs: BENCH_MAX_CONCURRENT, stepsPerHandoff: STEPS_PER_HANDOFF, httpConnections: HTTP_CONNECTIONS },
});
