/**
 * The kernel: what the durable scheduler costs and buys, on the embedded file store.
 * 1. Engine-API throughput before the kernel redesign (commit KERNEL_BASELINE, checked out beside this
 *    one) and now, alternated round by round, each round a fresh process and a fresh file.
 * 2. 100,000 handoffs waiting for a signal in one process: their RSS, and the throughput of others
 *    beside them (they hold no slot) against the same on an empty store.
 * 3. Two worker processes against one, draining the same backlog from one file.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEngine } from '../../src/engine/engine.js';
import { EMBEDDED_FILE } from '../../src/store/open-database.js';
import { openStores } from '../../src/store/open-stores.js';
import { SqliteDatabase } from '../../src/store/sqlite/sqlite-database.js';
import { baselineTree, type Probe, probeEngine, ROOT } from '../support/baseline-tree.js';
import { gc, log, median, memory, QUICK, type Row, report, round } from '../support/common.js';
import { closeEngine, NOOP_PROCEDURE_ID, openEngine, runEngineBatch } from '../support/engine-harness.js';
import { TSX } from '../support/spawn.js';

/** The last commit before the kernel redesign: the engine the figures are set against. */
const KERNEL_BASELINE = '8591f33';
const ROUNDS = QUICK ? 1 : 3;
const HANDOFFS = QUICK ? 500 : 5_000;
const WARMUP = QUICK ? 300 : 2_000;
const WAITING = QUICK ? 10_000 : 100_000;
const BACKLOG = QUICK ? 2_000 : 20_000;
const here = path.dirname(fileURLToPath(import.meta.url));

async function beforeAndAfter(): Promise<Row[]> {
  const before = baselineTree(KERNEL_BASELINE, 'kernel');
  if (!before) {
    log(`kernel baseline ${KERNEL_BASELINE} is not in this clone's history: before/after skipped`);
    return [];
  }
  const runs: { before: Probe[]; after: Probe[] } = { before: [], after: [] };
  for (let round_ = 0; round_ < ROUNDS; round_++) {
    // Alternated, and in turn first: a slow stretch of the machine weighs on both alike.
    const order = round_ % 2 === 0 ? (['before', 'after'] as const) : (['after', 'before'] as const);
    for (const which of order) {
      const result = await probeEngine(which === 'before' ? before : ROOT, HANDOFFS, WARMUP);
      runs[which].push(result);
      log(
        `engine API, file store, ${which}: ${round(result.handoffsPerSecond)} handoffs/s, ${round(result.cpuMsPerHandoff, 3)} CPU ms/handoff`,
      );
    }
  }
  const rate = (probes: Probe[]) => median(probes.map((p) => p.handoffsPerSecond));
  const cpu = (probes: Probe[]) => median(probes.map((p) => p.cpuMsPerHandoff));
  return [
    {
      section: 'kernel',
      name: `engine API, file store, before the kernel (${KERNEL_BASELINE})`,
      value: round(rate(runs.before)),
      unit: 'handoffs/s',
      runs: runs.before.map((p) => round(p.handoffsPerSecond)),
      note: `${round(cpu(runs.before), 3)} CPU ms per handoff`,
    },
    {
      section: 'kernel',
      name: 'engine API, file store, with the kernel and durable scheduler',
      value: round(rate(runs.after)),
      unit: 'handoffs/s',
      runs: runs.after.map((p) => round(p.handoffsPerSecond)),
      ratio: round(rate(runs.after) / rate(runs.before), 2),
      reference: `engine API, file store, before the kernel (${KERNEL_BASELINE})`,
      goal: 'no lower than before (≥ 1.0×, within the noise)',
      met: rate(runs.after) >= 0.9 * rate(runs.before),
      note: `${round(cpu(runs.after), 3)} CPU ms per handoff (${round(cpu(runs.after) / cpu(runs.before), 2)} × before)`,
    },
  ];
}

