import type { Agent, AgentStatus } from '../../engine/agents/agent.js';
import type { AgentQuery, AgentStore } from '../../engine/agents/agent-stores.js';
import { type Collection, type Database, DuplicateKeyError, type Filter } from '../collection.js';
import { findManyInOrder, keysetPage, type Page, type PageRequest } from '../pagination.js';

/** An agent as stored: its id is the document's `_id`. */
type AgentDocument = Omit<Agent, 'id'> & { _id: string };

function toAgent(doc: AgentDocument): Agent {
  return {
    id: doc._id,
    capabilities: doc.capabilities,
    permissions: doc.permissions,
    reportedStatus: doc.reportedStatus,
    lastHeartbeatAt: doc.lastHeartbeatAt,
    registeredAt: doc.registeredAt,
    updatedAt: doc.updatedAt,
  };
}

/** Mongo filter for "effective status in statuses": stale heartbeats count as OFFLINE. */
function statusFilter(statuses: AgentStatus[], now: number, windowMs: number): Filter {
  const freshSince = now - windowMs;
  const alternatives: Filter[] = [];
  const live = statuses.filter((s) => s !== 'OFFLINE');
  if (live.length > 0) alternatives.push({ reportedStatus: { $in: live }, lastHeartbeatAt: { $gte: freshSince } });
  if (statuses.includes('OFFLINE')) {
    alternatives.push({ reportedStatus: 'OFFLINE' }, { lastHeartbeatAt: { $lt: freshSince } });
  }
  return alternatives.length === 0 ? { _id: { $in: [] } } : { $or: alternatives };
}

/** The agent registry: one document per agent id. */
export class AgentRepository implements AgentStore {
  private constructor(private readonly agents: Collection<AgentDocument>) {}

  static async open(db: Database): Promise<AgentRepository> {
    return new AgentRepository(
      await db.collection<AgentDocument>('agents', [{ fields: ['registeredAt'] }, { fields: ['lastHeartbeatAt'] }]),
    );
  }

  async get(id: string): Promise<Agent | null> {
    const doc = await this.agents.findOne({ _id: id });
    return doc ? toAgent(doc) : null;
  }

  getMany(ids: readonly string[]): Promise<(Agent | null)[]> {
    return findManyInOrder(this.agents, ids, toAgent);
  }

  /**
   * Creates the agent, or replaces its capabilities and permissions when it exists (an
   * agent re-registers after a restart). Either way it counts as a heartbeat.
   */
  async upsert(agent: Omit<Agent, 'registeredAt' | 'updatedAt'>, now: number): Promise<Agent> {
    const fields = {
      capabilities: agent.capabilities,
      permissions: agent.permissions,
      reportedStatus: agent.reportedStatus,
      lastHeartbeatAt: agent.lastHeartbeatAt,
      updatedAt: now,
    };
    const updated = await this.agents.findOneAndUpdate({ _id: agent.id }, { $set: fields });
    if (updated) return toAgent(updated);
    try {
      const doc: AgentDocument = { _id: agent.id, ...fields, registeredAt: now };
      await this.agents.insertOne(doc);
      return toAgent(doc);
    } catch (error) {
      if (!(error instanceof DuplicateKeyError)) throw error;
      // registered concurrently by another request: apply ours on top of it
      return toAgent((await this.agents.findOneAndUpdate({ _id: agent.id }, { $set: fields }))!);
    }
  }

  /** Records a heartbeat; null when the agent is not registered. */
  async heartbeat(id: string, status: AgentStatus | null, now: number): Promise<Agent | null> {
    const set: Record<string, unknown> = { lastHeartbeatAt: now, updatedAt: now };
    if (status) set.reportedStatus = status;
    const doc = await this.agents.findOneAndUpdate({ _id: id }, { $set: set });
    return doc ? toAgent(doc) : null;
  }

  private filter(query: AgentQuery): Filter {
    const parts: Filter[] = [];
    if (query.statuses) parts.push(statusFilter(query.statuses, query.now, query.windowMs));
    if (query.capability) parts.push({ capabilities: { $elemMatch: { $eq: query.capability } } });
    return parts.length === 0 ? {} : parts.length === 1 ? parts[0] : { $and: parts };
  }

  page(query: AgentQuery, request: PageRequest): Promise<Page<Agent>> {
    return keysetPage(this.agents, this.filter(query), 'registeredAt', request, toAgent);
  }

  count(query: AgentQuery): Promise<number> {
    return this.agents.count(this.filter(query));
  }
}
