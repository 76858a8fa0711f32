import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/engine/engine.js';
import type { EngineStores } from '../../src/engine/engine-stores.js';
import type { HandoffEvent } from '../../src/engine/kernel/handoff/handoff-event.js';
import { retryDelayMs } from '../../src/engine/kernel/handoff/retry-delay.js';
import type { HandoffStore } from '../../src/engine/kernel/ports/handoff-store.js';
import { StoreUnavailableError } from '../../src/engine/kernel/ports/store-errors.js';
import { seededRandom } from '../../src/engine/shared/random.js';
import type { Database } from '../../src/store/collection.js';
import { SqliteDatabase } from '../../src/store/sqlite/sqlite-database.js';
import { ManualClock } from '../support/manual-clock.js';
import { testStores } from '../support/test-stores.js';

const settings = { agentHeartbeatWindowMs: 30_000, maxConcurrentHandoffs: 10, webhookAllowList: [] };
const engines: Engine[] = [];
let db: Database;

async function engineOn(
  database: Database,
  owner: string,
  overrides: Partial<typeof settings> = {},
  shared = false,
  clock?: ManualClock,
  wrap: (stores: EngineStores) => EngineStores = (stores) => stores,
): Promise<Engine> {
  const engine = await createEngine({
    stores: wrap(await testStores(database, owner, shared)),
    settings: { ...settings, ...overrides },
    owner,
    clock,
    random: seededRandom(7),
    ...(shared ? { leaseMs: 300 } : {}),
  });
  await engine.start();
  engines.push(engine);
  return engine;
}

afterEach(async () => {
  for (const engine of engines.splice(0)) await engine.stop();
});

const quick = { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 5, multiplier: 2, jitter: 0 };

async function defineProcedure(engine: Engine, id: string, steps: Record<string, unknown>[]) {
  const outcome = await engine.procedures.create({
    id,
    name: id,
    steps: steps.map((step) => ({ timeoutMs: 5_000, retry: quick, params: {}, ...step })) as never,
  });
  if (!outcome.ok) throw new Error(JSON.stringify(outcome.errors));
}

function untilFinal(engine: Engine, id: string): Promise<HandoffEvent[]> {
  return (async () => {
    const events: HandoffEvent[] = [];
    for await (const event of engine.handoffs.progress(id, 0)) events.push(event);
    return events;
  })();
}

describe('retryDelayMs', () => {
  it('grows exponentially, is capped, and stays within the jitter band', () => {
    const policy = { maxAttempts: 10, initialDelayMs: 100, multiplier: 2, maxDelayMs: 1_000, jitter: 0 };
    const random = seededRandom(1);
    expect([2, 3, 4, 5, 6].map((n) => retryDelayMs(n, policy, random))).toEqual([100, 200, 400, 800, 1_000]);
    const jittered = { ...policy, jitter: 0.5 };
    for (let i = 0; i < 100; i++) {
      const delay = retryDelayMs(3, jittered, random);
      expect(delay).toBeGreaterThanOrEqual(100);
      expect(delay).toBeLessThanOrEqual(300);
    }
  });
});

