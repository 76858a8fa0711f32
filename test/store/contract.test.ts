import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../src/engine/kernel/ports/store-errors.js';
import { seedProcedures } from '../../src/engine/kernel/procedures/seed-procedures.js';
import { type Collection, type Database, DuplicateKeyError } from '../../src/store/collection.js';
import { EventLog } from '../../src/store/event-log.js';
import { findManyInOrder, InvalidCursorError, keysetPage, type Page } from '../../src/store/pagination.js';
import { ProcedureRepository } from '../../src/store/repositories/procedure-repository.js';
import { checkFileLength, DamagedStoreError } from '../../src/store/sqlite/integrity.js';
import { SqliteDatabase } from '../../src/store/sqlite/sqlite-database.js';
import { type AdapterFixture, adapterFixtures, makeTempDir, removeTempDir } from './adapters.js';
import { type TaskDocument, task } from './documents.js';

const CONCURRENCY = 50;

/** The one suite every adapter must pass. */
function storeContract(fixture: AdapterFixture): void {
  let db: Database;
  let tasks: Collection<TaskDocument>;

  beforeEach(async () => {
    db = await fixture.open();
    tasks = await db.collection<TaskDocument>('tasks', [
      { fields: ['email'], unique: true },
      { fields: ['status', 'createdAt'] },
    ]);
  });

  afterEach(async () => {
    await fixture.dispose(db);
  });

  describe('documents', () => {
    it('inserts a document and gets it back by id; a miss is null', async () => {
      await tasks.insertOne(task('t1', { owner: 'ada' }));
      expect(await tasks.findOne({ _id: 't1' })).toEqual(task('t1', { owner: 'ada' }));
      expect(await tasks.findOne({ _id: 'nope' })).toBeNull();
    });

    it('does not keep a reference to the inserted object', async () => {
      const doc = task('t1');
      await tasks.insertOne(doc);
      doc.status = 'DONE';
      expect((await tasks.findOne({ _id: 't1' }))!.status).toBe('PENDING');
    });

    it('inserts many all or none', async () => {
      await tasks.insertOne(task('t2'));
      await expect(tasks.insertMany([task('t1'), task('t2'), task('t3')])).rejects.toBeInstanceOf(DuplicateKeyError);
      expect(await tasks.count({})).toBe(1);
      await tasks.insertMany([task('t1'), task('t3')]);
      expect(await tasks.count({})).toBe(3);
    });

    it('appends many in order, skipping those stored already and keeping the first copy', async () => {
      await tasks.insertOne(task('t2', { owner: 'first' }));
      await tasks.appendMany([task('t1'), task('t2', { owner: 'second' }), task('t3'), task('t4')]);
      const stored = await tasks.find({}, { sort: { _id: 1 } });
      expect(stored.map((doc) => doc._id)).toEqual(['t1', 't2', 't3', 't4']);
      expect(stored[1]!.owner).toBe('first');
      await tasks.appendMany([task('t4'), task('t1')]);
      expect(await tasks.count({})).toBe(4);
    });

    it('finds with a filter, sort, skip and limit, and counts', async () => {
      await tasks.insertMany([
        task('a', { createdAt: 3 }),
        task('b', { createdAt: 1, status: 'DONE' }),
        task('c', { createdAt: 2 }),
        task('d', { createdAt: 4 }),
      ]);
      const pending = await tasks.find({ status: 'PENDING' }, { sort: { createdAt: 1 }, skip: 1, limit: 2 });
      expect(pending.map((doc) => doc._id)).toEqual(['a', 'd']);
      expect(await tasks.count({ status: { $in: ['PENDING'] } })).toBe(3);
      expect(await tasks.count({ createdAt: { $gte: 3 } })).toBe(2);
    });

    it('updates many, deletes one and deletes many', async () => {
      await tasks.insertMany([task('a'), task('b'), task('c', { status: 'DONE' })]);
      expect(await tasks.updateMany({ status: 'PENDING' }, { $set: { status: 'RUNNING' } })).toBe(2);
      expect(await tasks.count({ status: 'RUNNING' })).toBe(2);
      expect(await tasks.deleteOne({ _id: 'a' })).toBe(true);
      expect(await tasks.deleteOne({ _id: 'a' })).toBe(false);
      expect(await tasks.deleteMany({})).toBe(2);
      expect(await tasks.count({})).toBe(0);
    });

    it('counts round trips', async () => {
      db.operations.reset();
      await tasks.insertOne(task('a'));
      await tasks.findOne({ _id: 'a' });
      await tasks.find({});
      expect(db.operations.writes).toBe(1);
      expect(db.operations.reads).toBe(2);
    });
  });

  describe('findManyInOrder', () => {
    it('returns documents in the requested order with misses as null, in one read', async () => {
      await tasks.insertMany([task('a'), task('b'), task('c')]);
      db.operations.reset();
      const found = await findManyInOrder(tasks, ['c', 'missing', 'a', 'c'], (doc) => doc._id);
      expect(found).toEqual(['c', null, 'a', 'c']);
      expect(db.operations.reads).toBe(1);
    });

    it('makes no read for no ids', async () => {
      db.operations.reset();
      expect(await findManyInOrder(tasks, [], (doc) => doc)).toEqual([]);
      expect(db.operations.reads).toBe(0);
    });
  });

  describe('keysetPage', () => {
    /** 20 PENDING tasks with repeated timestamps (ties break on _id), and 5 DONE ones to filter out. */
    async function seedPages(): Promise<TaskDocument[]> {
      const pending = Array.from({ length: 20 }, (_, i) =>
        task(`p${String(i).padStart(2, '0')}`, { createdAt: 1000 + Math.floor(i / 3) }),
      );
      const done = Array.from({ length: 5 }, (_, i) => task(`d${i}`, { status: 'DONE', createdAt: 1000 + i }));
      await tasks.insertMany([...pending, ...done]);
      // newest first, then _id descending
      return [...pending].sort((x, y) => y.createdAt - x.createdAt || (x._id < y._id ? 1 : -1));
    }

    it('walks a filtered list newest first without gaps or repeats', async () => {
      const expected = await seedPages();
      const seen: string[] = [];
      let after: string | null = null;
      let pages = 0;
      for (;;) {
        const page: Page<string> = await keysetPage(
          tasks,
          { status: 'PENDING' },
          'createdAt',
          { first: 7, after },
          (doc) => doc._id,
        );
        pages++;
        expect(page.hasPreviousPage).toBe(after !== null);
        seen.push(...page.items.map((item) => item.node));
        if (!page.hasNextPage) break;
        after = page.items.at(-1)!.cursor;
      }
      expect(pages).toBe(3);
      expect(seen).toEqual(expected.map((doc) => doc._id));
    });

    it('stays stable when newer documents arrive between pages', async () => {
      const expected = await seedPages();
      const first = await keysetPage(tasks, { status: 'PENDING' }, 'createdAt', { first: 5 }, (doc) => doc._id);
      await tasks.insertOne(task('newer', { createdAt: 9999 }));
      const second = await keysetPage(
        tasks,
        { status: 'PENDING' },
        'createdAt',
        { first: 5, after: first.items.at(-1)!.cursor },
        (doc) => doc._id,
      );
      expect([...first.items, ...second.items].map((item) => item.node)).toEqual(
        expected.slice(0, 10).map((doc) => doc._id),
      );
    });

    it('pages an unfiltered list', async () => {
      await seedPages();
      const page = await keysetPage(tasks, {}, 'createdAt', { first: 30 }, (doc) => doc._id);
      expect(page.items).toHaveLength(25);
      expect(page.hasNextPage).toBe(false);
    });

    it('rejects a cursor that does not decode with InvalidCursorError', async () => {
      await seedPages();
      const wrongShape = Buffer.from(JSON.stringify({ a: 1 })).toString('base64url');
      for (const after of ['not a cursor', wrongShape, Buffer.from('[1]').toString('base64url')]) {
        await expect(keysetPage(tasks, {}, 'createdAt', { first: 5, after }, (doc) => doc)).rejects.toBeInstanceOf(
          InvalidCursorError,
        );
      }
    });
  });

  describe('compare-and-set', () => {
    it('applies the update when the expected state holds and returns the updated document', async () => {
      await tasks.insertOne(task('t1'));
      const updated = await tasks.findOneAndUpdate(
        { _id: 't1', status: 'PENDING', version: 1 },
        { $set: { status: 'RUNNING', owner: 'ada' }, $inc: { version: 1 } },
      );
      expect(updated).toEqual(task('t1', { status: 'RUNNING', owner: 'ada', version: 2 }));
    });

    it('returns null and changes nothing when the expected state no longer holds', async () => {
      await tasks.insertOne(task('t1', { status: 'RUNNING', version: 2 }));
      const stale = await tasks.findOneAndUpdate(
        { _id: 't1', status: 'PENDING', version: 1 },
        { $set: { status: 'DONE' } },
      );
      expect(stale).toBeNull();
      expect(await tasks.findOne({ _id: 't1' })).toEqual(task('t1', { status: 'RUNNING', version: 2 }));
    });

    it(`lets exactly one of ${CONCURRENCY} concurrent compare-and-sets from the same state win`, async () => {
      await tasks.insertOne(task('t1'));
      const results = await Promise.all(
        Array.from({ length: CONCURRENCY }, (_, i) =>
          tasks.findOneAndUpdate(
            { _id: 't1', status: 'PENDING' },
            { $set: { status: 'RUNNING', owner: `worker-${i}` }, $inc: { version: 1 } },
          ),
        ),
      );
      const winners = results.filter((result) => result !== null);
      expect(winners).toHaveLength(1);
      expect(await tasks.findOne({ _id: 't1' })).toEqual(winners[0]);
      expect(winners[0]!.version).toBe(2);
    });

    it('creates the document on upsert when none matches', async () => {
      const created = await tasks.findOneAndUpdate({ _id: 'counter' }, { $inc: { version: 5 } }, { upsert: true });
      expect(created).toMatchObject({ _id: 'counter', version: 5 });
      const again = await tasks.findOneAndUpdate({ _id: 'counter' }, { $inc: { version: 5 } }, { upsert: true });
      expect(again).toMatchObject({ _id: 'counter', version: 10 });
    });
  });

  describe('unique keys', () => {
    it('refuses a second document with the same _id with DuplicateKeyError', async () => {
      await tasks.insertOne(task('t1'));
      const error = await tasks.insertOne(task('t1', { status: 'DONE' })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DuplicateKeyError);
      expect((error as DuplicateKeyError).collection).toBe('tasks');
      expect((await tasks.findOne({ _id: 't1' }))!.status).toBe('PENDING');
    });

    it('refuses a taken value of a unique secondary index, on insert and on update', async () => {
      await tasks.insertOne(task('t1', { email: 'ada@example.com' }));
      await expect(tasks.insertOne(task('t2', { email: 'ada@example.com' }))).rejects.toBeInstanceOf(DuplicateKeyError);
      await tasks.insertOne(task('t2', { email: 'bob@example.com' }));
      await expect(
        tasks.findOneAndUpdate({ _id: 't2' }, { $set: { email: 'ada@example.com' } }),
      ).rejects.toBeInstanceOf(DuplicateKeyError);
      expect((await tasks.findOne({ _id: 't2' }))!.email).toBe('bob@example.com');
    });

    it('lets any number of documents lack a uniquely indexed field', async () => {
      await tasks.insertMany([task('t1'), task('t2'), task('t3')]);
      expect(await tasks.count({})).toBe(3);
    });
  });

  describe('EventLog', () => {
    let log: EventLog<{ n: number; data?: Record<string, unknown> }>;

    beforeEach(async () => {
      log = await EventLog.open(db, 'contract');
    });

    const event = (owner: string, seq: number, n: number, at = seq) => ({ owner, seq, at, body: { n } });

    it(`lands ${CONCURRENCY} concurrent writes of one turn, each owner's events in seq order`, async () => {
      // Writes of one turn share one insert; every third carries two events, so batches of sizes mix.
      const writes = Array.from({ length: CONCURRENCY }, (_, i) => {
        const owner = `h${i % 3}`;
        const seq = 2 * Math.floor(i / 3) + 1;
        return i % 2 === 0 ? [event(owner, seq, i), event(owner, seq + 1, i + 1000)] : [event(owner, seq, i)];
      });
      await Promise.all(writes.map((events) => log.write(events)));
      for (const owner of ['h0', 'h1', 'h2']) {
        const expected = writes
          .flat()
          .filter((e) => e.owner === owner)
          .sort((a, b) => a.seq - b.seq);
        expect(await log.after(owner, 0)).toEqual(expected);
      }
    });

    it("reads one owner's events after a given seq, apart from other owners", async () => {
      await log.write([event('h1', 1, 1, 10), event('h1', 2, 2, 10), event('h1', 3, 3, 10)]);
      await log.write([event('h2', 1, 9, 11)]);
      expect(await log.after('h2', 0)).toEqual([{ owner: 'h2', seq: 1, at: 11, body: { n: 9 } }]);
      expect((await log.after('h1', 1)).map((e) => e.body.n)).toEqual([2, 3]);
      expect(await log.after('h1', 1, 1)).toHaveLength(1);
      expect(await log.after('nobody', 0)).toEqual([]);
    });

    it('stores free-form bodies verbatim, operator-looking keys included', async () => {
      const data = { $gt: 1, 'a.b': { $set: 'x' } };
      await log.write([{ owner: 'h1', seq: 1, at: 1, body: { n: 1, data } }]);
      expect((await log.after('h1', 0))[0]!.body).toEqual({ n: 1, data });
    });

    it('writes events idempotently, keeping the first copy, while other writes of the turn land', async () => {
      const events = [event('h1', 1, 1), event('h1', 2, 2)];
      await log.write(events);
      // A rewritten outbox (one duplicate, one new event) flushed in the same insert as another owner's write.
      await Promise.all([
        log.write([{ ...events[1]!, body: { n: 99 } }, event('h1', 3, 3)]),
        log.write([event('h2', 1, 7)]),
      ]);
      expect(await log.after('h1', 0)).toEqual([...events, event('h1', 3, 3)]);
      expect(await log.after('h2', 0)).toEqual([event('h2', 1, 7)]);
    });
  });

  describe('ProcedureRepository', () => {
    const [phase, agent] = seedProcedures(1_700_000_000_000);
    let procedures: ProcedureRepository;

    beforeEach(async () => {
      procedures = await ProcedureRepository.open(db);
      await procedures.insert(phase!);
    });

    it('gets, lists and gets many in order', async () => {
      await procedures.insert(agent!);
      expect(await procedures.get(phase!.id)).toEqual(phase);
      expect(await procedures.get('NOPE')).toBeNull();
      expect((await procedures.list()).map((p) => p.id)).toEqual([
        'AGENT_HANDOFF_STANDARD',
        'PHASE_TRANSITION_STANDARD',
      ]);
      expect(
        (await procedures.getMany(['PHASE_TRANSITION_STANDARD', 'NOPE', 'AGENT_HANDOFF_STANDARD'])).map(
          (p) => p?.id ?? null,
        ),
      ).toEqual(['PHASE_TRANSITION_STANDARD', null, 'AGENT_HANDOFF_STANDARD']);
    });

    it('refuses a second procedure with the same id', async () => {
      await expect(procedures.insert(phase!)).rejects.toBeInstanceOf(DuplicateKeyError);
    });

    it('replaces the expected version and keeps every version', async () => {
      const v2 = { ...phase!, version: 2, name: 'Renamed', updatedAt: phase!.updatedAt + 1 };
      expect(await procedures.replace(v2, 1)).toEqual(v2);
      expect(await procedures.get(phase!.id)).toEqual(v2);
      expect(await procedures.getVersion(phase!.id, 1)).toEqual(phase);
      expect(await procedures.getVersion(phase!.id, 2)).toEqual(v2);
    });

    it('does not replace when the expected version is stale', async () => {
      const v2 = { ...phase!, version: 2, name: 'First edit' };
      await procedures.replace(v2, 1);
      // a second editor who also started from version 1
      const conflicting = procedures
        .replace({ ...phase!, version: 2, name: 'Second edit' }, 1)
        .catch((e: unknown) => e);
      const outcome = await conflicting;
      expect(outcome === null || outcome instanceof DuplicateKeyError).toBe(true);
      // an editor who started from version 1 but numbered its edit 3
      expect(await procedures.replace({ ...phase!, version: 3, name: 'Late edit' }, 1)).toBeNull();
      expect(await procedures.get(phase!.id)).toEqual(v2);
      expect(await procedures.getVersion(phase!.id, 3)).toBeNull();
    });

    it('keeps step params with operator-looking keys verbatim', async () => {
      const params = { $where: 'x', 'a.b': 1 };
      const odd = { ...agent!, id: 'ODD', steps: [{ ...agent!.steps[0]!, params }] };
      await procedures.insert(odd);
      expect((await procedures.get('ODD'))!.steps[0]!.params).toEqual(params);
    });

    it('pages in id order without gaps or repeats, and counts', async () => {
      for (const id of ['P_C', 'P_A', 'P_B']) await procedures.insert({ ...agent!, id });
      const seen: string[] = [];
      let after: string | null = null;
      for (;;) {
        const page: Page<{ id: string }> = await procedures.page({ first: 2, after });
        seen.push(...page.items.map((item) => item.node.id));
        if (!page.hasNextPage) break;
        after = page.items.at(-1)!.cursor;
      }
      expect(seen).toEqual(['PHASE_TRANSITION_STANDARD', 'P_A', 'P_B', 'P_C'].sort());
      expect(await procedures.count()).toBe(4);
    });

    it('deletes the current definition', async () => {
      expect(await procedures.delete(phase!.id)).toBe(true);
      expect(await procedures.get(phase!.id)).toBeNull();
      expect(await procedures.delete(phase!.id)).toBe(false);
    });
  });
}

