import fs from 'node:fs';
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

afterEach(async () => {
  await killAll(running);
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
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
});
