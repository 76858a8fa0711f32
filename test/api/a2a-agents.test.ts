import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SdkPeer, startSdkPeer } from '../support/a2a-sdk-peer.js';
import { createProcedure, initiate } from '../support/handoff-fixtures.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { waitFor } from '../support/server-process.js';

let server: TestServer;
let streaming: SdkPeer;
let polled: SdkPeer;

const REGISTER = `mutation($input: RegisterA2AAgentInput!) { registerA2AAgent(input: $input) {
  a2aAgent { agentId cardUrl name url protocolBinding protocolVersion streaming skills { id name } lastError
    agent { agentId capabilities permissions status } }
  userErrors { field code message } } }`;

const HANDOFF = `query($id: ID!) { handoff(id: $id) { status error steps { id status attempts error errorCode output }
  openAgentTasks { taskId step status claimedBy waitingForAnswer progress question { seq text data } } } }`;

const SIGNAL = `mutation($input: SignalHandoffInput!) { signalHandoff(input: $input) { handoff { status } userErrors { code message } } }`;

/** A procedure whose one step is an agent task for `agentId`. */
function reviewProcedure(id: string, agentId: string, input: unknown, extra: Record<string, unknown> = {}) {
  return {
    id,
    name: id,
    steps: [
      {
        id: 'review',
        name: 'Review',
        kind: 'AGENT_TASK',
        params: { agentId, input },
        timeoutMs: 60_000,
        retry: { maxAttempts: 1 },
        ...extra,
      },
    ],
  };
}

const handoff = async (id: string) => (await server.gql(HANDOFF, { id })).data.handoff;

beforeAll(async () => {
  [streaming, polled] = await Promise.all([startSdkPeer({ streaming: true }), startSdkPeer({ streaming: false })]);
  server = await startTestServer({
    WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
    OUTBOUND_ALLOW_PRIVATE: '127.0.0.1',
    A2A_POLL_MAX_MS: '200',
  });
  for (const [peer, agentId] of [
    [streaming, 'reviewer'],
    [polled, 'slow-reviewer'],
  ] as const) {
    const registered = await server.gql(REGISTER, { input: { cardUrl: peer.cardUrl, agentId } });
    expect(registered.data.registerA2AAgent.userErrors).toEqual([]);
    expect(
      (
        await createProcedure(
          server,
          reviewProcedure(`REVIEW_BY_${agentId.toUpperCase()}`, agentId, { change: 'PR-7' }),
        )
      ).userErrors,
    ).toEqual([]);
  }
  expect(
    (await createProcedure(server, reviewProcedure('HOLD_BY_REVIEWER', 'reviewer', { change: 'PR-8', hold: true })))
      .userErrors,
  ).toEqual([]);
  // A step that runs out of time while the agent works: the handoff fails and rolls back.
  const timed = reviewProcedure('HOLD_TOO_LONG', 'reviewer', { change: 'PR-9', hold: true }, { timeoutMs: 1_000 });
  expect(
    (
      await createProcedure(server, {
        ...timed,
        steps: [
          {
            id: 'prepare',
            name: 'Prepare',
            kind: 'NOOP',
            timeoutMs: 1_000,
            compensation: { id: 'unprepare', name: 'Unprepare', kind: 'NOOP', timeoutMs: 1_000 },
          },
          ...timed.steps,
        ],
      })
    ).userErrors,
  ).toEqual([]);
});

afterAll(async () => {
  await server?.close();
  await Promise.all([streaming?.close(), polled?.close()]);
});

