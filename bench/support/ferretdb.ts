/**
 * The MongoDB column of the benchmarks: FerretDB 1.24.2 (a MongoDB-wire server on SQLite), the server
 * CI runs the MongoDB store on. Its figures measure the adapter on FerretDB, not MongoDB: they say so.
 */
import { execFileSync } from 'node:child_process';
import { MongoClient } from 'mongodb';
import { FerretDBServer, ferretdbBinary } from '../../scripts/ferretdb/ferretdb-server.js';
import { log } from './common.js';

export const FERRETDB_LABEL = 'FerretDB 1.24.2 (MongoDB adapter)';

function hasGo(): boolean {
  try {
    execFileSync('go', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * FerretDB's binary (FERRETDB_BIN, or built and cached by scripts/ferretdb/build.sh when Go is here), or
 * null with why: then the parts leave the column out and say so.
 */
export function benchFerretDBBinary(): { binary: string | null; why: string } {
  if (process.env.BENCH_FERRETDB === '0') return { binary: null, why: 'BENCH_FERRETDB=0' };
  const named = ferretdbBinary({ build: false });
  if (named) return { binary: named, why: '' };
  if (!hasGo()) return { binary: null, why: 'no FerretDB: set FERRETDB_BIN, or install Go (>= 1.24) to build it' };
  return { binary: ferretdbBinary({ build: true }), why: '' };
}

/** A FerretDB of a benchmark's own in a temporary directory (or `dir`, kept), and a database URL on it. */
export async function startBenchFerretDB(binary: string, dir?: string): Promise<FerretDBServer> {
  const server = await FerretDBServer.launch(binary, dir);
  log(`FerretDB on ${server.url} (${server.dir})`);
  return server;
}

/** `server`'s URL naming `database`. */
export function databaseUrl(server: FerretDBServer, database: string): string {
  return `${server.url}${database}`;
}

/** Drops a database of the bench's FerretDB. */
export async function dropDatabase(server: FerretDBServer, database: string): Promise<void> {
  const client = new MongoClient(server.url, { serverSelectionTimeoutMS: 5_000 });
  try {
    await client.db(database).dropDatabase();
  } finally {
    await client.close();
  }
}
