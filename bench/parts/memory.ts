/**
 * 5. Memory after 10,000 completed handoffs on the in-memory store (SQLite in memory: its rows
 * live outside the JavaScript heap, so the store's own size is sampled too), sampled every 2,000
 * after a forced GC (run with --expose-gc). Two passes in this process's engine:
 *  - keep:  the store keeps every handoff and event (growth = stored data);
 *  - purge: after each batch the completed handoffs' rows are deleted, so what remains
 *           is the engine itself (runner, queue, topic, subscriptions): it must plateau.
 * During both, a `handoffEvents` stream (engine.handoffs.live) is consumed, and per batch 100
 * `handoffProgress` streams are opened and run to their end, to catch listener leaks.
 */
import { SqliteDatabase } from '../../src/store/sqlite/sqlite-database.js';
import { gc, log, memory, QUICK, type Row, report, round } from '../support/common.js';
import {
  closeEngine,
  openEngine,
  purgeHandoffs,
  runEngineBatch,
  storedHandoffDocs,
} from '../support/engine-harness.js';

const TOTAL = QUICK ? 2_000 : 10_000;
const EVERY = QUICK ? 500 : 2_000;
const WARM = 200;
/** Events of one four-noop handoff: created, gates, started, 2 per step, completed. */
const EVENTS_PER_HANDOFF = 12;

interface Sample {
  handoffs: number;
  rssMb: number;
  heapMb: number;
  storeMb: number;
  storedDocs: number;
  listeners: number;
  active: number;
}

/** The in-memory database's size: SQLite keeps the rows outside the JavaScript heap. */
function storeMb(db: SqliteDatabase): number {
  const pages = db.connection.pragma('page_count', { simple: true }) as number;
  const pageSize = db.connection.pragma('page_size', { simple: true }) as number;
  return (pages * pageSize) / 2 ** 20;
}

async function pass(mode: 'keep' | 'purge'): Promise<Sample[]> {
  const db = SqliteDatabase.inMemory();
  const engine = await openEngine(db);
  let liveEvents = 0;
  const live = engine.handoffs.live(true);
  const consuming = (async () => {
    for await (const _event of live) liveEvents++;
  })();
  // The SQLite store answers synchronously, so a batch runs on microtasks and the stream's consumer
  // falls behind (events wait in its buffer); let it catch up before sampling or ending the stream.
  const caughtUp = async (handoffs: number) => {
    const started = performance.now();
    while (liveEvents < handoffs * EVENTS_PER_HANDOFF && performance.now() - started < 10_000)
      await new Promise(setImmediate);
  };
  const sample = async (handoffs: number): Promise<Sample> => {
    gc();
    const { rssMb, heapMb } = memory();
    return {
      handoffs,
      rssMb: round(rssMb, 1),
      heapMb: round(heapMb, 1),
      storeMb: round(storeMb(db), 1),
      storedDocs: await storedHandoffDocs(db),
      listeners: engine.handoffs.events.subscriberCount,
      active: engine.runner.activeIds.length,
    };
  };
  await runEngineBatch(engine, WARM, `${mode}_warm`);
  await caughtUp(WARM);
  if (mode === 'purge') await purgeHandoffs(db);
  const samples = [await sample(0)];
  for (let done = 0; done < TOTAL; done += EVERY) {
    const batch = `${mode}_${done}`;
    const progress = Array.from({ length: 100 }, (_, i) => drain(engine.handoffs.progress(`${batch}_${i}`, 0)));
    await runEngineBatch(engine, EVERY, batch);
    await Promise.all(progress);
    await caughtUp(WARM + done + EVERY);
    if (mode === 'purge') await purgeHandoffs(db);
    samples.push(await sample(done + EVERY));
    log(`memory ${mode}: ${JSON.stringify(samples.at(-1))}`);
  }
  await live.return!();
  await consuming;
  if (liveEvents < (WARM + TOTAL) * EVENTS_PER_HANDOFF)
    throw new Error(`the live stream missed events (${liveEvents})`);
  await closeEngine(engine, db);
  return samples;
}

async function drain(stream: AsyncIterableIterator<unknown>): Promise<void> {
  for await (const _event of stream);
}

const keep = await pass('keep');
const purged = await pass('purge');

const slope = (samples: Sample[], field: 'heapMb' | 'rssMb' | 'storeMb') =>
  ((samples.at(-1)![field] - samples[1][field]) * 2 ** 20) / (samples.at(-1)!.handoffs - samples[1].handoffs);
const keepPerHandoff = slope(keep, 'heapMb');
const purgeGrowthMb = purged.at(-1)!.heapMb - purged[1].heapMb;
const plateau =
  Math.abs(purgeGrowthMb) < 5 && purged.every((s) => s.listeners === purged[0].listeners && s.active === 0);
const rows: Row[] = [
  {
    section: 'memory',
    name: `RSS after ${TOTAL} completed handoffs (store keeps all)`,
    value: keep.at(-1)!.rssMb,
    unit: 'MB',
    note: `heap ${keep.at(-1)!.heapMb} MB; SQLite ${keep.at(-1)!.storeMb} MB; ${keep.at(-1)!.storedDocs} stored rows`,
  },
  {
    section: 'memory',
    name: 'heap per stored handoff (its row + 12 events)',
    value: round(keepPerHandoff / 1024, 2),
    unit: 'KiB',
    note: `slope from ${keep[1].handoffs} to ${keep.at(-1)!.handoffs}`,
  },
  {
    section: 'memory',
    name: 'SQLite pages per stored handoff (its row + 12 events)',
    value: round(slope(keep, 'storeMb') / 1024, 2),
    unit: 'KiB',
    note: 'outside the heap; in RSS',
  },
  {
    section: 'memory',
    name: `heap growth ${purged[1].handoffs}→${purged.at(-1)!.handoffs} handoffs, data purged`,
    value: round(purgeGrowthMb, 1),
    unit: 'MB',
    goal: 'plateau (no leak in runner, pubsub, subscriptions)',
    met: plateau,
    note: `RSS ${purged[1].rssMb}→${purged.at(-1)!.rssMb} MB; topic listeners and active runs back to baseline`,
  },
];
report({ rows, details: { keep, purge: purged } });
