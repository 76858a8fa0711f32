import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFault } from '../../src/engine/reliability/fault-plan.js';
import { createProcedure, noopCompensation, quickStep } from '../support/handoff-fixtures.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let server: TestApp;

const RESULT = `result {
  iterations succeeded failed cancelled rolledBack rollbacksNeeded rollbacksClean successRate rollbackSuccessRate retries
  throughputPerSec durationMs concurrency latencyMs { p50 p95 p99 max mean } errors { code count } faults { kind count }
  windows { index startMs iterations succeeded failed latencyMs { p50 } } p50DriftRatio }`;
const TEST = `id testId configId type status procedureId seed error cancelReason
  parameters { iterations timeoutMs concurrentLimit failureRate stressFactor ratePerSec windowMs }
  progress { completed total succeeded failed running } ${RESULT}`;
const PROGRESS = `subscription($id: ID!) { reliabilityTestProgress(id: $id) { testId seq completed total succeeded failed running status } }`;
const FINAL = new Set(['COMPLETED', 'FAILED', 'ROLLED_BACK', 'ROLLBACK_FAILED', 'CANCELLED']);

async function gqlData(query: string, variables?: Record<string, unknown>) {
  const response = await server.gql(query, variables);
  if (response.errors) throw new Error(JSON.stringify(response.errors));
  return response.data;
}

async function start(input: Record<string, unknown>) {
  const data = await gqlData(
    `mutation($input: StartReliabilityTestInput!) { startReliabilityTest(input: $input) { test { ${TEST} } userErrors { field message code } } }`,
    { input },
  );
  return data.startReliabilityTest as { test: any; userErrors: { field: string[]; message: string; code: string }[] };
}

async function getTest(id: string) {
  return (await gqlData(`query($id: ID!) { reliabilityTest(id: $id) { ${TEST} } }`, { id })).reliabilityTest;
}

/** Follows a test's progress over graphql-ws until the stream completes; returns the events. */
async function follow(id: string) {
  const results = await server.subscribe(PROGRESS, { id });
  const errors = results.flatMap((r) => r.errors ?? []);
  if (errors.length) throw new Error(JSON.stringify(errors));
  return results.map((r) => r.data.reliabilityTestProgress);
}

/** Starts a test, waits for its end through the subscription, returns the stored test. */
async function run(input: Record<string, unknown>) {
  const started = await start(input);
  expect(started.userErrors).toEqual([]);
  expect(started.test.status).toBe('RUNNING');
  await follow(started.test.testId);
  return getTest(started.test.testId);
}

async function handoffsOf(testId: string) {
  const data = await gqlData(
    `query($testId: ID!) { handoffs(first: 100, filter: { testId: $testId }) { totalCount edges { node { handoffId status } } } }`,
    { testId },
  );
  return data.handoffs as { totalCount: number; edges: { node: { handoffId: string; status: string } }[] };
}

function expectSaneLatency(result: any) {
  const l = result.latencyMs;
  expect(l.p50).toBeGreaterThan(0);
  expect(l.p50).toBeLessThanOrEqual(l.p95);
  expect(l.p95).toBeLessThanOrEqual(l.p99);
  expect(l.p99).toBeLessThanOrEqual(l.max);
  expect(result.throughputPerSec).toBeGreaterThan(0);
}

const quickRetry = (maxAttempts: number) => ({
  maxAttempts,
  initialDelayMs: 5,
  maxDelayMs: 10,
  multiplier: 2,
  jitter: 0,
});

/** Hands over `task` (undone on rollback), then two no-ops; every step allows `maxAttempts`. */
function fastHandOver(id: string, name: string, maxAttempts: number) {
  const retry = quickRetry(maxAttempts);
  return {
    id,
    name,
    steps: [
      quickStep(
        'hand_over',
        'TRANSFER_CONTEXT',
        { keys: ['task'] },
        {
          timeoutMs: 300,
          retry,
          compensation: {
            id: 'take_back',
            name: 'take back',
            kind: 'REVERT_CONTEXT',
            params: { keys: ['task'] },
            timeoutMs: 1_000,
          },
        },
      ),
      quickStep('confirm', 'NOOP', {}, { timeoutMs: 300, retry }),
      quickStep('finish', 'NOOP', {}, { timeoutMs: 300, retry }),
    ],
  };
}

