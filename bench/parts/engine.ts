/**
 * 2. Engine throughput: four-step no-op handoffs, started through the engine API and through
 * `initiateHandoff` over HTTP, on the in-memory store, on the embedded file store (SQLite in WAL
 * mode, STORE_SYNC=NORMAL, a fresh file in a temp dir per run), on a Map-backed stub store (the
 * ceiling: persistence calls do nothing but Map gets/sets), and on FerretDB 1.24.2 through the MongoDB adapter
 * (a fresh database per run; fewer handoffs, it is that much slower), labelled FerretDB: it is not MongoDB.
 */
import type { FerretDBServer } from '../../scripts/ferretdb/ferretdb-server.js';
import { MongoDatabase } from '../../src/store/adapters/mongo.js';
import { SqliteDatabase } from '../../src/store/sqlite/sqlite-database.js';
import { log, median, QUICK, type Row, RUNS, report, round } from '../support/common.js';
import { BENCH_MAX_CONCURRENT, STEPS_PER_HANDOFF } from '../support/engine-harness.js';
import {
  type BenchStore,
  engineApiRun,
  FILE_STORE as FILE,
  HANDOFFS,
  HTTP_CONNECTIONS,
  overHttpRun,
  WARMUP,
} from '../support/engine-runs.js';
import { benchFerretDBBinary, databaseUrl, FERRETDB_LABEL, startBenchFerretDB } from '../support/ferretdb.js';
import { MapDatabase } from '../support/map-database.js';

const MEMORY = 'memory';
const FILE_STORE = FILE.name;
const CEILING = 'stub (ceiling)';

const stores: BenchStore[] = [
  { name: MEMORY, open: async () => SqliteDatabase.inMemory(), server: async () => ({ env: { STORE: 'memory' } }) },
  FILE,
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

/** Handoffs/s through the engine API: a fresh store per run, a warm-up batch, then the measured batch. */
async function engineApi(store: BenchStore): Promise<number[]> {
  const rates: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    rates.push(await engineApiRun(store, run));
    log(`engine API, ${store.name}, run ${run + 1}: ${round(rates.at(-1)!)} handoffs/s`);
  }
  return rates;
}

/** Handoffs/s through `initiateHandoff` over HTTP (autocannon in a child process sends them), a fresh server per run. */
async function overHttp(store: BenchStore): Promise<number[]> {
  const rates: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    rates.push(await overHttpRun(store));
    log(`initiateHandoff over HTTP, ${store.name}, run ${run + 1}: ${round(rates.at(-1)!)} handoffs/s`);
  }
  return rates;
}

/** What a store's figure is set against: the file store against memory (its cost of durability), the rest against the ceiling. */
function apiRow(store: BenchStore, rates: number[], api: Map<string, number[]>): Row {
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
function httpRow(store: BenchStore, rates: number[], api: Map<string, number[]>, http: Map<string, number[]>): Row {
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
