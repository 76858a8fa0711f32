import type BetterSqlite3 from 'better-sqlite3';
import { FINAL_STATUSES } from '../../engine/kernel/ports/handoff-columns.js';

/**
 * The handoff tables of the embedded store. Everything the API filters or sorts on is a column
 * with an index; the state and metadata are JSON text, read whole.
 *
 * `handoff_events.position` and `handoff_notices.position` are AUTOINCREMENT rowids: SQLite admits
 * one writer at a time and gives each new row a larger rowid than any before (never one reused after
 * deletes), so positions grow in commit order and another process can follow both tables exactly by
 * position (the change feed).
 */
/** Priorities in queue order (see PRIORITY_RANK): a column computed on read, indexed for PRIORITY order. */
const PRIORITY_RANK_SQL = "CASE priority WHEN 'LOW' THEN 0 WHEN 'MEDIUM' THEN 1 WHEN 'HIGH' THEN 2 ELSE 3 END";

export const HANDOFF_SCHEMA = `
CREATE TABLE IF NOT EXISTS handoffs (
  id TEXT PRIMARY KEY NOT NULL,
  version INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  status TEXT NOT NULL,
  procedure_id TEXT NOT NULL,
  type TEXT NOT NULL,
  priority TEXT NOT NULL,
  source_agent TEXT,
  target_agent TEXT,
  source_phase TEXT,
  test_id TEXT,
  created_at INTEGER NOT NULL,
  duration_ms INTEGER,
  finished_at INTEGER,
  state TEXT NOT NULL,
  metadata TEXT NOT NULL,
  lease_owner TEXT,
  lease_expires_at INTEGER NOT NULL DEFAULT 0,
  signals TEXT NOT NULL DEFAULT '{}',
  cancel_request TEXT,
  updated_at INTEGER,
  retrying INTEGER NOT NULL DEFAULT 0,
  priority_rank INTEGER GENERATED ALWAYS AS (${PRIORITY_RANK_SQL}) VIRTUAL
);
CREATE INDEX IF NOT EXISTS handoffs_by_status ON handoffs (status, created_at, id);
CREATE INDEX IF NOT EXISTS handoffs_by_created ON handoffs (created_at, id);
CREATE INDEX IF NOT EXISTS handoffs_by_procedure ON handoffs (procedure_id, created_at, id);
CREATE INDEX IF NOT EXISTS handoffs_by_source_agent ON handoffs (source_agent, created_at, id) WHERE source_agent IS NOT NULL;
CREATE INDEX IF NOT EXISTS handoffs_by_target_agent ON handoffs (target_agent, created_at, id) WHERE target_agent IS NOT NULL;
CREATE INDEX IF NOT EXISTS handoffs_by_test ON handoffs (test_id, created_at, id) WHERE test_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS handoffs_by_lease_owner ON handoffs (lease_owner) WHERE lease_owner IS NOT NULL;

CREATE TABLE IF NOT EXISTS handoff_events (
  position INTEGER PRIMARY KEY AUTOINCREMENT,
  handoff_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  writer TEXT NOT NULL,
  body TEXT NOT NULL,
  UNIQUE (handoff_id, seq)
);

CREATE TABLE IF NOT EXISTS handoff_notices (
  position INTEGER PRIMARY KEY AUTOINCREMENT,
  handoff_id TEXT NOT NULL,
  writer TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('signal', 'cancel')),
  body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS handoff_notices_by_handoff ON handoff_notices (handoff_id);
`;

/**
 * Columns added after the first release (a file made before gets them by ALTER TABLE, filled from
 * the state), then the indexes of the list orders and filters that read them.
 */
