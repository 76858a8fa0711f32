/**
 * How good the learned ETAs and the timeout advice are, over reliability runs of a procedure whose
 * second step takes 200 ms ± 30 ms (normal noise) under a 250 ms timeout (about 5% of attempts time
 * out and are retried after 50 ms): a learning run of LEARN handoffs, then the advice, then a second
 * run in which every handoff's ETA (the median of the time left) is read at the start of each of its
 * steps and set against the time it then really took to complete.
 */
import type { Engine } from '../../src/engine/engine.js';
import type { HandoffEvent } from '../../src/engine/kernel/handoff/handoff-event.js';
import { SqliteDatabase } from '../../src/store/sqlite/sqlite-database.js';
import { log, QUICK, type Row, round } from './common.js';
import { closeEngine, openEngine } from './engine-harness.js';

const LEARN = QUICK ? 1_200 : 10_000;
const MEASURE = QUICK ? 300 : 2_000;
const CONCURRENCY = 40;
const PROCEDURE_ID = 'ETA_BENCH';
const WITHIN = 0.2;

async function defineProcedure(engine: Engine): Promise<void> {
  const created = await engine.procedures.create({
    id: PROCEDURE_ID,
    name: 'ETA benchmark',
    steps: [
      {
        id: 'prepare',
        name: 'Prepare',
        kind: 'simulate',
        params: { durationMs: 300, durationJitterMs: 15 },
        timeoutMs: 5_000,
      },
      {
        id: 'call',
        name: 'Call',
        kind: 'simulate',
        params: { durationMs: 200, durationJitterMs: 30 },
        timeoutMs: 250,
        retry: { maxAttempts: 4, initialDelayMs: 50, maxDelayMs: 50, multiplier: 1, jitter: 0 },
      },
      {
        id: 'finish',
        name: 'Finish',
        kind: 'simulate',
        params: { durationMs: 300, durationJitterMs: 15 },
        timeoutMs: 5_000,
      },
    ],
  });
  if (!created.ok) throw new Error(JSON.stringify(created.errors));
}

async function reliabilityRun(engine: Engine, iterations: number): Promise<void> {
  const started = await engine.reliability.start({
    configId: 'RELIABILITY_STANDARD',
    procedureId: PROCEDURE_ID,
    overrides: { iterations, concurrentLimit: CONCURRENCY, timeoutMs: 60_000 },
  });
  if (!started.ok) throw new Error(JSON.stringify(started.errors));
  const finished = await engine.reliability.whenFinished(started.value.id);
  if (finished?.status !== 'COMPLETED') throw new Error(`reliability run ended ${finished?.status}`);
}

interface Prediction {
  handoffId: string;
  step: string;
  at: number;
  medianMs: number | null;
}

/** Reads each handoff's ETA at the start of each of its steps; pairs it with when the handoff completed. */
async function measureEtas(engine: Engine): Promise<{ predictions: Prediction[]; completedAt: Map<string, number> }> {
  const predictions: Prediction[] = [];
  const completedAt = new Map<string, number>();
  const reads: Promise<void>[] = [];
  const stop = engine.handoffs.events.subscribe((event: HandoffEvent) => {
    if (event.type === 'HANDOFF_COMPLETED') completedAt.set(event.handoffId, event.at);
    if (event.type !== 'STEP_STARTED' || event.attempt !== 1 || !event.testId) return;
    reads.push(
      (async () => {
        const handoff = await engine.handoffs.get(event.handoffId);
        if (!handoff) return;
        const eta = await engine.insight.eta(handoff);
        predictions.push({
          handoffId: event.handoffId,
          step: event.step!,
          at: event.at,
          medianMs: eta?.medianMs ?? null,
        });
      })(),
    );
  });
  await reliabilityRun(engine, MEASURE);
  stop();
  await Promise.all(reads);
  return { predictions, completedAt };
}

function share(predictions: Prediction[], completedAt: Map<string, number>): { within: number; total: number } {
  let within = 0;
  let total = 0;
  for (const prediction of predictions) {
    const end = completedAt.get(prediction.handoffId);
    if (end === undefined || prediction.medianMs === null) continue;
    const actual = end - prediction.at;
    if (actual <= 0) continue;
    total++;
    if (Math.abs(prediction.medianMs - actual) <= WITHIN * actual) within++;
  }
  return { within, total };
}

export async function etaAccuracy(): Promise<{ rows: Row[]; details: Record<string, unknown> }> {
  const db = SqliteDatabase.inMemory();
  const engine = await openEngine(db, { insightPollMs: 250, maxConcurrentHandoffs: CONCURRENCY });
  await defineProcedure(engine);
  log(`learning run: ${LEARN} handoffs of ${PROCEDURE_ID}`);
  await reliabilityRun(engine, LEARN);
  await engine.insightFold!.catchUp();
  const advice = await engine.insight.advice(PROCEDURE_ID);
  if (!advice.ok) throw new Error(JSON.stringify(advice.errors));
  const call = advice.value.steps.find((step) => step.stepId === 'call')!;
  log(`measuring run: ${MEASURE} handoffs, ETA read at each step's start`);
  const { predictions, completedAt } = await measureEtas(engine);
  await closeEngine(engine, db);

  const all = share(predictions, completedAt);
  const first = share(
    predictions.filter((p) => p.step === 'prepare'),
    completedAt,
  );
  const unknown = predictions.filter((p) => p.medianMs === null).length;
  const rows: Row[] = [
    {
      section: 'insight',
      name: 'ETA within 20% of the time really left (read at each step start)',
      value: round((100 * all.within) / Math.max(1, all.total), 1),
      unit: '% of readings',
      goal: '≥ 90%',
      met: all.within / Math.max(1, all.total) >= 0.9,
      note: `${all.within} of ${all.total} readings over ${MEASURE} handoffs after ${LEARN} learned; at the first step's start: ${round((100 * first.within) / Math.max(1, first.total), 1)}% of ${first.total}; ${unknown} readings had no ETA`,
    },
  ];
  if (call.timeout) {
    const t = call.timeout;
    rows.push({
      section: 'insight',
      name: 'recommended timeout of a 200 ± 30 ms step timed out at 250 ms',
      value: t.recommendedMs,
      unit: 'ms',
      goal: '> the observed p99.9',
      met: t.recommendedMs > t.observedP999Ms,
      note: `observed p99.9 ${t.observedP999Ms} ms, fitted p99.9 ${t.estimatedP999Ms} ms; ${call.stats?.timeouts} of ${(call.stats?.successes ?? 0) + (call.stats?.timeouts ?? 0)} attempts timed out; with it ${t.successesWithin} successes in time and about ${t.timeoutsRecoveredEstimate} timed-out attempts recovered`,
    });
  }
  return {
    rows,
    details: { learn: LEARN, measure: MEASURE, concurrency: CONCURRENCY, advice: call },
  };
}
