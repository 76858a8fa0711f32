import fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';

/** The database file is damaged: the store refuses to open rather than serve (or overwrite) what is left. */
export class DamagedStoreError extends Error {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(
      `The database file ${file} is damaged (${detail}). Nothing was changed. ` +
        `Restore it from a backup, or move it (and its -wal and -shm files) aside to start with an empty store; ` +
        `'sqlite3 ${file} .recover' can salvage what is readable.`,
    );
    this.name = 'DamagedStoreError';
  }
}

const PAGE_SIZE_OFFSET = 16;
const CHANGE_COUNTER_OFFSET = 24;
const PAGE_COUNT_OFFSET = 28;
const VERSION_VALID_FOR_OFFSET = 92;

/** SQLite's result codes that mean the file itself is damaged (anything else is a failure to check). */
const DAMAGE_CODES = new Set(['SQLITE_CORRUPT', 'SQLITE_NOTADB']);

function isDamage(error: unknown): boolean {
  return DAMAGE_CODES.has((error as { code?: string }).code ?? '');
}

function fileSize(file: string): number {
  return fs.existsSync(file) ? fs.statSync(file).size : 0;
}

/**
 * A truncated file (fewer pages than its header counts) is the damage a crash of the file
 * system or a copy cut short leaves; it costs one read of the header to find, at any size.
 * Only a file with no write-ahead log pending is judged so: a checkpoint writes page 1 (with the
 * new page count) before the pages after it, so while a log is pending (a checkpoint running in
 * another process, or cut short by a crash) a short file is healthy, and SQLite completes it from
 * the log. The header's page count counts only when SQLite itself would trust it.
 */
export function checkFileLength(file: string): void {
  if (!fs.existsSync(file) || fileSize(`${file}-wal`) > 0) return;
  const size = fs.statSync(file).size;
  if (size === 0) return;
  if (size < 100) throw new DamagedStoreError(file, `only ${size} bytes, shorter than a database header`);
  const header = Buffer.alloc(100);
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, header, 0, 100, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (header.toString('latin1', 0, 16) !== 'SQLite format 3\0')
    throw new DamagedStoreError(file, 'it does not start with a SQLite header');
  const rawPageSize = header.readUInt16BE(PAGE_SIZE_OFFSET);
  const pageSize = rawPageSize === 1 ? 65_536 : rawPageSize;
  const pages = header.readUInt32BE(PAGE_COUNT_OFFSET);
  const countIsValid = header.readUInt32BE(VERSION_VALID_FOR_OFFSET) === header.readUInt32BE(CHANGE_COUNTER_OFFSET);
  if (countIsValid && pages > 0 && size < pages * pageSize) {
    throw new DamagedStoreError(
      file,
      `it holds ${size} bytes, but its header counts ${pages} pages of ${pageSize} bytes`,
    );
  }
}

/** SQLite's own structural check of every page, table and index. Throws DamagedStoreError with what it found. */
export function quickCheck(db: BetterSqlite3.Database, file: string): void {
  let problems: string[];
  try {
    problems = (db.pragma('quick_check(5)') as { quick_check: string }[]).map((row) => row.quick_check);
  } catch (error) {
    if (isDamage(error)) throw new DamagedStoreError(file, (error as Error).message);
    throw error;
  }
  if (problems.length !== 1 || problems[0] !== 'ok') throw new DamagedStoreError(file, problems.join('; '));
}

// Runs in a worker thread (plain JavaScript): the check reads every page, which must not stall the event loop.
const CHECK_IN_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
let db;
try {
  db = new Database(workerData.file, { readonly: true, fileMustExist: true });
  parentPort.postMessage({ problems: db.pragma('quick_check(5)').map((row) => row.quick_check) });
} catch (error) {
  parentPort.postMessage({ error: { code: error && error.code, message: String((error && error.message) || error) } });
} finally {
  if (db) db.close();
}`;

/**
 * quick_check on a second, read-only connection in a worker thread. Rejects with DamagedStoreError
 * when the file is damaged, and with a plain Error when it could not be checked (too many open
 * files, no memory): only the first is a reason to stop serving.
 */
export function quickCheckInBackground(file: string, driver: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(CHECK_IN_WORKER, { eval: true, workerData: { file, driver } });
    worker.unref();
    worker.once('message', (outcome: { problems?: string[]; error?: { code?: string; message: string } }) => {
      if (outcome.problems?.length === 1 && outcome.problems[0] === 'ok') resolve();
      else if (outcome.problems) reject(new DamagedStoreError(file, outcome.problems.join('; ')));
      else if (isDamage(outcome.error)) reject(new DamagedStoreError(file, outcome.error!.message));
      else reject(new Error(`the integrity check of ${file} could not run: ${outcome.error?.message}`));
    });
    worker.once('error', (error) =>
      reject(new Error(`the integrity check of ${file} could not run: ${error.message}`)),
    );
  });
}
