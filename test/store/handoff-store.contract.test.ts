import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Handoff, HandoffStatus, StepRun } from '../../src/engine/kernel/handoff/handoff.js';
import type { HandoffStore } from '../../src/engine/kernel/ports/handoff-store.js';
import { DuplicateKeyError, InvalidCursorError } from '../../src/engine/kernel/ports/store-errors.js';
import type { Database } from '../../src/store/collection.js';
import { HandoffRepository } from '../../src/store/repositories/handoff-repository.js';
import { GroupCommit } from '../../src/store/sqlite/group-commit.js';
import { SqliteChangeFeed } from '../../src/store/sqlite/sqlite-change-feed.js';
import { SqliteDatabase } from '../../src/store/sqlite/sqlite-database.js';
import { SqliteHandoffStore } from '../../src/store/sqlite/sqlite-handoff-store.js';
import { adapterFixtures, makeTempDir, removeTempDir } from './adapters.js';
import { handoffListContract } from './handoff-list-contract.js';
import { MingoDatabase } from './mingo-database.js';

interface HandoffStoreFixture {
  name: string;
  skipReason: string | null;
  open(): Promise<{ store: HandoffStore; db: Database }>;
  dispose(db: Database): Promise<void>;
}

/**
 * The handoff port on every implementation: SQLite natively (file and memory), and the document
 * repository (MongoDB's) over each adapter the collection suite knows, SQLite included.
 */
function fixtures(): HandoffStoreFixture[] {
  const native: HandoffStoreFixture[] = adapterFixtures()
    .filter((fixture) => fixture.name.includes('SQLite'))
    .map((fixture) => ({
      name: `native ${fixture.name}`,
      skipReason: fixture.skipReason,
      async open() {
        const db = (await fixture.open()) as SqliteDatabase;
        return { db, store: new SqliteHandoffStore(db.connection, 'writer_a', db.operations) };
      },
      dispose: (db) => fixture.dispose(db),
    }));
  const documents: HandoffStoreFixture[] = adapterFixtures().map((fixture) => ({
    name: `documents on ${fixture.name}`,
    skipReason: fixture.skipReason,
    async open() {
      const db = await fixture.open();
      return { db, store: await HandoffRepository.open(db, 0, 'writer_a') };
    },
    dispose: (db) => fixture.dispose(db),
  }));
  // MongoDB's query semantics without a server: the repository's queries evaluated by mingo.
  const mingo: HandoffStoreFixture = {
    name: 'documents on mingo (MongoDB query semantics, in memory)',
    skipReason: null,
    async open() {
      const db = new MingoDatabase();
      return { db, store: await HandoffRepository.open(db, 0, 'writer_a') };
    },
    dispose: (db) => db.close(),
  };
  return [...native, ...documents, mingo];
}

function handoff(id: string, overrides: Partial<Handoff> = {}): Handoff {
  return {
    id,
    procedureId: 'P',
    procedureVersion: 1,
    type: 'AGENT_HANDOFF',
    priority: 'MEDIUM',
    sourcePhase: null,
    targetPhase: null,
    sourceAgent: 'agent_1',
    targetAgent: 'agent_2',
    metadata: { ticket: 'T-1', 'dotted.key': { $gt: 1 } },
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
    ...overrides,
  };
}

const created = [{ type: 'HANDOFF_CREATED' as const, step: null, message: 'created' }];

/** The next state of `current`, one version on, with `events` more events. */
function next(current: Handoff, status: HandoffStatus, events = 1): Handoff {
  return { ...current, status, version: current.version + 1, seq: current.seq + events };
}

/** One retention batch: the oldest finished ids, then their deletion; returns how many went. */
async function deleteOld(
  store: HandoffStore,
  options: { finishedBefore: number; test: boolean; limit: number },
): Promise<number> {
  return store.deleteFinished(await store.finishedBefore(options));
}

