import { afterEach, describe, expect, it } from 'vitest';
import type { AgentFeedEntry } from '../../src/engine/agents/agent-feed.js';
import { createEngine, type Engine } from '../../src/engine/engine.js';
import { SqliteDatabase } from '../../src/store/sqlite/sqlite-database.js';
import { testStores } from '../support/test-stores.js';

const engines: Engine[] = [];

afterEach(async () => {
  for (const engine of engines.splice(0)) await engine.stop();
});

async function processOn(db: SqliteDatabase, owner: string): Promise<Engine> {
  const engine = await createEngine({
    stores: await testStores(db, owner, true),
    owner,
    changePollMs: 5,
    leaseMs: 300,
    settings: { agentHeartbeatWindowMs: 30_000, maxConcurrentHandoffs: 10, webhookAllowList: [] },
  });
  await engine.start();
  engines.push(engine);
  return engine;
}

const offered = (message: string) => ({
  type: 'TASK_OFFERED' as const,
  handoffId: 'h1',
  taskId: null,
  step: null,
  message,
});

/** Takes `count` entries from a feed stream, leaving it open. */
async function take(stream: AsyncIterableIterator<AgentFeedEntry>, count: number): Promise<AgentFeedEntry[]> {
  const entries: AgentFeedEntry[] = [];
  while (entries.length < count) {
    const next = await stream.next();
    if (next.done) break;
    entries.push(next.value);
  }
  return entries;
}

describe('agent feed across processes', () => {
  it('gives a follower on one process what another appended, stored then live, gapless', async () => {
    const db = SqliteDatabase.inMemory();
    const [writer, reader] = [await processOn(db, 'writer'), await processOn(db, 'reader')];
    await writer.agentFeed.record('bob', [offered('stored 1'), offered('stored 2')]);
    const stream = reader.agentFeed.follow('bob', 0);
    const first = await take(stream, 2);
    // Appended on the other process while this follower reads live: they arrive through the change feed.
    const live = take(stream, 3);
    await writer.agentFeed.record('bob', [offered('live 3')]);
    await writer.agentFeed.record('ana', [offered('not for bob')]);
    await writer.agentFeed.record('bob', [offered('live 4'), offered('live 5')]);
    const entries = [...first, ...(await live)];
    expect(entries.map((entry) => `${entry.seq} ${entry.message}`)).toEqual([
      '1 stored 1',
      '2 stored 2',
      '3 live 3',
      '4 live 4',
      '5 live 5',
    ]);
    await stream.return?.();
  });
});
