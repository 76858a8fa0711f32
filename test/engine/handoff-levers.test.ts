import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/engine/engine.js';
import { seededRandom } from '../../src/engine/shared/random.js';
import { SqliteDatabase } from '../../src/store/sqlite/sqlite-database.js';
import { ManualClock } from '../support/manual-clock.js';
import { testStores } from '../support/test-stores.js';

/** Pause, resume and deadlines on the injected clock: what fires when, with no real waiting. */

const engines: Engine[] = [];

afterEach(async () => {
  for (const engine of engines.splice(0)) await engine.stop();
});

async function engineWith(clock: ManualClock, maxConcurrentHandoffs = 10): Promise<Engine> {
  const engine = await createEngine({
    stores: await testStores(SqliteDatabase.inMemory(), 'levers', false),
    settings: { agentHeartbeatWindowMs: 30_000, maxConcurrentHandoffs, webhookAllowList: [] },
    owner: 'levers',
    clock,
    random: seededRandom(3),
  });
  await engine.start();
  engines.push(engine);
  return engine;
}

async function define(
  engine: Engine,
  steps: Record<string, unknown>[],
  deadlineMs: number | null = null,
): Promise<void> {
  const outcome = await engine.procedures.create({ id: 'LEVERS', name: 'levers', deadlineMs, steps: steps as never });
  if (!outcome.ok) throw new Error(JSON.stringify(outcome.errors));
}

const reserve = {
  id: 'reserve',
  name: 'reserve',
  kind: 'noop',
  params: {},
  timeoutMs: 1_000,
  compensation: { id: 'release', name: 'release', kind: 'noop', params: {}, timeoutMs: 1_000 },
};
/** Fails its first attempt; the retry waits a minute. */
const flaky = {
  id: 'flaky',
  name: 'flaky',
  kind: 'simulate',
  params: { failFirstAttempts: 1 },
  timeoutMs: 1_000,
  retry: { maxAttempts: 2, initialDelayMs: 60_000, maxDelayMs: 60_000, jitter: 0 },
};

