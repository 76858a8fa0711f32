/**
 * Embedded store files holding N finished handoffs (each with its events), for the scale part.
 * Rows are clones of real ones (scale-sample.ts) with new ids, times, agents and final statuses,
 * written straight into the native tables in large transactions. A built file is cached under
 * the temp dir with a sidecar describing it, and reused while its schema matches what the
 * current code creates.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { log, round } from './common.js';
import { type CloneOptions, cloneHandoff } from './scale-clone.js';
import { type SampleHandoff, sampleHandoffs } from './scale-sample.js';

export const SCALE_CACHE_DIR = path.join(os.tmpdir(), 'handoff-bench-scale');
/** Bump when the generated rows change, so cached files are rebuilt. */
const FIXTURE_VERSION = 3;
const HANDOFFS_PER_TRANSACTION = 20_000;
/** History ends a day before the build and spreads evenly over this span. */
const HISTORY_DAYS = 180;

interface Sidecar {
  version: number;
  handoffs: number;
  events: number;
  schema: string;
  builtAt: string;
  buildSeconds: number;
  bytes: number;
}

export interface ScaleFile {
  file: string;
  handoffs: number;
  bytes: number;
  /** How long building took (this run, or when the cached file was built). */
  buildSeconds: number;
  cached: boolean;
}

/** Every table and index as SQL text: what a cached file must match. */
function schemaOf(db: BetterSqlite3.Database): string {
  const rows = db
    .prepare("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name")
    .all();
  return JSON.stringify(rows);
}

function readSidecar(file: string): Sidecar | null {
  try {
    return JSON.parse(fs.readFileSync(`${file}.json`, 'utf8')) as Sidecar;
  } catch {
    return null;
  }
}

/**
 * Files with each of `sizes` handoffs, built or taken from the cache. Runs the sample handoffs
 * once (a second or two) to learn the current schema and rows; `alsoWith` gets them too (the base
 * file without handoffs, and the samples), before they are removed.
 */
export async function scaleFiles(
  sizes: number[],
  alsoWith?: (base: string, samples: SampleHandoff[]) => Promise<void>,
): Promise<ScaleFile[]> {
  fs.mkdirSync(SCALE_CACHE_DIR, { recursive: true });
  const sampleDir = fs.mkdtempSync(path.join(SCALE_CACHE_DIR, 'sample-'));
  try {
    const { file: base, samples } = await sampleHandoffs(sampleDir);
    const schema = withoutHandoffs(base);
    const files: ScaleFile[] = [];
    for (const handoffs of sizes) files.push(cachedOrBuilt(handoffs, base, schema, samples));
    await alsoWith?.(base, samples);
    return files;
  } finally {
    fs.rmSync(sampleDir, { recursive: true, force: true });
  }
}

/** Deletes the sample handoffs from the base file (the clones replace them); returns its schema. */
function withoutHandoffs(base: string): string {
  const db = new BetterSqlite3(base);
  try {
    db.exec('DELETE FROM handoff_events; DELETE FROM handoff_notices; DELETE FROM handoffs;');
    // The sample run's insight fold stood at its own last event: with it gone, a server on the file
    // starts folding at the newest clone (as a store whose history predates insight would), not
    // through millions of events in the background while it is measured.
    db.exec(
      'DELETE FROM doc_insight_fold; DELETE FROM doc_insight_series; DELETE FROM doc_insight_steps; DELETE FROM doc_insight_stats;',
    );
    db.pragma('wal_checkpoint(TRUNCATE)');
    return schemaOf(db);
  } finally {
    db.close();
  }
}