const LATER_COLUMNS: [name: string, definition: string, fill: string | null][] = [
  // Older rows: the last time their state shows (finished, started, or created).
  [
    'updated_at',
    'INTEGER',
    "coalesce(json_extract(state, '$.finishedAt'), json_extract(state, '$.startedAt'), created_at)",
  ],
  [
    'retrying',
    'INTEGER NOT NULL DEFAULT 0',
    `EXISTS (SELECT 1 FROM json_each(state, '$.steps') WHERE json_extract(value, '$.finishedAt') IS NULL
       AND json_extract(value, '$.status') IN ('PENDING', 'RUNNING', 'WAITING')
       AND (json_extract(value, '$.retryAt') IS NOT NULL OR json_extract(value, '$.attempts') > 1))`,
  ],
  ['priority_rank', `INTEGER GENERATED ALWAYS AS (${PRIORITY_RANK_SQL}) VIRTUAL`, null],
  // The scheduler's due time (see dueAtOf): an unfinished, unpaused handoff of an older file is due at once.
  [
    'due_at',
    'INTEGER',
    `CASE WHEN status IN ('PAUSED', ${[...FINAL_STATUSES].map((s) => `'${s}'`).join(', ')}) THEN NULL ELSE 0 END`,
  ],
  // Kept only while unfinished: what the deadline sweep reads.
  [
    'deadline_at',
    'INTEGER',
    `CASE WHEN status IN (${[...FINAL_STATUSES].map((s) => `'${s}'`).join(', ')}) THEN NULL ELSE json_extract(state, '$.deadlineAt') END`,
  ],
  ['requests_rev', 'INTEGER NOT NULL DEFAULT 0', null],
];

export const HANDOFF_ORDER_INDEXES = `
CREATE INDEX IF NOT EXISTS handoffs_by_updated ON handoffs (updated_at, id);
CREATE INDEX IF NOT EXISTS handoffs_by_status_updated ON handoffs (status, updated_at, id);
CREATE INDEX IF NOT EXISTS handoffs_by_priority ON handoffs (priority_rank, created_at, id);
CREATE INDEX IF NOT EXISTS handoffs_by_status_priority ON handoffs (status, priority_rank, created_at, id);
CREATE INDEX IF NOT EXISTS handoffs_retrying ON handoffs (created_at, id) WHERE retrying = 1;
CREATE INDEX IF NOT EXISTS handoffs_due ON handoffs (priority_rank, due_at) WHERE due_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS handoffs_overdue ON handoffs (deadline_at) WHERE deadline_at IS NOT NULL;
`;

function addLaterColumns(db: BetterSqlite3.Database): void {
  const present = new Set(db.prepare("SELECT name FROM pragma_table_xinfo('handoffs')").pluck().all() as string[]);
  for (const [name, definition, fill] of LATER_COLUMNS) {
    if (present.has(name)) continue;
    db.exec(`ALTER TABLE handoffs ADD COLUMN ${name} ${definition}`);
    if (fill) db.exec(`UPDATE handoffs SET ${name} = ${fill}`);
  }
}

/**
 * `finished_at` (when a final status was reached), what retention deletes by: added to tables
 * created before it, and filled from the stored state of handoffs already finished.
 */
function addFinishedAt(db: BetterSqlite3.Database): void {
  const columns = db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('handoffs') as string[];
  if (!columns.includes('finished_at')) {
    db.exec('ALTER TABLE handoffs ADD COLUMN finished_at INTEGER');
    db.prepare(
      "UPDATE handoffs SET finished_at = json_extract(state, '$.finishedAt') WHERE status IN (SELECT value FROM json_each(?))",
    ).run(JSON.stringify([...FINAL_STATUSES]));
  }
  db.exec('CREATE INDEX IF NOT EXISTS handoffs_by_finished ON handoffs (finished_at) WHERE finished_at IS NOT NULL');
}

/**
 * Running counts of handoffs by (test or production, status, type, procedure), with the sum and
 * number of their durations, kept by triggers in the transaction of every insert, status change
 * and delete: counts and metrics read a few rows, whatever the history holds.
 */
