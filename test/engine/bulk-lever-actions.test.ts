import { afterEach, describe, expect, it } from 'vitest';
import { BULK_ACTIONS } from '../../src/engine/bulk/bulk-actions.js';
import type { BulkOperation } from '../../src/engine/bulk/bulk-operation.js';
import { createEngine, type Engine } from '../../src/engine/engine.js';
import { seededRandom } from '../../src/engine/shared/random.js';
import { SqliteDatabase } from '../../src/store/sqlite/sqlite-database.js';
import { ManualClock } from '../support/manual-clock.js';
import { testStores } from '../support/test-stores.js';

/**
 * Each lever's bulk action applied twice by the same operation, as a batch runs again after a crash:
 * the second time it recognises its own mark, counts DONE again, and does not act again, even when
 * the handoff moved on since (failed again, was paused again, finished).
 */

const engines: Engine[] = [];

afterEach(async () => {
  for (const engine of engines.splice(0)) await engine.stop();
});

async function engineOn(clock: ManualClock): Promise<Engine> {
  const engine = await createEngine({
    stores: await testStores(SqliteDatabase.inMemory(), 'bulk-levers', false),
    settings: { agentHeartbeatWindowMs: 30_000, maxConcurrentHandoffs: 10, webhookAllowList: [] },
    owner: 'bulk-levers',
    clock,
    random: seededRandom(5),
  });
  await engine.start();
  engines.push(engine);
  const review = { id: 'review', name: 'review', kind: 'await_signal', params: {}, timeoutMs: 3_600_000 };
  const after = { id: 'after', name: 'after', kind: 'noop', params: {}, timeoutMs: 1_000 };
  // Fails its first attempt of every run, and is not retried: each run ends FAILED.
  const failing = {
    id: 'failing',
    name: 'failing',
    kind: 'simulate',
    params: { failFirstAttempts: 1 },
    timeoutMs: 1_000,
    retry: { maxAttempts: 1 },
  };
  for (const [id, steps] of [
    ['REVIEWED', [review, after]],
    ['FAILS', [failing]],
  ] as const) {
    const created = await engine.procedures.create({ id, name: id, deadlineMs: null, steps: steps as never });
    if (!created.ok) throw new Error(JSON.stringify(created.errors));
  }
  return engine;
}

function operation(action: BulkOperation['action']): BulkOperation {
  return {
    id: `bulk_${action.toLowerCase()}`,
    action,
    filterAsGiven: {},
    filter: {},
    reason: 'ops',
    status: 'RUNNING',
    total: 1,
    done: 0,
    skipped: 0,
    refused: 0,
    cursor: null,
    requestedBy: null,
    startedAt: 0,
    finishedAt: null,
    error: null,
    version: 1,
    lease: null,
  };
}

describe('bulk lever actions run twice by one operation', () => {
  it('RETRY: a handoff it redrove that failed again is counted done, not redriven again', async () => {
    const clock = new ManualClock();
    const engine = await engineOn(clock);
    const status = async () => (await engine.handoffs.get('r1'))!;
    await engine.handoffs.initiate({ handoffId: 'r1', procedureId: 'FAILS' });
    await clock.runUntil(async () => (await status()).status === 'FAILED');
    const retry = operation('RETRY');
    expect(await BULK_ACTIONS.RETRY.apply(await status(), retry, engine.handoffs)).toBe('DONE');
    await clock.runUntil(async () => (await status()).status === 'FAILED');
    expect((await status()).run).toBe(2);

    expect(await BULK_ACTIONS.RETRY.apply(await status(), retry, engine.handoffs)).toBe('DONE');
    expect((await status()).run).toBe(2);
    // Another operation retries it: its own run.
    expect(await BULK_ACTIONS.RETRY.apply(await status(), operation('CANCEL'), engine.handoffs)).toBe('DONE');
    expect((await status()).run).toBe(3);
  });

  it('PAUSE: its pause, asked, taken, then resumed by someone, is counted done and not asked again', async () => {
    const clock = new ManualClock();
    const engine = await engineOn(clock);
    const status = async () => (await engine.handoffs.get('p1'))!;
    await engine.handoffs.initiate({ handoffId: 'p1', procedureId: 'REVIEWED' });
    await clock.runUntil(async () => (await status()).status === 'WAITING');
    const pause = operation('PAUSE');
    expect(await BULK_ACTIONS.PAUSE.apply(await status(), pause, engine.handoffs)).toBe('DONE');
    expect(await BULK_ACTIONS.PAUSE.apply(await status(), pause, engine.handoffs)).toBe('DONE');
    await engine.handoffs.signal('p1', 'review', null);
    await clock.runUntil(async () => (await status()).status === 'PAUSED');
    expect((await status()).pause?.reason).toBe('ops [bulk operation bulk_pause]');
    expect((await engine.handoffs.resume('p1', null)).ok).toBe(true);

    expect(await BULK_ACTIONS.PAUSE.apply(await status(), pause, engine.handoffs)).toBe('DONE');
    await clock.runUntil(async () => (await status()).status === 'COMPLETED');
    const paused = (await engine.handoffs.history('p1', 0)).filter((event) => event.type === 'HANDOFF_PAUSED');
    expect(paused).toHaveLength(1);
  });

  it('RESUME: a handoff it resumed, paused again since, is counted done and not resumed again', async () => {
    const clock = new ManualClock();
    const engine = await engineOn(clock);
    const status = async () => (await engine.handoffs.get('s1'))!;
    await engine.handoffs.initiate({ handoffId: 's1', procedureId: 'REVIEWED' });
    await clock.runUntil(async () => (await status()).status === 'WAITING');
    await engine.handoffs.pause('s1', 'hold', null);
    await engine.handoffs.signal('s1', 'review', null);
    await clock.runUntil(async () => (await status()).status === 'PAUSED');
    const resume = operation('RESUME');
    expect(await BULK_ACTIONS.RESUME.apply(await status(), resume, engine.handoffs)).toBe('DONE');
    expect((await status()).status).not.toBe('PAUSED');
    // Paused again by someone before its next step (paused at once while it is queued, or asked for
    // while a runner has taken it: then it pauses before its next attempt).
    expect((await engine.handoffs.pause('s1', 'hold again', null)).ok).toBe(true);
    expect(['PENDING', 'PAUSED', 'RUNNING']).toContain((await status()).status);
    expect(await BULK_ACTIONS.RESUME.apply(await status(), resume, engine.handoffs)).toBe('DONE');
    const resumed = (await engine.handoffs.history('s1', 0)).filter((event) => event.type === 'HANDOFF_RESUMED');
    expect(resumed).toHaveLength(1);
    expect(resumed[0].data).toMatchObject({ reason: 'ops [bulk operation bulk_resume]' });
  });
});
