import type BetterSqlite3 from 'better-sqlite3';
import type { AgentFeedDraft, AgentFeedEntry } from '../../engine/agents/agent-feed.js';
import type { AgentFeedStore } from '../../engine/agents/agent-feed-store.js';
import type { OperationCounter } from '../collection.js';
import { GroupCommit } from './group-commit.js';
import { storeCall } from './sqlite-errors.js';

/**
 * Agents' feeds. `position` is an AUTOINCREMENT rowid, so it grows in commit order and is never
 * reused after deletes (see handoff-schema); other processes follow the table by position
 * (SqliteChangeFeed); `seq` numbers each agent's entries.
 */
const AGENT_FEED_SCHEMA = `
CREATE TABLE IF NOT EXISTS agent_feed (
  position INTEGER PRIMARY KEY AUTOINCREMENT,
  agent_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  writer TEXT NOT NULL,
  body TEXT NOT NULL,
  UNIQUE (agent_id, seq)
);`;

/** Creates the feed table if it is missing (the change feed reads it too, so either may be first). */
export function createAgentFeedTable(db: BetterSqlite3.Database): void {
  db.exec(AGENT_FEED_SCHEMA);
}

/**
 * The agent feed port on SQLite. An append reads the agent's last seq and inserts after it inside
 * the write transaction; SQLite admits one writer at a time (across processes too), so numbers
 * are gapless and never given twice. Appends of one turn share a transaction (GroupCommit).
 */
export class SqliteAgentFeed implements AgentFeedStore {
  private readonly commits: GroupCommit;
  private readonly lastSeq: BetterSqlite3.Statement;
  private readonly insert: BetterSqlite3.Statement;
  private readonly read: BetterSqlite3.Statement;

  constructor(
    db: BetterSqlite3.Database,
    private readonly writer: string,
    private readonly counter: OperationCounter,
  ) {
    createAgentFeedTable(db);
    this.commits = new GroupCommit(db, 'agent_feed');
    this.lastSeq = db.prepare('SELECT coalesce(max(seq), 0) FROM agent_feed WHERE agent_id = ?').pluck();
    this.insert = db.prepare('INSERT INTO agent_feed (agent_id, seq, writer, body) VALUES (?, ?, ?, ?)');
    this.read = db.prepare('SELECT body FROM agent_feed WHERE agent_id = ? AND seq > ? ORDER BY seq LIMIT ?').pluck();
  }

  append(agentId: string, drafts: AgentFeedDraft[], at: number): Promise<AgentFeedEntry[]> {
    if (drafts.length === 0) return Promise.resolve([]);
    this.counter.writes++;
    return this.commits.submit('append to', () => {
      const last = this.lastSeq.get(agentId) as number;
      return drafts.map((draft, index) => {
        const entry: AgentFeedEntry = { ...draft, agentId, seq: last + index + 1, at };
        this.insert.run(agentId, entry.seq, this.writer, JSON.stringify(entry));
        return entry;
      });
    });
  }

  after(agentId: string, afterSeq: number, limit = 1_000): Promise<AgentFeedEntry[]> {
    this.counter.reads++;
    try {
      return Promise.resolve(
        storeCall('agent_feed', 'read', () =>
          (this.read.all(agentId, afterSeq, limit) as string[]).map((text) => JSON.parse(text) as AgentFeedEntry),
        ),
      );
    } catch (error) {
      return Promise.reject(error);
    }
  }
}
