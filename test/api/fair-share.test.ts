import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProcedure, quickStep } from '../support/handoff-fixtures.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Fair share per target agent, limit 1: every handoff works (a step that takes ten minutes) until the
 * test cancels it, so which handoffs hold a slot is decided by the queue alone, never by timing. (A
 * handoff that waits for a signal would hold no slot: slots count only work executing now.)
 */
let server: TestApp;

const QUEUE = `{ metrics { queue { running waiting maxConcurrent fairShareKey fairShareLimit keyCount byKey { key waiting running limit } } } }`;

beforeAll(async () => {
  server = await startTestApp({
    FAIR_SHARE_KEY: 'targetAgent',
    FAIR_SHARE_LIMIT: '1',
    FAIR_SHARE_LIMITS: 'wide-agent=2',
    MAX_CONCURRENT_HANDOFFS: '10',
  });
  const created = await createProcedure(server, {
    id: 'GATED',
    name: 'Work until cancelled',
    steps: [quickStep('go', 'DELAY', { ms: 600_000 }, { timeoutMs: 600_000 })],
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

/** Resolves once the handoff's step works: it holds a slot. */
function works(id: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const stop = server.wsClient().subscribe<any>(
      { query: `subscription($id: ID!) { handoffProgress(id: $id) { type } }`, variables: { id } },
      {
        next: (value) => {
          if (value.errors) return reject(new Error(JSON.stringify(value.errors)));
          if (value.data.handoffProgress.type === 'STEP_STARTED') {
            stop();
            resolve();
          }
        },
        error: reject,
        complete: () => reject(new Error(`${id} finished without starting its step`)),
      },
    );
  });
}

/** Ends the handoff's work: its slot frees. */
async function release(id: string): Promise<void> {
  const answer = await server.gql(
    `mutation($id: ID!) { cancelHandoff(input: { id: $id, reason: "done with it" }) { userErrors { message } } }`,
    { id },
  );
  expect(answer.errors ?? answer.data.cancelHandoff.userErrors).toEqual([]);
}

async function statusOf(id: string): Promise<string> {
  return (await server.gql(`query($id: ID!) { handoff(id: $id) { status } }`, { id })).data.handoff.status;
}

describe('fair share per target agent', () => {
  it('runs another agent’s handoff while the busy agent’s wait their turn, shows queue depth per key, and keeps priority within a key', async () => {
    await start('busy_1', 'busy-agent');
    await works('busy_1');
    await start('busy_2', 'busy-agent');
    await start('busy_3', 'busy-agent');
    await start('busy_4', 'busy-agent', 'HIGH');
    await start('calm_1', 'calm-agent', 'LOW');
    // calm_1 came last and has the lowest priority, yet runs: the busy agent's backlog does not block it.
    await works('calm_1');
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
    const scraped = await (await server.fetch('/metrics')).text();
    expect(scraped).toContain('handoff_queue_waiting{key="busy-agent"} 3');
    expect(scraped).toContain('handoff_queue_running{key="calm-agent"} 1');
    expect(scraped).toContain('handoff_queue_keys 2');

    // The busy agent's slot frees: its HIGH handoff goes before the older MEDIUM ones.
    const next = works('busy_4');
    await release('busy_1');
    await next;
    expect(await statusOf('busy_2')).toBe('PENDING');
    const after = (await server.gql(QUEUE)).data.metrics.queue;
    expect(after.byKey[0]).toEqual({ key: 'busy-agent', waiting: 2, running: 1, limit: 1 });

    for (const [id, then] of [
      ['busy_4', 'busy_2'],
      ['busy_2', 'busy_3'],
    ]) {
      const started = works(then);
      await release(id);
      await started;
    }
    await release('busy_3');
    await release('calm_1');
  });

  it('applies a per-key override (FAIR_SHARE_LIMITS)', async () => {
    await start('wide_1', 'wide-agent');
    await start('wide_2', 'wide-agent');
    await start('wide_3', 'wide-agent');
    await Promise.all([works('wide_1'), works('wide_2')]);
    const { byKey } = (await server.gql(QUEUE)).data.metrics.queue;
    expect(byKey.find((k: any) => k.key === 'wide-agent')).toEqual({
      key: 'wide-agent',
      waiting: 1,
      running: 2,
      limit: 2,
    });
    const third = works('wide_3');
    await release('wide_1');
    await third;
    await release('wide_2');
    await release('wide_3');
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
