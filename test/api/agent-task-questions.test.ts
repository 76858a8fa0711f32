import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimTask, completeTask, waitForTask } from '../support/agent-tasks.js';
import { createProcedure, initiate } from '../support/handoff-fixtures.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;

const ASK = `mutation($input: AskAgentTaskInput!) { askAgentTask(input: $input) {
  task { status waitingForAnswer question { seq text data } } userErrors { code message } } }`;
const SIGNAL = `mutation($input: SignalHandoffInput!) { signalHandoff(input: $input) { handoff { status } userErrors { code message } } }`;
const TASK = `query($id: ID!) { agentTask(taskId: $id) { waitingForAnswer question { seq text } answer { seq outcome payload reason answeredBy { keyName } } } }`;
const OPEN = `query($id: ID!) { handoff(id: $id) { status openAgentTasks { taskId question { text } waitingForAnswer } } }`;

beforeAll(async () => {
  server = await startTestServer();
  const registered = await server.gql(`mutation { registerAgent(input: { id: "bob" }) { userErrors { message } } }`);
  expect(registered.data.registerAgent.userErrors).toEqual([]);
  const procedure = {
    id: 'ASKED',
    name: 'A task whose worker asks',
    steps: [
      { id: 'work', name: 'Work', kind: 'AGENT_TASK', params: { agentId: 'bob', input: { n: 1 } }, timeoutMs: 60_000 },
    ],
  };
  expect((await createProcedure(server, procedure)).userErrors).toEqual([]);
});

afterAll(async () => {
  await server.close();
});

describe('questions on agent tasks', () => {
  it('a worker asks, signalHandoff on the step answers, the worker reads the answer and completes', async () => {
    expect((await initiate(server, { handoffId: 'asked_1', procedureId: 'ASKED' })).userErrors).toEqual([]);
    const offered = await waitForTask(server, 'bob', 'asked_1');
    // Nothing to answer yet.
    const early = await server.gql(SIGNAL, { input: { id: 'asked_1', step: 'work', payload: 'x' } });
    expect(early.data.signalHandoff.userErrors).toMatchObject([{ code: 'INVALID_STATE' }]);

    const claim = await claimTask(server, offered.taskId);
    const refused = await server.gql(ASK, { input: { taskId: offered.taskId, token: 'wrong', question: 'Which?' } });
    expect(refused.data.askAgentTask.userErrors).toMatchObject([{ code: 'INVALID_TOKEN' }]);
    const asked = await server.gql(ASK, {
      input: {
        taskId: offered.taskId,
        token: claim.token,
        question: 'Ship to which region?',
        data: { choices: ['eu', 'us'] },
      },
    });
    expect(asked.data.askAgentTask).toEqual({
      task: {
        status: 'CLAIMED',
        waitingForAnswer: true,
        question: { seq: 1, text: 'Ship to which region?', data: { choices: ['eu', 'us'] } },
      },
      userErrors: [],
    });
    expect((await server.gql(OPEN, { id: 'asked_1' })).data.handoff).toEqual({
      status: 'WAITING',
      openAgentTasks: [{ taskId: offered.taskId, question: { text: 'Ship to which region?' }, waitingForAnswer: true }],
    });

    const answered = await server.gql(SIGNAL, { input: { id: 'asked_1', step: 'work', payload: { region: 'eu' } } });
    expect(answered.data.signalHandoff.userErrors).toEqual([]);
    expect((await server.gql(TASK, { id: offered.taskId })).data.agentTask).toEqual({
      waitingForAnswer: false,
      question: { seq: 1, text: 'Ship to which region?' },
      answer: {
        seq: 1,
        outcome: 'APPROVE',
        payload: { region: 'eu' },
        reason: null,
        answeredBy: { keyName: 'anonymous' },
      },
    });
    // Answered once: a second answer finds nothing open.
    const again = await server.gql(SIGNAL, { input: { id: 'asked_1', step: 'work', payload: { region: 'us' } } });
    expect(again.data.signalHandoff.userErrors).toMatchObject([{ code: 'INVALID_STATE' }]);

    expect((await completeTask(server, offered.taskId, claim.token!, { region: 'eu' })).userErrors).toEqual([]);
    const feed = await server.gql(`query { agent(id: "bob") { feed(after: 0, limit: 20) { type data } } }`);
    const entries = feed.data.agent.feed.map((entry: { type: string; data: unknown }) => [entry.type, entry.data]);
    expect(entries).toContainEqual(['TASK_ASKED', expect.objectContaining({ seq: 1, text: 'Ship to which region?' })]);
    expect(entries).toContainEqual(['TASK_ANSWERED', expect.objectContaining({ seq: 1, outcome: 'APPROVE' })]);
  });
});
