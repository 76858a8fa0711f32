/**
 * 12. The change feed between processes: how long a signal recorded by one process takes to reach
 * another that follows the store's changes as the engine does (every CHANGE_POLL_MS, 50 ms), on the
 * embedded file store (rowids) and on FerretDB through the MongoDB adapter (its change log by
 * position). From the recording write's return to the follower's delivery. Busy: a signal every 20 ms;
 * quiet: one every 500 ms (FerretDB's feed reads less often while nothing comes).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FerretDBServer } from '../../scripts/ferretdb/ferretdb-server.js';
import type { EngineStores } from '../../src/engine/engine-stores.js';
import { followHandoffChanges } from '../../src/engine/kernel/events/follow-handoff-changes.js';
import type { Handoff } from '../../src/engine/kernel/handoff/handoff.js';
import { systemClock } from '../../src/engine/shared/clock.js';
import { silentLogger } from '../../src/engine/shared/logger.js';
import { MongoDatabase } from '../../src/store/adapters/mongo.js';
import type { Database } from '../../src/store/collection.js';
import { EMBEDDED_FILE } from '../../src/store/open-database.js';
import { openStores } from '../../src/store/open-stores.js';
import { SqliteDatabase } from '../../src/store/sqlite/sqlite-database.js';
import { log, QUICK, type Row, report, round } from '../support/common.js';
import { benchFerretDBBinary, databaseUrl, FERRETDB_LABEL, startBenchFerretDB } from '../support/ferretdb.js';
import { latencyHistogram } from '../support/histogram.js';

const POLL_MS = 50;
const SIGNALS = QUICK ? 40 : 200;
const QUIET_SIGNALS = QUICK ? 10 : 40;

function handoff(id: string): Handoff {
  return {
    id,
    procedureId: 'P',
    procedureVersion: 1,
    type: 'AGENT_HANDOFF',
    priority: 'MEDIUM',
    sourcePhase: null,
    targetPhase: null,
    sourceAgent: null,
    targetAgent: null,
    metadata: {},
    status: 'RUNNING',
    steps: [],
    currentStep: 0,
    error: null,
    cancelReason: null,
    createdAt: Date.now(),
    startedAt: null,
    finishedAt: null,
    version: 0,
    seq: 0,
    test: null,
  } as Handoff;
}

interface Pair {
  writer: EngineStores;
  follower: EngineStores;
  dispose(): Promise<void>;
}

/** One signal after another, `spacingMs` apart; the latency of each, from its write's return to its delivery. */
async function measure(
  pair: Pair,
  count: number,
  spacingMs: number,
): Promise<{ p50: number; p99: number; max: number }> {
  const sentAt = new Map<string, number>();
  const arrived = new Map<string, number>();
  const stop = await followHandoffChanges(pair.follower.handoffChanges!, {
    clock: systemClock,
    pollMs: POLL_MS,
    logger: silentLogger,
    listener: {
      events: () => undefined,
      cancel: () => undefined,
      other: () => undefined,
      signal: (_id, step) => {
        if (!arrived.has(step)) arrived.set(step, performance.now());
      },
    },
  });
  try {
    const id = `feed_${Math.random().toString(36).slice(2)}`;
    await pair.writer.handoffs.create(handoff(id), [{ type: 'HANDOFF_CREATED', step: null, message: '' }], Date.now());
    for (let n = 0; n < count; n++) {
      const step = `s${n}`;
      await pair.writer.handoffs.recordSignal(id, step, n, Date.now());
      sentAt.set(step, performance.now());
      await new Promise((resolve) => setTimeout(resolve, spacingMs));
    }
    while (arrived.size < count) await new Promise((resolve) => setTimeout(resolve, 20));
  } finally {
    stop();
  }
  const histogram = latencyHistogram();
  for (const [step, at] of arrived) histogram.recordValue(Math.max(0, Math.round((at - sentAt.get(step)!) * 1000)));
  return {
    p50: round(histogram.getValueAtPercentile(50) / 1000, 1),
    p99: round(histogram.getValueAtPercentile(99) / 1000, 1),
    max: round(histogram.maxValue / 1000, 1),
  };
}

async function sqlitePair(): Promise<Pair> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-bench-feed-'));
  const dbs: Database[] = [
    SqliteDatabase.open(path.join(dir, EMBEDDED_FILE)),
    SqliteDatabase.open(path.join(dir, EMBEDDED_FILE)),
  ];
  return {
    writer: await openStores(dbs[0]!, { writer: 'writer' }),
    follower: await openStores(dbs[1]!, { writer: 'follower' }),
    async dispose() {
      for (const db of dbs) await db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function ferretPair(server: FerretDBServer): Promise<Pair> {
  const url = databaseUrl(server, 'bench_feed');
  const dbs = [await MongoDatabase.connect(url), await MongoDatabase.connect(url)];
  return {
    writer: await openStores(dbs[0]!, { writer: 'writer' }),
    follower: await openStores(dbs[1]!, { writer: 'follower' }),
    async dispose() {
      await dbs[0]!.dropDatabase();
      for (const db of dbs) await db.close();
    },
  };
}

const rows: Row[] = [];
const measured: Record<string, unknown> = {};
const stores: { name: string; open: () => Promise<Pair> }[] = [{ name: 'file store (SQLite)', open: sqlitePair }];
const ferretdb = benchFerretDBBinary();
let ferret: FerretDBServer | null = null;
if (ferretdb.binary) {
  ferret = await startBenchFerretDB(ferretdb.binary);
  stores.push({ name: FERRETDB_LABEL, open: () => ferretPair(ferret!) });
} else log(`feed: no FerretDB column (${ferretdb.why})`);

for (const store of stores) {
  for (const [load, count, spacing] of [
    ['busy', SIGNALS, 20],
    ['quiet', QUIET_SIGNALS, 500],
  ] as const) {
    const pair = await store.open();
    try {
      const latency = await measure(pair, count, spacing);
      measured[`${store.name} ${load}`] = latency;
      log(`feed, ${store.name}, ${load}: p50 ${latency.p50} ms, p99 ${latency.p99} ms, max ${latency.max} ms`);
      rows.push({
        section: 'feed',
        name: `a signal from another process, ${store.name}, ${load} (one every ${spacing} ms) p99`,
        value: latency.p99,
        unit: 'ms',
        note: `p50 ${latency.p50} ms, max ${latency.max} ms; ${count} signals; the follower reads every ${POLL_MS} ms`,
      });
    } finally {
      await pair.dispose();
    }
  }
}
await ferret?.dispose();
report({ rows, details: { pollMs: POLL_MS, measured } });
