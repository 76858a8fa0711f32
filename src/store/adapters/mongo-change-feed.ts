import type { ChangeStream, ChangeStreamDocument, Document } from 'mongodb';
import type { AgentFeedEntry } from '../../engine/agents/agent-feed.js';
import type { AgentFeedChange } from '../../engine/agents/agent-feed-store.js';
import type { HandoffEvent } from '../../engine/kernel/handoff/handoff-event.js';
import type { HandoffChange, HandoffChangeFeed } from '../../engine/kernel/ports/handoff-store.js';
import type { MongoDatabase } from './mongo.js';

interface EventDocument {
  owner: string;
  seq: number;
  at: number;
  body: string;
  writer?: string;
}

/**
 * What other instances commit, from a MongoDB change stream: inserts into the handoff event log
 * and into agents' feeds by other writers, and signals or cancels recorded on handoff documents
 * (those bump `notices`, so ordinary transitions are not shipped to every instance; they are
 * delivered even when this instance wrote them: both are idempotent for the runner). The stream
 * pushes; the engine drains what arrived at each poll. A stream that fails is opened again after
 * the last change it delivered (its resume token), so nothing committed meanwhile is missed.
 */
export class MongoChangeFeed implements HandoffChangeFeed<AgentFeedChange> {
  private stream: ChangeStream | null = null;
  /** The last change taken: a reopened stream starts after it. */
  private resumeToken: unknown = null;
  private arrived: (HandoffChange | AgentFeedChange)[] = [];
  private failure: unknown = null;
  private delivered = 0;

  constructor(
    private readonly db: MongoDatabase,
    private readonly writer: string,
  ) {}

  private open(): void {
    const pipeline: Document[] = [
      {
        $match: {
          $or: [
            { operationType: 'insert', 'ns.coll': 'handoff_events', 'fullDocument.writer': { $ne: this.writer } },
            { operationType: 'insert', 'ns.coll': 'agent_feed', 'fullDocument.writer': { $ne: this.writer } },
            {
              operationType: 'update',
              'ns.coll': 'handoffs',
              'updateDescription.updatedFields.notices': { $exists: true },
            },
          ],
        },
      },
    ];
    const stream = this.db.watch(pipeline, this.resumeToken ? { startAfter: this.resumeToken } : {});
    stream.on('change', (change: ChangeStreamDocument) => this.take(change));
    stream.on('error', (error) => {
      this.failure = error;
      this.stream = null;
      void stream.close().catch(() => undefined);
    });
    this.stream = stream;
  }

  private take(change: ChangeStreamDocument): void {
    this.resumeToken = change._id;
    if (change.operationType === 'insert' && change.ns.coll === 'agent_feed') {
      const entry = JSON.parse((change.fullDocument as unknown as { body: string }).body) as AgentFeedEntry;
      const last = this.arrived.at(-1);
      if (last?.kind === 'agentFeed') last.entries.push(entry);
      else this.arrived.push({ kind: 'agentFeed', entries: [entry] });
      return;
    }
    if (change.operationType === 'insert') {
      const doc = change.fullDocument as unknown as EventDocument;
      const event = { ...(JSON.parse(doc.body) as HandoffEvent), handoffId: doc.owner, seq: doc.seq, at: doc.at };
      const last = this.arrived.at(-1);
      if (last?.kind === 'events') last.events.push(event);
      else this.arrived.push({ kind: 'events', events: [event] });
      return;
    }
    if (change.operationType !== 'update') return;
    const handoffId = String(change.documentKey._id);
    for (const [field, value] of Object.entries(change.updateDescription.updatedFields ?? {})) {
      if (field.startsWith('signals.')) {
        this.arrived.push({
          kind: 'signal',
          handoffId,
          step: field.slice('signals.'.length),
          payload: JSON.parse(value as string),
        });
      } else if (field === 'cancelRequest' && value) {
        this.arrived.push({ kind: 'cancel', handoffId, reason: (value as { reason: string }).reason });
      }
    }
  }

  async head(): Promise<string> {
    if (!this.stream) this.open();
    return String(this.delivered);
  }

  async read(
    _position: string,
    limit: number,
  ): Promise<{ changes: (HandoffChange | AgentFeedChange)[]; position: string; more: boolean }> {
    if (this.failure) {
      const failure = this.failure;
      this.failure = null;
      this.open();
      throw failure;
    }
    if (!this.stream) this.open();
    const changes = this.arrived.splice(0, limit);
    this.delivered += changes.length;
    return { changes, position: String(this.delivered), more: this.arrived.length > 0 };
  }

  async close(): Promise<void> {
    await this.stream?.close();
    this.stream = null;
  }
}
