import { createEngine, type Engine, type EngineSettings } from '../../src/engine/engine.js';
import { isFinalEvent } from '../../src/engine/kernel/handoff/handoff-event.js';
import type { ProcedureInput } from '../../src/engine/kernel/procedures/procedure-definition.js';
import type { Database } from '../../src/store/collection.js';
import { openStores } from '../../src/store/open-stores.js';
import { SqliteDatabase } from '../../src/store/sqlite/sqlite-database.js';

export const NOOP_PROCEDURE_ID = 'BENCH_NOOP_4';
export const STEPS_PER_HANDOFF = 4;

/** Four `noop` steps, no gates, no validate rules, no compensations. */
export const NOOP_PROCEDURE: ProcedureInput = {
  id: NOOP_PROCEDURE_ID,
  name: 'Benchmark: four no-op steps',
  description: 'Measures the engine itself: every step does nothing and succeeds.',
  validationRules: [],
  steps: [1, 2, 3, 4].map((n) => ({
    id: `noop_${n}`,
    name: `no-op ${n}`,
    kind: 'noop' as const,
    params: {},
    timeoutMs: 10_000,
  })),
};

/** The cap on concurrently executing handoffs used by the engine benchmarks (env MAX_CONCURRENT_HANDOFFS). */
export const BENCH_MAX_CONCURRENT = Number(process.env.MAX_CONCURRENT_HANDOFFS ?? 200);

/**
 * An engine on `db`'s ports, as the composition root wires them (no finished-handoff cache), with the
 * benchmark procedure. `settings` adds to the defaults (insight's fold is on unless `insight: false`).
 */
export async function openEngine(db: Database, settings: Partial<EngineSettings> = {}): Promise<Engine> {
  const stores = await openStores(db, { writer: 'bench' });
  const engine = await createEngine({
    stores,
    settings: {
      agentHeartbeatWindowMs: 30_000,
      maxConcurrentHandoffs: BENCH_MAX_CONCURRENT,
      webhookAllowList: [],
      ...settings,
    },
  });
  await engine.start();
  await ensureNoopProcedure(engine);
  return engine;
}

/** Stops the engine, then closes its change feed (a shared store) and the database, as the app does. */
export async function closeEngine(engine: Engine, db: Database): Promise<void> {
  await engine.stop();
  await engine.stores.handoffChanges?.close?.();
  await db.close();
}

export async function ensureNoopProcedure(engine: Engine): Promise<void> {
  if (await engine.procedures.get(NOOP_PROCEDURE_ID)) return;
  const created = await engine.procedures.create(NOOP_PROCEDURE);
  if (!created.ok) throw new Error(`benchmark procedure rejected: ${JSON.stringify(created.errors)}`);
}

/** Where the engine keeps handoffs: SQLite's native tables, or the document collections of any other store. */
const HANDOFF_TABLES = ['handoffs', 'handoff_events', 'handoff_notices'];
const HANDOFF_COLLECTIONS = ['handoffs', 'handoff_events'];

/** Deletes every stored handoff and event (the engine's runner state is untouched). */
export async function purgeHandoffs(db: Database): Promise<void> {
  if (db instanceof SqliteDatabase) {
    const { connection } = db;
    connection.transaction(() =>
      existingTables(db, HANDOFF_TABLES).forEach((table) => connection.exec(`DELETE FROM ${table}`)),
    )();
    return;
  }
  for (const name of HANDOFF_COLLECTIONS) await (await db.collection(name)).deleteMany({});
}

/** The tables of `names` that exist (the handoff store creates its tables when it opens). */
function existingTables(db: SqliteDatabase, names: string[]): string[] {
  const present = db.connection
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
    .pluck()
    .all() as string[];
  return names.filter((name) => present.includes(name));
}

/** How many handoff rows or documents are stored: handoffs plus their events. */
export async function storedHandoffDocs(db: Database): Promise<number> {
  if (db instanceof SqliteDatabase) {
    const count = (table: string) => db.connection.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
    return existingTables(db, ['handoffs', 'handoff_events']).reduce((total, table) => total + count(table), 0);
  }
  let total = 0;
  for (const name of HANDOFF_COLLECTIONS) total += await (await db.collection(name)).count({});
  return total;
}

/** Resolves once `count` handoffs have published a final event (from now on). */
export function finalEvents(engine: Engine, count: number): { done: Promise<void>; failed: () => number } {
  let seen = 0;
  let failed = 0;
  let unsubscribe: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    if (count === 0) return resolve();
    unsubscribe = engine.handoffs.events.subscribe((event) => {
      if (!isFinalEvent(event)) return;
      if (event.type !== 'HANDOFF_COMPLETED') failed++;
      if (++seen === count) {
        unsubscribe();
        resolve();
      }
    });
  });
  return { done, failed: () => failed };
}

/** Initiates `count` four-noop handoffs through the engine API at once and waits for all to finish. */
export async function runEngineBatch(
  engine: Engine,
  count: number,
  idPrefix: string,
): Promise<{ ms: number; failed: number }> {
  const finals = finalEvents(engine, count);
  const started = performance.now();
  const outcomes = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      engine.handoffs.initiate({ handoffId: `${idPrefix}_${i}`, procedureId: NOOP_PROCEDURE_ID }),
    ),
  );
  const rejected = outcomes.find((outcome) => !outcome.ok);
  if (rejected) throw new Error(`initiate failed: ${JSON.stringify(rejected)}`);
  await finals.done;
  return { ms: performance.now() - started, failed: finals.failed() };
}