describe('HandoffRunner', () => {
  it('resumes a handoff whose runner stopped mid-step, counting the interrupted attempt', async () => {
    db = SqliteDatabase.inMemory();
    const clock = new ManualClock();
    const first = await engineOn(db, 'first', {}, false, clock);
    await defineProcedure(first, 'SLOW', [
      { id: 'quick', name: 'quick', kind: 'noop' },
      { id: 'slow', name: 'slow', kind: 'delay', params: { ms: 300 }, retry: { ...quick, maxAttempts: 2 } },
    ]);
    const started = await first.handoffs.initiate({ handoffId: 'resume_me', procedureId: 'SLOW' });
    expect(started.ok).toBe(true);
    // The slow step waits on virtual time that never comes: stop the engine while it runs.
    await clock.runUntil(async () => (await first.handoffs.get('resume_me'))!.steps[1].status === 'RUNNING');
    await first.stop();
    engines.splice(engines.indexOf(first), 1);
    expect((await first.handoffs.get('resume_me'))!.status).toBe('RUNNING');

    const second = await engineOn(db, 'second', {}, false, clock);
    const events = untilFinal(second, 'resume_me');
    await clock.runUntil(async () => (await second.handoffs.get('resume_me'))!.status === 'COMPLETED');
    const types = (await events).map(
      (e) => `${e.type}${e.step ? ` ${e.step}` : ''}${e.attempt ? ` #${e.attempt}` : ''}`,
    );
    expect(types).toEqual([
      'HANDOFF_CREATED',
      'GATES_PASSED',
      'HANDOFF_STARTED',
      'STEP_STARTED quick #1',
      'STEP_SUCCEEDED quick #1',
      'STEP_STARTED slow #1',
      'HANDOFF_INTERRUPTED slow #1',
      'STEP_FAILED slow #1',
      'STEP_RETRY_SCHEDULED slow #2',
      'STEP_STARTED slow #2',
      'STEP_SUCCEEDED slow #2',
      'HANDOFF_COMPLETED',
    ]);
    expect((await events).map((e) => e.seq)).toEqual(types.map((_, i) => i + 1));
    const done = (await second.handoffs.get('resume_me'))!;
    expect(done.steps[1]).toMatchObject({ status: 'SUCCEEDED', attempts: 2 });
  });

  it('goes on waiting for a signal after restarts at no cost of attempts, within what is left of the timeout', async () => {
    db = SqliteDatabase.inMemory();
    const clock = new ManualClock();
    const define = async (engine: Engine) =>
      defineProcedure(engine, 'REVIEWED', [
        { id: 'review', name: 'review', kind: 'await_signal', timeoutMs: 60_000, retry: { ...quick, maxAttempts: 2 } },
      ]);
    let engine = await engineOn(db, 'first', {}, false, clock);
    await define(engine);
    await engine.handoffs.initiate({ handoffId: 'waits', procedureId: 'REVIEWED' });
    await clock.runUntil(async () => (await engine.handoffs.get('waits'))!.status === 'WAITING', 0);
    // The wait holds no slot: nothing runs the handoff while it waits.
    expect(engine.runner.isActive('waits')).toBe(false);
    expect(engine.queue.runningCount).toBe(0);
    // Three restarts, 10 s apart: the wait is the same attempt throughout.
    for (const owner of ['second', 'third', 'fourth']) {
      await clock.advance(10_000);
      await engine.stop();
      engines.splice(engines.indexOf(engine), 1);
      engine = await engineOn(db, owner, {}, false, clock);
      await clock.advance(0);
      expect(engine.runner.isActive('waits')).toBe(false);
    }
    expect((await engine.handoffs.get('waits'))!.steps[0]).toMatchObject({ status: 'WAITING', attempts: 1 });
    // 30 s have passed: the first attempt times out 60 s after it started, not 60 s after the last restart.
    await clock.advance(29_999);
    expect((await engine.handoffs.get('waits'))!.steps[0].attempts).toBe(1);
    await clock.advance(2);
    await clock.runUntil(async () => (await engine.handoffs.get('waits'))!.steps[0].attempts === 2);
    expect((await engine.handoffs.signal('waits', 'review', { ok: true })).ok).toBe(true);
    await clock.runUntil(async () => (await engine.handoffs.get('waits'))!.status === 'COMPLETED');
    const started = (await engine.handoffs.history('waits', 0))
      .filter((e) => e.type === 'STEP_WAITING')
      .map((e) => e.attempt);
    expect(started).toEqual([1, 2]);
  });

  it('waits exactly the retry policy between attempts, and times out on virtual time', async () => {
    db = SqliteDatabase.inMemory();
    const clock = new ManualClock();
    const engine = await engineOn(db, 'solo', {}, false, clock);
    const backoff = { maxAttempts: 3, initialDelayMs: 100, multiplier: 2, maxDelayMs: 10_000, jitter: 0 };
    await defineProcedure(engine, 'BACKOFF', [
      {
        id: 'flaky',
        name: 'flaky',
        kind: 'simulate',
        params: { failFirstAttempts: 2 },
        timeoutMs: 5_000,
        retry: backoff,
      },
      {
        id: 'hangs',
        name: 'hangs',
        kind: 'delay',
        params: { ms: 60_000 },
        timeoutMs: 50,
        retry: { ...backoff, maxAttempts: 1 },
      },
    ]);
    await engine.handoffs.initiate({ handoffId: 'backoff_1', procedureId: 'BACKOFF' });
    const step = async () => (await engine.handoffs.get('backoff_1'))!.steps[0];
    await clock.runUntil(async () => (await step()).attempts === 1 && (await step()).status === 'PENDING', 0);
    expect((await step()).retryAt! - clock.now()).toBe(100);
    expect(clock.pendingDelays).toEqual([100]);
    await clock.advance(99);
    expect((await step()).attempts).toBe(1);
    await clock.advance(1);
    expect((await step()).attempts).toBe(2);
    expect(clock.pendingDelays).toEqual([200]);
    await clock.advance(200);
    expect(await step()).toMatchObject({ status: 'SUCCEEDED', attempts: 3 });
    // The next step sleeps 60 s but its timeout is 50 ms of virtual time.
    await clock.advance(50);
    const done = (await engine.handoffs.get('backoff_1'))!;
    expect(done.status).toBe('FAILED');
    expect(done.steps[1].error).toBe('attempt 1 timed out after 50 ms');
  });

  it('fails the step for good when the interrupted attempt was its last', async () => {
    db = SqliteDatabase.inMemory();
    const first = await engineOn(db, 'first');
    await defineProcedure(first, 'ONE_SHOT', [
      {
        id: 'prep',
        name: 'prep',
        kind: 'noop',
        compensation: { id: 'undo_prep', name: 'undo prep', kind: 'noop', params: {}, timeoutMs: 1_000 },
      },
      { id: 'once', name: 'once', kind: 'delay', params: { ms: 300 }, retry: { ...quick, maxAttempts: 1 } },
    ]);
    await first.handoffs.initiate({ handoffId: 'one_shot', procedureId: 'ONE_SHOT' });
    for await (const event of first.handoffs.progress('one_shot', 0)) {
      if (event.type === 'STEP_STARTED' && event.step === 'once') break;
    }
    await first.stop();
    engines.splice(engines.indexOf(first), 1);
    const second = await engineOn(db, 'second');
    const events = await untilFinal(second, 'one_shot');
    expect(events.at(-1)!.type).toBe('HANDOFF_ROLLED_BACK');
    const done = (await second.handoffs.get('one_shot'))!;
    expect(done.steps.map((s) => [s.status, s.attempts])).toEqual([
      ['COMPENSATED', 1],
      ['FAILED', 1],
    ]);
  });

  it('never runs more handoffs at once than the cap, and starts higher priorities first', async () => {
    db = SqliteDatabase.inMemory();
    const clock = new ManualClock();
    const engine = await engineOn(db, 'solo', { maxConcurrentHandoffs: 1 }, false, clock);
    // Work that takes time holds its slot (a wait would not: see the next test).
    await defineProcedure(engine, 'BLOCKER', [{ id: 'work', name: 'work', kind: 'delay', params: { ms: 1_000 } }]);
    await defineProcedure(engine, 'QUICK', [{ id: 'go', name: 'go', kind: 'noop' }]);
    const order: string[] = [];
    engine.handoffs.events.subscribe((event) => {
      if (event.type === 'HANDOFF_STARTED') order.push(event.handoffId);
    });
    await engine.handoffs.initiate({ handoffId: 'blocker', procedureId: 'BLOCKER' });
    await engine.handoffs.initiate({ handoffId: 'low', procedureId: 'QUICK', priority: 'LOW' });
    await engine.handoffs.initiate({ handoffId: 'medium', procedureId: 'QUICK', priority: 'MEDIUM' });
    await engine.handoffs.initiate({ handoffId: 'critical', procedureId: 'QUICK', priority: 'CRITICAL' });
    expect(engine.queue.runningCount).toBe(1);
    expect(engine.queue.waitingCount).toBe(3);
    await clock.runUntil(async () => (await engine.handoffs.get('low'))!.status === 'COMPLETED');
    expect(order).toEqual(['blocker', 'critical', 'medium', 'low']);
  });

  it('holds no slot for a handoff that waits: with one slot, waiting ones never stop the others', async () => {
    db = SqliteDatabase.inMemory();
    const clock = new ManualClock();
    const engine = await engineOn(db, 'solo', { maxConcurrentHandoffs: 1 }, false, clock);
    await defineProcedure(engine, 'REVIEWED', [{ id: 'wait', name: 'wait', kind: 'await_signal', timeoutMs: 60_000 }]);
    await defineProcedure(engine, 'QUICK', [{ id: 'go', name: 'go', kind: 'noop' }]);
    for (let i = 0; i < 5; i++) await engine.handoffs.initiate({ handoffId: `waits_${i}`, procedureId: 'REVIEWED' });
    for (let i = 0; i < 5; i++) await engine.handoffs.initiate({ handoffId: `quick_${i}`, procedureId: 'QUICK' });
    await clock.runUntil(async () => (await engine.handoffs.count({ status: ['COMPLETED'] })) === 5, 10, 2_000);
    expect(await engine.handoffs.count({ status: ['WAITING'] })).toBe(5);
    expect(engine.queue.runningCount).toBe(0);
    // Signalled, each goes on where it waited.
    for (let i = 0; i < 5; i++) await engine.handoffs.signal(`waits_${i}`, 'wait', { i });
    await clock.runUntil(async () => (await engine.handoffs.count({ status: ['COMPLETED'] })) === 10);
    expect((await engine.handoffs.get('waits_3'))!.steps[0]).toMatchObject({
      attempts: 1,
      output: { signal: { i: 3 } },
    });
  });

  it('cancels a queued handoff at once, without running it', async () => {
    db = SqliteDatabase.inMemory();
    const engine = await engineOn(db, 'solo', { maxConcurrentHandoffs: 1 });
    await defineProcedure(engine, 'BLOCKER', [{ id: 'wait', name: 'wait', kind: 'await_signal', timeoutMs: 60_000 }]);
    await engine.handoffs.initiate({ handoffId: 'blocker', procedureId: 'BLOCKER' });
    await engine.handoffs.initiate({ handoffId: 'queued', procedureId: 'BLOCKER' });
    const cancelled = await engine.handoffs.cancel('queued', 'not needed');
    expect(cancelled.ok).toBe(true);
    const events = await untilFinal(engine, 'queued');
    expect(events.map((e) => e.type)).toEqual(['HANDOFF_CREATED', 'HANDOFF_CANCELLED']);
    await engine.handoffs.cancel('blocker', 'done');
    await engine.queue.idle();
  });

  it('keeps a running handoff on the procedure version it started with', async () => {
    db = SqliteDatabase.inMemory();
    const engine = await engineOn(db, 'solo');
    await defineProcedure(engine, 'VERSIONED', [{ id: 'wait', name: 'wait', kind: 'await_signal', timeoutMs: 60_000 }]);
    await engine.handoffs.initiate({ handoffId: 'pinned', procedureId: 'VERSIONED' });
    const updated = await engine.procedures.update({
      id: 'VERSIONED',
      name: 'v2',
      steps: [
        { id: 'other', name: 'other', kind: 'noop', timeoutMs: 1_000 },
        { id: 'more', name: 'more', kind: 'noop', timeoutMs: 1_000 },
      ],
    });
    expect(updated.ok && updated.value.version).toBe(2);
    await engine.handoffs.signal('pinned', 'wait', { ok: true });
    await untilFinal(engine, 'pinned');
    const done = (await engine.handoffs.get('pinned'))!;
    expect(done).toMatchObject({ status: 'COMPLETED', procedureVersion: 1 });
    expect(done.steps.map((s) => s.id)).toEqual(['wait']);
  });

  it('lets only the lease holder run a handoff when two processes share a store', async () => {
    db = SqliteDatabase.inMemory();
    const clock = new ManualClock();
    const a = await engineOn(db, 'process_a', {}, true, clock);
    const b = await engineOn(db, 'process_b', {}, true, clock);
    await defineProcedure(a, 'GATED', [
      { id: 'wait', name: 'wait', kind: 'await_signal', timeoutMs: 60_000 },
      { id: 'then', name: 'then', kind: 'noop' },
    ]);
    await a.handoffs.initiate({ handoffId: 'leased', procedureId: 'GATED' });
    for await (const event of a.handoffs.progress('leased', 0)) if (event.type === 'STEP_WAITING') break;
    // B tries to run it while A holds (and renews) the lease: B does nothing.
    await b.runner.execute('leased');
    await clock.advance(400); // longer than one lease (virtual time): renewal must keep it
    await b.runner.execute('leased');
    expect(b.runner.isActive('leased')).toBe(false);
    await a.handoffs.signal('leased', 'wait', null);
    const events = await untilFinal(a, 'leased');
    expect(events.filter((e) => e.type === 'STEP_WAITING')).toHaveLength(1);
    expect(events.some((e) => e.type === 'HANDOFF_INTERRUPTED')).toBe(false);
    expect(events.at(-1)!.type).toBe('HANDOFF_COMPLETED');
  });

  it('resumes a handoff after the store failed mid-run, backing off instead of giving up', async () => {
    const clock = new ManualClock();
    const flaky = failingOnce();
    const engine = await engineOn(SqliteDatabase.inMemory(), 'solo', {}, false, clock, flaky.wrap);
    await defineProcedure(engine, 'TWO_STEPS', [
      { id: 'one', name: 'one', kind: 'noop' },
      { id: 'two', name: 'two', kind: 'delay', params: { ms: 10 } },
    ]);
    await engine.handoffs.initiate({ handoffId: 'store_blip', procedureId: 'TWO_STEPS' });
    await clock.runUntil(async () => (await engine.handoffs.get('store_blip'))!.steps[1].status === 'RUNNING', 0);
    flaky.armed = true; // the next state change fails, as if the store dropped the connection
    await clock.advance(10);
    expect(flaky.armed).toBe(false);
    expect((await engine.handoffs.get('store_blip'))!.status).toBe('RUNNING');
    await clock.runUntil(async () => (await engine.handoffs.get('store_blip'))!.status === 'COMPLETED');
    const history = await engine.handoffs.history('store_blip', 0);
    expect(history.map((e) => e.type)).toContain('HANDOFF_INTERRUPTED');
    expect(history.map((e) => e.seq)).toEqual(history.map((_, i) => i + 1));
  });
});

