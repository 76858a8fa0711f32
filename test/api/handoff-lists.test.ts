import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProcedure, initiate } from '../support/handoff-fixtures.js';
import { ManualClock } from '../support/manual-clock.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** Finding work through the handoffs query: filters, orders and cursors, on a clock the test moves. */

let server: TestApp;
const clock = new ManualClock();
const t0 = clock.now();

const LIST = `query($filter: HandoffFilter, $orderBy: HandoffOrder, $first: Int, $after: String) {
  handoffs(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
    totalCount
    edges { cursor node { handoffId status priority } }
    pageInfo { hasNextPage endCursor }
  }
}`;

async function list(variables: Record<string, unknown>) {
  const response = await server.gql(LIST, variables);
  if (response.errors) throw new Error(JSON.stringify(response.errors));
  return response.data.handoffs as {
    totalCount: number;
    edges: { cursor: string; node: { handoffId: string } }[];
    pageInfo: { hasNextPage: boolean; endCursor: string };
  };
}

const ids = async (filter: Record<string, unknown>, orderBy?: Record<string, unknown>) =>
  (await list({ filter, orderBy })).edges.map((edge) => edge.node.handoffId);

async function register(id: string, capability: string) {
  const response = await server.gql(
    `mutation($input: RegisterAgentInput!) { registerAgent(input: $input) { userErrors { message } } }`,
    {
      input: { id, capabilities: [capability], permissions: ['handoff:send', 'handoff:receive'] },
    },
  );
  expect(response.data.registerAgent.userErrors).toEqual([]);
}

async function statusOf(id: string): Promise<{ status: string; retryAt: string | null }> {
  const response = await server.gql(`query($id: ID!) { handoff(id: $id) { status steps { retryAt } } }`, { id });
  return { status: response.data.handoff.status, retryAt: response.data.handoff.steps[0].retryAt };
}

beforeAll(async () => {
  server = await startTestApp({}, { clock });
  await register('planner', 'planning');
  await register('doer', 'execution');
  await createProcedure(server, {
    id: 'WAITS',
    name: 'Waits',
    steps: [{ id: 'review', name: 'review', kind: 'AWAIT_SIGNAL', params: {}, timeoutMs: 86_400_000 }],
  });
  await createProcedure(server, {
    id: 'FLAKY',
    name: 'Flaky',
    steps: [
      {
        id: 'call',
        name: 'call',
        kind: 'SIMULATE',
        params: { failFirstAttempts: 5 },
        timeoutMs: 1_000,
        retry: { maxAttempts: 6, initialDelayMs: 600_000, maxDelayMs: 600_000, multiplier: 1, jitter: 0 },
      },
    ],
  });
  await initiate(server, {
    handoffId: 'w1',
    procedureId: 'WAITS',
    sourceAgent: 'planner',
    targetAgent: 'doer',
    priority: 'HIGH',
    metadata: { customer: { tier: 'gold', seats: 3 } },
  });
  await clock.runUntil(async () => (await statusOf('w1')).status === 'WAITING', 1);
  await clock.advance(60_000);
  await initiate(server, {
    handoffId: 'w2',
    procedureId: 'WAITS',
    sourceAgent: 'doer',
    targetAgent: 'planner',
    priority: 'LOW',
    metadata: { customer: { tier: 'silver' } },
  });
  await initiate(server, { handoffId: 'f1', procedureId: 'FLAKY', sourceAgent: 'planner', priority: 'CRITICAL' });
  await clock.runUntil(
    async () => (await statusOf('w2')).status === 'WAITING' && (await statusOf('f1')).retryAt !== null,
    1,
  );
});

afterAll(async () => {
  await server.close();
});