function cachedOrBuilt(handoffs: number, base: string, schema: string, samples: SampleHandoff[]): ScaleFile {
  const file = path.join(SCALE_CACHE_DIR, `${handoffs}.sqlite`);
  const sidecar = readSidecar(file);
  if (
    sidecar &&
    fs.existsSync(file) &&
    sidecar.version === FIXTURE_VERSION &&
    sidecar.handoffs === handoffs &&
    sidecar.schema === schema &&
    fs.statSync(file).size === sidecar.bytes
  ) {
    log(
      `scale: ${handoffs.toLocaleString('en-US')} handoffs cached in ${file} (built ${sidecar.builtAt} in ${sidecar.buildSeconds} s)`,
    );
    return { file, handoffs, bytes: sidecar.bytes, buildSeconds: sidecar.buildSeconds, cached: true };
  }
  checkFreeSpace(handoffs);
  const started = performance.now();
  const partial = `${file}.partial`;
  fs.rmSync(`${file}.json`, { force: true });
  fs.copyFileSync(base, partial);
  const events = fill(partial, handoffs, samples);
  const buildSeconds = round((performance.now() - started) / 1000, 1);
  fs.renameSync(partial, file);
  const bytes = fs.statSync(file).size;
  const written: Sidecar = {
    version: FIXTURE_VERSION,
    handoffs,
    events,
    schema,
    builtAt: new Date().toISOString(),
    buildSeconds,
    bytes,
  };
  fs.writeFileSync(`${file}.json`, JSON.stringify(written));
  log(
    `scale: built ${handoffs.toLocaleString('en-US')} handoffs (${events.toLocaleString('en-US')} events, ${round(bytes / 2 ** 20)} MB) in ${buildSeconds} s`,
  );
  return { file, handoffs, bytes, buildSeconds, cached: false };
}

/** About 7 KB a handoff with its events and indexes; the build and one working copy must fit. */
function checkFreeSpace(handoffs: number): void {
  const { bavail, bsize } = fs.statfsSync(SCALE_CACHE_DIR);
  const needed = handoffs * 7_000 * 2.2;
  if (bavail * bsize < needed) {
    throw new Error(
      `scale: ${round((bavail * bsize) / 2 ** 30, 1)} GB free in ${SCALE_CACHE_DIR}, about ${round(needed / 2 ** 30, 1)} GB needed for ${handoffs} handoffs`,
    );
  }
}

/** Writes `handoffs` clones into `file` oldest first, without a journal (a failed build is discarded whole). */
function fill(file: string, handoffs: number, samples: SampleHandoff[]): number {
  const db = new BetterSqlite3(file);
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma('locking_mode = EXCLUSIVE');
  // The primary key and (handoff_id, seq) indexes take random ids: keep them in memory while building.
  db.pragma(`cache_size = ${-2 * 1024 * 1024}`);
  const insertHandoff = db.prepare(
    `INSERT INTO handoffs (id, version, seq, status, procedure_id, type, priority, source_agent, target_agent, source_phase,
       test_id, created_at, duration_ms, state, metadata, lease_owner, lease_expires_at, signals, cancel_request, updated_at)
     VALUES (@id, @version, @seq, @status, @procedure_id, @type, @priority, @source_agent, @target_agent, @source_phase,
       NULL, @created_at, @duration_ms, @state, @metadata, NULL, 0, '{}', @cancel_request, @updated_at)`,
  );
  const insertEvent = db.prepare(
    "INSERT INTO handoff_events (handoff_id, seq, writer, body) VALUES (?, ?, 'bench-scale', ?)",
  );
  const end = Date.now() - 86_400_000;
  const options: CloneOptions = {
    samples,
    seed: handoffs,
    start: end - HISTORY_DAYS * 86_400_000,
    spacingMs: (HISTORY_DAYS * 86_400_000) / handoffs,
  };
  let events = 0;
  const writeBatch = db.transaction((from: number, to: number) => {
    for (let index = from; index < to; index++) {
      const clone = cloneHandoff(options, index);
      insertHandoff.run(clone.row);
      clone.events.forEach((body, i) => insertEvent.run(clone.row.id, i + 1, body));
      events += clone.events.length;
    }
  });
  const started = performance.now();
  for (let from = 0; from < handoffs; from += HANDOFFS_PER_TRANSACTION) {
    writeBatch(from, Math.min(handoffs, from + HANDOFFS_PER_TRANSACTION));
    if (from > 0 && from % 200_000 === 0)
      log(
        `scale: ${from.toLocaleString('en-US')} of ${handoffs.toLocaleString('en-US')} written (${round((performance.now() - started) / 1000)} s)`,
      );
  }
  // The server opens the file in WAL mode as it would a file it had written itself.
  db.pragma('locking_mode = NORMAL');
  db.pragma('journal_mode = WAL');
  db.close();
  return events;
}