describe('levers on the injected clock', () => {
  it('a retry back-off does not run while paused, and resumes with the time it had left', async () => {
    const clock = new ManualClock();
    const engine = await engineWith(clock);
    await define(engine, [reserve, flaky]);
    await engine.handoffs.initiate({ handoffId: 'h1', procedureId: 'LEVERS' });
    await clock.runUntil(async () => (await engine.handoffs.get('h1'))!.steps[1].retryAt !== null);
    const retryAt = (await engine.handoffs.get('h1'))!.steps[1].retryAt!;
    await clock.advance(20_000);
    expect((await engine.handoffs.pause('h1', 'hold', null)).ok).toBe(true);
    await clock.runUntil(async () => (await engine.handoffs.get('h1'))!.status === 'PAUSED');
    const pausedAt = (await engine.handoffs.get('h1'))!.pause!.at;

    // Ten minutes paused: the back-off would have run out long ago.
    await clock.advance(600_000);
    expect((await engine.handoffs.get('h1'))!.steps[1]).toMatchObject({ status: 'PENDING', attempts: 1 });

    expect((await engine.handoffs.resume('h1', null)).ok).toBe(true);
    const resumed = (await engine.handoffs.get('h1'))!;
    expect(resumed.steps[1].retryAt! - retryAt).toBe(clock.now() - pausedAt);
    await clock.advance(39_000);
    expect((await engine.handoffs.get('h1'))!.steps[1].attempts).toBe(1);
    await clock.runUntil(async () => (await engine.handoffs.get('h1'))!.status === 'COMPLETED', 100);
    expect(clock.now()).toBeGreaterThanOrEqual(resumed.steps[1].retryAt!);
  });

  it('a deadline fires on the clock and does not count time paused', async () => {
    const clock = new ManualClock();
    const engine = await engineWith(clock);
    const ship = { id: 'ship', name: 'ship', kind: 'noop', params: {}, timeoutMs: 1_000 };
    await define(
      engine,
      [reserve, { id: 'review', name: 'review', kind: 'await_signal', params: {}, timeoutMs: 3_600_000 }, ship],
      100_000,
    );
    await engine.handoffs.initiate({ handoffId: 'h2', procedureId: 'LEVERS' });
    expect((await engine.handoffs.get('h2'))!.deadlineAt).toBe(clock.now() + 100_000);
    await clock.runUntil(async () => (await engine.handoffs.get('h2'))!.status === 'WAITING');
    await engine.handoffs.pause('h2', null, null);
    await engine.handoffs.signal('h2', 'review', null);
    await clock.runUntil(async () => (await engine.handoffs.get('h2'))!.status === 'PAUSED');
    // Paused past the deadline: nothing fires.
    await clock.advance(500_000);
    expect((await engine.handoffs.get('h2'))!.status).toBe('PAUSED');
    await engine.handoffs.resume('h2', null);
    const resumed = (await engine.handoffs.get('h2'))!;
    expect(resumed.deadlineAt! - clock.now()).toBeGreaterThan(0);
    await clock.runUntil(async () => (await engine.handoffs.get('h2'))!.status === 'COMPLETED');
  });

  it('past its deadline a waiting handoff is cancelled and rolled back with DEADLINE_EXCEEDED', async () => {
    const clock = new ManualClock();
    const engine = await engineWith(clock);
    await define(engine, [
      reserve,
      { id: 'review', name: 'review', kind: 'await_signal', params: {}, timeoutMs: 3_600_000 },
    ]);
    await engine.handoffs.initiate({ handoffId: 'h3', procedureId: 'LEVERS', deadlineMs: 50_000 });
    await clock.runUntil(async () => (await engine.handoffs.get('h3'))!.status === 'WAITING');
    await clock.advance(49_000);
    expect((await engine.handoffs.get('h3'))!.status).toBe('WAITING');
    await clock.runUntil(async () => (await engine.handoffs.get('h3'))!.status === 'CANCELLED', 100);
    const done = (await engine.handoffs.get('h3'))!;
    expect(done).toMatchObject({ errorCode: 'DEADLINE_EXCEEDED' });
    expect(done.steps.map((step) => step.status)).toEqual(['COMPENSATED', 'FAILED']);
    expect(done.finishedAt! - done.createdAt).toBeGreaterThanOrEqual(50_000);
  });

  it('a handoff still waiting for its turn when its deadline passes is cancelled then, not when its turn comes', async () => {
    const clock = new ManualClock();
    const engine = await engineWith(clock, 1);
    await define(engine, [
      reserve,
      { id: 'review', name: 'review', kind: 'await_signal', params: {}, timeoutMs: 3_600_000 },
    ]);
    // Work that takes an hour holds the one slot (a handoff that waits would not).
    const busy = await engine.procedures.create({
      id: 'BUSY',
      name: 'busy',
      steps: [{ id: 'work', name: 'work', kind: 'delay', params: { ms: 3_600_000 }, timeoutMs: 3_600_000 }] as never,
    });
    if (!busy.ok) throw new Error(JSON.stringify(busy.errors));
    await engine.handoffs.initiate({ handoffId: 'busy', procedureId: 'BUSY' });
    await clock.runUntil(async () => (await engine.handoffs.get('busy'))!.status === 'RUNNING');
    await engine.handoffs.initiate({ handoffId: 'queued', procedureId: 'LEVERS', deadlineMs: 30_000 });
    await clock.advance(29_000);
    expect((await engine.handoffs.get('queued'))!.status).toBe('PENDING');
    await clock.runUntil(async () => (await engine.handoffs.get('queued'))!.status === 'CANCELLED', 100);
    expect(clock.now() - (await engine.handoffs.get('queued'))!.createdAt).toBeLessThan(31_000);
    expect(await engine.handoffs.get('queued')).toMatchObject({
      errorCode: 'DEADLINE_EXCEEDED',
      cancelReason: expect.stringContaining('while it waited for its turn'),
    });
    expect((await engine.handoffs.get('busy'))!.status).toBe('RUNNING');
  });

  it('a redrive neither takes a pause the last run never reached nor runs a handoff that was cancelled', async () => {
    const clock = new ManualClock();
    const engine = await engineWith(clock);
    const failingUndo = {
      ...reserve,
      compensation: {
        id: 'release',
        name: 'release',
        kind: 'simulate',
        params: { failureProbability: 1 },
        timeoutMs: 1_000,
      },
    };
    const review = { id: 'review', name: 'review', kind: 'await_signal', params: {}, timeoutMs: 3_600_000 };
    const ship = { id: 'ship', name: 'ship', kind: 'noop', params: {}, timeoutMs: 1_000 };
    await define(engine, [reserve, review, ship]);
    const fails = await engine.procedures.create({
      id: 'UNDO_FAILS',
      name: 'undo fails',
      steps: [failingUndo, review] as never,
    });
    expect(fails.ok).toBe(true);

    await engine.handoffs.initiate({ handoffId: 'h4', procedureId: 'LEVERS' });
    await clock.runUntil(async () => (await engine.handoffs.get('h4'))!.status === 'WAITING');
    await engine.handoffs.pause('h4', 'later', null);
    await engine.handoffs.signal('h4', 'review', null, { outcome: 'REJECT', reason: 'no' });
    await clock.runUntil(async () => (await engine.handoffs.get('h4'))!.status === 'ROLLED_BACK');
    expect((await engine.handoffs.redrive('h4', {}, null)).ok).toBe(true);
    await clock.runUntil(async () => (await engine.handoffs.get('h4'))!.status === 'WAITING');
    expect((await engine.handoffs.history('h4', 0)).map((event) => event.type)).not.toContain('HANDOFF_PAUSED');

    await engine.handoffs.initiate({ handoffId: 'h5', procedureId: 'UNDO_FAILS' });
    await clock.runUntil(async () => (await engine.handoffs.get('h5'))!.status === 'WAITING');
    await engine.handoffs.cancel('h5', 'changed plan');
    await clock.runUntil(async () => (await engine.handoffs.get('h5'))!.status === 'ROLLBACK_FAILED');
    const refused = await engine.handoffs.redrive('h5', {}, null);
    expect(refused).toEqual({
      ok: false,
      errors: [expect.objectContaining({ code: 'INVALID_STATE', message: expect.stringContaining('cancelled') })],
    });
  });
});