describe('A2A agents as handoff targets', () => {
  it('registers an agent from its Agent Card: skills become capabilities', async () => {
    const again = await server.gql(REGISTER, { input: { cardUrl: streaming.cardUrl, agentId: 'reviewer' } });
    expect(again.data.registerA2AAgent).toEqual({
      a2aAgent: {
        agentId: 'reviewer',
        cardUrl: streaming.cardUrl,
        name: 'Reviewer',
        url: `${streaming.origin}/a2a`,
        protocolBinding: 'JSONRPC',
        protocolVersion: '1.0',
        streaming: true,
        skills: [{ id: 'review', name: 'Review' }],
        lastError: null,
        agent: { agentId: 'reviewer', capabilities: ['review'], permissions: ['handoff:receive'], status: 'READY' },
      },
      userErrors: [],
    });
  });

  it('refuses a card it may not or cannot read', async () => {
    const closed = await startSdkPeer();
    await closed.close();
    const unreachable = await server.gql(REGISTER, { input: { cardUrl: closed.cardUrl } });
    expect(unreachable.data.registerA2AAgent).toMatchObject({
      a2aAgent: null,
      userErrors: [{ field: ['input', 'cardUrl'], code: 'UNREACHABLE' }],
    });
    const elsewhere = await server.gql(REGISTER, { input: { cardUrl: 'http://agents.example.com/card.json' } });
    expect(elsewhere.data.registerA2AAgent.userErrors).toMatchObject([{ code: 'HOST_NOT_ALLOWED' }]);
  });

  for (const [agentId, peerOf] of [
    ['reviewer', () => streaming],
    ['slow-reviewer', () => polled],
  ] as const) {
    it(`sends a step to ${agentId} as one A2A task, relays its question and answer, and takes its artifact as the output`, async () => {
      const peer = peerOf();
      const before = peer.created.length;
      const id = `a2a_review_${agentId}`;
      expect(
        (await initiate(server, { handoffId: id, procedureId: `REVIEW_BY_${agentId.toUpperCase()}` })).userErrors,
      ).toEqual([]);

      // input-required: the step waits, and the agent's question is on its task.
      const waiting = await waitFor(
        () => handoff(id),
        (h) => h.openAgentTasks[0]?.waitingForAnswer === true,
      );
      expect(waiting.status).toBe('WAITING');
      const [task] = waiting.openAgentTasks;
      expect(task).toMatchObject({
        step: 'review',
        status: 'CLAIMED',
        claimedBy: 'a2a:bridge',
        question: { seq: 1, text: 'Which priority should this get?', data: { choices: ['low', 'high'] } },
        progress: { a2a: { agentId, state: 'input-required', taskId: peer.created.at(-1) } },
      });

      const answered = await server.gql(SIGNAL, { input: { id, step: 'review', payload: 'high' } });
      expect(answered.data.signalHandoff.userErrors).toEqual([]);

      const done = await waitFor(
        () => handoff(id),
        (h) => h.status === 'COMPLETED' || h.status === 'FAILED',
      );
      expect(done.steps[0]).toMatchObject({
        status: 'SUCCEEDED',
        attempts: 1,
        output: {
          a2a: { agentId, taskId: peer.created.at(-1) },
          text: 'approved',
          data: { verdict: 'approved', priority: 'high', reviewed: { change: 'PR-7' } },
          artifacts: [{ artifactId: 'review', name: 'review' }],
        },
      });
      // One A2A task for the attempt; the answer went to that same task.
      expect(peer.created.length).toBe(before + 1);
      expect(peer.received.at(-1)).toMatchObject({ taskId: peer.created.at(-1), parts: [{ text: 'high' }] });
    });
  }

  it('refuses an answer when the agent asked nothing', async () => {
    const id = 'a2a_hold_unasked';
    expect((await initiate(server, { handoffId: id, procedureId: 'HOLD_BY_REVIEWER' })).userErrors).toEqual([]);
    await waitFor(
      () => handoff(id),
      (h) => h.openAgentTasks[0]?.progress?.a2a?.state === 'working',
    );
    const early = await server.gql(SIGNAL, { input: { id, step: 'review', payload: 'high' } });
    expect(early.data.signalHandoff.userErrors).toMatchObject([{ code: 'INVALID_STATE' }]);
    await server.gql(`mutation($id: ID!) { cancelHandoff(input: { id: $id }) { userErrors { message } } }`, { id });
    await waitFor(
      () => handoff(id),
      (h) => h.status === 'CANCELLED',
    );
  });

  it('cancels the A2A task when the handoff is cancelled', async () => {
    const id = 'a2a_hold_cancel';
    expect((await initiate(server, { handoffId: id, procedureId: 'HOLD_BY_REVIEWER' })).userErrors).toEqual([]);
    const working = await waitFor(
      () => handoff(id),
      (h) => h.openAgentTasks[0]?.progress?.a2a?.state === 'working',
    );
    // The agent's "working" arrives as the task's progress (a heartbeat), with its own words.
    expect(working.openAgentTasks[0].progress.a2a).toMatchObject({ state: 'working', message: 'reviewing' });
    const remoteId = working.openAgentTasks[0].progress.a2a.taskId;
    const cancelled = await server.gql(
      `mutation($id: ID!) { cancelHandoff(input: { id: $id, reason: "not needed" }) { userErrors { message } } }`,
      { id },
    );
    expect(cancelled.data.cancelHandoff.userErrors).toEqual([]);
    await waitFor(
      () => handoff(id),
      (h) => h.status === 'CANCELLED',
    );
    await waitFor(
      async () => streaming.cancelled,
      (ids) => ids.includes(remoteId),
    );
  });

  it('cancels the A2A task when its step times out and the handoff rolls back', async () => {
    const id = 'a2a_hold_timeout';
    expect((await initiate(server, { handoffId: id, procedureId: 'HOLD_TOO_LONG' })).userErrors).toEqual([]);
    const working = await waitFor(
      () => handoff(id),
      (h) => h.openAgentTasks[0]?.progress?.a2a?.state === 'working',
    );
    const remoteId = working.openAgentTasks[0].progress.a2a.taskId;
    const rolledBack = await waitFor(
      () => handoff(id),
      (h) => h.status === 'ROLLED_BACK' || h.status === 'ROLLBACK_FAILED' || h.status === 'FAILED',
    );
    expect(rolledBack.status).toBe('ROLLED_BACK');
    expect(rolledBack.steps[1]).toMatchObject({ id: 'review', status: 'FAILED', errorCode: 'TIMEOUT' });
    await waitFor(
      async () => streaming.cancelled,
      (ids) => ids.includes(remoteId),
    );
  });

  it('a rejected question ends the A2A task and fails the step for good', async () => {
    const id = 'a2a_review_rejected';
    expect((await initiate(server, { handoffId: id, procedureId: 'REVIEW_BY_REVIEWER' })).userErrors).toEqual([]);
    const waiting = await waitFor(
      () => handoff(id),
      (h) => h.openAgentTasks[0]?.waitingForAnswer === true,
    );
    const remoteId = waiting.openAgentTasks[0].progress.a2a.taskId;
    const rejected = await server.gql(SIGNAL, {
      input: { id, step: 'review', outcome: 'REJECT', reason: 'out of scope' },
    });
    expect(rejected.data.signalHandoff.userErrors).toEqual([]);
    const failed = await waitFor(
      () => handoff(id),
      (h) => ['FAILED', 'ROLLED_BACK', 'COMPLETED'].includes(h.status),
    );
    expect(failed.steps[0]).toMatchObject({
      status: 'FAILED',
      attempts: 1,
      errorCode: 'REJECTED',
      error: expect.stringContaining('out of scope'),
    });
    await waitFor(
      async () => streaming.cancelled,
      (ids) => ids.includes(remoteId),
    );
  });
});
