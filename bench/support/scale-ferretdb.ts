/**
 * The scale part's FerretDB column: FerretDB databases holding the same kind of finished handoffs as
 * the SQLite scale files (clones of real ones, with their events), written straight in with the
 * driver, cached beside the SQLite files; and the real server (its own process) on a working copy,
 * measured as on SQLite but with fewer samples: on FerretDB a filtered page reads every stored handoff.
 */
import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { MongoClient } from 'mongodb';
import type { FerretDBServer } from '../../scripts/ferretdb/ferretdb-server.js';
import type { Handoff } from '../../src/engine/kernel/handoff/handoff.js';
import type { HandoffEvent } from '../../src/engine/kernel/handoff/handoff-event.js';
import { MongoDatabase } from '../../src/store/adapters/mongo.js';
import { eventDocument } from '../../src/store/event-log.js';
import { handoffFromText } from '../../src/store/handoff-text.js';
import { openStores } from '../../src/store/open-stores.js';
import { encodeCursor } from '../../src/store/pagination.js';
import { finishedHandoffDocument } from '../../src/store/repositories/handoff-repository.js';
import { HANDOFF_QUERY } from './bare-yoga.js';
import { log, QUICK, round } from './common.js';
import { databaseUrl, startBenchFerretDB } from './ferretdb.js';
import { type Latency, sequentialLatency } from './http-latency.js';
import { type CloneOptions, cloneHandoff } from './scale-clone.js';
import { SCALE_CACHE_DIR } from './scale-fixture.js';
import type { SampleHandoff } from './scale-sample.js';
import { rssMb, startServerChild } from './server-child.js';

/** Start-up reads every stored handoff on FerretDB (15.7 s at 10k on 2026-12-07): 100k takes minutes, not seconds. */
const FERRETDB_READY_WITHIN_MS = 20 * 60_000;

/** Bump when the written documents change, so cached databases are rebuilt. */
const FERRET_FIXTURE_VERSION = 1;
const CACHE = path.join(SCALE_CACHE_DIR, `ferretdb-${FERRET_FIXTURE_VERSION}`);
const HISTORY_DAYS = 180;
const HANDOFFS_PER_BATCH = 1_000;
/** Stored handoffs whose id and creation time the sidecar keeps: what lookups and cursors are drawn from. */
const POSITIONS = 2_000;
const LOOKUPS = QUICK ? 50 : 300;
/** Each reads every stored handoff on FerretDB: a few are enough for the figure, and more would take minutes. */
const PAGES = QUICK ? 3 : 10;
const COUNTED_PAGES = QUICK ? 2 : 5;

const PAGE_QUERY = `query Page($after: String) { handoffs(first: 50, after: $after, filter: { status: [COMPLETED] }) {
  edges { cursor node { id handoffId status handoffType createdAt finishedAt durationMs sourceAgent targetAgent procedure { procedureId name } } }
  pageInfo { hasNextPage endCursor } } }`;
const COUNTED_QUERY = `query Counted { handoffs(first: 50, filter: { status: [COMPLETED] }) { totalCount edges { node { handoffId status createdAt } } } }`;

interface Sidecar {
  version: number;
  handoffs: number;
  events: number;
  builtAt: string;
  buildSeconds: number;
  positions: { id: string; createdAt: number }[];
}

export interface FerretScaleMeasurement {
  handoffs: number;
  readyMs: number;
  rssAfterStartMb: number;
  lookup: Latency;
  page: Latency;
  countedPage: Latency;
  rssAfterQueriesMb: number;
  buildSeconds: number;
  cached: boolean;
}

const databaseOf = (handoffs: number) => `scale_${handoffs}`;
const sidecarOf = (handoffs: number) => path.join(CACHE, `${databaseOf(handoffs)}.json`);

function readSidecar(handoffs: number): Sidecar | null {
  try {
    const sidecar = JSON.parse(fs.readFileSync(sidecarOf(handoffs), 'utf8')) as Sidecar;
    const file = path.join(CACHE, `${databaseOf(handoffs)}.sqlite`);
    return sidecar.version === FERRET_FIXTURE_VERSION && sidecar.handoffs === handoffs && fs.existsSync(file)
      ? sidecar
      : null;
  } catch {
    return null;
  }
}

