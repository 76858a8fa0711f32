/**
 * 2. Engine throughput: four-step no-op handoffs, started through the engine API and through
 * `initiateHandoff` over HTTP, on the in-memory store, on the embedded file store (SQLite in WAL
 * mode, STORE_SYNC=NORMAL, a fresh file in a temp dir per run), on a Map-backed stub store (the
 * ceiling: persistence calls do nothing but Map gets/sets), and on FerretDB 1.24.2 through the MongoDB adapter
 * (a fresh database per run; fewer handoffs, it is that much slower), labelled FerretDB: it is not MongoDB.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FerretDBServer } from '../../scripts/ferretdb/ferretdb-server.js';
import { MongoDatabase } from '../../src/store/adapters/mongo.js';
import type { Database } from '../../src/store/collection.js';
import { EMBEDDED_FILE } from '../../src/store/open-database.js';
import { SqliteDatabase } from '../../src/store/sqlite/sqlite-database.js';
import { startBenchServer } from '../support/app.js';
import { log, median, QUICK, type Row, RUNS, report, round } from '../support/common.js';
import {
  BENCH_MAX_CONCURRENT,
  closeEngine,
  finalEvents,
  NOOP_PROCEDURE_ID,
  openEngine,
  runEngineBatch,
  STEPS_PER_HANDOFF,
} from '../support/engine-harness.js';
import { benchFerretDBBinary, databaseUrl, FERRETDB_LABEL, startBenchFerretDB } from '../support/ferretdb.js';
import { MapDatabase } from '../support/map-database.js';
import { loadInChild } from '../support/spawn.js';

// About 2.5 s per measured batch: long enough that a brief stall of this VM does not decide a run.
const HANDOFFS = QUICK ? 500 : 5_000;
// Steady state: the JIT needs about one full batch before the figures settle.
const WARMUP = QUICK ? 300 : 2_000;
const HTTP_CONNECTIONS = 32;

const MEMORY = 'memory';
const FILE_STORE = 'file store (SQLite)';
const CEILING = 'stub (ceiling)';

interface Store {
  name: string;
  /** Handoffs measured per run and before it (default HANDOFFS and WARMUP). */
  handoffs?: number;
  warmup?: number;
  /** The store the engine API runs on; `dir` is this run's scratch directory (removed after it). */
  open(dir: string): Promise<Database>;
  /** How the server gets the same store: env for its own config, or a database handed in. Absent: no HTTP figure. */
  server?(dir: string): Promise<{ env?: Record<string, string>; db?: Database }>;
}

const stores: Store[] = [
  { name: MEMORY, open: async () => SqliteDatabase.inMemory(), server: async () => ({ env: { STORE: 'memory' } }) },
  {
    name: FILE_STORE,
    open: async (dir) => SqliteDatabase.open(path.join(dir, EMBEDDED_FILE), { sync: 'NORMAL' }),
    server: async (dir) => ({ env: { STORE: 'embedded', DATA_DIR: dir, STORE_SYNC: 'NORMAL' } }),
  },
  { name: CEILING, open: async () => new MapDatabase() },
];
const ferretdb = benchFerretDBBinary();
let ferret: FerretDBServer | null = null;
if (ferretdb.binary) {
  ferret = await startBenchFerretDB(ferretdb.binary);
  let run = 0;
  stores.push({
    name: FERRETDB_LABEL,
    handoffs: QUICK ? 100 : 500,
    warmup: QUICK ? 50 : 100,
    // A fresh database per run: the locks, mirrors and change log start empty, as on a new deployment.
    open: async () => MongoDatabase.connect(databaseUrl(ferret!, `bench_engine_${run++}`)),
  });
} else log(`engine: no FerretDB column (${ferretdb.why})`);

