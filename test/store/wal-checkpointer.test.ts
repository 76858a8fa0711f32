import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, expect, it, onTestFinished } from 'vitest';
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

// The worker is housekeeping: a process that ends without closing its store (a script, a tool) still exits.
it('never keeps a process alive: one that opens a store and never closes it exits', async () => {
  const store = new URL('../../src/store/sqlite/sqlite-database.ts', import.meta.url).href;
  // A script file (code given with -e exits with live workers), the store's source under tsx.
  const script = path.join(dir, 'open-and-leave.mjs');
  fs.writeFileSync(
    script,
    `import { SqliteDatabase } from '${store}';
    const db = SqliteDatabase.open(${JSON.stringify(file)});
    (await db.collection('notes')).insertOne({ _id: 'n1' }).then(() => console.log('written'));`,
  );
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  onTestFinished(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  // Waits for the exit (the test's timeout is the bound): before, the worker's message listener held it open.
  const [code] = await once(child, 'exit');
  expect({ code, output: output.trim() }).toEqual({ code: 0, output: 'written' });
});
