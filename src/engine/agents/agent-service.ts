import type { Page, PageRequest } from '../kernel/ports/page.js';
import type { Clock } from '../shared/clock.js';
import { fail, failAll, type Outcome, ok, type UserError } from '../shared/user-error.js';
import { AGENT_ID_PATTERN, type Agent, type AgentStatus, effectiveStatus, isHeartbeatFresh } from './agent.js';
import type { AgentQuery, AgentStore } from './agent-stores.js';

export interface RegisterAgentInput {
  id: string;
  capabilities?: string[] | null;
  permissions?: string[] | null;
  /** Defaults to READY. */
  status?: AgentStatus | null;
}

export interface HeartbeatInput {
  id: string;
  /** Keeps the reported status when omitted. */
  status?: AgentStatus | null;
}

export interface AgentFilter {
  statuses?: AgentStatus[] | null;
  capability?: string | null;
}

/** What validation knows about an agent named by a handoff (registered or not). */
export interface AgentFacts {
  id: string | null;
  registered: boolean;
  /** Effective status; null when not registered. */
  status: AgentStatus | null;
  reportedStatus: AgentStatus | null;
  permissions: string[];
  capabilities: string[];
  heartbeatAgeMs: number | null;
  heartbeatFresh: boolean;
}

/** Facts about an agent the registry does not know. */
export function unregisteredAgentFacts(id: string | null): AgentFacts {
  return {
    id,
    registered: false,
    status: null,
    reportedStatus: null,
    permissions: [],
    capabilities: [],
    heartbeatAgeMs: null,
    heartbeatFresh: false,
  };
}

const MAX_LIST_ENTRIES = 100;
const MAX_ENTRY_LENGTH = 128;

function checkList(name: 'capabilities' | 'permissions', values: string[]): UserError[] {
  const errors: UserError[] = [];
  if (values.length > MAX_LIST_ENTRIES) {
    errors.push({ code: 'INVALID_VALUE', message: `At most ${MAX_LIST_ENTRIES} ${name}`, field: ['input', name] });
  }
  values.forEach((value, index) => {
    if (value.length === 0 || value.length > MAX_ENTRY_LENGTH) {
      errors.push({
        code: 'INVALID_VALUE',
        message: `Each entry must have 1 to ${MAX_ENTRY_LENGTH} characters`,
        field: ['input', name, String(index)],
      });
    }
  });
  return errors;
}

/** The agent registry: registration, heartbeats and the effective status derived from them. */
export class AgentService {
  constructor(
    private readonly repository: AgentStore,
    private readonly clock: Clock,
    /** Heartbeats older than this read as OFFLINE. */
    readonly heartbeatWindowMs: number,
  ) {}

  /** Registers the agent, or updates its capabilities and permissions when it exists. */
  async register(input: RegisterAgentInput): Promise<Outcome<Agent>> {
    const capabilities = [...new Set(input.capabilities ?? [])];
    const permissions = [...new Set(input.permissions ?? [])];
    const errors: UserError[] = [];
    if (!AGENT_ID_PATTERN.test(input.id)) {
      errors.push({
        code: 'INVALID_VALUE',
        message: 'An agent id has 1 to 128 letters, digits or _ . : @ -',
        field: ['input', 'id'],
      });
    }
    errors.push(...checkList('capabilities', capabilities), ...checkList('permissions', permissions));
    if (errors.length > 0) return failAll(errors);
    const now = this.clock.now();
    const agent = await this.repository.upsert(
      { id: input.id, capabilities, permissions, reportedStatus: input.status ?? 'READY', lastHeartbeatAt: now },
      now,
    );
    return ok(agent);
  }

  async heartbeat(input: HeartbeatInput): Promise<Outcome<Agent>> {
    const agent = await this.repository.heartbeat(input.id, input.status ?? null, this.clock.now());
    return agent
      ? ok(agent)
      : fail('NOT_FOUND', `No agent "${input.id}" is registered; call registerAgent first`, ['input', 'id']);
  }

  get(id: string): Promise<Agent | null> {
    return this.repository.get(id);
  }

  getMany(ids: readonly string[]): Promise<(Agent | null)[]> {
    return this.repository.getMany(ids);
  }

  /** READY/BUSY as reported while the heartbeat is fresh, OFFLINE once it is not. */
  statusOf(agent: Agent): AgentStatus {
    return effectiveStatus(agent, this.clock.now(), this.heartbeatWindowMs);
  }

  private query(filter: AgentFilter): AgentQuery {
    return {
      statuses: filter.statuses ?? undefined,
      capability: filter.capability ?? undefined,
      now: this.clock.now(),
      windowMs: this.heartbeatWindowMs,
    };
  }

  /** Newest registrations first. */
  page(filter: AgentFilter, request: PageRequest): Promise<Page<Agent>> {
    return this.repository.page(this.query(filter), request);
  }

  /** Ids of the agents registered with `capability`, at most `limit` (whatever their status). */
  async idsWithCapability(capability: string, limit: number): Promise<string[]> {
    const ids: string[] = [];
    let after: string | null = null;
    while (ids.length < limit) {
      const page: Page<Agent> = await this.repository.page(
        { ...this.query({}), capability },
        { first: Math.min(100, limit - ids.length), after },
      );
      ids.push(...page.items.map((item) => item.node.id));
      if (!page.hasNextPage) break;
      after = page.items.at(-1)!.cursor;
    }
    return ids;
  }

  count(filter: AgentFilter): Promise<number> {
    return this.repository.count(this.query(filter));
  }

  /** Registry facts about an agent for a validation subject. */
  async facts(id: string | null | undefined): Promise<AgentFacts> {
    const agent = id ? await this.repository.get(id) : null;
    if (!agent) return unregisteredAgentFacts(id ?? null);
    const now = this.clock.now();
    return {
      id: agent.id,
      registered: true,
      status: effectiveStatus(agent, now, this.heartbeatWindowMs),
      reportedStatus: agent.reportedStatus,
      permissions: agent.permissions,
      capabilities: agent.capabilities,
      heartbeatAgeMs: Math.max(0, now - agent.lastHeartbeatAt),
      heartbeatFresh: isHeartbeatFresh(agent, now, this.heartbeatWindowMs),
    };
  }
}
