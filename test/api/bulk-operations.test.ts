import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProcedure, initiate } from '../support/handoff-fixtures.js';
import { ManualClock } from '../support/manual-clock.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Bulk actions through the API: a tracked operation over what a filter matched, its progress
 * subscription and its final counts. Batches pause on a clock the test moves, so each one shows.
 */

let server: TestApp;
const clock = new ManualClock();
const BATCH = 50;

const START = `mutation($input: StartBulkOperationInput!) {
  startBulkOperation(input: $input) {
    bulkOperation { id bulkOperationId status total done skipped refused requestedBy { keyName } }
    userErrors { field message code }
  }
}`;
const PROGRESS = `subscription($id: ID!) { bulkOperationProgress(id: $id) { status total done skipped refused finishedAt } }`;
const READ = `query($id: ID!) { bulkOperation(id: $id) { status total done skipped refused reason action filter } }`;

async function start(input: Record<string, unknown>) {
  const response = await server.gql(START, { input });
  if (response.errors) throw new Error(JSON.stringify(response.errors));
  return response.data.startBulkOperation;
}

async function statusOf(id: string): Promise<string> {
  return (await server.gql(`query($id: ID!) { handoff(id: $id) { status } }`, { id })).data.handoff.status;
}

async function countOf(filter: Record<string, unknown>): Promise<number> {
  return (await server.gql(`query($filter: HandoffFilter) { handoffs(filter: $filter) { totalCount } }`, { filter }))
    .data.handoffs.totalCount;
}

/** Starts `count` handoffs that wait for a signal, tagged with `batch` in their metadata. */
async function waiting(batch: string, count: number, prefix = batch) {
  for (let from = 0; from < count; from += 25) {
    await Promise.all(
      Array.from({ length: Math.min(25, count - from) }, (_, index) =>
        initiate(server, { handoffId: `${prefix}_${from + index}`, procedureId: 'WAITS', metadata: { batch } }),
      ),
    );
  }
  await clock.runUntil(
    async () => (await countOf({ status: ['WAITING'], metadata: [{ path: 'batch', equals: batch }] })) === count,
    1,
  );
}

beforeAll(async () => {
  server = await startTestApp(
    { BULK_BATCH_SIZE: String(BATCH), BULK_BATCH_INTERVAL_MS: '1000', MAX_CONCURRENT_HANDOFFS: '1000' },
    { clock },
  );
  await createProcedure(server, {
    id: 'WAITS',
    name: 'Waits',
    steps: [{ id: 'review', name: 'review', kind: 'AWAIT_SIGNAL', params: {}, timeoutMs: 86_400_000 }],
  });
  await createProcedure(server, {
    id: 'QUICK',
    name: 'Quick',
    steps: [{ id: 'noop', name: 'noop', kind: 'NOOP', params: {}, timeoutMs: 1_000 }],
  });
});

afterAll(async () => {
  await server.close();
});

