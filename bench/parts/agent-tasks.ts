/**
 * Agent tasks: handoffs whose middle step is an `agent_task`, on the in-memory and the embedded
 * file store, with an in-process worker that claims and completes each task as soon as the agent's
 * feed offers it (the engine API, no HTTP). Figures: handoffs/s, against the same handoffs with a
 * `noop` in the task's place (the ratio is what a round trip through an agent costs the engine),
 * and the time from the offer to the handoff's completion.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Engine } from '../../src/engine/engine.js';
import type { Database } from '../../src/store/collection.js';
import { EMBEDDED_FILE } from '../../src/store/open-database.js';
import { SqliteDatabase } from '../../src/store/sqlite/sqlite-database.js';
import { log, median, QUICK, type Row, RUNS, report, round } from '../support/common.js';
import { closeEngine, finalEvents, openEngine } from '../support/engine-harness.js';

const HANDOFFS = QUICK ? 300 : 2_000;
const WARMUP = QUICK ? 200 : 1_000;
const AGENT = 'bench_agent';
const WORKER = { keyName: 'bench-worker', agentId: null };

const step = (id: string, kind: 'noop' | 'agent_task') => ({ id, name: id, kind, params: {}, timeoutMs: 60_000 });
const PROCEDURES = {
  task: {
    id: 'BENCH_AGENT_TASK',
    name: 'Benchmark: noop, agent task, noop',
    steps: [step('before', 'noop'), step('task', 'agent_task'), step('after', 'noop')],
  },
  noop: {
    id: 'BENCH_THREE_NOOPS',
    name: 'Benchmark: three noops',
    steps: [step('before', 'noop'), step('task', 'noop'), step('after', 'noop')],
  },
};

const stores = [
  { name: 'memory', open: async () => SqliteDatabase.inMemory() },
  {
    name: 'file store (SQLite)',
    open: async (dir: string) => SqliteDatabase.open(path.join(dir, EMBEDDED_FILE), { sync: 'NORMAL' }),
  },
];

/** Claims and completes every task offered to the agent; records when each handoff's task was offered. */
function startWorker(engine: Engine): { offeredAt: Map<string, number>; stop: () => void } {
  const offeredAt = new Map<string, number>();
  const stop = engine.agentFeed.entries.subscribe((entry) => {
    if (entry.type !== 'TASK_OFFERED' || !entry.taskId) return;
    offeredAt.set(entry.handoffId!, performance.now());
    void (async () => {
      const claim = await engine.agentTasks.claim(entry.taskId!, WORKER);
      if (!claim.ok) throw new Error(JSON.stringify(claim.errors));
      const done = await engine.agentTasks.complete(entry.taskId!, claim.value.token, { ok: true }, WORKER);
      if (!done.ok) throw new Error(JSON.stringify(done.errors));
    })();
  });
  return { offeredAt, stop };
}

/** Starts `count` handoffs of `procedureId` at once; resolves with the elapsed ms and each handoff's completion time. */
async function batch(
  engine: Engine,
  procedureId: string,
  count: number,
  prefix: string,
): Promise<{ ms: number; completedAt: Map<string, number> }> {
  const completedAt = new Map<string, number>();
  const stop = engine.handoffs.events.subscribe(
    (event) => event.type === 'HANDOFF_COMPLETED' && completedAt.set(event.handoffId, performance.now()),
  );
  const finals = finalEvents(engine, count);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: count }, (_, i) =>
      engine.handoffs.initiate({ handoffId: `${prefix}_${i}`, procedureId, targetAgent: AGENT }),
    ),
  );
  await finals.done;
  stop();
  if (finals.failed()) throw new Error(`${finals.failed()} handoffs did not complete`);
  return { ms: performance.now() - started, completedAt };
}

async function measure(open: (dir: string) => Promise<Database>, label: string) {
  const task: number[] = [];
  const noop: number[] = [];
  const latencies: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-bench-tasks-'));
    try {
      const db = await open(dir);
      const engine = await openEngine(db);
      for (const procedure of Object.values(PROCEDURES)) await engine.procedures.create(procedure);
      const worker = startWorker(engine);
      await batch(engine, PROCEDURES.task.id, WARMUP, `warm${run}`);
      await batch(engine, PROCEDURES.noop.id, WARMUP, `warmnoop${run}`);
      const measured = await batch(engine, PROCEDURES.task.id, HANDOFFS, `task${run}`);
      task.push((HANDOFFS / measured.ms) * 1000);
      for (const [id, at] of measured.completedAt) latencies.push(at - worker.offeredAt.get(id)!);
      noop.push((HANDOFFS / (await batch(engine, PROCEDURES.noop.id, HANDOFFS, `noop${run}`)).ms) * 1000);
      log(
        `${label}, run ${run + 1}: agent task ${round(task.at(-1)!)} handoffs/s, noop ${round(noop.at(-1)!)} handoffs/s`,
      );
      worker.stop();
      await closeEngine(engine, db);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  latencies.sort((a, b) => a - b);
  const at = (share: number) =>
    round(latencies[Math.min(latencies.length - 1, Math.floor(share * latencies.length))]!, 1);
  return { task, noop, p50: at(0.5), p99: at(0.99) };
}

const rows: Row[] = [];
for (const store of stores) {
  const figures = await measure(store.open, store.name);
  rows.push({
    section: 'agent tasks',
    name: `noop, agent task, noop; worker in-process; ${store.name}`,
    value: round(median(figures.task)),
    unit: 'handoffs/s',
    runs: figures.task.map((r) => round(r)),
    ratio: round(median(figures.task) / median(figures.noop), 2),
    reference: `three noops, ${store.name} (${round(median(figures.noop))}/s)`,
    note: `offer → handoff completed p50 ${figures.p50} ms, p99 ${figures.p99} ms (${HANDOFFS} at once)`,
  });
}
report({ rows, details: { handoffsPerRun: HANDOFFS, warmup: WARMUP } });
