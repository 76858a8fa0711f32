/**
 * One scale measurement: the real server started on a working copy of a scale file, timed to
 * /ready, its RSS read, then `handoff(id)` and `handoffs(first: 50, COMPLETED)` pages timed one
 * request at a time, and its RSS read again.
 */
import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { encodeHandoffCursor } from '../../src/store/handoff-cursor.js';
import { EMBEDDED_FILE } from '../../src/store/open-database.js';
import { encodeCursor } from '../../src/store/pagination.js';
import { HANDOFF_QUERY } from './bare-yoga.js';
import { log, QUICK, round } from './common.js';
import { type Latency, sequentialLatency } from './http-latency.js';
import { SCALE_CACHE_DIR } from './scale-fixture.js';
import { rssMb, startServerChild, untilIdle } from './server-child.js';

const LOOKUPS = QUICK ? 300 : 2_000;
const PAGES = QUICK ? 150 : 1_000;
const NEWEST_PAGES = QUICK ? 100 : 500;
const COUNTED_PAGES = QUICK ? 10 : 50;
const ORDERED_PAGES = QUICK ? 150 : 1_000;
// The server's first couple of thousand requests run partly unoptimised code (a p99 two to three
// times the steady one in a probe): the measured figures are the steady state, the early lookups the cold start.
const WARMUP = QUICK ? 300 : 2_000;
/** Lookups right after /ready, while start-up work (the background integrity check of a large file) may still run. */
const EARLY_LOOKUPS = QUICK ? 100 : 300;

const PAGE_QUERY = `query Page($after: String) { handoffs(first: 50, after: $after, filter: { status: [COMPLETED] }) {
  edges { cursor node { id handoffId status handoffType createdAt finishedAt durationMs sourceAgent targetAgent procedure { procedureId name } } }
  pageInfo { hasNextPage endCursor } } }`;
/** The same page sorted by priority or by latest change (orderBy), from a cursor into history. */
const ORDERED_PAGE_QUERY = `query Ordered($after: String, $orderBy: HandoffOrder) { handoffs(first: 50, after: $after, orderBy: $orderBy, filter: { status: [COMPLETED] }) {
  edges { cursor node { id handoffId status priority createdAt finishedAt } } pageInfo { hasNextPage endCursor } } }`;
const COUNTED_QUERY = `query Counted { handoffs(first: 50, filter: { status: [COMPLETED] }) { totalCount edges { node { handoffId status createdAt } } } }`;

export interface ScaleMeasurement {
  handoffs: number;
  /** Spawn to the first 200 from /ready. */
  readyMs: number;
  rssAfterStartMb: number;
  /** From /ready until the process went idle (the background integrity check of a large file ends). */
  settleMs: number;
  earlyLookup: Latency;
  lookup: Latency;
  /** Pages starting at random points of history (a cursor into it). */
  page: Latency;
  /** The newest page, asked again and again (a dashboard). */
  newestPage: Latency;
  countedPage: Latency;
  /** Pages from random points of history, sorted by PRIORITY (DESC) or UPDATED_AT (DESC), alternately. */
  orderedPage: Latency;
  rssAfterQueriesMb: number;
  copySeconds: number;
}

interface Position {
  id: string;
  createdAt: number;
  updatedAt: number;
  priorityRank: number;
}

/** Random stored handoffs (by rowid: the fixture writes rows 1…N). */
function randomPositions(file: string, handoffs: number, count: number): Position[] {
  const db = new BetterSqlite3(file, { readonly: true });
  try {
    const at = db.prepare(
      'SELECT id, created_at AS createdAt, updated_at AS updatedAt, priority_rank AS priorityRank FROM handoffs WHERE rowid = ?',
    );
    const positions: Position[] = [];
    while (positions.length < count) {
      const row = at.get(1 + Math.floor(Math.random() * handoffs)) as Position | undefined;
      if (row) positions.push(row);
    }
    return positions;
  } finally {
    db.close();
  }
}

const body = (query: string, variables: Record<string, unknown> = {}) => JSON.stringify({ query, variables });

function expectHandoff(answer: { data?: unknown }): void {
  if (!(answer.data as { handoff: unknown } | undefined)?.handoff)
    throw new Error('handoff(id) answered null for a stored handoff');
}

function expectPage(answer: { data?: unknown }): void {
  const edges = (answer.data as { handoffs?: { edges?: unknown[] } } | undefined)?.handoffs?.edges;
  if (!edges || edges.length === 0) throw new Error('handoffs page came back empty');
}

