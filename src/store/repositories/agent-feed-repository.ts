import type { AgentFeedDraft, AgentFeedEntry } from '../../engine/agents/agent-feed.js';
import type { AgentFeedStore } from '../../engine/agents/agent-feed-store.js';
import { type ChangePublisher, UNPUBLISHED } from '../change-publisher.js';
import { type Collection, type Database, DuplicateKeyError } from '../collection.js';

interface FeedDocument {
  /** `agent#000000000042`: ids sort by agent, then seq, so the primary key alone keeps numbers unique. */
  _id: string;
  agentId: string;
  seq: number;
  /** The entry as JSON text (its data is free-form). */
  body: string;
  /** The process that wrote it: another instance's change stream skips its own. */
  writer: string;
}

const SEQ_WIDTH = 12;
const entryId = (agentId: string, seq: number) => `${agentId}#${String(seq).padStart(SEQ_WIDTH, '0')}`;
/** Entries announced again for an agent whose writer died holding its lock (followers drop those they had). */
const REANNOUNCED = 100;

/**
 * Agents' feeds as documents on any adapter (MongoDB's implementation). Each entry is inserted
 * under the id of the number after the agent's last; a concurrent writer that took that number
 * makes the insert fail on the unique id, and the entry is numbered again. So numbers have no gap
 * and no number is given twice, without a counter document or a transaction. Appends to one
 * agent's feed hold its write lock while they are stored and announced (see ChangePublisher).
 */
export class AgentFeedRepository implements AgentFeedStore {
  private constructor(
    private readonly feed: Collection<FeedDocument>,
    private readonly writer: string,
    private readonly publisher: ChangePublisher,
  ) {}

  static async open(
    db: Database,
    writer: string,
    publisher: ChangePublisher = UNPUBLISHED,
  ): Promise<AgentFeedRepository> {
    const repository = new AgentFeedRepository(await db.collection<FeedDocument>('agent_feed'), writer, publisher);
    publisher.onAbandoned('agent_feed', (agentId) => repository.reannounce(agentId));
    return repository;
  }

  /** The agent's latest entries, announced again: its writer may have died between storing and announcing them. */
  private async reannounce(agentId: string): Promise<void> {
    const last = await this.lastSeq(agentId);
    const entries = await this.after(agentId, Math.max(0, last - REANNOUNCED), REANNOUNCED);
    if (entries.length > 0) await this.publisher.publish([{ kind: 'agentFeed', entries }], 'everyone');
  }

  private async lastSeq(agentId: string): Promise<number> {
    const [last] = await this.feed.find(
      { _id: { $gte: entryId(agentId, 0), $lte: entryId(agentId, 10 ** SEQ_WIDTH - 1) } },
      { sort: { _id: -1 }, limit: 1 },
    );
    return last?.seq ?? 0;
  }

  append(agentId: string, drafts: AgentFeedDraft[], at: number): Promise<AgentFeedEntry[]> {
    if (drafts.length === 0) return Promise.resolve([]);
    return this.publisher.locked('agent_feed', agentId, async () => {
      const stored = await this.store(agentId, drafts, at);
      await this.publisher.publish([{ kind: 'agentFeed', entries: stored }]);
      return stored;
    });
  }

  private async store(agentId: string, drafts: AgentFeedDraft[], at: number): Promise<AgentFeedEntry[]> {
    const stored: AgentFeedEntry[] = [];
    let next = (await this.lastSeq(agentId)) + 1;
    for (const draft of drafts) {
      for (;;) {
        const entry: AgentFeedEntry = { ...draft, agentId, seq: next, at };
        try {
          await this.feed.insertOne({
            _id: entryId(agentId, next),
            agentId,
            seq: next,
            body: JSON.stringify(entry),
            writer: this.writer,
          });
          stored.push(entry);
          next += 1;
          break;
        } catch (error) {
          if (!(error instanceof DuplicateKeyError)) throw error;
          next = (await this.lastSeq(agentId)) + 1;
        }
      }
    }
    return stored;
  }

  async after(agentId: string, afterSeq: number, limit = 1_000): Promise<AgentFeedEntry[]> {
    const docs = await this.feed.find(
      { _id: { $gt: entryId(agentId, afterSeq), $lte: entryId(agentId, 10 ** SEQ_WIDTH - 1) } },
      { sort: { _id: 1 }, limit },
    );
    return docs.map((doc) => JSON.parse(doc.body) as AgentFeedEntry);
  }
}
