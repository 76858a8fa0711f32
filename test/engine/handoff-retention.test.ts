import { afterEach, describe, expect, it } from 'vitest';
import type { Handoff } from '../../src/engine/kernel/handoff/handoff.js';
import { HandoffRetention, type RetainedStores } from '../../src/engine/kernel/handoff-retention.js';
import type { HandoffStore } from '../../src/engine/kernel/ports/handoff-store.js';
import { silentLogger } from '../../src/engine/shared/logger.js';
import { SqliteDatabase } from '../../src/store/sqlite/sqlite-database.js';
import { SqliteHandoffStore } from '../../src/store/sqlite/sqlite-handoff-store.js';
import { ManualClock } from '../support/manual-clock.js';

const HOUR = 3_600_000;
let db: SqliteDatabase;

afterEach(async () => {
  await db.close();
});

function finished(id: string, finishedAt: number, test = false): Handoff {
  return {
    id,
    procedureId: 'P',
    procedureVersion: 1,
    type: 'AGENT_HANDOFF',
    priority: 'MEDIUM',
    sourcePhase: null,
    targetPhase: null,
    sourceAgent: null,
    targetAgent: null,
    metadata: {},
    status: 'COMPLETED',
    steps: [],
    currentStep: 0,
    error: null,
    cancelReason: null,
    createdAt: finishedAt,
    startedAt: finishedAt,
    finishedAt,
    version: 0,
    seq: 0,
    test: test ? ({ testId: 't1' } as Handoff['test']) : null,
  };
}

/** Stores whose retention calls are recorded (the batch sizes the sweep asked for, and what it deleted where). */
async function storesWith(handoffs: Handoff[]) {
  db = SqliteDatabase.inMemory();
  const sqlite = new SqliteHandoffStore(db.connection, 'w', db.operations);
  for (const h of handoffs) await sqlite.create(h, [{ type: 'HANDOFF_CREATED', step: null, message: '' }], h.createdAt);
  const calls: { test: boolean; limit: number }[] = [];
  const dependents: string[][] = [];
  const store = Object.create(sqlite) as HandoffStore;
  store.finishedBefore = (options) => {
    calls.push({ test: options.test, limit: options.limit });
    return sqlite.finishedBefore(options);
  };
  const stores: RetainedStores = {
    handoffs: store,
    dependents: [
      {
        deleteOfHandoffs: async (ids) => {
          dependents.push([...ids]);
          return 0;
        },
      },
      { deleteOfHandoffs: async () => 0 },
    ],
  };
  return { store, stores, calls, dependents };
}

describe('HandoffRetention', () => {
  it('deletes in bounded batches until a batch comes back short, production and test traffic by their own ages', async () => {
    const clock = new ManualClock(100 * HOUR);
    const old = Array.from({ length: 5 }, (_, i) => finished(`old_${i}`, 10 * HOUR + i));
    const { store, stores, calls, dependents } = await storesWith([
      ...old,
      finished('recent', 99 * HOUR),
      finished('test_old', 90 * HOUR, true),
      finished('test_recent', 99.5 * HOUR, true),
    ]);
    const retention = new HandoffRetention(
      stores,
      { finishedAgeMs: 24 * HOUR, testFinishedAgeMs: HOUR, batchSize: 2, intervalMs: 60_000 },
      clock,
      silentLogger,
    );
    expect(await retention.sweep()).toEqual({ production: 5, test: 1 });
    expect(calls).toEqual([
      { test: false, limit: 2 },
      { test: false, limit: 2 },
      { test: false, limit: 2 },
      { test: true, limit: 2 },
    ]);
    expect(await store.count({})).toBe(2);
    // Each batch's agent tasks (and inbox deliveries) go before its handoffs.
    expect(dependents).toEqual([['old_0', 'old_1'], ['old_2', 'old_3'], ['old_4'], ['test_old']]);
    expect(await retention.sweep()).toEqual({ production: 0, test: 0 });
  });

  it('keeps everything with ages of 0, and never starts a sweep', async () => {
    const clock = new ManualClock(100 * HOUR);
    const { stores, calls } = await storesWith([finished('ancient', 0), finished('test_ancient', 0, true)]);
    const retention = new HandoffRetention(
      stores,
      { finishedAgeMs: 0, testFinishedAgeMs: 0, batchSize: 2, intervalMs: 60_000 },
      clock,
      silentLogger,
    );
    expect(retention.enabled).toBe(false);
    retention.start();
    expect(clock.pendingDelays).toEqual([]);
    expect(await retention.sweep()).toEqual({ production: 0, test: 0 });
    expect(calls).toEqual([]);
  });

  it('sweeps on its interval once started, and not after stop', async () => {
    const clock = new ManualClock(100 * HOUR);
    const { stores } = await storesWith([finished('old', 0)]);
    const retention = new HandoffRetention(
      stores,
      { finishedAgeMs: HOUR, testFinishedAgeMs: 0, batchSize: 10, intervalMs: 60_000 },
      clock,
      silentLogger,
    );
    const sweeps: unknown[] = [];
    retention.swept.subscribe((sweep) => sweeps.push(sweep));
    retention.start();
    await clock.advance(59_999);
    expect(sweeps).toEqual([]);
    await clock.advance(1);
    expect(sweeps).toEqual([{ production: 1, test: 0 }]);
    await retention.stop();
    await clock.advance(10 * 60_000);
    expect(sweeps).toHaveLength(1);
  });
});