function handoffContract(fixture: HandoffStoreFixture): void {
  let db: Database;
  let store: HandoffStore;

  beforeEach(async () => {
    ({ db, store } = await fixture.open());
  });

  afterEach(async () => {
    await fixture.dispose(db);
  });

  it('creates a handoff with its first events; the same id twice is DuplicateKeyError', async () => {
    const h = handoff('h1');
    const events = await store.create(h, created, 5);
    expect(events).toMatchObject([{ handoffId: 'h1', seq: 1, at: 5, type: 'HANDOFF_CREATED', status: 'PENDING' }]);
    expect(h).toMatchObject({ version: 1, seq: 1 });
    expect(await store.get('h1')).toEqual({ ...h, version: 1, seq: 1 });
    await expect(store.create(handoff('h1'), created, 6)).rejects.toBeInstanceOf(DuplicateKeyError);
    expect(await store.get('nope')).toBeNull();
  });

  it('applies a transition only from the expected version, with its events, and never half of it', async () => {
    const h = handoff('h1');
    await store.create(h, created, 5);
    const running = next(h, 'RUNNING');
    const done = await store.transition(running, [{ type: 'HANDOFF_STARTED', step: null, message: 'go' }], 6, null);
    expect(done).toMatchObject({ applied: true, events: [{ seq: 2, type: 'HANDOFF_STARTED', status: 'RUNNING' }] });
    // the same transition again (a stale writer) changes nothing, and says why
    expect(
      await store.transition(running, [{ type: 'HANDOFF_STARTED', step: null, message: 'again' }], 7, null),
    ).toEqual({ applied: false, reason: 'VERSION_CONFLICT', requests: null });
    const final = next(running, 'COMPLETED', 2);
    await store.transition(
      final,
      [
        { type: 'STEP_SUCCEEDED', step: 's', message: 'ok' },
        { type: 'HANDOFF_COMPLETED', step: null, message: 'done' },
      ],
      8,
      null,
    );
    expect((await store.get('h1'))!.status).toBe('COMPLETED');
    // a final status is never readable without its final events
    expect((await store.events('h1', 0)).map((event) => [event.seq, event.type])).toEqual([
      [1, 'HANDOFF_CREATED'],
      [2, 'HANDOFF_STARTED'],
      [3, 'STEP_SUCCEEDED'],
      [4, 'HANDOFF_COMPLETED'],
    ]);
    expect((await store.events('h1', 2, 1)).map((event) => event.seq)).toEqual([3]);
  });

  it('guards a transition on the lease when one is named, and a final one hands the lease back', async () => {
    const h = handoff('h1');
    await store.create(h, created, 5, { owner: 'a', expiresAt: 100 });
    expect(await store.acquireLease('h1', 'b', 50, 10, false)).toBeNull();
    expect(await store.transition(next(h, 'RUNNING'), [], 60, 'b')).toEqual({
      applied: false,
      reason: 'LEASE_LOST',
      requests: null,
    });
    const record = await store.acquireLease('h1', 'b', 101, 10, false);
    expect(record).toMatchObject({ leaseOwner: 'b', leaseExpiresAt: 111, handoff: { id: 'h1', version: 1 } });
    // a (stalled past its lease) learns at its next renewal that it lost the handoff, and does not take it back
    expect(await store.renewLeases(['h1'], 'a', 300)).toEqual({ cancels: [], lost: ['h1'] });
    expect(await store.leaseHolders()).toEqual(['b']);
    expect(await store.leaseHolders()).toEqual(['b']);
    const final = next(h, 'CANCELLED');
    expect(
      await store.transition(final, [{ type: 'HANDOFF_CANCELLED', step: null, message: 'x' }], 102, 'b'),
    ).toMatchObject({ applied: true });
    expect(await store.leaseHolders()).toEqual([]);
    // a final handoff is never leased again
    expect(await store.acquireLease('h1', 'c', 200, 10, true)).toBeNull();
  });

  it("lists what is due by priority then due time, never what someone holds, and frees a gone owner's leases", async () => {
    await store.create(handoff('old', { createdAt: 1 }), created, 1, { owner: 'gone', expiresAt: 1_000 });
    await store.create(handoff('new', { createdAt: 2, priority: 'HIGH' }), created, 2);
    await store.create(handoff('later', { createdAt: 3 }), created, 3);
    const finished = handoff('finished', { createdAt: 0 });
    await store.create(finished, created, 0);
    await store.transition(
      next(finished, 'COMPLETED'),
      [{ type: 'HANDOFF_COMPLETED', step: null, message: 'done' }],
      3,
      null,
      { release: { dueAt: null } },
    );
    expect((await store.unfinished()).map((entry) => entry.id)).toEqual(['old', 'new', 'later']);
    // Created without a lease: due at once, the higher priority first; 'old' is held until its lease runs out.
    expect(await store.due(500, 10)).toEqual([
      { id: 'new', priority: 'HIGH' },
      { id: 'later', priority: 'MEDIUM' },
    ]);
    expect(await store.due(500, 1)).toEqual([{ id: 'new', priority: 'HIGH' }]);
    expect((await store.due(1_000, 10)).map((entry) => entry.id)).toEqual(['new', 'later', 'old']);
    expect(await store.releaseLeasesOf('gone', 600)).toBe(1);
    expect((await store.due(600, 10)).map((entry) => entry.id)).toEqual(['new', 'later', 'old']);
  });

  it('a handoff handed back is due when its transition says; a signal or cancel makes one nobody holds due at once', async () => {
    const h = handoff('w');
    await store.create(h, created, 5, { owner: 'a', expiresAt: 100 });
    expect(await store.due(50, 10)).toEqual([]);
    const waiting = next(h, 'WAITING');
    const seen = (await store.requests('w'))!.rev;
    expect(
      await store.transition(waiting, [], 10, 'a', { release: { dueAt: 5_000, requestsSeen: seen } }),
    ).toMatchObject({ applied: true });
    expect(await store.leaseHolders()).toEqual([]);
    expect(await store.due(4_999, 10)).toEqual([]);
    expect(await store.due(5_000, 10)).toEqual([{ id: 'w', priority: 'MEDIUM' }]);
    expect(await store.recordSignal('w', 'review', { ok: true }, 20)).toBe(true);
    expect(await store.due(20, 10)).toEqual([{ id: 'w', priority: 'MEDIUM' }]);
    // Taken, then a signal arrives before it is handed back: the release is refused and says what came.
    const taken = await store.acquireLease('w', 'b', 30, 1_000, false);
    expect(taken!.rev).toBe(seen + 1);
    await store.recordSignal('w', 'other', 2, 40);
    const refused = await store.transition(next(waiting, 'WAITING'), [], 50, 'b', {
      release: { dueAt: 9_000, requestsSeen: taken!.rev },
    });
    expect(refused).toMatchObject({ applied: false, reason: 'REQUESTS_CHANGED' });
    expect(refused.requests).toMatchObject({ signals: { review: { ok: true }, other: 2 }, rev: seen + 2 });
    // Held meanwhile: due only when the lease runs out.
    expect(await store.due(60, 10)).toEqual([]);
    await store.releaseLease('w', 'b', 70);
    expect(await store.due(70, 10)).toEqual([{ id: 'w', priority: 'MEDIUM' }]);
    expect(await store.requestCancel('w', 'stop', 80)).toBe(true);
    expect(await store.due(80, 10)).toEqual([{ id: 'w', priority: 'MEDIUM' }]);
  });

  it('claims a handoff as its creator holds it: the lease and the requests, no state; not once it changed', async () => {
    const h = handoff('c');
    await store.create(h, created, 5);
    await store.recordSignal('c', 'review', { ok: true }, 6);
    expect(await store.claim('c', 'a', 10, 100, h.version)).toEqual({
      signals: { review: { ok: true } },
      cancelRequest: null,
      rev: 1,
    });
    expect(await store.leaseHolders()).toEqual(['a']);
    expect(await store.due(50, 10)).toEqual([]);
    // Someone else's live lease, or a state that moved on since: refused.
    expect(await store.claim('c', 'b', 50, 100, h.version)).toBeNull();
    await store.transition(next(h, 'RUNNING'), [], 60, 'a');
    await store.releaseLease('c', 'a', 70);
    expect(await store.claim('c', 'b', 80, 100, h.version)).toBeNull();
    expect(await store.claim('c', 'b', 80, 100, h.version + 1)).toMatchObject({ rev: 1 });
  });

  it('a PAUSED or final handoff is never due; a cancel makes a PAUSED one due', async () => {
    const h = handoff('p');
    await store.create(h, created, 5);
    const paused = next(h, 'PAUSED');
    await store.transition(paused, [], 6, null, { requireUnleased: true, release: { dueAt: null } });
    expect(await store.due(100, 10)).toEqual([]);
    await store.recordSignal('p', 'review', 1, 7);
    expect(await store.due(100, 10)).toEqual([]);
    await store.requestCancel('p', 'no', 8);
    expect(await store.due(100, 10)).toEqual([{ id: 'p', priority: 'MEDIUM' }]);
  });

  it('lists handoffs past their deadline that nobody holds and no cancel covers yet', async () => {
    await store.create(handoff('late', { deadlineAt: 50 }), created, 1);
    await store.create(handoff('held', { deadlineAt: 50 }), created, 1, { owner: 'a', expiresAt: 1_000 });
    await store.create(handoff('timely', { deadlineAt: 500 }), created, 1);
    await store.create(handoff('none'), created, 1);
    expect(await store.overdue(100, 10)).toEqual(['late']);
    await store.requestCancel('late', 'DEADLINE_EXCEEDED', 100);
    expect(await store.overdue(100, 10)).toEqual([]);
    expect(await store.overdue(1_000, 10)).toEqual(['held', 'timely']);
    expect(await store.overdue(1_000, 1)).toEqual(['held']);
  });

  it('a transition that needs nobody to hold the handoff is refused while a live lease holds it', async () => {
    const h = handoff('l');
    await store.create(h, created, 5, { owner: 'a', expiresAt: 100 });
    expect(await store.transition(next(h, 'PAUSED'), [], 50, null, { requireUnleased: true })).toEqual({
      applied: false,
      reason: 'LEASE_LOST',
      requests: null,
    });
    expect(await store.transition(next(h, 'PAUSED'), [], 150, null, { requireUnleased: true })).toMatchObject({
      applied: true,
    });
  });

  it('records signals and a single cancel on unfinished handoffs only, and renewing leases reports cancels', async () => {
    const h = handoff('h1');
    await store.create(h, created, 5, { owner: 'a', expiresAt: 100 });
    expect(await store.recordSignal('h1', 'review', { ok: true }, 6)).toBe(true);
    expect(await store.recordSignal('h1', 'toString', 'data, not a method', 7)).toBe(true);
    expect(await store.requestCancel('h1', 'changed plan', 9)).toBe(true);
    expect(await store.requestCancel('h1', 'again', 10)).toBe(false);
    expect(await store.requests('h1')).toEqual({
      signals: { review: { ok: true }, toString: 'data, not a method' },
      cancelRequest: { reason: 'changed plan', at: 9 },
      rev: 3,
    });
    expect(await store.renewLeases(['h1'], 'a', 200)).toEqual({
      cancels: [{ id: 'h1', reason: 'changed plan' }],
      lost: [],
    });
    expect(await store.acquireLease('h1', 'b', 150, 10, false)).toBeNull();
    const rollingBack = next(h, 'ROLLING_BACK');
    await store.transition(rollingBack, [{ type: 'ROLLBACK_STARTED', step: null, message: 'x' }], 11, null);
    // a compensation may still wait for a signal (an agent task's outcome)
    expect(await store.recordSignal('h1', 'task:t1', { status: 'COMPLETED' }, 11)).toBe(true);
    await store.transition(
      next(rollingBack, 'CANCELLED'),
      [{ type: 'HANDOFF_CANCELLED', step: null, message: 'x' }],
      12,
      null,
    );
    expect(await store.recordSignal('h1', 'review', 1, 13)).toBe(false);
    expect(await store.recordSignal('missing', 'review', 1, 13)).toBe(false);
  });

  it('refuses a final status that would ignore a recorded cancel, storing nothing of it, and says why', async () => {
    const h = handoff('h1');
    await store.create(h, created, 5, { owner: 'a', expiresAt: 100 });
    const running = next(h, 'RUNNING');
    expect(
      await store.transition(running, [{ type: 'HANDOFF_STARTED', step: null, message: 'go' }], 6, 'a'),
    ).toMatchObject({ applied: true });
    expect(await store.requestCancel('h1', 'stop', 7)).toBe(true);
    const cancelRecorded = { signals: {}, cancelRequest: { reason: 'stop', at: 7 }, rev: 1 };
    for (const status of ['COMPLETED', 'FAILED', 'ROLLED_BACK', 'PAUSED'] as const) {
      const ending = await store.transition(
        next(running, status),
        [{ type: 'HANDOFF_COMPLETED', step: null, message: 'done' }],
        8,
        'a',
      );
      expect(ending, status).toEqual({ applied: false, reason: 'CANCEL_REQUESTED', requests: cancelRecorded });
    }
    expect((await store.get('h1'))!.status).toBe('RUNNING');
    expect((await store.events('h1', 0)).map((event) => event.type)).toEqual(['HANDOFF_CREATED', 'HANDOFF_STARTED']);
    expect(await store.leaseHolders()).toEqual(['a']);
    // Changes that honour it still apply, and report it.
    const rolling = next(running, 'ROLLING_BACK');
    expect(
      await store.transition(rolling, [{ type: 'ROLLBACK_STARTED', step: null, message: 'undo' }], 9, 'a'),
    ).toMatchObject({ applied: true, requests: cancelRecorded });
    // A stale writer is told its guard failed (VERSION_CONFLICT), not that a cancel refused it.
    expect(await store.transition(next(running, 'COMPLETED'), [], 10, 'a')).toEqual({
      applied: false,
      reason: 'VERSION_CONFLICT',
      requests: null,
    });
    expect(
      await store.transition(
        next(rolling, 'CANCELLED'),
        [{ type: 'HANDOFF_CANCELLED', step: null, message: 'x' }],
        11,
        'a',
      ),
    ).toMatchObject({ applied: true });
    expect((await store.get('h1'))!.status).toBe('CANCELLED');
  });

  it('pauses (handing the lease back, left out of what runners pick up), takes a cancel while paused, and redrives a finished handoff with its metadata', async () => {
    const h = handoff('h1');
    await store.create(h, created, 5, { owner: 'a', expiresAt: 100 });
    const paused = next(h, 'PAUSED');
    expect(
      await store.transition(paused, [{ type: 'HANDOFF_PAUSED', step: null, message: 'hold' }], 6, 'a'),
    ).toMatchObject({ applied: true });
    expect(await store.leaseHolders()).toEqual([]);
    expect(await store.unfinished()).toEqual([]);
    // a cancel is recorded on a paused handoff, and a runner may lease it to honour it
    expect(await store.requestCancel('h1', 'give up', 7)).toBe(true);
    expect(await store.acquireLease('h1', 'b', 8, 10, false)).toMatchObject({
      handoff: { status: 'PAUSED' },
      cancelRequest: { reason: 'give up', at: 7 },
    });
    expect(
      await store.transition(
        next(paused, 'CANCELLED'),
        [{ type: 'HANDOFF_CANCELLED', step: null, message: 'x' }],
        9,
        'b',
      ),
    ).toMatchObject({ applied: true });
    // a redrive (no lease: a finished handoff has none) may rewrite the metadata; its events carry the new run
    const h2 = handoff('h2');
    await store.create(h2, created, 5);
    const done = next(h2, 'FAILED');
    await store.transition(done, [{ type: 'HANDOFF_FAILED', step: null, message: 'x' }], 6, null);
    expect((await store.get('h2'))!.status).toBe('FAILED');
    const redriven = { ...next(done, 'PENDING'), run: 2, metadata: { ticket: 'T-2' } };
    expect(
      await store.transition(redriven, [{ type: 'HANDOFF_REDRIVEN', step: null, message: 'again' }], 7, null, {
        writesMetadata: true,
      }),
    ).toMatchObject({
      applied: true,
      events: [{ seq: 3, run: 2, type: 'HANDOFF_REDRIVEN', status: 'PENDING' }],
    });
    expect(await store.get('h2')).toMatchObject({ status: 'PENDING', run: 2, metadata: { ticket: 'T-2' } });
    expect((await store.events('h2', 0)).map((event) => [event.seq, event.run])).toEqual([
      [1, 1],
      [2, 1],
      [3, 2],
    ]);
    // without writesMetadata the metadata is left as stored
    await store.transition({ ...next(redriven, 'RUNNING'), metadata: { ignored: true } }, [], 8, null);
    expect((await store.get('h2'))!.metadata).toEqual({ ticket: 'T-2' });
  });

  it("keeps a graph's state whole (branches, a parent link), the branch of an event, and a COMPLETED handoff asked to roll back", async () => {
    const step = (id: string, extra: Partial<StepRun> = {}): StepRun => ({
      id,
      name: id,
      kind: 'noop',
      status: 'SUCCEEDED',
      attempts: 1,
      startedAt: 1,
      finishedAt: 2,
      error: null,
      output: null,
      retryAt: null,
      ...extra,
    });
    const h = handoff('g1', { parent: { handoffId: 'p1', stepId: 'team[1]', notice: 'child:team[1]:1:1' } });
    await store.create(h, created, 5);
    const done = {
      ...next(h, 'COMPLETED', 2),
      finishedAt: 9,
      steps: [
        step('fan', { attempts: 0, fanOut: { branches: 1 }, output: { results: [] } }),
        step('fan[0]', { branch: { of: 'fan', index: 0, item: { agent: 'x.y', $op: 1 } } }),
      ],
    };
    const stored = await store.transition(
      done,
      [
        { type: 'STEP_SUCCEEDED', step: 'fan[0]', branch: 0, message: 'ok' },
        { type: 'HANDOFF_COMPLETED', step: null, message: 'done' },
      ],
      9,
      null,
    );
    expect(stored).toMatchObject({ applied: true, events: [{ step: 'fan[0]', branch: 0 }, { step: null }] });
    expect(await store.get('g1')).toMatchObject({ parent: h.parent, steps: done.steps });
    expect((await store.events('g1', 0)).map((event) => event.branch ?? null)).toEqual([null, 0, null]);
    const reverting = { ...next(done, 'ROLLING_BACK'), finishedAt: null, revertRequest: { at: 10, reason: 'parent' } };
    expect(
      await store.transition(reverting, [{ type: 'ROLLBACK_STARTED', step: null, message: 'undo' }], 10, null, {
        requireUnleased: true,
        release: { dueAt: 10 },
      }),
    ).toMatchObject({ applied: true });
    expect(await store.get('g1')).toMatchObject({ status: 'ROLLING_BACK', revertRequest: { reason: 'parent' } });
    expect(await store.count({ status: ['COMPLETED'] })).toBe(0);
    expect(await store.due(10, 10)).toEqual([{ id: 'g1', priority: 'MEDIUM' }]);
  });

  it('filters by the agent in either role, or in one role', async () => {
    await store.create(handoff('h1', { sourceAgent: 'ana', targetAgent: 'bob' }), created, 1);
    await store.create(handoff('h2', { sourceAgent: 'bob', targetAgent: 'cy', createdAt: 1_001 }), created, 1);
    await store.create(handoff('h3', { sourceAgent: null, targetAgent: null, createdAt: 1_002 }), created, 1);
    const ids = async (filter: Parameters<HandoffStore['page']>[0]) =>
      (await store.page(filter, { first: 10 })).items.map((item) => item.node.id);
    expect(await ids({ agent: 'bob' })).toEqual(['h2', 'h1']);
    expect(await ids({ sourceAgent: 'bob' })).toEqual(['h2']);
    expect(await ids({ targetAgent: 'bob' })).toEqual(['h1']);
    expect(await ids({ targetAgent: 'bob', status: ['COMPLETED'] })).toEqual([]);
    expect(await store.count({ targetAgent: 'cy' })).toBe(1);
  });

  it('pages newest first by filter, merging several statuses without gaps or repeats', async () => {
    const statuses: HandoffStatus[] = ['COMPLETED', 'FAILED', 'RUNNING'];
    for (let i = 0; i < 30; i++) {
      const h = handoff(`h${String(i).padStart(2, '0')}`, {
        createdAt: 1_000 + (i % 10),
        procedureId: i % 2 ? 'P' : 'Q',
        test: i % 5 === 0 ? { testId: 't' } : null,
      });
      await store.create(h, created, 1);
      await store.transition(next(h, statuses[i % 3]!), [], 2, null);
    }
    const walk = async (filter: Parameters<HandoffStore['page']>[0]) => {
      const seen: Handoff[] = [];
      let after: string | null = null;
      for (;;) {
        const page = await store.page(filter, { first: 4, after });
        seen.push(...page.items.map((item) => item.node));
        if (!page.hasNextPage) return seen;
        after = page.items.at(-1)!.cursor;
      }
    };
    const order = (list: Handoff[]) => list.map((h) => `${h.createdAt}/${h.id}`);
    const expected = (keep: (h: Handoff) => boolean, all: Handoff[]) =>
      order(all.filter(keep).sort((a, b) => b.createdAt - a.createdAt || (b.id < a.id ? -1 : 1)));
    const everything = await walk({});
    expect(everything).toHaveLength(30);
    expect(order(everything)).toEqual(expected(() => true, everything));
    const twoStatuses = await walk({ status: ['COMPLETED', 'FAILED'], procedureId: ['P'] });
    expect(order(twoStatuses)).toEqual(
      expected((h) => ['COMPLETED', 'FAILED'].includes(h.status) && h.procedureId === 'P', everything),
    );
    expect(order(await walk({ test: true }))).toEqual(expected((h) => h.test !== null, everything));
    expect(await store.count({ status: ['COMPLETED', 'FAILED'], procedureId: ['P'] })).toBe(twoStatuses.length);
    expect(await store.count({ test: false })).toBe(24);
    await expect(store.page({}, { first: 4, after: 'not-a-cursor' })).rejects.toBeInstanceOf(InvalidCursorError);
    expect(
      (await store.summaries({ status: ['FAILED'] })).every(
        (row) => row.status === 'FAILED' && row.procedureId !== undefined,
      ),
    ).toBe(true);
    expect((await store.getMany(['h03', 'missing', 'h01'])).map((h) => h?.id ?? null)).toEqual(['h03', null, 'h01']);
  });

  it('deletes finished handoffs older than a time in batches, oldest first, with their events; never unfinished ones', async () => {
    const finish = async (id: string, status: HandoffStatus, finishedAt: number, overrides: Partial<Handoff> = {}) => {
      const h = handoff(id, overrides);
      await store.create(h, created, 1);
      await store.transition(
        { ...next(h, status), startedAt: 1, finishedAt },
        [{ type: 'HANDOFF_COMPLETED', step: null, message: '' }],
        finishedAt,
        null,
      );
    };
    await finish('old_b', 'FAILED', 150);
    await finish('old_a', 'COMPLETED', 100);
    await finish('recent', 'COMPLETED', 500);
    await finish('old_test', 'CANCELLED', 100, { test: { testId: 't1' } as Handoff['test'] });
    const running = handoff('running', { createdAt: 0 });
    await store.create(running, created, 0);
    await store.transition(next(running, 'RUNNING'), [{ type: 'HANDOFF_STARTED', step: null, message: '' }], 1, null);
    await store.recordSignal('running', 'review', { ok: true }, 1);

    expect(await store.finishedBefore({ finishedBefore: 200, test: false, limit: 10 })).toEqual(['old_a', 'old_b']);
    expect(await deleteOld(store, { finishedBefore: 200, test: false, limit: 1 })).toBe(1);
    expect(await store.get('old_a')).toBeNull();
    expect(await store.get('old_b')).not.toBeNull();
    expect(await deleteOld(store, { finishedBefore: 200, test: false, limit: 10 })).toBe(1);
    expect(await deleteOld(store, { finishedBefore: 200, test: false, limit: 10 })).toBe(0);

    expect(await store.getMany(['old_a', 'old_b', 'recent'])).toMatchObject([null, null, { id: 'recent' }]);
    expect(await store.events('old_a', 0)).toEqual([]);
    expect(await store.events('old_b', 0)).toEqual([]);
    expect((await store.page({ test: false }, { first: 10 })).items.map((item) => item.node.id).sort()).toEqual([
      'recent',
      'running',
    ]);
    expect(await store.count({ test: false })).toBe(2);
    expect(await store.count({ status: ['COMPLETED', 'FAILED'], test: false })).toBe(1);
    expect((await store.summaries({ test: false })).map((row) => [row.status, row.count]).sort()).toEqual([
      ['COMPLETED', 1],
      ['RUNNING', 1],
    ]);
    // Test traffic has its own age: untouched by the production sweep, deleted by its own.
    expect(await store.get('old_test')).not.toBeNull();
    expect(await deleteOld(store, { finishedBefore: 200, test: true, limit: 10 })).toBe(1);
    expect(await store.count({ test: true })).toBe(0);
    // However old, an unfinished handoff stays, with its events and signals.
    expect(await deleteOld(store, { finishedBefore: Number.MAX_SAFE_INTEGER, test: false, limit: 10 })).toBe(1);
    expect(await store.get('running')).toMatchObject({ status: 'RUNNING' });
    expect(await store.events('running', 0)).toHaveLength(2);
    expect(await store.requests('running')).toEqual({ signals: { review: { ok: true } }, cancelRequest: null, rev: 1 });
    expect(await store.unfinished()).toEqual([{ id: 'running', priority: 'MEDIUM' }]);
    // Asked by id, it still deletes only finished handoffs, and skips unknown ids.
    await finish('another', 'ROLLED_BACK', 900);
    expect(await store.deleteFinished(['running', 'another', 'never_stored'])).toBe(1);
    expect(await store.get('another')).toBeNull();
    expect(await store.get('running')).not.toBeNull();
    expect(await store.deleteFinished([])).toBe(0);
  });
}

