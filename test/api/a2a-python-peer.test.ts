import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PythonPeer, pythonPeerUnavailable, startPythonPeer } from '../support/a2a-python-peer.js';
import { createProcedure, initiate } from '../support/handoff-fixtures.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { waitFor } from '../support/server-process.js';

const unavailable = pythonPeerUnavailable();
let server: TestServer;
let peer: PythonPeer;

const HANDOFF = `query($id: ID!) { handoff(id: $id) { status steps { id status attempts errorCode output }
  openAgentTasks { waitingForAnswer progress question { text data } } } }`;
const handoff = async (id: string) => (await server.gql(HANDOFF, { id })).data.handoff;

function procedure(id: string, input: unknown) {
  return {
    id,
    name: id,
    steps: [
      {
        id: 'review',
        name: 'Review',
        kind: 'AGENT_TASK',
        params: { agentId: 'py-reviewer', input },
        timeoutMs: 60_000,
        retry: { maxAttempts: 1 },
      },
    ],
  };
}

describe.skipIf(unavailable !== null)(
  `an A2A agent built with Python's a2a-sdk as a handoff target${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    beforeAll(async () => {
      peer = await startPythonPeer();
      server = await startTestServer({
        WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
        OUTBOUND_ALLOW_PRIVATE: '127.0.0.1',
        A2A_POLL_MAX_MS: '200',
      });
      const registered = await server.gql(
        `mutation($url: String!) { registerA2AAgent(input: { cardUrl: $url, agentId: "py-reviewer" }) {
          a2aAgent { name streaming skills { id } } userErrors { message } } }`,
        { url: peer.cardUrl },
      );
      expect(registered.data.registerA2AAgent).toEqual({
        a2aAgent: { name: 'Python Reviewer', streaming: true, skills: [{ id: 'review' }] },
        userErrors: [],
      });
      expect((await createProcedure(server, procedure('PY_REVIEW', { change: 'PR-31' }))).userErrors).toEqual([]);
      expect((await createProcedure(server, procedure('PY_HOLD', { change: 'PR-32', hold: true }))).userErrors).toEqual(
        [],
      );
    });

    afterAll(async () => {
      await server?.close();
      await peer?.close();
    });

    it('works a step as one A2A task: working, input-required answered through signalHandoff, completed with its artifact', async () => {
      const id = 'py_review_1';
      expect((await initiate(server, { handoffId: id, procedureId: 'PY_REVIEW' })).userErrors).toEqual([]);
      const waiting = await waitFor(
        () => handoff(id),
        (h) => h.openAgentTasks[0]?.waitingForAnswer === true,
      );
      expect(waiting.status).toBe('WAITING');
      expect(waiting.openAgentTasks[0]).toMatchObject({
        question: { text: 'Which priority should this get?', data: { choices: ['low', 'high'] } },
        progress: { a2a: { state: 'input-required' } },
      });
      const remoteId = waiting.openAgentTasks[0].progress.a2a.taskId;
      const answered = await server.gql(
        `mutation { signalHandoff(input: { id: "py_review_1", step: "review", payload: { priority: "high" } }) { userErrors { message } } }`,
      );
      expect(answered.data.signalHandoff.userErrors).toEqual([]);
      const done = await waitFor(
        () => handoff(id),
        (h) => h.status === 'COMPLETED' || h.status === 'FAILED',
      );
      expect(done.steps[0]).toMatchObject({
        status: 'SUCCEEDED',
        output: {
          a2a: { agentId: 'py-reviewer', taskId: remoteId },
          text: 'approved',
          data: { verdict: 'approved', priority: { priority: 'high' }, reviewed: { change: 'PR-31' } },
        },
      });
      const stats = await peer.stats();
      expect(stats.created).toEqual([remoteId]);
      expect(stats.received.at(-1)).toMatchObject({ taskId: remoteId });
    });

    it('relays working as progress, and cancels the A2A task when the handoff is cancelled', async () => {
      const id = 'py_hold_1';
      expect((await initiate(server, { handoffId: id, procedureId: 'PY_HOLD' })).userErrors).toEqual([]);
      const working = await waitFor(
        () => handoff(id),
        (h) => h.openAgentTasks[0]?.progress?.a2a?.state === 'working',
      );
      expect(working.openAgentTasks[0].progress.a2a).toMatchObject({ message: 'reviewing' });
      const remoteId = working.openAgentTasks[0].progress.a2a.taskId;
      await server.gql(`mutation { cancelHandoff(input: { id: "py_hold_1" }) { userErrors { message } } }`);
      await waitFor(
        () => handoff(id),
        (h) => h.status === 'CANCELLED',
      );
      await waitFor(
        () => peer.stats(),
        (stats) => stats.cancelled.includes(remoteId),
      );
    });
  },
);