describe('HandoffRunner when the store fails', () => {
  it('survives a failed lease read (a queued handoff, the store full or gone) and runs the handoff once the store answers', async () => {
    const clock = new ManualClock();
    let failLeases = 0;
    const failingLeases = (stores: EngineStores): EngineStores => {
      const inner = stores.handoffs;
      const full = () =>
        Promise.reject(new StoreUnavailableError('lease handoffs', new Error('database or disk is full')));
      // Both ways of taking a lease: from the stored state, or as its creator holds it.
      const acquireLease: HandoffStore['acquireLease'] = (...args) =>
        failLeases-- > 0 ? full() : inner.acquireLease(...args);
      const claim: HandoffStore['claim'] = (...args) => (failLeases-- > 0 ? full() : inner.claim(...args));
      return { ...stores, handoffs: Object.assign(Object.create(inner) as HandoffStore, { acquireLease, claim }) };
    };
    // One handoff at a time: the second waits in the queue past its creation lease, then must lease from the store.
    const engine = await engineOn(
      SqliteDatabase.inMemory(),
      'solo',
      { maxConcurrentHandoffs: 1 },
      false,
      clock,
      failingLeases,
    );
    await defineProcedure(engine, 'WAITS', [
      { id: 'wait', name: 'wait', kind: 'delay', params: { ms: 20_000 }, timeoutMs: 30_000 },
    ]);
    await engine.handoffs.initiate({ handoffId: 'first', procedureId: 'WAITS' });
    await engine.handoffs.initiate({ handoffId: 'queued', procedureId: 'WAITS' });
    failLeases = 2;
    await clock.runUntil(async () => (await engine.handoffs.get('queued'))!.status === 'COMPLETED');
    expect(failLeases).toBeLessThan(0);
    const history = await engine.handoffs.history('queued', 0);
    expect(history.map((e) => e.seq)).toEqual(history.map((_, i) => i + 1));
    expect(history.at(-1)!.type).toBe('HANDOFF_COMPLETED');
  });
});