beforeAll(async () => {
  server = await startTestApp();
  // Fast procedures, so failure and timeout tests take milliseconds, not the seed steps' seconds.
  for (const input of [
    fastHandOver('RT_FAST', 'Fast hand-over with an undo', 2),
    fastHandOver('RT_ONE_SHOT', 'Like RT_FAST, without retries', 1),
    {
      id: 'RT_SLOW',
      name: 'A step that takes seconds',
      steps: [
        quickStep('prepare', 'NOOP', {}, { compensation: noopCompensation('unprepare') }),
        quickStep('wait', 'DELAY', { ms: 5_000 }, { timeoutMs: 20_000 }),
      ],
    },
    {
      id: 'RT_BAD_UNDO',
      name: 'Fails, and its undo fails too',
      steps: [
        quickStep(
          'first',
          'NOOP',
          {},
          {
            compensation: {
              id: 'undo_first',
              name: 'undo first',
              kind: 'SIMULATE',
              params: { failureProbability: 1 },
              timeoutMs: 1_000,
            },
            retry: quickRetry(1),
          },
        ),
        quickStep('boom', 'SIMULATE', { failureProbability: 1 }, { retry: quickRetry(1) }),
      ],
    },
    { id: 'RT_SIGNAL', name: 'Needs a signal', steps: [quickStep('wait', 'AWAIT_SIGNAL', {})] },
  ]) {
    const created = await createProcedure(server, input);
    expect(created.userErrors).toEqual([]);
  }
});

afterAll(async () => {
  await server.close();
});

describe('configurations', () => {
  it('seeds the six standard configurations with the seed report numbers', async () => {
    const data = await gqlData(
      `{ reliabilityTestConfigs { id type iterations timeoutMs concurrentLimit failureRate stressFactor ratePerSec builtIn } }`,
    );
    const standard = data.reliabilityTestConfigs
      .filter((c: any) => c.builtIn)
      .map((c: any) => [c.id, c.type, c.iterations, c.timeoutMs, c.concurrentLimit, c.failureRate, c.stressFactor]);
    expect(standard).toEqual([
      ['CONCURRENCY_STANDARD', 'CONCURRENCY', 30, 90_000, 50, 0, 1],
      ['ENDURANCE_STANDARD', 'ENDURANCE', 200, 180_000, 3, 0, 1],
      ['FAILURE_INJECTION_STANDARD', 'FAILURE_INJECTION', 75, 45_000, 5, 0.1, 1],
      ['PERFORMANCE_STANDARD', 'PERFORMANCE', 50, 60_000, 10, 0, 1],
      ['RELIABILITY_STANDARD', 'RELIABILITY', 100, 30_000, 5, 0, 1],
      ['STRESS_STANDARD', 'STRESS', 25, 120_000, 20, 0, 2],
    ]);
  });

  it('creates a custom configuration, and refuses bad values and taken ids as userErrors', async () => {
    const create = (input: Record<string, unknown>) =>
      gqlData(
        `mutation($input: CreateReliabilityTestConfigInput!) { createReliabilityTestConfig(input: $input) { config { id type iterations failureRate ratePerSec builtIn } userErrors { field code } } }`,
        { input },
      ).then((d) => d.createReliabilityTestConfig);
    const made = await create({
      id: 'SMOKE',
      type: 'FAILURE_INJECTION',
      iterations: 3,
      timeoutMs: 5_000,
      concurrentLimit: 2,
      failureRate: 0.2,
    });
    expect(made).toEqual({
      config: {
        id: 'SMOKE',
        type: 'FAILURE_INJECTION',
        iterations: 3,
        failureRate: 0.2,
        ratePerSec: null,
        builtIn: false,
      },
      userErrors: [],
    });
    const bad = await create({
      id: 'BAD',
      type: 'STRESS',
      iterations: 0,
      timeoutMs: 5_000,
      concurrentLimit: 2,
      failureRate: 2,
      stressFactor: 0.5,
    });
    expect(bad.config).toBeNull();
    expect(bad.userErrors.map((e: any) => [e.field.join('.'), e.code])).toEqual([
      ['input.iterations', 'INVALID_VALUE'],
      ['input.failureRate', 'INVALID_VALUE'],
      ['input.stressFactor', 'INVALID_VALUE'],
    ]);
    const again = await create({
      id: 'SMOKE',
      type: 'RELIABILITY',
      iterations: 3,
      timeoutMs: 5_000,
      concurrentLimit: 2,
    });
    expect(again.userErrors).toEqual([{ field: ['input', 'id'], code: 'DUPLICATE_KEY' }]);
    const listed = await gqlData(`{ reliabilityTestConfig(id: "SMOKE") { id } }`);
    expect(listed.reliabilityTestConfig).toEqual({ id: 'SMOKE' });
  });

  it('refuses unknown configurations and procedures, bad overrides and procedures the harness cannot drive', async () => {
    expect((await start({ configId: 'NOPE' })).userErrors.map((e) => e.code)).toEqual(['NOT_FOUND']);
    expect(
      (await start({ configId: 'RELIABILITY_STANDARD', procedureId: 'NOPE' })).userErrors.map((e) => e.field.join('.')),
    ).toEqual(['input.procedureId']);
    const bad = await start({
      configId: 'RELIABILITY_STANDARD',
      overrides: { iterations: -1, timeoutMs: 1 },
      seed: -5,
    });
    expect(bad.test).toBeNull();
    expect(bad.userErrors.map((e) => e.field.join('.'))).toEqual([
      'input.overrides.iterations',
      'input.overrides.timeoutMs',
      'input.seed',
    ]);
    expect(
      (await start({ configId: 'RELIABILITY_STANDARD', procedureId: 'RT_SIGNAL' })).userErrors.map((e) => e.code),
    ).toEqual(['UNSUPPORTED_PROCEDURE']);
  });
});

