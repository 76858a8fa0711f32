/**
 * The handoff tables of the embedded store. Everything the API filters or sorts on is a column
 * with an index; the state and metadata are JSON text, read whole.
 *
 * `handoff_events.position` and `handoff_notices.position` are rowids: SQLite admits one writer at
 * a time and gives each new row the largest rowid plus one, so positions grow in commit order and
 * another process can follow both tables exactly by position (the change feed).
 */
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
  state TEXT NOT NULL,
  metadata TEXT NOT NULL,
  lease_owner TEXT,
  lease_expires_at INTEGER NOT NULL DEFAULT 0,
  signals TEXT NOT NULL DEFAULT '{}',
  cancel_request TEXT
);
CREATE INDEX IF NOT EXISTS handoffs_by_status ON handoffs (status, created_at, id);
CREATE INDEX IF NOT EXISTS handoffs_by_created ON handoffs (created_at, id);
CREATE INDEX IF NOT EXISTS handoffs_by_procedure ON handoffs (procedure_id, created_at, id);
CREATE INDEX IF NOT EXISTS handoffs_by_source_agent ON handoffs (source_agent, created_at, id) WHERE source_agent IS NOT NULL;
CREATE INDEX IF NOT EXISTS handoffs_by_target_agent ON handoffs (target_agent, created_at, id) WHERE target_agent IS NOT NULL;
CREATE INDEX IF NOT EXISTS handoffs_by_test ON handoffs (test_id, created_at, id) WHERE test_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS handoffs_by_lease_owner ON handoffs (lease_owner) WHERE lease_owner IS NOT NULL;

CREATE TABLE IF NOT EXISTS handoff_events (
  position INTEGER PRIMARY KEY,
  handoff_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  writer TEXT NOT NULL,
  body TEXT NOT NULL,
  UNIQUE (handoff_id, seq)
);

CREATE TABLE IF NOT EXISTS handoff_notices (
  position INTEGER PRIMARY KEY,
  handoff_id TEXT NOT NULL,
  writer TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('signal', 'cancel')),
  body TEXT NOT NULL
);
`;

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
  duration_ms: number | null;
  state: string;
  metadata: string;
  lease_owner: string | null;
  lease_expires_at: number;
  signals: string;
  cancel_request: string | null;
}
