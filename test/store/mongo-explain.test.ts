import { randomUUID } from 'node:crypto';
import type { Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MongoDatabase } from '../../src/store/adapters/mongo.js';
import type {
  Collection,
  Database,
  Filter,
  FindOptions,
  IndexSpec,
  MirrorSpec,
  StoredDocument,
} from '../../src/store/collection.js';
import { HandoffRepository } from '../../src/store/repositories/handoff-repository.js';
import { mongoSkipReason } from '../support/mongo-required.js';
import { handoffListContract } from './handoff-list-contract.js';
import { MingoDatabase } from './mingo-database.js';

/**
 * Whether every query the handoff repository sends MongoDB is served by an index. Without a MongoDB
 * here, the queries the list contract sends (every filter, order and cursor) are recorded and checked
 * against the indexes the repository declares, by MongoDB's rule: some index whose keys start with
 * fields the query pins by equality, followed by its sort keys in order, serves it without reading the
 * collection and without sorting in memory. With MONGODB_URL each recorded query is also `explain`ed by
 * that server: MongoDB must choose an index scan and no blocking sort; FerretDB pushes down only a
 * filter on `_id` (every compare-and-set, lease and claim), which is what is checked there.
 */

interface Query {
  filter: Filter;
  sort: Record<string, 1 | -1>;
}

/** The mingo database, recording every find and count on `handoffs` and the indexes it was opened with. */
class RecordingDatabase implements Database {
  readonly kind = 'memory' as const;
  private readonly inner = new MingoDatabase();
  readonly operations = this.inner.operations;
  indexes: IndexSpec[] = [];
  /** Off while the repository opens: its one-time migrations of older documents are no list queries. */
  recording = false;

  constructor(readonly queries: Query[]) {}

