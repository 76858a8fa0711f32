import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { SqliteDatabase } from '../../src/store/sqlite/sqlite-database.js';
import { FALLBACK_AUTOCHECKPOINT_PAGES } from '../../src/store/sqlite/wal-checkpointer.js';
import { makeTempDir, removeTempDir } from './adapters.js';

let dir: string;
let file: string;
beforeEach(() => {
  dir = makeTempDir();
  file = path.join(dir, 'handoff.sqlite');
});
afterEach(() => removeTempDir(dir));

async function writeDocuments(db: SqliteDatabase, count: number): Promise<void> {
  const notes = await db.collection<{ _id: string; body: string }>('notes');
  for (let index = 0; index < count; index++) await notes.insertOne({ _id: `note-${index}`, body: 'x'.repeat(500) });
}

// SQLite's own checkpoint runs inside the commit that crosses its threshold, on the thread serving requests;
// the store leaves it to a worker and keeps the serving connection's threshold only as a far fallback.
it('a worker folds committed pages into the database file while the store stays open', async () => {
  const db = SqliteDatabase.open(file);
  try {
    expect(db.connection.pragma('wal_autocheckpoint', { simple: true })).toBe(FALLBACK_AUTOCHECKPOINT_PAGES);
    const sizeBefore = fs.statSync(file).size;
    await writeDocuments(db, 400);
    // A pass that began before the writes may have seen only some of them: wait for one that copied every page.
    let pass = await db.nextCheckpoint()!;
    while (pass.copiedPages < pass.logPages || pass.logPages === 0) pass = await db.nextCheckpoint()!;
    expect(fs.statSync(file).size).toBeGreaterThan(sizeBefore);
    const notes = await db.collection<{ _id: string; body: string }>('notes');
    expect(await notes.count({})).toBe(400);
  } finally {
    await db.close();
  }
});

it('closing stops the worker first, so the serving connection folds the log in and removes it', async () => {
  const db = SqliteDatabase.open(file);
  await writeDocuments(db, 50);
  // The worker's connection is open once it has made a pass.
  await db.nextCheckpoint();
  await db.close();
  expect(fs.existsSync(`${file}-wal`)).toBe(false);
  const reopened = SqliteDatabase.open(file);
  try {
    const notes = await reopened.collection<{ _id: string; body: string }>('notes');
    expect(await notes.count({})).toBe(50);
  } finally {
    await reopened.close();
  }
});

it('a store in memory has no checkpoint worker', async () => {
  const db = SqliteDatabase.inMemory();
  expect(db.nextCheckpoint()).toBeNull();
  await db.close();
});
