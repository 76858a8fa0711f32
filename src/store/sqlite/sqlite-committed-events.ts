import type BetterSqlite3 from 'better-sqlite3';
import type { HandoffEvent } from '../../engine/kernel/handoff/handoff-event.js';
import type { CommittedHandoffEvents } from '../../engine/kernel/ports/committed-events.js';
import { storeCall } from './sqlite-errors.js';

/**
 * Every process's handoff events by `position`, the AUTOINCREMENT rowid that grows in commit
 * order (see handoff-schema): a stored position is a durable cursor, read with the primary key
 * alone, and the write path of a handoff does nothing extra for it.
 */
export class SqliteCommittedEvents implements CommittedHandoffEvents {
  private readonly readAfter: BetterSqlite3.Statement;
  private readonly newest: BetterSqlite3.Statement;

  constructor(db: BetterSqlite3.Database) {
    this.readAfter = db.prepare(
      'SELECT position, body FROM handoff_events WHERE position > ? ORDER BY position LIMIT ?',
    );
    this.newest = db.prepare('SELECT coalesce(max(position), 0) FROM handoff_events').pluck();
  }

  async head(): Promise<string> {
    return storeCall('handoff_events', 'read the head of', () => String(this.newest.get() as number));
  }

  async read(position: string, limit: number): Promise<{ events: HandoffEvent[]; position: string }> {
    return storeCall('handoff_events', 'read', () => {
      const rows = this.readAfter.all(Number(position) || 0, limit) as { position: number; body: string }[];
      return {
        events: rows.map((row) => JSON.parse(row.body) as HandoffEvent),
        position: String(rows.at(-1)?.position ?? (Number(position) || 0)),
      };
    });
  }
}
