import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type NedbModule from '@seald-io/nedb';

// nedb is CommonJS with an `export default` typing; load the class the way Node sees it.
type Datastore<T> = NedbModule.default<T>;
const Datastore = createRequire(import.meta.url)('@seald-io/nedb') as typeof NedbModule.default;
import {
  DuplicateKeyError,
  OperationCounter,
  type Collection,
  type Database,
  type Filter,
  type FindOptions,
  type IndexSpec,
  type StoredDocument,
  type Update,
} from '../collection.js';

/** How often the append-only data files are rewritten to drop superseded lines. */
const COMPACTION_INTERVAL_MS = 60_000;

function isUniqueViolation(error: unknown): boolean {
  return (error as { errorType?: string })?.errorType === 'uniqueViolated';
}

class NedbCollection<T extends StoredDocument> implements Collection<T> {
  constructor(
    private readonly name: string,
    private readonly store: Datastore<T>,
    private readonly counter: OperationCounter,
  ) {}

  async insertOne(doc: T): Promise<void> {
    await this.insertMany([doc]);
  }

  async insertMany(docs: T[]): Promise<void> {
    if (docs.length === 0) return;
    this.counter.writes++;
    try {
      await this.store.insertAsync(docs);
    } catch (error) {
      if (isUniqueViolation(error)) throw new DuplicateKeyError(this.name, String((error as Error).message));
      throw error;
    }
  }

  async findOne(filter: Filter): Promise<T | null> {
    this.counter.reads++;
    return (await this.store.findOneAsync(filter)) as T | null;
  }

  async find(filter: Filter, options: FindOptions = {}): Promise<T[]> {
    this.counter.reads++;
    let cursor = this.store.findAsync(filter);
    if (options.sort) cursor = cursor.sort(options.sort);
    if (options.skip) cursor = cursor.skip(options.skip);
    if (options.limit) cursor = cursor.limit(options.limit);
    return (await cursor) as unknown as T[];
  }

  async count(filter: Filter): Promise<number> {
    this.counter.reads++;
    return (await this.store.countAsync(filter)) as unknown as number;
  }

  async findOneAndUpdate(filter: Filter, update: Update, options: { upsert?: boolean } = {}): Promise<T | null> {
    this.counter.writes++;
    try {
      const { affectedDocuments } = await this.store.updateAsync(filter, update, {
        returnUpdatedDocs: true,
        upsert: options.upsert ?? false,
      });
      return (affectedDocuments as T | null) ?? null;
    } catch (error) {
      if (isUniqueViolation(error)) throw new DuplicateKeyError(this.name, String((error as Error).message));
      throw error;
    }
  }

  async updateMany(filter: Filter, update: Update): Promise<number> {
    this.counter.writes++;
    const { numAffected } = await this.store.updateAsync(filter, update, { multi: true });
    return numAffected;
  }

  async deleteOne(filter: Filter): Promise<boolean> {
    this.counter.writes++;
    return (await this.store.removeAsync(filter, { multi: false })) > 0;
  }

  async deleteMany(filter: Filter): Promise<number> {
    this.counter.writes++;
    return this.store.removeAsync(filter, { multi: true });
  }
}

/** Refuses a second process on the same data directory: a nedb file belongs to one writer. */
function acquireDirectoryLock(dataDir: string): () => void {
  fs.mkdirSync(dataDir, { recursive: true });
  const lockPath = path.join(dataDir, 'handoff.lock');
  const tryCreate = (): boolean => {
    try {
      fs.writeFileSync(lockPath, String(process.pid), { flag: 'wx' });
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      return false;
    }
  };
  if (!tryCreate()) {
    const holder = Number(fs.readFileSync(lockPath, 'utf8'));
    if (holder && holder !== process.pid && isAlive(holder)) {
      throw new Error(`DATA_DIR ${dataDir} is in use by process ${holder}; stop it or choose another DATA_DIR`);
    }
    fs.rmSync(lockPath, { force: true }); // left behind by a process that died
    if (!tryCreate()) throw new Error(`DATA_DIR ${dataDir} was locked by another process while starting`);
  }
  return () => fs.rmSync(lockPath, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The embedded store: nedb collections in memory, or persisted one file each under `dataDir`. */
export class NedbDatabase implements Database {
  readonly operations = new OperationCounter();
  private readonly stores = new Map<string, Datastore<StoredDocument>>();
  private readonly releaseLock: () => void;

  private constructor(
    readonly kind: 'embedded' | 'memory',
    private readonly dataDir: string | undefined,
  ) {
    this.releaseLock = dataDir ? acquireDirectoryLock(dataDir) : () => undefined;
  }

  static inMemory(): NedbDatabase {
    return new NedbDatabase('memory', undefined);
  }

  static persisted(dataDir: string): NedbDatabase {
    return new NedbDatabase('embedded', dataDir);
  }

  async collection<T extends StoredDocument>(name: string, indexes: IndexSpec[] = []): Promise<Collection<T>> {
    let store = this.stores.get(name) as Datastore<T> | undefined;
    if (!store) {
      store = this.dataDir
        ? new Datastore<T>({ filename: path.join(this.dataDir, `${name}.db`) })
        : new Datastore<T>({ inMemoryOnly: true });
      await store.loadDatabaseAsync();
      if (this.dataDir) store.setAutocompactionInterval(COMPACTION_INTERVAL_MS);
      for (const index of indexes) {
        // sparse: documents lacking the field must not collide with each other
        await store.ensureIndexAsync({ fieldName: index.fields.length === 1 ? index.fields[0] : index.fields, unique: index.unique, sparse: true });
      }
      this.stores.set(name, store as unknown as Datastore<StoredDocument>);
    }
    return new NedbCollection<T>(name, store, this.operations);
  }

  async ping(): Promise<void> {
    // In-process: answering is a given once open.
  }

  async close(): Promise<void> {
    for (const store of this.stores.values()) {
      store.stopAutocompaction();
      if (this.dataDir) await store.compactDatafileAsync();
    }
    this.stores.clear();
    this.releaseLock();
  }
}
