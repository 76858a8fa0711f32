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

/** nedb's unique-index violation as the port's DuplicateKeyError; anything else as it came. */
function translate(name: string, error: unknown): never {
  if ((error as { errorType?: string })?.errorType === 'uniqueViolated') throw new DuplicateKeyError(name, String((error as Error).message));
  throw error;
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
      return translate(this.name, error);
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
      return translate(this.name, error);
    }
  }

  async updateMany(filter: Filter, update: Update): Promise<number> {
    this.counter.writes++;
    try {
      const { numAffected } = await this.store.updateAsync(filter, update, { multi: true });
      return numAffected;
    } catch (error) {
      return translate(this.name, error);
    }
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

/** Directories locked by this process: the pid in the lock file cannot tell two stores of one process apart. */
const lockedHere = new Set<string>();

function inUse(dataDir: string, holder: number | string): Error {
  return new Error(`DATA_DIR ${dataDir} is in use by ${holder}; stop it or choose another DATA_DIR`);
}

/** Refuses a second store on the same data directory: a nedb file belongs to one writer. */
function acquireDirectoryLock(dataDir: string): () => void {
  fs.mkdirSync(dataDir, { recursive: true });
  const lockPath = path.join(fs.realpathSync(dataDir), 'handoff.lock');
  if (lockedHere.has(lockPath)) throw inUse(dataDir, 'another store in this process');
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
    if (holder && holder !== process.pid && isAlive(holder)) throw inUse(dataDir, `process ${holder}`);
    fs.rmSync(lockPath, { force: true }); // left behind by a process that died (or by this one, unreleased)
    if (!tryCreate()) throw new Error(`DATA_DIR ${dataDir} was locked by another process while starting`);
  }
  lockedHere.add(lockPath);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    lockedHere.delete(lockPath);
    fs.rmSync(lockPath, { force: true });
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether a datastore keeps an index on `fields` (nedb names a compound index by its sorted fields, "a,b"; the field is untyped). */
function keepsIndex(store: object, fields: string[]): string | null {
  const name = [...fields].sort().join(',');
  return name in (store as { indexes: Record<string, unknown> }).indexes ? name : null;
}

/** The embedded store: nedb collections in memory, or persisted one file each under `dataDir`. */
export class NedbDatabase implements Database {
  readonly operations = new OperationCounter();
  /** One datastore per name, shared by concurrent openers: two on one file would corrupt it. */
  private readonly stores = new Map<string, Promise<Datastore<StoredDocument>>>();
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
    let opening = this.stores.get(name);
    if (!opening) {
      opening = this.openStore(name);
      this.stores.set(name, opening);
      opening.catch(() => this.stores.delete(name));
    }
    const store = (await opening) as unknown as Datastore<T>;
    for (const index of indexes) {
      // Skipped unless unique (then it is a constraint): a low-cardinality index makes nedb rescan a
      // value's document list on every update (O(documents) per write); an order-only one is never
      // read by nedb's planner. Both would only slow writes here. A data file written by an older
      // version may still declare one (nedb rebuilds declared indexes on load): it is dropped.
      if ((index.lowCardinality || index.orderOnly) && !index.unique) {
        const kept = keepsIndex(store, index.fields);
        if (kept) await store.removeIndexAsync(kept);
        continue;
      }
      const fieldName = index.fields.length === 1 ? index.fields[0]! : index.fields;
      // sparse: documents lacking the field must not collide with each other. Idempotent per field set.
      await store.ensureIndexAsync({ fieldName, unique: index.unique, sparse: true });
    }
    return new NedbCollection<T>(name, store, this.operations);
  }

  private async openStore(name: string): Promise<Datastore<StoredDocument>> {
    const store = this.dataDir
      ? new Datastore<StoredDocument>({ filename: path.join(this.dataDir, `${name}.db`) })
      : new Datastore<StoredDocument>({ inMemoryOnly: true });
    await store.loadDatabaseAsync();
    if (this.dataDir) store.setAutocompactionInterval(COMPACTION_INTERVAL_MS);
    return store;
  }

  async ping(): Promise<void> {
    // In-process: answering is a given once open.
  }

  async close(): Promise<void> {
    try {
      const stores = await Promise.allSettled(this.stores.values());
      for (const result of stores) {
        if (result.status !== 'fulfilled') continue;
        result.value.stopAutocompaction();
        if (this.dataDir) await result.value.compactDatafileAsync();
      }
    } finally {
      this.stores.clear();
      this.releaseLock();
    }
  }
}
