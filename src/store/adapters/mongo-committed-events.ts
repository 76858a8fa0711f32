import type { ChangeStream, ChangeStreamInsertDocument, Document } from 'mongodb';
import type { HandoffEvent } from '../../engine/kernel/handoff/handoff-event.js';
import type { CommittedHandoffEvents } from '../../engine/kernel/ports/committed-events.js';
import type { MongoDatabase } from './mongo.js';

interface EventDocument extends Document {
  owner: string;
  seq: number;
  at: number;
  body: string;
}

/** Inserts into the handoff event log, by every writer: what webhook subscriptions are fed from. */
const EVENT_INSERTS: Document[] = [{ $match: { operationType: 'insert', 'ns.coll': 'handoff_events' } }];

/**
 * The handoff event log in commit order, from a MongoDB change stream: a position is the stream's
 * resume token (as JSON), so a cursor stored with a subscription resumes exactly after the last
 * event it read, by any process, after any restart (within the oplog's window). Each read opens a
 * stream after the position, takes what is there without waiting, and closes it.
 */
export class MongoCommittedEvents implements CommittedHandoffEvents {
  constructor(private readonly db: MongoDatabase) {}

  async head(): Promise<string> {
    return this.within(this.db.watch(EVENT_INSERTS), async (stream) => {
      // The first (empty) batch carries the post-batch resume token: "now".
      await stream.tryNext();
      return JSON.stringify(stream.resumeToken);
    });
  }

  async read(position: string, limit: number): Promise<{ events: HandoffEvent[]; position: string }> {
    const stream = this.db.watch(EVENT_INSERTS, { startAfter: JSON.parse(position) as unknown });
    return this.within(stream, async (open) => {
      const events: HandoffEvent[] = [];
      while (events.length < limit) {
        const change = (await open.tryNext()) as ChangeStreamInsertDocument<EventDocument> | null;
        if (!change) break;
        const doc = change.fullDocument;
        events.push({ ...(JSON.parse(doc.body) as HandoffEvent), handoffId: doc.owner, seq: doc.seq, at: doc.at });
      }
      return { events, position: JSON.stringify(open.resumeToken) };
    });
  }

  private async within<T>(stream: ChangeStream, use: (stream: ChangeStream) => Promise<T>): Promise<T> {
    try {
      return await use(stream);
    } finally {
      await stream.close();
    }
  }
}
