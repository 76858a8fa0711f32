import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/engine/engine.js';
import type { EngineStores } from '../../src/engine/engine-stores.js';
import { seededRandom } from '../../src/engine/shared/random.js';
import { claimTokenDigest } from '../../src/engine/tasks/claim-token.js';
import { SqliteDatabase } from '../../src/store/sqlite/sqlite-database.js';
import { ManualClock } from '../support/manual-clock.js';
import { testStores } from '../support/test-stores.js';

const engines: Engine[] = [];

afterEach(async () => {
  for (const engine of engines.splice(0)) await engine.stop();
});

async function engineWith(
  clock: ManualClock,
  db = SqliteDatabase.inMemory(),
  owner = 'solo',
): Promise<{ engine: Engine; stores: EngineStores }> {
  const stores = await testStores(db, owner);
  let issued = 0;
  const engine = await createEngine({
    stores,
    settings: { agentHeartbeatWindowMs: 30_000, maxConcurrentHandoffs: 10, webhookAllowList: [] },
    clock,
    owner,
    random: seededRandom(3),
    claimTokens: () => `token-${++issued}`,
  });
  await engine.start();
  engines.push(engine);
  return { engine, stores };
}

async function defineTaskProcedure(engine: Engine, params: Record<string, unknown>, timeoutMs = 60_000): Promise<void> {
  const outcome = await engine.procedures.create({
    id: 'TASK',
    name: 'One agent task',
    steps: [{ id: 'work', name: 'work', kind: 'agent_task', params, timeoutMs, retry: { maxAttempts: 1 } }],
  });
  if (!outcome.ok) throw new Error(JSON.stringify(outcome.errors));
}

async function offeredTask(engine: Engine, clock: ManualClock) {
  let taskId: string | undefined;
  await clock.runUntil(async () => {
    taskId = (await engine.agentTasks.page({ agentId: 'bob', statuses: ['OFFERED'] }, { first: 1 })).items[0]?.node.id;
    return taskId !== undefined;
  }, 0);
  return taskId!;
}

