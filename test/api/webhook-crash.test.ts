import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { verifySignature } from '../../src/engine/webhooks/webhook-signature.js';
import { killAll, type ServerProcess, startServerProcess, waitFor } from '../support/server-process.js';
import { type ReceivedWebhook, startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const running: ServerProcess[] = [];
const dirs: string[] = [];
const receivers: WebhookReceiver[] = [];

afterEach(async () => {
  await killAll(running);
  for (const receiver of receivers.splice(0)) await receiver.close();
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

const ENV = {
  WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
  OUTBOUND_ALLOW_PRIVATE: '127.0.0.1',
  WEBHOOK_POLL_MS: '20',
  WEBHOOK_RETRY_INITIAL_MS: '50',
};
const HANDOFFS = ['crash_wh_1', 'crash_wh_2', 'crash_wh_3'];
const EVENTS = `query($id: ID!) { handoff(id: $id) { status events(limit: 1000) { seq type } } }`;

/** The first time each key arrived, in arrival order: what a receiver de-duplicating by key keeps. */
function deduplicated(received: ReceivedWebhook[]): { id: string; handoffId: string; seq: number; type: string }[] {
  const seen = new Set<string>();
  return received
    .filter((request) => request.answered === 200)
    .map((request) => JSON.parse(request.body))
    .filter((body) => !seen.has(body.id) && seen.add(body.id));
}

describe('webhook deliveries across a crash', () => {
  it('delivers every event exactly once after de-duplication, in order per handoff, when the server is SIGKILLed mid-delivery', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-webhook-crash-'));
    dirs.push(dataDir);
    const hook = await startWebhookReceiver();
    receivers.push(hook);

    const first = await startServerProcess(dataDir, running, ENV);
    const registered = await first.gql(
      `mutation($url: String!) { registerWebhook(input: { url: $url }) { secret userErrors { message } } }`,
      { url: hook.url },
    );
    expect(registered.data.registerWebhook.userErrors).toEqual([]);
    const secret = registered.data.registerWebhook.secret as string;
    const created = await first.gql(
      `mutation($input: CreateProcedureInput!) { createProcedure(input: $input) { userErrors { message } } }`,
      {
        input: {
          id: 'THREE_NOOPS',
          name: 'Three no-ops',
          steps: ['a', 'b', 'c'].map((id) => ({ id, name: id, kind: 'NOOP', timeoutMs: 1_000 })),
        },
      },
    );
    expect(created.data.createProcedure.userErrors).toEqual([]);

    // The sixth POST is held unanswered: the server is killed while it waits for it.
    let posts = 0;
    let heldArrived!: () => void;
    const held = new Promise<void>((resolve) => (heldArrived = resolve));
    hook.answer = () => {
      if (++posts !== 6) return 200;
      heldArrived();
      return new Promise<number>(() => undefined);
    };
    for (const id of HANDOFFS) {
      const initiated = await first.gql(
        `mutation($id: ID!) { initiateHandoff(input: { handoffId: $id, procedureId: "THREE_NOOPS" }) { userErrors { message } } }`,
        { id },
      );
      expect(initiated.data.initiateHandoff.userErrors).toEqual([]);
    }
    await held;
    first.server.child.kill('SIGKILL');
    expect((await first.server.exited).signal).toBe('SIGKILL');
    const beforeRestart = hook.received.length;
    hook.answer = () => 200;

    const second = await startServerProcess(dataDir, running, ENV);
    const expected = new Map<string, number[]>();
    for (const id of HANDOFFS) {
      const done = await waitFor(
        () => second.gql(EVENTS, { id }),
        (r) => r.data.handoff.status === 'COMPLETED',
      );
      expected.set(
        id,
        done.data.handoff.events.map((event: { seq: number }) => event.seq),
      );
    }
    const total = [...expected.values()].reduce((sum, seqs) => sum + seqs.length, 0);
    await waitFor(
      async () => deduplicated(hook.received).length,
      (count) => count >= total,
    );

    expect(beforeRestart).toBeGreaterThanOrEqual(5);
    expect(beforeRestart).toBeLessThan(total);
    for (const request of hook.received) {
      expect(
        verifySignature(request.headers['handoff-signature'] as string, request.body, secret, Date.now()).valid,
      ).toBe(true);
      expect(request.headers['idempotency-key']).toBe(JSON.parse(request.body).id);
    }
    const kept = deduplicated(hook.received);
    expect(kept).toHaveLength(total);
    for (const [id, seqs] of expected) {
      expect(kept.filter((body) => body.handoffId === id).map((body) => body.seq)).toEqual(seqs);
      expect(kept.filter((body) => body.handoffId === id).map((body) => body.id)).toEqual(
        seqs.map((seq) => `${id}:${seq}`),
      );
    }
  }, 120_000);

  it('delivers each event once when two server processes share the store (one holds the subscription)', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-webhook-shared-'));
    dirs.push(dataDir);
    const hook = await startWebhookReceiver();
    receivers.push(hook);
    const [a, b] = await Promise.all([
      startServerProcess(dataDir, running, ENV),
      startServerProcess(dataDir, running, ENV),
    ]);
    const registered = await a.gql(
      `mutation($url: String!) { registerWebhook(input: { url: $url, eventTypes: [HANDOFF_CREATED, HANDOFF_COMPLETED] }) { userErrors { message } } }`,
      {
        url: hook.url,
      },
    );
    expect(registered.data.registerWebhook.userErrors).toEqual([]);
    const created = await a.gql(
      `mutation($input: CreateProcedureInput!) { createProcedure(input: $input) { userErrors { message } } }`,
      {
        input: { id: 'ONE_NOOP', name: 'One no-op', steps: [{ id: 'a', name: 'a', kind: 'NOOP', timeoutMs: 1_000 }] },
      },
    );
    expect(created.data.createProcedure.userErrors).toEqual([]);
    const ids = Array.from({ length: 10 }, (_, i) => `shared_wh_${i}`);
    for (const [index, id] of ids.entries()) {
      const gql = index % 2 === 0 ? a.gql : b.gql;
      const initiated = await gql(
        `mutation($id: ID!) { initiateHandoff(input: { handoffId: $id, procedureId: "ONE_NOOP" }) { userErrors { message } } }`,
        { id },
      );
      expect(initiated.data.initiateHandoff.userErrors).toEqual([]);
    }
    await waitFor(
      async () => hook.received.filter((r) => JSON.parse(r.body).type === 'HANDOFF_COMPLETED').length,
      (count) => count >= ids.length,
    );
    const keys = hook.received.map((request) => JSON.parse(request.body).id as string);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toHaveLength(2 * ids.length);
    expect(keys.filter((key) => key.endsWith(':1')).sort()).toEqual(ids.map((id) => `${id}:1`).sort());
  }, 120_000);
});
