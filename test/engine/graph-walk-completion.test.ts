import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/engine/engine.js';
import type { Logger } from '../../src/engine/shared/logger.js';
import { SqliteDatabase } from '../../src/store/sqlite/sqlite-database.js';
import { testStores } from '../support/test-stores.js';

/**
 * The last step's success completes a handoff in its own write. A turn of the walker that planned the
 * completion meanwhile must find nothing left to store, not stop the run on an "unexpected error" (which
 * the scheduler answered by running the finished handoff again a second later). Many short handoffs at once
 * make the two meet; the test counts the errors logged, it does not time anything.
 */

const engines: Engine[] = [];

afterEach(async () => {
  for (const engine of engines.splice(0)) await engine.stop();
});

describe('completing a handoff on the graph walker', () => {
  it('ends every run of many short chains cleanly: no run stops on an error after its handoff completed', async () => {
    const errors: string[] = [];
    const logger: Logger = {
      debug: () => undefined,
      info: () => undefined,
      warn: () => undefined,
      error: (fields, message) => errors.push(`${message}: ${(fields as { err?: Error }).err?.message}`),
    };
    const db = SqliteDatabase.inMemory();
    const engine = await createEngine({
      stores: await testStores(db, 'solo'),
      settings: { agentHeartbeatWindowMs: 30_000, maxConcurrentHandoffs: 10, webhookAllowList: [] },
      owner: 'solo',
      logger,
    });
    await engine.start();
    engines.push(engine);
    const created = await engine.procedures.create({
      id: 'FOUR_NOOPS',
      name: 'four no-ops',
      steps: [1, 2, 3, 4].map((n) => ({ id: `n${n}`, name: `n${n}`, kind: 'noop', params: {}, timeoutMs: 10_000 })),
    });
    expect(created.ok).toBe(true);
    const count = 200;
    let completed = 0;
    const done = new Promise<void>((resolve) => {
      engine.handoffs.events.subscribe((event) => {
        if (event.type === 'HANDOFF_COMPLETED' && ++completed === count) resolve();
      });
    });
    await Promise.all(
      Array.from({ length: count }, (_, i) =>
        engine.handoffs.initiate({ handoffId: `c${i}`, procedureId: 'FOUR_NOOPS' }),
      ),
    );
    await done;
    // Every run has handed its slot back by the time the scheduler is idle.
    await engine.stop();
    engines.splice(0);
    expect(errors).toEqual([]);
  });
});
