import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/server-process.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * A pause of a handoff waiting for its turn takes effect before anything of it runs, and a pause asked
 * of one in flight is visible until it takes effect (pauseRequestedAt). One slot, held by an hour of
 * work, keeps everything else queued.
 */
let server: TestApp;
const QUEUED = 2_000;

const HANDOFF = `query($id: ID!) { handoff(id: $id) { status pauseRequestedAt pausedAt events { type } } }`;
const COUNT = `query($filter: HandoffFilter) { handoffs(filter: $filter) { totalCount } }`;

beforeAll(async () => {
  server = await startTestApp({ MAX_CONCURRENT_HANDOFFS: '1' });
  const defined = await server.gql(`mutation {
    busy: createProcedure(input: { id: "BUSY", name: "busy", steps: [
      { id: "work", name: "work", kind: DELAY, params: { ms: 3600000 }, timeoutMs: 3600000 } ] }) { userErrors { message } }
    quick: createProcedure(input: { id: "QUICK", name: "quick", steps: [
      { id: "go", name: "go", kind: NOOP, timeoutMs: 5000 } ] }) { userErrors { message } }
  }`);
  expect(defined).toEqual({ data: { busy: { userErrors: [] }, quick: { userErrors: [] } } });
  const busy = await server.gql(
    'mutation { initiateHandoff(input: { handoffId: "busy", procedureId: "BUSY" }) { userErrors { message } } }',
  );
  expect(busy.data.initiateHandoff.userErrors).toEqual([]);
  await waitFor(
    () => server.gql(HANDOFF, { id: 'busy' }),
    (r) => r.data.handoff.status === 'RUNNING',
  );
});

afterAll(() => server.close());

const handoff = async (id: string) => (await server.gql(HANDOFF, { id })).data.handoff;

describe('pausing a queued handoff (N3)', () => {
  it('takes effect at once: nothing of it runs, and resuming sends it on', async () => {
    const started = await server.gql(
      'mutation { initiateHandoff(input: { handoffId: "queued_one", procedureId: "QUICK" }) { handoff { status } userErrors { message } } }',
    );
    expect(started.data.initiateHandoff.handoff.status).toBe('PENDING');
    const paused = await server.gql(
      'mutation { pauseHandoff(input: { id: "queued_one", reason: "hold" }) { handoff { status pausedAt pauseRequestedAt } userErrors { message } } }',
    );
    expect(paused.data.pauseHandoff.userErrors).toEqual([]);
    expect(paused.data.pauseHandoff.handoff).toMatchObject({ status: 'PAUSED', pauseRequestedAt: null });
    expect(paused.data.pauseHandoff.handoff.pausedAt).not.toBeNull();
    // No gate ran, no step started: created, then paused.
    expect((await handoff('queued_one')).events.map((event: { type: string }) => event.type)).toEqual([
      'HANDOFF_CREATED',
      'HANDOFF_PAUSED',
    ]);
  });

  it('shows a pause asked of a handoff whose attempt is in flight until it takes effect', async () => {
    const asked = await server.gql(
      'mutation { pauseHandoff(input: { id: "busy", reason: "after this step" }) { handoff { status pauseRequestedAt } userErrors { message } } }',
    );
    expect(asked.data.pauseHandoff.userErrors).toEqual([]);
    expect(asked.data.pauseHandoff.handoff.status).toBe('RUNNING');
    expect(asked.data.pauseHandoff.handoff.pauseRequestedAt).not.toBeNull();
    // Withdrawn by resume before it took effect.
    const resumed = await server.gql(
      'mutation { resumeHandoff(input: { id: "busy" }) { handoff { status pauseRequestedAt } userErrors { message } } }',
    );
    expect(resumed.data.resumeHandoff.handoff).toEqual({ status: 'RUNNING', pauseRequestedAt: null });
  });

  it(`a bulk PAUSE over ${QUEUED} queued handoffs pauses every one of them, and counts what it paused`, async () => {
    for (let from = 0; from < QUEUED; from += 50) {
      await Promise.all(
        Array.from({ length: 50 }, async (_, i) => {
          const result = await server.gql(
            'mutation($id: ID!) { initiateHandoff(input: { handoffId: $id, procedureId: "QUICK", metadata: { batch: "held" } }) { userErrors { message } } }',
            { id: `held_${from + i}` },
          );
          expect(result.data.initiateHandoff.userErrors).toEqual([]);
        }),
      );
    }
    const filter = { metadata: [{ path: 'batch', equals: 'held' }] };
    expect((await server.gql(COUNT, { filter: { ...filter, status: ['PENDING'] } })).data.handoffs.totalCount).toBe(
      QUEUED,
    );
    const started = await server.gql(
      `mutation($input: StartBulkOperationInput!) { startBulkOperation(input: $input) { bulkOperation { bulkOperationId } userErrors { message } } }`,
      { input: { action: 'PAUSE', filter, reason: 'maintenance' } },
    );
    expect(started.data.startBulkOperation.userErrors).toEqual([]);
    const id = started.data.startBulkOperation.bulkOperation.bulkOperationId;
    const final = await waitFor(
      () => server.gql(`query($id: ID!) { bulkOperation(id: $id) { status done skipped refused } }`, { id }),
      (r) => r.data.bulkOperation.status !== 'RUNNING',
    );
    expect(final.data.bulkOperation).toEqual({ status: 'COMPLETED', done: QUEUED, skipped: 0, refused: 0 });
    expect((await server.gql(COUNT, { filter: { ...filter, status: ['PAUSED'] } })).data.handoffs.totalCount).toBe(
      QUEUED,
    );
    // Nothing of them ran.
    expect((await handoff('held_1234')).events.map((event: { type: string }) => event.type)).toEqual([
      'HANDOFF_CREATED',
      'HANDOFF_PAUSED',
    ]);
  }, 300_000);
});
