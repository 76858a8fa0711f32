import { afterEach, describe, expect, it } from 'vitest';
import { createProcedure, follow, initiate, quickStep } from '../support/handoff-fixtures.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const READ = `query($id: ID!) { handoff(id: $id) { handoffId status steps { id status output } } }`;
const LIST = `query { handoffs(first: 10) { edges { node { handoffId status } } } }`;

let server: TestApp | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function finishedHandoff(env: Record<string, string>): Promise<TestApp> {
  // No webhook polls among the store reads counted here.
  server = await startTestApp({ WEBHOOK_POLL_MS: '60000', ...env });
  const created = await createProcedure(server, {
    id: 'CACHE_NOOP',
    name: 'One no-op',
    steps: [quickStep('a', 'NOOP', {})],
  });
  expect(created.userErrors).toEqual([]);
  expect((await initiate(server, { handoffId: 'cached_1', procedureId: 'CACHE_NOOP' })).userErrors).toEqual([]);
  await follow(server, 'cached_1');
  return server;
}

async function readsFor(target: TestApp, query: string, variables?: Record<string, unknown>) {
  target.app.db.operations.reset();
  const response = await target.gql(query, variables);
  expect(response.errors).toBeUndefined();
  return { reads: target.app.db.operations.reads, data: response.data };
}

describe('finished handoffs are read from memory once seen', () => {
  it('answers a second read of a finished handoff without the store, with the same content', async () => {
    const target = await finishedHandoff({});
    const first = await readsFor(target, READ, { id: 'cached_1' });
    const second = await readsFor(target, READ, { id: 'cached_1' });
    expect(second.reads).toBe(0);
    expect(second.data).toEqual(first.data);
    expect(second.data.handoff).toMatchObject({ handoffId: 'cached_1', status: 'COMPLETED' });
    // A list reads its page from the store (new handoffs may have arrived), whatever is cached.
    expect((await readsFor(target, LIST)).reads).toBeGreaterThan(0);
  });

  it('reads the store every time with FINISHED_HANDOFF_CACHE_MB=0', async () => {
    const target = await finishedHandoff({ FINISHED_HANDOFF_CACHE_MB: '0' });
    expect((await readsFor(target, READ, { id: 'cached_1' })).reads).toBe(1);
    expect((await readsFor(target, READ, { id: 'cached_1' })).reads).toBe(1);
  });

  it('does not keep a handoff that is still running', async () => {
    server = await startTestApp({ WEBHOOK_POLL_MS: '60000' });
    const created = await createProcedure(server, {
      id: 'CACHE_WAIT',
      name: 'Waits',
      steps: [quickStep('wait', 'AWAIT_SIGNAL', {}, { timeoutMs: 60_000 })],
    });
    expect(created.userErrors).toEqual([]);
    expect((await initiate(server, { handoffId: 'waiting_1', procedureId: 'CACHE_WAIT' })).userErrors).toEqual([]);
    await readsFor(server, READ, { id: 'waiting_1' });
    expect((await readsFor(server, READ, { id: 'waiting_1' })).reads).toBe(1);
  });
});