/** Runs `body` with a fresh scratch directory, removed afterwards (with the SQLite file in it). */
async function inScratchDir<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-bench-engine-'));
  try {
    return await body(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Handoffs/s through the engine API: a fresh store per run, a warm-up batch, then the measured batch. */
async function engineApi(store: Store): Promise<number[]> {
  const rates: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    await inScratchDir(async (dir) => {
      const db = await store.open(dir);
      const engine = await openEngine(db);
      const handoffs = store.handoffs ?? HANDOFFS;
      await runEngineBatch(engine, store.warmup ?? WARMUP, `warm${run}`);
      const { ms, failed } = await runEngineBatch(engine, handoffs, `run${run}`);
      if (failed) throw new Error(`${failed} handoffs did not complete`);
      rates.push((handoffs / ms) * 1000);
      log(`engine API, ${store.name}, run ${run + 1}: ${round(rates.at(-1)!)} handoffs/s`);
      if (db instanceof MongoDatabase) await db.dropDatabase();
      await closeEngine(engine, db);
    });
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
    await inScratchDir(async (dir) => {
      const server = await startBenchServer(await store.server!(dir));
      const warm = finalEvents(server.app.engine, WARMUP);
      await loadInChild({ url: server.url, body, connections: HTTP_CONNECTIONS, amount: WARMUP });
      await warm.done;
      const finals = finalEvents(server.app.engine, HANDOFFS);
      // Taken as it happens: the load generator's process exits up to a second after its last response (autocannon
      // ends on its one-second tick), which timing after it would add to every run.
      const lastFinalAt = finals.done.then(() => Date.now());
      const result = await loadInChild({ url: server.url, body, connections: HTTP_CONNECTIONS, amount: HANDOFFS });
      if (result.non2xx || result.errors)
        throw new Error(`initiateHandoff failed under load: ${result.non2xx} non-2xx, ${result.errors} errors`);
      // From the first request (not from spawning the load generator) to the last final event.
      rates.push((HANDOFFS / ((await lastFinalAt) - result.startedAt)) * 1000);
      log(`initiateHandoff over HTTP, ${store.name}, run ${run + 1}: ${round(rates.at(-1)!)} handoffs/s`);
      await server.close();
    });
  }
  return rates;
}

/** What a store's figure is set against: the file store against memory (its cost of durability), the rest against the ceiling. */
function apiRow(store: Store, rates: number[], api: Map<string, number[]>): Row {
  const value = median(rates);
  const ceiling = median(api.get(CEILING)!);
  const row: Row = {
    section: 'engine',
    name: `engine API, ${store.name}`,
    value: round(value),
    unit: 'handoffs/s',
    runs: rates.map((r) => round(r)),
  };
  const steps = `${round(value * STEPS_PER_HANDOFF)} steps/s`;
  if (store.name === CEILING) return { ...row, note: steps };
  if (store.name === FERRETDB_LABEL) {
    return {
      ...row,
      ratio: round(value / median(api.get(FILE_STORE)!), 3),
      reference: `engine API, ${FILE_STORE}`,
      note: `${steps}; ${store.handoffs} handoffs a run; FerretDB on SQLite with the adapter's write locks and change log, not MongoDB`,
    };
  }
  if (store.name === FILE_STORE) {
    return {
      ...row,
      ratio: round(value / median(api.get(MEMORY)!), 2),
      reference: `engine API, ${MEMORY}`,
      goal: '≥ 2× nedb file store (590–1,000/s): ≥ 2,000/s',
      met: value >= 2_000,
      note: `${steps}; ${round(value / ceiling, 2)} × stub store (ceiling)`,
    };
  }
  return {
    ...row,
    ratio: round(value / ceiling, 2),
    reference: 'stub store (ceiling)',
    ...(store.name === MEMORY ? { goal: '≥ 2,000 handoffs/s', met: value >= 2_000 } : {}),
    note: steps,
  };
}

/** Over HTTP against the engine API on the same store; the file store's note also sets it against memory over HTTP. */
function httpRow(store: Store, rates: number[], api: Map<string, number[]>, http: Map<string, number[]>): Row {
  const value = median(rates);
  const versusMemory =
    store.name === FILE_STORE && http.has(MEMORY)
      ? `; ${round(value / median(http.get(MEMORY)!), 2)} × over HTTP, ${MEMORY}`
      : '';
  return {
    section: 'engine',
    name: `initiateHandoff over HTTP, ${store.name}`,
    value: round(value),
    unit: 'handoffs/s',
    runs: rates.map((r) => round(r)),
    ratio: round(value / median(api.get(store.name)!), 2),
    reference: `engine API, ${store.name}`,
    note: `${round(value * STEPS_PER_HANDOFF)} steps/s; ${HTTP_CONNECTIONS} connections${versusMemory}`,
  };
}

const api = new Map<string, number[]>();
for (const store of stores) api.set(store.name, await engineApi(store));
// Stopped before the HTTP runs, which do not use it: nothing but what is measured runs beside a measurement.
await ferret?.dispose();
const http = new Map<string, number[]>();
for (const store of stores.filter((s) => s.server)) http.set(store.name, await overHttp(store));

const rows: Row[] = [
  ...stores.map((store) => apiRow(store, api.get(store.name)!, api)),
  ...stores.filter((s) => s.server).map((store) => httpRow(store, http.get(store.name)!, api, http)),
];
report({
  rows,
  details: {
    handoffsPerRun: HANDOFFS,
    warmup: WARMUP,
    maxConcurrentHandoffs: BENCH_MAX_CONCURRENT,
    stepsPerHandoff: STEPS_PER_HANDOFF,
    httpConnections: HTTP_CONNECTIONS,
    fileStoreSync: 'NORMAL',
    ferretdb: ferretdb.binary ? { handoffsPerRun: QUICK ? 100 : 500 } : ferretdb.why,
  },
});
