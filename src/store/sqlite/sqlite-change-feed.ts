import type BetterSqlite3 from 'better-sqlite3';
import type { AgentFeedEntry } from '../../engine/agents/agent-feed.js';
import type { AgentFeedChange } from '../../engine/agents/agent-feed-store.js';
import type { HandoffEvent } from '../../engine/kernel/handoff/handoff-event.js';
import type { HandoffChange, HandoffChangeFeed } from '../../engine/kernel/ports/handoff-store.js';
import { createAgentFeedTable } from './sqlite-agent-feed.js';
import { storeCall } from './sqlite-errors.js';

interface FeedRow {
  position: number;
  handoff_id: string;
  /** Null for this process's own rows: their bodies are not read. */
  body: string | null;
}

interface NoticeRow extends FeedRow {
  kind: 'signal' | 'cancel';
}

/** `events:notices:feed`, each the last position read from its table. */
function parsePosition(position: string): [number, number, number] {
  const [events, notices, feed] = position.split(':').map(Number);
  return [events ?? 0, notices ?? 0, feed ?? 0];
}

/**
 * Follows the event, notice and agent feed tables by position (rowids grow in commit order, see
 * handoff-schema): what another process committed arrives exactly once, in order, whatever the
 * poll timing.
 */
export class SqliteChangeFeed implements HandoffChangeFeed<AgentFeedChange> {
  private readonly readEvents: BetterSqlite3.Statement;
  private readonly readNotices: BetterSqlite3.Statement;
  private readonly readFeed: BetterSqlite3.Statement;

  constructor(
    private readonly db: BetterSqlite3.Database,
    private readonly writer: string,
  ) {
    this.readEvents = db.prepare(
      'SELECT position, handoff_id, CASE WHEN writer = ? THEN NULL ELSE body END AS body FROM handoff_events WHERE position > ? ORDER BY position LIMIT ?',
    );
    this.readNotices = db.prepare(
      'SELECT position, handoff_id, kind, CASE WHEN writer = ? THEN NULL ELSE body END AS body FROM handoff_notices WHERE position > ? ORDER BY position LIMIT ?',
    );
    createAgentFeedTable(db);
    this.readFeed = db.prepare(
      'SELECT position, CASE WHEN writer = ? THEN NULL ELSE body END AS body FROM agent_feed WHERE position > ? ORDER BY position LIMIT ?',
    );
  }

  async head(): Promise<string> {
    return storeCall('handoff_events', 'read the head of', () =>
      // All three tables at the same commit.
      this.db
        .transaction(() => {
          const events = this.db
            .prepare('SELECT coalesce(max(position), 0) FROM handoff_events')
            .pluck()
            .get() as number;
          const notices = this.db
            .prepare('SELECT coalesce(max(position), 0) FROM handoff_notices')
            .pluck()
            .get() as number;
          const feed = this.db.prepare('SELECT coalesce(max(position), 0) FROM agent_feed').pluck().get() as number;
          return `${events}:${notices}:${feed}`;
        })
        .deferred(),
    );
  }

  async read(
    position: string,
    limit: number,
  ): Promise<{ changes: (HandoffChange | AgentFeedChange)[]; position: string; more: boolean }> {
    return storeCall('handoff_events', 'follow', () =>
      // One read transaction: every table seen at the same commit.
      this.db.transaction(() => {
        const [eventsAfter, noticesAfter, feedAfter] = parsePosition(position);
        const eventRows = this.readEvents.all(this.writer, eventsAfter, limit) as FeedRow[];
        const noticeRows = this.readNotices.all(this.writer, noticesAfter, limit) as NoticeRow[];
        const feedRows = this.readFeed.all(this.writer, feedAfter, limit) as Pick<FeedRow, 'position' | 'body'>[];
        const changes: (HandoffChange | AgentFeedChange)[] = [];
        const events = eventRows.filter((row) => row.body !== null).map((row) => JSON.parse(row.body!) as HandoffEvent);
        if (events.length > 0) changes.push({ kind: 'events', events });
        for (const row of noticeRows) {
          if (row.body === null) continue;
          const body = JSON.parse(row.body) as { step?: string; payload?: unknown; reason?: string };
          changes.push(
            row.kind === 'signal'
              ? { kind: 'signal', handoffId: row.handoff_id, step: body.step!, payload: body.payload }
              : { kind: 'cancel', handoffId: row.handoff_id, reason: body.reason! },
          );
        }
        const entries = feedRows
          .filter((row) => row.body !== null)
          .map((row) => JSON.parse(row.body!) as AgentFeedEntry);
        if (entries.length > 0) changes.push({ kind: 'agentFeed', entries });
        return {
          changes,
          position: `${eventRows.at(-1)?.position ?? eventsAfter}:${noticeRows.at(-1)?.position ?? noticesAfter}:${feedRows.at(-1)?.position ?? feedAfter}`,
          more: eventRows.length === limit || noticeRows.length === limit || feedRows.length === limit,
        };
      })(),
    );
  }
}
