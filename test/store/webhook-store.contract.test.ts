import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EngineStores } from '../../src/engine/engine-stores.js';
import type { Handoff } from '../../src/engine/kernel/handoff/handoff.js';
import type { HandoffEvent } from '../../src/engine/kernel/handoff/handoff-event.js';
import { newDelivery } from '../../src/engine/webhooks/webhook-delivery.js';
import type { WebhookSubscription } from '../../src/engine/webhooks/webhook-subscription.js';
import type { Database } from '../../src/store/collection.js';
import { openStores } from '../../src/store/open-stores.js';
import { adapterFixtures } from './adapters.js';

function subscription(id: string, overrides: Partial<WebhookSubscription> = {}): WebhookSubscription {
  return {
    id,
    url: 'http://127.0.0.1/hook',
    eventTypes: null,
    includeTestEvents: false,
    enabled: true,
    description: '',
    secret: 'whsec_0123456789abcdef0123456789',
    version: 1,
    createdAt: 1_000,
    updatedAt: 1_000,
    ...overrides,
  };
}

function handoff(id: string): Handoff {
  return {
    id,
    procedureId: 'P',
    procedureVersion: 1,
    type: 'AGENT_HANDOFF',
    priority: 'MEDIUM',
    sourcePhase: null,
    targetPhase: null,
    sourceAgent: null,
    targetAgent: null,
    metadata: {},
    status: 'PENDING',
    steps: [],
    currentStep: 0,
    error: null,
    cancelReason: null,
    createdAt: 1_000,
    startedAt: null,
    finishedAt: null,
    version: 0,
    seq: 0,
    test: null,
  } as Handoff;
}

function event(handoffId: string, seq: number): HandoffEvent {
  return {
    handoffId,
    seq,
    type: 'HANDOFF_CREATED',
    step: null,
    message: 'created',
    status: 'PENDING',
    at: 5,
    testId: null,
  };
}

