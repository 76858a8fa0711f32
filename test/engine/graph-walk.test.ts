import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/engine/engine.js';
import type { HandoffEvent } from '../../src/engine/kernel/handoff/handoff-event.js';
import { seededRandom } from '../../src/engine/shared/random.js';
import { SqliteDatabase } from '../../src/store/sqlite/sqlite-database.js';
import { ManualClock } from '../support/manual-clock.js';
import { testStores } from '../support/test-stores.js';

/**
 * The graph walker on virtual time: steps that wait for nothing run at once under one lease and one slot,
 * a join starts its step once met, and a restart, a pause or a failure in the middle of parallel branches
 * leaves a state the next run goes on from.
 */

const engines: Engine[] = [];

afterEach(async () => {
  for (const engine of engines.splice(0)) await engine.stop();
});

async function engineOn(db: SqliteDatabase, owner: string, clock: ManualClock, slots = 10): Promise<Engine> {
  const engine = await createEngine({
    stores: await testStores(db, owner),
    settings: { agentHeartbeatWindowMs: 30_000, maxConcurrentHandoffs: slots, webhookAllowList: [] },
    owner,
    clock,
    random: seededRandom(3),
  });
  await engine.start();
  engines.push(engine);
  return engine;
}

async function stop(engine: Engine): Promise<void> {
  await engine.stop();
  engines.splice(engines.indexOf(engine), 1);
}

const quick = { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 10, multiplier: 1, jitter: 0 };
const undo = (id: string) => ({ id: `undo_${id}`, name: `undo ${id}`, kind: 'noop', params: {}, timeoutMs: 1_000 });

async function define(
  engine: Engine,
  id: string,
  steps: Record<string, unknown>[],
  extra: Record<string, unknown> = {},
) {
  const outcome = await engine.procedures.create({
    id,
    name: id,
    steps: steps.map((step) => ({
      name: String(step.id),
      timeoutMs: 5_000,
      retry: quick,
      params: {},
      ...step,
    })) as never,
    ...extra,
  });
  if (!outcome.ok) throw new Error(JSON.stringify(outcome.errors));
}

function history(engine: Engine, id: string): Promise<HandoffEvent[]> {
  return engine.handoffs.history(id, 0, 1_000);
}

const line = (event: HandoffEvent) => `${event.type}${event.step ? ` ${event.step}` : ''}`;

describe('the graph walker', () => {
  it('runs the two sides of a diamond at once, and the join after both', async () => {
    const db = SqliteDatabase.inMemory();
    const clock = new ManualClock();
    const engine = await engineOn(db, 'solo', clock, 1);
    await define(engine, 'DIAMOND', [
      { id: 'a', kind: 'noop' },
      { id: 'b', kind: 'delay', params: { ms: 100 }, after: ['a'] },
      { id: 'c', kind: 'delay', params: { ms: 300 }, after: ['a'] },
      { id: 'd', kind: 'noop', after: ['b', 'c'] },
    ]);
    await engine.handoffs.initiate({ handoffId: 'd1', procedureId: 'DIAMOND' });
    const steps = async () => (await engine.handoffs.get('d1'))!.steps;
    await clock.runUntil(async () => (await steps()).filter((step) => step.status === 'RUNNING').length === 2, 0);
    // One slot: both sides run within the one run of the handoff.
    expect(engine.queue.runningCount).toBe(1);
    await clock.advance(100);
    expect((await steps()).map((step) => step.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'RUNNING', 'PENDING']);
    await clock.advance(200);
    await clock.runUntil(async () => (await engine.handoffs.get('d1'))!.status === 'COMPLETED', 0);
    expect((await history(engine, 'd1')).map(line)).toEqual([
      'HANDOFF_CREATED',
      'GATES_PASSED',
      'HANDOFF_STARTED',
      'STEP_STARTED a',
      'STEP_SUCCEEDED a',
      'STEP_STARTED b',
      'STEP_STARTED c',
      'STEP_SUCCEEDED b',
      'STEP_SUCCEEDED c',
      'STEP_STARTED d',
      'STEP_SUCCEEDED d',
      'HANDOFF_COMPLETED',
    ]);
  });
});

