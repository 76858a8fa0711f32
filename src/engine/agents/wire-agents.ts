import { type EngineModule, NOTHING_TO_START } from '../kernel/engine-module.js';
import type { HandoffDependents } from '../kernel/handoff-retention.js';
import type { InitiationCheck } from '../kernel/handoff-service.js';
import type { KernelBase } from '../kernel/kernel-base.js';
import type { StepKindHandlers } from '../kernel/steps/step-kind.js';
import { AgentFeedService } from './agent-feed-service.js';
import type { AgentFeedChange, AgentFeedStore } from './agent-feed-store.js';
import { agentPrerequisites } from './agent-prerequisites.js';
import { AgentService } from './agent-service.js';
import type { AgentStore, InboxStore } from './agent-stores.js';
import { ContextDeliveryService } from './context-delivery-service.js';
import { contextStepKinds, Inboxes } from './context-steps.js';
import { recordHandoffsInAgentFeeds } from './handoff-feed-observer.js';

export interface AgentsStores {
  agents: AgentStore;
  inbox: InboxStore;
  agentFeed: AgentFeedStore;
}

export interface AgentsModule extends EngineModule {
  /** The agent registry: registration, heartbeats, effective status. */
  service: AgentService;
  /** Each agent's feed of what concerns it. */
  feed: AgentFeedService;
  /** What agents were handed (their inboxes) and their receipts. */
  deliveries: ContextDeliveryService;
  stepKinds: Pick<StepKindHandlers, 'transfer_context' | 'revert_context'>;
  initiationCheck: InitiationCheck;
  /** Inbox deliveries go when their handoff is deleted. */
  dependents: HandoffDependents;
  /** Feed entries other processes appended, from the change feed. */
  onFeedChange(change: AgentFeedChange): void;
}

/** Agents, their inboxes and feeds: the registry, context deliveries and receipts, the feeds agents follow. */
export function wireAgents(
  base: KernelBase<AgentFeedChange>,
  stores: AgentsStores,
  settings: { agentHeartbeatWindowMs: number },
): AgentsModule {
  const { clock, logger, bus, signals } = base;
  const service = new AgentService(stores.agents, clock, settings.agentHeartbeatWindowMs);
  const feed = new AgentFeedService(stores.agentFeed, clock, logger);
  const deliveries = new ContextDeliveryService({
    inbox: stores.inbox,
    feed,
    wake: (handoffId, name, payload) => signals.wake(handoffId, name, payload),
    clock,
  });
  // Agents hear of the handoffs naming them from the moment the engine exists (for its lifetime).
  recordHandoffsInAgentFeeds(
    { created: bus.created, executed: bus.executed, events: bus.events, get: (id) => base.stores.handoffs.get(id) },
    feed,
    logger,
  );
  return {
    name: 'agents',
    service,
    feed,
    deliveries,
    stepKinds: contextStepKinds(new Inboxes(stores.inbox, feed, clock)),
    initiationCheck: agentPrerequisites(service),
    dependents: stores.inbox,
    onFeedChange: (change) => feed.publishForeign(change.entries),
    start: NOTHING_TO_START,
  };
}
