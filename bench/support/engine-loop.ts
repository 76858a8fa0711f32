/** The engine-throughput loop alone (memory store, engine API), for `npm run bench:profile`. */
import { NedbDatabase } from '../../src/store/adapters/nedb.js';
import { MapDatabase } from './map-database.js';
import { openEngine, runEngineBatch } from './engine-harness.js';

const engine = await openEngine(process.env.BENCH_STORE === 'stub' ? new MapDatabase() : NedbDatabase.inMemory());
for (let run = 0; run < 3; run++) {
  const { ms } = await runEngineBatch(engine, 2_000, `profile_${run}`);
  process.stderr.write(`  run ${run + 1}: ${Math.round((2_000 / ms) * 1000)} handoffs/s\n`);
}
await engine.stop();