describe('joins, conditions and lists on the graph walker', () => {
  it('goes on after 2 of 3 approvals and cancels the third; a rejection among them is contained', async () => {
    const db = SqliteDatabase.inMemory();
    const clock = new ManualClock();
    const engine = await engineOn(db, 'solo', clock);
    await define(engine, 'TWO_OF_THREE', [
      { id: 'alice', kind: 'await_signal', after: [], timeoutMs: 60_000 },
      { id: 'bob', kind: 'await_signal', after: [], timeoutMs: 60_000 },
      { id: 'carol', kind: 'await_signal', after: [], timeoutMs: 60_000 },
      {
        id: 'release',
        kind: 'noop',
        after: ['alice', 'bob', 'carol'],
        join: { mode: 'N_OF', count: 2, others: 'CANCEL' },
      },
    ]);
    await engine.handoffs.initiate({ handoffId: 'r1', procedureId: 'TWO_OF_THREE' });
    const get = async () => (await engine.handoffs.get('r1'))!;
    await clock.runUntil(async () => (await get()).steps.filter((step) => step.status === 'WAITING').length === 3, 0);
    expect((await get()).status).toBe('WAITING');
    expect(engine.runner.isActive('r1')).toBe(false);
    expect((await engine.handoffs.signal('r1', 'bob', null, { outcome: 'REJECT', reason: 'not yet' })).ok).toBe(true);
    await clock.runUntil(async () => (await get()).steps[1].status === 'FAILED', 0);
    expect((await get()).status).toBe('WAITING');
    expect((await engine.handoffs.signal('r1', 'alice', { ok: 1 })).ok).toBe(true);
    await clock.runUntil(async () => (await get()).steps[0].status === 'SUCCEEDED', 0);
    expect((await get()).steps[3].status).toBe('PENDING');
    expect((await engine.handoffs.signal('r1', 'carol', { ok: 2 })).ok).toBe(true);
    await clock.runUntil(async () => (await get()).status === 'COMPLETED', 0);
    const done = await get();
    expect(done.error).toBeNull();
    expect(done.steps.map((step) => step.status)).toEqual(['SUCCEEDED', 'FAILED', 'SUCCEEDED', 'SUCCEEDED']);

    // Two approvals before the third answers: the third is cancelled.
    await engine.handoffs.initiate({ handoffId: 'r2', procedureId: 'TWO_OF_THREE' });
    await clock.runUntil(async () => (await engine.handoffs.get('r2'))!.status === 'WAITING', 0);
    await engine.handoffs.signal('r2', 'alice', null);
    await engine.handoffs.signal('r2', 'carol', null);
    await clock.runUntil(async () => (await engine.handoffs.get('r2'))!.status === 'COMPLETED', 0);
    const r2 = (await engine.handoffs.get('r2'))!;
    expect(r2.steps.map((step) => step.status)).toEqual(['SUCCEEDED', 'CANCELLED', 'SUCCEEDED', 'SUCCEEDED']);
    expect(r2.steps[1].skipReason).toContain('release');
    expect((await history(engine, 'r2')).map(line)).toContain('STEP_CANCELLED bob');
  });

  it('cancels the input a met join no longer needs while the joined step runs, and refuses a signal for it', async () => {
    const db = SqliteDatabase.inMemory();
    const clock = new ManualClock();
    const engine = await engineOn(db, 'solo', clock);
    await define(engine, 'SLOW_RELEASE', [
      { id: 'alice', kind: 'await_signal', after: [], timeoutMs: 60_000 },
      { id: 'bob', kind: 'await_signal', after: [], timeoutMs: 60_000 },
      { id: 'carol', kind: 'await_signal', after: [], timeoutMs: 60_000 },
      {
        id: 'release',
        kind: 'delay',
        params: { ms: 1_000 },
        after: ['alice', 'bob', 'carol'],
        join: { mode: 'N_OF', count: 2, others: 'CANCEL' },
      },
    ]);
    await engine.handoffs.initiate({ handoffId: 's1', procedureId: 'SLOW_RELEASE' });
    await clock.runUntil(async () => (await engine.handoffs.get('s1'))!.status === 'WAITING', 0);
    await engine.handoffs.signal('s1', 'alice', null);
    await engine.handoffs.signal('s1', 'carol', null);
    await clock.runUntil(async () => (await engine.handoffs.get('s1'))!.steps[1].status === 'CANCELLED', 0);
    expect((await engine.handoffs.get('s1'))!.steps[3].status).toBe('RUNNING');
    const late = await engine.handoffs.signal('s1', 'bob', null);
    expect(late.ok ? null : late.errors[0].code).toBe('INVALID_STATE');
    await clock.advance(1_000);
    await clock.runUntil(async () => (await engine.handoffs.get('s1'))!.status === 'COMPLETED', 0);
  });

  it('skips a step whose condition is false, and what waits only for it; the rest goes on', async () => {
    const db = SqliteDatabase.inMemory();
    const clock = new ManualClock();
    const engine = await engineOn(db, 'solo', clock);
    await define(engine, 'CONDITIONAL', [
      { id: 'start', kind: 'noop' },
      { id: 'expedite', kind: 'noop', after: ['start'], when: { 'context.urgent': true } },
      { id: 'notify_urgent', kind: 'noop', after: ['expedite'] },
      { id: 'file', kind: 'noop', after: ['start'] },
      { id: 'close', kind: 'noop', after: ['notify_urgent', 'file'] },
    ]);
    await engine.handoffs.initiate({ handoffId: 'c1', procedureId: 'CONDITIONAL', metadata: { urgent: false } });
    await clock.runUntil(async () => (await engine.handoffs.get('c1'))!.status === 'COMPLETED', 0);
    const done = (await engine.handoffs.get('c1'))!;
    expect(done.steps.map((step) => step.status)).toEqual([
      'SUCCEEDED',
      'SKIPPED',
      'SKIPPED',
      'SUCCEEDED',
      'SUCCEEDED',
    ]);
    expect(done.steps[1].skipReason).toContain('context.urgent = false');
    expect(done.steps[2].skipReason).toContain('skipped');
    await engine.handoffs.initiate({ handoffId: 'c2', procedureId: 'CONDITIONAL', metadata: { urgent: true } });
    await clock.runUntil(async () => (await engine.handoffs.get('c2'))!.status === 'COMPLETED', 0);
    expect((await engine.handoffs.get('c2'))!.steps.every((step) => step.status === 'SUCCEEDED')).toBe(true);
  });

  it('runs a step once per item, at most maxConcurrent at once, and succeeds with every result', async () => {
    const db = SqliteDatabase.inMemory();
    const clock = new ManualClock();
    const engine = await engineOn(db, 'solo', clock);
    await define(engine, 'PER_ITEM', [
      { id: 'plan', kind: 'noop' },
      {
        id: 'work',
        kind: 'delay',
        params: { ms: '$item.ms' },
        forEach: { items: 'context.jobs', maxConcurrent: 2 },
      },
      { id: 'report', kind: 'noop' },
    ]);
    const jobs = [{ ms: 100 }, { ms: 100 }, { ms: 100 }, { ms: 100 }, { ms: 100 }];
    await engine.handoffs.initiate({ handoffId: 'p1', procedureId: 'PER_ITEM', metadata: { jobs } });
    let most = 0;
    await clock.runUntil(async () => {
      const handoff = (await engine.handoffs.get('p1'))!;
      most = Math.max(most, handoff.steps.filter((step) => step.branch && step.status === 'RUNNING').length);
      return handoff.status === 'COMPLETED';
    }, 50);
    const done = (await engine.handoffs.get('p1'))!;
    expect(most).toBe(2);
    expect(done.steps.map((step) => step.id)).toEqual([
      'plan',
      'work',
      'report',
      'work[0]',
      'work[1]',
      'work[2]',
      'work[3]',
      'work[4]',
    ]);
    expect(done.steps[1]).toMatchObject({ status: 'SUCCEEDED', fanOut: { branches: 5 } });
    expect(done.steps[1].output).toMatchObject({ branches: 5, succeeded: 5 });
    const events = await history(engine, 'p1');
    expect(events.find((event) => event.step === 'work[3]')).toMatchObject({ type: 'STEP_STARTED', branch: 3 });
  });
});

