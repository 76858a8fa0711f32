import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MongoDatabase } from '../../src/store/adapters/mongo.js';
import type { Database } from '../../src/store/collection.js';
import { SqliteDatabase } from '../../src/store/sqlite/sqlite-database.js';
import { mongoSkipReason } from '../support/mongo-required.js';

/** Opens a fresh, empty store of one kind and disposes of it afterwards. */
export interface AdapterFixture {
  name: string;
  /** Why the suite is skipped for this adapter, or null when it runs. */
  skipReason: string | null;
  open(): Promise<Database>;
  dispose(db: Database): Promise<void>;
}

/** A temporary directory for an embedded store; removed by `removeTempDir`. */
export function makeTempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-store-'));
}

export function removeTempDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

function embeddedFixture(): AdapterFixture {
  const dirs = new Map<Database, string>();
  return {
    name: 'embedded-file (SQLite)',
    skipReason: null,
    async open() {
      const dir = makeTempDir();
      const db = SqliteDatabase.open(path.join(dir, 'handoff.sqlite'));
      dirs.set(db, dir);
      return db;
    },
    async dispose(db) {
      await db.close();
      removeTempDir(dirs.get(db)!);
      dirs.delete(db);
    },
  };
}

function memoryFixture(): AdapterFixture {
  return {
    name: 'memory (SQLite)',
    skipReason: null,
    open: async () => SqliteDatabase.inMemory(),
    dispose: (db) => db.close(),
  };
}

function mongoFixture(url: string | undefined): AdapterFixture {
  return {
    name: 'mongo',
    skipReason: mongoSkipReason(),
    // A throwaway database per test keeps tests independent of each other and of real data.
    open: () => MongoDatabase.connect(url!, `handoff_contract_${randomUUID().slice(0, 8)}`),
    async dispose(db) {
      await (db as MongoDatabase).dropDatabase();
      await db.close();
    },
  };
}

/** Every adapter the contract suite runs against. */
export function adapterFixtures(env: Record<string, string | undefined> = process.env): AdapterFixture[] {
  return [embeddedFixture(), memoryFixture(), mongoFixture(env.MONGODB_URL || undefined)];
}