async function inScratchFile<T>(body: (file: string) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-bench-kernel-'));
  try {
    return await body(path.join(dir, EMBEDDED_FILE));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Throughput of four-noop handoffs on a file store, beside `waiting` handoffs waiting for a signal. */
async function besideWaiting(waiting: number): Promise<{ rate: number; rssMb: number; heapMb: number }> {
  return inScratchFile(async (file) => {
    const db = SqliteDatabase.open(file, { sync: 'NORMAL' });
    const engine = await openEngine(db);
    const defined = await engine.procedures.create({
      id: 'BENCH_WAITS',
      name: 'waits for a signal',
      steps: [{ id: 'approve', name: 'approve', kind: 'await_signal', params: {}, timeoutMs: 86_400_000 }],
    });
    if (!defined.ok) throw new Error(JSON.stringify(defined.errors));
    for (let start = 0; start < waiting; start += 1_000) {
      await Promise.all(
        Array.from({ length: Math.min(1_000, waiting - start) }, (_, i) =>
          engine.handoffs.initiate({ handoffId: `waits_${start + i}`, procedureId: 'BENCH_WAITS' }),
        ),
      );
    }
    while ((await engine.handoffs.count({ status: ['WAITING'] })) < waiting)
      await new Promise((resolve) => setTimeout(resolve, 100));
    gc();
    const { rssMb, heapMb } = memory();
    await runEngineBatch(engine, WARMUP, 'warm');
    const { ms, failed } = await runEngineBatch(engine, HANDOFFS, 'run');
    if (failed) throw new Error(`${failed} handoffs did not complete`);
    await closeEngine(engine, db);
    return { rate: (HANDOFFS / ms) * 1000, rssMb, heapMb };
  });
}

async function waitingRows(): Promise<Row[]> {
  const empty = await besideWaiting(0);
  log(
    `noop handoffs on an empty store: ${round(empty.rate)}/s, RSS ${round(empty.rssMb)} MB, heap ${round(empty.heapMb)} MB`,
  );
  const busy = await besideWaiting(WAITING);
  log(
    `noop handoffs beside ${WAITING} waiting: ${round(busy.rate)}/s, RSS ${round(busy.rssMb)} MB, heap ${round(busy.heapMb)} MB`,
  );
  return [
    {
      section: 'kernel',
      name: `RSS with ${WAITING.toLocaleString('en')} handoffs waiting for a signal`,
      value: round(busy.rssMb),
      unit: 'MB',
      note: `${round(empty.rssMb)} MB with none; JS heap ${round(busy.heapMb)} MB (${round(empty.heapMb)} MB with none), the rest SQLite's page cache and what V8 keeps from starting them`,
    },
    {
      section: 'kernel',
      name: `engine API, file store, beside ${WAITING.toLocaleString('en')} waiting handoffs`,
      value: round(busy.rate),
      unit: 'handoffs/s',
      ratio: round(busy.rate / empty.rate, 2),
      reference: 'the same on an empty store',
    },
  ];
}

/** Handoffs/s with `workers` processes draining one backlog of BACKLOG four-noop handoffs. */
async function drain(workers: number): Promise<{ rate: number; shares: number[] }> {
  return inScratchFile(async (file) => {
    // The backlog is stored by a process that runs none (as an API-only server would).
    const db = SqliteDatabase.open(file, { sync: 'NORMAL' });
    const initiator = await createEngine({
      stores: await openStores(db, { writer: 'initiator' }),
      settings: { agentHeartbeatWindowMs: 30_000, maxConcurrentHandoffs: 0, webhookAllowList: [] },
    });
    await initiator.start();
    await (async () => {
      const created = await initiator.procedures.create({
        id: NOOP_PROCEDURE_ID,
        name: 'four no-op steps',
        steps: [1, 2, 3, 4].map((n) => ({
          id: `noop_${n}`,
          name: `no-op ${n}`,
          kind: 'noop',
          params: {},
          timeoutMs: 10_000,
        })),
      });
      if (!created.ok) throw new Error(JSON.stringify(created.errors));
    })();
    for (let start = 0; start < BACKLOG; start += 1_000) {
      await Promise.all(
        Array.from({ length: Math.min(1_000, BACKLOG - start) }, (_, i) =>
          initiator.handoffs.initiate({ handoffId: `backlog_${start + i}`, procedureId: NOOP_PROCEDURE_ID }),
        ),
      );
    }
    await initiator.stop();
    await db.close();
    const go = `${file}.go`;
    const script = path.join(here, '../support/worker-probe.ts');
    const children = Array.from({ length: workers }, () =>
      spawn(process.execPath, [...TSX, script, file, go], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] }),
    );
    const outputs = children.map((child) => {
      let text = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      return {
        loaded: new Promise<void>((resolve) => child.stdout.on('data', () => text.includes('loaded') && resolve())),
        done: new Promise<number>((resolve, reject) =>
          child.once('exit', (code) =>
            code === 0
              ? resolve(JSON.parse(text.trim().split('\n').at(-1)!).finished)
              : reject(new Error(`worker exited ${code}`)),
          ),
        ),
      };
    });
    await Promise.all(outputs.map((output) => output.loaded));
    const started = performance.now();
    fs.writeFileSync(go, '');
    const shares = await Promise.all(outputs.map((output) => output.done));
    return { rate: (BACKLOG / (performance.now() - started)) * 1000, shares };
  });
}

async function workerRows(): Promise<Row[]> {
  const one = await drain(1);
  log(`one worker process: ${round(one.rate)} handoffs/s`);
  const two = await drain(2);
  log(`two worker processes: ${round(two.rate)} handoffs/s (${two.shares.join(' + ')})`);
  return [
    {
      section: 'kernel',
      name: 'one worker process draining a backlog (file store)',
      value: round(one.rate),
      unit: 'handoffs/s',
      note: `${BACKLOG.toLocaleString('en')} four-noop handoffs stored by an API-only process, then drained`,
    },
    {
      section: 'kernel',
      name: 'two worker processes draining the same backlog',
      value: round(two.rate),
      unit: 'handoffs/s',
      ratio: round(two.rate / one.rate, 2),
      reference: 'one worker process',
      note: `shares ${two.shares.join(' + ')}; SQLite admits one writer at a time, and this machine has ${os.availableParallelism()} cores`,
    },
  ];
}

report({
  rows: [...(await beforeAndAfter()), ...(await waitingRows()), ...(await workerRows())],
  details: { baseline: KERNEL_BASELINE, rounds: ROUNDS, handoffs: HANDOFFS, waiting: WAITING, backlog: BACKLOG },
});
