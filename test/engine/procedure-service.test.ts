import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/engine/engine.js';
import { SqliteDatabase } from '../../src/store/sqlite/sqlite-database.js';
import { testStores } from '../support/test-stores.js';

let engine: Engine | undefined;
afterEach(async () => {
  await engine?.stop();
  engine = undefined;
});

describe('current procedure reads', () => {
  it('reads a procedure once for a burst of concurrent lookups', async () => {
    const db = SqliteDatabase.inMemory();
    engine = await createEngine({
      stores: await testStores(db),
      settings: { agentHeartbeatWindowMs: 30_000, maxConcurrentHandoffs: 10, webhookAllowList: [] },
    });
    await engine.start();
    db.operations.reset();
    const burst = await Promise.all(
      Array.from({ length: 20 }, () => engine!.procedures.get('PHASE_TRANSITION_STANDARD')),
    );
    expect(db.operations.reads).toBe(1);
    expect(new Set(burst).size).toBe(1);
    expect(burst[0]?.id).toBe('PHASE_TRANSITION_STANDARD');

    const missing = await Promise.all([engine.procedures.get('NO_SUCH'), engine.procedures.get('NO_SUCH')]);
    expect(missing).toEqual([null, null]);
    expect(db.operations.reads).toBe(2);
  });
});
