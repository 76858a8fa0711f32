import { randomUUID } from 'node:crypto';
import { type Db, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DocumentLocks } from '../../src/store/adapters/document-locks.js';
import { WriteGate } from '../../src/store/adapters/write-gate.js';
import { mongoSkipReason } from '../support/mongo-required.js';

const skipReason = mongoSkipReason();

/**
 * Document locks on a MongoDB-wire server. Work nested under a lock runs at once; but work spawned from
 * inside a critical section that outlives it (through a nested section on another document, whose context
 * copied the first lock) holds nothing once that section ended, and must take the lock like anyone else.
 */
describe.skipIf(skipReason !== null)(`DocumentLocks on MongoDB${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  let client: MongoClient;
  let db: Db;
  let locks: DocumentLocks;

  beforeAll(async () => {
    client = await MongoClient.connect(process.env.MONGODB_URL!);
    db = client.db(`handoff_locks_${randomUUID().slice(0, 8)}`);
    locks = await DocumentLocks.open(db, new WriteGate(null), { lockMs: 10_000, owner: 'test' });
  });

  afterAll(async () => {
    locks?.close();
    await db?.dropDatabase();
    await client?.close();
  });

  it('does not count a lock whose critical section ended as held by work it spawned', async () => {
    const order: string[] = [];
    let spawned: Promise<void> | undefined;
    let sectionEnded!: () => void;
    const ended = new Promise<void>((resolve) => {
      sectionEnded = resolve;
    });
    await locks.locked('things', 'x', async () => {
      await locks.locked('things', 'y', async () => {
        // Spawned inside both sections; it writes x only after the section on x ended.
        spawned = ended.then(() =>
          locks.locked('things', 'x', async () => {
            order.push('spawned writes x');
          }),
        );
      });
    });
    let letGo!: () => void;
    const held = new Promise<void>((resolve) => {
      letGo = resolve;
    });
    let taken!: () => void;
    const holding = new Promise<void>((resolve) => {
      taken = resolve;
    });
    const other = locks.locked('things', 'x', async () => {
      order.push('other holds x');
      taken();
      await held;
      order.push('other lets x go');
    });
    await holding;
    sectionEnded();
    // Give the spawned work every chance to run while the other holder still has x.
    await new Promise((resolve) => setTimeout(resolve, 200));
    letGo();
    await Promise.all([other, spawned]);
    expect(order).toEqual(['other holds x', 'other lets x go', 'spawned writes x']);
  });
});
