import { createEngine, type Engine } from '../../src/engine/engine.js';
import type { ProcedureInput } from '../../src/engine/procedures/procedure-definition.js';
import type { Database } from '../../src/store/collection.js';
import { isFinalEvent } from '../../src/engine/handoffs/handoff-event.js';

export const NOOP_PROCEDURE_ID = 'BENCH_NOOP_4';
export const STEPS_PER_HANDOFF = 4;

/** Four `noop` steps, no gates, no validate rules, no compensations. */
export const NOOP_PROCEDURE: ProcedureInput = {
  id: NOOP_PROCEDURE_ID,
  name: 'Benchmark: four no-op steps',
  description: 'Measures the engine itself: every step does nothing and succeeds.',
  validationRules: [],
  steps: [1, 2, 3, 4].map((n) => ({ id: `noop_${n}`, name: `no-op ${n}`, kind: 'noop' as const, params: {}, timeoutMs: 10_000 })),
};

/** The cap on concurrently executing handoffs used by the engine benchmarks (env MAX_CONCURRENT_HANDOFFS). */
export const BENCH_MAX_CONCURRENT = Number(process.env.MAX_CONCURRENT_HANDOFFS ?? 200);

export async function openEngine(db: Database): Promise<Engine> {
  const engine = await createEngine({ db, settings: { agentHeartbeatWindowMs: 30_000, maxConcurrentHandoffs: BENCH_MAX_CONCURRENT, webhookAllowList: [] } });
  await engine.start();
  await ensureNoopProcedure(engine);
  return engine;
}

export async function ensureNoopProcedure(engine: Engine): Promise<void> {
  if (await engine.procedures.get(NOOP_PROCEDURE_ID)) return;
  const created = await engine.procedures.create(NOOP_PROCEDURE);
  if (!created.ok) throw new Error(`benchmark procedure rejected: ${JSON.stringify(created.errors)}`);
}

/** Where the engine keeps handoffs: what the benchmarks count and clear. */
export const HANDOFF_COLLECTIONS = ['handoffs', 'handoff_events'];

/** Deletes every stored handoff and event (the engine's runner state is untouched). */
export async function purgeHandoffs(db: Database): Promise<void> {
  for (const name of HANDOFF_COLLECTIONS) await (await db.collection(name)).deleteMany({});
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
export async function runEngineBatch(engine: Engine, count: number, idPrefix: string): Promise<{ ms: number; failed: number }> {
  const finals = finalEvents(engine, count);
  const started = performance.now();
  const outcomes = await Promise.all(
    Array.from({ length: count }, (_, i) => engine.handoffs.initiate({ handoffId: `${idPrefix}_${i}`, procedureId: NOOP_PROCEDURE_ID })),
  );
  const rejected = outcomes.find((outcome) => !outcome.ok);
  if (rejected) throw new Error(`initiate failed: ${JSON.stringify(rejected)}`);
  await finals.done;
  return { ms: performance.now() - started, failed: finals.failed() };
}