describe('failures, rollbacks and restarts on the graph walker', () => {
  it('stops the other branches when a failure cannot be contained, and undoes in reverse dependency order', async () => {
    const db = SqliteDatabase.inMemory();
    const clock = new ManualClock();
    const engine = await engineOn(db, 'solo', clock);
    await define(engine, 'FAILS_MIDWAY', [
      { id: 'a', kind: 'noop', compensation: undo('a') },
      { id: 'b', kind: 'noop', after: ['a'], compensation: undo('b') },
      { id: 'c', kind: 'noop', after: ['a'], compensation: undo('c') },
      { id: 'slow', kind: 'delay', params: { ms: 60_000 }, after: ['b'], compensation: undo('slow') },
      {
        id: 'broken',
        kind: 'simulate',
        params: { failureProbability: 1 },
        after: ['c'],
        retry: { ...quick, maxAttempts: 1 },
      },
      { id: 'd', kind: 'noop', after: ['slow', 'broken'] },
    ]);
    await engine.handoffs.initiate({ handoffId: 'f1', procedureId: 'FAILS_MIDWAY' });
    await clock.runUntil(async () => (await engine.handoffs.get('f1'))!.status === 'ROLLED_BACK', 0);
    const done = (await engine.handoffs.get('f1'))!;
    expect(Object.fromEntries(done.steps.map((step) => [step.id, step.status]))).toEqual({
      a: 'COMPENSATED',
      b: 'COMPENSATED',
      c: 'COMPENSATED',
      slow: 'FAILED',
      broken: 'FAILED',
      d: 'PENDING',
    });
    expect(done.error).toContain('broken failed after 1 attempt(s)');
    expect(done.steps[3].error).toContain('stopped: the handoff rolls back');
    const undone = (await history(engine, 'f1'))
      .filter((event) => event.type === 'COMPENSATION_SUCCEEDED')
      .map((event) => event.step);
    // b and c are independent: both before a, which both waited for.
    expect(undone.at(-1)).toBe('a');
    expect(new Set(undone.slice(0, 2))).toEqual(new Set(['b', 'c']));
  });

  it('goes on after a restart with branches in flight: each interrupted attempt counts, nothing runs twice past its policy', async () => {
    const db = SqliteDatabase.inMemory();
    const clock = new ManualClock();
    const first = await engineOn(db, 'first', clock);
    await define(first, 'PARALLEL_SLOW', [
      { id: 'left', kind: 'delay', params: { ms: 1_000 }, after: [], retry: { ...quick, maxAttempts: 2 } },
      { id: 'right', kind: 'delay', params: { ms: 1_000 }, after: [], retry: { ...quick, maxAttempts: 2 } },
      { id: 'review', kind: 'await_signal', after: [], timeoutMs: 60_000 },
      { id: 'join', kind: 'noop', after: ['left', 'right', 'review'] },
    ]);
    await first.handoffs.initiate({ handoffId: 'k1', procedureId: 'PARALLEL_SLOW' });
    await clock.runUntil(async () => {
      const steps = (await first.handoffs.get('k1'))!.steps;
      return steps[0].status === 'RUNNING' && steps[1].status === 'RUNNING' && steps[2].status === 'WAITING';
    }, 0);
    await stop(first);
    const second = await engineOn(db, 'second', clock);
    expect((await second.handoffs.signal('k1', 'review', { ok: true })).ok).toBe(true);
    await clock.runUntil(async () => (await second.handoffs.get('k1'))!.status === 'COMPLETED');
    const done = (await second.handoffs.get('k1'))!;
    expect(done.steps.map((step) => [step.id, step.attempts])).toEqual([
      ['left', 2],
      ['right', 2],
      ['review', 1],
      ['join', 1],
    ]);
    const events = await history(second, 'k1');
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    expect(events.filter((event) => event.type === 'HANDOFF_INTERRUPTED')).toHaveLength(1);
  });

  it('pauses once no attempt is under way (none starts meanwhile), and resumes where it stopped', async () => {
    const db = SqliteDatabase.inMemory();
    const clock = new ManualClock();
    const engine = await engineOn(db, 'solo', clock);
    await define(engine, 'PAUSABLE', [
      { id: 'short', kind: 'delay', params: { ms: 100 }, after: [] },
      { id: 'long', kind: 'delay', params: { ms: 500 }, after: [] },
      { id: 'next', kind: 'noop', after: ['short'] },
      { id: 'last', kind: 'noop', after: ['next', 'long'] },
    ]);
    await engine.handoffs.initiate({ handoffId: 'z1', procedureId: 'PAUSABLE' });
    await clock.runUntil(async () => (await engine.handoffs.get('z1'))!.steps[1].status === 'RUNNING', 0);
    expect((await engine.handoffs.pause('z1', 'lunch', null)).ok).toBe(true);
    await clock.advance(100);
    // short ended; next may not start while the pause is due; long goes on.
    expect((await engine.handoffs.get('z1'))!.steps.map((step) => step.status)).toEqual([
      'SUCCEEDED',
      'RUNNING',
      'PENDING',
      'PENDING',
    ]);
    await clock.runUntil(async () => (await engine.handoffs.get('z1'))!.status === 'PAUSED', 50);
    expect((await engine.handoffs.get('z1'))!.steps[2].status).toBe('PENDING');
    expect((await engine.handoffs.resume('z1', null)).ok).toBe(true);
    await clock.runUntil(async () => (await engine.handoffs.get('z1'))!.status === 'COMPLETED', 0);
  });
});

