import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killAll, type ServerProcess, startServerProcess, waitFor } from '../support/server-process.js';

/**
 * A bulk operation survives a SIGKILL: the restarted server takes it over (the dead process's lease
 * is freed at once), goes on from the last stored batch, counts a handoff the dead process had
 * already acted on once, and acts on no handoff twice.
 */

const running: ServerProcess[] = [];
const dirs: string[] = [];
const receivers: http.Server[] = [];

afterEach(async () => {
  await killAll(running);
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  await Promise.all(receivers.splice(0).map((receiver) => new Promise((resolve) => receiver.close(resolve))));
});

const BATCH = 10;
const COUNT = 40;
const OPERATION = `query($id: ID!) { bulkOperation(id: $id) { status total done skipped refused } }`;
const TAGGED = `query($filter: HandoffFilter) { handoffs(filter: $filter, first: 100) { totalCount edges { node { handoffId status cancelReason events(limit: 1000) { type } } } } }`;

describe('bulk operation and a crash', () => {
  it('resumes after SIGKILL from its stored cursor: every matched handoff cancelled once, counted once', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-bulk-crash-'));
    dirs.push(dataDir);
    // The first server pauses long after each batch: it is killed with one batch stored.
    const first = await startServerProcess(dataDir, running, {
      BULK_BATCH_SIZE: String(BATCH),
      BULK_BATCH_INTERVAL_MS: '600000',
      MAX_CONCURRENT_HANDOFFS: '1000',
    });
    const procedure = await first.gql(
      `mutation { createProcedure(input: { id: "WAITS", name: "Waits", steps: [{ id: "review", name: "review", kind: AWAIT_SIGNAL, timeoutMs: 86400000 }] }) { userErrors { message } } }`,
    );
    expect(procedure.data.createProcedure.userErrors).toEqual([]);
    for (let i = 0; i < COUNT; i++) {
      const started = await first.gql(
        `mutation($id: ID!) { initiateHandoff(input: { handoffId: $id, procedureId: "WAITS", metadata: { batch: "crash" } }) { userErrors { message } } }`,
        {
          id: `bulk_crash_${String(i).padStart(2, '0')}`,
        },
      );
      expect(started.data.initiateHandoff.userErrors).toEqual([]);
    }
    const tagged = { metadata: [{ path: 'batch', equals: 'crash' }] };
    await waitFor(
      () => first.gql(TAGGED, { filter: { ...tagged, status: ['WAITING'] } }),
      (r) => r.data.handoffs.totalCount === COUNT,
    );

    const start = await first.gql(
      `mutation($filter: HandoffFilter!) { startBulkOperation(input: { action: CANCEL, filter: $filter, reason: "shutting down" }) { bulkOperation { id } userErrors { message } } }`,
      { filter: tagged },
    );
    const id = start.data.startBulkOperation.bulkOperation.id as string;
    const late = await first.gql(
      `mutation { initiateHandoff(input: { handoffId: "bulk_crash_late", procedureId: "WAITS", metadata: { batch: "crash" } }) { userErrors { message } } }`,
    );
    expect(late.data.initiateHandoff.userErrors).toEqual([]);
    await waitFor(
      () => first.gql(OPERATION, { id }),
      (r) => r.data.bulkOperation.done === BATCH,
    );

    // What a crash in the middle of the next batch leaves: handoffs acted on (their cancel carries the
    // operation's mark) whose progress was never stored. And one cancelled by hand meanwhile.
    const plain = (await first.gql(OPERATION.replace('status total', 'status total bulkOperationId'), { id })).data
      .bulkOperation.bulkOperationId;
    for (const index of [10, 11, 12]) {
      await first.gql(
        `mutation($id: ID!, $reason: String!) { cancelHandoff(input: { id: $id, reason: $reason }) { userErrors { message } } }`,
        {
          id: `bulk_crash_${index}`,
          reason: `shutting down [bulk operation ${plain}]`,
        },
      );
    }
    await first.gql(
      `mutation { cancelHandoff(input: { id: "bulk_crash_20", reason: "by hand" }) { userErrors { message } } }`,
    );
    first.server.child.kill('SIGKILL');
    expect((await first.server.exited).signal).toBe('SIGKILL');

    const second = await startServerProcess(dataDir, running, {
      BULK_BATCH_SIZE: String(BATCH),
      MAX_CONCURRENT_HANDOFFS: '1000',
    });
    const final = await waitFor(
      () => second.gql(OPERATION, { id }),
      (r) => r.data.bulkOperation.status !== 'RUNNING',
    );
    expect(final.data.bulkOperation).toEqual({
      status: 'COMPLETED',
      total: COUNT,
      done: COUNT - 1,
      skipped: 1,
      refused: 0,
    });

    const after = await waitFor(
      () => second.gql(TAGGED, { filter: { ...tagged, status: ['CANCELLED'] } }),
      (r) => r.data.handoffs.totalCount === COUNT,
    );
    for (const { node } of after.data.handoffs.edges) {
      expect(
        node.events.filter((event: { type: string }) => event.type === 'HANDOFF_CANCELLED'),
        node.handoffId,
      ).toHaveLength(1);
      if (node.handoffId !== 'bulk_crash_20')
        expect(node.cancelReason, node.handoffId).toBe(`shutting down [bulk operation ${plain}]`);
    }
    const untouched = await second.gql(`query { handoff(id: "bulk_crash_late") { status } }`);
    expect(untouched.data.handoff.status).toBe('WAITING');
  });

  it('a bulk retry resumes after SIGKILL: every matched handoff redriven exactly once, even one that failed again', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-bulk-retry-crash-'));
    dirs.push(dataDir);
    // A webhook receiver that fails the step (400, not retried) until switched.
    let accepting = false;
    const receiver = http.createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        response.writeHead(accepting ? 200 : 400);
        response.end();
      });
    });
    receivers.push(receiver);
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    const env = {
      BULK_BATCH_SIZE: String(BATCH),
      MAX_CONCURRENT_HANDOFFS: '1000',
      WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
      OUTBOUND_ALLOW_PRIVATE: '127.0.0.1',
    };
    const first = await startServerProcess(dataDir, running, { ...env, BULK_BATCH_INTERVAL_MS: '600000' });
    const procedure = await first.gql(
      `mutation($url: String!) { createProcedure(input: { id: "NOTIFIES", name: "Notifies", steps: [{ id: "notify", name: "notify", kind: WEBHOOK, params: { url: $url }, timeoutMs: 10000, retry: { maxAttempts: 1 } }] }) { userErrors { message } } }`,
      { url },
    );
    expect(procedure.data.createProcedure.userErrors).toEqual([]);
    for (let i = 0; i < COUNT; i++) {
      const started = await first.gql(
        `mutation($id: ID!) { initiateHandoff(input: { handoffId: $id, procedureId: "NOTIFIES", metadata: { batch: "retry_crash" } }) { userErrors { message } } }`,
        {
          id: `retry_crash_${String(i).padStart(2, '0')}`,
        },
      );
      expect(started.data.initiateHandoff.userErrors).toEqual([]);
    }
    const tagged = { metadata: [{ path: 'batch', equals: 'retry_crash' }] };
    await waitFor(
      () => first.gql(TAGGED, { filter: { ...tagged, status: ['FAILED'] } }),
      (r) => r.data.handoffs.totalCount === COUNT,
    );

    const start = await first.gql(
      `mutation($filter: HandoffFilter!) { startBulkOperation(input: { action: RETRY, filter: $filter, reason: "receiver fixed" }) { bulkOperation { id bulkOperationId } userErrors { message } } }`,
      { filter: tagged },
    );
    expect(start.data.startBulkOperation.userErrors).toEqual([]);
    const { id, bulkOperationId } = start.data.startBulkOperation.bulkOperation as {
      id: string;
      bulkOperationId: string;
    };
    await waitFor(
      () => first.gql(OPERATION, { id }),
      (r) => r.data.bulkOperation.done === BATCH,
    );

    // What a crash in the middle of the next batch leaves: handoffs redriven (their HANDOFF_REDRIVEN event
    // carries the operation's mark) whose progress was never stored. The receiver still fails, so they,
    // like the first batch, fail again before the crash: the restarted operation must not retry them twice.
    const mark = `receiver fixed [bulk operation ${bulkOperationId}]`;
    for (const index of [10, 11, 12]) {
      const retried = await first.gql(
        `mutation($id: ID!, $reason: String!) { retryHandoff(input: { id: $id, reason: $reason }) { userErrors { message } } }`,
        { id: `retry_crash_${index}`, reason: mark },
      );
      expect(retried.data.retryHandoff.userErrors).toEqual([]);
    }
    const againFailed = (r: any) =>
      r.data.handoffs.edges.filter(({ node }: any) => node.status === 'FAILED' && node.run === 2).length === BATCH + 3;
    await waitFor(() => first.gql(TAGGED.replace('status', 'status run'), { filter: tagged }), againFailed);
    first.server.child.kill('SIGKILL');
    expect((await first.server.exited).signal).toBe('SIGKILL');

    accepting = true;
    const second = await startServerProcess(dataDir, running, env);
    const final = await waitFor(
      () => second.gql(OPERATION, { id }),
      (r) => r.data.bulkOperation.status !== 'RUNNING',
    );
    expect(final.data.bulkOperation).toEqual({
      status: 'COMPLETED',
      total: COUNT,
      done: COUNT,
      skipped: 0,
      refused: 0,
    });
    const { done, skipped, refused } = final.data.bulkOperation;
    expect(done + skipped + refused).toBe(COUNT);

    const after = await waitFor(
      () =>
        second.gql(TAGGED.replace('events(limit: 1000) { type }', 'run events(limit: 1000) { type data }'), {
          filter: tagged,
        }),
      (r) => r.data.handoffs.edges.every(({ node }: any) => node.status === 'FAILED' || node.status === 'COMPLETED'),
    );
    expect(after.data.handoffs.totalCount).toBe(COUNT);
    for (const { node } of after.data.handoffs.edges) {
      const redriven = node.events.filter((event: { type: string }) => event.type === 'HANDOFF_REDRIVEN');
      expect(
        redriven.map((event: { data: { reason?: string } }) => event.data.reason),
        node.handoffId,
      ).toEqual([mark]);
      expect(node.run, node.handoffId).toBe(2);
      // Those redriven before the crash failed again and stay failed; the rest ran once more, to completion.
      expect(node.status, node.handoffId).toBe(Number(node.handoffId.slice(-2)) < BATCH + 3 ? 'FAILED' : 'COMPLETED');
    }
  });
});