describe('the six test types, scaled down', () => {
  it('RELIABILITY runs PHASE_TRANSITION_STANDARD end to end: success rate 1, progress streamed live to the end', async () => {
    const started = await start({
      configId: 'RELIABILITY_STANDARD',
      procedureId: 'PHASE_TRANSITION_STANDARD',
      overrides: { iterations: 8 },
      seed: 1,
    });
    expect(started.userErrors).toEqual([]);
    const events = await follow(started.test.testId);
    // Replay of the current state first, then one event per finished iteration, then the final one.
    expect(events.map((e) => e.seq)).toEqual([...events.map((e) => e.seq)].sort((a, b) => a - b));
    expect(new Set(events.map((e) => e.seq)).size).toBe(events.length);
    expect(events.map((e) => e.completed)).toEqual([...events.map((e) => e.completed)].sort((a, b) => a - b));
    expect(events.at(-1)).toMatchObject({
      status: 'COMPLETED',
      completed: 8,
      total: 8,
      succeeded: 8,
      failed: 0,
      running: 0,
    });
    expect(events.slice(0, -1).every((e) => e.status === 'RUNNING')).toBe(true);

    const test = await getTest(started.test.id);
    expect(test).toMatchObject({
      status: 'COMPLETED',
      type: 'RELIABILITY',
      procedureId: 'PHASE_TRANSITION_STANDARD',
      seed: 1,
    });
    expect(test.parameters).toMatchObject({ iterations: 8, timeoutMs: 30_000, concurrentLimit: 5 });
    expect(test.result).toMatchObject({
      iterations: 8,
      succeeded: 8,
      failed: 0,
      successRate: 1,
      rollbackSuccessRate: null,
      errors: [],
      concurrency: 5,
    });
    expectSaneLatency(test.result);
    const handoffs = await handoffsOf(test.testId);
    expect(handoffs.totalCount).toBe(8);
    expect(handoffs.edges.every((e) => e.node.status === 'COMPLETED')).toBe(true);
  });

  it('PERFORMANCE runs AGENT_HANDOFF_STANDARD cleanly and reports latency percentiles', async () => {
    const test = await run({
      configId: 'PERFORMANCE_STANDARD',
      procedureId: 'AGENT_HANDOFF_STANDARD',
      overrides: { iterations: 6 },
    });
    expect(test.result).toMatchObject({ iterations: 6, succeeded: 6, successRate: 1, concurrency: 10 });
    expectSaneLatency(test.result);
  });

  it('STRESS multiplies the concurrency by the stress factor', async () => {
    const test = await run({
      configId: 'STRESS_STANDARD',
      procedureId: 'RT_FAST',
      overrides: { iterations: 10, concurrentLimit: 3, stressFactor: 2.5 },
    });
    expect(test.parameters).toMatchObject({ concurrentLimit: 3, stressFactor: 2.5 });
    expect(test.result).toMatchObject({ iterations: 10, successRate: 1, concurrency: 8 });
  });

  it.each([
    { procedureId: 'RT_FAST', attempts: 2, rate: 0.3, iterations: 10, seed: 20_240_601 },
    { procedureId: 'RT_ONE_SHOT', attempts: 1, rate: 0.1, iterations: 20, seed: 7 },
  ])(
    'FAILURE_INJECTION at $rate on $procedureId: exactly the planned iterations fail, roll back cleanly, and are counted',
    async ({ procedureId, attempts, rate, iterations, seed }) => {
      const test = await run({
        configId: 'FAILURE_INJECTION_STANDARD',
        procedureId,
        overrides: { iterations, failureRate: rate, timeoutMs: 10_000 },
        seed,
      });

      // The oracle: a step fails for good when all its attempts draw FAIL or HANG (a hang ends in the step timeout).
      const steps = ['hand_over', 'confirm', 'finish'];
      const tries = Array.from({ length: attempts }, (_, a) => a + 1);
      const expected = Array.from({ length: iterations }, (_, i) => {
        const broken = steps.findIndex((step) =>
          tries.every((a) => ['FAIL', 'HANG'].includes(planFault(seed, i, step, a, rate, 300)?.kind ?? '')),
        );
        return broken === -1 ? 'COMPLETED' : broken === 0 ? 'FAILED' : 'ROLLED_BACK';
      });
      expect(expected.filter((s) => s === 'ROLLED_BACK').length).toBeGreaterThan(0); // the seed was chosen so rollbacks happen
      const handoffs = await handoffsOf(test.testId);
      const actual = handoffs.edges
        .map((e) => e.node)
        .sort((a, b) => Number(a.handoffId.split('.')[1]) - Number(b.handoffId.split('.')[1]))
        .map((h) => h.status);
      expect(actual).toEqual(expected);

      const failed = expected.filter((s) => s !== 'COMPLETED').length;
      const rolledBack = expected.filter((s) => s === 'ROLLED_BACK').length;
      expect(test.result).toMatchObject({
        iterations,
        succeeded: iterations - failed,
        failed,
        rolledBack,
        rollbacksNeeded: rolledBack,
        rollbacksClean: rolledBack,
        rollbackSuccessRate: 1,
        successRate: (iterations - failed) / iterations,
      });
      // Only a procedure that allows a second attempt retries the injected faults.
      expect(test.result.retries > 0).toBe(attempts > 1);
      expect(test.result.faults.find((f: any) => f.kind === 'FAIL').count).toBeGreaterThan(0);
      const codes = test.result.errors.map((e: any) => e.code);
      expect(codes.every((c: string) => ['STEP_FAILED', 'STEP_TIMEOUT'].includes(c))).toBe(true);
      expect(test.result.errors.reduce((sum: number, e: any) => sum + e.count, 0)).toBe(failed);
    },
  );

  it('FAILURE_INJECTION on a seed procedure: faults are retried through the real retry policy', async () => {
    const test = await run({
      configId: 'FAILURE_INJECTION_STANDARD',
      procedureId: 'PHASE_TRANSITION_STANDARD',
      overrides: { iterations: 6, failureRate: 0.3 },
      seed: 3,
    });
    expect(test.status).toBe('COMPLETED');
    expect(test.result.iterations).toBe(6);
    expect(test.result.retries).toBeGreaterThan(0);
    expect(test.result.faults.reduce((sum: number, f: any) => sum + f.count, 0)).toBeGreaterThan(0);
    expect(test.result.succeeded + test.result.failed).toBe(6);
  });

  it('reports failed rollbacks: rollbackSuccessRate 0 and ROLLBACK_FAILED counted', async () => {
    const test = await run({
      configId: 'RELIABILITY_STANDARD',
      procedureId: 'RT_BAD_UNDO',
      overrides: { iterations: 3 },
    });
    expect(test.result).toMatchObject({
      succeeded: 0,
      failed: 3,
      rollbacksNeeded: 3,
      rollbacksClean: 0,
      rollbackSuccessRate: 0,
      successRate: 0,
    });
    expect(test.result.errors).toEqual([
      { code: 'ROLLBACK_FAILED', count: 3 },
      { code: 'STEP_FAILED', count: 3 },
    ]);
  });

  it('CONCURRENCY releases the full limit at once', async () => {
    const test = await run({
      configId: 'CONCURRENCY_STANDARD',
      procedureId: 'RT_FAST',
      overrides: { iterations: 12, concurrentLimit: 6 },
    });
    expect(test.result).toMatchObject({ iterations: 12, successRate: 1, concurrency: 6 });
  });

  it('ENDURANCE holds a steady rate and reports latency per window', async () => {
    const test = await run({
      configId: 'ENDURANCE_STANDARD',
      procedureId: 'RT_FAST',
      overrides: { iterations: 8, ratePerSec: 20, windowMs: 150 },
    });
    expect(test.parameters).toMatchObject({ ratePerSec: 20, windowMs: 150 });
    expect(test.result.successRate).toBe(1);
    // 8 starts 50 ms apart cannot finish sooner than the last start.
    expect(test.result.durationMs).toBeGreaterThanOrEqual(350);
    const windows = test.result.windows;
    expect(windows.length).toBeGreaterThanOrEqual(2);
    expect(windows.reduce((sum: number, w: any) => sum + w.iterations, 0)).toBe(8);
    expect(windows.map((w: any) => w.startMs)).toEqual(windows.map((_: unknown, i: number) => i * 150));
    expect(test.result.p50DriftRatio).toBeGreaterThan(0);
  });
});

