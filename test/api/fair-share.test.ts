import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProcedure, quickStep } from '../support/handoff-fixtures.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * Fair share per target agent, limit 1: every handoff waits at an await_signal step until the test
 * signals it, so which handoffs hold a slot is decided by the queue alone, never by timing.
 */
let server: TestServer;

const QUEUE = `{ metrics { queue { running waiting maxConcurrent fairShareKey fairShareLimit keyCount byKey { key waiting running limit } } } }`;

beforeAll(async () => {
  server = await startTestServer({
    FAIR_SHARE_KEY: 'targetAgent',
    FAIR_SHARE_LIMIT: '1',
    FAIR_SHARE_LIMITS: 'wide-agent=2',
    MAX_CONCURRENT_HANDOFFS: '10',
  });
  const created = await createProcedure(server, {
    id: 'GATED',
    name: 'Wait for a go',
    steps: [quickStep('go', 'AWAIT_SIGNAL', {}, { timeoutMs: 600_000 })],
  });
  expect(created.userErrors).toEqual([]);
});

afterAll(async () => {
  await server.close();
});

async function start(id: string, targetAgent: string, priority = 'MEDIUM'): Promise<void> {
  const answer = await server.gql(
    `mutation($input: InitiateHandoffInput!) { initiateHandoff(input: $input) { userErrors { message } } }`,
    {
      input: { handoffId: id, procedureId: 'GATED', targetAgent, priority },
    },
  );
  expect(answer.errors ?? answer.data.initiateHandoff.userErrors).toEqual([]);
}

/** Resolves once the handoff's step waits for its signal: it holds a slot. */
function waitsForSignal(id: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const stop = server.wsClient().subscribe<any>(
      { query: `subscription($id: ID!) { handoffProgress(id: $id) { type } }`, variables: { id } },
      {
        next: (value) => {
          if (value.errors) return reject(new Error(JSON.stringify(value.errors)));
          if (value.data.handoffProgress.type === 'STEP_WAITING') {
            stop();
            resolve();
          }
        },
        error: reject,
        complete: () => reject(new Error(`${id} finished without waiting for its signal`)),
      },
    );
  });
}

async function signal(id: string): Promise<void> {
  const answer = await server.gql(
    `mutation($id: ID!) { signalHandoff(input: { id: $id, step: "go" }) { userErrors { message } } }`,
    { id },
  );
  expect(answer.errors ?? answer.data.signalHandoff.userErrors).toEqual([]);
}

async function statusOf(id: string): Promise<string> {
  return (await server.gql(`query($id: ID!) { handoff(id: $id) { status } }`, { id })).data.handoff.status;
}

describe('fair share per target agent', () => {
  it('runs another agent’s handoff while the busy agent’s wait, shows queue depth per key, and keeps priority within a key', async () => {
    await start('busy_1', 'busy-agent');
    await waitsForSignal('busy_1');
    await start('busy_2', 'busy-agent');
    await start('busy_3', 'busy-agent');
    await start('busy_4', 'busy-agent', 'HIGH');
    await start('calm_1', 'calm-agent', 'LOW');
    // calm_1 came last and has the lowest priority, yet runs: the busy agent's backlog does not block it.
    await waitsForSignal('calm_1');
    expect(await statusOf('busy_2')).toBe('PENDING');

    const { queue } = (await server.gql(QUEUE)).data.metrics;
    expect(queue).toMatchObject({
      running: 2,
      waiting: 3,
      maxConcurrent: 10,
      fairShareKey: 'targetAgent',
      fairShareLimit: 1,
      keyCount: 2,
    });
    expect(queue.byKey).toEqual([
      { key: 'busy-agent', waiting: 3, running: 1, limit: 1 },
      { key: 'calm-agent', waiting: 0, running: 1, limit: 1 },
    ]);
    const scraped = await (await fetch(`${server.origin}/metrics`)).text();
    expect(scraped).toContain('handoff_queue_waiting{key="busy-agent"} 3');
    expect(scraped).toContain('handoff_queue_running{key="calm-agent"} 1');
    expect(scraped).toContain('handoff_queue_keys 2');

    // The busy agent's slot frees: its HIGH handoff goes before the older MEDIUM ones.
    const next = waitsForSignal('busy_4');
    await signal('busy_1');
    await next;
    expect(await statusOf('busy_2')).toBe('PENDING');
    const after = (await server.gql(QUEUE)).data.metrics.queue;
    expect(after.byKey[0]).toEqual({ key: 'busy-agent', waiting: 2, running: 1, limit: 1 });

    for (const [id, then] of [
      ['busy_4', 'busy_2'],
      ['busy_2', 'busy_3'],
    ]) {
      const started = waitsForSignal(then);
      await signal(id);
      await started;
    }
    await signal('busy_3');
    await signal('calm_1');
  });

  it('applies a per-key override (FAIR_SHARE_LIMITS)', async () => {
    await start('wide_1', 'wide-agent');
    await start('wide_2', 'wide-agent');
    await start('wide_3', 'wide-agent');
    await Promise.all([waitsForSignal('wide_1'), waitsForSignal('wide_2')]);
    const { byKey } = (await server.gql(QUEUE)).data.metrics.queue;
    expect(byKey.find((k: any) => k.key === 'wide-agent')).toEqual({
      key: 'wide-agent',
      waiting: 1,
      running: 2,
      limit: 2,
    });
    const third = waitsForSignal('wide_3');
    await signal('wide_1');
    await third;
    await signal('wide_2');
    await signal('wide_3');
  });

  it('answers the README query as written', async () => {
    const readme = fs.readFileSync(new URL('../../docs/operating.md', import.meta.url), 'utf8');
    const block = /```graphql\n(query QueueDepth[\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    const answer = await server.gql(block!);
    expect(answer.errors).toBeUndefined();
    expect(answer.data.metrics.queue).toMatchObject({
      fairShareKey: 'targetAgent',
      fairShareLimit: 1,
      maxConcurrent: 10,
    });
  });

  it('rejects a byKey page size out of range', async () => {
    const answer = await server.gql(`{ metrics { queue { byKey(first: 0) { key } } } }`);
    expect(answer.errors?.[0].message).toBe('first must be between 1 and 1000');
  });
});
