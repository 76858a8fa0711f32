import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/engine/engine.js';
import { DurationSketch } from '../../src/engine/insight/duration-sketch.js';
import { seededRandom } from '../../src/engine/shared/random.js';
import type { Collection, Database, StoredDocument } from '../../src/store/collection.js';
import { InsightRepository } from '../../src/store/repositories/insight-repository.js';
import { SqliteDatabase } from '../../src/store/sqlite/sqlite-database.js';
import { ManualClock } from '../support/manual-clock.js';
import { testStores } from '../support/test-stores.js';

/**
 * The insight fold turns committed events into per-minute and per-hour series and per-step
 * statistics in the background: counts exact, after a crash in the middle of a commit too.
 */

const engines: Engine[] = [];

afterEach(async () => {
  for (const engine of engines.splice(0)) await engine.stop();
});

async function engineOn(
  db: SqliteDatabase,
  clock: ManualClock,
  owner = 'first',
  insightDb?: Database,
): Promise<Engine> {
  const stores = await testStores(db, owner);
  const engine = await createEngine({
    stores: insightDb ? { ...stores, insight: await InsightRepository.open(insightDb) } : stores,
    settings: { agentHeartbeatWindowMs: 30_000, maxConcurrentHandoffs: 10, webhookAllowList: [], schedulerPollMs: 50 },
    owner,
    clock,
    random: seededRandom(7),
    leaseMs: 1_000,
  });
  await engine.start();
  engines.push(engine);
  return engine;
}

/** Step a takes 100 ms; step b takes 200 ms and fails its first attempt, retried after 50 ms. */
async function defineTwoSteps(engine: Engine): Promise<void> {
  const created = await engine.procedures.create({
    id: 'TWO_STEPS',
    name: 'Two steps',
    steps: [
      { id: 'a', name: 'A', kind: 'simulate', params: { durationMs: 100 }, timeoutMs: 5_000 },
      {
        id: 'b',
        name: 'B',
        kind: 'simulate',
        params: { durationMs: 200, failFirstAttempts: 1 },
        timeoutMs: 5_000,
        retry: { maxAttempts: 2, initialDelayMs: 50, maxDelayMs: 50, multiplier: 1, jitter: 0 },
      },
    ],
  });
  if (!created.ok) throw new Error(JSON.stringify(created.errors));
}

async function runHandoffs(engine: Engine, clock: ManualClock, ids: string[]): Promise<void> {
  for (const id of ids) await engine.handoffs.initiate({ handoffId: id, procedureId: 'TWO_STEPS' });
  await clock.runUntil(async () => {
    const handoffs = await Promise.all(ids.map((id) => engine.handoffs.get(id)));
    return handoffs.every((handoff) => handoff?.status === 'COMPLETED');
  }, 10);
}

async function minuteTotals(engine: Engine, from: number) {
  const series = await engine.insight.series({ from, resolution: 'HOUR' });
  if (!series.ok) throw new Error(JSON.stringify(series.errors));
  return series.value.total;
}