describe('timeouts and cancel', () => {
  it('cancels an iteration that exceeds the timeout and counts it as ITERATION_TIMEOUT', async () => {
    const test = await run({
      configId: 'RELIABILITY_STANDARD',
      procedureId: 'RT_SLOW',
      overrides: { iterations: 3, concurrentLimit: 3, timeoutMs: 150 },
    });
    expect(test.result).toMatchObject({
      iterations: 3,
      failed: 3,
      successRate: 0,
      errors: [{ code: 'ITERATION_TIMEOUT', count: 3 }],
    });
    const handoffs = await handoffsOf(test.testId);
    expect(handoffs.edges.map((e) => e.node.status)).toEqual(['CANCELLED', 'CANCELLED', 'CANCELLED']);
  });

  it('cancelling stops new iterations and leaves none of its handoffs running', async () => {
    const started = await start({
      configId: 'RELIABILITY_STANDARD',
      procedureId: 'RT_SLOW',
      overrides: { iterations: 20, concurrentLimit: 3 },
    });
    const testId = started.test.testId;
    // Wait until iterations are in flight (the progress stream's first event says how many).
    while ((await handoffsOf(testId)).totalCount < 3) await new Promise((resolve) => setTimeout(resolve, 10));
    const cancelled = await gqlData(
      `mutation($id: ID!) { cancelReliabilityTest(input: { id: $id, reason: "enough" }) { test { ${TEST} } userErrors { code } } }`,
      { id: started.test.id },
    );
    expect(cancelled.cancelReliabilityTest.userErrors).toEqual([]);
    const test = cancelled.cancelReliabilityTest.test;
    expect(test).toMatchObject({ status: 'CANCELLED', cancelReason: 'enough' });
    const handoffs = await handoffsOf(testId);
    expect(handoffs.totalCount).toBeLessThan(20);
    expect(handoffs.edges.filter((e) => !FINAL.has(e.node.status))).toEqual([]);
    expect(test.result.cancelled).toBeGreaterThanOrEqual(3);
    expect(test.result.iterations).toBe(handoffs.totalCount);
    // Its progress stream replays the final state and completes at once.
    expect(await follow(testId)).toEqual([expect.objectContaining({ status: 'CANCELLED', running: 0 })]);
    const again = await gqlData(
      `mutation($id: ID!) { cancelReliabilityTest(input: { id: $id }) { userErrors { code } } }`,
      { id: testId },
    );
    expect(again.cancelReliabilityTest.userErrors).toEqual([{ code: 'INVALID_STATE' }]);
  });
});

