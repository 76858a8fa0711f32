import {
  type ChangeStream,
  type ChangeStreamOptions,
  type Db,
  type Document,
  type Collection as DriverCollection,
  MongoClient,
  MongoNetworkError,
  MongoServerError,
  MongoServerSelectionError,
} from 'mongodb';
import { StoreUnavailableError } from '../../engine/kernel/ports/store-errors.js';
import {
  type Collection,
  type Database,
  DuplicateKeyError,
  type Filter,
  type FindOptions,
  type IndexSpec,
  OperationCounter,
  type StoredDocument,
  type Update,
} from '../collection.js';

const DUPLICATE_KEY = 11000;

/** Server error labels under which the driver (or a retry) may succeed later: the store is unavailable, not wrong. */
const TRANSIENT_LABELS = ['RetryableWriteError', 'TransientTransactionError', 'ResetPool', 'SystemOverloadedError'];

/** A taken key as DuplicateKeyError; a lost primary, a network fault or a full disk as StoreUnavailableError (reads too). */
function translate(name: string, error: unknown): never {
  if (error instanceof MongoServerError && error.code === DUPLICATE_KEY) {
    throw new DuplicateKeyError(name, JSON.stringify(error.keyValue ?? {}));
  }
  const transient =
    error instanceof MongoNetworkError ||
    error instanceof MongoServerSelectionError ||
    (error instanceof MongoServerError &&
      (TRANSIENT_LABELS.some((label) => error.hasErrorLabel(label)) || error.codeName === 'OutOfDiskSpace'));
  if (transient) throw new StoreUnavailableError(`write to ${name}`, error);
  throw error;
}

class MongoCollection<T extends StoredDocument> implements Collection<T> {
  constructor(
    private readonly name: string,
    // biome-ignore lint/suspicious/noExplicitAny: the driver's generic filter types fight a dialect-agnostic interface; documents are plain objects
    private readonly driver: DriverCollection<any>,
    private readonly counter: OperationCounter,
  ) {}

  async insertOne(doc: T): Promise<void> {
    this.counter.writes++;
    await this.driver.insertOne({ ...doc }).catch((error) => translate(this.name, error));
  }

  async insertMany(docs: T[]): Promise<void> {
    if (docs.length === 0) return;
    this.counter.writes++;
    // All or nothing: MongoDB has no multi-document atomicity outside transactions, so undo on failure.
    try {
      await this.driver.insertMany(
        docs.map((doc) => ({ ...doc })),
        { ordered: true },
      );
    } catch (error) {
      const inserted = (error as { insertedIds?: Record<number, string> }).insertedIds ?? {};
      const ids = Object.values(inserted);
      if (ids.length > 0) await this.driver.deleteMany({ _id: { $in: ids } });
      translate(this.name, error);
    }
  }

  async findOne(filter: Filter): Promise<T | null> {
    this.counter.reads++;
    return (await this.driver.findOne(filter).catch((error) => translate(this.name, error))) as T | null;
  }

  async find(filter: Filter, options: FindOptions = {}): Promise<T[]> {
    this.counter.reads++;
    let cursor = this.driver.find(filter);
    if (options.sort) cursor = cursor.sort(options.sort);
    if (options.skip) cursor = cursor.skip(options.skip);
    if (options.limit) cursor = cursor.limit(options.limit);
    return (await cursor.toArray().catch((error) => translate(this.name, error))) as T[];
  }

  async count(filter: Filter): Promise<number> {
    this.counter.reads++;
    return this.driver.countDocuments(filter).catch((error) => translate(this.name, error));
  }

  async findOneAndUpdate(filter: Filter, update: Update, options: { upsert?: boolean } = {}): Promise<T | null> {
    this.counter.writes++;
    try {
      return (await this.driver.findOneAndUpdate(filter, update, {
        returnDocument: 'after',
        upsert: options.upsert ?? false,
      })) as T | null;
    } catch (error) {
      return translate(this.name, error);
    }
  }

  async updateMany(filter: Filter, update: Update): Promise<number> {
    this.counter.writes++;
    try {
      // matched, not modified: the same count the embedded adapter gives
      return (await this.driver.updateMany(filter, update)).matchedCount;
    } catch (error) {
      return translate(this.name, error);
    }
  }

  async deleteOne(filter: Filter): Promise<boolean> {
    this.counter.writes++;
    return (await this.driver.deleteOne(filter).catch((error) => translate(this.name, error))).deletedCount > 0;
  }

  async deleteMany(filter: Filter): Promise<number> {
    this.counter.writes++;
    return (await this.driver.deleteMany(filter).catch((error) => translate(this.name, error))).deletedCount;
  }
}

/** The production store: one MongoClient per process, majority writes, indexes made at start-up. */
export class MongoDatabase implements Database {
  readonly kind = 'mongo' as const;
  readonly operations = new OperationCounter();

  private constructor(
    private readonly client: MongoClient,
    private readonly db: Db,
  ) {}

  static async connect(url: string, databaseName?: string): Promise<MongoDatabase> {
    const client = new MongoClient(url, {
      maxPoolSize: 50,
      minPoolSize: 2,
      serverSelectionTimeoutMS: 5_000,
      writeConcern: { w: 'majority' },
      readConcern: { level: 'majority' },
      retryWrites: true,
    });
    await client.connect();
    return new MongoDatabase(client, client.db(databaseName));
  }

  async collection<T extends StoredDocument>(name: string, indexes: IndexSpec[] = []): Promise<Collection<T>> {
    const driver = this.db.collection(name);
    for (const index of indexes) {
      // Keyset pages sort on (field, _id): with _id in the index a page is one range walk, not an in-memory sort.
      const fields = index.unique || index.fields.includes('_id') ? index.fields : [...index.fields, '_id'];
      const keys = Object.fromEntries(fields.map((field) => [field, 1 as const]));
      await driver.createIndex(keys, { unique: index.unique ?? false, sparse: index.unique ?? false });
    }
    return new MongoCollection<T>(name, driver, this.operations);
  }

  async ping(): Promise<void> {
    await this.db.command({ ping: 1 });
  }

  /** A change stream over the whole database (it needs a replica set, as docker-compose runs). */
  watch(pipeline: Document[], options: ChangeStreamOptions = {}): ChangeStream {
    return this.db.watch(pipeline, options);
  }

  /** Drops every collection: for contract tests against a throwaway database only. */
  async dropDatabase(): Promise<void> {
    await this.db.dropDatabase();
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
