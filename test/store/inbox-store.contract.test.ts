import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InboxStore } from '../../src/engine/agents/agent-stores.js';
import { payloadDigest } from '../../src/engine/validation/subject.js';
import type { Database } from '../../src/store/collection.js';
import { InboxRepository } from '../../src/store/repositories/inbox-repository.js';
import { type AdapterFixture, adapterFixtures } from './adapters.js';

/** The inbox port (context deliveries and their receipts) on every adapter. */
function inboxContract(fixture: AdapterFixture): void {
  let db: Database;
  let inbox: InboxStore;

  beforeEach(async () => {
    db = await fixture.open();
    inbox = await InboxRepository.open(db);
  });

  afterEach(async () => {
    await fixture.dispose(db);
  });

  it('keeps one delivery per agent and handoff, adding keys and fingerprinting everything there', async () => {
    const first = await inbox.deliver('bob', 'h1', { task: { id: 7 }, 'dotted.key': 1, $op: 'x' }, 10, payloadDigest);
    expect(first).toMatchObject({
      agentId: 'bob',
      handoffId: 'h1',
      deliveredAt: 10,
      updatedAt: 10,
      acknowledgedAt: null,
      withdrawnAt: null,
    });
    expect(first.digest).toBe(payloadDigest({ task: { id: 7 }, 'dotted.key': 1, $op: 'x' }));
    const second = await inbox.deliver('bob', 'h1', { knowledge: ['a'] }, 20, payloadDigest);
    expect(second.values).toEqual({ task: { id: 7 }, 'dotted.key': 1, $op: 'x', knowledge: ['a'] });
    expect(second).toMatchObject({ deliveredAt: 10, updatedAt: 20, digest: payloadDigest(second.values) });
    expect(await inbox.read('bob', 'h1')).toEqual(second.values);
    expect(await inbox.get('ana', 'h1')).toBeNull();
  });

  it('records a receipt only for the digest stored, and a change of values clears it', async () => {
    const delivered = await inbox.deliver('bob', 'h1', { task: 1 }, 10, payloadDigest);
    expect(await inbox.acknowledge('bob', 'h1', 'not-the-digest', 11, 'worker')).toBeNull();
    expect((await inbox.get('bob', 'h1'))!.acknowledgedAt).toBeNull();
    expect(await inbox.acknowledge('bob', 'h1', delivered.digest, 12, 'worker')).toMatchObject({
      acknowledgedAt: 12,
      acknowledgedBy: 'worker',
    });
    // the same values again: still acknowledged
    expect(await inbox.deliver('bob', 'h1', { task: 1 }, 13, payloadDigest)).toMatchObject({ acknowledgedAt: 12 });
    expect(await inbox.deliver('bob', 'h1', { more: 2 }, 14, payloadDigest)).toMatchObject({
      acknowledgedAt: null,
      acknowledgedBy: null,
    });
    expect(await inbox.acknowledge('bob', 'nope', delivered.digest, 15, 'worker')).toBeNull();
  });

  it('withdraws keys, marking a delivery left empty, and a new delivery clears the mark', async () => {
    await inbox.deliver('bob', 'h1', { a: 1, b: 2 }, 10, payloadDigest);
    expect(await inbox.withdraw('bob', 'h1', ['a'], 11, payloadDigest)).toMatchObject({
      values: { b: 2 },
      withdrawnAt: null,
    });
    expect(await inbox.withdraw('bob', 'h1', ['b'], 12, payloadDigest)).toMatchObject({
      values: {},
      withdrawnAt: 12,
      digest: payloadDigest({}),
    });
    expect(await inbox.withdraw('bob', 'none', ['b'], 12, payloadDigest)).toBeNull();
    expect(await inbox.deliver('bob', 'h1', { c: 3 }, 13, payloadDigest)).toMatchObject({
      values: { c: 3 },
      withdrawnAt: null,
    });
  });

  it('deletes the deliveries of the handoffs retention deletes, whichever agent holds them', async () => {
    await inbox.deliver('bob', 'h1', { a: 1 }, 10, payloadDigest);
    await inbox.deliver('ana', 'h1', { a: 1 }, 10, payloadDigest);
    await inbox.deliver('bob', 'h2', { b: 2 }, 11, payloadDigest);
    expect(await inbox.deleteOfHandoffs(['h1', 'unknown'])).toBe(2);
    expect([await inbox.get('bob', 'h1'), await inbox.get('ana', 'h1')]).toEqual([null, null]);
    expect(await inbox.count('bob')).toBe(1);
    expect(await inbox.deleteOfHandoffs([])).toBe(0);
  });

  it("pages an agent's deliveries newest first, and counts them", async () => {
    for (let i = 0; i < 5; i++) await inbox.deliver('bob', `h${i}`, { i }, 100 + i, payloadDigest);
    await inbox.deliver('ana', 'hx', { x: 1 }, 200, payloadDigest);
    const first = await inbox.page('bob', { first: 3 });
    expect(first.items.map((item) => item.node.handoffId)).toEqual(['h4', 'h3', 'h2']);
    expect(first.hasNextPage).toBe(true);
    const rest = await inbox.page('bob', { first: 3, after: first.items.at(-1)!.cursor });
    expect(rest.items.map((item) => item.node.handoffId)).toEqual(['h1', 'h0']);
    expect(rest.hasNextPage).toBe(false);
    expect(await inbox.count('bob')).toBe(5);
  });

  it('never loses a delivery to a concurrent one', async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => inbox.deliver('bob', 'h1', { [`k${i}`]: i }, i, payloadDigest)),
    );
    expect(Object.keys((await inbox.read('bob', 'h1'))!)).toHaveLength(20);
  });
}

for (const fixture of adapterFixtures()) {
  const title = fixture.skipReason
    ? `inbox store contract: ${fixture.name} (skipped: ${fixture.skipReason})`
    : `inbox store contract: ${fixture.name}`;
  describe.skipIf(fixture.skipReason !== null)(title, () => inboxContract(fixture));
}