/**
 * FerretDB databases with each of `sizes` finished handoffs, built (a FerretDB on the cache directory) or
 * taken from the cache. `base` is the scale part's sample file: its procedures, rules and agents are copied.
 */
export async function ferretScaleDatabases(
  binary: string,
  sizes: number[],
  base: string,
  samples: SampleHandoff[],
): Promise<Map<number, { sidecar: Sidecar; cached: boolean }>> {
  const built = new Map<number, { sidecar: Sidecar; cached: boolean }>();
  const missing: number[] = [];
  for (const handoffs of sizes) {
    const sidecar = readSidecar(handoffs);
    if (sidecar) built.set(handoffs, { sidecar, cached: true });
    else missing.push(handoffs);
  }
  if (missing.length === 0) return built;
  const server = await startBenchFerretDB(binary, CACHE);
  try {
    for (const handoffs of missing)
      built.set(handoffs, { sidecar: await build(server, handoffs, base, samples), cached: false });
  } finally {
    await server.dispose();
  }
  return built;
}

async function build(
  server: FerretDBServer,
  handoffs: number,
  base: string,
  samples: SampleHandoff[],
): Promise<Sidecar> {
  const started = performance.now();
  const database = databaseOf(handoffs);
  fs.rmSync(sidecarOf(handoffs), { force: true });
  // Collections and indexes as the server makes them, then the base file's documents (procedures, rules, agents).
  const adapter = await MongoDatabase.connect(databaseUrl(server, database));
  await adapter.dropDatabase();
  await adapter.close();
  const fresh = await MongoDatabase.connect(databaseUrl(server, database));
  await openStores(fresh, { writer: 'bench-scale' });
  await fresh.close();
  const client = new MongoClient(server.url);
  try {
    const db = client.db(database);
    const sqlite = new BetterSqlite3(base, { readonly: true });
    try {
      const tables = sqlite
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'doc_%'")
        .pluck()
        .all() as string[];
      for (const table of tables) {
        const docs = (sqlite.prepare(`SELECT doc FROM "${table}"`).pluck().all() as string[]).map((doc) =>
          JSON.parse(doc),
        );
        // Replaced, not inserted: opening the stores above already wrote some of them (seeds, migration markers).
        if (docs.length > 0)
          await db
            .collection(table.slice('doc_'.length))
            .bulkWrite(
              docs.map((doc) => ({ replaceOne: { filter: { _id: doc._id }, replacement: doc, upsert: true } })),
            );
      }
    } finally {
      sqlite.close();
    }
    const end = Date.now() - 86_400_000;
    const options: CloneOptions = {
      samples,
      seed: handoffs,
      start: end - HISTORY_DAYS * 86_400_000,
      spacingMs: (HISTORY_DAYS * 86_400_000) / handoffs,
    };
    const every = Math.max(1, Math.floor(handoffs / POSITIONS));
    const positions: Sidecar['positions'] = [];
    let events = 0;
    for (let from = 0; from < handoffs; from += HANDOFFS_PER_BATCH) {
      const documents = [];
      const eventDocuments: ReturnType<typeof eventDocument>[] = [];
      for (let index = from; index < Math.min(handoffs, from + HANDOFFS_PER_BATCH); index++) {
        const clone = cloneHandoff(options, index);
        const handoff: Handoff = {
          ...handoffFromText(clone.row.state, clone.row.metadata),
          version: clone.row.version,
          seq: clone.row.seq,
        };
        const parsed = clone.events.map((text) => JSON.parse(text) as HandoffEvent);
        const cancel = clone.row.cancel_request ? JSON.parse(clone.row.cancel_request) : null;
        documents.push(finishedHandoffDocument(handoff, { ...parsed.at(-1)!, seq: parsed.length }, cancel));
        clone.events.forEach((text, i) => eventDocuments.push(eventDocument(handoff.id, i + 1, parsed[i]!.at, text)));
        events += clone.events.length;
        if (index % every === 0) positions.push({ id: handoff.id, createdAt: handoff.createdAt });
      }
      await db.collection('handoffs').insertMany(documents as never[], { ordered: false });
      await db.collection('handoff_events').insertMany(eventDocuments as never[], { ordered: false });
      if (from > 0 && from % 20_000 === 0)
        log(`scale FerretDB: ${from.toLocaleString('en-US')} of ${handoffs.toLocaleString('en-US')} written`);
    }
    const sidecar: Sidecar = {
      version: FERRET_FIXTURE_VERSION,
      handoffs,
      events,
      builtAt: new Date().toISOString(),
      buildSeconds: round((performance.now() - started) / 1000, 1),
      positions,
    };
    fs.writeFileSync(sidecarOf(handoffs), JSON.stringify(sidecar));
    log(
      `scale FerretDB: built ${handoffs.toLocaleString('en-US')} handoffs (${events.toLocaleString('en-US')} events) in ${sidecar.buildSeconds} s`,
    );
    return sidecar;
  } finally {
    await client.close();
  }
}

