/** GraphiQL, where docs/first-handoff.md sends a reader first, opens with a query that runs as it is. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { GRAPHIQL_START } from '../../src/app.js';
import { type DocsServer, startDocsServer } from './docs-server.js';

let server: DocsServer;

beforeAll(async () => {
  server = await startDocsServer({}, false);
});

afterAll(() => server.close());

it('GraphiQL opens with a query that runs as it is, listing the seeded procedures', async () => {
  const answer = await server.request(GRAPHIQL_START, null);
  expect(answer.errors).toBeUndefined();
  const { procedures } = answer.data as { procedures: { edges: { node: { procedureId: string } }[] } };
  expect(procedures.edges.map((edge) => edge.node.procedureId).sort()).toEqual([
    'AGENT_HANDOFF_STANDARD',
    'PHASE_TRANSITION_STANDARD',
  ]);
});
