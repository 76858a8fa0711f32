import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestOf } from '../support/canonical-digest.js';
import {
  createProcedure,
  follow,
  initiate,
  noopCompensation,
  phaseContext,
  quickStep,
  registerReadyAgents,
} from '../support/handoff-fixtures.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let server: TestApp;

beforeAll(async () => {
  server = await startTestApp();
  await registerReadyAgents(server);
  await registerReadyAgents(server, 'agent_1', 'agent_3');
});

afterAll(async () => {
  await server.close();
});

const INBOX = `query($id: ID!) { agent(id: $id) { inbox(first: 10) { totalCount edges { node {
  handoffId agentId keys values digest deliveredAt updatedAt acknowledged acknowledgedAt withdrawnAt handoff { handoffId status } } } } } }`;

const HANDOFFS = `query($id: ID!, $role: AgentHandoffRole, $filter: HandoffFilter) {
  agent(id: $id) { handoffs(role: $role, filter: $filter, first: 10) { totalCount edges { node { handoffId sourceAgent targetAgent status } } } } }`;

describe("an agent's inbox and handoffs", () => {
  it('lets the target read exactly what was handed to it, with a digest it can check', async () => {
    const context = phaseContext();
    expect(
      (
        await initiate(server, {
          handoffId: 'read_1',
          procedureId: 'PHASE_TRANSITION_STANDARD',
          sourceAgent: 'agent_1',
          targetAgent: 'agent_2',
          metadata: { ...context, secret: 'not handed over' },
        })
      ).userErrors,
    ).toEqual([]);
    expect((await follow(server, 'read_1')).at(-1)!.type).toBe('HANDOFF_COMPLETED');

    const inbox = (await server.gql(INBOX, { id: 'agent_2' })).data.agent.inbox;
    expect(inbox.totalCount).toBe(1);
    const delivery = inbox.edges[0].node;
    const handed = {
      resources: context.resources,
      state: context.state,
      sourceStateChecksum: 'abc',
      targetStateChecksum: 'abc',
    };
    expect(delivery).toMatchObject({
      handoffId: 'read_1',
      agentId: 'agent_2',
      keys: Object.keys(handed).sort(),
      values: handed,
      acknowledged: false,
      acknowledgedAt: null,
      withdrawnAt: null,
      handoff: { handoffId: 'read_1', status: 'COMPLETED' },
    });
    expect(delivery.digest).toBe(digestOf(delivery.values));
    expect(Date.parse(delivery.deliveredAt)).toBeLessThanOrEqual(Date.parse(delivery.updatedAt));
    // The source was handed nothing.
    expect((await server.gql(INBOX, { id: 'agent_1' })).data.agent.inbox).toEqual({ totalCount: 0, edges: [] });
  });

  it('shows a delivery a rollback took back as withdrawn, with no keys left', async () => {
    await createProcedure(server, {
      id: 'READ_ROLLBACK',
      name: 'hand over, then fail',
      steps: [
        quickStep(
          'hand_over',
          'TRANSFER_CONTEXT',
          { keys: ['task'] },
          { compensation: { ...noopCompensation('take_back'), kind: 'REVERT_CONTEXT', params: { keys: ['task'] } } },
        ),
        quickStep('fail', 'SIMULATE', { failureProbability: 1 }, { retry: { maxAttempts: 1 } }),
      ],
    });
    await initiate(server, {
      handoffId: 'read_2',
      procedureId: 'READ_ROLLBACK',
      sourceAgent: 'agent_1',
      targetAgent: 'agent_3',
      metadata: { task: 'x' },
    });
    expect((await follow(server, 'read_2')).at(-1)!.type).toBe('HANDOFF_ROLLED_BACK');
    const [edge] = (await server.gql(INBOX, { id: 'agent_3' })).data.agent.inbox.edges;
    expect(edge.node).toMatchObject({ handoffId: 'read_2', keys: [], values: {}, withdrawnAt: expect.any(String) });
  });

  it("lists an agent's handoffs by role, with the usual filter", async () => {
    await initiate(server, {
      handoffId: 'read_3',
      procedureId: 'READ_ROLLBACK',
      sourceAgent: 'agent_2',
      targetAgent: 'agent_1',
      metadata: { task: 'y' },
    });
    await follow(server, 'read_3');
    const list = async (id: string, role?: string, filter?: Record<string, unknown>) =>
      (await server.gql(HANDOFFS, { id, role, filter })).data.agent.handoffs;
    const ids = (connection: any) => connection.edges.map((e: any) => e.node.handoffId);
    expect(ids(await list('agent_2'))).toEqual(['read_3', 'read_1']);
    expect(ids(await list('agent_2', 'TARGET'))).toEqual(['read_1']);
    expect(ids(await list('agent_2', 'SOURCE'))).toEqual(['read_3']);
    expect(await list('agent_1', 'SOURCE', { status: ['ROLLED_BACK'] })).toMatchObject({
      totalCount: 1,
      edges: [{ node: { handoffId: 'read_2' } }],
    });
    expect((await list('agent_3', 'SOURCE')).totalCount).toBe(0);
  });
});
