import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { followFeed } from '../support/agent-feed.js';
import { digestOf } from '../support/canonical-digest.js';
import { createProcedure, getHandoff, initiate, quickStep, registerReadyAgents } from '../support/handoff-fixtures.js';
import { collect } from '../support/server.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let server: TestApp;

const once = { retry: { maxAttempts: 1 } };

beforeAll(async () => {
  server = await startTestApp();
  await registerReadyAgents(server);
  const hand = quickStep(
    'hand',
    'TRANSFER_CONTEXT',
    { keys: ['task'], awaitReceipt: true },
    { timeoutMs: 60_000, ...once },
  );
  for (const procedure of [
    { id: 'RECEIPTED', steps: [hand, quickStep('check', 'VALIDATE', { rules: ['VR005'] }, once)] },
    {
      id: 'RECEIPT_STALE',
      steps: [
        hand,
        quickStep('more', 'TRANSFER_CONTEXT', { keys: ['knowledge'] }),
        quickStep('check', 'VALIDATE', { rules: ['VR005'] }, once),
      ],
    },
  ]) {
    expect(
      (await createProcedure(server, { name: procedure.id, requiredContextKeys: ['task'], ...procedure })).userErrors,
    ).toEqual([]);
  }
});

afterAll(async () => {
  await server.close();
});

const ACK = `mutation($input: AcknowledgeDeliveryInput!) { acknowledgeDelivery(input: $input) {
  delivery { handoffId acknowledged acknowledgedAt acknowledgedBy digest } userErrors { code field message } } }`;

const acknowledge = async (handoffId: string, digest: string) =>
  (await server.gql(ACK, { input: { handoffId, agentId: 'agent_2', digest } })).data.acknowledgeDelivery;

/** Waits for the delivery in agent_2's feed, then reads it from the inbox as the agent would. */
async function delivered(handoffId: string) {
  const feed = followFeed(server.wsClient(), 'agent_2');
  await feed.until((entry) => entry.type === 'CONTEXT_DELIVERED' && entry.handoffId === handoffId);
  feed.stop();
  const inbox = await server.gql(
    `{ agent(id: "agent_2") { inbox(first: 20) { edges { node { handoffId values digest acknowledged } } } } }`,
  );
  return inbox.data.agent.inbox.edges.map((edge: any) => edge.node).find((node: any) => node.handoffId === handoffId);
}

const finalType = async (id: string) => {
  const events = await collect(
    server.wsClient(),
    `subscription($id: ID!) { handoffProgress(id: $id) { type step message } }`,
    { id },
  );
  return events.map((event) => event.data.handoffProgress);
};

describe('receipt of context', () => {
  it('waits for the receipt, refuses a wrong digest, and goes on with the right one', async () => {
    await initiate(server, {
      handoffId: 'receipt_1',
      procedureId: 'RECEIPTED',
      sourceAgent: 'agent_1',
      targetAgent: 'agent_2',
      metadata: { task: { id: 7, title: 'migrate' } },
    });
    const delivery = await delivered('receipt_1');
    expect(delivery.values).toEqual({ task: { id: 7, title: 'migrate' } });
    // Delivered, the step waits for the receipt (holding no slot).
    expect((await getHandoff(server, 'receipt_1')).steps[0].status).toBe('WAITING');

    const wrong = await acknowledge('receipt_1', digestOf({ task: { id: 7, title: 'migrated' } }));
    expect(wrong).toEqual({
      delivery: null,
      userErrors: [{ code: 'DIGEST_MISMATCH', field: ['input', 'digest'], message: expect.any(String) }],
    });
    expect((await delivered('receipt_1')).acknowledged).toBe(false);

    const right = await acknowledge('receipt_1', digestOf(delivery.values));
    expect(right).toMatchObject({
      delivery: { acknowledged: true, acknowledgedBy: 'anonymous', digest: delivery.digest },
      userErrors: [],
    });
    const events = await finalType('receipt_1');
    expect(events.at(-1).type).toBe('HANDOFF_COMPLETED');
    const stored = await getHandoff(server, 'receipt_1');
    expect(stored.steps[0].output).toMatchObject({
      keys: ['task'],
      digest: delivery.digest,
      acknowledgedBy: 'anonymous',
    });
  });

  it('fails VR005 when what was acknowledged is no longer what the delivery holds', async () => {
    await initiate(server, {
      handoffId: 'receipt_2',
      procedureId: 'RECEIPT_STALE',
      sourceAgent: 'agent_1',
      targetAgent: 'agent_2',
      metadata: { task: 'x', knowledge: ['y'] },
    });
    const delivery = await delivered('receipt_2');
    expect((await acknowledge('receipt_2', digestOf(delivery.values))).userErrors).toEqual([]);
    // The next step delivers more without asking for a receipt: the acknowledgement no longer covers the delivery.
    const events = await finalType('receipt_2');
    const failed = events.find((event) => event.type === 'STEP_FAILED');
    expect(failed).toMatchObject({ step: 'check', message: expect.stringContaining('VR005 FAILED') });
    expect(failed.message).toContain('derived.receiptConfirmed = false');
    expect(events.at(-1).type).toBe('HANDOFF_FAILED');
  });

  it('refuses a receipt for a delivery that does not exist', async () => {
    const missing = await server.gql(ACK, { input: { handoffId: 'nope', agentId: 'agent_2', digest: 'abc' } });
    expect(missing.data.acknowledgeDelivery.userErrors[0].code).toBe('NOT_FOUND');
  });
});
