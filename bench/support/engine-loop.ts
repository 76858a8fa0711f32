/**
 * The engine-throughput loop alone (engine API), for `npm run bench:profile`: on the in-memory
 * store, or BENCH_STORE=stub (the Map-backed ceiling) or BENCH_STORE=file (a SQLite file in a temp dir).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Database } from '../../src/store/collection.js';
import { SqliteDatabase } from '../../src/store/sqlite/sqlite-database.js';
import { closeEngine, openEngine, runEngineBatch } from './engine-harness.js';
import { MapDatabase } from './map-database.js';

const dir =
  process.env.BENCH_STORE === 'file' ? fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-bench-profile-')) : null;
function open(): Database {
  if (dir) return SqliteDatabase.open(path.join(dir, 'handoff.sqlite'), { sync: 'NORMAL' });
  return process.env.BENCH_STORE === 'stub' ? new MapDatabase() : SqliteDatabase.inMemory();
}

const db = open();
const engine = await openEngine(db);
try {
  for (let run = 0; run < 3; run++) {
    const { ms } = await runEngineBatch(engine, 2_000, `profile_${run}`);
    process.stderr.write(`  run ${run + 1}: ${Math.round((2_000 / ms) * 1000)} handoffs/s\n`);
  }
} finally {
  await closeEngine(engine, db);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}
