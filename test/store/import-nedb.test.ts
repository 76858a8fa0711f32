import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/engine/shared/logger.js';
import { importNedbDirectory } from '../../src/store/sqlite/import-nedb.js';
import { SqliteDatabase } from '../../src/store/sqlite/sqlite-database.js';
import { makeTempDir, removeTempDir } from './adapters.js';

function nedbFile(dir: string, name: string, lines: object[]): void {
  fs.writeFileSync(path.join(dir, `${name}.db`), `${lines.map((line) => JSON.stringify(line)).join('\n')}\n`);
}

function procedureDocs(db: SqliteDatabase): string[] {
  return db.connection.prepare('SELECT _id FROM doc_procedures ORDER BY _id').pluck().all() as string[];
}

describe('importing a nedb data directory', () => {
  let dir: string;

  beforeEach(() => {
    dir = makeTempDir();
  });

  afterEach(() => {
    removeTempDir(dir);
  });

  it('keeps the last line of each document, drops deleted ones, skips index declarations', async () => {
    nedbFile(dir, 'procedures', [
      { $$indexCreated: { fieldName: 'name' } },
      { _id: 'A', version: 1 },
      { _id: 'B', version: 1 },
      { _id: 'A', version: 2 },
      { _id: 'B', $$deleted: true },
      { _id: 'C', version: 1 },
    ]);
    const db = SqliteDatabase.open(path.join(dir, 'handoff.sqlite'));
    try {
      expect(await importNedbDirectory(dir, db, silentLogger, 0)).toBe(true);
      expect(procedureDocs(db)).toEqual(['A', 'C']);
      expect(
        JSON.parse(db.connection.prepare("SELECT doc FROM doc_procedures WHERE _id = 'A'").pluck().get() as string)
          .version,
      ).toBe(2);
      expect(fs.existsSync(path.join(dir, 'procedures.db'))).toBe(false);
    } finally {
      await db.close();
    }
  });

  it('gives imported handoffs the finish time retention deletes by', async () => {
    const doc = (id: string, status: string, finishedAt: number | null) => ({
      _id: id,
      version: 3,
      seq: 0,
      status,
      procedureId: 'P',
      type: 'AGENT_HANDOFF',
      priority: 'MEDIUM',
      createdAt: 1,
      durationMs: null,
      state: JSON.stringify({ id, status, finishedAt }),
      metadata: '{}',
      signals: {},
      outbox: '[]',
    });
    nedbFile(dir, 'handoffs', [doc('done', 'COMPLETED', 9), doc('running', 'RUNNING', null)]);
    const db = SqliteDatabase.open(path.join(dir, 'handoff.sqlite'));
    try {
      await importNedbDirectory(dir, db, silentLogger, 0);
      expect(db.connection.prepare('SELECT id, finished_at FROM handoffs ORDER BY id').all()).toEqual([
        { id: 'done', finished_at: 9 },
        { id: 'running', finished_at: null },
      ]);
    } finally {
      await db.close();
    }
  });

  it('after a crash between the import and moving the files, the next start only moves them', async () => {
    nedbFile(dir, 'procedures', [{ _id: 'A', version: 1 }]);
    const file = path.join(dir, 'handoff.sqlite');
    const first = SqliteDatabase.open(file);
    await importNedbDirectory(dir, first, silentLogger, 0);
    await first.close();
    // As if the process had died right after the commit: the old file is back in place.
    const aside = fs.readdirSync(dir).find((name) => name.startsWith('nedb-imported-'))!;
    fs.renameSync(path.join(dir, aside, 'procedures.db'), path.join(dir, 'procedures.db'));
    const second = SqliteDatabase.open(file);
    try {
      expect(await importNedbDirectory(dir, second, silentLogger, 1)).toBe(false);
      expect(procedureDocs(second)).toEqual(['A']);
      expect(fs.readdirSync(path.join(dir, aside))).toEqual(['procedures.db']);
    } finally {
      await second.close();
    }
  });

  it('refuses while the server that writes the old files still runs, and changes nothing', async () => {
    nedbFile(dir, 'procedures', [{ _id: 'A', version: 1 }]);
    // A live process other than this one holds the old store's lock (the test runner's parent).
    fs.writeFileSync(path.join(dir, 'handoff.lock'), String(process.ppid));
    const db = SqliteDatabase.open(path.join(dir, 'handoff.sqlite'));
    try {
      await expect(importNedbDirectory(dir, db, silentLogger, 0)).rejects.toThrow(
        new RegExp(`process ${process.ppid}\\) still runs: stop it`),
      );
      expect(fs.existsSync(path.join(dir, 'procedures.db'))).toBe(true);
      expect(
        db.connection.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'doc_procedures'").pluck().get(),
      ).toBe(0);
    } finally {
      await db.close();
    }
  });
});