const body = (query: string, variables: Record<string, unknown> = {}) => JSON.stringify({ query, variables });

/** The server on a working copy of the cached database (in a FerretDB of its own), measured and stopped. */
export async function measureFerretScale(
  binary: string,
  handoffs: number,
  built: { sidecar: Sidecar; cached: boolean },
): Promise<FerretScaleMeasurement> {
  const dir = fs.mkdtempSync(path.join(SCALE_CACHE_DIR, 'ferretdb-run-'));
  try {
    for (const suffix of ['.sqlite', '.sqlite-wal', '.sqlite-shm']) {
      const file = path.join(CACHE, `${databaseOf(handoffs)}${suffix}`);
      if (fs.existsSync(file)) fs.copyFileSync(file, path.join(dir, path.basename(file)));
    }
    const ferret = await startBenchFerretDB(binary, dir);
    try {
      const server = await startServerChild(
        { STORE: 'mongo', MONGODB_URL: databaseUrl(ferret, databaseOf(handoffs)) },
        'compiled',
        FERRETDB_READY_WITHIN_MS,
      );
      try {
        const rssAfterStartMb = rssMb(server.pid);
        const url = `${server.origin}/graphql`;
        log(`scale FerretDB ${handoffs}: /ready after ${round(server.readyMs)} ms, RSS ${round(rssAfterStartMb)} MB`);
        const { positions } = built.sidecar;
        const pick = (count: number) =>
          Array.from({ length: count }, () => positions[Math.floor(Math.random() * positions.length)]!);
        const expectHandoff = (answer: { data?: unknown }) => {
          if (!(answer.data as { handoff: unknown } | undefined)?.handoff) throw new Error('handoff(id) answered null');
        };
        await sequentialLatency(
          url,
          pick(50).map(({ id }) => body(HANDOFF_QUERY, { id })),
          expectHandoff,
        );
        const lookup = await sequentialLatency(
          url,
          pick(LOOKUPS).map(({ id }) => body(HANDOFF_QUERY, { id })),
          expectHandoff,
        );
        const page = await sequentialLatency(
          url,
          pick(PAGES).map(({ id, createdAt }) => body(PAGE_QUERY, { after: encodeCursor(createdAt, id) })),
          () => undefined,
        );
        const countedPage = await sequentialLatency(
          url,
          Array.from({ length: COUNTED_PAGES }, () => body(COUNTED_QUERY)),
          () => undefined,
        );
        const rssAfterQueriesMb = rssMb(server.pid);
        log(
          `scale FerretDB ${handoffs}: handoff(id) p99 ${lookup.p99Ms} ms, page p99 ${page.p99Ms} ms, RSS ${round(rssAfterQueriesMb)} MB`,
        );
        return {
          handoffs,
          readyMs: server.readyMs,
          rssAfterStartMb,
          lookup,
          page,
          countedPage,
          rssAfterQueriesMb,
          buildSeconds: built.sidecar.buildSeconds,
          cached: built.cached,
        };
      } finally {
        await server.stop();
      }
    } finally {
      await ferret.dispose();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
