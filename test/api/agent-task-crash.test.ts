import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killAll, type ServerProcess, startServerProcess, waitFor } from '../support/server-process.js';

const running: ServerProcess[] = [];
const dirs: string[] = [];

afterEach(async () => {
  await killAll(running);
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

const start = (dataDir: string) => startServerProcess(dataDir, running);

const TASKS = `query { agent(id: "agent_2") { tasks(first: 10) { edges { node { taskId attempt status withdrawnCause } } } } }`;
const tasksOf = (gql: (query: string) => Promise<any>) => async () =>
  (await gql(TASKS)).data.agent.tasks.edges.map((edge: any) => edge.node);
const CLAIM = `mutation($taskId: ID!) { claimAgentTask(input: { taskId: $taskId }) { token userErrors { code } } }`;
const COMPLETE = `mutation($input: CompleteAgentTaskInput!) { completeAgentTask(input: $input) { task { status } userErrors { code message } } }`;
const HANDOFF = `query { handoff(id: "crash_task_1") { status steps { id status attempts output } events(limit: 1000) { seq type step attempt } } }`;

describe('crash recovery of agent tasks', () => {
  it('takes a claimed task back after SIGKILL, refuses its stale completion, and finishes within the retry policy', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-task-crash-'));
    dirs.push(dataDir);

    const first = await start(dataDir);
    expect(
      (await first.gql(`mutation { registerAgent(input: { id: "agent_2" }) { userErrors { message } } }`)).data
        .registerAgent.userErrors,
    ).toEqual([]);
    const created = await first.gql(
      `mutation($input: CreateProcedureInput!) { createProcedure(input: $input) { userErrors { message } } }`,
      {
        input: {
          id: 'CRASHABLE_TASK',
          name: 'An agent task between two steps',
          steps: [
            { id: 'before', name: 'before', kind: 'NOOP', timeoutMs: 1_000 },
            {
              id: 'work',
              name: 'work',
              kind: 'AGENT_TASK',
              params: { heartbeatTimeoutMs: 20_000 },
              timeoutMs: 60_000,
              retry: { maxAttempts: 2, initialDelayMs: 10 },
            },
            { id: 'after', name: 'after', kind: 'NOOP', timeoutMs: 1_000 },
          ],
        },
      },
    );
    expect(created.data.createProcedure.userErrors).toEqual([]);
    expect(
      (
        await first.gql(
          `mutation { initiateHandoff(input: { handoffId: "crash_task_1", procedureId: "CRASHABLE_TASK", targetAgent: "agent_2" }) { userErrors { message } } }`,
        )
      ).data.initiateHandoff.userErrors,
    ).toEqual([]);

    const [offered] = await waitFor(tasksOf(first.gql), (tasks) => tasks.length === 1);
    const claim = (await first.gql(CLAIM, { taskId: offered.taskId })).data.claimAgentTask;
    expect(claim.userErrors).toEqual([]);

    first.server.child.kill('SIGKILL');
    expect((await first.server.exited).signal).toBe('SIGKILL');

    const second = await start(dataDir);
    // The restarted server counts the interrupted attempt as failed and offers the next one, taking the claimed task back.
    const tasks = await waitFor(tasksOf(second.gql), (list) => list.some((task: any) => task.attempt === 2));
    expect(tasks.find((task: any) => task.attempt === 1)).toMatchObject({
      status: 'WITHDRAWN',
      withdrawnCause: 'SUPERSEDED',
    });
    const stale = (
      await second.gql(COMPLETE, {
        input: { taskId: offered.taskId, token: claim.token, output: { from: 'before the crash' } },
      })
    ).data.completeAgentTask;
    expect(stale).toMatchObject({
      task: null,
      userErrors: [{ code: 'TASK_NOT_CURRENT', message: expect.stringContaining('SUPERSEDED') }],
    });

    const retry = tasks.find((task: any) => task.attempt === 2);
    const reclaim = (await second.gql(CLAIM, { taskId: retry.taskId })).data.claimAgentTask;
    const done = (
      await second.gql(COMPLETE, {
        input: { taskId: retry.taskId, token: reclaim.token, output: { from: 'after the restart' } },
      })
    ).data.completeAgentTask;
    expect(done).toEqual({ task: { status: 'COMPLETED' }, userErrors: [] });

    const finished = await waitFor(
      () => second.gql(HANDOFF),
      (r) => r.data.handoff.status === 'COMPLETED',
    );
    const { steps, events } = finished.data.handoff;
    const trail = events.map((e: any) => `${e.type}${e.step ? ` ${e.step}` : ''}${e.attempt ? ` #${e.attempt}` : ''}`);
    expect(events.map((e: any) => e.seq)).toEqual(events.map((_: unknown, i: number) => i + 1));
    expect(trail.slice(trail.indexOf('HANDOFF_INTERRUPTED work #1'))).toEqual([
      'HANDOFF_INTERRUPTED work #1',
      'STEP_FAILED work #1',
      'STEP_RETRY_SCHEDULED work #2',
      'STEP_WAITING work #2',
      'STEP_SUCCEEDED work #2',
      'STEP_STARTED after #1',
      'STEP_SUCCEEDED after #1',
      'HANDOFF_COMPLETED',
    ]);
    // Exactly one completion counted, within the step's two attempts.
    expect(steps[1]).toEqual({ id: 'work', status: 'SUCCEEDED', attempts: 2, output: { from: 'after the restart' } });
    expect((await tasksOf(second.gql)()).map((task: any) => [task.attempt, task.status])).toEqual([
      [2, 'COMPLETED'],
      [1, 'WITHDRAWN'],
    ]);
  });
});
