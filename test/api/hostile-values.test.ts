import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimTask, completeTask, failTask, taskById, waitForTask } from '../support/agent-tasks.js';
import { createProcedure, getHandoff, initiate, quickStep, registerReadyAgents } from '../support/handoff-fixtures.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * Values that must not be taken silently, third red-team round: a second, different outcome for a
 * finished agent task (N9), numbers JSON cannot carry exactly in metadata and context (N10).
 */

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  await registerReadyAgents(server);
  const created = await createProcedure(server, {
    id: 'ONE_TASK',
    name: 'one task',
    steps: [quickStep('work', 'AGENT_TASK', {}, { timeoutMs: 30_000, retry: { maxAttempts: 1 } })],
  });
  expect(created.userErrors).toEqual([]);
});
afterAll(() => server.close());

async function claimedTask(handoffId: string): Promise<{ taskId: string; token: string }> {
  const started = await initiate(server, {
    handoffId,
    procedureId: 'ONE_TASK',
    sourceAgent: 'agent_1',
    targetAgent: 'agent_2',
  });
  expect(started.userErrors).toEqual([]);
  const offered = await waitForTask(server, 'agent_2', handoffId);
  const claimed = await claimTask(server, offered.taskId);
  return { taskId: offered.taskId, token: claimed.token! };
}

describe('a finished agent task asked to finish again with the same token (N9)', () => {
  it('a different output is refused with TASK_NOT_CURRENT; the first one stands', async () => {
    const { taskId, token } = await claimedTask('n9_output');
    expect((await completeTask(server, taskId, token, { verdict: 'approve', score: 9 })).userErrors).toEqual([]);
    const second = await completeTask(server, taskId, token, { verdict: 'reject', score: 1 });
    expect(second).toEqual({
      task: null,
      userErrors: [
        {
          code: 'TASK_NOT_CURRENT',
          message: `Task ${taskId} is no longer current: it was already COMPLETED with another output (the first one stands)`,
        },
      ],
    });
    expect((await taskById(server, taskId)).output).toEqual({ verdict: 'approve', score: 9 });
    expect((await getHandoff(server, 'n9_output')).steps[0].output).toEqual({ verdict: 'approve', score: 9 });
  });

  it('the same output again (keys in any order) is answered as the first time: a retry after a lost answer', async () => {
    const { taskId, token } = await claimedTask('n9_same');
    const first = await completeTask(server, taskId, token, { a: 1, b: { c: [1, 2] } });
    const again = await completeTask(server, taskId, token, { b: { c: [1, 2] }, a: 1 });
    expect(again).toEqual(first);
  });

  it('a failure is held to the same rule: another failure is refused, the same one is idempotent', async () => {
    const { taskId, token } = await claimedTask('n9_failure');
    const failure = { code: 'QUOTA', message: 'out of quota', retryable: false };
    expect((await failTask(server, taskId, token, failure)).userErrors).toEqual([]);
    expect((await failTask(server, taskId, token, failure)).userErrors).toEqual([]);
    const other = await failTask(server, taskId, token, { ...failure, message: 'something else' });
    expect(other.userErrors).toEqual([
      {
        code: 'TASK_NOT_CURRENT',
        message: `Task ${taskId} is no longer current: it was already FAILED with another failure (the first one stands)`,
      },
    ]);
    expect((await taskById(server, taskId)).failure).toEqual(failure);
  });
});