describe('finding work', () => {
  it('finds handoffs waiting longer than a duration: PENDING or WAITING with no transition for that long', async () => {
    expect(await ids({ waitingLongerThanSeconds: 30 })).toEqual(['w1']);
    await clock.advance(60_000);
    expect(await ids({ waitingLongerThanSeconds: 30 })).toEqual(['w2', 'w1']);
    expect(await ids({ waitingLongerThanSeconds: 30, status: ['RUNNING'] })).toEqual([]);
    expect(await ids({ waitingLongerThanSeconds: 3_600 })).toEqual([]);
  });

  it('finds handoffs with a step that is retrying', async () => {
    expect(await ids({ retrying: true })).toEqual(['f1']);
    expect(await ids({ retrying: false })).toEqual(['w2', 'w1']);
  });

  it("finds handoffs by their agents' roles (capabilities in the registry), on either side", async () => {
    expect(await ids({ agentRole: { role: 'planning', side: 'SOURCE' } })).toEqual(['f1', 'w1']);
    expect(await ids({ agentRole: { role: 'planning', side: 'TARGET' } })).toEqual(['w2']);
    // w2 and f1 were created in the same millisecond: the handoffId breaks the tie.
    expect(await ids({ agentRole: { role: 'planning' } })).toEqual(['w2', 'f1', 'w1']);
    expect(await ids({ agentRole: { role: 'nobody has it' } })).toEqual([]);
    expect((await list({ filter: { agentRole: { role: 'nobody has it' } } })).totalCount).toBe(0);
  });

  it('finds handoffs by metadata values and by creation time', async () => {
    expect(await ids({ metadata: [{ path: 'customer.tier', equals: 'gold' }] })).toEqual(['w1']);
    expect(
      await ids({
        metadata: [
          { path: 'customer.seats', equals: 3 },
          { path: 'customer.tier', equals: 'gold' },
        ],
      }),
    ).toEqual(['w1']);
    expect(await ids({ metadata: [{ path: 'customer.seats', equals: '3' }] })).toEqual([]);
    expect(await ids({ metadata: [{ path: 'customer' }] })).toEqual(['f1']);
    expect(await ids({ createdAt: { from: new Date(t0 + 30_000).toISOString() } })).toEqual(['w2', 'f1']);
    expect(await ids({ createdAt: { before: new Date(t0 + 30_000).toISOString() } })).toEqual(['w1']);
  });

  it('orders by priority or update time, both ways', async () => {
    expect(await ids({}, { field: 'PRIORITY' })).toEqual(['f1', 'w1', 'w2']);
    expect(await ids({}, { field: 'PRIORITY', direction: 'ASC' })).toEqual(['w2', 'w1', 'f1']);
    expect(await ids({}, { field: 'CREATED_AT', direction: 'ASC' })).toEqual(['w1', 'f1', 'w2']);
    expect((await ids({}, { field: 'UPDATED_AT', direction: 'ASC' }))[0]).toBe('w1');
  });

  it('pages on with its cursor while handoffs arrive and change: no repeats, no gaps', async () => {
    const first = await list({ orderBy: { field: 'PRIORITY' }, first: 2 });
    expect(first.edges.map((edge) => edge.node.handoffId)).toEqual(['f1', 'w1']);
    await initiate(server, { handoffId: 'urgent', procedureId: 'WAITS', priority: 'CRITICAL' });
    await server.gql(
      `mutation { cancelHandoff(input: { id: "w1", reason: "changes between pages" }) { userErrors { code } } }`,
    );
    await clock.runUntil(async () => (await statusOf('w1')).status === 'CANCELLED', 1);
    const rest = await list({ orderBy: { field: 'PRIORITY' }, first: 2, after: first.pageInfo.endCursor });
    expect(rest.edges.map((edge) => edge.node.handoffId)).toEqual(['w2']);
    expect(rest.pageInfo.hasNextPage).toBe(false);
  });

  it('answers bad input with a clear error: a cursor of another order, an unknown cursor, a bad path or value', async () => {
    const first = await list({ orderBy: { field: 'PRIORITY' }, first: 1 });
    const mixed = await server.gql(LIST, { orderBy: { field: 'CREATED_AT' }, after: first.pageInfo.endCursor });
    expect(mixed.errors?.[0]).toMatchObject({
      message: 'The cursor belongs to the order PRIORITY DESC, not CREATED_AT DESC',
      extensions: { code: 'BAD_USER_INPUT' },
    });
    const unknown = await server.gql(LIST, { after: 'not-a-cursor' });
    expect(unknown.errors?.[0]).toMatchObject({
      message: 'The cursor is not valid for this list',
      extensions: { code: 'BAD_USER_INPUT' },
    });
    const path = await server.gql(LIST, { filter: { metadata: [{ path: 'customer..tier', equals: 'gold' }] } });
    expect(path.errors?.[0]?.message).toMatch(/"customer\.\.tier" is not a metadata path/);
    expect(path.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const value = await server.gql(LIST, { filter: { metadata: [{ path: 'customer', equals: { tier: 'gold' } }] } });
    expect(value.errors?.[0]?.message).toBe('equals must be a JSON string, number, boolean or null');
    const negative = await server.gql(LIST, { filter: { waitingLongerThanSeconds: -1 } });
    expect(negative.errors?.[0]?.message).toBe('waitingLongerThanSeconds must not be negative');
  });
});
