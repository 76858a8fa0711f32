/**
 * One measured run of the engine benchmark's four-no-op handoffs, through the engine API or through
 * `initiateHandoff` over HTTP, each on a fresh store in a scratch directory: what the engine part repeats
 * per store, and what the peer part alternates with BullMQ round by round.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MongoDatabase } from '../../src/store/adapters/mongo.js';
import type { Database } from '../../src/store/collection.js';
import { EMBEDDED_FILE } from '../../src/store/open-database.js';
import { SqliteDatabase } from '../../src/store/sqlite/sqlite-database.js';
import { startBenchServer } from './app.js';
import { QUICK } from './common.js';
import { closeEngine, finalEvents, NOOP_PROCEDURE_ID, openEngine, runEngineBatch } from './engine-harness.js';
import { loadInChild } from './spawn.js';

// About 2.5 s per measured batch: long enough that a brief stall of this VM does not decide a run.
export const HANDOFFS = QUICK ? 500 : 5_000;
// Steady state: the JIT needs about one full batch before the figures settle.
export const WARMUP = QUICK ? 300 : 2_000;
export const HTTP_CONNECTIONS = 32;

export interface BenchStore {
  name: string;
  /** Handoffs measured per run and before it (default HANDOFFS and WARMUP). */
  handoffs?: number;
  warmup?: number;
  /** The store the engine API runs on; `dir` is this run's scratch directory (removed after it). */
  open(dir: string): Promise<Database>;
  /** How the server gets the same store: env for its own config, or a database handed in. Absent: no HTTP figure. */
  server?(dir: string): Promise<{ env?: Record<string, string>; db?: Database }>;
}

/** The embedded store as `npm start` runs it: a SQLite file, every commit in the write-ahead log before it is acknowledged. */
export const FILE_STORE: BenchStore = {
  name: 'file store (SQLite)',
  open: async (dir) => SqliteDatabase.open(path.join(dir, EMBEDDED_FILE), { sync: 'NORMAL' }),
  server: async (dir) => ({ env: { STORE: 'embedded', DATA_DIR: dir, STORE_SYNC: 'NORMAL' } }),
};

/** Runs `body` with a fresh scratch directory, removed afterwards (with the SQLite file in it). */
async function inScratchDir<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-bench-engine-'));
  try {
    return await body(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Handoffs/s through the engine API on a fresh store: a warm-up batch, then the measured batch. */
export function engineApiRun(store: BenchStore, run: number): Promise<number> {
  return inScratchDir(async (dir) => {
    const db = await store.open(dir);
    const engine = await openEngine(db);
    const handoffs = store.handoffs ?? HANDOFFS;
    await runEngineBatch(engine, store.warmup ?? WARMUP, `warm${run}`);
    const { ms, failed } = await runEngineBatch(engine, handoffs, `run${run}`);
    if (failed) throw new Error(`${failed} handoffs did not complete`);
    if (db instanceof MongoDatabase) await db.dropDatabase();
    await closeEngine(engine, db);
    return (handoffs / ms) * 1000;
  });
}

const INITIATE = JSON.stringify({
  query: `mutation { initiateHandoff(input: { procedureId: "${NOOP_PROCEDURE_ID}" }) { handoff { id status } userErrors { message } } }`,
});

/** Handoffs/s through `initiateHandoff` over HTTP (autocannon in a child process sends them) to a fresh server. */
export function overHttpRun(store: BenchStore): Promise<number> {
  return inScratchDir(async (dir) => {
    const server = await startBenchServer(await store.server!(dir));
    try {
      const warm = finalEvents(server.app.engine, WARMUP);
      await loadInChild({ url: server.url, body: INITIATE, connections: HTTP_CONNECTIONS, amount: WARMUP });
      await warm.done;
      const finals = finalEvents(server.app.engine, HANDOFFS);
      // Taken as it happens: the load generator's process exits up to a second after its last response (autocannon
      // ends on its one-second tick), which timing after it would add to every run.
      const lastFinalAt = finals.done.then(() => Date.now());
      const result = await loadInChild({
        url: server.url,
        body: INITIATE,
        connections: HTTP_CONNECTIONS,
        amount: HANDOFFS,
      });
      if (result.non2xx || result.errors)
        throw new Error(`initiateHandoff failed under load: ${result.non2xx} non-2xx, ${result.errors} errors`);
      // From the first request (not from spawning the load generator) to the last final event.
      return (HANDOFFS / ((await lastFinalAt) - result.startedAt)) * 1000;
    } finally {
      await server.close();
    }
  });
}
