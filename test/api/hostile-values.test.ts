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

describe('numbers JSON cannot carry exactly, in metadata and context (N10)', () => {
  const INITIATE = `mutation($input: InitiateHandoffInput!) { initiateHandoff(input: $input) { handoff { id } userErrors { field code message } } }`;
  const TOO_BIG = '18446744073709551616'; // 2^64

  /** A POST with the variables written as raw JSON text, so the numbers reach the server as the client wrote them. */
  async function postRaw(query: string, variablesJson: string): Promise<any> {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"query":${JSON.stringify(query)},"variables":${variablesJson}}`,
    });
    return response.json();
  }

  it.each([
    ['1e400', 'metadata.limits.max is not a finite number (it reads as Infinity)'],
    ['-1e400', 'metadata.limits.max is not a finite number (it reads as -Infinity)'],
    [TOO_BIG, 'metadata.limits.max is 18446744073709552000, beyond ±9007199254740991'],
    ['9007199254740993', 'metadata.limits.max is 9007199254740992, beyond ±9007199254740991'],
  ])(
    'initiateHandoff metadata holding %s, in variables and in the query text: INVALID_VALUE, nothing stored',
    async (number, message) => {
      const id = `n10_${number.replace(/\W/g, '_')}`;
      const viaVariables = await postRaw(
        INITIATE,
        `{"input":{"handoffId":"${id}_v","procedureId":"ONE_TASK","metadata":{"limits":{"max":${number}}}}}`,
      );
      const viaLiteral = await server.gql(
        `mutation { initiateHandoff(input: { handoffId: "${id}_l", procedureId: "ONE_TASK", metadata: { limits: { max: ${number} } } }) { handoff { id } userErrors { field code message } } }`,
      );
      for (const reply of [viaVariables, viaLiteral]) {
        expect(reply.errors).toBeUndefined();
        expect(reply.data.initiateHandoff.handoff).toBeNull();
        expect(reply.data.initiateHandoff.userErrors).toEqual([
          { field: ['input', 'metadata'], code: 'INVALID_VALUE', message: expect.stringContaining(message) },
        ]);
      }
      expect(await getHandoff(server, `${id}_v`)).toBeNull();
      expect(await getHandoff(server, `${id}_l`)).toBeNull();
    },
  );

  it('numbers that JSON carries exactly are stored as sent', async () => {
    const reply = await postRaw(
      INITIATE,
      `{"input":{"handoffId":"n10_fine","procedureId":"ONE_TASK","sourceAgent":"agent_1","targetAgent":"agent_2","metadata":{"a":9007199254740991,"b":-0.5,"c":1e300,"d":[1.5e-10]}}}`,
    );
    expect(reply.data.initiateHandoff.userErrors).toEqual([
      {
        field: ['input', 'metadata'],
        code: 'INVALID_VALUE',
        message: expect.stringContaining('metadata.c is 1e+300, beyond ±9007199254740991'),
      },
    ]);
    const fine = await postRaw(
      INITIATE,
      `{"input":{"handoffId":"n10_fine","procedureId":"ONE_TASK","sourceAgent":"agent_1","targetAgent":"agent_2","metadata":{"a":9007199254740991,"b":-0.5,"d":[1.5e-10]}}}`,
    );
    expect(fine.data.initiateHandoff.userErrors).toEqual([]);
    const stored = await server.gql('{ handoff(id: "n10_fine") { metadata } }');
    expect(stored.data.handoff.metadata).toEqual({ a: 9007199254740991, b: -0.5, d: [1.5e-10] });
  });

  it('a validation session context, a signal payload, a retry metadataPatch and a task output are held to the same rule', async () => {
    const session = await postRaw(
      'mutation($input: StartValidationSessionInput!) { startValidationSession(input: $input) { userErrors { field code message } } }',
      `{"input":{"context":{"resources":[{"count":${TOO_BIG}}]}}}`,
    );
    expect(session.data.startValidationSession.userErrors).toEqual([
      {
        field: ['input', 'context'],
        code: 'INVALID_VALUE',
        message: expect.stringContaining('context.resources[0].count is 18446744073709552000'),
      },
    ]);
    const { taskId, token } = await claimedTask('n10_output');
    const output = await postRaw(
      'mutation($input: CompleteAgentTaskInput!) { completeAgentTask(input: $input) { task { status } userErrors { field code message } } }',
      `{"input":{"taskId":"${taskId}","token":"${token}","output":{"score":1e400}}}`,
    );
    expect(output.data.completeAgentTask).toEqual({
      task: null,
      userErrors: [
        {
          field: ['input', 'output'],
          code: 'INVALID_VALUE',
          message: expect.stringContaining('output.score is not a finite'),
        },
      ],
    });
    expect((await taskById(server, taskId)).status).toBe('CLAIMED');
    const signal = await postRaw(
      'mutation($input: SignalHandoffInput!) { signalHandoff(input: $input) { userErrors { field code message } } }',
      `{"input":{"id":"n10_output","step":"work","payload":{"n":${TOO_BIG}}}}`,
    );
    expect(signal.data.signalHandoff.userErrors).toEqual([
      { field: ['input', 'payload'], code: 'INVALID_VALUE', message: expect.stringContaining('payload.n is') },
    ]);
    // A failed handoff may be retried: the patch is checked.
    expect(
      (await failTask(server, taskId, token, { code: 'DONE', message: 'stop', retryable: false })).userErrors,
    ).toEqual([]);
    while ((await getHandoff(server, 'n10_output')).status !== 'FAILED') await new Promise((r) => setTimeout(r, 10));
    const retry = await postRaw(
      'mutation($input: RetryHandoffInput!) { retryHandoff(input: $input) { userErrors { field code message } } }',
      `{"input":{"id":"n10_output","metadataPatch":{"n":1e400}}}`,
    );
    expect(retry.data.retryHandoff.userErrors).toEqual([
      {
        field: ['input', 'metadataPatch'],
        code: 'INVALID_VALUE',
        message: expect.stringContaining('metadataPatch.n is not a finite'),
      },
    ]);
  });
});
