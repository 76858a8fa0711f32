import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import type BetterSqlite3 from 'better-sqlite3';
import type { Handoff, HandoffStatus } from '../../engine/kernel/handoff/handoff.js';
import { FINAL_STATUSES } from '../../engine/kernel/ports/handoff-columns.js';
import { hasRetryingStep } from '../../engine/kernel/ports/handoff-order.js';
import type { Logger } from '../../engine/shared/logger.js';
import { createHandoffTables } from './handoff-schema.js';
import { documentTable, type SqliteDatabase } from './sqlite-database.js';

/** Collections the nedb store kept as documents, imported as they were. */
const DOCUMENT_COLLECTIONS = [
  'procedures',
  'procedure_versions',
  'agents',
  'agent_inbox',
  'validation_rules',
  'validation_sessions',
  'validation_results',
  'reliability_configs',
  'reliability_tests',
];
const COLLECTIONS = [...DOCUMENT_COLLECTIONS, 'handoffs', 'handoff_events'];
/** Where the import records that it committed (and where it moved the old files). */
const MARKER = 'nedb_import';
const STAGING_BATCH = 5_000;

type Doc = Record<string, unknown> & { _id: string };

/** The earlier server refuses to share its directory; so does the import while that server still runs. */
function refuseWhileOldServerRuns(dataDir: string): void {
  const lock = path.join(dataDir, 'handoff.lock');
  if (!fs.existsSync(lock)) return;
  const pid = Number(fs.readFileSync(lock, 'utf8'));
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return;
  }
  throw new Error(
    `DATA_DIR ${dataDir} holds the files of the earlier (nedb) store, and the server that writes them (process ${pid}) still runs: ` +
      'stop it, then start this one to import its data',
  );
}

function markerOf(connection: BetterSqlite3.Database): { movedTo: string } | null {
  connection.exec(
    'CREATE TABLE IF NOT EXISTS store_meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) WITHOUT ROWID',
  );
  const value = connection.prepare('SELECT value FROM store_meta WHERE key = ?').pluck().get(MARKER) as
    | string
    | undefined;
  return value === undefined ? null : (JSON.parse(value) as { movedTo: string });
}

function moveAside(dataDir: string, files: string[], aside: string): void {
  fs.mkdirSync(aside, { recursive: true });
  for (const name of files) {
    if (fs.existsSync(path.join(dataDir, name))) fs.renameSync(path.join(dataDir, name), path.join(aside, name));
  }
}

/**
 * nedb's data file, streamed line by line into a staging table (any size; nothing held in memory):
 * a later line for the same _id replaces the earlier one, `$$deleted` removes it, `$$indexCreated`
 * and `$$indexRemoved` lines declare indexes. Lines that do not parse are counted, never skipped silently.
 */
async function stage(connection: BetterSqlite3.Database, collection: string, file: string): Promise<number> {
  const upsert = connection.prepare('INSERT OR REPLACE INTO nedb_import_lines (collection, id, line) VALUES (?, ?, ?)');
  const remove = connection.prepare('DELETE FROM nedb_import_lines WHERE collection = ? AND id = ?');
  let badLines = 0;
  let batch: (() => void)[] = [];
  const flush = () => {
    const writes = batch;
    batch = [];
    connection.transaction(() => writes.forEach((write) => write()))();
  };
  for await (const line of readline.createInterface({
    input: fs.createReadStream(file, 'utf8'),
    crlfDelay: Infinity,
  })) {
    if (line.trim() === '') continue;
    let doc: Doc;
    try {
      doc = JSON.parse(line) as Doc;
    } catch {
      badLines++;
      continue;
    }
    if ('$$indexCreated' in doc || '$$indexRemoved' in doc) continue;
    if (typeof doc._id !== 'string') {
      badLines++;
      continue;
    }
    batch.push(
      doc.$$deleted === true ? () => remove.run(collection, doc._id) : () => upsert.run(collection, doc._id, line),
    );
    if (batch.length >= STAGING_BATCH) flush();
  }
  flush();
  return badLines;
}

/**
 * Staged documents of one collection, in _id order, read a batch at a time (a connection cannot
 * write while a statement iterates, and the caller writes between documents).
 */
function* staged(connection: BetterSqlite3.Database, collection: string): Generator<Doc> {
  const page = connection.prepare(
    'SELECT id, line FROM nedb_import_lines WHERE collection = ? AND id > ? ORDER BY id LIMIT 1000',
  );
  for (let after = ''; ; ) {
    const rows = page.all(collection, after) as { id: string; line: string }[];
    if (rows.length === 0) return;
    for (const row of rows) yield JSON.parse(row.line) as Doc;
    after = rows.at(-1)!.id;
  }
}

