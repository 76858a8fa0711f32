/**
 * Procedures as graphs. 1. Ten steps of 100 ms each as a chain and as ten parallel steps: one handoff at a
 * time, initiate to final event, on the in-memory store; the parallel one should take about a tenth of the
 * chain's time (the walk runs its attempts at once under one lease and one slot). 2. The old linear
 * procedures' throughput (four-noop handoffs, engine API, file store, insight's fold off in both) with the
 * graph walker and before it (GRAPHS_BASELINE, checked out beside this tree), alternated round by round,
 * each a fresh process.
 */
import { createEngine, type Engine } from '../../src/engine/engine.js';
import { openStores } from '../../src/store/open-stores.js';
import { SqliteDatabase } from '../../src/store/sqlite/sqlite-database.js';
import { baselineTree, type Probe, probeEngine, ROOT } from '../support/baseline-tree.js';
import { log, median, QUICK, type Row, report, round } from '../support/common.js';
import { finalEvents } from '../support/engine-harness.js';

/** main as last merged (before procedures became graphs): the linear walker the figures are set against. */
const GRAPHS_BASELINE = 'ebf35f5';
const STEPS = 10;
const STEP_MS = 100;
const HANDOFFS_EACH = QUICK ? 2 : 5;
const ROUNDS = QUICK ? 1 : 3;
const THROUGHPUT_HANDOFFS = QUICK ? 500 : 5_000;
const WARMUP = QUICK ? 300 : 2_000;

function steps(parallel: boolean) {
  return Array.from({ length: STEPS }, (_, n) => ({
    id: `work_${n + 1}`,
    name: `work ${n + 1}`,
    kind: 'delay' as const,
    params: { ms: STEP_MS },
    timeoutMs: 10_000,
    // A chain: each after the one before it (no `after`); in parallel: each waits for nothing.
    ...(parallel ? { after: [] } : {}),
  }));
}

async function define(engine: Engine, id: string, parallel: boolean): Promise<void> {
  const created = await engine.procedures.create({ id, name: id, steps: steps(parallel), maxParallelSteps: STEPS });
  if (!created.ok) throw new Error(JSON.stringify(created.errors));
}

/** Handoffs initiated so far: each gets an id of its own (an id used before names the handoff already there). */
let initiated = 0;

/** Milliseconds from initiate to the final event of each of `count` handoffs of `procedureId`, one at a time. */
async function timeEach(engine: Engine, procedureId: string, count: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const final = finalEvents(engine, 1);
    const started = performance.now();
    const outcome = await engine.handoffs.initiate({ handoffId: `${procedureId}_${++initiated}`, procedureId });
    if (!outcome.ok) throw new Error(JSON.stringify(outcome.errors));
    await final.done;
    if (final.failed() > 0) throw new Error(`${procedureId}_${i} did not complete`);
    times.push(performance.now() - started);
  }
  return times;
}

async function chainAgainstParallel(): Promise<Row[]> {
  const db = SqliteDatabase.inMemory();
  const engine = await createEngine({
    stores: await openStores(db, { writer: 'bench' }),
    settings: { agentHeartbeatWindowMs: 30_000, maxConcurrentHandoffs: 10, webhookAllowList: [] },
  });
  await engine.start();
  await define(engine, 'CHAIN_10', false);
  await define(engine, 'PARALLEL_10', true);
  // One of each first: the JIT's first pass is not what is measured.
  await timeEach(engine, 'CHAIN_10', 1);
  await timeEach(engine, 'PARALLEL_10', 1);
  const chain: number[] = [];
  const parallel: number[] = [];
  for (let i = 0; i < HANDOFFS_EACH; i++) {
    chain.push(...(await timeEach(engine, 'CHAIN_10', 1)));
    parallel.push(...(await timeEach(engine, 'PARALLEL_10', 1)));
  }
  await engine.stop();
  await db.close();
  log(`${STEPS} × ${STEP_MS} ms as a chain: ${chain.map((ms) => round(ms)).join(' / ')} ms`);
  log(`${STEPS} × ${STEP_MS} ms in parallel: ${parallel.map((ms) => round(ms)).join(' / ')} ms`);
  const ratio = median(chain) / median(parallel);
  return [
    {
      section: 'graphs',
      name: `${STEPS} steps of ${STEP_MS} ms as a chain, one handoff`,
      value: round(median(chain)),
      unit: 'ms',
      runs: chain.map((ms) => round(ms)),
    },
    {
      section: 'graphs',
      name: `the same ${STEPS} steps in parallel (after: []), one handoff`,
      value: round(median(parallel)),
      unit: 'ms',
      runs: parallel.map((ms) => round(ms)),
      ratio: round(1 / ratio, 3),
      reference: `${STEPS} steps of ${STEP_MS} ms as a chain, one handoff`,
      goal: `about 1/${STEPS} of the chain's time (≤ ${round(1.25 / STEPS, 3)}×)`,
      met: 1 / ratio <= 1.25 / STEPS,
      note: `${round(ratio, 1)}× faster; the floor is one step (${STEP_MS} ms)`,
    },
  ];
}

async function linearBeforeAndAfter(): Promise<Row[]> {
  const before = baselineTree(GRAPHS_BASELINE, 'graphs');
  if (!before) {
    log(`graphs baseline ${GRAPHS_BASELINE} is not in this clone's history: before/after skipped`);
    return [];
  }
  const runs: { before: Probe[]; after: Probe[] } = { before: [], after: [] };
  for (let turn = 0; turn < ROUNDS; turn++) {
    // Alternated, and in turn first: a slow stretch of the machine weighs on both alike.
    const order = turn % 2 === 0 ? (['before', 'after'] as const) : (['after', 'before'] as const);
    for (const which of order) {
      // Insight's fold off in both: the tree before graphs has none, and it is the walker that is compared here.
      const result = await probeEngine(which === 'before' ? before : ROOT, THROUGHPUT_HANDOFFS, WARMUP, {
        insight: false,
      });
      runs[which].push(result);
      log(
        `linear four-noop handoffs, ${which}: ${round(result.handoffsPerSecond)}/s, ${round(result.cpuMsPerHandoff, 3)} CPU ms each`,
      );
    }
  }
  const rate = (probes: Probe[]) => median(probes.map((probe) => probe.handoffsPerSecond));
  const cpu = (probes: Probe[]) => median(probes.map((probe) => probe.cpuMsPerHandoff));
  const reference = `linear procedures, engine API, file store, before graphs (${GRAPHS_BASELINE})`;
  return [
    {
      section: 'graphs',
      name: reference,
      value: round(rate(runs.before)),
      unit: 'handoffs/s',
      runs: runs.before.map((probe) => round(probe.handoffsPerSecond)),
      note: `${round(cpu(runs.before), 3)} CPU ms per handoff`,
    },
    {
      section: 'graphs',
      name: 'linear procedures, engine API, file store, with the graph walker',
      value: round(rate(runs.after)),
      unit: 'handoffs/s',
      runs: runs.after.map((probe) => round(probe.handoffsPerSecond)),
      ratio: round(rate(runs.after) / rate(runs.before), 2),
      reference,
      goal: 'unchanged (≥ 0.9×, within the noise)',
      met: rate(runs.after) >= 0.9 * rate(runs.before),
      note: `${round(cpu(runs.after), 3)} CPU ms per handoff (${round(cpu(runs.after) / cpu(runs.before), 2)} × before)`,
    },
  ];
}

report({ rows: [...(await chainAgainstParallel()), ...(await linearBeforeAndAfter())] });
