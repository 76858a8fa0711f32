import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProcedure, follow, initiate, quickStep } from '../support/handoff-fixtures.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const PAGE = `query($first: Int!) { handoffs(first: $first) { edges { node {
  handoffId procedure { name } source { agentId } target { agentId } } } } }`;
const HANDOFFS = 50;

let server: TestApp;

beforeAll(async () => {
  // No webhook polls among the store reads counted here.
  server = await startTestApp({ WEBHOOK_POLL_MS: '60000' });
  const created = await createProcedure(server, {
    id: 'LOADER_NOOP',
    name: 'Two no-ops',
    steps: [quickStep('a', 'NOOP', {}), quickStep('b', 'NOOP', {})],
  });
  expect(created.userErrors).toEqual([]);
  for (let i = 0; i < HANDOFFS; i++) {
    for (const id of [`from_${i}`, `to_${i}`]) {
      const registered = await server.gql(
        `mutation($id: ID!) { registerAgent(input: { id: $id }) { userErrors { message } } }`,
        { id },
      );
      expect(registered.data.registerAgent.userErrors).toEqual([]);
    }
    // Every handoff has its own agents, so a per-item lookup could not hide behind a cache.
    const { userErrors } = await initiate(server, {
      handoffId: `loader_${i}`,
      procedureId: 'LOADER_NOOP',
      sourceAgent: `from_${i}`,
      targetAgent: `to_${i}`,
    });
    expect(userErrors).toEqual([]);
  }
  for (let i = 0; i < HANDOFFS; i++) await follow(server, `loader_${i}`); // all finished: no runner reads while we count
});

afterAll(async () => {
  await server.close();
});

async function readsForPage(first: number) {
  server.app.db.operations.reset();
  const response = await server.gql(PAGE, { first });
  const reads = server.app.db.operations.reads;
  expect(response.errors).toBeUndefined();
  const nodes = response.data.handoffs.edges.map((edge: { node: any }) => edge.node);
  return { reads, nodes };
}

describe('handoffs page loaders', () => {
  it('reads the store as often for 50 handoffs with procedure and agents as for 5', async () => {
    const small = await readsForPage(5);
    const large = await readsForPage(HANDOFFS);
    expect(small.nodes).toHaveLength(5);
    expect(large.nodes).toHaveLength(HANDOFFS);
    for (const node of large.nodes) {
      const i = node.handoffId.replace('loader_', '');
      expect(node).toMatchObject({
        procedure: { name: 'Two no-ops' },
        source: { agentId: `from_${i}` },
        target: { agentId: `to_${i}` },
      });
    }
    expect(large.reads).toBe(small.reads);
    expect(large.reads).toBeLessThan(1 + 2 * HANDOFFS);
  });
});
