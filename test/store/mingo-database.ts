import { Query } from 'mingo';
import {
  type Collection,
  type Database,
  DuplicateKeyError,
  type Filter,
  type FindOptions,
  OperationCounter,
  type StoredDocument,
  type Update,
} from '../../src/store/collection.js';
import { applyUpdate } from '../../src/store/document-update.js';

type Doc = Record<string, unknown> & StoredDocument;

/** A document as MongoDB would hand it back: a copy, as stored (JSON types only). */
const stored = <T>(doc: T): T => JSON.parse(JSON.stringify(doc)) as T;

/**
 * A collection in memory whose filters and sorts are evaluated by mingo, a JavaScript implementation
 * of MongoDB's query language: how the MongoDB repositories' queries mean what MongoDB makes of them
 * (array traversal, null for missing fields, type-strict equality) is checked without a server.
 * Indexes are ignored but `_id` is unique, as in MongoDB.
 */
class MingoCollection<T extends StoredDocument> implements Collection<T> {
  private docs: Doc[] = [];

  constructor(
    private readonly name: string,
    private readonly counter: OperationCounter,
  ) {}

  private matching(filter: Filter, options: FindOptions = {}): Doc[] {
    let cursor = new Query(filter, {}).find<Doc>(this.docs);
    if (options.sort) cursor = cursor.sort(options.sort);
    if (options.skip) cursor = cursor.skip(options.skip);
    if (options.limit) cursor = cursor.limit(options.limit);
    return cursor.all();
  }

  async insertOne(doc: T): Promise<void> {
    this.counter.writes++;
    if (this.docs.some((existing) => existing._id === doc._id))
      throw new DuplicateKeyError(this.name, JSON.stringify({ _id: doc._id }));
    this.docs.push(stored(doc) as unknown as Doc);
  }

  async insertMany(docs: T[]): Promise<void> {
    const ids = new Set(this.docs.map((doc) => doc._id));
    for (const doc of docs) {
      if (ids.has(doc._id)) throw new DuplicateKeyError(this.name, JSON.stringify({ _id: doc._id }));
      ids.add(doc._id);
    }
    for (const doc of docs) await this.insertOne(doc);
  }

  async appendMany(docs: T[]): Promise<void> {
    for (const doc of docs) if (!this.docs.some((existing) => existing._id === doc._id)) await this.insertOne(doc);
  }

  async findOne(filter: Filter): Promise<T | null> {
    this.counter.reads++;
    const [doc] = this.matching(filter, { limit: 1 });
    return doc ? (stored(doc) as unknown as T) : null;
  }

  async find(filter: Filter, options?: FindOptions): Promise<T[]> {
    this.counter.reads++;
    return this.matching(filter, options).map((doc) => stored(doc) as unknown as T);
  }

  async count(filter: Filter): Promise<number> {
    this.counter.reads++;
    return this.matching(filter).length;
  }

  async findOneAndUpdate(filter: Filter, update: Update, options: { upsert?: boolean } = {}): Promise<T | null> {
    this.counter.writes++;
    const [doc] = this.matching(filter, { limit: 1 });
    if (doc) {
      applyUpdate(doc, update);
      return stored(doc) as unknown as T;
    }
    if (!options.upsert) return null;
    const created = { _id: filter._id } as Doc;
    applyUpdate(created, update);
    this.docs.push(created);
    return stored(created) as unknown as T;
  }

  async updateMany(filter: Filter, update: Update): Promise<number> {
    this.counter.writes++;
    const docs = this.matching(filter);
    for (const doc of docs) applyUpdate(doc, update);
    return docs.length;
  }

  async deleteOne(filter: Filter): Promise<boolean> {
    this.counter.writes++;
    const [doc] = this.matching(filter, { limit: 1 });
    if (!doc) return false;
    this.docs = this.docs.filter((candidate) => candidate !== doc);
    return true;
  }

  async deleteMany(filter: Filter): Promise<number> {
    this.counter.writes++;
    const gone = new Set(this.matching(filter));
    this.docs = this.docs.filter((doc) => !gone.has(doc));
    return gone.size;
  }
}

/** A Database of mingo collections (see MingoCollection): MongoDB's query semantics, in memory. */
export class MingoDatabase implements Database {
  readonly kind = 'memory' as const;
  readonly operations = new OperationCounter();
  private readonly collections = new Map<string, MingoCollection<StoredDocument>>();

  async collection<T extends StoredDocument>(name: string): Promise<Collection<T>> {
    let collection = this.collections.get(name);
    if (!collection) {
      collection = new MingoCollection(name, this.operations);
      this.collections.set(name, collection);
    }
    return collection as unknown as Collection<T>;
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {}
}