/** Copies `cached` to a scratch directory, measures the server on it, and removes the copy. */
export async function measureScale(cached: string, handoffs: number): Promise<ScaleMeasurement> {
  const dir = fs.mkdtempSync(path.join(SCALE_CACHE_DIR, 'run-'));
  try {
    const copyStarted = performance.now();
    const file = path.join(dir, EMBEDDED_FILE);
    fs.copyFileSync(cached, file);
    const copySeconds = round((performance.now() - copyStarted) / 1000, 1);
    const positions = randomPositions(
      file,
      handoffs,
      EARLY_LOOKUPS + WARMUP + WARMUP / 4 + LOOKUPS + PAGES + ORDERED_PAGES,
    );
    const take = (count: number) => positions.splice(0, count);
    const lookups = (count: number) => take(count).map(({ id }) => body(HANDOFF_QUERY, { id }));

    const server = await startServerChild({ STORE: 'embedded', DATA_DIR: dir });
    try {
      const rssAfterStartMb = rssMb(server.pid);
      const url = `${server.origin}/graphql`;
      log(`scale ${handoffs}: /ready after ${round(server.readyMs)} ms, RSS ${round(rssAfterStartMb)} MB`);
      const earlyLookup = await sequentialLatency(url, lookups(EARLY_LOOKUPS), expectHandoff);
      const settle = await untilIdle(server.pid);
      if (!settle.idle) log(`scale ${handoffs}: the server was still busy ${round(settle.ms / 1000)} s after /ready`);
      await sequentialLatency(url, lookups(WARMUP), expectHandoff);
      await sequentialLatency(
        url,
        take(WARMUP / 4).map(({ id, createdAt }) => body(PAGE_QUERY, { after: encodeCursor(createdAt, id) })),
        () => undefined,
      );
      const lookup = await sequentialLatency(url, lookups(LOOKUPS), expectHandoff);
      const page = await sequentialLatency(
        url,
        take(PAGES).map(({ id, createdAt }) => body(PAGE_QUERY, { after: encodeCursor(createdAt, id) })),
        () => undefined,
      );
      const newestPage = await sequentialLatency(
        url,
        Array.from({ length: NEWEST_PAGES }, () => body(PAGE_QUERY)),
        expectPage,
      );
      const countedPage = await sequentialLatency(
        url,
        Array.from({ length: COUNTED_PAGES }, () => body(COUNTED_QUERY)),
        expectPage,
      );
      const orderedPage = await sequentialLatency(
        url,
        take(ORDERED_PAGES).map((position, index) => {
          const orderBy =
            index % 2
              ? { field: 'UPDATED_AT' as const, direction: 'DESC' as const }
              : { field: 'PRIORITY' as const, direction: 'DESC' as const };
          const key = orderBy.field === 'PRIORITY' ? [position.priorityRank, position.createdAt] : [position.updatedAt];
          return body(ORDERED_PAGE_QUERY, { orderBy, after: encodeHandoffCursor(orderBy, { key, id: position.id }) });
        }),
        () => undefined,
      );
      const rssAfterQueriesMb = rssMb(server.pid);
      log(
        `scale ${handoffs}: handoff(id) p99 ${lookup.p99Ms} ms, page p99 ${page.p99Ms} ms, ordered page p99 ${orderedPage.p99Ms} ms, RSS after queries ${round(rssAfterQueriesMb)} MB`,
      );
      return {
        handoffs,
        readyMs: server.readyMs,
        rssAfterStartMb,
        settleMs: settle.ms,
        earlyLookup,
        lookup,
        page,
        newestPage,
        countedPage,
        orderedPage,
        rssAfterQueriesMb,
        copySeconds,
      };
    } finally {
      await server.stop();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Start-up on an empty data directory: what the server costs before any history. The first start also warms tsx's cache. */
export async function measureEmptyStart(): Promise<{ readyMs: number; rssMb: number }> {
  let result = { readyMs: 0, rssMb: 0 };
  for (let start = 0; start < 2; start++) {
    const dir = fs.mkdtempSync(path.join(SCALE_CACHE_DIR, 'empty-'));
    try {
      const server = await startServerChild({ STORE: 'embedded', DATA_DIR: dir });
      result = { readyMs: server.readyMs, rssMb: rssMb(server.pid) };
      await server.stop();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  log(`scale: empty store, /ready after ${round(result.readyMs)} ms, RSS ${round(result.rssMb)} MB`);
  return result;
}
