import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { followFeed } from '../support/agent-feed.js';
import { digestOf } from '../support/canonical-digest.js';
import { quickStep } from '../support/handoff-fixtures.js';
import { bearer, collect, type GraphQLResponse, startTestServer, type TestServer } from '../support/server.js';

const KEYS = {
  operator: 'operator-key-0123456789abcdef',
  admin: 'admin-key-0123456789abcdef',
  agent2: 'agent-two-key-0123456789abcdef',
  agent1: 'agent-one-key-0123456789abcdef',
  outsider: 'outsider-key-0123456789abcdef',
};
const API_KEYS = [
  `ops:operator:${KEYS.operator}`,
  `root:admin:${KEYS.admin}`,
  `worker2:agent=agent_2:${KEYS.agent2}`,
  `worker1:agent=agent_1:${KEYS.agent1}`,
  `stranger:agent=agent_9:${KEYS.outsider}`,
].join(',');

let server: TestServer;
const as = (key: string) => (query: string, variables?: Record<string, unknown>) =>
  server.gql(query, variables, bearer(key));
const operator = as(KEYS.operator);
const agent2 = as(KEYS.agent2);
const agent1 = as(KEYS.agent1);
const outsider = as(KEYS.outsider);

const codes = (response: GraphQLResponse) => (response.errors ?? []).map((error) => error.extensions?.code);

