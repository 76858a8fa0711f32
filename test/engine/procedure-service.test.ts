import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/engine/engine.js';
import { NedbDatabase } from '../../src/store/adapters/nedb.js';

let engine: Engine | undefined;
afterEach(async () => {
  await engine?.stop();
  engine = undefined;
});

describe('current procedure reads', () => {
  it('reads a procedure once for a burst of concurrent lookups', async () => {
    const db = NedbDatabase.inMemory();
    engine = await createEngine({ db, settings: { agentHeartbeatWindowMs: 30_000, maxConcurrentHandoffs: 10, webhookAllowList: [] } });
    await engine.start();
    db.operations.reset();
    const burst = await Promise.all(Array.from({ length: 20 }, () => engine!.procedures.get('PHASE_TRANSITION_STANDARD')));
    expect(db.operations.reads).toBe(1);
    expect(new Set(burst).size).toBe(1);
    expect(burst[0]?.id).toBe('PHASE_TRANSITION_STANDARD');

    const missing = await Promise.all([engine.procedures.get('NO_SUCH'), engine.procedures.get('NO_SUCH')]);
    expect(missing).toEqual([null, null]);
    expect(db.operations.reads).toBe(2);
  });
});
