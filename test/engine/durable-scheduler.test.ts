import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/engine/engine.js';
import { seededRandom } from '../../src/engine/shared/random.js';
import { SqliteDatabase } from '../../src/store/sqlite/sqlite-database.js';
import { ManualClock } from '../support/manual-clock.js';
import { testStores } from '../support/test-stores.js';

/**
 * Due work is data: a retry's back-off, a deadline and an agent's heartbeat timeout are stored with
 * the state that makes them due, so they fall due whether or not a process is up, and the first
 * process to look (at start, then every tick) takes them.
 */

const engines: Engine[] = [];
const SCHEDULER_POLL_MS = 50;

afterEach(async () => {
  for (const engine of engines.splice(0)) await engine.stop();
});

async function engineOn(db: SqliteDatabase, owner: string, clock: ManualClock): Promise<Engine> {
  let issued = 0;
  const engine = await createEngine({
    stores: await testStores(db, owner),
    settings: {
      agentHeartbeatWindowMs: 30_000,
      maxConcurrentHandoffs: 10,
      webhookAllowList: [],
      schedulerPollMs: SCHEDULER_POLL_MS,
    },
    owner,
    clock,
    random: seededRandom(5),
    claimTokens: () => `token-${owner}-${++issued}`,
  });
  await engine.start();
  engines.push(engine);
  return engine;
}

async function define(engine: Engine, id: string, step: Record<string, unknown>): Promise<void> {
  const outcome = await engine.procedures.create({
    id,
    name: id,
    steps: [{ id: 'only', name: 'only', params: {}, timeoutMs: 3_600_000, ...step }] as never,
  });
  if (!outcome.ok) throw new Error(JSON.stringify(outcome.errors));
}

describe('the durable scheduler', () => {
  it('fires a back-off, a deadline and a heartbeat timeout that fell due while no process ran, at the restart', async () => {
    const db = SqliteDatabase.inMemory();
    const clock = new ManualClock();
    const first = await engineOn(db, 'first', clock);
    await define(first, 'RETRIED', {
      kind: 'simulate',
      params: { failFirstAttempts: 1 },
      retry: { maxAttempts: 2, initialDelayMs: 10_000, maxDelayMs: 10_000, multiplier: 1, jitter: 0 },
    });
    await define(first, 'REVIEWED', { kind: 'await_signal' });
    await define(first, 'DELEGATED', {
      kind: 'agent_task',
      params: { heartbeatTimeoutMs: 15_000 },
      retry: { maxAttempts: 1 },
    });
    await first.agents.register({ id: 'bob', permissions: [] });
    await first.handoffs.initiate({ handoffId: 'retried', procedureId: 'RETRIED' });
    await first.handoffs.initiate({ handoffId: 'reviewed', procedureId: 'REVIEWED', deadlineMs: 20_000 });
    await first.handoffs.initiate({ handoffId: 'delegated', procedureId: 'DELEGATED', targetAgent: 'bob' });
    const startedAt = clock.now();
    let taskId: string | undefined;
    await clock.runUntil(async () => {
      taskId = (await first.agentTasks.page({ agentId: 'bob', statuses: ['OFFERED'] }, { first: 1 })).items[0]?.node.id;
      return taskId !== undefined && (await first.handoffs.get('retried'))!.steps[0].retryAt != null;
    }, 0);
    expect((await first.agentTasks.claim(taskId!, { keyName: 'worker', agentId: null })).ok).toBe(true);
    // Everything waits, holding no slot, with its due time in the store.
    expect(first.queue.runningCount).toBe(0);
    await first.stop();
    engines.splice(0);

    // A minute with no process up: the back-off (10 s), the deadline (20 s) and the silence (15 s) all pass.
    await clock.advance(60_000);
    expect((await first.handoffs.get('retried'))!.steps[0].attempts).toBe(1);
    expect((await first.handoffs.get('reviewed'))!.status).toBe('WAITING');

    const second = await engineOn(db, 'second', clock);
    // One tick at most: the start looks at once.
    await clock.advance(SCHEDULER_POLL_MS);
    await clock.runUntil(async () => {
      const statuses = await Promise.all(
        ['retried', 'reviewed', 'delegated'].map(async (id) => (await second.handoffs.get(id))!.status),
      );
      return statuses.every((status) => ['COMPLETED', 'CANCELLED', 'FAILED'].includes(status));
    }, 0);
    expect(clock.now() - startedAt).toBeLessThanOrEqual(60_000 + SCHEDULER_POLL_MS);
    expect(await second.handoffs.get('retried')).toMatchObject({ status: 'COMPLETED', steps: [{ attempts: 2 }] });
    expect(await second.handoffs.get('reviewed')).toMatchObject({
      status: 'CANCELLED',
      errorCode: 'DEADLINE_EXCEEDED',
    });
    expect(await second.agentTasks.get(taskId!)).toMatchObject({
      status: 'WITHDRAWN',
      withdrawal: { cause: 'HEARTBEAT_TIMEOUT' },
    });
    expect(await second.handoffs.get('delegated')).toMatchObject({
      status: 'FAILED',
      steps: [{ status: 'FAILED', error: expect.stringContaining('no heartbeat from agent bob for 15000 ms') }],
    });
  });

  it('runs no handoff in a process with no slots, and leaves what it starts due for a process that has them', async () => {
    const db = SqliteDatabase.inMemory();
    const clock = new ManualClock();
    const apiOnly = await createEngine({
      stores: await testStores(db, 'api', true),
      settings: { agentHeartbeatWindowMs: 30_000, maxConcurrentHandoffs: 0, webhookAllowList: [] },
      owner: 'api',
      clock,
      random: seededRandom(1),
      leaseMs: 1_000,
    });
    await apiOnly.start();
    engines.push(apiOnly);
    await define(apiOnly, 'QUICK', { kind: 'noop' });
    for (let i = 0; i < 20; i++) await apiOnly.handoffs.initiate({ handoffId: `q${i}`, procedureId: 'QUICK' });
    await clock.advance(1_000);
    expect(await apiOnly.handoffs.count({ status: ['PENDING'] })).toBe(20);
    expect(apiOnly.queue.runningCount + apiOnly.queue.waitingCount).toBe(0);

    const worker = await createEngine({
      stores: await testStores(db, 'worker', true),
      settings: { agentHeartbeatWindowMs: 30_000, maxConcurrentHandoffs: 4, webhookAllowList: [] },
      owner: 'worker',
      clock,
      random: seededRandom(2),
      leaseMs: 1_000,
    });
    await worker.start();
    engines.push(worker);
    await clock.runUntil(async () => (await worker.handoffs.count({ status: ['COMPLETED'] })) === 20, 10);
    // The worker ran them all, never more than its four slots at once.
    expect(apiOnly.runner.activeCount).toBe(0);
  });
});