function webhookContract(fixture: ReturnType<typeof adapterFixtures>[number]): void {
  let db: Database;
  let stores: EngineStores;

  beforeEach(async () => {
    db = await fixture.open();
    stores = await openStores(db, { writer: 'w' });
  });

  afterEach(async () => {
    await fixture.dispose(db);
  });

  it('stores subscriptions, updates them only from the expected version, and deletes them with their log', async () => {
    const { webhooks } = stores;
    await webhooks.insert(subscription('s1'), '0');
    await webhooks.insert(subscription('s2', { createdAt: 2_000, eventTypes: ['HANDOFF_COMPLETED'] }), '0');
    expect((await webhooks.list()).map((s) => s.id)).toEqual(['s1', 's2']);
    expect(await webhooks.get('s2')).toEqual(
      subscription('s2', { createdAt: 2_000, eventTypes: ['HANDOFF_COMPLETED'] }),
    );
    expect((await webhooks.getMany(['s2', 'nope', 's1'])).map((s) => s?.id ?? null)).toEqual(['s2', null, 's1']);

    const disabled = { ...subscription('s1'), enabled: false, version: 2, updatedAt: 3_000 };
    expect(await webhooks.update(disabled)).toEqual(disabled);
    expect(await webhooks.update({ ...disabled, version: 2 })).toBeNull();

    const lease = await webhooks.acquireLease('s2', 'p1', 10, 100);
    if (!lease.held) throw new Error('expected the lease');
    expect(await webhooks.enqueue(lease.lease, 'p1', [newDelivery('s2', event('h1', 1), 0, 10)], '1')).toBe(true);
    expect(await webhooks.delete('s2')).toBe(true);
    expect(await webhooks.delete('s2')).toBe(false);
    expect(await webhooks.countDeliveries('s2', null)).toBe(0);
  });

  it('leases a subscription to one owner at a time: free, expired, its own, or taken from a gone owner; never a disabled one', async () => {
    const { webhooks } = stores;
    await webhooks.insert(subscription('s1'), '7');
    const first = await webhooks.acquireLease('s1', 'p1', 100, 50);
    expect(first).toMatchObject({ held: true, lease: { cursor: '7', enqueued: 0, subscription: { id: 's1' } } });
    expect(await webhooks.acquireLease('s1', 'p2', 120, 50)).toEqual({ held: false, holder: 'p1' });
    expect((await webhooks.acquireLease('s1', 'p2', 120, 50, 'p1')).held).toBe(true);
    expect((await webhooks.acquireLease('s1', 'p1', 130, 50)).held).toBe(false);
    expect((await webhooks.acquireLease('s1', 'p1', 170, 50)).held).toBe(true); // p2's lease ran out at 170
    await webhooks.releaseLease('s1', 'p1');
    expect((await webhooks.acquireLease('s1', 'p3', 171, 50)).held).toBe(true);
    await webhooks.update({ ...subscription('s1'), enabled: false, version: 2 });
    expect((await webhooks.acquireLease('s1', 'p3', 172, 50)).held).toBe(false);
  });

  it('enqueues deliveries once with the cursor, even when a crashed holder enqueued them before, and keeps them in order', async () => {
    const { webhooks } = stores;
    await webhooks.insert(subscription('s1'), '0');
    const taken = await webhooks.acquireLease('s1', 'p1', 0, 1_000);
    if (!taken.held) throw new Error('expected the lease');
    const batch = [event('h1', 1), event('h2', 1), event('h1', 2)].map((e, i) => newDelivery('s1', e, i, 10));
    expect(await webhooks.enqueue(taken.lease, 'p1', batch, '3')).toBe(true);
    // A second holder working from the stale cursor stores nothing twice and is refused the cursor move.
    expect(await webhooks.enqueue(taken.lease, 'p1', batch, '3')).toBe(false);
    expect((await webhooks.pending('s1', 10)).map((d) => d.eventKey)).toEqual(['h1:1', 'h2:1', 'h1:2']);
    const renewed = await webhooks.acquireLease('s1', 'p1', 1, 1_000);
    expect(renewed).toMatchObject({ held: true, lease: { cursor: '3', enqueued: 3 } });

    const [head] = await webhooks.pending('s1', 1);
    const attempt = { at: 20, statusCode: 200, error: null, durationMs: 3 };
    const delivered = { ...head!, status: 'DELIVERED' as const, attempts: [attempt], nextAttemptAt: null };
    expect(await webhooks.save(delivered, 0, 'PENDING')).toBe(true);
    expect(await webhooks.save(delivered, 0, 'PENDING')).toBe(false);
    expect(await webhooks.getDelivery(head!.id)).toEqual(delivered);
    expect((await webhooks.pending('s1', 10)).map((d) => d.eventKey)).toEqual(['h2:1', 'h1:2']);

    const page = await webhooks.deliveries('s1', null, { first: 2 });
    expect(page.items.map((item) => item.node.eventKey)).toEqual(['h1:2', 'h2:1']);
    expect(page.hasNextPage).toBe(true);
    const rest = await webhooks.deliveries('s1', null, { first: 2, after: page.items[1]!.cursor });
    expect(rest.items.map((item) => item.node.eventKey)).toEqual(['h1:1']);
    expect(await webhooks.countDeliveries('s1', ['DELIVERED'])).toBe(1);
    expect((await webhooks.deliveries('s1', ['PENDING'], { first: 10 })).items).toHaveLength(2);

    // Pruning takes finished deliveries created before the cutoff only.
    expect(await webhooks.pruneDeliveries('s1', 10)).toBe(0);
    expect(await webhooks.pruneDeliveries('s1', 11)).toBe(1);
    expect((await webhooks.deliveries('s1', null, { first: 10 })).items.map((item) => item.node.eventKey)).toEqual([
      'h1:2',
      'h2:1',
    ]);
  });

  it('reads every committed handoff event after a position, in commit order', async () => {
    const events = stores.committedEvents;
    if (!events) throw new Error('expected an ordered event log');
    const start = await events.head();
    await stores.handoffs.create(handoff('h1'), [{ type: 'HANDOFF_CREATED', step: null, message: 'one' }], 5);
    await stores.handoffs.create(handoff('h2'), [{ type: 'HANDOFF_CREATED', step: null, message: 'two' }], 6);
    const first = await events.read(start, 1);
    expect(first.events.map((e) => `${e.handoffId}:${e.seq}`)).toEqual(['h1:1']);
    const rest = await events.read(first.position, 10);
    expect(rest.events.map((e) => `${e.handoffId}:${e.seq} ${e.message}`)).toEqual(['h2:1 two']);
    const none = await events.read(rest.position, 10);
    expect(none.events).toEqual([]);
  });
}

for (const fixture of adapterFixtures()) {
  const title = fixture.skipReason
    ? `webhook store contract: ${fixture.name} (skipped: ${fixture.skipReason})`
    : `webhook store contract: ${fixture.name}`;
  describe.skipIf(fixture.skipReason !== null)(title, () => webhookContract(fixture));
}
