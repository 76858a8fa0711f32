import { AGENT_ID_PATTERN, type Agent } from '../agents/agent.js';
import type { AgentService } from '../agents/agent-service.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { checkOutboundUrl } from '../shared/outbound-url.js';
import { fail, type Outcome, ok } from '../shared/user-error.js';
import { type A2AAgentLink, type A2ACardSummary, agentIdFromCard, capabilitiesOf } from './a2a-agent.js';
import type { A2AAgentStore } from './a2a-agent-store.js';
import { type A2APeers, PeerError } from './a2a-peers.js';

export interface RegisterA2AAgentInput {
  cardUrl: string;
  /** Default: from the card's name (see agentIdFromCard). */
  agentId?: string | null;
  /** Default: what the agent has when it is registered already, else ["handoff:receive"]. */
  permissions?: string[] | null;
}

export interface A2AAgentServiceOptions {
  store: A2AAgentStore;
  agents: AgentService;
  peers: A2APeers;
  clock: Clock;
  logger: Logger;
  /** Hosts the server may call (WEBHOOK_ALLOW_HOSTS): the card's and the interface's. */
  allowList: readonly string[];
  /** Told of every agent registered here (the bridge starts on its offered tasks at once). */
  onLinked?: (agentId: string) => void;
}

/** Everything a registration or a card reading answers with. */
export interface A2AAgentRegistration {
  link: A2AAgentLink;
  agent: Agent;
}

const DEFAULT_PERMISSIONS = ['handoff:receive'];

/**
 * The A2A agents of the registry: registered from an Agent Card URL (its skills become the agent's
 * capabilities), and the card read again on demand and on a schedule (refreshAll). A successful
 * reading counts as the agent's heartbeat; a failed one is recorded on the link, the last good card
 * kept, and the agent goes OFFLINE once its heartbeat is stale.
 */
export class A2AAgentService {
  constructor(private readonly options: A2AAgentServiceOptions) {}

  get(agentId: string): Promise<A2AAgentLink | null> {
    return this.options.store.get(agentId);
  }

  getMany(agentIds: readonly string[]): Promise<(A2AAgentLink | null)[]> {
    return this.options.store.getMany(agentIds);
  }

  list(): Promise<A2AAgentLink[]> {
    return this.options.store.list();
  }

  async register(input: RegisterA2AAgentInput): Promise<Outcome<A2AAgentRegistration>> {
    const checked = checkOutboundUrl(input.cardUrl, this.options.allowList, 'cardUrl');
    if (!checked.url)
      return fail(checked.hostRefused ? 'HOST_NOT_ALLOWED' : 'INVALID_VALUE', checked.problem!, ['input', 'cardUrl']);
    if (input.agentId != null && !AGENT_ID_PATTERN.test(input.agentId))
      return fail('INVALID_VALUE', 'An agent id has 1 to 128 letters, digits or _ . : @ -', ['input', 'agentId']);
    const card = await this.read(checked.url.href);
    if (!card.ok) return card;
    const agentId = input.agentId ?? agentIdFromCard(card.value);
    const existing = await this.options.store.get(agentId);
    const now = this.options.clock.now();
    const link: A2AAgentLink = {
      agentId,
      cardUrl: checked.url.href,
      card: card.value,
      registeredAt: existing?.registeredAt ?? now,
      cardReadAt: now,
      lastError: null,
      lastErrorAt: null,
      updatedAt: now,
    };
    const agent = await this.registerInRegistry(link, input.permissions ?? null);
    if (!agent.ok) return agent;
    await this.options.store.save(link);
    this.options.onLinked?.(agentId);
    return ok({ link, agent: agent.value });
  }

  /** Reads the card again now: the agent's capabilities follow its skills; a failure is recorded on the link. */
  async refresh(agentId: string): Promise<Outcome<A2AAgentRegistration>> {
    const link = await this.options.store.get(agentId);
    if (!link) return fail('NOT_FOUND', `No A2A agent "${agentId}" is registered`, ['input', 'agentId']);
    const card = await this.read(link.cardUrl);
    const now = this.options.clock.now();
    if (!card.ok) {
      await this.options.store.save({
        ...link,
        lastError: card.errors[0]!.message,
        lastErrorAt: now,
        updatedAt: now,
      });
      return card;
    }
    const fresh = { ...link, card: card.value, cardReadAt: now, lastError: null, lastErrorAt: null, updatedAt: now };
    const agent = await this.registerInRegistry(fresh, null);
    if (!agent.ok) return agent;
    await this.options.store.save(fresh);
    return ok({ link: fresh, agent: agent.value });
  }

  /** Re-reads every card (the schedule); failures are recorded and logged, never thrown. */
  async refreshAll(): Promise<void> {
    for (const link of await this.options.store.list()) {
      const outcome = await this.refresh(link.agentId).catch((error: Error) => fail('UNREACHABLE', error.message));
      if (!outcome.ok)
        this.options.logger.warn(
          { agentId: link.agentId, cardUrl: link.cardUrl, problem: outcome.errors[0]?.message },
          'could not read an A2A agent card',
        );
    }
  }

  /** Stops bridging the agent (it stays in the registry; tasks offered to it then wait for another worker). */
  async remove(agentId: string): Promise<Outcome<A2AAgentLink>> {
    const link = await this.options.store.get(agentId);
    if (!link || !(await this.options.store.delete(agentId)))
      return fail('NOT_FOUND', `No A2A agent "${agentId}" is registered`, ['input', 'agentId']);
    return ok(link);
  }

  private async read(cardUrl: string): Promise<Outcome<A2ACardSummary>> {
    let card: A2ACardSummary;
    try {
      card = await this.options.peers.readCard(cardUrl);
    } catch (error) {
      const reason = error instanceof PeerError ? error.message : String(error);
      return fail('UNREACHABLE', `Could not read an Agent Card at ${cardUrl}: ${reason}`, ['input', 'cardUrl']);
    }
    const endpoint = checkOutboundUrl(card.url, this.options.allowList, "the card's interface url");
    if (!endpoint.url)
      return fail(endpoint.hostRefused ? 'HOST_NOT_ALLOWED' : 'INVALID_VALUE', `${endpoint.problem} (${card.url})`, [
        'input',
        'cardUrl',
      ]);
    return ok(card);
  }

  /** The agent as the registry knows it: capabilities from the card's skills; a reading counts as its heartbeat. */
  private async registerInRegistry(link: A2AAgentLink, permissions: string[] | null): Promise<Outcome<Agent>> {
    const known = await this.options.agents.get(link.agentId);
    const outcome = await this.options.agents.register({
      id: link.agentId,
      capabilities: capabilitiesOf(link.card),
      permissions: permissions ?? known?.permissions ?? DEFAULT_PERMISSIONS,
      status: 'READY',
    });
    return outcome.ok
      ? outcome
      : {
          ok: false,
          errors: outcome.errors.map((error) => ({
            ...error,
            field: error.field?.[1] === 'id' ? ['input', 'agentId'] : error.field,
          })),
        };
  }
}
