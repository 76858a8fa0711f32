import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimTask, completeTask, failTask, heartbeatTask, waitForTask } from '../support/agent-tasks.js';
import {
  createProcedure,
  getHandoff,
  initiate,
  noopCompensation,
  quickStep,
  registerReadyAgents,
} from '../support/handoff-fixtures.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let server: TestApp;

const agentTask = (id: string, params: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) =>
  quickStep(id, 'AGENT_TASK', params, { timeoutMs: 30_000, ...extra });

beforeAll(async () => {
  server = await startTestApp();
  await registerReadyAgents(server);
  const procedures = [
    {
      id: 'TASKED',
      steps: [
        quickStep('prepare', 'NOOP', {}, { compensation: noopCompensation('unprepare') }),
        agentTask('work', { input: { ticket: 'T-1' } }),
        quickStep('after', 'NOOP', {}),
      ],
    },
    {
      id: 'HEARTBEAT',
      steps: [agentTask('work', { heartbeatTimeoutMs: 150 }, { retry: { maxAttempts: 10, initialDelayMs: 1 } })],
    },
    { id: 'TIMEOUT', steps: [agentTask('work', {}, { timeoutMs: 100, retry: { maxAttempts: 2, initialDelayMs: 1 } })] },
    {
      id: 'CHECKED',
      steps: [
        agentTask('review'),
        quickStep('gate', 'VALIDATE', { rules: ['VR_REVIEWED'] }, { retry: { maxAttempts: 1 } }),
      ],
    },
    {
      id: 'COMPENSATED',
      steps: [
        agentTask(
          'hand',
          {},
          {
            compensation: {
              id: 'unhand',
              name: 'Take it back',
              kind: 'AGENT_TASK',
              params: { assignee: 'source' },
              timeoutMs: 30_000,
            },
          },
        ),
        quickStep('boom', 'SIMULATE', { failureProbability: 1 }, { retry: { maxAttempts: 1 } }),
      ],
    },
  ];
  const rule = await server.gql(
    `mutation($condition: JSON!) { createValidationRule(input: { id: "VR_REVIEWED", name: "Review approved", severity: CRITICAL,
    condition: $condition }) { userErrors { message } } }`,
    { condition: { 'outputs.review.approved': true } },
  );
  expect(rule.data.createValidationRule.userErrors).toEqual([]);
  for (const procedure of procedures)
    expect((await createProcedure(server, { name: procedure.id, ...procedure })).userErrors).toEqual([]);
});

afterAll(async () => {
  await server.close();
});

const EVENTS = `subscription($id: ID!) { handoffProgress(id: $id) { seq type step attempt message data } }`;

/** Every event of a handoff, to its final one. */
async function finalEvents(id: string): Promise<any[]> {
  const results = await server.subscribe(EVENTS, { id });
  return results.map((result) => result.data.handoffProgress);
}

const start = async (handoffId: string, procedureId: string, extra: Record<string, unknown> = {}) =>
  expect(
    (await initiate(server, { handoffId, procedureId, sourceAgent: 'agent_1', targetAgent: 'agent_2', ...extra }))
      .userErrors,
  ).toEqual([]);

