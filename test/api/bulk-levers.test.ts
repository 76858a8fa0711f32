import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProcedure, initiate } from '../support/handoff-fixtures.js';
import { waitFor } from '../support/server-process.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * The levers as bulk actions through the API: a bulk RETRY of 500 failed handoffs (a webhook step
 * that answers 400, not retried, until the receiver is switched to 200), a bulk PAUSE then RESUME of
 * handoffs waiting on a signal, and what each counts as skipped or refused.
 */

let server: TestApp;
let receiver: http.Server;
/** What the webhook receiver answers: 400 (a failure the step does not retry) until switched. */
let accepting = false;

const START = `mutation($input: StartBulkOperationInput!) {
  startBulkOperation(input: $input) { bulkOperation { id bulkOperationId status total } userErrors { field message code } }
}`;
const READ = `query($id: ID!) { bulkOperation(id: $id) { status action total done skipped refused } }`;
const COUNT = `query($filter: HandoffFilter) { handoffs(filter: $filter) { totalCount } }`;
const HANDOFF = `query($id: ID!) { handoff(id: $id) { status run createdAt updatedAt finishedAt pauseReason events(limit: 1000) { type at data } } }`;

const tagged = (batch: string) => ({ metadata: [{ path: 'batch', equals: batch }] });
const countOf = async (filter: Record<string, unknown>): Promise<number> =>
  (await server.gql(COUNT, { filter })).data.handoffs.totalCount;
const handoff = async (id: string) => (await server.gql(HANDOFF, { id })).data.handoff;

/** Starts a bulk operation and waits for its final state. */
async function bulk(action: string, batch: string, reason?: string, extra: Record<string, unknown> = {}) {
  const started = await server.gql(START, { input: { action, filter: tagged(batch), reason, ...extra } });
  if (started.errors) throw new Error(JSON.stringify(started.errors));
  expect(started.data.startBulkOperation.userErrors).toEqual([]);
  const { bulkOperationId } = started.data.startBulkOperation.bulkOperation;
  const final = await waitFor(
    () => server.gql(READ, { id: bulkOperationId }),
    (r) => r.data.bulkOperation.status !== 'RUNNING',
  );
  return { id: bulkOperationId as string, ...final.data.bulkOperation };
}

/** Starts `count` handoffs of `procedureId` tagged `batch`, 25 at a time. */
async function initiateMany(procedureId: string, batch: string, count: number) {
  for (let from = 0; from < count; from += 25) {
    await Promise.all(
      Array.from({ length: Math.min(25, count - from) }, async (_, index) => {
        const result = await initiate(server, {
          handoffId: `${batch}_${from + index}`,
          procedureId,
          metadata: { batch },
        });
        expect(result.userErrors).toEqual([]);
      }),
    );
  }
}

beforeAll(async () => {
  receiver = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(accepting ? 200 : 400);
      response.end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  server = await startTestApp({
    WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
    OUTBOUND_ALLOW_PRIVATE: '127.0.0.1',
    BULK_BATCH_SIZE: '100',
    MAX_CONCURRENT_HANDOFFS: '1000',
  });
  const notify = {
    id: 'notify',
    name: 'notify',
    kind: 'WEBHOOK',
    params: { url },
    // 500 deliveries at once to a receiver in this process: on a busy machine one can take more than 10 s, and
    // a timed-out attempt is not retried here. The test is about the bulk retry, not the step's timeout.
    timeoutMs: 300_000,
    retry: { maxAttempts: 1, initialDelayMs: 5, maxDelayMs: 5, multiplier: 1, jitter: 0 },
  };
  expect((await createProcedure(server, { id: 'NOTIFIES', name: 'Notifies', steps: [notify] })).userErrors).toEqual([]);
  const review = { id: 'review', name: 'review', kind: 'AWAIT_SIGNAL', params: {}, timeoutMs: 86_400_000 };
  const after = { id: 'after', name: 'after', kind: 'NOOP', params: {}, timeoutMs: 1_000 };
  expect(
    (await createProcedure(server, { id: 'REVIEWED', name: 'Reviewed', steps: [review, after] })).userErrors,
  ).toEqual([]);
  expect((await createProcedure(server, { id: 'QUICKLY', name: 'Quickly', steps: [after] })).userErrors).toEqual([]);
});

afterAll(async () => {
  await server?.close();
  await new Promise((resolve) => receiver.close(resolve));
});