describe('HandoffRunner across processes', () => {
  it('stops an attempt at once when its lease was taken over (this process stalled past it), leaving the run to the new holder', async () => {
    const clock = new ManualClock();
    db = SqliteDatabase.inMemory();
    const a = await engineOn(db, 'process_a', {}, true, clock);
    const b = await engineOn(db, 'process_b', {}, true, clock);
    await defineProcedure(a, 'LONG_STEP', [
      { id: 'long', name: 'long', kind: 'delay', params: { ms: 10_000 }, timeoutMs: 20_000 },
    ]);
    await a.handoffs.initiate({ handoffId: 'taken_over', procedureId: 'LONG_STEP' });
    await clock.runUntil(
      async () =>
        a.runner.isActive('taken_over') && (await a.handoffs.get('taken_over'))!.steps[0].status === 'RUNNING',
      0,
    );
    // As if a had stalled past its lease and b had taken it: b holds the lease now.
    expect(await b.stores.handoffs.acquireLease('taken_over', 'process_b', clock.now(), 300, true)).not.toBeNull();
    // a learns at its next renewal (within a third of the lease, virtual time) that the lease is gone,
    // and stops its attempt there, long before the step would have ended, without recording anything
    const takenAt = clock.now();
    await clock.runUntil(async () => !a.runner.isActive('taken_over'));
    expect(clock.now() - takenAt).toBeLessThanOrEqual(100);
    expect((await a.handoffs.get('taken_over'))!.steps[0]).toMatchObject({ status: 'RUNNING', attempts: 1 });
    // whoever leases it next (b's lease runs out unused here) resumes it, counting the cut-short attempt
    await clock.runUntil(async () => (await b.handoffs.get('taken_over'))!.status === 'COMPLETED');
    const history = await b.handoffs.history('taken_over', 0);
    expect(history.map((e) => e.seq)).toEqual(history.map((_, i) => i + 1));
    expect(history.filter((e) => e.type === 'STEP_STARTED').map((e) => e.attempt)).toEqual([1, 2]);
  });

  it('aborts a long step when another process records the cancel (seen at lease renewal)', async () => {
    db = SqliteDatabase.inMemory();
    const a = await engineOn(db, 'process_a', {}, true);
    const b = await engineOn(db, 'process_b', {}, true);
    await defineProcedure(a, 'LONG_DELAY', [
      {
        id: 'prep',
        name: 'prep',
        kind: 'noop',
        compensation: { id: 'undo_prep', name: 'undo prep', kind: 'noop', params: {}, timeoutMs: 1_000 },
      },
      { id: 'long', name: 'long', kind: 'delay', params: { ms: 60_000 }, timeoutMs: 120_000 },
    ]);
    await a.handoffs.initiate({ handoffId: 'remote_cancel', procedureId: 'LONG_DELAY' });
    for await (const event of a.handoffs.progress('remote_cancel', 0))
      if (event.type === 'STEP_STARTED' && event.step === 'long') break;
    const cancelled = await b.handoffs.cancel('remote_cancel', 'from the other process');
    expect(cancelled.ok).toBe(true);
    const events = await untilFinal(a, 'remote_cancel');
    expect(events.at(-1)!.type).toBe('HANDOFF_CANCELLED');
    expect(events.some((e) => e.type === 'COMPENSATION_SUCCEEDED' && e.step === 'prep')).toBe(true);
  });
});

