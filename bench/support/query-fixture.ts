import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestServer } from '../../test/support/server.js';
import { HANDOFF_QUERY } from './bare-yoga.js';
import { finalEvents, NOOP_PROCEDURE_ID } from './engine-harness.js';

/**
 * Runs one handoff to its end on `server` and reads it back with HANDOFF_QUERY: the request body
 * the query benchmark sends, and the answer every server under load must give.
 */
export async function seedQueryHandoff(
  server: TestServer,
  handoffId: string,
): Promise<{ body: string; expected: { data: { handoff: unknown } } }> {
  const finished = finalEvents(server.app.engine, 1);
  const started = await server.app.engine.handoffs.initiate({
    handoffId,
    procedureId: NOOP_PROCEDURE_ID,
    sourceAgent: 'a',
    targetAgent: 'b',
  });
  if (!started.ok) throw new Error('could not start the handoff to read');
  await finished.done;
  const expected = await server.gql(HANDOFF_QUERY, { id: handoffId });
  if (!expected.data || expected.errors) throw new Error(`query failed: ${JSON.stringify(expected)}`);
  return {
    body: JSON.stringify({ query: HANDOFF_QUERY, variables: { id: handoffId } }),
    expected: expected as { data: { handoff: unknown } },
  };
}

/** Listens on a free loopback port; returns the GraphQL URL. */
export async function listenOnLoopback(target: Server): Promise<string> {
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(target.address() as AddressInfo).port}/graphql`;
}
