import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentFeedDraft } from '../../src/engine/agents/agent-feed.js';
import type { EngineStores } from '../../src/engine/engine-stores.js';
import type { Handoff, HandoffStatus } from '../../src/engine/kernel/handoff/handoff.js';
import type { HandoffEvent } from '../../src/engine/kernel/handoff/handoff-event.js';
import { StoreUnavailableError } from '../../src/engine/kernel/ports/store-errors.js';
import { MongoDatabase } from '../../src/store/adapters/mongo.js';
import { changePublisher, openChangeLog } from '../../src/store/adapters/open-mongo-stores.js';
import type { StoreChange as HandoffChange } from '../../src/store/change-publisher.js';
import type { Database } from '../../src/store/collection.js';
import { openStores } from '../../src/store/open-stores.js';
import { HandoffRepository } from '../../src/store/repositories/handoff-repository.js';
import { SqliteDatabase } from '../../src/store/sqlite/sqlite-database.js';
import { mongoSkipReason } from '../support/mongo-required.js';
import { makeTempDir, removeTempDir } from './adapters.js';

/**
 * The change feed and the committed-event log between processes sharing one store: each process
 * opens the store on its own connection under its own writer name, as separate server processes do.
 */
interface SharedStoreFixture {
  name: string;
  skipReason: string | null;
  /** Opens the stores of one process named `writer` on the fixture's database (made on first use). */
  process(writer: string): Promise<EngineStores>;
  dispose(): Promise<void>;
}

function sqliteFile(): SharedStoreFixture {
  let dir = '';
  const open: Database[] = [];
  return {
    name: 'SQLite file',
    skipReason: null,
    async process(writer) {
      dir ||= makeTempDir();
      const db = SqliteDatabase.open(path.join(dir, 'handoff.sqlite'));
      open.push(db);
      return openStores(db, { writer });
    },
    async dispose() {
      for (const db of open.splice(0)) await db.close();
      if (dir) removeTempDir(dir);
      dir = '';
    },
  };
}

function mongo(url: string | undefined): SharedStoreFixture & { connect(): Promise<MongoDatabase> } {
  let name = '';
  const open: MongoDatabase[] = [];
  const connect = async () => {
    name ||= `handoff_feed_${randomUUID().slice(0, 8)}`;
    // Write locks of a writer that failed expire within a second here, so repairs happen within a test.
    const db = await MongoDatabase.connect(url!, name, { lockMs: 1_000 });
    open.push(db);
    return db;
  };
  return {
    name: 'MongoDB',
    skipReason: mongoSkipReason(),
    connect,
    async process(writer) {
      return openStores(await connect(), { writer });
    },
    async dispose() {
      await open[0]?.dropDatabase();
      for (const db of open.splice(0)) await db.close();
      name = '';
    },
  };
}

