import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentFeedDraft } from '../../src/engine/agents/agent-feed.js';
import type { AgentFeedStore } from '../../src/engine/agents/agent-feed-store.js';
import type { Database } from '../../src/store/collection.js';
import { AgentFeedRepository } from '../../src/store/repositories/agent-feed-repository.js';
import { SqliteAgentFeed } from '../../src/store/sqlite/sqlite-agent-feed.js';
import { SqliteChangeFeed } from '../../src/store/sqlite/sqlite-change-feed.js';
import { SqliteDatabase } from '../../src/store/sqlite/sqlite-database.js';
import { SqliteHandoffStore } from '../../src/store/sqlite/sqlite-handoff-store.js';
import { adapterFixtures, makeTempDir, removeTempDir } from './adapters.js';

interface FeedFixture {
  name: string;
  skipReason: string | null;
  open(): Promise<{ db: Database; feed: (writer: string) => Promise<AgentFeedStore> }>;
  dispose(db: Database): Promise<void>;
}

/** The agent feed port natively on SQLite (file and memory), and as documents on every adapter. */
function fixtures(): FeedFixture[] {
  const native: FeedFixture[] = adapterFixtures()
    .filter((fixture) => fixture.name.includes('SQLite'))
    .map((fixture) => ({
      name: `native ${fixture.name}`,
      skipReason: fixture.skipReason,
      async open() {
        const db = (await fixture.open()) as SqliteDatabase;
        return { db, feed: async (writer) => new SqliteAgentFeed(db.connection, writer, db.operations) };
      },
      dispose: (db) => fixture.dispose(db),
    }));
  const documents: FeedFixture[] = adapterFixtures().map((fixture) => ({
    name: `documents on ${fixture.name}`,
    skipReason: fixture.skipReason,
    async open() {
      const db = await fixture.open();
      return { db, feed: (writer) => AgentFeedRepository.open(db, writer) };
    },
    dispose: (db) => fixture.dispose(db),
  }));
  return [...native, ...documents];
}

const draft = (message: string, data?: Record<string, unknown>): AgentFeedDraft => ({
  type: 'TASK_OFFERED',
  handoffId: 'h1',
  taskId: 't1',
  step: 'work',
  message,
  data,
});

function feedContract(fixture: FeedFixture): void {
  let db: Database;
  let feedOf: (writer: string) => Promise<AgentFeedStore>;

  beforeEach(async () => {
    ({ db, feed: feedOf } = await fixture.open());
  });

  afterEach(async () => {
    await fixture.dispose(db);
  });

  it("numbers each agent's entries 1, 2, 3… in the order appended, and reads them back after a seq", async () => {
    const feed = await feedOf('a');
    const first = await feed.append('bob', [draft('one', { $op: { 'dotted.key': 1 } }), draft('two')], 10);
    expect(first).toEqual([
      { ...draft('one', { $op: { 'dotted.key': 1 } }), agentId: 'bob', seq: 1, at: 10 },
      { ...draft('two'), agentId: 'bob', seq: 2, at: 10 },
    ]);
    expect((await feed.append('ana', [draft('theirs')], 11)).map((entry) => entry.seq)).toEqual([1]);
    expect((await feed.append('bob', [draft('three')], 12)).map((entry) => entry.seq)).toEqual([3]);
    expect((await feed.after('bob', 0)).map((entry) => entry.message)).toEqual(['one', 'two', 'three']);
    expect((await feed.after('bob', 1, 1)).map((entry) => entry.message)).toEqual(['two']);
    expect(await feed.after('bob', 3)).toEqual([]);
    expect(await feed.after('nobody', 0)).toEqual([]);
    expect(await feed.append('bob', [], 13)).toEqual([]);
  });

  it('never leaves a gap or gives a number twice when several writers append at once', async () => {
    const writers = await Promise.all(['a', 'b', 'c'].map((name) => feedOf(name)));
    await Promise.all(
      Array.from({ length: 30 }, (_, i) => writers[i % 3]!.append('bob', [draft(`m${i}`), draft(`m${i}+`)], i)),
    );
    const entries = await writers[0]!.after('bob', 0);
    expect(entries.map((entry) => entry.seq)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(new Set(entries.map((entry) => entry.message)).size).toBe(60);
    // Each append's entries stay in their order.
    for (let i = 0; i < 30; i++) {
      const at = (message: string) => entries.findIndex((entry) => entry.message === message);
      expect(at(`m${i}`)).toBeLessThan(at(`m${i}+`));
    }
  });
}

for (const fixture of fixtures()) {
  const title = fixture.skipReason
    ? `agent feed store contract: ${fixture.name} (skipped: ${fixture.skipReason})`
    : `agent feed store contract: ${fixture.name}`;
  describe.skipIf(fixture.skipReason !== null)(title, () => feedContract(fixture));
}

describe('SQLite change feed: agent feeds', () => {
  let dir: string;

  beforeEach(() => {
    dir = makeTempDir();
  });

  afterEach(() => {
    removeTempDir(dir);
  });

  it('hands one process the entries another appended, in order, once, and none of its own', async () => {
    const file = path.join(dir, 'handoff.sqlite');
    const [dbA, dbB] = [SqliteDatabase.open(file), SqliteDatabase.open(file)];
    try {
      new SqliteHandoffStore(dbA.connection, 'A', dbA.operations); // the handoff tables the change feed follows too
      const changesOfA = new SqliteChangeFeed(dbA.connection, 'A');
      const a = new SqliteAgentFeed(dbA.connection, 'A', dbA.operations);
      const b = new SqliteAgentFeed(dbB.connection, 'B', dbB.operations);
      let position = await changesOfA.head();
      await b.append('bob', [draft('b1'), draft('b2')], 1);
      await a.append('bob', [draft('mine')], 2);
      await b.append('ana', [draft('b3')], 3);
      const first = await changesOfA.read(position, 2);
      expect(first.more).toBe(true);
      position = first.position;
      const rest = await changesOfA.read(position, 100);
      const entries = [...first.changes, ...rest.changes].flatMap((change) =>
        change.kind === 'agentFeed' ? change.entries : [],
      );
      expect(entries.map((entry) => `${entry.agentId}#${entry.seq} ${entry.message}`)).toEqual([
        'bob#1 b1',
        'bob#2 b2',
        'ana#1 b3',
      ]);
      expect((await changesOfA.read(rest.position, 100)).changes).toEqual([]);
    } finally {
      await dbA.close();
      await dbB.close();
    }
  });
});
