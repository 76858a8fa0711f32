import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/engine/engine.js';
import type { FairShareRule } from '../../src/engine/kernel/scheduler/fair-share.js';
import { seededRandom } from '../../src/engine/shared/random.js';
import { SqliteDatabase } from '../../src/store/sqlite/sqlite-database.js';
import { ManualClock } from '../support/manual-clock.js';
import { testStores } from '../support/test-stores.js';

const engines: Engine[] = [];
const perAgent: FairShareRule = { key: { kind: 'targetAgent' }, limit: 1, overrides: new Map() };

async function engineOn(db: SqliteDatabase, owner: string, clock: ManualClock): Promise<Engine> {
  const engine = await createEngine({
    stores: await testStores(db, owner),
    settings: { agentHeartbeatWindowMs: 30_000, maxConcurrentHandoffs: 10, webhookAllowList: [], fairShare: perAgent },
    owner,
    clock,
    random: seededRandom(3),
  });
  await engine.start();
  engines.push(engine);
  return engine;
}

afterEach(async () => {
  for (const engine of engines.splice(0)) await engine.stop();
});

describe('fair share across a restart', () => {
  it('queues resumed handoffs under their keys, so the per-key limit still holds', async () => {
    const db = SqliteDatabase.inMemory();
    const clock = new ManualClock();
    const first = await engineOn(db, 'first', clock);
    const defined = await first.procedures.create({
      id: 'GATED',
      name: 'GATED',
      steps: [
        {
          // Work that takes an hour: it holds its slot (a handoff that waits would not).
          id: 'go',
          name: 'go',
          kind: 'delay',
          timeoutMs: 3_600_000,
          params: { ms: 3_600_000 },
          retry: { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 1, multiplier: 1, jitter: 0 },
        },
      ] as never,
    });
    expect(defined.ok).toBe(true);
    for (const [id, targetAgent] of [
      ['busy_1', 'busy'],
      ['busy_2', 'busy'],
      ['busy_3', 'busy'],
      ['calm_1', 'calm'],
      ['none_1', null],
    ] as const) {
      expect((await first.handoffs.initiate({ handoffId: id, procedureId: 'GATED', targetAgent })).ok).toBe(true);
    }
    const expected = [
      { key: 'busy', waiting: 2, running: 1, limit: 1 },
      { key: 'calm', waiting: 0, running: 1, limit: 1 },
      { key: null, waiting: 0, running: 1, limit: null },
    ];
    expect(first.queue.depthByKey()).toEqual(expected);
    await first.stop();
    engines.splice(0);

    const second = await engineOn(db, 'second', clock);
    expect(second.queue.depthByKey()).toEqual(expected);
    await clock.runUntil(async () => (await second.handoffs.get('busy_1'))!.steps[0].attempts === 2, 0);
    expect((await second.handoffs.get('busy_2'))!.status).toBe('PENDING');
  });
});
