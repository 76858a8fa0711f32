import path from 'node:path';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { SqliteDatabase } from '../../src/store/sqlite/sqlite-database.js';
import { createTestApp } from '../support/server.js';
import { makeTempDir, removeTempDir } from './adapters.js';

let dir: string;
beforeEach(() => {
  dir = makeTempDir();
});
afterEach(() => removeTempDir(dir));

// The check of a large file reads every page in a worker: started before the server listens, it took the
// second core and the disk from start-up (/ready on a million handoffs came 1.3 s after an empty store's).
it('the integrity check of a large store file starts once the server listens, not while it starts', async () => {
  const db = SqliteDatabase.open(path.join(dir, 'handoff.sqlite'), { checkSyncBytes: 0 });
  const check = vi.spyOn(db, 'checkInBackground');
  const { app, dispose } = await createTestApp({}, { db });
  try {
    expect(check).not.toHaveBeenCalled();
    await app.listen();
    expect(check).toHaveBeenCalledTimes(1);
    await expect(check.mock.results[0]!.value).resolves.toBeUndefined();
    expect(db.checkInBackground()).toBe(check.mock.results[0]!.value);
  } finally {
    await app.close();
    await dispose();
  }
});
