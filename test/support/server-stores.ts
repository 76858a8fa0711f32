import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { mongoSkipReason } from './mongo-required.js';

/** A store server processes under test share: what each is started with, made and removed around a suite. */
export interface ServerStore {
  name: string;
  /** Why suites on this store are skipped here, or null when they run. */
  skipReason: string | null;
  /** Settings its servers run with in these suites, over the suite's own (say why for each). */
  serverSettings: Record<string, string>;
  /**
   * How many times longer a step's round trip through the store may take than on SQLite: step timeouts
   * of these suites are multiplied by it (a step that waits is handed back to the store and taken again).
   */
  slowness: number;
  /** How many handoffs the several-servers run starts on this store (HANDOFF_SEVERAL_SERVERS_HANDOFFS overrides). */
  severalServersHandoffs: number;
  /** Makes a fresh, empty store; returns the environment every server process on it gets. */
  create(): Promise<Record<string, string>>;
  /** Removes what `create` made. */
  dispose(): Promise<void>;
}

/** `url` naming the database `name` instead of any it named (query options kept). */
export function mongoUrlFor(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

function sqliteFile(): ServerStore {
  let dir = '';
  return {
    name: 'one SQLite file',
    skipReason: null,
    serverSettings: {},
    slowness: 1,
    severalServersHandoffs: 3_000,
    async create() {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-servers-'));
      return { DATA_DIR: dir };
    },
    async dispose() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function mongoDatabase(url: string | undefined, env: Record<string, string | undefined>): ServerStore {
  let dir = '';
  let database = '';
  return {
    name: 'one MongoDB database',
    skipReason: mongoSkipReason(env),
    // Each process renews the lease of every handoff it runs every third of a lease, one guarded write each,
    // and scans for orphans as often (a query FerretDB answers by reading every stored handoff): with a
    // minute's lease those leave FerretDB on this shared 2-core machine time for the work itself.
    // And fewer handoffs at once per process: FerretDB writes one at a time, more in flight only queue.
    serverSettings: { LEASE_MS: '60000', MAX_CONCURRENT_HANDOFFS: '30' },
    // FerretDB takes one write at a time (SQLite): on a busy machine a hand-back and the claim that takes it
    // again (a DELAY step's wait) can take seconds where SQLite takes milliseconds.
    slowness: 10,
    // The SQLite run's count. FerretDB 1.24's SQLite backend reads the whole collection for every query but one by
    // `_id` alone; the adapter asks by `_id` wherever it can, and the build's one change to FerretDB makes SQLite
    // use the `_id` index for those (docs/mongodb.md): 3,000 took 418 s at load 7-9 on 2026-12-07.
    severalServersHandoffs: 3_000,
    async create() {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-servers-'));
      database = `handoff_servers_${randomUUID().slice(0, 8)}`;
      return { DATA_DIR: dir, MONGODB_URL: mongoUrlFor(url!, database) };
    },
    async dispose() {
      fs.rmSync(dir, { recursive: true, force: true });
      const client = new MongoClient(url!, { serverSelectionTimeoutMS: 5_000 });
      try {
        await client.db(database).dropDatabase();
      } finally {
        await client.close();
      }
    },
  };
}

/** The stores several server processes are tested on: a SQLite file always, MongoDB when MONGODB_URL names one. */
export function serverStores(env: Record<string, string | undefined> = process.env): ServerStore[] {
  return [sqliteFile(), mongoDatabase(env.MONGODB_URL || undefined, env)];
}