for (const fixture of adapterFixtures()) {
  const title = fixture.skipReason
    ? `store contract: ${fixture.name} (skipped: ${fixture.skipReason})`
    : `store contract: ${fixture.name}`;
  describe.skipIf(fixture.skipReason !== null)(title, () => storeContract(fixture));
}

describe('embedded file store (SQLite)', () => {
  let dir: string;
  let file: string;

  beforeEach(() => {
    dir = makeTempDir();
    file = path.join(dir, 'handoff.sqlite');
  });

  afterEach(() => {
    removeTempDir(dir);
  });

  it('keeps documents, indexes and events across close and reopen', async () => {
    const first = SqliteDatabase.open(file);
    const tasks = await first.collection<TaskDocument>('tasks', [{ fields: ['email'], unique: true }]);
    await tasks.insertMany([task('t1', { email: 'ada@example.com' }), task('t2')]);
    await tasks.findOneAndUpdate({ _id: 't2', status: 'PENDING' }, { $set: { status: 'DONE' } });
    await tasks.deleteOne({ _id: 't1' });
    await tasks.insertOne(task('t3', { email: 'ada@example.com' }));
    const log = await EventLog.open<{ n: number }>(first, 'persist');
    await log.write([
      { owner: 'h1', seq: 1, at: 5, body: { n: 1 } },
      { owner: 'h1', seq: 2, at: 5, body: { n: 2 } },
    ]);
    await first.close();

    const second = SqliteDatabase.open(file);
    try {
      const reopened = await second.collection<TaskDocument>('tasks', [{ fields: ['email'], unique: true }]);
      expect(await reopened.find({}, { sort: { _id: 1 } })).toEqual([
        task('t2', { status: 'DONE' }),
        task('t3', { email: 'ada@example.com' }),
      ]);
      await expect(reopened.insertOne(task('t4', { email: 'ada@example.com' }))).rejects.toBeInstanceOf(
        DuplicateKeyError,
      );
      const reopenedLog = await EventLog.open<{ n: number }>(second, 'persist');
      // Rewriting a stored event keeps it; a new one lands after it.
      await reopenedLog.write([
        { owner: 'h1', seq: 2, at: 6, body: { n: 99 } },
        { owner: 'h1', seq: 3, at: 6, body: { n: 3 } },
      ]);
      expect((await reopenedLog.after('h1', 0)).map((event) => event.body.n)).toEqual([1, 2, 3]);
    } finally {
      await second.close();
    }
  });

  it('answers filtered, sorted queries from an index, not a scan', async () => {
    const db = SqliteDatabase.open(file);
    try {
      await db.collection<TaskDocument>('tasks', [{ fields: ['status', 'createdAt'] }]);
      const plan = db.connection
        .prepare(
          `EXPLAIN QUERY PLAN SELECT doc FROM doc_tasks WHERE json_extract(doc, '$.status') = ? ORDER BY json_extract(doc, '$.createdAt') DESC LIMIT 5`,
        )
        .all('PENDING') as { detail: string }[];
      expect(plan.map((row) => row.detail).join('; ')).toMatch(/USING INDEX doc_tasks__status_createdAt/);
    } finally {
      await db.close();
    }
  });

  it('keeps what a process that died without closing had committed', async () => {
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(new URL('./crash-writer.ts', import.meta.url)), file],
      {
        encoding: 'utf8',
      },
    );
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    // it left its write-ahead log behind, uncheckpointed
    expect(fs.existsSync(`${file}-wal`)).toBe(true);

    const db = SqliteDatabase.open(file);
    try {
      const reopened = await db.collection<TaskDocument>('tasks');
      expect(await reopened.findOne({ _id: 't1' })).toEqual(task('t1', { status: 'RUNNING' }));
    } finally {
      await db.close();
    }
  });

  it("lets two stores open one file at once, each seeing the other's commits and losing none to a race", async () => {
    const a = SqliteDatabase.open(file);
    const b = SqliteDatabase.open(file);
    try {
      const [tasksA, tasksB] = [await a.collection<TaskDocument>('tasks'), await b.collection<TaskDocument>('tasks')];
      await tasksA.insertOne(task('shared', { version: 0 }));
      // Each store bumps the version from what it last read: only compare-and-sets on the current version win.
      let wins = 0;
      for (let round = 0; round < 50; round++) {
        for (const tasks of [tasksA, tasksB]) {
          const current = (await tasks.findOne({ _id: 'shared' }))!;
          if (await tasks.findOneAndUpdate({ _id: 'shared', version: current.version }, { $inc: { version: 1 } }))
            wins++;
        }
      }
      expect(wins).toBe(100);
      expect((await tasksB.findOne({ _id: 'shared' }))!.version).toBe(100);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('judges a short file by its length only when no write-ahead log is pending (a checkpoint writes page 1 first)', async () => {
    const db = SqliteDatabase.open(file);
    const tasks = await db.collection<TaskDocument>('tasks');
    await tasks.insertMany(Array.from({ length: 500 }, (_, i) => task(`t${i}`, { owner: 'x'.repeat(200) })));
    await db.close();
    fs.truncateSync(file, Math.floor(fs.statSync(file).size / 2));
    expect(() => checkFileLength(file)).toThrow(/header counts \d+ pages/);
    fs.writeFileSync(`${file}-wal`, Buffer.alloc(4096));
    expect(() => checkFileLength(file)).not.toThrow();
  });

  it('checks a large file in the background: a healthy one passes, a damaged one is reported, not served blindly', async () => {
    const healthy = SqliteDatabase.open(file);
    await (await healthy.collection<TaskDocument>('tasks')).insertMany(
      Array.from({ length: 300 }, (_, i) => task(`t${i}`, { owner: 'x'.repeat(200) })),
    );
    await healthy.close();
    const checked = SqliteDatabase.open(file, { checkSyncBytes: 0 });
    await expect(checked.checkInBackground()).resolves.toBeUndefined();
    await checked.close();

    const bytes = fs.readFileSync(file);
    const pageSize = bytes.readUInt16BE(16);
    for (let at = 2 * pageSize; at < bytes.length; at += pageSize) bytes.fill(0x5a, at + 8, at + 64);
    fs.writeFileSync(file, bytes);
    const damage: Error[] = [];
    const damaged = SqliteDatabase.open(file, { checkSyncBytes: 0, onDamage: (error) => damage.push(error) });
    await expect(damaged.checkInBackground()).rejects.toBeInstanceOf(DamagedStoreError);
    expect(damage).toHaveLength(1);
    await damaged.close();
  });

  it('refuses a damaged file with DamagedStoreError and changes nothing', async () => {
    fs.writeFileSync(file, Buffer.alloc(8192, 0x41));
    expect(() => SqliteDatabase.open(file)).toThrow(DamagedStoreError);
    expect(fs.readFileSync(file).every((byte) => byte === 0x41)).toBe(true);
  });

  it('reports a failed write as StoreUnavailableError, and works again once the fault clears', async () => {
    const db = SqliteDatabase.open(file);
    try {
      const tasks = await db.collection<TaskDocument>('tasks');
      await tasks.insertOne(task('t1'));
      // The page budget stands in for a full disk: the next page the file needs cannot be had.
      const pages = db.connection.pragma('page_count', { simple: true }) as number;
      db.connection.pragma(`max_page_count = ${pages}`);
      const big = 'x'.repeat(64 * 1024);
      await expect(tasks.insertOne(task('t2', { owner: big }))).rejects.toBeInstanceOf(StoreUnavailableError);
      expect(await tasks.findOne({ _id: 't2' })).toBeNull();
      db.connection.pragma('max_page_count = 1073741823');
      await tasks.insertOne(task('t2', { owner: big }));
      expect((await tasks.findOne({ _id: 't2' }))!.owner).toBe(big);
    } finally {
      await db.close();
    }
  });
});
