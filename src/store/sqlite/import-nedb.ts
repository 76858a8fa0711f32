import fs from 'node:fs';
import path from 'node:path';
import type { SqliteDatabase } from './sqlite-database.js';
import { documentTable } from './sqlite-database.js';
import type { Logger } from '../../engine/shared/logger.js';
import { createHandoffTables } from './handoff-schema.js';

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

type Doc = Record<string, unknown> & { _id: string };

/**
 * nedb's data file: one JSON document per line, a later line for the same _id replacing the
 * earlier one, `$$deleted` removing it, `$$indexCreated` lines declaring indexes. Lines that do not
 * parse are counted, never skipped silently.
 */
function readNedbFile(file: string): { docs: Doc[]; badLines: number } {
  const byId = new Map<string, Doc>();
  let badLines = 0;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
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
    if (doc.$$deleted === true) byId.delete(doc._id);
    else byId.set(doc._id, doc);
  }
  return { docs: [...byId.values()], badLines };
}

function eventRow(doc: Doc): [string, number, string] {
  const event = { ...(JSON.parse(doc.body as string) as object), handoffId: doc.owner, seq: doc.seq, at: doc.at };
  return [doc.owner as string, doc.seq as number, JSON.stringify(event)];
}

/**
 * A data directory of the earlier nedb store, imported into the SQLite store once, at the first
 * start that finds it: every collection in one transaction (all or nothing), the old files then
 * moved aside into `nedb-imported-<time>/` (kept, never deleted), counts logged. A handoff's outbox
 * is imported into its event log too, so one whose final events never reached the old log gets them.
 */
export function importNedbDirectory(dataDir: string, db: SqliteDatabase, logger: Logger, now: number): boolean {
  const files = fs.existsSync(dataDir) ? fs.readdirSync(dataDir).filter((name) => name.endsWith('.db')) : [];
  if (!files.includes('procedures.db') && !files.includes('handoffs.db')) return false;
  const connection = db.connection;
  const counts: Record<string, number> = {};
  const badLines: Record<string, number> = {};
  const load = (name: string) => {
    const file = path.join(dataDir, `${name}.db`);
    if (!fs.existsSync(file)) return [];
    const read = readNedbFile(file);
    if (read.badLines > 0) badLines[name] = read.badLines;
    counts[name] = read.docs.length;
    return read.docs;
  };
  createHandoffTables(connection);
  connection
    .transaction(() => {
      for (const name of DOCUMENT_COLLECTIONS) {
        const docs = load(name);
        if (docs.length === 0) continue;
        const table = `"${documentTable(name)}"`;
        connection.exec(`CREATE TABLE IF NOT EXISTS ${table} (_id TEXT PRIMARY KEY NOT NULL, doc TEXT NOT NULL) WITHOUT ROWID`);
        const insert = connection.prepare(`INSERT OR REPLACE INTO ${table} (_id, doc) VALUES (?, ?)`);
        for (const doc of docs) insert.run(doc._id, JSON.stringify(doc));
      }
      const insertHandoff = connection.prepare(
        `INSERT INTO handoffs (id, version, seq, status, procedure_id, type, priority, source_agent, target_agent, source_phase,
           test_id, created_at, duration_ms, state, metadata, lease_owner, lease_expires_at, signals, cancel_request)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, 0, ?, ?)`,
      );
      const insertEvent = connection.prepare("INSERT OR IGNORE INTO handoff_events (handoff_id, seq, writer, body) VALUES (?, ?, 'nedb-import', ?)");
      for (const doc of load('handoffs')) {
        const state = JSON.parse(doc.state as string) as Record<string, unknown>;
        const metadata = (doc.metadata as string | undefined) ?? JSON.stringify(state.metadata ?? {});
        delete state.metadata;
        const signals = Object.fromEntries(Object.entries((doc.signals as Record<string, string>) ?? {}).map(([step, json]) => [step, JSON.parse(json)]));
        insertHandoff.run(
          doc._id, doc.version, doc.seq, doc.status, doc.procedureId, doc.type, doc.priority, doc.sourceAgent ?? null, doc.targetAgent ?? null,
          doc.sourcePhase ?? null, doc.testId ?? null, doc.createdAt, doc.durationMs ?? null, JSON.stringify(state), metadata,
          JSON.stringify(signals), doc.cancelRequest ? JSON.stringify(doc.cancelRequest) : null,
        );
        for (const event of JSON.parse((doc.outbox as string) ?? '[]') as { handoffId: string; seq: number }[]) {
          insertEvent.run(event.handoffId, event.seq, JSON.stringify(event));
        }
      }
      const events = load('handoff_events').sort((a, b) => (a._id < b._id ? -1 : 1));
      for (const doc of events) insertEvent.run(...eventRow(doc));
    })
    .immediate();
  const aside = path.join(dataDir, `nedb-imported-${new Date(now).toISOString().replace(/[:.]/g, '-')}`);
  fs.mkdirSync(aside);
  for (const name of [...files, 'handoff.lock']) {
    if (fs.existsSync(path.join(dataDir, name))) fs.renameSync(path.join(dataDir, name), path.join(aside, name));
  }
  logger.info({ counts, movedTo: aside }, 'imported the nedb data directory into the SQLite store');
  if (Object.keys(badLines).length > 0) {
    logger.warn({ badLines, keptIn: aside }, 'lines of the nedb files that did not parse were not imported; the original files are kept');
  }
  return true;
}
