import type { A2AAgentStore } from './a2a/a2a-agent-store.js';
import type { AgentFeedChange, AgentFeedStore } from './agents/agent-feed-store.js';
import type { AgentStore, InboxStore } from './agents/agent-stores.js';
import type { BulkOperationStore } from './bulk/bulk-operation-store.js';
import type { InsightStore } from './insight/insight-store.js';
import type { CommittedHandoffEvents } from './kernel/ports/committed-events.js';
import type { HandoffChangeFeed, HandoffStore } from './kernel/ports/handoff-store.js';
import type { ProcedureStore } from './kernel/ports/procedure-store.js';
import type { ReliabilityConfigStore, ReliabilityTestStore } from './reliability/reliability-stores.js';
import type { AgentTaskStore } from './tasks/agent-task-store.js';
import type { ValidationRuleStore, ValidationSessionStore } from './validation/validation-stores.js';
import type { WebhookStore } from './webhooks/webhook-store.js';

/**
 * Everything the engine keeps, as the ports it declares; `src/store` implements them per database
 * and the composition root hands them in. The engine never sees a database.
 */
export interface EngineStores {
  /**
   * `exclusive`: only this process opens the store, so a lease held by anyone else is stale (a
   * crashed predecessor) and unfinished work needs no orphan scan. `shared`: other processes may
   * run handoffs on it at the same time.
   */
  readonly sharing: 'exclusive' | 'shared';
  readonly handoffs: HandoffStore;
  /** What other processes commit; null when none can (an exclusive store). */
  readonly handoffChanges: HandoffChangeFeed<AgentFeedChange> | null;
  readonly procedures: ProcedureStore;
  readonly agents: AgentStore;
  readonly inbox: InboxStore;
  /** Tasks of agent_task steps: offers, claims, heartbeats, outcomes. */
  readonly agentTasks: AgentTaskStore;
  /** The agents reached over A2A: their cards and how they were last read. */
  readonly a2aAgents: A2AAgentStore;
  /** Each agent's feed: what concerns it, numbered gaplessly per agent. */
  readonly agentFeed: AgentFeedStore;
  readonly validationRules: ValidationRuleStore;
  readonly validationSessions: ValidationSessionStore;
  readonly reliabilityConfigs: ReliabilityConfigStore;
  readonly reliabilityTests: ReliabilityTestStore;
  /** Outbound webhook subscriptions and their delivery logs. */
  readonly webhooks: WebhookStore;
  /** Every handoff event in commit order, for webhook deliveries; null where the store keeps no such order. */
  readonly committedEvents: CommittedHandoffEvents | null;
  /** Bulk actions over handoffs and their progress. */
  readonly bulkOperations: BulkOperationStore;
  /** Time series and learned step statistics, folded from the committed events. */
  readonly insight: InsightStore;
}
