import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../support/manual-clock.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const REGISTER = `mutation ($input: RegisterAgentInput!) {
  registerAgent(input: $input) { agent { id agentId status reportedStatus capabilities permissions lastHeartbeatAt registeredAt } userErrors { field message code } } }`;
const HEARTBEAT = `mutation ($input: AgentHeartbeatInput!) {
  agentHeartbeat(input: $input) { agent { id agentId status lastHeartbeatAt } userErrors { field message code } } }`;
const AGENTS = `query ($first: Int, $after: String, $filter: AgentFilter) {
  agents(first: $first, after: $after, filter: $filter) { totalCount edges { cursor node { agentId status } } pageInfo { hasNextPage endCursor } } }`;

describe('agents over GraphQL', () => {
  let server: TestApp;

  beforeAll(async () => {
    server = await startTestApp();
  });
  afterAll(() => server.close());

  it('registers an agent as READY, and re-registering updates capabilities and permissions', async () => {
    const before = Date.now();
    const first = await server.gql(REGISTER, {
      input: { id: 'agent_2', capabilities: ['planning'], permissions: ['handoff:receive'] },
    });
    expect(first.errors).toBeUndefined();
    const agent = first.data.registerAgent.agent;
    expect(agent).toMatchObject({
      agentId: 'agent_2',
      status: 'READY',
      reportedStatus: 'READY',
      capabilities: ['planning'],
      permissions: ['handoff:receive'],
    });
    expect(agent.id).not.toBe('agent_2'); // a global id
    // DateTime is RFC 3339 text in UTC, to the millisecond, of the instant the server recorded.
    expect(agent.lastHeartbeatAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(Date.parse(agent.lastHeartbeatAt)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(agent.lastHeartbeatAt)).toBeLessThanOrEqual(Date.now());

    const again = await server.gql(REGISTER, {
      input: { id: 'agent_2', capabilities: ['planning', 'coding'], permissions: ['handoff:receive', 'handoff:send'] },
    });
    expect(again.data.registerAgent).toMatchObject({
      agent: {
        id: agent.id,
        capabilities: ['planning', 'coding'],
        permissions: ['handoff:receive', 'handoff:send'],
        registeredAt: agent.registeredAt,
      },
      userErrors: [],
    });
  });

  it('refuses an invalid id with userErrors', async () => {
    const response = await server.gql(REGISTER, { input: { id: 'has spaces', permissions: [''] } });
    expect(response.data.registerAgent.agent).toBeNull();
    expect(response.data.registerAgent.userErrors).toEqual([
      { field: ['input', 'id'], code: 'INVALID_VALUE', message: expect.any(String) },
      { field: ['input', 'permissions', '0'], code: 'INVALID_VALUE', message: expect.any(String) },
    ]);
  });

  it('records heartbeats with a status, and refuses unknown agents', async () => {
    await server.gql(REGISTER, { input: { id: 'agent_busy' } });
    const busy = await server.gql(HEARTBEAT, { input: { id: 'agent_busy', status: 'BUSY' } });
    expect(busy.data.agentHeartbeat).toMatchObject({
      agent: { agentId: 'agent_busy', status: 'BUSY' },
      userErrors: [],
    });
    const kept = await server.gql(HEARTBEAT, { input: { id: busy.data.agentHeartbeat.agent.id } });
    expect(kept.data.agentHeartbeat.agent.status).toBe('BUSY');

    const unknown = await server.gql(HEARTBEAT, { input: { id: 'ghost', status: 'READY' } });
    expect(unknown.data.agentHeartbeat).toEqual({
      agent: null,
      userErrors: [{ field: ['input', 'id'], code: 'NOT_FOUND', message: expect.stringContaining('ghost') }],
    });
  });

  it('finds an agent by plain id, global id and node(id:)', async () => {
    const registered = await server.gql(REGISTER, { input: { id: 'agent_find', capabilities: ['search'] } });
    const globalId = registered.data.registerAgent.agent.id;
    const byPlain = await server.gql(`{ agent(id: "agent_find") { id agentId } }`);
    expect(byPlain.data.agent).toEqual({ id: globalId, agentId: 'agent_find' });
    const byGlobal = await server.gql(
      `query ($id: ID!) { agent(id: $id) { agentId } node(id: $id) { id ... on Agent { capabilities } } }`,
      { id: globalId },
    );
    expect(byGlobal.data).toEqual({
      agent: { agentId: 'agent_find' },
      node: { id: globalId, capabilities: ['search'] },
    });
    const missing = await server.gql(`{ agent(id: "nobody") { id } }`);
    expect(missing.data.agent).toBeNull();
  });

  it('pages through agents with totalCount and filters by status and capability', async () => {
    for (let i = 0; i < 5; i++) await server.gql(REGISTER, { input: { id: `pager_${i}`, capabilities: ['paging'] } });
    const page1 = await server.gql(AGENTS, { first: 3, filter: { capability: 'paging' } });
    expect(page1.data.agents.totalCount).toBe(5);
    expect(page1.data.agents.edges).toHaveLength(3);
    expect(page1.data.agents.pageInfo.hasNextPage).toBe(true);
    const page2 = await server.gql(AGENTS, {
      first: 3,
      after: page1.data.agents.pageInfo.endCursor,
      filter: { capability: 'paging' },
    });
    expect(page2.data.agents.edges).toHaveLength(2);
    expect(page2.data.agents.pageInfo.hasNextPage).toBe(false);
    const ids = [...page1.data.agents.edges, ...page2.data.agents.edges].map((e: any) => e.node.agentId).sort();
    expect(ids).toEqual(['pager_0', 'pager_1', 'pager_2', 'pager_3', 'pager_4']);

    const busy = await server.gql(AGENTS, { first: 50, filter: { status: ['BUSY'] } });
    expect(busy.data.agents.edges.map((e: any) => e.node.agentId)).toEqual(['agent_busy']);

    const badCursor = await server.gql(AGENTS, { first: 3, after: 'not-a-cursor' });
    expect(badCursor.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('agent heartbeat window', () => {
  const WINDOW_MS = 100;
  const clock = new ManualClock();
  let server: TestApp;

  beforeAll(async () => {
    server = await startTestApp({ AGENT_HEARTBEAT_WINDOW_MS: String(WINDOW_MS) }, { clock });
  });
  afterAll(() => server.close());

  it('reads an agent as OFFLINE once its heartbeat is older than the window, and READY again after one', async () => {
    await server.gql(REGISTER, { input: { id: 'sleepy' } });
    const fresh = await server.gql(`{ agent(id: "sleepy") { status reportedStatus } }`);
    expect(fresh.data.agent).toEqual({ status: 'READY', reportedStatus: 'READY' });

    await clock.advance(WINDOW_MS + 1);
    const read = await server.gql(`{ agent(id: "sleepy") { status reportedStatus } }`);
    expect(read.data.agent).toEqual({ status: 'OFFLINE', reportedStatus: 'READY' });
    const offline = await server.gql(AGENTS, { first: 10, filter: { status: ['OFFLINE'] } });
    expect(offline.data.agents.edges.map((e: any) => e.node.agentId)).toContain('sleepy');

    const beat = await server.gql(HEARTBEAT, { input: { id: 'sleepy' } });
    expect(beat.data.agentHeartbeat.agent.status).toBe('READY');
  });
});