describe('the insight fold', () => {
  it('counts what handoffs did per minute and hour, and learns each step’s durations, retries and time to the end', async () => {
    const clock = new ManualClock();
    const engine = await engineOn(SqliteDatabase.inMemory(), clock);
    await defineTwoSteps(engine);
    const from = clock.now();
    await engine.insightFold!.catchUp();
    await runHandoffs(engine, clock, ['h1', 'h2', 'h3', 'h4', 'h5']);
    await engine.insightFold!.catchUp();

    const total = await minuteTotals(engine, from);
    expect(total.counts).toMatchObject({
      created: 5,
      started: 5,
      completed: 5,
      failed: 0,
      attempts: 15,
      attemptFailures: 5,
      timeouts: 0,
      queued: 5,
      dequeued: 5,
    });
    expect(total.duration?.count).toBe(5);
    // 100 + 200 (failed) + 50 back-off + 200, give or take the scheduler's poll.
    expect(total.duration!.p50).toBeGreaterThanOrEqual(550);
    expect(total.duration!.p50).toBeLessThan(700);
    expect(total.queueDepth).toBe(0);
    // Each waited from its creation to its start: one wait each.
    expect(total.wait?.count).toBe(5);

    const perMinute = await engine.insight.series({ from, resolution: 'MINUTE', procedureId: 'TWO_STEPS' });
    expect(perMinute.ok && perMinute.value.points.reduce((sum, p) => sum + p.counts.completed, 0)).toBe(5);

    const [a, b] = await engine.insight.stepStats('TWO_STEPS', 1);
    expect(b).toMatchObject({
      stepId: 'b',
      attempts: 10,
      successes: 5,
      failures: 5,
      firstAttempts: 5,
      firstFailures: 5,
      retries: 5,
      retrySuccesses: 5,
      retriesByDelay: { '<100ms': { retries: 5, successes: 5 } },
      failureCodes: { SIMULATED: 5 },
    });
    expect(DurationSketch.decode(b.durations).quantile(0.5)).toBe(200);
    expect(DurationSketch.decode(a.remaining).count).toBe(5);
    expect(DurationSketch.decode(b.remaining).quantile(0.5)).toBeGreaterThanOrEqual(450);
  });

  it('finishes a commit a crash cut in half, and counts every event exactly once', async () => {
    const clock = new ManualClock();
    const sqlite = SqliteDatabase.inMemory();
    const db = new CrashingDatabase(sqlite);
    const engine = await engineOn(sqlite, clock, 'first', db);
    await defineTwoSteps(engine);
    const from = clock.now();
    await engine.insightFold!.catchUp();
    await runHandoffs(engine, clock, ['c1', 'c2', 'c3']);
    // The commit is written ahead, then its buckets one by one: the second bucket write fails.
    db.failBucketWrite = 2;
    await engine.insightFold!.tick();
    expect(db.failed).toBe(true);
    expect((await engine.stores.insight.foldState())!.batch).toBe(1);
    // The next take of the lease finishes the commit left under way, then folds what came after it.
    await runHandoffs(engine, clock, ['c4']);
    await engine.insightFold!.catchUp();

    const total = await minuteTotals(engine, from);
    expect(total.counts).toMatchObject({ created: 4, started: 4, completed: 4, attempts: 12, attemptFailures: 4 });
    const [, b] = await engine.insight.stepStats('TWO_STEPS', 1);
    expect(b).toMatchObject({ attempts: 8, successes: 4, retries: 4 });
    expect(DurationSketch.decode(b.durations).count).toBe(4);
  });

  it('keeps the series when retention deletes the handoffs they count', async () => {
    const clock = new ManualClock();
    const engine = await engineOn(SqliteDatabase.inMemory(), clock);
    await defineTwoSteps(engine);
    const from = clock.now();
    await engine.insightFold!.catchUp();
    await runHandoffs(engine, clock, ['r1', 'r2']);
    await engine.insightFold!.catchUp();
    expect(await engine.stores.handoffs.deleteFinished(['r1', 'r2'])).toBe(2);
    await engine.insightFold!.catchUp();
    expect((await minuteTotals(engine, from)).counts).toMatchObject({ created: 2, completed: 2 });
  });

  it('rebuilds a handoff’s trail from its stored events when a new holder meets it mid-way', async () => {
    const clock = new ManualClock();
    const db = SqliteDatabase.inMemory();
    const first = await engineOn(db, clock);
    await defineTwoSteps(first);
    const from = clock.now();
    await first.insightFold!.catchUp();
    await first.handoffs.initiate({ handoffId: 'mid', procedureId: 'TWO_STEPS' });
    await clock.runUntil(async () => (await first.handoffs.get('mid'))?.steps[1].status === 'PENDING', 10);
    await first.insightFold!.catchUp();
    await first.stop();
    engines.splice(0);
    // A second process folds the rest: its first event of `mid` is mid-run.
    const second = await engineOn(db, clock, 'second');
    await clock.runUntil(async () => (await second.handoffs.get('mid'))?.status === 'COMPLETED', 10);
    await second.insightFold!.catchUp();
    const total = await minuteTotals(second, from);
    expect(total.counts).toMatchObject({ created: 1, started: 1, completed: 1 });
    expect(total.duration?.count).toBe(1);
    const [a] = await second.insight.stepStats('TWO_STEPS', 1);
    expect(DurationSketch.decode(a.remaining).count).toBe(1);
  });
});

/** Fails the n-th write to a stored bucket once (a crash between the write-ahead and the end of a commit). */
class CrashingDatabase implements Database {
  failBucketWrite = 0;
  failed = false;
  constructor(private readonly inner: SqliteDatabase) {}
  get kind() {
    return this.inner.kind;
  }
  get operations() {
    return this.inner.operations;
  }
  ping() {
    return this.inner.ping();
  }
  close() {
    return this.inner.close();
  }
  async collection<T extends StoredDocument>(name: string, indexes?: never): Promise<Collection<T>> {
    const collection = await this.inner.collection<T>(name, indexes);
    if (name !== 'insight_series') return collection;
    return new Proxy(collection, {
      get: (target, property, receiver) => {
        if (property !== 'findOneAndUpdate') return Reflect.get(target, property, receiver);
        return (...args: Parameters<Collection<T>['findOneAndUpdate']>) => {
          if (this.failBucketWrite > 0 && --this.failBucketWrite === 0) {
            this.failed = true;
            return Promise.reject(new Error('the process died here'));
          }
          return target.findOneAndUpdate(...args);
        };
      },
    });
  }
}