describe('lists, metrics and test traffic', () => {
  it('lists tests as a connection with totalCount, and fetches one by global id through node', async () => {
    const data = await gqlData(
      `{ reliabilityTests(first: 2, filter: { type: [RELIABILITY] }) { totalCount edges { node { id testId type status } } pageInfo { hasNextPage endCursor } } }`,
    );
    const list = data.reliabilityTests;
    expect(list.totalCount).toBeGreaterThanOrEqual(4);
    expect(list.edges).toHaveLength(2);
    expect(list.pageInfo.hasNextPage).toBe(true);
    expect(list.edges.every((e: any) => e.node.type === 'RELIABILITY')).toBe(true);
    const next = await gqlData(
      `query($after: String) { reliabilityTests(first: 100, after: $after, filter: { type: [RELIABILITY] }) { edges { node { testId } } } }`,
      { after: list.pageInfo.endCursor },
    );
    expect(next.reliabilityTests.edges).toHaveLength(list.totalCount - 2);
    const node = await gqlData(
      `query($id: ID!) { node(id: $id) { ... on ReliabilityTest { testId config { id } procedure { procedureId } } } }`,
      { id: list.edges[0].node.id },
    );
    expect(node.node).toMatchObject({ testId: list.edges[0].node.testId, config: { id: expect.any(String) } });
  });

  it('aggregates tests in metrics.reliability', async () => {
    const data = await gqlData(
      `{ metrics { reliability { tests running completed cancelled failed averageSuccessRate iterations byType { type completed averageSuccessRate } } } }`,
    );
    const m = data.metrics.reliability;
    expect(m.tests).toBe(m.running + m.completed + m.cancelled + m.failed);
    expect(m.completed).toBeGreaterThanOrEqual(10);
    expect(m.cancelled).toBeGreaterThanOrEqual(1);
    expect(m.averageSuccessRate).toBeGreaterThan(0);
    expect(m.averageSuccessRate).toBeLessThan(1);
    expect(m.byType.find((t: any) => t.type === 'PERFORMANCE')).toEqual({
      type: 'PERFORMANCE',
      completed: 1,
      averageSuccessRate: 1,
    });
  });

  it('keeps test traffic out of the default handoff list, and retires the ephemeral agents', async () => {
    const data = await gqlData(
      `{ all: handoffs(filter: { includeTests: true }) { totalCount } production: handoffs { totalCount } reliabilityTests(first: 1) { edges { node { testId } } } }`,
    );
    expect(data.all.totalCount).toBeGreaterThan(50);
    expect(data.production.totalCount).toBe(0);
    const testId = data.reliabilityTests.edges[0].node.testId;
    const agents = await gqlData(
      `query($a: ID!, $b: ID!) { a: agent(id: $a) { status } b: agent(id: $b) { status } }`,
      { a: `${testId}-source`, b: `${testId}-target` },
    );
    expect(agents).toEqual({ a: { status: 'OFFLINE' }, b: { status: 'OFFLINE' } });
  });
});
