/**
 * 5. Memory after 10,000 completed handoffs on the in-memory store, sampled every 2,000 after
 * a forced GC (run with --expose-gc). Two passes in this process's engine:
 *  - keep:  the store keeps every handoff and event (growth = stored data);
 *  - purge: after each batch the completed handoffs' documents are deleted, so what remains
 *           is the engine itself (runner, queue, topic, subscriptions): it must plateau.
 * During both, a `handoffEvents` stream (engine.handoffs.live) is consumed, and per batch 100
 * `handoffProgress` streams are opened and run to their end, to catch listener leaks.
 */
import { NedbDatabase } from '../../src/store/adapters/nedb.js';
import type { Engine } from '../../src/engine/engine.js';
import { gc, log, memory, QUICK, report, round, type Row } from '../support/common.js';
import { HANDOFF_COLLECTIONS, openEngine, purgeHandoffs, runEngineBatch } from '../support/engine-harness.js';

const TOTAL = QUICK ? 2_000 : 10_000;
const EVERY = QUICK ? 500 : 2_000;

interface Sample { handoffs: number; rssMb: number; heapMb: number; storedDocs: number; listeners: number; active: number }

async function storedDocs(engine: Engine): Promise<number> {
  let total = 0;
  for (const name of HANDOFF_COLLECTIONS) total += await (await engine.db.collection(name)).count({});
  return total;
}

async function pass(mode: 'keep' | 'purge'): Promise<Sample[]> {
  const engine = await openEngine(NedbDatabase.inMemory());
  let liveEvents = 0;
  const live = engine.handoffs.live(true);
  const consuming = (async () => {
    for await (const _event of live) liveEvents++;
  })();
  const sample = async (handoffs: number): Promise<Sample> => {
    gc();
    const { rssMb, heapMb } = memory();
    return { handoffs, rssMb: round(rssMb, 1), heapMb: round(heapMb, 1), storedDocs: await storedDocs(engine), listeners: engine.handoffs.events.subscriberCount, active: engine.runner.activeIds.length };
  };
  await runEngineBatch(engine, 200, `${mode}_warm`);
  if (mode === 'purge') await purgeHandoffs(engine.db);
  const samples = [await sample(0)];
  for (let done = 0; done < TOTAL; done += EVERY) {
    const batch = `${mode}_${done}`;
    const progress = Array.from({ length: 100 }, (_, i) => drain(engine.handoffs.progress(`${batch}_${i}`, 0)));
    await runEngineBatch(engine, EVERY, batch);
    await Promise.all(progress);
    if (mode === 'purge') await purgeHandoffs(engine.db);
    samples.push(await sample(done + EVERY));
    log(`memory ${mode}: ${JSON.stringify(samples.at(-1))}`);
  }
  await live.return!();
  await consuming;
  if (liveEvents < TOTAL * 12) throw new Error(`the live stream missed events (${liveEvents})`);
  await engine.stop();
  await engine.db.close();
  return samples;
}

async function drain(stream: AsyncIterableIterator<unknown>): Promise<void> {
  for await (const _event of stream);
}

const keep = await pass('keep');
const purged = await pass('purge');

const slope = (samples: Sample[], field: 'heapMb' | 'rssMb') => ((samples.at(-1)![field] - samples[1][field]) * 2 ** 20) / (samples.at(-1)!.handoffs - samples[1].handoffs);
const keepPerHandoff = slope(keep, 'heapMb');
const purgeGrowthMb = purged.at(-1)!.heapMb - purged[1].heapMb;
const plateau = Math.abs(purgeGrowthMb) < 5 && purged.every((s) => s.listeners === purged[0].listeners && s.active === 0);
const rows: Row[] = [
  { section: 'memory', name: `RSS after ${TOTAL} completed handoffs (store keeps all)`, value: keep.at(-1)!.rssMb, unit: 'MB', note: `heap ${keep.at(-1)!.heapMb} MB; ${keep.at(-1)!.storedDocs} stored documents` },
  { section: 'memory', name: 'heap per stored handoff (its document + 12 events)', value: round(keepPerHandoff / 1024, 2), unit: 'KiB', note: `slope from ${keep[1].handoffs} to ${keep.at(-1)!.handoffs}` },
  { section: 'memory', name: `heap growth ${purged[1].handoffs}→${purged.at(-1)!.handoffs} handoffs, data purged`, value: round(purgeGrowthMb, 1), unit: 'MB', goal: 'plateau (no leak in runner, pubsub, subscriptions)', met: plateau, note: `RSS ${purged[1].rssMb}→${purged.at(-1)!.rssMb} MB; topic listeners and active runs back to baseline` },
];
report({ rows, details: { keep, purge: purged } });
