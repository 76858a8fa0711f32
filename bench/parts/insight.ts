/**
 * Insight: what the fold of committed events into series and sketches costs the engine, measured
 * side by side in this run (four-step no-op handoffs through the engine API, insight off then on,
 * alternating, a fresh store per run), and how soon the fold has counted a burst once it ends.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Database } from '../../src/store/collection.js';
import { EMBEDDED_FILE } from '../../src/store/open-database.js';
import { SqliteDatabase } from '../../src/store/sqlite/sqlite-database.js';
import { log, median, QUICK, type Row, RUNS, report, round } from '../support/common.js';
import { closeEngine, openEngine, runEngineBatch } from '../support/engine-harness.js';
import { etaAccuracy } from '../support/eta-accuracy.js';

const HANDOFFS = QUICK ? 500 : 5_000;
const WARMUP = QUICK ? 300 : 2_000;
const EVENTS_PER_HANDOFF = 12;

interface StoreKind {
  name: string;
  open(dir: string): Database;
}

const STORES: StoreKind[] = [
  { name: 'memory', open: () => SqliteDatabase.inMemory() },
  {
    name: 'file store (SQLite)',
    open: (dir) => SqliteDatabase.open(path.join(dir, EMBEDDED_FILE), { sync: 'NORMAL' }),
  },
];

interface Run {
  rate: number;
  /** After the measured batch: how long the fold took to count what it had not yet. */
  catchUpMs: number;
}

async function oneRun(kind: StoreKind, insight: boolean, label: string): Promise<Run> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-bench-insight-'));
  try {
    const db = kind.open(dir);
    const engine = await openEngine(db, { insight });
    await runEngineBatch(engine, WARMUP, `warm_${label}`);
    await engine.insightFold?.catchUp();
    const { ms, failed } = await runEngineBatch(engine, HANDOFFS, `run_${label}`);
    if (failed) throw new Error(`${failed} handoffs did not complete`);
    const started = performance.now();
    await engine.insightFold?.catchUp();
    const catchUpMs = performance.now() - started;
    await closeEngine(engine, db);
    return { rate: (HANDOFFS / ms) * 1000, catchUpMs };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const rows: Row[] = [];
const details: Record<string, unknown> = { handoffsPerRun: HANDOFFS, warmup: WARMUP };
for (const kind of STORES) {
  const off: Run[] = [];
  const on: Run[] = [];
  for (let run = 0; run < RUNS; run++) {
    // Alternating, so a slow spell of this shared machine falls on both sides alike.
    off.push(await oneRun(kind, false, `off${run}`));
    on.push(await oneRun(kind, true, `on${run}`));
    log(
      `${kind.name}, run ${run + 1}: off ${round(off.at(-1)!.rate)}/s, on ${round(on.at(-1)!.rate)}/s, caught up ${round(on.at(-1)!.catchUpMs)} ms after`,
    );
  }
  const offRate = median(off.map((r) => r.rate));
  const onRate = median(on.map((r) => r.rate));
  rows.push({
    section: 'insight',
    name: `engine API, ${kind.name}, insight off`,
    value: round(offRate),
    unit: 'handoffs/s',
    runs: off.map((r) => round(r.rate)),
  });
  rows.push({
    section: 'insight',
    name: `engine API, ${kind.name}, insight on (series + sketches)`,
    value: round(onRate),
    unit: 'handoffs/s',
    runs: on.map((r) => round(r.rate)),
    ratio: round(onRate / offRate, 2),
    reference: `engine API, ${kind.name}, insight off`,
    goal: '≥ 0.9×',
    met: onRate / offRate >= 0.9,
    note: 'the fold yields to handoffs while every slot is busy (it takes 5% of the time then), and catches up after',
  });
  rows.push({
    section: 'insight',
    name: `fold lag when a ${HANDOFFS}-handoff burst ends, ${kind.name}`,
    value: round(median(on.map((r) => r.catchUpMs))),
    unit: 'ms',
    runs: on.map((r) => round(r.catchUpMs)),
    note: `until the last of ${HANDOFFS * EVENTS_PER_HANDOFF} events is in the series`,
  });
}

const eta = await etaAccuracy();
rows.push(...eta.rows);
details.eta = eta.details;
report({ rows, details });
