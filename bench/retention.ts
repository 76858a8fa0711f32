/**
 * `npx tsx bench/retention.ts`: how long the retention sweep holds the embedded store. Fills a SQLite
 * file with finished handoffs (12 events each), deletes them in batches as the sweep does, and prints
 * the time of each batch (its read of the ids, then its delete transaction: the longest a writer could wait behind one), the file size
 * before and after, and after the same number of handoffs is stored again (freed pages are reused).
 * RETENTION_BENCH_HANDOFFS (default 20000) and HANDOFF_RETENTION_BATCH (default 200) size it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Handoff } from '../src/engine/kernel/handoff/handoff.js';
import type { HandoffEventDraft } from '../src/engine/kernel/handoff/handoff-event.js';
import { SqliteDatabase } from '../src/store/sqlite/sqlite-database.js';
import { SqliteHandoffStore } from '../src/store/sqlite/sqlite-handoff-store.js';
import { median } from './support/common.js';

const HANDOFFS = Number(process.env.RETENTION_BENCH_HANDOFFS ?? 20_000);
const BATCH = Number(process.env.HANDOFF_RETENTION_BATCH ?? 200);
const EVENTS: HandoffEventDraft[] = Array.from({ length: 12 }, (_, i) => ({
  type: 'STEP_SUCCEEDED',
  step: `s${i}`,
  message: `step ${i} succeeded on attempt 1`,
}));

function finishedHandoff(id: string, finishedAt: number): Handoff {
  return {
    id,
    procedureId: 'AGENT_TO_AGENT',
    procedureVersion: 1,
    type: 'AGENT_HANDOFF',
    priority: 'MEDIUM',
    sourcePhase: 'plan',
    targetPhase: 'build',
    sourceAgent: 'agent_1',
    targetAgent: 'agent_2',
    metadata: { ticket: `T-${id}`, notes: 'x'.repeat(200) },
    status: 'COMPLETED',
    steps: [],
    currentStep: 4,
    error: null,
    cancelReason: null,
    createdAt: finishedAt - 100,
    startedAt: finishedAt - 90,
    finishedAt,
    version: 0,
    seq: 0,
    test: null,
  };
}

async function fill(store: SqliteHandoffStore, prefix: string): Promise<void> {
  for (let i = 0; i < HANDOFFS; i += 500) {
    await Promise.all(
      Array.from({ length: Math.min(500, HANDOFFS - i) }, (_, j) =>
        store.create(finishedHandoff(`${prefix}${i + j}`, 1_000 + i + j), EVENTS, 1_000 + i + j),
      ),
    );
  }
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-retention-bench-'));
const file = path.join(dir, 'handoff.sqlite');
const db = SqliteDatabase.open(file);
const store = new SqliteHandoffStore(db.connection, 'bench', db.operations);
const size = () => {
  db.connection.pragma('wal_checkpoint(TRUNCATE)');
  return Math.round(fs.statSync(file).size / 2 ** 20);
};
try {
  await fill(store, 'h');
  const filled = size();
  const batches: number[] = [];
  for (;;) {
    const started = performance.now();
    const ids = await store.finishedBefore({ finishedBefore: Number.MAX_SAFE_INTEGER, test: false, limit: BATCH });
    await store.deleteFinished(ids);
    batches.push(performance.now() - started);
    if (ids.length < BATCH) break;
  }
  const emptied = size();
  await fill(store, 'again');
  const refilled = size();
  const ms = (value: number) => `${value.toFixed(2)} ms`;
  console.log(
    `${HANDOFFS} finished handoffs × ${EVENTS.length} events, batches of ${BATCH}: ${batches.length} batches`,
  );
  const sorted = [...batches].sort((a, b) => a - b);
  const p95 = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))];
  console.log(
    `batch transaction: median ${ms(median(batches))}, p95 ${ms(p95)}, max ${ms(sorted.at(-1)!)} (first ${ms(batches[0])}), total ${ms(batches.reduce((a, b) => a + b, 0))}`,
  );
  console.log(
    `file: ${filled} MiB filled, ${emptied} MiB after deleting all, ${refilled} MiB after storing as many again`,
  );
} finally {
  await db.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
