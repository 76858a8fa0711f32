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
  it('keeps a claimed task across a SIGKILL: the attempt waited holding nothing, and its worker completes it after the restart', async () => {
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
              // Longer than a SIGKILL and a restart can take on a busy machine (more than 20 s seen): the test is about
              // the claim surviving the crash, not about a heartbeat timing out meanwhile.
              params: { heartbeatTimeoutMs: 600_000 },
              timeoutMs: 3_600_000,
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
    // The attempt waited for its task holding nothing in the dead process: the task is still the attempt's, claimed.
    const [kept] = await tasksOf(second.gql)();
    expect(kept).toMatchObject({ taskId: offered.taskId, attempt: 1, status: 'CLAIMED' });
    const done = (
      await second.gql(COMPLETE, {
        input: { taskId: offered.taskId, token: claim.token, output: { from: 'the worker that outlived the server' } },
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
    expect(trail.slice(trail.indexOf('STEP_WAITING work #1'))).toEqual([
      'STEP_WAITING work #1',
      'STEP_SUCCEEDED work #1',
      'STEP_STARTED after #1',
      'STEP_SUCCEEDED after #1',
      'HANDOFF_COMPLETED',
    ]);
    // One task for the one attempt, completed once.
    expect(steps[1]).toEqual({
      id: 'work',
      status: 'SUCCEEDED',
      attempts: 1,
      output: { from: 'the worker that outlived the server' },
    });
    expect((await tasksOf(second.gql)()).map((task: any) => [task.attempt, task.status])).toEqual([[1, 'COMPLETED']]);
  });
});
