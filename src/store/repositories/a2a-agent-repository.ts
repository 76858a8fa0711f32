import type { A2AAgentLink, A2ACardSummary } from '../../engine/a2a/a2a-agent.js';
import type { A2AAgentStore } from '../../engine/a2a/a2a-agent-store.js';
import type { Collection, Database } from '../collection.js';
import { findManyInOrder } from '../pagination.js';

/**
 * A link as stored: the card an agent published is its author's free-form JSON, kept as text so none
 * of it can ever be read as a query operator or a field path.
 */
type A2AAgentDocument = Omit<A2AAgentLink, 'agentId' | 'card'> & {
  _id: string;
  card: Omit<A2ACardSummary, 'raw'> & { raw: string };
};

function toLink(doc: A2AAgentDocument): A2AAgentLink {
  const { _id, card, ...rest } = doc;
  return { agentId: _id, ...rest, card: { ...card, raw: JSON.parse(card.raw) } };
}

/** The A2A agents bridged to: one document per registry agent. */
export class A2AAgentRepository implements A2AAgentStore {
  private constructor(private readonly links: Collection<A2AAgentDocument>) {}

  static async open(db: Database): Promise<A2AAgentRepository> {
    return new A2AAgentRepository(await db.collection<A2AAgentDocument>('a2a_agents', [{ fields: ['registeredAt'] }]));
  }

  async save(link: A2AAgentLink): Promise<void> {
    const { agentId, card, ...rest } = link;
    await this.links.findOneAndUpdate(
      { _id: agentId },
      { $set: { ...rest, card: { ...card, raw: JSON.stringify(card.raw ?? null) } } },
      { upsert: true },
    );
  }

  async get(agentId: string): Promise<A2AAgentLink | null> {
    const doc = await this.links.findOne({ _id: agentId });
    return doc ? toLink(doc) : null;
  }

  getMany(agentIds: readonly string[]): Promise<(A2AAgentLink | null)[]> {
    return findManyInOrder(this.links, agentIds, toLink);
  }

  async list(): Promise<A2AAgentLink[]> {
    return (await this.links.find({}, { sort: { registeredAt: 1 } })).map(toLink);
  }

  delete(agentId: string): Promise<boolean> {
    return this.links.deleteOne({ _id: agentId });
  }
}