describe('bulk cancel', () => {
  it('cancels 500 waiting handoffs in batches: the progress subscription shows growing counts, then 500 done', async () => {
    await waiting('five_hundred', 500);
    const { bulkOperation, userErrors } = await start({
      action: 'CANCEL',
      filter: { metadata: [{ path: 'batch', equals: 'five_hundred' }] },
      reason: 'customer left',
    });
    expect(userErrors).toEqual([]);
    expect(bulkOperation).toMatchObject({ status: 'RUNNING', total: 500, requestedBy: { keyName: 'anonymous' } });

    const updates: { status: string; done: number; skipped: number; refused: number }[] = [];
    const client = server.wsClient();
    const finished = new Promise<void>((resolve, reject) => {
      client.subscribe(
        { query: PROGRESS, variables: { id: bulkOperation.id } },
        {
          next: (result) => void updates.push((result.data as any).bulkOperationProgress),
          error: reject,
          complete: resolve,
        },
      );
    });
    // Each batch waits a second of the test's clock before the next one.
    let settled = false;
    void finished.then(() => (settled = true));
    await clock.runUntil(() => settled, 1_000, 60_000);
    await finished;

    const done = updates.map((update) => update.done);
    expect(done.length).toBeGreaterThanOrEqual(3);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(new Set(done).size).toBe(done.length);
    expect(updates.slice(0, -1).every((update) => update.status === 'RUNNING')).toBe(true);
    expect(updates.at(-1)).toMatchObject({ status: 'COMPLETED', done: 500, skipped: 0, refused: 0 });

    const read = await server.gql(READ, { id: bulkOperation.bulkOperationId });
    expect(read.data.bulkOperation).toMatchObject({
      status: 'COMPLETED',
      total: 500,
      done: 500,
      action: 'CANCEL',
      reason: 'customer left',
    });
    expect(read.data.bulkOperation.filter).toEqual({ metadata: [{ path: 'batch', equals: 'five_hundred' }] });
    await clock.runUntil(
      async () =>
        (await countOf({ status: ['CANCELLED'], metadata: [{ path: 'batch', equals: 'five_hundred' }] })) === 500,
      10,
    );
  });

  it('counts what was already cancelled as skipped and what is finished as refused, and leaves out handoffs created after it started', async () => {
    await waiting('mixed', 4);
    await server.gql(`mutation { cancelHandoff(input: { id: "mixed_0", reason: "by hand" }) { userErrors { code } } }`);
    await initiate(server, { handoffId: 'mixed_done', procedureId: 'QUICK', metadata: { batch: 'mixed' } });
    await clock.runUntil(
      async () => (await statusOf('mixed_done')) === 'COMPLETED' && (await statusOf('mixed_0')) === 'CANCELLED',
      1,
    );

    const { bulkOperation } = await start({
      action: 'CANCEL',
      filter: { metadata: [{ path: 'batch', equals: 'mixed' }] },
    });
    // Created after the start: outside the set it fixed.
    await initiate(server, { handoffId: 'mixed_late', procedureId: 'WAITS', metadata: { batch: 'mixed' } });
    await clock.runUntil(
      async () => (await server.gql(READ, { id: bulkOperation.id })).data.bulkOperation.status === 'COMPLETED',
      1_000,
    );
    const read = (await server.gql(READ, { id: bulkOperation.id })).data.bulkOperation;
    expect(read).toMatchObject({ total: 5, done: 3, skipped: 1, refused: 1 });
    expect(await statusOf('mixed_late')).not.toBe('CANCELLED');
  });

  it('completes at once when nothing matches, and refuses a bad filter with userErrors', async () => {
    const { bulkOperation } = await start({
      action: 'CANCEL',
      filter: { metadata: [{ path: 'batch', equals: 'no such batch' }] },
    });
    expect(bulkOperation).toMatchObject({ status: 'COMPLETED', total: 0, done: 0 });
    const bad = await start({ action: 'CANCEL', filter: { metadata: [{ path: 'a..b', equals: 1 }] } });
    expect(bad.bulkOperation).toBeNull();
    expect(bad.userErrors[0]).toMatchObject({
      code: 'INVALID_VALUE',
      field: ['input', 'filter', 'metadata', '0', 'path'],
    });
    const unknown = await server.subscribe(PROGRESS, { id: 'bulk_nothing' });
    expect(unknown.flatMap((result) => result.errors ?? [])[0]).toMatchObject({
      message: 'No bulk operation with id "bulk_nothing"',
      extensions: { code: 'NOT_FOUND' },
    });
  });

  it('stops when cancelled: no further batch, what was done stays counted, and a finished operation cannot be cancelled', async () => {
    await waiting('stopped', 120);
    const { bulkOperation } = await start({
      action: 'CANCEL',
      filter: { metadata: [{ path: 'batch', equals: 'stopped' }] },
    });
    const read = async () => (await server.gql(READ, { id: bulkOperation.id })).data.bulkOperation;
    await clock.runUntil(async () => (await read()).done === BATCH, 1);
    const cancel = (id: string) =>
      server.gql(
        `mutation($id: ID!) { cancelBulkOperation(input: { id: $id }) { bulkOperation { status done } userErrors { code message } } }`,
        { id },
      );
    const cancelled = (await cancel(bulkOperation.id)).data.cancelBulkOperation;
    expect(cancelled).toEqual({ bulkOperation: { status: 'CANCELLED', done: BATCH }, userErrors: [] });
    await clock.advance(10_000);
    expect(await read()).toMatchObject({ status: 'CANCELLED', total: 120, done: BATCH });
    await clock.runUntil(
      async () =>
        (await countOf({ status: ['CANCELLED'], metadata: [{ path: 'batch', equals: 'stopped' }] })) === BATCH,
      10,
    );
    expect(await countOf({ status: ['WAITING'], metadata: [{ path: 'batch', equals: 'stopped' }] })).toBe(120 - BATCH);
    const again = (await cancel(bulkOperation.id)).data.cancelBulkOperation;
    expect(again.userErrors).toEqual([
      { code: 'INVALID_STATE', message: 'Bulk operation is CANCELLED: only a RUNNING one can be cancelled' },
    ]);
    expect((await cancel('bulk_nothing')).data.cancelBulkOperation.userErrors[0].code).toBe('NOT_FOUND');
  });
});