describe('agent tasks', () => {
  it('offers the task to the target; of two claims exactly one wins; the completion is the step output', async () => {
    await start('task_ok', 'TASKED');
    const offered = await waitForTask(server, 'agent_2', 'task_ok');
    expect(offered).toMatchObject({
      step: 'work',
      attempt: 1,
      agentId: 'agent_2',
      status: 'OFFERED',
      input: { ticket: 'T-1' },
    });

    const claims = await Promise.all([claimTask(server, offered.taskId), claimTask(server, offered.taskId)]);
    const winner = claims.find((claim) => claim.token !== null)!;
    const loser = claims.find((claim) => claim !== winner)!;
    expect(winner.task).toMatchObject({ status: 'CLAIMED', claimedBy: 'anonymous' });
    expect(loser).toMatchObject({
      token: null,
      task: null,
      userErrors: [{ code: 'TASK_ALREADY_CLAIMED', field: ['input', 'taskId'] }],
    });
    expect(winner.token).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const beat = await heartbeatTask(server, offered.taskId, winner.token!, { percent: 50 });
    expect(beat).toMatchObject({ task: { status: 'CLAIMED', progress: { percent: 50 } }, userErrors: [] });
    const done = await completeTask(server, offered.taskId, winner.token!, { summary: 'reviewed', score: 9 });
    expect(done).toMatchObject({
      task: { status: 'COMPLETED', output: { summary: 'reviewed', score: 9 } },
      userErrors: [],
    });

    expect((await finalEvents('task_ok')).at(-1).type).toBe('HANDOFF_COMPLETED');
    const stored = await getHandoff(server, 'task_ok');
    expect(stored.steps[1]).toMatchObject({
      id: 'work',
      status: 'SUCCEEDED',
      attempts: 1,
      output: { summary: 'reviewed', score: 9 },
    });

    // The same completion again (a retry after a lost answer) is safe; anything else on a finished task is refused.
    expect(
      (await completeTask(server, offered.taskId, winner.token!, { summary: 'reviewed', score: 9 })).userErrors,
    ).toEqual([]);
    expect(
      (await failTask(server, offered.taskId, winner.token!, { code: 'LATE', message: 'too late' })).userErrors[0].code,
    ).toBe('TASK_NOT_CURRENT');
    expect((await heartbeatTask(server, offered.taskId, winner.token!)).userErrors[0].code).toBe('TASK_NOT_CURRENT');
    expect((await claimTask(server, 'tsk_nope')).userErrors[0].code).toBe('NOT_FOUND');
  });

  it("shows a task's output to the rules of later steps", async () => {
    for (const [id, approved, final] of [
      ['task_approved', true, 'HANDOFF_COMPLETED'],
      ['task_declined', false, 'HANDOFF_FAILED'],
    ] as const) {
      await start(id, 'CHECKED');
      const offered = await waitForTask(server, 'agent_2', id);
      await completeTask(server, offered.taskId, (await claimTask(server, offered.taskId)).token!, { approved });
      expect((await finalEvents(id)).at(-1).type).toBe(final);
    }
  });

  it('refuses a wrong token and changes nothing', async () => {
    await start('task_token', 'TASKED');
    const offered = await waitForTask(server, 'agent_2', 'task_token');
    const { token } = await claimTask(server, offered.taskId);
    const wrong = await completeTask(server, offered.taskId, 'not-the-token', { forged: true });
    expect(wrong).toEqual({ task: null, userErrors: [{ code: 'INVALID_TOKEN', message: expect.any(String) }] });
    expect((await waitForTask(server, 'agent_2', 'task_token')).status).toBe('CLAIMED');
    await completeTask(server, offered.taskId, token!, {});
    expect((await finalEvents('task_token')).at(-1).type).toBe('HANDOFF_COMPLETED');
  });

  it('takes the task back from a silent worker: the attempt fails, the next one is offered, the stale token is refused', async () => {
    await start('task_silent', 'HEARTBEAT');
    const first = await waitForTask(server, 'agent_2', 'task_silent');
    expect(first.heartbeatTimeoutMs).toBe(150);
    const { token } = await claimTask(server, first.taskId);
    const lost = await waitForTask(
      server,
      'agent_2',
      'task_silent',
      (task) => task.taskId === first.taskId && task.status === 'WITHDRAWN',
    );
    expect(lost).toMatchObject({
      withdrawnCause: 'HEARTBEAT_TIMEOUT',
      withdrawnReason: 'no heartbeat from agent agent_2 for 150 ms',
    });
    expect((await heartbeatTask(server, first.taskId, token!)).userErrors).toEqual([
      { code: 'TASK_NOT_CURRENT', message: expect.stringContaining('HEARTBEAT_TIMEOUT') },
    ]);
    expect((await completeTask(server, first.taskId, token!, { late: true })).userErrors[0].code).toBe(
      'TASK_NOT_CURRENT',
    );

    // A worker that answers promptly gets the next attempt done (a slow machine may need one more try: no timing is assumed).
    for (let attempt = 2; ; attempt++) {
      const next = await waitForTask(server, 'agent_2', 'task_silent', (task) => task.attempt === attempt);
      const claim = await claimTask(server, next.taskId);
      if (
        claim.token &&
        (await completeTask(server, next.taskId, claim.token, { prompt: true })).userErrors.length === 0
      )
        break;
    }
    const events = await finalEvents('task_silent');
    expect(events.at(-1).type).toBe('HANDOFF_COMPLETED');
    expect(events.find((e) => e.type === 'STEP_FAILED')).toMatchObject({
      attempt: 1,
      data: { heartbeatTimeout: true, retryable: true, taskId: first.taskId },
    });
    expect((await getHandoff(server, 'task_silent')).steps[0]).toMatchObject({
      status: 'SUCCEEDED',
      output: { prompt: true },
    });
  });

  it('fails the step for good on a non-retryable failure, and rolls back', async () => {
    await start('task_fatal', 'TASKED');
    const offered = await waitForTask(server, 'agent_2', 'task_fatal');
    const { token } = await claimTask(server, offered.taskId);
    const failed = await failTask(server, offered.taskId, token!, {
      code: 'BAD_INPUT',
      message: 'ticket T-1 does not exist',
      retryable: false,
    });
    expect(failed.task).toMatchObject({
      status: 'FAILED',
      failure: { code: 'BAD_INPUT', message: 'ticket T-1 does not exist', retryable: false },
    });
    const events = await finalEvents('task_fatal');
    expect(events.at(-1).type).toBe('HANDOFF_ROLLED_BACK');
    expect(events.find((e) => e.type === 'STEP_FAILED')).toMatchObject({
      attempt: 1,
      message: 'attempt 1 failed: agent agent_2 failed the task: BAD_INPUT: ticket T-1 does not exist',
      data: { retryable: false, code: 'BAD_INPUT', agentId: 'agent_2' },
    });
    expect((await getHandoff(server, 'task_fatal')).steps[1]).toMatchObject({ status: 'FAILED', attempts: 1 });
  });

  it('retries after a retryable failure, then succeeds', async () => {
    await start('task_retry', 'TASKED');
    const first = await waitForTask(server, 'agent_2', 'task_retry');
    await failTask(server, first.taskId, (await claimTask(server, first.taskId)).token!, {
      code: 'BUSY',
      message: 'try later',
    });
    const second = await waitForTask(server, 'agent_2', 'task_retry', (task) => task.attempt === 2);
    expect(second.taskId).not.toBe(first.taskId);
    await completeTask(server, second.taskId, (await claimTask(server, second.taskId)).token!, { ok: true });
    const events = await finalEvents('task_retry');
    expect(events.at(-1).type).toBe('HANDOFF_COMPLETED');
    expect(events.filter((e) => e.type === 'STEP_RETRY_SCHEDULED' && e.step === 'work')).toHaveLength(1);
  });

  it('takes a claimed task back on cancel; a late completion is refused', async () => {
    await start('task_cancel', 'TASKED');
    const offered = await waitForTask(server, 'agent_2', 'task_cancel');
    const { token } = await claimTask(server, offered.taskId);
    await server.gql(
      `mutation { cancelHandoff(input: { id: "task_cancel", reason: "plans changed" }) { userErrors { message } } }`,
    );
    const withdrawn = await waitForTask(server, 'agent_2', 'task_cancel', (task) => task.status === 'WITHDRAWN');
    expect(withdrawn).toMatchObject({ withdrawnCause: 'CANCELLED', withdrawnReason: 'cancelled: plans changed' });
    expect((await completeTask(server, offered.taskId, token!, { late: true })).userErrors[0].code).toBe(
      'TASK_NOT_CURRENT',
    );
    expect((await finalEvents('task_cancel')).at(-1).type).toBe('HANDOFF_CANCELLED');
  });

  it('takes an unclaimed task back when the step times out, and offers the next attempt', async () => {
    await start('task_timeout', 'TIMEOUT');
    const events = await finalEvents('task_timeout');
    expect(events.filter((e) => e.type === 'STEP_FAILED').map((e) => e.data.timeout)).toEqual([true, true]);
    const tasks = await Promise.all(
      [1, 2].map((attempt) => waitForTask(server, 'agent_2', 'task_timeout', (task) => task.attempt === attempt)),
    );
    expect(tasks.map((task) => [task.status, task.withdrawnCause])).toEqual([
      ['WITHDRAWN', 'STEP_TIMEOUT'],
      ['WITHDRAWN', 'STEP_TIMEOUT'],
    ]);
  });

  it('runs a compensation that is an agent task, offered to the source', async () => {
    await start('task_undo', 'COMPENSATED');
    const hand = await waitForTask(server, 'agent_2', 'task_undo');
    await completeTask(server, hand.taskId, (await claimTask(server, hand.taskId)).token!, { handed: true });
    const undo = await waitForTask(server, 'agent_1', 'task_undo');
    expect(undo).toMatchObject({ step: 'unhand', attempt: 1, agentId: 'agent_1', status: 'OFFERED' });
    await completeTask(server, undo.taskId, (await claimTask(server, undo.taskId)).token!, { undone: true });
    const events = await finalEvents('task_undo');
    expect(events.slice(-3).map((e) => `${e.type} ${e.step ?? ''}`.trim())).toEqual([
      'COMPENSATION_STARTED hand',
      'COMPENSATION_SUCCEEDED hand',
      'HANDOFF_ROLLED_BACK',
    ]);
  });

  it('fails for good when the handoff names no agent to offer the task to', async () => {
    expect((await initiate(server, { handoffId: 'task_nobody', procedureId: 'TASKED' })).userErrors).toEqual([]);
    const events = await finalEvents('task_nobody');
    expect(events.at(-1).type).toBe('HANDOFF_ROLLED_BACK');
    expect(events.find((e) => e.type === 'STEP_FAILED')).toMatchObject({
      attempt: 1,
      message: expect.stringContaining('no agent to offer the task to'),
    });
  });
});
