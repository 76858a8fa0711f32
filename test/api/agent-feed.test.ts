import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { followFeed } from '../support/agent-feed.js';
import { claimTask, completeTask, waitForTask } from '../support/agent-tasks.js';
import { createProcedure, initiate, quickStep, registerReadyAgents } from '../support/handoff-fixtures.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let server: TestApp;

beforeAll(async () => {
  server = await startTestApp();
  const work = (id: string) => quickStep(id, 'AGENT_TASK', { input: { part: id } }, { timeoutMs: 60_000 });
  for (const procedure of [
    { id: 'FEED_FLOW', steps: [quickStep('hand', 'TRANSFER_CONTEXT', { keys: ['task'] }), work('work')] },
    { id: 'FEED_THREE', steps: [work('one'), work('two'), work('three')] },
  ]) {
    expect((await createProcedure(server, { name: procedure.id, ...procedure })).userErrors).toEqual([]);
  }
});

afterAll(async () => {
  await server.close();
});

const kinds = (entries: any[]) =>
  entries.map((entry) => `${entry.seq} ${entry.type}${entry.step ? ` ${entry.step}` : ''}`);

async function finishTask(agentId: string, handoffId: string, step: string): Promise<void> {
  const task = await waitForTask(
    server,
    agentId,
    handoffId,
    (candidate) => candidate.step === step && candidate.status === 'OFFERED',
  );
  const { token } = await claimTask(server, task.taskId);
  expect((await completeTask(server, task.taskId, token!, { done: step })).userErrors).toEqual([]);
}

describe('agent feed', () => {
  it('replays what is stored, then streams what happens, numbered without gaps', async () => {
    await registerReadyAgents(server, 'feed_source', 'feed_target');
    await initiate(server, {
      handoffId: 'feed_1',
      procedureId: 'FEED_FLOW',
      sourceAgent: 'feed_source',
      targetAgent: 'feed_target',
      metadata: { task: 'write docs' },
    });
    // Wait until the task is offered, so the first entries are stored before anyone follows.
    await waitForTask(server, 'feed_target', 'feed_1');
    const feed = followFeed(server.wsClient(), 'feed_target');
    const offered = await feed.until((entry) => entry.type === 'TASK_OFFERED');
    expect(offered).toMatchObject({
      handoffId: 'feed_1',
      step: 'work',
      task: { status: 'OFFERED', attempt: 1 },
      data: { attempt: 1, compensation: false },
    });

    await finishTask('feed_target', 'feed_1', 'work');
    await feed.until((entry) => entry.type === 'HANDOFF_FINISHED');
    expect(kinds(feed.entries)).toEqual([
      '1 HANDOFF_ASSIGNED',
      '2 CONTEXT_DELIVERED',
      '3 TASK_OFFERED work',
      '4 TASK_CLAIMED work',
      '5 TASK_COMPLETED work',
      '6 HANDOFF_FINISHED',
    ]);
    expect(feed.entries[0].data).toMatchObject({ role: 'TARGET', procedureId: 'FEED_FLOW' });
    expect(feed.entries[1].data).toMatchObject({ keys: ['task'], digest: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(feed.entries[5].data).toEqual({ role: 'TARGET', status: 'COMPLETED' });
    feed.stop();

    // The source hears of the handoff, not of the target's work.
    const source = followFeed(server.wsClient(), 'feed_source');
    await source.until((entry) => entry.type === 'HANDOFF_FINISHED');
    expect(kinds(source.entries)).toEqual(['1 HANDOFF_ASSIGNED', '2 HANDOFF_FINISHED']);
    source.stop();
  });

  it('resumes from the cursor after the socket is closed mid-stream, with no gap and no duplicate', async () => {
    await registerReadyAgents(server, 'resume_source', 'resumer');
    await initiate(server, {
      handoffId: 'feed_2',
      procedureId: 'FEED_THREE',
      sourceAgent: 'resume_source',
      targetAgent: 'resumer',
    });
    const first = server.wsClient();
    const before = followFeed(first, 'resumer');
    await before.until((entry) => entry.type === 'TASK_OFFERED' && entry.step === 'one');
    // The connection drops (no goodbye) while work goes on.
    first.terminate();
    await finishTask('resumer', 'feed_2', 'one');
    await waitForTask(server, 'resumer', 'feed_2', (task) => task.step === 'two');

    const cursor = before.entries.at(-1).seq;
    const after = followFeed(server.wsClient(), 'resumer', cursor);
    await finishTask('resumer', 'feed_2', 'two');
    await finishTask('resumer', 'feed_2', 'three');
    await after.until((entry) => entry.type === 'HANDOFF_FINISHED');
    const seen = [...before.entries, ...after.entries];
    expect(seen.map((entry) => entry.seq)).toEqual(seen.map((_, index) => index + 1));
    expect(kinds(seen).slice(-4)).toEqual([
      `${seen.length - 3} TASK_OFFERED three`,
      `${seen.length - 2} TASK_CLAIMED three`,
      `${seen.length - 1} TASK_COMPLETED three`,
      `${seen.length} HANDOFF_FINISHED`,
    ]);
    // What was streamed is what is stored.
    const stored = await server.gql(`{ agent(id: "resumer") { feed(after: 0, limit: 100) { seq type } } }`);
    expect(stored.data.agent.feed).toEqual(seen.map((entry) => ({ seq: entry.seq, type: entry.type })));
    after.stop();
  });

  it('tells the agent a claimed task was taken back when the handoff is cancelled', async () => {
    await registerReadyAgents(server, 'cancel_source', 'cancelled_agent');
    await initiate(server, {
      handoffId: 'feed_3',
      procedureId: 'FEED_THREE',
      sourceAgent: 'cancel_source',
      targetAgent: 'cancelled_agent',
    });
    const feed = followFeed(server.wsClient(), 'cancelled_agent');
    const offered = await feed.until((entry) => entry.type === 'TASK_OFFERED');
    await claimTask(server, offered.taskId);
    await server.gql(
      `mutation { cancelHandoff(input: { id: "feed_3", reason: "no longer needed" }) { userErrors { message } } }`,
    );
    const withdrawn = await feed.until((entry) => entry.type === 'TASK_WITHDRAWN');
    expect(withdrawn).toMatchObject({
      taskId: offered.taskId,
      data: { cause: 'CANCELLED', reason: 'cancelled: no longer needed' },
      task: { status: 'WITHDRAWN' },
    });
    expect((await feed.until((entry) => entry.type === 'HANDOFF_FINISHED')).data).toEqual({
      role: 'TARGET',
      status: 'CANCELLED',
    });
    feed.stop();
  });
});
