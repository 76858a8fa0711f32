import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FoldCommit, SeriesBucket, StepBucket, StepStats } from '../../src/engine/insight/insight-store.js';
import { insightIds } from '../../src/engine/insight/insight-store.js';
import type { Database } from '../../src/store/collection.js';
import { InsightRepository } from '../../src/store/repositories/insight-repository.js';
import { type AdapterFixture, adapterFixtures } from './adapters.js';
import { MingoDatabase } from './mingo-database.js';

/**
 * The insight store's contract on every adapter: the fold's lease, commits that move the cursor with
 * their buckets, a commit a crash left half-written finished by the next holder, and range reads.
 * MingoDatabase checks the MongoDB repository's queries without a server (MONGODB_URL runs the real one).
 */
const mingo: AdapterFixture = {
  name: 'mingo (MongoDB query semantics)',
  skipReason: null,
  open: async () => new MingoDatabase(),
  dispose: async () => undefined,
};

const MINUTE = 60_000;

function bucket(start: number, scope: string, completed: number, batch: number): SeriesBucket {
  return {
    id: insightIds.series('MINUTE', start, scope),
    size: 'MINUTE',
    start,
    scope,
    counts: {
      created: completed,
      started: completed,
      completed,
      failed: 0,
      rolledBack: 0,
      rollbackFailed: 0,
      cancelled: 0,
      redriven: 0,
      attempts: completed,
      attemptFailures: 0,
      timeouts: 0,
      queued: completed,
      dequeued: completed,
    },
    durations: null,
    waits: null,
    depthMax: 1,
    depthEnd: 0,
    batch,
  };
}

function step(start: number, attempts: number, batch: number): StepBucket {
  return {
    id: insightIds.step('MINUTE', start, 'P', 1, 's'),
    size: 'MINUTE',
    start,
    procedureId: 'P',
    version: 1,
    stepId: 's',
    attempts,
    successes: attempts,
    failures: 0,
    timeouts: 0,
    durations: null,
    batch,
  };
}

function stats(attempts: number, batch: number): StepStats {
  return {
    id: insightIds.stats('P', 1, 's'),
    procedureId: 'P',
    version: 1,
    stepId: 's',
    attempts,
    successes: attempts,
    failures: 0,
    timeouts: 0,
    firstAttempts: attempts,
    firstFailures: 0,
    retries: 0,
    retrySuccesses: 0,
    retriesByDelay: {},
    failureCodes: {},
    durations: null,
    remaining: null,
    updatedAt: 5,
    batch,
  };
}

function commit(batch: number, cursor: string, parts: Partial<FoldCommit> = {}): FoldCommit {
  return { batch, cursor, depth: { '*': 0 }, foldedThrough: batch * 1_000, series: [], steps: [], stats: [], ...parts };
}