function sharedStoreFixtures(env: Record<string, string | undefined> = process.env): SharedStoreFixture[] {
  return [sqliteFile(), mongo(env.MONGODB_URL || undefined)];
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

const created = [{ type: 'HANDOFF_CREATED' as const, step: null, message: 'created' }];

function next(current: Handoff, status: HandoffStatus, events = 1): Handoff {
  return { ...current, status, version: current.version + 1, seq: current.seq + events };
}

const draft = (message: string): AgentFeedDraft => ({
  type: 'TASK_OFFERED',
  handoffId: 'h1',
  taskId: 't1',
  step: 'work',
  message,
});

/** Reads a process's change feed from `position` until `done` holds for everything read (bounded by the test's timeout). */
async function readUntil(
  stores: EngineStores,
  position: string,
  done: (changes: HandoffChange[]) => boolean,
): Promise<HandoffChange[]> {
  const changes: HandoffChange[] = [];
  for (;;) {
    const read = await stores.handoffChanges!.read(position, 100);
    changes.push(...read.changes);
    position = read.position;
    if (done(changes)) return changes;
    if (!read.more) await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const eventsOf = (changes: HandoffChange[]): HandoffEvent[] =>
  changes.flatMap((change) => (change.kind === 'events' ? change.events : []));

function changeFeedContract(fixture: SharedStoreFixture): void {
  afterEach(async () => {
    await fixture.dispose();
  });

  it('hands one process what another committed, in order, exactly once, and none of its own', async () => {
    const a = await fixture.process('A');
    const b = await fixture.process('B');
    const position = await a.handoffChanges!.head();
    const h = handoff('h1');
    await b.handoffs.create(h, created, 1);
    await a.handoffs.create(handoff('mine'), created, 1);
    await b.handoffs.transition(
      next(h, 'RUNNING', 2),
      [
        { type: 'HANDOFF_STARTED', step: null, message: '' },
        { type: 'STEP_STARTED', step: 's', message: '' },
      ],
      2,
      null,
    );
    await b.handoffs.recordSignal('h1', 'review', { ok: 1 }, 3);
    await b.handoffs.requestCancel('h1', 'stop', 3);
    await b.agentFeed.append('bob', [draft('one'), draft('two')], 4);
    await a.agentFeed.append('bob', [draft('mine')], 5);
    const changes = await readUntil(a, position, (read) =>
      read.some((change) => change.kind === 'agentFeed' && change.entries.some((entry) => entry.message === 'two')),
    );
    expect(eventsOf(changes).map((event) => `${event.handoffId}#${event.seq}`)).toEqual(['h1#1', 'h1#2', 'h1#3']);
    expect(changes.filter((change) => change.kind === 'signal' || change.kind === 'cancel')).toEqual([
      { kind: 'signal', handoffId: 'h1', step: 'review', payload: { ok: 1 } },
      { kind: 'cancel', handoffId: 'h1', reason: 'stop' },
    ]);
    const entries = changes.flatMap((change) => (change.kind === 'agentFeed' ? change.entries : []));
    expect(entries.map((entry) => `${entry.agentId}#${entry.seq} ${entry.message}`)).toEqual([
      'bob#1 one',
      'bob#2 two',
    ]);
    // Nothing more, and a follower starting now starts after all of it.
    const head = await a.handoffChanges!.head();
    expect((await a.handoffChanges!.read(head, 100)).changes).toEqual([]);
  });

  it('brings every event of handoffs that several processes write at once to a follower once, each handoff in seq order', async () => {
    const writers = await Promise.all(['A', 'B', 'C'].map((name) => fixture.process(name)));
    const follower = await fixture.process('F');
    const start = await follower.handoffChanges!.head();
    const HANDOFFS = 12;
    const STEPS = 4;
    // Each handoff moves from writer to writer, as a handoff taken over after a crash does.
    await Promise.all(
      Array.from({ length: HANDOFFS }, async (_, i) => {
        let current = handoff(`h${i}`);
        await writers[i % 3]!.handoffs.create(current, created, 1);
        for (let step = 1; step <= STEPS; step++) {
          const moved = next(current, 'RUNNING');
          const stored = await writers[(i + step) % 3]!.handoffs.transition(
            moved,
            [{ type: 'STEP_STARTED', step: `s${step}`, message: '' }],
            1 + step,
            null,
          );
          expect(stored.applied).toBe(true);
          current = moved;
        }
      }),
    );
    const changes = await readUntil(follower, start, (read) => eventsOf(read).length >= HANDOFFS * (STEPS + 1));
    const byHandoff = new Map<string, number[]>();
    for (const event of eventsOf(changes))
      byHandoff.set(event.handoffId, [...(byHandoff.get(event.handoffId) ?? []), event.seq]);
    expect(byHandoff.size).toBe(HANDOFFS);
    for (const [id, seqs] of byHandoff) expect(seqs, id).toEqual([1, 2, 3, 4, 5]);
  });

  it("answers the scheduler's questions with what another process committed, once its feed was read", async () => {
    const a = await fixture.process('A');
    const b = await fixture.process('B');
    const position = await b.handoffChanges!.head();
    const h = handoff('h1');
    await a.handoffs.create(h, created, 10);
    let read = await readUntil(b, position, (changes) => eventsOf(changes).length >= 1);
    expect(eventsOf(read).map((event) => event.seq)).toEqual([1]);
    expect((await b.handoffs.due(11, 10)).map((due) => due.id)).toEqual(['h1']);
    expect((await b.handoffs.unfinished()).map((entry) => entry.id)).toEqual(['h1']);
    // A takes it (its lease keeps it from being due) and runs it to the end.
    expect(await a.handoffs.acquireLease('h1', 'A', 12, 1_000, false)).not.toBeNull();
    await a.handoffs.transition(
      next(h, 'COMPLETED'),
      [{ type: 'HANDOFF_COMPLETED', step: null, message: '' }],
      13,
      'A',
    );
    read = await readUntil(b, position, (changes) =>
      eventsOf(changes).some((event) => event.type === 'HANDOFF_COMPLETED'),
    );
    expect(await b.handoffs.due(2_000, 10)).toEqual([]);
    expect(await b.handoffs.unfinished()).toEqual([]);
    expect(await b.handoffs.leaseHolders()).toEqual([]);
  });

  it('reads every process’s committed events after a stored position, a record split by the limit included', async () => {
    const a = await fixture.process('A');
    const b = await fixture.process('B');
    const start = await a.committedEvents!.head();
    await b.handoffs.create(handoff('h1'), [...created, { type: 'HANDOFF_STARTED', step: null, message: '' }], 1);
    await a.handoffs.create(handoff('h2'), created, 2);
    const seen: string[] = [];
    let position = start;
    for (;;) {
      const read = await a.committedEvents!.read(position, 1);
      expect(read.events.length).toBeLessThanOrEqual(1);
      if (read.events.length === 0) break;
      seen.push(...read.events.map((event) => `${event.handoffId}#${event.seq}`));
      position = read.position;
    }
    expect(seen).toEqual(['h1#1', 'h1#2', 'h2#1']);
    // Another process resumes from the stored position and finds nothing new.
    expect((await b.committedEvents!.read(position, 10)).events).toEqual([]);
  });
}

for (const fixture of sharedStoreFixtures()) {
  const title = fixture.skipReason
    ? `change feed contract: ${fixture.name} (skipped: ${fixture.skipReason})`
    : `change feed contract: ${fixture.name}`;
  describe.skipIf(fixture.skipReason !== null)(title, () => changeFeedContract(fixture));
}

describe.skipIf(mongoSkipReason() !== null)(
  `MongoDB change log and write locks${mongoSkipReason() ? ` (skipped: ${mongoSkipReason()})` : ''}`,
  () => {
    const fixture = mongo(process.env.MONGODB_URL);

    afterEach(async () => {
      await fixture.dispose();
    });

    it('repairs a writer that failed between its commit and its announcement once its lock expired: followers get it once', async () => {
      const follower = await fixture.process('F');
      const db = await fixture.connect();
      const log = await openChangeLog(db, 'A');
      const publisher = changePublisher(db, log);
      // The announcement of one transition fails after the transition committed (the store went away between
      // the two writes): the caller sees the store unavailable, and the lock is left to expire.
      let failures = 0;
      const handoffs = await HandoffRepository.open(db, 0, 'A', {
        ...publisher,
        publish: (changes, audience) =>
          changes.some((change) => change.kind === 'events' && change.events[0]?.type === 'HANDOFF_STARTED') &&
          failures++ === 0
            ? Promise.reject(new StoreUnavailableError('append to change_log', new Error('injected')))
            : publisher.publish(changes, audience),
      });
      const position = await follower.handoffChanges!.head();
      const h = handoff('h1');
      await handoffs.create(h, created, 1);
      await expect(
        handoffs.transition(next(h, 'RUNNING'), [{ type: 'HANDOFF_STARTED', step: null, message: '' }], 2, null),
      ).rejects.toThrow(/injected/);
      expect((await handoffs.get('h1'))!.status).toBe('RUNNING');
      // The lock sweep takes the lock over once it expired and announces what was committed, to every process.
      const changes = await readUntil(follower, position, (read) => eventsOf(read).length >= 2);
      expect(eventsOf(changes).map((event) => `${event.handoffId}#${event.seq} ${event.type}`)).toEqual([
        'h1#1 HANDOFF_CREATED',
        'h1#2 HANDOFF_STARTED',
      ]);
      expect((await handoffs.events('h1', 0)).map((event) => event.seq)).toEqual([1, 2]);
      // The next writer is not held up any more.
      expect(await handoffs.recordSignal('h1', 'review', 1, 3)).toBe(true);
      expect((await handoffs.requests('h1'))!.signals).toEqual({ review: 1 });
    });

    it('stops naming a lease holder its scheduling copy kept stale once freeing that holder finds the lease free', async () => {
      const a = await fixture.process('A');
      const b = await fixture.process('B');
      const position = await b.handoffChanges!.head();
      await a.handoffs.create(handoff('h1'), created, 1, { owner: 'gone', expiresAt: 60_000 });
      await readUntil(b, position, (changes) => eventsOf(changes).length >= 1);
      expect(await b.handoffs.leaseHolders()).toEqual(['gone']);
      // The lease is let go by a commit B never hears of, as when an announcement is lost between processes.
      const db = await fixture.connect();
      await db.driverDb
        .collection<{ _id: string }>('handoffs')
        .updateOne({ _id: 'h1' }, { $set: { leaseOwner: null, leaseExpiresAt: 0 } });
      // The scheduler frees a gone holder's leases at every tick while it sees one: nothing is left to free, and
      // the guarded write that finds the lease free sets B's copy right (where B keeps one, on FerretDB).
      expect(await b.handoffs.releaseLeasesOf('gone', 2)).toBe(0);
      expect(await b.handoffs.releaseLeasesOf('gone', 3)).toBe(0);
      expect(await b.handoffs.leaseHolders()).toEqual([]);
    });

    it('numbers records without a gap while several processes append at once; a follower reading meanwhile sees each once, in order', async () => {
      const logs = await Promise.all(
        ['A', 'B', 'C'].map(async (writer) => openChangeLog(await fixture.connect(), writer)),
      );
      const reader = await openChangeLog(await fixture.connect(), 'R');
      const seen: number[] = [];
      let appending = true;
      const following = (async () => {
        let position = 0;
        while (appending || seen.length < 90) {
          const read = await reader.readAfter(position, 50);
          seen.push(...read.records.map((record) => record.position));
          position = read.position;
          if (read.records.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
        }
      })();
      // 90 appends awaited one by one per writer: one record each.
      await Promise.all(
        logs.map(async (log, writer) => {
          for (let n = 0; n < 30; n++) {
            await log.append([{ kind: 'cancel', handoffId: `h${writer}_${n}`, reason: 'r' }]);
          }
        }),
      );
      appending = false;
      await following;
      expect(seen).toEqual(Array.from({ length: 90 }, (_, index) => index + 1));
      expect(await reader.head()).toBe(90);
    });

    it('prunes records older than the retention from the floor up, keeps the newest, and moves a follower below the floor up to it', async () => {
      const db = await fixture.connect();
      const log = await openChangeLog(db, 'A');
      for (let n = 0; n < 5; n++) await log.append([{ kind: 'cancel', handoffId: `h${n}`, reason: 'r' }]);
      expect(await log.prune(Number.MAX_SAFE_INTEGER)).toBe(4);
      expect(await log.head()).toBe(5);
      expect(await log.readAfter(1, 10)).toMatchObject({ records: [], position: 4 });
      expect((await log.readAfter(4, 10)).records.map((record) => record.position)).toEqual([5]);
      await log.append([{ kind: 'cancel', handoffId: 'h5', reason: 'r' }]);
      expect(await openChangeLog(db, 'B').then((other) => other.head())).toBe(6);
    });
  },
);