describe('redrive and sub-handoffs on the graph walker', () => {
  it('redrives only the failed branch and what waits for it; the others keep their outputs', async () => {
    const db = SqliteDatabase.inMemory();
    const clock = new ManualClock();
    const engine = await engineOn(db, 'solo', clock);
    await define(engine, 'REDRIVEN', [
      { id: 'a', kind: 'noop' },
      { id: 'b', kind: 'noop', after: ['a'] },
      { id: 'c', kind: 'await_signal', after: ['a'], timeoutMs: 60_000 },
      { id: 'd', kind: 'noop', after: ['b', 'c'] },
    ]);
    await engine.handoffs.initiate({ handoffId: 'x1', procedureId: 'REDRIVEN' });
    await clock.runUntil(async () => (await engine.handoffs.get('x1'))!.steps[2].status === 'WAITING', 0);
    await engine.handoffs.signal('x1', 'c', null, { outcome: 'REJECT', reason: 'wrong numbers' });
    await clock.runUntil(async () => (await engine.handoffs.get('x1'))!.status === 'FAILED', 0);
    const redriven = await engine.handoffs.redrive('x1', {}, null);
    expect(redriven.ok && redriven.value.steps.map((step) => step.status)).toEqual([
      'SUCCEEDED',
      'SUCCEEDED',
      'PENDING',
      'PENDING',
    ]);
    await clock.runUntil(async () => (await engine.handoffs.get('x1'))!.steps[2].status === 'WAITING', 0);
    await engine.handoffs.signal('x1', 'c', { fixed: true });
    await clock.runUntil(async () => (await engine.handoffs.get('x1'))!.status === 'COMPLETED', 0);
    const done = (await engine.handoffs.get('x1'))!;
    expect(done.steps.map((step) => [step.id, step.attempts])).toEqual([
      ['a', 1],
      ['b', 1],
      ['c', 1],
      ['d', 1],
    ]);
    const secondRun = (await history(engine, 'x1')).filter((event) => event.run === 2).map(line);
    expect(secondRun).toEqual([
      'HANDOFF_REDRIVEN c',
      'STEP_WAITING c',
      'STEP_SIGNALLED c',
      'STEP_SUCCEEDED c',
      'STEP_STARTED d',
      'STEP_SUCCEEDED d',
      'HANDOFF_COMPLETED',
    ]);
  });

  it('waits for a sub-handoff without a slot and goes on with it; its failure rolls the parent back', async () => {
    const db = SqliteDatabase.inMemory();
    const clock = new ManualClock();
    const engine = await engineOn(db, 'solo', clock, 1);
    await define(engine, 'CHILD', [
      { id: 'approve', kind: 'await_signal', timeoutMs: 60_000, compensation: undo('approve') },
    ]);
    await define(engine, 'PARENT', [
      { id: 'prepare', kind: 'noop', compensation: undo('prepare') },
      { id: 'delegate', kind: 'sub_handoff', params: { procedureId: 'CHILD' }, timeoutMs: 60_000 },
      { id: 'finish', kind: 'noop' },
    ]);
    await engine.handoffs.initiate({ handoffId: 'p1', procedureId: 'PARENT', metadata: { ticket: 7 } });
    const childId = 'p1:delegate';
    await clock.runUntil(async () => (await engine.handoffs.get(childId))?.status === 'WAITING', 0);
    // One slot, and both wait: neither holds it.
    expect(engine.queue.runningCount).toBe(0);
    const child = (await engine.handoffs.get(childId))!;
    expect(child).toMatchObject({ parent: { handoffId: 'p1', stepId: 'delegate' }, metadata: { ticket: 7 } });
    expect((await engine.handoffs.get('p1'))!.status).toBe('WAITING');
    await engine.handoffs.signal(childId, 'approve', null);
    await clock.runUntil(async () => (await engine.handoffs.get('p1'))!.status === 'COMPLETED', 0);
    expect((await engine.handoffs.get('p1'))!.steps[1].output).toEqual({ childId, status: 'COMPLETED' });

    await engine.handoffs.initiate({ handoffId: 'p2', procedureId: 'PARENT' });
    await clock.runUntil(async () => (await engine.handoffs.get('p2:delegate'))?.status === 'WAITING', 0);
    await engine.handoffs.signal('p2:delegate', 'approve', null, { outcome: 'REJECT', reason: 'no' });
    await clock.runUntil(async () => (await engine.handoffs.get('p2'))!.status === 'ROLLED_BACK', 0);
    const parent = (await engine.handoffs.get('p2'))!;
    expect(parent.steps.map((step) => step.status)).toEqual(['COMPENSATED', 'FAILED', 'PENDING']);
    expect(parent.steps[1]).toMatchObject({ errorCode: 'SUB_HANDOFF_FAILED' });
  });

  it('cancels its running child when cancelled, and rolls back a completed child when it rolls back', async () => {
    const db = SqliteDatabase.inMemory();
    const clock = new ManualClock();
    const engine = await engineOn(db, 'solo', clock);
    await define(engine, 'CHILD', [
      { id: 'work', kind: 'noop', compensation: undo('work') },
      { id: 'gate', kind: 'await_signal', timeoutMs: 60_000 },
    ]);
    await define(engine, 'PARENT', [
      { id: 'delegate', kind: 'sub_handoff', params: { procedureId: 'CHILD' }, timeoutMs: 60_000 },
      { id: 'approve', kind: 'await_signal', timeoutMs: 60_000 },
    ]);
    await engine.handoffs.initiate({ handoffId: 'q1', procedureId: 'PARENT' });
    await clock.runUntil(async () => (await engine.handoffs.get('q1:delegate'))?.status === 'WAITING', 0);
    await engine.handoffs.cancel('q1', 'changed my mind');
    await clock.runUntil(async () => (await engine.handoffs.get('q1:delegate'))!.status === 'CANCELLED', 0);
    await clock.runUntil(async () => (await engine.handoffs.get('q1'))!.status === 'CANCELLED', 0);

    await engine.handoffs.initiate({ handoffId: 'q2', procedureId: 'PARENT' });
    await clock.runUntil(async () => (await engine.handoffs.get('q2:delegate'))?.status === 'WAITING', 0);
    await engine.handoffs.signal('q2:delegate', 'gate', null);
    await clock.runUntil(async () => (await engine.handoffs.get('q2'))!.steps[1].status === 'WAITING', 0);
    expect((await engine.handoffs.get('q2:delegate'))!.status).toBe('COMPLETED');
    await engine.handoffs.signal('q2', 'approve', null, { outcome: 'REJECT', reason: 'undo it all' });
    await clock.runUntil(async () => (await engine.handoffs.get('q2'))!.status === 'ROLLED_BACK', 0);
    const child = (await engine.handoffs.get('q2:delegate'))!;
    expect(child.status).toBe('ROLLED_BACK');
    expect(child.steps[0].status).toBe('COMPENSATED');
    expect((await engine.handoffs.get('q2'))!.steps[0].status).toBe('COMPENSATED');
  });

  it('hands back a handoff whose branches all wait, and leaves it alone until one is signalled', async () => {
    const db = SqliteDatabase.inMemory();
    const clock = new ManualClock();
    const engine = await engineOn(db, 'solo', clock);
    await define(engine, 'ASK_ALL', [
      { id: 'ask', kind: 'await_signal', timeoutMs: 3_600_000, forEach: { items: 'context.people' } },
    ]);
    await engine.handoffs.initiate({ handoffId: 'w1', procedureId: 'ASK_ALL', metadata: { people: ['a', 'b'] } });
    await clock.runUntil(async () => (await engine.handoffs.get('w1'))!.status === 'WAITING', 0);
    const waiting = (await engine.handoffs.get('w1'))!;
    await clock.advance(60_000);
    // Nothing ran it meanwhile: no hand-back after hand-back, not one write.
    expect((await engine.handoffs.get('w1'))!.version).toBe(waiting.version);
    expect(engine.runner.isActive('w1')).toBe(false);
    await engine.handoffs.signal('w1', 'ask[0]', null);
    await engine.handoffs.signal('w1', 'ask[1]', null);
    await clock.runUntil(async () => (await engine.handoffs.get('w1'))!.status === 'COMPLETED', 0);
  });

  it('pauses a step run once per item between its branches, and resumes it where it stopped', async () => {
    const db = SqliteDatabase.inMemory();
    const clock = new ManualClock();
    const engine = await engineOn(db, 'solo', clock);
    await define(engine, 'ONE_BY_ONE', [
      { id: 'each', kind: 'delay', params: { ms: 100 }, forEach: { items: 'context.items', maxConcurrent: 1 } },
    ]);
    await engine.handoffs.initiate({ handoffId: 'o1', procedureId: 'ONE_BY_ONE', metadata: { items: [1, 2, 3] } });
    await clock.runUntil(async () => (await engine.handoffs.get('o1'))!.steps[1]?.status === 'RUNNING', 0);
    await engine.handoffs.pause('o1', null, null);
    await clock.runUntil(async () => (await engine.handoffs.get('o1'))!.status === 'PAUSED', 10);
    expect((await engine.handoffs.get('o1'))!.steps.map((step) => step.status)).toEqual([
      'RUNNING',
      'SUCCEEDED',
      'PENDING',
      'PENDING',
    ]);
    await engine.handoffs.resume('o1', null);
    await clock.runUntil(async () => (await engine.handoffs.get('o1'))!.status === 'COMPLETED', 10);
    const events = (await history(engine, 'o1')).map(line);
    expect(events.filter((event) => event === 'HANDOFF_STARTED')).toHaveLength(1);
    expect(events.filter((event) => event === 'STEP_STARTED each[0]')).toHaveLength(1);
  });
});
