import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RetentionSweep } from '../../src/engine/kernel/handoff-retention.js';
import { claimTask, completeTask, waitForTask } from '../support/agent-tasks.js';
import { createProcedure, follow, initiate, quickStep, registerReadyAgents } from '../support/handoff-fixtures.js';
import { ManualClock } from '../support/manual-clock.js';
import { waitFor } from '../support/server-process.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** Finished handoffs older than an hour are deleted by the background sweep, on a clock the test moves. */
let server: TestApp;
const clock = new ManualClock();
const MINUTE = 60_000;

const TOTALS = `{ metrics { handoffs { total finished running succeeded byStatus { status count } } } }`;
const IDS = `{ handoffs(first: 50) { edges { node { handoffId status } } } }`;

beforeAll(async () => {
  server = await startTestApp(
    { HANDOFF_RETENTION_MINUTES: '60', HANDOFF_RETENTION_INTERVAL_MS: String(MINUTE), HANDOFF_RETENTION_BATCH: '2' },
    { clock },
  );
  for (const [id, kind] of [
    ['QUICK', 'NOOP'],
    ['GATED', 'AWAIT_SIGNAL'],
  ]) {
    const created = await createProcedure(server, {
      id,
      name: id,
      steps: [quickStep('only', kind, {}, { timeoutMs: 24 * 60 * MINUTE })],
    });
    expect(created.userErrors).toEqual([]);
  }
  const handed = await createProcedure(server, {
    id: 'HANDED',
    name: 'Hand over, then work',
    steps: [
      quickStep('hand', 'TRANSFER_CONTEXT', { keys: ['task'] }),
      quickStep('work', 'AGENT_TASK', {}, { timeoutMs: 24 * 60 * MINUTE }),
    ],
  });
  expect(handed.userErrors).toEqual([]);
});

afterAll(async () => {
  await server.close();
});

async function start(id: string, procedureId: string): Promise<void> {
  const answer = await server.gql(
    `mutation($input: InitiateHandoffInput!) { initiateHandoff(input: $input) { userErrors { message } } }`,
    {
      input: { handoffId: id, procedureId },
    },
  );
  expect(answer.errors ?? answer.data.initiateHandoff.userErrors).toEqual([]);
}

/** The next sweep that deleted something, however many empty ones run before it. */
function nextDeletingSweep(): Promise<RetentionSweep> {
  return new Promise((resolve) => {
    const stop = server.app.engine.retention.swept.subscribe((sweep) => {
      if (sweep.production + sweep.test === 0) return;
      stop();
      resolve(sweep);
    });
  });
}

const listed = async () =>
  ((await server.gql(IDS)).data.handoffs.edges as any[]).map((edge) => edge.node.handoffId).sort();

describe('retention of finished handoffs', () => {
  it('deletes finished handoffs past the age, never unfinished ones, and metrics stay consistent', async () => {
    for (const id of ['old_1', 'old_2', 'old_3']) {
      await start(id, 'QUICK');
      expect((await follow(server, id)).at(-1)!.type).toBe('HANDOFF_COMPLETED');
    }
    await start('gated', 'GATED');
    await clock.advance(30 * MINUTE);
    await start('young', 'QUICK');
    await follow(server, 'young');
    expect(await listed()).toEqual(['gated', 'old_1', 'old_2', 'old_3', 'young']);
    const before = (await server.gql(TOTALS)).data.metrics.handoffs;
    expect(before).toMatchObject({ total: 5, finished: 4, running: 1, succeeded: 4 });

    // Sweeps every minute; at 61 minutes the first three are past the age (in two batches of at most 2).
    const swept = nextDeletingSweep();
    await clock.advance(31 * MINUTE);
    expect(await swept).toEqual({ production: 3, test: 0 });

    expect(await listed()).toEqual(['gated', 'young']);
    const old = await server.gql(`{ handoff(id: "old_1") { status events { seq } } }`);
    expect(old).toEqual({ data: { handoff: null } });
    expect((await server.gql(TOTALS)).data.metrics.handoffs).toMatchObject({
      total: 2,
      finished: 1,
      running: 1,
      succeeded: 1,
    });
    // Subscribing to a deleted handoff is answered like any unknown id.
    const progress = await server.subscribe(`subscription { handoffProgress(id: "old_2") { seq } }`);
    expect(progress.map((result) => result.errors?.[0].extensions?.code)).toEqual(['NOT_FOUND']);

    // Much later: the young one goes too; the one still waiting for its signal stays.
    const later = nextDeletingSweep();
    await clock.advance(120 * MINUTE);
    expect(await later).toEqual({ production: 1, test: 0 });
    expect(await listed()).toEqual(['gated']);
    expect((await server.gql(`{ handoff(id: "gated") { status } }`)).data.handoff).toEqual({ status: 'WAITING' });
  });

  it("deletes the agent tasks and inbox deliveries of a deleted handoff, and keeps the agent's feed", async () => {
    await registerReadyAgents(server, 'ret_source', 'ret_target');
    const started = await initiate(server, {
      handoffId: 'handed_1',
      procedureId: 'HANDED',
      sourceAgent: 'ret_source',
      targetAgent: 'ret_target',
      metadata: { task: 'ship it' },
    });
    expect(started.userErrors).toEqual([]);
    const task = await waitForTask(server, 'ret_target', 'handed_1');
    const { token } = await claimTask(server, task.taskId);
    expect((await completeTask(server, task.taskId, token!, { done: true })).userErrors).toEqual([]);
    expect((await follow(server, 'handed_1')).at(-1)!.type).toBe('HANDOFF_COMPLETED');
    const TARGET = `{ agent(id: "ret_target") {
      inbox(first: 10) { edges { node { handoffId } } }
      tasks(first: 10) { edges { node { taskId } } }
      feed(after: 0) { type handoffId handoff { status } }
    } }`;
    // The agent hears that the handoff finished just after its last event: read its feed once that entry is there.
    const before = (
      await waitFor(
        () => server.gql(TARGET),
        (read) => read.data.agent.feed.some((entry: any) => entry.type === 'HANDOFF_FINISHED'),
      )
    ).data.agent;
    expect([before.inbox.edges.length, before.tasks.edges.length]).toEqual([1, 1]);

    const swept = nextDeletingSweep();
    await clock.advance(61 * MINUTE);
    expect(await swept).toEqual({ production: 1, test: 0 });
    const after = await server.gql(TARGET);
    expect(after.errors).toBeUndefined();
    expect(after.data.agent.inbox.edges).toEqual([]);
    expect(after.data.agent.tasks.edges).toEqual([]);
    expect((await server.gql(`{ agentTask(taskId: "${task.taskId}") { status } }`)).data.agentTask).toBeNull();
    // The feed is the agent's own numbered log: its entries stay, and name a handoff that is gone.
    expect(after.data.agent.feed.map((entry: any) => entry.type)).toEqual(before.feed.map((entry: any) => entry.type));
    expect(after.data.agent.feed.every((entry: any) => entry.handoffId === 'handed_1' && entry.handoff === null)).toBe(
      true,
    );
  });
});
