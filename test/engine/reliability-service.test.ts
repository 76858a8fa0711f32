import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/engine/engine.js';
import { FINAL_STATUSES } from '../../src/engine/kernel/handoff/handoff.js';
import { seededRandom } from '../../src/engine/shared/random.js';
import type { Database } from '../../src/store/collection.js';
import { ReliabilityTestRepository } from '../../src/store/repositories/reliability-test-repository.js';
import { SqliteDatabase } from '../../src/store/sqlite/sqlite-database.js';
import { testStores } from '../support/test-stores.js';

const settings = { agentHeartbeatWindowMs: 30_000, maxConcurrentHandoffs: 50, webhookAllowList: [] };
const engines: Engine[] = [];

async function engineOn(db: Database, owner: string): Promise<Engine> {
  const engine = await createEngine({ stores: await testStores(db, owner), settings, owner, random: seededRandom(1) });
  await engine.start();
  engines.push(engine);
  return engine;
}

afterEach(async () => {
  for (const engine of engines.splice(0)) await engine.stop();
});

async function defineSlowProcedure(engine: Engine): Promise<void> {
  const quick = { maxAttempts: 1, initialDelayMs: 1, maxDelayMs: 1, multiplier: 1, jitter: 0 };
  const created = await engine.procedures.create({
    id: 'SLOW',
    name: 'slow',
    steps: [
      {
        id: 'prep',
        name: 'prep',
        kind: 'noop',
        params: {},
        timeoutMs: 1_000,
        retry: quick,
        compensation: { id: 'unprep', name: 'unprep', kind: 'noop', params: {}, timeoutMs: 1_000 },
      },
      { id: 'wait', name: 'wait', kind: 'delay', params: { ms: 10_000 }, timeoutMs: 20_000, retry: quick },
    ] as never,
  });
  if (!created.ok) throw new Error(JSON.stringify(created.errors));
}

async function unfinishedHandoffs(engine: Engine, testId: string): Promise<string[]> {
  const page = await engine.handoffs.page({ testId }, { first: 100 });
  return page.items
    .map((item) => item.node)
    .filter((h) => !FINAL_STATUSES.has(h.status))
    .map((h) => `${h.id} ${h.status}`);
}

describe('ReliabilityService', () => {
  it('seeds the standard configurations once', async () => {
    const db = SqliteDatabase.inMemory();
    const engine = await engineOn(db, 'a');
    await engine.reliability.seedDefaults();
    expect((await engine.reliability.listConfigs()).map((c) => c.id)).toHaveLength(6);
  });

  it('stopping the engine cancels running tests and their handoffs first', async () => {
    const db = SqliteDatabase.inMemory();
    const engine = await engineOn(db, 'a');
    await defineSlowProcedure(engine);
    const started = await engine.reliability.start({
      configId: 'RELIABILITY_STANDARD',
      procedureId: 'SLOW',
      overrides: { iterations: 10, concurrentLimit: 2 },
    });
    if (!started.ok) throw new Error(JSON.stringify(started.errors));
    while ((await engine.handoffs.count({ testId: started.value.id })) < 2) await new Promise((r) => setTimeout(r, 5));
    await engine.stop();
    engines.splice(0);
    const test = (await engine.reliability.get(started.value.id))!;
    expect(test).toMatchObject({ status: 'CANCELLED', cancelReason: 'the server is shutting down' });
    expect(await unfinishedHandoffs(engine, test.id)).toEqual([]);
  });

  it('on start, ends a test a dead process left RUNNING and cancels its handoffs', async () => {
    const db = SqliteDatabase.inMemory();
    const first = await engineOn(db, 'first');
    await defineSlowProcedure(first);
    // A test as a crashed process leaves it: stored RUNNING, with an unfinished tagged handoff.
    const tests = await ReliabilityTestRepository.open(db);
    const parameters = {
      iterations: 5,
      timeoutMs: 30_000,
      concurrentLimit: 1,
      failureRate: 0,
      stressFactor: 1,
      ratePerSec: null,
      windowMs: 10_000,
    };
    await tests.insert(
      {
        id: 'rt_orphan',
        configId: 'RELIABILITY_STANDARD',
        type: 'RELIABILITY',
        procedureId: 'SLOW',
        procedureVersion: 1,
        parameters,
        seed: 1,
        status: 'RUNNING',
        progress: { completed: 2, total: 5, succeeded: 2, failed: 0, running: 1 },
        result: null,
        error: null,
        cancelReason: null,
        createdAt: 1,
        finishedAt: null,
      },
      3,
    );
    await first.handoffs.initiate({ handoffId: 'rt_orphan.2', procedureId: 'SLOW', test: { testId: 'rt_orphan' } });
    for await (const event of first.handoffs.progress('rt_orphan.2', 0))
      if (event.type === 'STEP_STARTED' && event.step === 'wait') break;
    await first.stop();
    engines.splice(0);

    const second = await engineOn(db, 'second');
    const test = (await second.reliability.get('rt_orphan'))!;
    expect(test).toMatchObject({
      status: 'FAILED',
      error: 'interrupted: the server stopped while the test ran',
      progress: { completed: 2, running: 0 },
    });
    // Until the orphaned iterations are cancelled (one that never is fails the test at its timeout).
    while ((await unfinishedHandoffs(second, 'rt_orphan')).length > 0) await new Promise((r) => setTimeout(r, 10));
    expect((await second.handoffs.get('rt_orphan.2'))!.status).toBe('CANCELLED');
    const events = await second.reliability.progress('rt_orphan');
    const replayed = [];
    for await (const event of events!) replayed.push(event);
    expect(replayed).toEqual([expect.objectContaining({ testId: 'rt_orphan', status: 'FAILED', seq: 4 })]);
  });

  it('runs a graph procedure: parallel steps, a list from the context, a join', async () => {
    const db = SqliteDatabase.inMemory();
    const engine = await engineOn(db, 'a');
    const quick = { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 1, multiplier: 1, jitter: 0 };
    const created = await engine.procedures.create({
      id: 'GRAPH',
      name: 'graph',
      steps: [
        { id: 'left', name: 'left', kind: 'noop', timeoutMs: 1_000, retry: quick, after: [] },
        { id: 'right', name: 'right', kind: 'noop', timeoutMs: 1_000, retry: quick, after: [] },
        {
          id: 'each',
          name: 'each',
          kind: 'noop',
          timeoutMs: 1_000,
          retry: quick,
          after: ['left', 'right'],
          forEach: { items: 'context.targets' },
        },
      ] as never,
    });
    if (!created.ok) throw new Error(JSON.stringify(created.errors));
    const started = await engine.reliability.start({
      configId: 'RELIABILITY_STANDARD',
      procedureId: 'GRAPH',
      overrides: { iterations: 8, concurrentLimit: 4, failureRate: 0 },
    });
    if (!started.ok) throw new Error(JSON.stringify(started.errors));
    for (let i = 0; (await engine.reliability.get(started.value.id))!.status === 'RUNNING'; i++) {
      if (i > 2_000) throw new Error('the test did not finish');
      await new Promise((r) => setTimeout(r, 10));
    }
    const test = (await engine.reliability.get(started.value.id))!;
    expect(test).toMatchObject({ status: 'COMPLETED', progress: { completed: 8, succeeded: 8 } });
    const handoff = (await engine.handoffs.page({ testId: test.id }, { first: 1 })).items[0].node;
    expect(handoff.steps.filter((step) => step.branch).map((step) => step.status)).toEqual([
      'SUCCEEDED',
      'SUCCEEDED',
      'SUCCEEDED',
    ]);
  });
});
