import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Slots count only work executing now: with ten of them, a thousand handoffs waiting for a signal
 * (agents and people answer in hours) do not keep a thousand others from running.
 */

const WAITING = 1_000;
const QUICK = 1_000;
const CONCURRENT_REQUESTS = 20;

let server: TestApp;

beforeAll(async () => {
  server = await startTestApp({ MAX_CONCURRENT_HANDOFFS: '10' });
  const defined = await server.gql(`mutation {
    waits: createProcedure(input: { id: "WAITS", name: "waits", steps: [
      { id: "approve", name: "approve", kind: AWAIT_SIGNAL, timeoutMs: 86400000 } ] }) { userErrors { message } }
    quick: createProcedure(input: { id: "QUICK", name: "quick", steps: [
      { id: "go", name: "go", kind: NOOP, timeoutMs: 5000 } ] }) { userErrors { message } }
  }`);
  expect(defined).toEqual({ data: { waits: { userErrors: [] }, quick: { userErrors: [] } } });
});

afterAll(() => server.close());

/** Runs `task(i)` for i in [0, count) with a few requests in flight at a time. */
async function inParallel(count: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENT_REQUESTS }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

async function countWith(status: string, procedureId: string): Promise<number> {
  const response = await server.gql(
    `{ handoffs(first: 1, filter: { status: [${status}], procedureId: ["${procedureId}"] }) { totalCount } }`,
  );
  return response.data.handoffs.totalCount;
}

/** Waits for a stored state: reads again, less and less often, until `done` holds. */
async function until(done: () => Promise<boolean>): Promise<void> {
  for (let pause = 10; !(await done()); pause = Math.min(pause * 2, 500))
    await new Promise((resolve) => setTimeout(resolve, pause));
}

describe('with MAX_CONCURRENT_HANDOFFS=10', () => {
  it(`${WAITING} handoffs waiting for a signal hold no slot: ${QUICK} others complete meanwhile, then the waiting ones on their signals`, async () => {
    const initiate = (id: string, procedureId: string) =>
      server.gql(
        'mutation($input: InitiateHandoffInput!) { initiateHandoff(input: $input) { userErrors { message } } }',
        {
          input: { handoffId: id, procedureId },
        },
      );
    await inParallel(WAITING, async (i) => {
      expect((await initiate(`waits_${i}`, 'WAITS')).data.initiateHandoff.userErrors).toEqual([]);
    });
    await until(async () => (await countWith('WAITING', 'WAITS')) === WAITING);
    await inParallel(QUICK, async (i) => {
      expect((await initiate(`quick_${i}`, 'QUICK')).data.initiateHandoff.userErrors).toEqual([]);
    });
    await until(async () => (await countWith('COMPLETED', 'QUICK')) === QUICK);
    // The waiting ones still wait, each on its first attempt, and nothing runs now.
    expect(await countWith('WAITING', 'WAITS')).toBe(WAITING);
    expect(server.app.engine.queue.runningCount).toBe(0);

    await inParallel(WAITING, async (i) => {
      const signalled = await server.gql(
        'mutation($id: ID!) { signalHandoff(input: { id: $id, step: "approve", payload: { ok: true } }) { userErrors { message } } }',
        { id: `waits_${i}` },
      );
      expect(signalled.data.signalHandoff.userErrors).toEqual([]);
    });
    await until(async () => (await countWith('COMPLETED', 'WAITS')) === WAITING);
    const sample = await server.gql('{ handoff(id: "waits_7") { steps { attempts status } } }');
    expect(sample.data.handoff.steps).toEqual([{ attempts: 1, status: 'SUCCEEDED' }]);
    // Four thousand requests on a busy machine: the time allowed is generous, the test asserts no speed.
  }, 300_000);
});