describe('HandoffRunner after faults between writes', () => {
  it('never runs a step again that failed for good, even if the rollback was not recorded yet', async () => {
    const clock = new ManualClock();
    const flaky = failingOnce('ROLLING_BACK');
    const engine = await engineOn(SqliteDatabase.inMemory(), 'solo', {}, false, clock, flaky.wrap);
    let runs = 0;
    engine.faults.register('t1', { beforeAttempt: async (_h, step) => void (step === 'two' && runs++) });
    await defineProcedure(engine, 'ONE_SHOT_TWO', [
      {
        id: 'one',
        name: 'one',
        kind: 'noop',
        compensation: { id: 'undo_one', name: 'undo one', kind: 'noop', params: {}, timeoutMs: 1_000 },
      },
      {
        id: 'two',
        name: 'two',
        kind: 'simulate',
        params: { failureProbability: 1 },
        retry: { ...quick, maxAttempts: 1 },
      },
    ]);
    flaky.armed = true; // the write that starts the rollback fails once
    await engine.handoffs.initiate({ handoffId: 'no_rerun', procedureId: 'ONE_SHOT_TWO', test: { testId: 't1' } });
    await clock.runUntil(async () => (await engine.handoffs.get('no_rerun'))!.status === 'ROLLED_BACK');
    expect(runs).toBe(1);
    const done = (await engine.handoffs.get('no_rerun'))!;
    expect(done.steps.map((s) => [s.status, s.attempts])).toEqual([
      ['COMPENSATED', 1],
      ['FAILED', 1],
    ]);
  });

  it('undoes a handoff whose last step succeeded as a cancel came in, even when the run stops before the rollback is recorded', async () => {
    const clock = new ManualClock();
    db = SqliteDatabase.inMemory();
    const flaky = failingOnce('ROLLING_BACK');
    const a = await engineOn(db, 'process_a', {}, true, clock, flaky.wrap);
    const b = await engineOn(db, 'process_b', {}, true, clock);
    await defineProcedure(a, 'LAST_STEP_RACE', [
      {
        id: 'only',
        name: 'only',
        kind: 'delay',
        params: { ms: 10 },
        compensation: { id: 'undo', name: 'undo', kind: 'noop', params: {}, timeoutMs: 1_000 },
      },
    ]);
    await a.handoffs.initiate({ handoffId: 'race', procedureId: 'LAST_STEP_RACE' });
    await clock.runUntil(async () => (await a.handoffs.get('race'))!.steps[0].status === 'RUNNING', 0);
    // The cancel is recorded through the other process: the step ends before a hears of it, so the
    // completion is refused; then the write that starts the rollback fails once (the run stops there).
    flaky.armed = true;
    expect((await b.handoffs.cancel('race', 'changed plan')).ok).toBe(true);
    await clock.runUntil(async () => (await a.handoffs.get('race'))!.status === 'CANCELLED');
    const history = await a.handoffs.history('race', 0);
    expect(flaky.armed).toBe(false);
    expect(history.map((e) => e.type)).toEqual(
      expect.arrayContaining(['STEP_SUCCEEDED', 'COMPENSATION_SUCCEEDED', 'HANDOFF_CANCELLED']),
    );
    expect(history.map((e) => e.seq)).toEqual(history.map((_, i) => i + 1));
  });

  it('stops at once on shutdown even while a cancel-triggered rollback runs a slow compensation', async () => {
    db = SqliteDatabase.inMemory();
    // On a clock that never moves, the compensation's minute never passes: stop must return without it.
    const engine = await engineOn(db, 'solo', {}, false, new ManualClock());
    await defineProcedure(engine, 'SLOW_UNDO', [
      {
        id: 'one',
        name: 'one',
        kind: 'noop',
        compensation: { id: 'undo_one', name: 'undo one', kind: 'delay', params: { ms: 60_000 }, timeoutMs: 120_000 },
      },
      { id: 'wait', name: 'wait', kind: 'await_signal', timeoutMs: 60_000 },
    ]);
    await engine.handoffs.initiate({ handoffId: 'slow_undo', procedureId: 'SLOW_UNDO' });
    for await (const event of engine.handoffs.progress('slow_undo', 0)) if (event.type === 'STEP_WAITING') break;
    await engine.handoffs.cancel('slow_undo', 'changed plan');
    for await (const event of engine.handoffs.progress('slow_undo', 0))
      if (event.type === 'COMPENSATION_STARTED') break;
    engines.splice(engines.indexOf(engine), 1);
    await engine.stop();
    expect((await engine.handoffs.get('slow_undo'))!.status).toBe('ROLLING_BACK'); // resumes at the next start
  });
});

/** Handoff ports whose next state change (to `onlyStatus`, when given) fails once when armed. */
function failingOnce(onlyStatus?: string): { armed: boolean; wrap(stores: EngineStores): EngineStores } {
  const state = {
    armed: false,
    wrap(stores: EngineStores): EngineStores {
      const inner = stores.handoffs;
      const transition: HandoffStore['transition'] = (next, ...rest) => {
        if (state.armed && (!onlyStatus || next.status === onlyStatus)) {
          state.armed = false;
          return Promise.reject(new Error('connection reset by the store'));
        }
        return inner.transition(next, ...rest);
      };
      // Every other call goes to the real store (its methods found through the prototype).
      return { ...stores, handoffs: Object.assign(Object.create(inner) as HandoffStore, { transition }) };
    },
  };
  return state;
}