for (const fixture of [...adapterFixtures(), mingo]) {
  describe.skipIf(fixture.skipReason !== null)(`insight store contract: ${fixture.name}`, () => {
    let db: Database;
    let store: InsightRepository;

    beforeEach(async () => {
      db = await fixture.open();
      store = await InsightRepository.open(db);
    });
    afterEach(async () => {
      await fixture.dispose(db);
    });

    it('gives the fold lease to one holder at a time, to another once it expires or is handed back', async () => {
      const first = await store.acquireFold('a', 1_000, 500);
      expect(first).toMatchObject({ held: true, state: { cursor: null, batch: 0, leaseOwner: 'a' } });
      expect(await store.acquireFold('b', 1_100, 500)).toEqual({ held: false, holder: 'a' });
      expect((await store.acquireFold('b', 1_100, 500, 'a')).held).toBe(true);
      expect(await store.acquireFold('a', 1_200, 500)).toEqual({ held: false, holder: 'b' });
      expect((await store.acquireFold('a', 1_700, 500)).held).toBe(true);
      await store.releaseFold('a');
      expect((await store.acquireFold('c', 1_701, 500)).held).toBe(true);
    });

    it('commits buckets with the cursor, refuses a commit out of turn or without the lease, and reads ranges', async () => {
      await store.acquireFold('a', 0, 10_000);
      expect(
        await store.commitFold(
          'a',
          commit(1, 'p10', {
            series: [bucket(0, '*', 2, 1), bucket(MINUTE, '*', 3, 1), bucket(0, 'P', 2, 1)],
            steps: [step(0, 4, 1)],
            stats: [stats(4, 1)],
          }),
        ),
      ).toBe(true);
      // Batch 1 again, or batch 3 before 2, or someone not holding the lease: refused, nothing written.
      expect(await store.commitFold('a', commit(1, 'p11'))).toBe(false);
      expect(await store.commitFold('a', commit(3, 'p11'))).toBe(false);
      expect(await store.commitFold('b', commit(2, 'p11'))).toBe(false);
      expect(await store.foldState()).toMatchObject({ cursor: 'p10', batch: 1 });

      expect(
        await store.commitFold('a', commit(2, 'p20', { series: [bucket(MINUTE, '*', 5, 2)], stats: [stats(9, 2)] })),
      ).toBe(true);
      expect(await store.foldState()).toMatchObject({ cursor: 'p20', batch: 2, foldedThrough: 2_000 });
      const all = await store.series('MINUTE', '*', 0, 2 * MINUTE);
      expect(all.map((b) => [b.start, b.counts.completed])).toEqual([
        [0, 2],
        [MINUTE, 5],
      ]);
      expect((await store.series('MINUTE', '*', MINUTE, 2 * MINUTE)).length).toBe(1);
      expect((await store.seriesBefore('MINUTE', '*', MINUTE))?.start).toBe(0);
      expect(await store.seriesBefore('MINUTE', '*', 0)).toBeNull();
      expect((await store.series('MINUTE', 'P', 0, 2 * MINUTE)).map((b) => b.scope)).toEqual(['P']);
      expect(
        (await store.stepSeries('MINUTE', { procedureId: 'P', version: 1, stepId: 's' }, 0, MINUTE))[0].attempts,
      ).toBe(4);
      expect((await store.stepStats('P'))[0].attempts).toBe(9);
      expect(await store.stepStats('P', 2)).toEqual([]);
      expect((await store.seriesByIds([insightIds.series('MINUTE', 0, '*'), 'nope'])).length).toBe(1);
      expect((await store.statsByIds([insightIds.stats('P', 1, 's')]))[0].batch).toBe(2);

      expect(await store.pruneSeries('MINUTE', MINUTE)).toBe(3);
      expect((await store.series('MINUTE', '*', 0, 2 * MINUTE)).map((b) => b.start)).toEqual([MINUTE]);
      expect((await store.stepStats('P')).length).toBe(1);
    });

    it('finishes, at the next take of the lease, a commit its holder died in the middle of', async () => {
      await store.acquireFold('a', 0, 1_000);
      expect(await store.commitFold('a', commit(1, 'p1', { series: [bucket(0, '*', 1, 1)] }))).toBe(true);
      // The holder wrote batch 2 ahead and died before its buckets and cursor: simulated with the
      // fold document as (1) leaves it.
      const fold = await db.collection<{ _id: string }>('insight_fold');
      await fold.findOneAndUpdate(
        { _id: 'fold' },
        { $set: { pending: commit(2, 'p2', { series: [bucket(0, '*', 4, 2), bucket(MINUTE, '*', 1, 2)] }) } },
      );
      expect(await store.foldState()).toMatchObject({ cursor: 'p1', batch: 1 });
      const taken = await store.acquireFold('b', 5_000, 1_000);
      expect(taken).toMatchObject({ held: true, state: { cursor: 'p2', batch: 2 } });
      expect((await store.series('MINUTE', '*', 0, 2 * MINUTE)).map((b) => b.counts.completed)).toEqual([4, 1]);
      // The old holder, back from the dead, can commit nothing more; the new one goes on.
      expect(await store.commitFold('a', commit(3, 'p3', { series: [bucket(0, '*', 9, 3)] }))).toBe(false);
      expect(await store.commitFold('b', commit(3, 'p3', { series: [bucket(0, '*', 6, 3)] }))).toBe(true);
      expect((await store.series('MINUTE', '*', 0, MINUTE))[0].counts.completed).toBe(6);
    });
  });
}
