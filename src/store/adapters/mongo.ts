import { hostname } from 'node:os';
import { type Db, MongoClient } from 'mongodb';
import {
  type Collection,
  type Database,
  type IndexSpec,
  type MirrorSpec,
  OperationCounter,
  type StoredDocument,
} from '../collection.js';
import { DocumentLocks } from './document-locks.js';
import { DocumentMirror, MirrorHub } from './document-mirror.js';
import { MongoCollection } from './mongo-collection.js';
import { translateMongoError } from './mongo-errors.js';
import { type MongoServerInfo, probeServer } from './mongo-server.js';
import { WriteGate } from './write-gate.js';

/** Writes one process keeps in flight on a server that takes one at a time (see WriteGate). */
const WRITES_IN_FLIGHT_ON_A_SINGLE_WRITER = 8;
/** How long a write lock outlives a process that died holding it (see DocumentLocks). */
const WRITE_LOCK_MS = 30_000;

export interface MongoConnectOptions {
  /** Who this process is in write locks (default: host and pid). */
  owner?: string;
  /** Whether a lock holder is known to be gone (a dead local process): its locks are taken at once. */
  isOwnerGone?: (owner: string) => boolean;
  /** How long a write lock outlives a process that died holding it (default 30 s; tests shorten it). */
  lockMs?: number;
  /** Reports what the store cannot report to a caller (a lock left to expire); the app logs it. */
  warn?: (message: string, error: unknown) => void;
}

/**
 * The production store: one MongoClient per process, majority writes, indexes made at start-up.
 * It runs on MongoDB and on FerretDB (what CI runs it on): `server` says which, and what follows
 * from it (see docs/mongodb.md).
 */
export class MongoDatabase implements Database {
  readonly kind = 'mongo' as const;
  readonly operations = new OperationCounter();
  /** The mirrors of this process's collections (FerretDB only) and how they hear of other processes' writes. */
  readonly mirrors = new MirrorHub();

  private constructor(
    private readonly client: MongoClient,
    /** The driver's database: for the adapter's own collections (change log), not for repositories. */
    readonly driverDb: Db,
    readonly server: MongoServerInfo,
    readonly locks: DocumentLocks,
    /** Every write of this process goes through it (the change log's too). */
    readonly writes: WriteGate,
  ) {}

  static async connect(url: string, databaseName?: string, options: MongoConnectOptions = {}): Promise<MongoDatabase> {
    const client = new MongoClient(url, {
      maxPoolSize: 50,
      minPoolSize: 2,
      serverSelectionTimeoutMS: 5_000,
      writeConcern: { w: 'majority' },
      readConcern: { level: 'majority' },
      retryWrites: true,
    });
    try {
      await client.connect();
      const db = client.db(databaseName);
      const server = await probeServer(db);
      const writes = new WriteGate(server.writesOneAtATime ? WRITES_IN_FLIGHT_ON_A_SINGLE_WRITER : null);
      const locks = await DocumentLocks.open(db, writes, {
        lockMs: options.lockMs ?? WRITE_LOCK_MS,
        owner: options.owner ?? `${hostname()}:${process.pid}`,
        isOwnerGone: options.isOwnerGone,
        onReleaseFailure: (key, error) => options.warn?.(`could not release the write lock ${key}; it expires`, error),
      });
      return new MongoDatabase(client, db, server, locks, writes);
    } catch (error) {
      await client.close().catch(() => undefined);
      return translateMongoError('the database', error);
    }
  }

  async collection<T extends StoredDocument>(
    name: string,
    indexes: IndexSpec[] = [],
    options: { mirror?: MirrorSpec } = {},
  ): Promise<Collection<T>> {
    const driver = this.driverDb.collection(name);
    for (const index of indexes) {
      // Keyset pages sort on (field, _id): with _id in the index a page is one range walk, not an in-memory sort.
      const fields = index.unique || index.fields.includes('_id') ? index.fields : [...index.fields, '_id'];
      const keys = Object.fromEntries(fields.map((field) => [field, 1 as const]));
      await driver
        .createIndex(keys, { unique: index.unique ?? false, sparse: index.unique ?? false })
        .catch((error) => translateMongoError(name, error));
    }
    // Indexes serve these queries on MongoDB; FerretDB would read the whole collection for each.
    const mirror = options.mirror && this.server.pushesDownIdOnly ? new DocumentMirror<T>(name, options.mirror) : null;
    if (mirror) {
      const kept = await driver
        .find(mirror.keep, { projection: Object.fromEntries(mirror.fields.map((field) => [field, 1])) })
        .toArray()
        .catch((error) => translateMongoError(name, error));
      for (const doc of kept) mirror.put(String(doc._id), doc as unknown as T);
      this.mirrors.register(mirror as unknown as DocumentMirror<StoredDocument>);
    }
    return new MongoCollection<T>(
      name,
      driver,
      this.operations,
      this.locks,
      this.writes,
      this.server.pushesDownIdOnly,
      {
        mirror,
        hub: this.mirrors,
      },
    );
  }

  /**
   * `changeFeed`: `change-stream` on a replica set (the change log is read when a change stream says
   * something was appended, and at least every second), else `position-poll` (read at every poll).
   */
  describe(): Record<string, string> {
    return {
      server: this.server.description,
      changeFeed: this.server.changeStreams ? 'change-stream' : 'position-poll',
    };
  }

  async ping(): Promise<void> {
    await this.driverDb.command({ ping: 1 }).catch((error) => translateMongoError('the database', error));
  }

  /** Drops every collection: for contract tests against a throwaway database only. */
  async dropDatabase(): Promise<void> {
    await this.driverDb.dropDatabase();
  }

  async close(): Promise<void> {
    this.locks.close();
    await this.client.close();
  }
}