for (const fixture of fixtures()) {
  const title = fixture.skipReason
    ? `handoff store contract: ${fixture.name} (skipped: ${fixture.skipReason})`
    : `handoff store contract: ${fixture.name}`;
  describe.skipIf(fixture.skipReason !== null)(title, () => {
    handoffContract(fixture);
    describe('lists: filters, orders and cursors', () => handoffListContract(fixture));
  });
}

describe('SQLite change feed', () => {
  let dir: string;

  beforeEach(() => {
    dir = makeTempDir();
  });

  afterEach(() => {
    removeTempDir(dir);
  });

  it('hands one process what another committed, in order, exactly once, and none of its own', async () => {
    const file = path.join(dir, 'handoff.sqlite');
    const [dbA, dbB] = [SqliteDatabase.open(file), SqliteDatabase.open(file)];
    try {
      const a = new SqliteHandoffStore(dbA.connection, 'A', dbA.operations);
      const b = new SqliteHandoffStore(dbB.connection, 'B', dbB.operations);
      const feedOfA = new SqliteChangeFeed(dbA.connection, 'A');
      let position = await feedOfA.head();
      const h = handoff('h1');
      await b.create(h, created, 1);
      await a.create(handoff('mine'), created, 1);
      await b.transition(
        next(h, 'RUNNING', 2),
        [
          { type: 'HANDOFF_STARTED', step: null, message: '' },
          { type: 'STEP_STARTED', step: 's', message: '' },
        ],
        2,
        null,
      );
      await b.recordSignal('h1', 'review', { ok: 1 }, 1);
      await b.requestCancel('h1', 'stop', 3);
      const first = await feedOfA.read(position, 2);
      expect(first.more).toBe(true);
      position = first.position;
      const rest = await feedOfA.read(position, 100);
      const changes = [...first.changes, ...rest.changes];
      const events = changes.flatMap((change) => (change.kind === 'events' ? change.events : []));
      expect(events.map((event) => `${event.handoffId}#${event.seq}`)).toEqual(['h1#1', 'h1#2', 'h1#3']);
      expect(changes.filter((change) => change.kind !== 'events')).toEqual([
        { kind: 'signal', handoffId: 'h1', step: 'review', payload: { ok: 1 } },
        { kind: 'cancel', handoffId: 'h1', reason: 'stop' },
      ]);
      expect((await feedOfA.read(rest.position, 100)).changes).toEqual([]);
    } finally {
      await dbA.close();
      await dbB.close();
    }
  });

  it('follows on exactly after retention deleted rows behind or ahead of a follower, and prunes notices', async () => {
    const file = path.join(dir, 'handoff.sqlite');
    const [dbA, dbB] = [SqliteDatabase.open(file), SqliteDatabase.open(file)];
    try {
      const b = new SqliteHandoffStore(dbB.connection, 'B', dbB.operations);
      const feedOfA = new SqliteChangeFeed(dbA.connection, 'A');
      const old = handoff('old');
      await b.create(old, created, 1);
      await b.recordSignal('old', 'review', 1, 1);
      await b.transition(
        { ...next(old, 'COMPLETED'), finishedAt: 2 },
        [{ type: 'HANDOFF_COMPLETED', step: null, message: '' }],
        2,
        null,
      );
      const position = await feedOfA.head();
      const unread = handoff('unread');
      await b.create(unread, created, 3);
      await b.transition(
        { ...next(unread, 'COMPLETED'), finishedAt: 4 },
        [{ type: 'HANDOFF_COMPLETED', step: null, message: '' }],
        4,
        null,
      );
      // Both deleted: one the follower had read, one it had not.
      expect(await deleteOld(b, { finishedBefore: 10, test: false, limit: 10 })).toBe(2);
      const rows = (table: string) => dbA.connection.prepare(`SELECT count(*) FROM ${table}`).pluck().get();
      expect([rows('handoff_events'), rows('handoff_notices')]).toEqual([0, 0]);
      await b.create(handoff('fresh'), created, 11);
      await b.recordSignal('fresh', 'review', 2, 1);
      const read = await feedOfA.read(position, 100);
      expect(read.changes).toEqual([
        { kind: 'events', events: [expect.objectContaining({ handoffId: 'fresh', seq: 1 })] },
        { kind: 'signal', handoffId: 'fresh', step: 'review', payload: 2 },
      ]);
      // A follower starting now does not see deleted positions come back.
      expect(await feedOfA.head()).toBe(read.position);
    } finally {
      await dbA.close();
      await dbB.close();
    }
  });
});