  async collection<T extends StoredDocument>(
    name: string,
    indexes: IndexSpec[] = [],
    _options?: { mirror?: MirrorSpec },
  ): Promise<Collection<T>> {
    const inner = await this.inner.collection<T>(name);
    if (name !== 'handoffs') return inner;
    this.indexes = indexes;
    const record = (filter: Filter, sort: Record<string, 1 | -1> = {}) => {
      if (this.recording) this.queries.push({ filter, sort });
    };
    return {
      ...inner,
      insertOne: (doc) => inner.insertOne(doc),
      insertMany: (docs) => inner.insertMany(docs),
      findOne: (filter) => inner.findOne(filter),
      findOneAndUpdate: (filter, update, options) => inner.findOneAndUpdate(filter, update, options),
      updateMany: (filter, update) => inner.updateMany(filter, update),
      deleteOne: (filter) => inner.deleteOne(filter),
      deleteMany: (filter) => inner.deleteMany(filter),
      find: (filter: Filter, options: FindOptions = {}) => {
        record(filter, options.sort);
        return inner.find(filter, options);
      },
      count: (filter: Filter) => {
        record(filter);
        return inner.count(filter);
      },
    };
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {}
}

const RANGE = new Set(['$gt', '$gte', '$lt', '$lte']);

/** Fields the filter pins by equality (`$in` included) and bounds by range, at its top level and in `$and`. */
function fieldsOf(filter: Filter): { equal: Set<string>; range: Set<string> } {
  const equal = new Set<string>();
  const range = new Set<string>();
  const visit = (part: Filter) => {
    for (const [field, value] of Object.entries(part)) {
      if (field === '$and') for (const inner of value as Filter[]) visit(inner);
      if (field.startsWith('$')) continue;
      const operators = value !== null && typeof value === 'object' ? Object.keys(value) : [];
      if (operators.some((operator) => RANGE.has(operator))) range.add(field);
      else if (operators.length === 0 || operators.includes('$eq') || operators.includes('$in')) equal.add(field);
    }
  };
  visit(filter);
  return { equal, range };
}

/** The keys MongoDatabase creates for a spec (`_id` last, as keyset pages sort on it). */
function keysOf(index: IndexSpec): string[] {
  return index.unique || index.fields.includes('_id') ? index.fields : [...index.fields, '_id'];
}

/**
 * Metadata is free-form (`metaQuery.<path>`): no index can serve a filter on it alone. A page filtered only on
 * metadata walks the createdAt index and filters what it reads; its totalCount reads every handoff.
 */
const onlyMetadata = (filter: Filter) =>
  Object.keys(filter).length > 0 && Object.keys(filter).every((field) => field.startsWith('metaQuery.'));

/** Whether the query is served by an index: each branch of an `$or` by one of its own (MongoDB's OR plan). */
function served(indexes: IndexSpec[], query: Query): boolean {
  const { $or, ...rest } = query.filter as Filter & { $or?: Filter[] };
  if ($or && Object.keys(rest).length === 0 && Object.keys(query.sort).length === 0)
    return $or.every((branch) => served(indexes, { filter: branch, sort: {} }));
  return servingIndex(indexes, query) !== null;
}

/** An index serving the query without a collection scan or an in-memory sort, or null. */
function servingIndex(indexes: IndexSpec[], query: Query): string[] | null {
  const { equal, range } = fieldsOf(query.filter);
  // A field pinned by equality is sorted already.
  const sort = Object.keys(query.sort).filter((field) => !equal.has(field));
  const candidates = [['_id'], ...indexes.map(keysOf)];
  for (const keys of candidates) {
    let prefix = 0;
    while (prefix < keys.length && equal.has(keys[prefix]!)) prefix++;
    const after = keys.slice(prefix, prefix + sort.length);
    if (sort.length > 0 ? after.join() === sort.join() : prefix > 0 || range.has(keys[0]!)) return keys;
  }
  return null;
}

/** Every query the list contract sent, over all its tests (each on a fresh database), and the indexes declared. */
const recorded: Query[] = [];
let declared: IndexSpec[] = [];

describe('every handoff list query is served by an index MongoDB would use', () => {
  describe('the list contract, recorded', () =>
    handoffListContract({
      open: async () => {
        const db = new RecordingDatabase(recorded);
        const store = await HandoffRepository.open(db, 0, 'writer_a');
        db.recording = true;
        declared = db.indexes;
        return { db, store };
      },
      dispose: async () => undefined,
    }));

  it("records the scheduler's and retention's queries too", async () => {
    const db = new RecordingDatabase(recorded);
    const store = await HandoffRepository.open(db, 0, 'writer_a');
    db.recording = true;
    const before = recorded.length;
    await store.due(1_000, 10);
    await store.overdue(1_000, 10);
    await store.unfinished();
    await store.leaseHolders();
    await store.finishedBefore({ finishedBefore: 1_000, test: false, limit: 10 });
    await store.finishedBefore({ finishedBefore: 1_000, test: true, limit: 10 });
    expect(recorded.length - before).toBeGreaterThanOrEqual(9);
  });

  it('each recorded query has an index: equality fields, then its sort keys in order', () => {
    expect(recorded.length).toBeGreaterThan(50);
    const unserved = recorded.filter(
      (query) => !served(declared, query) && !(Object.keys(query.sort).length === 0 && onlyMetadata(query.filter)),
    );
    if (unserved.length) console.log(unserved.map((query) => JSON.stringify(query)).join('\n'));
    expect(unserved.map((query) => JSON.stringify(query))).toEqual([]);
  });
});

const skipReason = mongoSkipReason();

describe.skipIf(skipReason !== null)(
  `explained by the MongoDB server${skipReason ? ` (skipped: ${skipReason})` : ''}`,
  () => {
    let db: MongoDatabase;

    beforeAll(async () => {
      db = await MongoDatabase.connect(process.env.MONGODB_URL!, `handoff_explain_${randomUUID().slice(0, 8)}`);
      await HandoffRepository.open(db, 0, 'writer_a');
    });

    afterAll(async () => {
      await db?.dropDatabase();
      await db?.close();
    });

    const explain = (filter: Filter, sort: Record<string, 1 | -1> = {}): Promise<Document> =>
      db.driverDb.collection('handoffs').find(filter).sort(sort).limit(51).explain();

    it('a compare-and-set, a lease or a claim names its handoff by _id: pushed down to its index', async () => {
      const plan = await explain({ _id: 'hnd_1' });
      if (db.server.pushesDownIdOnly) expect(plan.filterPushdown).toBe(true);
      else expect(JSON.stringify(plan.queryPlanner.winningPlan)).toMatch(/IDHACK|EXPRESS_IDHACK|IXSCAN/);
    });

    it('every recorded list query: an index scan and no blocking sort on MongoDB (FerretDB reads the collection)', async () => {
      for (const query of recorded.slice(0, 200)) {
        const plan = await explain(query.filter, query.sort);
        if (db.server.pushesDownIdOnly) {
          // FerretDB 1.x answers every filter but one on `_id` by reading the whole collection.
          expect(plan.filterPushdown, JSON.stringify(query)).toBe(false);
          continue;
        }
        const winning = JSON.stringify(plan.queryPlanner.winningPlan);
        expect(winning, JSON.stringify(query)).not.toMatch(/COLLSCAN/);
        expect(winning, JSON.stringify(query)).not.toMatch(/"stage":"SORT"/);
      }
    });
  },
);