describe('bulk retry', () => {
  it('retries 500 failed handoffs: the operation reports 500 done, and each runs again once, to completion', async () => {
    accepting = false;
    await initiateMany('NOTIFIES', 'retry500', 500);
    await waitFor(
      () => countOf({ ...tagged('retry500'), status: ['FAILED'] }),
      (count) => count === 500,
    );

    accepting = true;
    const operation = await bulk('RETRY', 'retry500', 'receiver fixed');
    expect(operation).toMatchObject({
      status: 'COMPLETED',
      action: 'RETRY',
      total: 500,
      done: 500,
      skipped: 0,
      refused: 0,
    });
    await waitFor(
      () => countOf({ ...tagged('retry500'), status: ['COMPLETED'] }),
      (count) => count === 500,
    );

    const one = await handoff('retry500_7');
    expect(one.run).toBe(2);
    const redriven = one.events.filter((event: { type: string }) => event.type === 'HANDOFF_REDRIVEN');
    expect(redriven).toEqual([
      expect.objectContaining({
        data: expect.objectContaining({ reason: `receiver fixed [bulk operation ${operation.id}]` }),
      }),
    ]);
    // updatedAt is the latest change: stored with the second run's final event (finishedAt is the transition's
    // own clock reading, which may be a millisecond earlier than the write).
    expect(one.events.at(-1).type).toBe('HANDOFF_COMPLETED');
    expect(Date.parse(one.updatedAt)).toBe(Date.parse(one.events.at(-1).at));
    expect(Date.parse(one.updatedAt)).toBeGreaterThanOrEqual(Date.parse(one.finishedAt));

    // Completed now: a second retry of the same set refuses every one, and starts no run.
    const again = await bulk('RETRY', 'retry500', 'again');
    expect(again).toMatchObject({ status: 'COMPLETED', total: 500, done: 0, skipped: 0, refused: 500 });
    expect((await handoff('retry500_7')).run).toBe(2);
  });

  it('skips a handoff already going and refuses a cancelled one; patches the metadata of those it retries', async () => {
    accepting = false;
    await initiateMany('NOTIFIES', 'retrymix', 2);
    await waitFor(
      () => countOf({ ...tagged('retrymix'), status: ['FAILED'] }),
      (count) => count === 2,
    );
    // One going (waiting on a signal) and one cancelled, in the same set.
    const waitingOne = await initiate(server, {
      handoffId: 'retrymix_going',
      procedureId: 'REVIEWED',
      metadata: { batch: 'retrymix' },
    });
    expect(waitingOne.userErrors).toEqual([]);
    await initiate(server, {
      handoffId: 'retrymix_cancelled',
      procedureId: 'REVIEWED',
      metadata: { batch: 'retrymix' },
    });
    await waitFor(
      () => handoff('retrymix_cancelled'),
      (h) => h.status === 'WAITING',
    );
    await server.gql(
      `mutation { cancelHandoff(input: { id: "retrymix_cancelled", reason: "by hand" }) { userErrors { code } } }`,
    );
    await waitFor(
      () => handoff('retrymix_cancelled'),
      (h) => h.status === 'CANCELLED',
    );
    await waitFor(
      () => handoff('retrymix_going'),
      (h) => h.status === 'WAITING',
    );

    accepting = true;
    const operation = await bulk('RETRY', 'retrymix', undefined, { metadataPatch: { ticket: 'T-1' } });
    expect(operation).toMatchObject({ total: 4, done: 2, skipped: 1, refused: 1 });
    const metadata = async (id: string) =>
      (await server.gql(`query($id: ID!) { handoff(id: $id) { metadata } }`, { id })).data.handoff.metadata;
    expect(await metadata('retrymix_0')).toEqual({ batch: 'retrymix', ticket: 'T-1' });
    expect(await metadata('retrymix_going')).toEqual({ batch: 'retrymix' });
    const read = await server.gql(`query($id: ID!) { bulkOperation(id: $id) { metadataPatch } }`, { id: operation.id });
    expect(read.data.bulkOperation.metadataPatch).toEqual({ ticket: 'T-1' });
  });

  it('refuses a metadataPatch on another action, or one that is not an object, with userErrors', async () => {
    for (const [action, metadataPatch, code] of [
      ['PAUSE', { a: 1 }, 'INVALID_VALUE'],
      ['RETRY', [1], 'INVALID_VALUE'],
      ['RETRY', { blob: 'x'.repeat(70_000) }, 'TOO_LARGE'],
    ] as const) {
      const started = await server.gql(START, { input: { action, filter: tagged('nothing'), metadataPatch } });
      expect(started.data.startBulkOperation).toEqual({
        bulkOperation: null,
        userErrors: [expect.objectContaining({ code, field: ['input', 'metadataPatch'] })],
      });
    }
  });
});