describe('agent tasks on virtual time', () => {
  it('takes a claimed task back exactly heartbeatTimeoutMs after its last heartbeat', async () => {
    const clock = new ManualClock();
    const { engine } = await engineWith(clock);
    await defineTaskProcedure(engine, { heartbeatTimeoutMs: 1_000 });
    await engine.handoffs.initiate({ handoffId: 'h1', procedureId: 'TASK', targetAgent: 'bob' });
    const taskId = await offeredTask(engine, clock);
    const offeredAt = clock.now();

    await clock.advance(300);
    const claim = await engine.agentTasks.claim(taskId, { keyName: 'worker', agentId: null });
    expect(claim.ok && claim.value.token).toBe('token-1');
    // Only the digest is stored: the token is the claimer's alone.
    expect((await engine.agentTasks.get(taskId))!.tokenDigest).toBe(claimTokenDigest('token-1'));
    await clock.advance(600);
    expect(
      (await engine.agentTasks.heartbeat(taskId, 'token-1', { step: 2 }, { keyName: 'worker', agentId: null })).ok,
    ).toBe(true);
    await clock.advance(999);
    expect((await engine.agentTasks.get(taskId))!.status).toBe('CLAIMED');
    await clock.advance(1);
    const lost = (await engine.agentTasks.get(taskId))!;
    expect(lost).toMatchObject({
      status: 'WITHDRAWN',
      finishedAt: offeredAt + 1_900,
      withdrawal: { cause: 'HEARTBEAT_TIMEOUT' },
    });
    await clock.runUntil(async () => (await engine.handoffs.get('h1'))!.status === 'FAILED', 0);
    expect((await engine.handoffs.get('h1'))!.steps[0].error).toBe(
      'attempt 1 failed: task taken back: no heartbeat from agent bob for 1000 ms',
    );
  });

  it('lets an outcome stored before the step timeout win, even when its wake-up was lost', async () => {
    const clock = new ManualClock();
    const { engine, stores } = await engineWith(clock);
    await defineTaskProcedure(engine, {}, 5_000);
    await engine.handoffs.initiate({ handoffId: 'h2', procedureId: 'TASK', targetAgent: 'bob' });
    const taskId = await offeredTask(engine, clock);
    await engine.agentTasks.claim(taskId, { keyName: 'worker', agentId: null });
    // The completion reaches the store, but not the step (as if the process that took it died before waking it).
    await stores.agentTasks.complete(taskId, claimTokenDigest('token-1'), { done: true }, clock.now());
    await clock.advance(5_000);
    await clock.runUntil(async () => (await engine.handoffs.get('h2'))!.status === 'COMPLETED', 0);
    expect((await engine.handoffs.get('h2'))!.steps[0]).toMatchObject({ status: 'SUCCEEDED', output: { done: true } });
  });

  it('refuses a completion that comes after the step timeout took the task back', async () => {
    const clock = new ManualClock();
    const { engine } = await engineWith(clock);
    await defineTaskProcedure(engine, {}, 5_000);
    await engine.handoffs.initiate({ handoffId: 'h3', procedureId: 'TASK', targetAgent: 'bob' });
    const taskId = await offeredTask(engine, clock);
    await engine.agentTasks.claim(taskId, { keyName: 'worker', agentId: null });
    await clock.advance(5_000);
    const late = await engine.agentTasks.complete(
      taskId,
      'token-1',
      { done: true },
      { keyName: 'worker', agentId: null },
    );
    expect(late.ok ? null : late.errors[0]!.code).toBe('TASK_NOT_CURRENT');
    await clock.runUntil(async () => (await engine.handoffs.get('h3'))!.status === 'FAILED', 0);
    expect((await engine.agentTasks.get(taskId))!.withdrawal).toEqual({
      cause: 'STEP_TIMEOUT',
      reason: 'timed out after 5000 ms',
    });
  });

  it('keeps a task offered before a crash: the attempt waited holding nothing, and goes on when its worker completes', async () => {
    const db = SqliteDatabase.inMemory();
    // The first process is frozen after offering (its clock never moves again): a crash, as far as the store can tell.
    const frozen = new ManualClock();
    const { engine: crashed } = await engineWith(frozen, db, 'crashed');
    await defineTaskProcedure(crashed, {});
    await crashed.handoffs.initiate({ handoffId: 'h4', procedureId: 'TASK', targetAgent: 'bob' });
    const taskId = await offeredTask(crashed, frozen);
    // The attempt waits for its task holding no lease: nothing of it is in flight in the frozen process.
    expect(await crashed.stores.handoffs.leaseHolders()).toEqual([]);

    const clock = new ManualClock(frozen.now());
    const { engine: next } = await engineWith(clock, db, 'next');
    const claimed = await next.agentTasks.claim(taskId, { keyName: 'worker', agentId: null });
    if (!claimed.ok) throw new Error('claim refused');
    expect(
      (
        await next.agentTasks.complete(
          taskId,
          claimed.value.token,
          { done: true },
          { keyName: 'worker', agentId: null },
        )
      ).ok,
    ).toBe(true);
    await clock.runUntil(async () => (await next.handoffs.get('h4'))!.status === 'COMPLETED', 0);
    expect((await next.handoffs.get('h4'))!.steps[0]).toMatchObject({ attempts: 1, output: { done: true } });
    // One task for the one attempt, whatever the crash.
    expect((await next.agentTasks.page({ agentId: 'bob' }, { first: 10 })).items.map((item) => item.node.id)).toEqual([
      taskId,
    ]);
  });

  it('counts a completion accepted just before a crash once: the attempt after the restart uses it', async () => {
    const db = SqliteDatabase.inMemory();
    const frozen = new ManualClock();
    const { engine: crashed, stores } = await engineWith(frozen, db, 'crashed');
    const outcome = await crashed.procedures.create({
      id: 'TWICE',
      name: 'One agent task, two attempts',
      steps: [
        {
          id: 'work',
          name: 'work',
          kind: 'agent_task',
          params: {},
          timeoutMs: 60_000,
          retry: { maxAttempts: 2, initialDelayMs: 0 },
        },
      ],
    });
    expect(outcome.ok).toBe(true);
    await crashed.handoffs.initiate({ handoffId: 'h5', procedureId: 'TWICE', targetAgent: 'bob' });
    const taskId = await offeredTask(crashed, frozen);
    await crashed.agentTasks.claim(taskId, { keyName: 'worker', agentId: null });
    // Accepted by the store, and its signal recorded, but the process running the step died before it heard.
    await stores.agentTasks.complete(taskId, claimTokenDigest('token-1'), { done: 'once' }, frozen.now());
    await stores.handoffs.recordSignal('h5', `task:${taskId}`, { taskId, status: 'COMPLETED' }, frozen.now());

    const clock = new ManualClock(frozen.now());
    const { engine: next } = await engineWith(clock, db, 'next');
    await clock.runUntil(async () => (await next.handoffs.get('h5'))!.status === 'COMPLETED', 0);
    // The attempt that waited for it goes on: it costs no second attempt.
    expect((await next.handoffs.get('h5'))!.steps[0]).toMatchObject({
      status: 'SUCCEEDED',
      attempts: 1,
      output: { done: 'once' },
    });
    // Nothing was offered again: the one completion is the step's.
    expect(
      (await next.agentTasks.page({ agentId: 'bob' }, { first: 10 })).items.map((item) => item.node.status),
    ).toEqual(['COMPLETED']);
  });
});
