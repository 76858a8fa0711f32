import type { Collection, Database, IndexSpec, StoredDocument } from '../../src/store/collection.js';
import { SqliteDatabase } from '../../src/store/sqlite/sqlite-database.js';

/**
 * An in-memory store that remembers which collections were opened, so a test can snapshot
 * every document the server holds and prove a request changed nothing.
 */
export class RecordingDatabase implements Database {
  private readonly inner: Database = SqliteDatabase.inMemory();
  private readonly names = new Set<string>();

  get kind(): Database['kind'] {
    return this.inner.kind;
  }

  get operations(): Database['operations'] {
    return this.inner.operations;
  }

  /** When set, every read of every collection throws it (a store that broke after start-up). */
  readFailure: Error | null = null;

  async collection<T extends StoredDocument>(name: string, indexes?: IndexSpec[]): Promise<Collection<T>> {
    this.names.add(name);
    const inner = await this.inner.collection<T>(name, indexes);
    const guard =
      <A extends unknown[], R>(read: (...args: A) => Promise<R>) =>
      (...args: A): Promise<R> =>
        this.readFailure ? Promise.reject(this.readFailure) : read(...args);
    return {
      ...inner,
      insertOne: (doc) => inner.insertOne(doc),
      insertMany: (docs) => inner.insertMany(docs),
      appendMany: (docs) => inner.appendMany(docs),
      findOne: guard((filter) => inner.findOne(filter)),
      find: guard((filter, options) => inner.find(filter, options)),
      count: guard((filter) => inner.count(filter)),
      findOneAndUpdate: (filter, update, options) => inner.findOneAndUpdate(filter, update, options),
      updateMany: (filter, update) => inner.updateMany(filter, update),
      deleteOne: (filter) => inner.deleteOne(filter),
      deleteMany: (filter) => inner.deleteMany(filter),
    };
  }

  ping(): Promise<void> {
    return this.inner.ping();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  /** Every document of every opened collection, as canonical JSON text per collection. */
  async snapshot(): Promise<Record<string, string>> {
    const result: Record<string, string> = {};
    for (const name of [...this.names].sort()) {
      const docs = await (await this.inner.collection<StoredDocument>(name)).find({}, { sort: { _id: 1 } });
      result[name] = JSON.stringify(docs);
    }
    return result;
  }
}