async function waitForOfferedTask(handoffId: string): Promise<string> {
  for (;;) {
    const response = await agent2(
      `{ agent(id: "agent_2") { tasks(status: [OFFERED], first: 10) { edges { node { taskId handoffId } } } } }`,
    );
    const found = response.data.agent.tasks.edges.find((edge: any) => edge.node.handoffId === handoffId);
    if (found) return found.node.taskId;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

beforeAll(async () => {
  server = await startTestServer({ API_KEYS });
  for (const id of ['agent_1', 'agent_2', 'agent_9']) {
    expect(
      (await operator(`mutation { registerAgent(input: { id: "${id}" }) { userErrors { message } } }`)).data
        .registerAgent.userErrors,
    ).toEqual([]);
  }
  const created = await as(KEYS.admin)(
    `mutation($input: CreateProcedureInput!) { createProcedure(input: $input) { userErrors { message } } }`,
    {
      input: {
        id: 'KEYED',
        name: 'Hand over, work, approve',
        steps: [
          quickStep('hand', 'TRANSFER_CONTEXT', { keys: ['task'] }),
          quickStep('work', 'AGENT_TASK', {}, { timeoutMs: 60_000 }),
          quickStep('approve', 'AWAIT_SIGNAL', {}, { timeoutMs: 60_000 }),
        ],
      },
    },
  );
  expect(created.data.createProcedure.userErrors).toEqual([]);
  const started =
    await operator(`mutation { initiateHandoff(input: { handoffId: "keyed_1", procedureId: "KEYED", sourceAgent: "agent_1", targetAgent: "agent_2",
    metadata: { task: "review the plan" } }) { userErrors { message } } }`);
  expect(started.data.initiateHandoff.userErrors).toEqual([]);
});

afterAll(async () => {
  await server.close();
});

describe('agent-bound keys', () => {
  it('let an agent read its own inbox, tasks, handoffs and feed, and nothing else', async () => {
    await waitForOfferedTask('keyed_1');
    const own = await agent2(
      `{ agent(id: "agent_2") { agentId inbox { totalCount } tasks { totalCount } handoffs { totalCount } feed { type } } }`,
    );
    expect(own.errors).toBeUndefined();
    expect(own.data.agent).toMatchObject({
      agentId: 'agent_2',
      inbox: { totalCount: 1 },
      tasks: { totalCount: 1 },
      handoffs: { totalCount: 1 },
    });

    expect(codes(await agent2(`{ agent(id: "agent_1") { agentId } }`))).toEqual(['FORBIDDEN']);
    expect(codes(await agent2(`{ handoffs(first: 5) { totalCount } }`))).toEqual(['FORBIDDEN']);
    expect(codes(await agent2(`{ procedures { totalCount } }`))).toEqual(['FORBIDDEN']);
    expect(codes(await agent2(`{ handoff(id: "keyed_1") { status } }`))).toEqual(['FORBIDDEN']);
    // The operator's levers are the operator's, like cancelHandoff, even on the agent's own handoff.
    for (const lever of ['cancelHandoff', 'pauseHandoff', 'resumeHandoff', 'retryHandoff']) {
      expect(
        codes(await agent2(`mutation { ${lever}(input: { id: "keyed_1" }) { userErrors { code } } }`)),
        lever,
      ).toEqual(['FORBIDDEN']);
    }
    // Reaching another agent through its own handoff: the other agent's inbox stays closed.
    const nested = await agent2(
      `{ agent(id: "agent_2") { handoffs { edges { node { source { agentId inbox { totalCount } } } } } } }`,
    );
    expect(codes(nested)).toEqual(['FORBIDDEN']);
    expect(nested.errors![0].path).toEqual(['agent', 'handoffs', 'edges', 0, 'node', 'source', 'inbox']);
    const metrics = await fetch(`${server.origin}/metrics`, { headers: bearer(KEYS.agent2) });
    expect(metrics.status).toBe(403);
  });

  it('let an agent follow its own feed over graphql-ws, and not another agent’s', async () => {
    const own = followFeed(server.wsClient({ apiKey: KEYS.agent2 }), 'agent_2');
    expect((await own.until((entry) => entry.type === 'TASK_OFFERED')).handoffId).toBe('keyed_1');
    own.stop();
    const [refused] = await collect(
      server.wsClient({ apiKey: KEYS.agent2 }),
      `subscription { agentFeed(agentId: "agent_1") { seq } }`,
    );
    expect(refused.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it("refuse to act on another agent's work, and act on its own", async () => {
    const taskId = await waitForOfferedTask('keyed_1');
    const claim = `mutation($taskId: ID!) { claimAgentTask(input: { taskId: $taskId }) { token task { claimedBy } userErrors { code } } }`;
    expect(codes(await agent1(claim, { taskId }))).toEqual(['FORBIDDEN']);
    expect(codes(await agent1(`query($taskId: ID!) { agentTask(taskId: $taskId) { status } }`, { taskId }))).toEqual([
      'FORBIDDEN',
    ]);
    const claimed = (await agent2(claim, { taskId })).data.claimAgentTask;
    expect(claimed).toMatchObject({ task: { claimedBy: 'worker2' }, userErrors: [] });
    const complete = `mutation($input: CompleteAgentTaskInput!) { completeAgentTask(input: $input) { task { status } userErrors { code } } }`;
    expect(
      codes(await agent1(complete, { input: { taskId, token: claimed.token, output: { forged: true } } })),
    ).toEqual(['FORBIDDEN']);
    expect(
      (await agent2(complete, { input: { taskId, token: claimed.token, output: { done: true } } })).data
        .completeAgentTask,
    ).toEqual({ task: { status: 'COMPLETED' }, userErrors: [] });

    const inbox = (await agent2(`{ agent(id: "agent_2") { inbox { edges { node { values } } } } }`)).data.agent.inbox
      .edges[0].node;
    const acknowledge = `mutation($agentId: ID!, $digest: String!) { acknowledgeDelivery(input: { handoffId: "keyed_1", agentId: $agentId, digest: $digest }) { delivery { acknowledgedBy } userErrors { code } } }`;
    expect(codes(await agent1(acknowledge, { agentId: 'agent_2', digest: digestOf(inbox.values) }))).toEqual([
      'FORBIDDEN',
    ]);
    expect(
      (await agent2(acknowledge, { agentId: 'agent_2', digest: digestOf(inbox.values) })).data.acknowledgeDelivery,
    ).toEqual({ delivery: { acknowledgedBy: 'worker2' }, userErrors: [] });

    expect(
      codes(await agent2(`mutation { agentHeartbeat(input: { id: "agent_1" }) { userErrors { code } } }`)),
    ).toEqual(['FORBIDDEN']);
    expect(
      (await agent2(`mutation { agentHeartbeat(input: { id: "agent_2", status: READY }) { agent { status } } }`)).data
        .agentHeartbeat.agent.status,
    ).toBe('READY');
    expect(
      codes(
        await agent2(
          `mutation { registerAgent(input: { id: "agent_2", permissions: ["handoff:send"] }) { userErrors { code } } }`,
        ),
      ),
    ).toEqual(['FORBIDDEN']);
    expect(
      codes(await agent2(`mutation { initiateHandoff(input: { procedureId: "KEYED" }) { userErrors { code } } }`)),
    ).toEqual(['FORBIDDEN']);
  });

  it('let an agent signal only the handoffs it is part of, recording which agent did', async () => {
    for (;;) {
      const status = (await operator(`{ handoff(id: "keyed_1") { status currentStep { id } } }`)).data.handoff;
      if (status.currentStep?.id === 'approve' && status.status === 'WAITING') break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const signal = `mutation { signalHandoff(input: { id: "keyed_1", step: "approve", outcome: REJECT, reason: "not mine to approve" }) { userErrors { code } } }`;
    expect(codes(await outsider(signal))).toEqual(['FORBIDDEN']);
    const approved = await agent1(
      `mutation { signalHandoff(input: { id: "keyed_1", step: "approve" }) { userErrors { code } } }`,
    );
    expect(approved.data.signalHandoff.userErrors).toEqual([]);
    const events = await collect(
      server.wsClient({ apiKey: KEYS.operator }),
      `subscription { handoffProgress(id: "keyed_1") { type actor { keyName agentId } } }`,
    );
    const last = events.map((event) => event.data.handoffProgress);
    expect(last.at(-1).type).toBe('HANDOFF_COMPLETED');
    expect(last.find((event: any) => event.type === 'STEP_SIGNALLED').actor).toEqual({
      keyName: 'worker1',
      agentId: 'agent_1',
    });
  });
});
