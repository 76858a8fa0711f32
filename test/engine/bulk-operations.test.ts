import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BulkOperation } from '../../src/engine/bulk/bulk-operation.js';
import { type BulkHandoffs, BulkOperationService } from '../../src/engine/bulk/bulk-operation-service.js';
import type { Handoff } from '../../src/engine/kernel/handoff/handoff.js';
import { LeasedWork } from '../../src/engine/kernel/leases/leased-work.js';
import type { HandoffOrder } from '../../src/engine/kernel/ports/handoff-order.js';
import type { HandoffFilter } from '../../src/engine/kernel/ports/handoff-store.js';
import type { PageRequest } from '../../src/engine/kernel/ports/page.js';
import { silentLogger } from '../../src/engine/shared/logger.js';
import { seededRandom } from '../../src/engine/shared/random.js';
import { fail, ok } from '../../src/engine/shared/user-error.js';
import { BulkOperationRepository } from '../../src/store/repositories/bulk-operation-repository.js';
import { SqliteDatabase } from '../../src/store/sqlite/sqlite-database.js';
import { ManualClock } from '../support/manual-clock.js';

/**
 * Bulk operations under leases, with two drivers on one store: one that stalls (its clock never
 * moves) loses the operation when its lease runs out, the other goes on from the stored cursor, and
 * the stalled one, waking later, neither acts again nor counts anything twice.
 */

/** Handoffs in memory, as far as a bulk cancel needs them: listed by (createdAt, id), cancelled once. */
class Handoffs implements BulkHandoffs {
  readonly cancels = new Map<string, string[]>();
  constructor(readonly list: Pick<Handoff, 'id' | 'createdAt' | 'status'>[]) {}

  async resolveQuery(): Promise<{ filter: HandoffFilter }> {
    return { filter: {} };
  }

  private matching(filter: HandoffFilter) {
    const upTo = filter.upTo;
    return this.list.filter(
      (h) => !upTo || h.createdAt < upTo.createdAt || (h.createdAt === upTo.createdAt && h.id <= upTo.id),
    );
  }

  async page(filter: HandoffFilter, request: PageRequest, order?: HandoffOrder) {
    const sorted = [...this.matching(filter)].sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
    if (order?.direction === 'DESC') sorted.reverse();
    const from = request.after ? sorted.findIndex((h) => h.id === request.after) + 1 : 0;
    const rows = sorted.slice(from, from + request.first);
    return {
      items: rows.map((h) => ({ cursor: h.id, node: h as Handoff })),
      hasNextPage: from + request.first < sorted.length,
      hasPreviousPage: from > 0,
    };
  }

  async count(filter: HandoffFilter) {
    return this.matching(filter).length;
  }

  async cancel(id: string, reason: string) {
    const reasons = this.cancels.get(id) ?? [];
    if (reasons.length > 0) return fail<Handoff>('INVALID_STATE', 'already cancelled');
    this.cancels.set(id, [...reasons, reason]);
    return ok(this.list.find((h) => h.id === id) as Handoff);
  }

  async cancelRequestOf(id: string) {
    const [reason] = this.cancels.get(id) ?? [];
    return reason ? { reason } : null;
  }

  async get(id: string) {
    return (this.list.find((h) => h.id === id) as Handoff) ?? null;
  }

  // The levers' bulk actions run against the real service (test/api/bulk-levers.test.ts); here only CANCEL runs.
  redrive(): never {
    throw new Error('only CANCEL runs here');
  }
  pause(): never {
    throw new Error('only CANCEL runs here');
  }
  resume(): never {
    throw new Error('only CANCEL runs here');
  }
  pauseRequestOf(): never {
    throw new Error('only CANCEL runs here');
  }
  history(): never {
    throw new Error('only CANCEL runs here');
  }
}

describe('bulk operations under leases', () => {
  let db: SqliteDatabase;
  let store: BulkOperationRepository;
  let handoffs: Handoffs;

  beforeEach(async () => {
    handoffs = new Handoffs(
      Array.from({ length: 30 }, (_, i) => ({
        id: `h${String(i).padStart(2, '0')}`,
        createdAt: 1_000 + i,
        status: 'WAITING' as const,
      })),
    );
    db = SqliteDatabase.inMemory();
    store = await BulkOperationRepository.open(db);
  });

  afterEach(() => db.close());

  const driver = (owner: string, clock: ManualClock) =>
    new BulkOperationService({
      store,
      handoffs,
      clock,
      random: seededRandom(owner.length),
      logger: silentLogger,
      leases: new LeasedWork({ owner, leaseMs: 1_000, clock, logger: silentLogger, exclusiveStore: false }),
      batchSize: 10,
      batchIntervalMs: 10_000,
    });

  it('is taken over when the lease of a stalled driver runs out, and the stalled one stops without acting or counting again', async () => {
    const stalledClock = new ManualClock();
    const clock = new ManualClock();
    const stalled = driver('stalled', stalledClock);
    const other = driver('other', clock);
    const started = await stalled.start('CANCEL', {}, 'tidy up', null);
    if (!started.ok) throw new Error('not started');
    const id = started.value.id;
    const read = async () => (await store.get(id)) as BulkOperation;
    await clock.runUntil(async () => (await read()).done === 10, 1);

    // Its lease holds through its pause between batches: nobody takes it yet.
    expect(await other.resumeRunning()).toBe(0);
    await clock.advance(10_000);
    expect(await other.resumeRunning()).toBe(0);
    await clock.advance(1_001);
    expect(await other.resumeRunning()).toBe(1);
    await clock.runUntil(async () => (await read()).status === 'COMPLETED', 1_000);
    expect(await read()).toMatchObject({
      status: 'COMPLETED',
      total: 30,
      done: 30,
      skipped: 0,
      refused: 0,
      lease: null,
    });

    // The stalled driver wakes: its next batch finds its own mark and its record is refused.
    await stalledClock.advance(10_000);
    await stalled.stop();
    expect(await read()).toMatchObject({ status: 'COMPLETED', done: 30 });
    expect([...handoffs.cancels.values()].map((reasons) => reasons.length)).toEqual(Array(30).fill(1));
    expect(handoffs.cancels.get('h29')).toEqual([`tidy up [bulk operation ${id}]`]);
  });

  it('hands its lease back when its engine stops, so the next driver takes over at once', async () => {
    const clock = new ManualClock();
    const first = driver('first', clock);
    const started = await first.start('CANCEL', {}, 'tidy up', null);
    if (!started.ok) throw new Error('not started');
    await clock.runUntil(async () => (await store.get(started.value.id))!.done === 10, 1);
    await first.stop();
    expect((await store.get(started.value.id))!.lease).toBeNull();
    const next = driver('next', clock);
    expect(await next.resumeRunning()).toBe(1);
    await next.stop();
  });
});