export const HANDOFF_COUNTS_SCHEMA = `
CREATE TABLE IF NOT EXISTS handoff_counts (
  is_test INTEGER NOT NULL,
  status TEXT NOT NULL,
  type TEXT NOT NULL,
  procedure_id TEXT NOT NULL,
  count INTEGER NOT NULL,
  duration_sum INTEGER NOT NULL,
  duration_count INTEGER NOT NULL,
  PRIMARY KEY (is_test, status, type, procedure_id)
) WITHOUT ROWID;

CREATE TRIGGER IF NOT EXISTS handoff_counts_insert AFTER INSERT ON handoffs BEGIN
  INSERT INTO handoff_counts VALUES (new.test_id IS NOT NULL, new.status, new.type, new.procedure_id, 1, coalesce(new.duration_ms, 0), new.duration_ms IS NOT NULL)
  ON CONFLICT (is_test, status, type, procedure_id) DO UPDATE SET
    count = count + 1, duration_sum = duration_sum + excluded.duration_sum, duration_count = duration_count + excluded.duration_count;
END;

CREATE TRIGGER IF NOT EXISTS handoff_counts_update AFTER UPDATE OF status, duration_ms ON handoffs
WHEN old.status IS NOT new.status OR old.duration_ms IS NOT new.duration_ms BEGIN
  UPDATE handoff_counts SET
    count = count - 1, duration_sum = duration_sum - coalesce(old.duration_ms, 0), duration_count = duration_count - (old.duration_ms IS NOT NULL)
  WHERE is_test = (old.test_id IS NOT NULL) AND status = old.status AND type = old.type AND procedure_id = old.procedure_id;
  INSERT INTO handoff_counts VALUES (new.test_id IS NOT NULL, new.status, new.type, new.procedure_id, 1, coalesce(new.duration_ms, 0), new.duration_ms IS NOT NULL)
  ON CONFLICT (is_test, status, type, procedure_id) DO UPDATE SET
    count = count + 1, duration_sum = duration_sum + excluded.duration_sum, duration_count = duration_count + excluded.duration_count;
END;

CREATE TRIGGER IF NOT EXISTS handoff_counts_delete AFTER DELETE ON handoffs BEGIN
  UPDATE handoff_counts SET
    count = count - 1, duration_sum = duration_sum - coalesce(old.duration_ms, 0), duration_count = duration_count - (old.duration_ms IS NOT NULL)
  WHERE is_test = (old.test_id IS NOT NULL) AND status = old.status AND type = old.type AND procedure_id = old.procedure_id;
END;
`;

/** Counts for a database whose handoffs were stored before the counts table existed. */
export const FILL_HANDOFF_COUNTS = `
INSERT INTO handoff_counts
SELECT test_id IS NOT NULL, status, type, procedure_id, count(*), coalesce(sum(duration_ms), 0), count(duration_ms)
FROM handoffs GROUP BY 1, 2, 3, 4`;

/** A handoff row as the store reads it back. */
export interface HandoffRow {
  id: string;
  version: number;
  seq: number;
  status: string;
  procedure_id: string;
  type: string;
  priority: string;
  created_at: number;
  updated_at: number;
  priority_rank: number;
  duration_ms: number | null;
  state: string;
  metadata: string;
  lease_owner: string | null;
  lease_expires_at: number;
  signals: string;
  cancel_request: string | null;
  requests_rev: number;
}

/**
 * Creates what is missing of the handoff tables, in one write transaction (several processes may
 * start at once); counts for handoffs stored before the counts table existed are filled in there.
 */
export function createHandoffTables(db: BetterSqlite3.Database): void {
  db.transaction(() => {
    const hadCounts =
      db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'handoff_counts'").get() !== undefined;
    db.exec(HANDOFF_SCHEMA);
    addLaterColumns(db);
    db.exec(HANDOFF_ORDER_INDEXES);
    addFinishedAt(db);
    db.exec(HANDOFF_COUNTS_SCHEMA);
    if (!hadCounts) db.exec(FILL_HANDOFF_COUNTS);
  }).immediate();
}
