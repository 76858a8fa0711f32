import type { HandoffEvent } from '../../engine/kernel/handoff/handoff-event.js';
import type { CommittedHandoffEvents } from '../../engine/kernel/ports/committed-events.js';
import type { ChangeLog } from './change-log.js';

/** `n` (records up to n read) or `n:k` (and the first k events of record n + 1). */
function parsePosition(position: string): { record: number; skip: number } {
  const [record, skip] = position.split(':').map(Number);
  return { record: Number.isSafeInteger(record) ? record! : 0, skip: Number.isSafeInteger(skip) ? skip! : 0 };
}

/**
 * Every process's handoff events in commit order, from the change log: a position is a record's
 * number (and how many of its events were taken), so a cursor stored with a webhook subscription
 * resumes exactly after the last event it read, by any process, after any restart, within the
 * change log's retention. An event announced twice (a repair) reaches the webhook store twice,
 * which stores its delivery once.
 */
export class MongoCommittedEvents implements CommittedHandoffEvents {
  constructor(private readonly log: ChangeLog) {}

  async head(): Promise<string> {
    return String(await this.log.head());
  }

  async read(position: string, limit: number): Promise<{ events: HandoffEvent[]; position: string }> {
    const start = parsePosition(position);
    let { record: after, skip } = start;
    const events: HandoffEvent[] = [];
    // Records without events (signals, mirrored documents) are read past until `limit` events or the head.
    for (;;) {
      const read = await this.log.readAfter(after, limit);
      if (read.records.length === 0) {
        if (after !== start.record || skip !== start.skip) return { events, position: String(after) };
        // Nothing new: the same position (the dispatcher sees it caught up), unless the floor moved past it.
        return { events, position: read.position > after ? String(read.position) : position };
      }
      for (const record of read.records) {
        const inRecord = record.changes.flatMap((change) => (change.kind === 'events' ? change.events : []));
        const room = limit - events.length;
        if (inRecord.length - skip > room) {
          events.push(...inRecord.slice(skip, skip + room));
          return { events, position: `${after}:${skip + room}` };
        }
        events.push(...inRecord.slice(skip));
        after = record.position;
        skip = 0;
      }
      if (events.length >= limit || read.records.length < limit) return { events, position: String(after) };
    }
  }
}