/** Moves the staged documents into the store's tables; returns how many each collection had. */
function commitStaged(connection: BetterSqlite3.Database): Record<string, number> {
  const counts: Record<string, number> = {};
  const count = (collection: string) => (counts[collection] = (counts[collection] ?? 0) + 1);
  for (const name of DOCUMENT_COLLECTIONS) {
    const table = `"${documentTable(name)}"`;
    connection.exec(
      `CREATE TABLE IF NOT EXISTS ${table} (_id TEXT PRIMARY KEY NOT NULL, doc TEXT NOT NULL) WITHOUT ROWID`,
    );
    const insert = connection.prepare(`INSERT OR REPLACE INTO ${table} (_id, doc) VALUES (?, ?)`);
    for (const doc of staged(connection, name)) {
      insert.run(doc._id, JSON.stringify(doc));
      count(name);
    }
  }
  const insertHandoff = connection.prepare(
    `INSERT INTO handoffs (id, version, seq, status, procedure_id, type, priority, source_agent, target_agent, source_phase,
       test_id, created_at, duration_ms, finished_at, state, metadata, lease_owner, lease_expires_at, signals, cancel_request, updated_at, retrying)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, 0, ?, ?, ?, ?)`,
  );
  // The log and each handoff's outbox may both hold an event: the first copy stays.
  const insertEvent = connection.prepare(
    "INSERT OR IGNORE INTO handoff_events (handoff_id, seq, writer, body) VALUES (?, ?, 'nedb-import', ?)",
  );
  for (const doc of staged(connection, 'handoff_events')) {
    const event = { ...(JSON.parse(doc.body as string) as object), handoffId: doc.owner, seq: doc.seq, at: doc.at };
    insertEvent.run(doc.owner, doc.seq, JSON.stringify(event));
    count('handoff_events');
  }
  for (const doc of staged(connection, 'handoffs')) {
    const state = JSON.parse(doc.state as string) as Record<string, unknown>;
    const metadata = (doc.metadata as string | undefined) ?? JSON.stringify(state.metadata ?? {});
    delete state.metadata;
    const signals = Object.fromEntries(
      Object.entries((doc.signals as Record<string, string>) ?? {}).map(([step, json]) => [step, JSON.parse(json)]),
    );
    insertHandoff.run(
      doc._id,
      doc.version,
      doc.seq,
      doc.status,
      doc.procedureId,
      doc.type,
      doc.priority,
      doc.sourceAgent ?? null,
      doc.targetAgent ?? null,
      doc.sourcePhase ?? null,
      doc.testId ?? null,
      doc.createdAt,
      doc.durationMs ?? null,
      // What retention deletes by (see handoff-schema).
      FINAL_STATUSES.has(doc.status as HandoffStatus)
        ? ((state.finishedAt as number | null | undefined) ?? null)
        : null,
      JSON.stringify(state),
      metadata,
      JSON.stringify(signals),
      doc.cancelRequest ? JSON.stringify(doc.cancelRequest) : null,
      // The last time the state shows, and whether a step was retrying: what the list filters and orders read.
      (state.finishedAt as number | null) ?? (state.startedAt as number | null) ?? doc.createdAt,
      Array.isArray(state.steps) && hasRetryingStep(state as unknown as Handoff) ? 1 : 0,
    );
    // Events of the last transition that never reached the old log (a crash between its two writes).
    for (const event of JSON.parse((doc.outbox as string) ?? '[]') as { handoffId: string; seq: number }[]) {
      insertEvent.run(event.handoffId, event.seq, JSON.stringify(event));
    }
    count('handoffs');
  }
  return counts;
}

/**
 * A data directory of the earlier nedb store, imported into the SQLite store once, at the first
 * start that finds it. The files are streamed into a staging table, then moved into the store's
 * tables in one transaction that also records the import; only then are the old files moved aside
 * into `nedb-imported-<time>/` (kept, never deleted). A crash before that commit leaves nothing
 * imported (the next start begins again); after it, the next start only finishes moving the files.
 */
export async function importNedbDirectory(
  dataDir: string,
  db: SqliteDatabase,
  logger: Logger,
  now: number,
): Promise<boolean> {
  const files = fs.existsSync(dataDir)
    ? fs.readdirSync(dataDir).filter((name) => name.endsWith('.db') || name.endsWith('.db~'))
    : [];
  if (!files.some((name) => COLLECTIONS.includes(name.replace(/\.db~?$/, '')))) return false;
  const connection = db.connection;
  const done = markerOf(connection);
  if (done) {
    moveAside(dataDir, [...files, 'handoff.lock'], done.movedTo);
    logger.info({ movedTo: done.movedTo }, 'moved the files of an already imported nedb store aside');
    return false;
  }
  refuseWhileOldServerRuns(dataDir);
  createHandoffTables(connection);
  connection.exec('DROP TABLE IF EXISTS nedb_import_lines');
  connection.exec(
    'CREATE TABLE nedb_import_lines (collection TEXT NOT NULL, id TEXT NOT NULL, line TEXT NOT NULL, PRIMARY KEY (collection, id)) WITHOUT ROWID',
  );
  const badLines: Record<string, number> = {};
  for (const name of COLLECTIONS) {
    // nedb writes a new file as name.db~ and renames it: a crash between leaves only the ~ file complete.
    const file = [`${name}.db`, `${name}.db~`]
      .map((candidate) => path.join(dataDir, candidate))
      .find((candidate) => fs.existsSync(candidate));
    if (!file) continue;
    const bad = await stage(connection, name, file);
    if (bad > 0) badLines[name] = bad;
  }
  const aside = path.join(dataDir, `nedb-imported-${new Date(now).toISOString().replace(/[:.]/g, '-')}`);
  const counts = connection
    .transaction(() => {
      const imported = commitStaged(connection);
      connection
        .prepare('INSERT INTO store_meta (key, value) VALUES (?, ?)')
        .run(MARKER, JSON.stringify({ movedTo: aside, at: now, counts: imported }));
      connection.exec('DROP TABLE nedb_import_lines');
      return imported;
    })
    .immediate();
  moveAside(dataDir, [...files, 'handoff.lock'], aside);
  logger.info({ counts, movedTo: aside }, 'imported the nedb data directory into the SQLite store');
  if (Object.keys(badLines).length > 0) {
    logger.warn(
      { badLines, keptIn: aside },
      'lines of the nedb files that did not parse were not imported; the original files are kept',
    );
  }
  return true;
}