describe('SQLite handoff store internals', () => {
  it('commits the writes of one turn together, each in its own savepoint: one that fails rolls back alone', async () => {
    const db = SqliteDatabase.inMemory();
    try {
      db.connection.exec('CREATE TABLE probe (id TEXT PRIMARY KEY)');
      const commits = new GroupCommit(db.connection, 'probe');
      const insert = (id: string) => () => db.connection.prepare('INSERT INTO probe VALUES (?)').run(id).changes;
      const outcomes = await Promise.allSettled([
        commits.submit('insert', insert('a')),
        commits.submit('insert', () => {
          insert('b')();
          throw new Error('this write fails after its insert');
        }),
        commits.submit('insert', insert('a')),
        commits.submit('insert', insert('c')),
      ]);
      expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
      expect((outcomes[2] as PromiseRejectedResult).reason).toBeInstanceOf(DuplicateKeyError);
      expect(db.connection.prepare('SELECT id FROM probe ORDER BY id').pluck().all()).toEqual(['a', 'c']);
    } finally {
      await db.close();
    }
  });

  it('runs a batch again write by write when one fails: those before and after it keep their order and effects, once', async () => {
    const db = SqliteDatabase.inMemory();
    try {
      db.connection.exec('CREATE TABLE probe (id TEXT PRIMARY KEY)');
      const commits = new GroupCommit(db.connection, 'probe');
      // Each returns how many rows it sees after its insert: what was written before it in the batch, and itself.
      const insert = (id: string) => () => {
        db.connection.prepare('INSERT INTO probe VALUES (?)').run(id);
        return db.connection.prepare('SELECT count(*) FROM probe').pluck().get() as number;
      };
      const first = await Promise.allSettled([
        commits.submit('insert', insert('a')),
        commits.submit('insert', insert('b')),
        commits.submit('insert', () => {
          insert('c')();
          throw new Error('this write fails after its insert');
        }),
        commits.submit('insert', insert('d')),
      ]);
      expect(first.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value : 'rejected'))).toEqual([
        1,
        2,
        'rejected',
        3,
      ]);
      // The next batch runs as usual (no failure in it), after what the last one committed; the first write fails this time.
      const second = await Promise.allSettled([
        commits.submit('insert', insert('a')),
        commits.submit('insert', insert('e')),
      ]);
      expect(second.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value : 'rejected'))).toEqual([
        'rejected',
        4,
      ]);
      expect((second[0] as PromiseRejectedResult).reason).toBeInstanceOf(DuplicateKeyError);
      const third = await Promise.all([commits.submit('insert', insert('f')), commits.submit('insert', insert('g'))]);
      expect(third).toEqual([5, 6]);
      expect(db.connection.prepare('SELECT id FROM probe ORDER BY id').pluck().all()).toEqual([
        'a',
        'b',
        'd',
        'e',
        'f',
        'g',
      ]);
    } finally {
      await db.close();
    }
  });

  it('rejects the whole batch with its cause when a failure ends the transaction (a full disk), and keeps nothing of it', async () => {
    const dir = makeTempDir();
    const db = SqliteDatabase.open(path.join(dir, 'handoff.sqlite'));
    try {
      db.connection.exec('CREATE TABLE probe (id TEXT PRIMARY KEY, body TEXT)');
      const pages = db.connection.pragma('page_count', { simple: true }) as number;
      db.connection.pragma(`max_page_count = ${pages + 1}`);
      const commits = new GroupCommit(db.connection, 'probe');
      const insert = (id: string, bytes: number) => () =>
        db.connection.prepare('INSERT INTO probe VALUES (?, ?)').run(id, 'x'.repeat(bytes)).changes;
      const outcomes = await Promise.allSettled([
        commits.submit('insert', insert('small', 10)),
        commits.submit('insert', insert('huge', 200_000)),
        commits.submit('insert', insert('after', 10)),
      ]);
      expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected', 'rejected']);
      for (const outcome of outcomes) expect(String((outcome as PromiseRejectedResult).reason)).toMatch(/full/);
      expect(db.connection.prepare('SELECT count(*) FROM probe').pluck().get()).toBe(0);
      db.connection.pragma('max_page_count = 1073741823');
      await commits.submit('insert', insert('later', 10));
      expect(db.connection.prepare('SELECT id FROM probe').pluck().all()).toEqual(['later']);
    } finally {
      await db.close();
      removeTempDir(dir);
    }
  });

  it('keeps running counts exact through inserts, transitions and deletes, and fills them for an older file', async () => {
    const db = SqliteDatabase.inMemory();
    try {
      const store = new SqliteHandoffStore(db.connection, 'w', db.operations);
      for (let i = 0; i < 12; i++) {
        const h = handoff(`h${i}`, { procedureId: i % 2 ? 'P' : 'Q', test: i % 4 === 0 ? { testId: 't' } : null });
        await store.create(h, created, 1);
        if (i % 3)
          await store.transition(
            { ...next(h, 'COMPLETED'), startedAt: 10, finishedAt: 10 + i },
            [{ type: 'HANDOFF_COMPLETED', step: null, message: '' }],
            2,
            null,
          );
      }
      db.connection.prepare("DELETE FROM handoffs WHERE id = 'h1'").run();
      const exact = (where: string) =>
        db.connection.prepare(`SELECT count(*) FROM handoffs WHERE ${where}`).pluck().get();
      const check = async () => {
        expect(await store.count({ status: ['COMPLETED'], test: false })).toBe(
          exact("status = 'COMPLETED' AND test_id IS NULL"),
        );
        expect(await store.count({ procedureId: ['P'] })).toBe(exact("procedure_id = 'P'"));
        expect(await store.count({ agent: 'agent_1', status: ['PENDING'] })).toBe(exact("status = 'PENDING'"));
        const completed = (await store.summaries({ status: ['COMPLETED'] })).reduce(
          (sum, row) => ({ count: sum.count + row.count, ms: sum.ms + row.durationMsSum }),
          { count: 0, ms: 0 },
        );
        expect(completed).toEqual({
          count: exact("status = 'COMPLETED'"),
          ms: db.connection.prepare("SELECT sum(duration_ms) FROM handoffs WHERE status = 'COMPLETED'").pluck().get(),
        });
      };
      await check();
      // A file from before the counts: they are filled in when a store opens it.
      db.connection.exec('DROP TABLE handoff_counts');
      for (const trigger of ['insert', 'update', 'delete'])
        db.connection.exec(`DROP TRIGGER handoff_counts_${trigger}`);
      const reopened = new SqliteHandoffStore(db.connection, 'w', db.operations);
      expect(await reopened.count({ status: ['COMPLETED'], test: false })).toBe(
        exact("status = 'COMPLETED' AND test_id IS NULL"),
      );
      // Retention deletes through the same triggers.
      expect(await deleteOld(reopened, { finishedBefore: 16, test: false, limit: 2 })).toBe(2);
      await check();
    } finally {
      await db.close();
    }
  });

  it('fills finished_at from the stored state for a file from before it, so retention finds old handoffs', async () => {
    const db = SqliteDatabase.inMemory();
    try {
      const store = new SqliteHandoffStore(db.connection, 'w', db.operations);
      const h = handoff('done');
      await store.create(h, created, 1);
      await store.transition(
        { ...next(h, 'COMPLETED'), startedAt: 1, finishedAt: 7 },
        [{ type: 'HANDOFF_COMPLETED', step: null, message: '' }],
        7,
        null,
      );
      await store.create(handoff('waiting'), created, 1);
      db.connection.exec('DROP INDEX handoffs_by_finished');
      db.connection.exec('ALTER TABLE handoffs DROP COLUMN finished_at');
      const reopened = new SqliteHandoffStore(db.connection, 'w', db.operations);
      expect(db.connection.prepare('SELECT id, finished_at FROM handoffs ORDER BY id').all()).toEqual([
        { id: 'done', finished_at: 7 },
        { id: 'waiting', finished_at: null },
      ]);
      expect(await deleteOld(reopened, { finishedBefore: 8, test: false, limit: 10 })).toBe(1);
    } finally {
      await db.close();
    }
  });

  it('gives a file from before the list orders their columns, filled from each state, and their indexes', async () => {
    const db = SqliteDatabase.inMemory();
    try {
      const store = new SqliteHandoffStore(db.connection, 'w', db.operations);
      const waiting = handoff('waiting', { createdAt: 1_000 });
      await store.create(waiting, created, 1_000);
      const retrying = handoff('retrying', {
        createdAt: 2_000,
        priority: 'CRITICAL',
        steps: [
          {
            id: 's',
            name: 's',
            kind: 'noop',
            status: 'PENDING',
            attempts: 1,
            startedAt: 2_100,
            finishedAt: null,
            error: 'boom',
            output: null,
            retryAt: 9_000,
          },
        ],
      });
      await store.create(retrying, created, 2_000);
      const done = handoff('done', { createdAt: 3_000, priority: 'LOW' });
      await store.create(done, created, 3_000);
      await store.transition({ ...next(done, 'COMPLETED'), startedAt: 3_100, finishedAt: 3_500 }, [], 3_500, null);
      // Back to the columns of the first release.
      for (const index of [
        'handoffs_by_updated',
        'handoffs_by_status_updated',
        'handoffs_by_priority',
        'handoffs_by_status_priority',
        'handoffs_retrying',
        'handoffs_due',
        'handoffs_overdue',
      ]) {
        db.connection.exec(`DROP INDEX ${index}`);
      }
      for (const column of ['priority_rank', 'retrying', 'updated_at', 'due_at', 'deadline_at', 'requests_rev'])
        db.connection.exec(`ALTER TABLE handoffs DROP COLUMN ${column}`);

      const reopened = new SqliteHandoffStore(db.connection, 'w', db.operations);
      const ids = async (filter: Parameters<HandoffStore['page']>[0], order?: Parameters<HandoffStore['page']>[2]) =>
        (await reopened.page(filter, { first: 10 }, order)).items.map((item) => item.node.id);
      expect(await ids({ retrying: true })).toEqual(['retrying']);
      expect(await ids({}, { field: 'PRIORITY', direction: 'DESC' })).toEqual(['retrying', 'waiting', 'done']);
      expect(await ids({ updatedAt: { from: 3_500 } })).toEqual(['done']);
      expect(await ids({}, { field: 'UPDATED_AT', direction: 'ASC' })).toEqual(['waiting', 'retrying', 'done']);
      // Stored before the scheduler kept due times: what is unfinished is due at once.
      expect((await reopened.due(0, 10)).map((entry) => entry.id)).toEqual(['retrying', 'waiting']);
      const indexes = db.connection
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'handoffs_%'")
        .pluck()
        .all();
      expect(indexes).toEqual(
        expect.arrayContaining(['handoffs_by_updated', 'handoffs_by_priority', 'handoffs_retrying', 'handoffs_due']),
      );
    } finally {
      await db.close();
    }
  });
});
