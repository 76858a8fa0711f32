import type { App } from '../../src/app.js';
import { finalEvents, NOOP_PROCEDURE_ID } from './engine-harness.js';

export const PAGE_QUERY = `query Page($first: Int!) { handoffs(first: $first) { edges { node {
  id status procedure { name } source { id } target { id } } } } }`;

/** Stores `count` completed handoffs, each between its own two agents (so nothing repeats across the page). */
export async function seedHandoffs(app: App, count: number): Promise<void> {
  const { engine } = app;
  for (let i = 0; i < count; i++) {
    for (const id of [`src_${i}`, `dst_${i}`]) {
      const registered = await engine.agents.register({ id, capabilities: ['bench'], permissions: [] });
      if (!registered.ok) throw new Error(`could not register ${id}`);
    }
  }
  const finals = finalEvents(engine, count);
  for (let i = 0; i < count; i++) {
    const outcome = await engine.handoffs.initiate({
      handoffId: `page_${i}`,
      procedureId: NOOP_PROCEDURE_ID,
      sourceAgent: `src_${i}`,
      targetAgent: `dst_${i}`,
    });
    if (!outcome.ok) throw new Error(`initiate failed: ${JSON.stringify(outcome.errors)}`);
  }
  await finals.done;
}

/** Store reads (db.operations.reads) made by one `handoffs(first: n)` page request. */
export async function readsForPage(app: App, first: number): Promise<{ reads: number; nodes: number }> {
  app.db.operations.reset();
  const response = await app.yoga.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: PAGE_QUERY, variables: { first } }),
  });
  const body = (await response.json()) as {
    data?: { handoffs: { edges: { node: { source: unknown; target: unknown; procedure: unknown } }[] } };
    errors?: unknown;
  };
  const reads = app.db.operations.reads;
  if (!body.data || body.errors) throw new Error(`page query failed: ${JSON.stringify(body)}`);
  const edges = body.data.handoffs.edges;
  if (edges.some((edge) => !edge.node.source || !edge.node.target || !edge.node.procedure))
    throw new Error('page is missing agents or procedures');
  return { reads, nodes: edges.length };
}