describe('bulk pause and resume', () => {
  it('pauses handoffs waiting on a signal before their next step, then resumes them to completion', async () => {
    await initiateMany('REVIEWED', 'held', 30);
    await waitFor(
      () => countOf({ ...tagged('held'), status: ['WAITING'] }),
      (count) => count === 30,
    );
    // One paused by hand before (skipped), one finished (refused).
    await server.gql(`mutation { pauseHandoff(input: { id: "held_0", reason: "by hand" }) { userErrors { code } } }`);
    await initiate(server, { handoffId: 'held_quick', procedureId: 'QUICKLY', metadata: { batch: 'held' } });
    await waitFor(
      () => handoff('held_quick'),
      (h) => h.status === 'COMPLETED',
    );

    const paused = await bulk('PAUSE', 'held', 'maintenance');
    expect(paused).toMatchObject({ status: 'COMPLETED', action: 'PAUSE', total: 31, done: 29, skipped: 1, refused: 1 });

    // The signal ends the step in flight; each stops before its next step.
    for (let i = 0; i < 30; i++) {
      const signalled = await server.gql(
        `mutation($id: ID!) { signalHandoff(input: { id: $id, step: "review" }) { userErrors { code } } }`,
        { id: `held_${i}` },
      );
      expect(signalled.data.signalHandoff.userErrors).toEqual([]);
    }
    await waitFor(
      () => countOf({ ...tagged('held'), status: ['PAUSED'] }),
      (count) => count === 30,
    );
    expect((await handoff('held_5')).pauseReason).toBe(`maintenance [bulk operation ${paused.id}]`);

    // Already PAUSED: a second bulk pause skips them all.
    expect(await bulk('PAUSE', 'held')).toMatchObject({ total: 31, done: 0, skipped: 30, refused: 1 });

    const resumed = await bulk('RESUME', 'held', 'maintenance over');
    expect(resumed).toMatchObject({
      status: 'COMPLETED',
      action: 'RESUME',
      total: 31,
      done: 30,
      skipped: 0,
      refused: 1,
    });
    await waitFor(
      () => countOf({ ...tagged('held'), status: ['COMPLETED'] }),
      (count) => count === 31,
    );
    const events = (await handoff('held_5')).events.filter(
      (event: { type: string }) => event.type === 'HANDOFF_RESUMED',
    );
    expect(events).toEqual([
      expect.objectContaining({
        data: expect.objectContaining({ reason: `maintenance over [bulk operation ${resumed.id}]` }),
      }),
    ]);

    // Finished: nothing left to resume.
    expect(await bulk('RESUME', 'held')).toMatchObject({ total: 31, done: 0, skipped: 0, refused: 31 });
  });

  it('resume withdraws a pause not yet taken, and skips a handoff with nothing to resume', async () => {
    await initiateMany('REVIEWED', 'asked', 3);
    await waitFor(
      () => countOf({ ...tagged('asked'), status: ['WAITING'] }),
      (count) => count === 3,
    );
    await server.gql(`mutation { pauseHandoff(input: { id: "asked_0" }) { userErrors { code } } }`);
    await server.gql(`mutation { pauseHandoff(input: { id: "asked_1" }) { userErrors { code } } }`);
    const resumed = await bulk('RESUME', 'asked');
    expect(resumed).toMatchObject({ total: 3, done: 2, skipped: 1, refused: 0 });
    // The withdrawn pause is not taken: the handoff goes on past its next step.
    await server.gql(`mutation { signalHandoff(input: { id: "asked_0", step: "review" }) { userErrors { code } } }`);
    await waitFor(
      () => handoff('asked_0'),
      (h) => h.status === 'COMPLETED',
    );
    // Run again (as after a crash), the same operation would count its withdrawal done: a new one has nothing to do.
    expect(await bulk('RESUME', 'asked')).toMatchObject({ total: 3, done: 0, skipped: 2, refused: 1 });
  });
});
