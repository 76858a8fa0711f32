import type { A2AAgentService } from './a2a/a2a-agent-service.js';
import type { A2APeers } from './a2a/a2a-peers.js';
import { type A2APushInbox, type A2ASettings, wireA2A } from './a2a/wire-a2a.js';
import type { AgentFeedService } from './agents/agent-feed-service.js';
import type { AgentService } from './agents/agent-service.js';
import type { ContextDeliveryService } from './agents/context-delivery-service.js';
import { wireAgents } from './agents/wire-agents.js';
import type { BulkOperationService } from './bulk/bulk-operation-service.js';
import { type BulkSettings, wireBulk } from './bulk/wire-bulk.js';
import type { EngineStores } from './engine-stores.js';
import type { InsightFold } from './insight/insight-fold.js';
import type { InsightService } from './insight/insight-service.js';
import type { SpanSink } from './insight/span-sink.js';
import { webhookTraceContext } from './insight/webhook-trace-context.js';
import { type InsightSettings, wireInsight } from './insight/wire-insight.js';
import type { EngineModule, StopModule } from './kernel/engine-module.js';
import type { HandoffRetention } from './kernel/handoff-retention.js';
import type { HandoffService } from './kernel/handoff-service.js';
import { Kernel, type KernelSettings } from './kernel/kernel.js';
import { createKernelBase } from './kernel/kernel-base.js';
import type { ProcedureService } from './kernel/procedures/procedure-service.js';
import type { HandoffRunner } from './kernel/runner/handoff-runner.js';
import type { HandoffQueue } from './kernel/scheduler/handoff-queue.js';
import { KERNEL_STEP_KINDS } from './kernel/steps/kernel-step-kinds.js';
import type { StepKindHandlers } from './kernel/steps/step-kind.js';
import { FaultInjectors } from './reliability/fault-injectors.js';
import type { ReliabilityService } from './reliability/reliability-service.js';
import { wireReliability } from './reliability/wire-reliability.js';
import type { Clock } from './shared/clock.js';
import type { Logger } from './shared/logger.js';
import type { Random } from './shared/random.js';
import type { AgentTaskService } from './tasks/agent-task-service.js';
import type { ClaimTokenSource } from './tasks/claim-token.js';
import { wireTasks } from './tasks/wire-tasks.js';
import type { ValidationRuleService } from './validation/rule-service.js';
import type { ValidationService } from './validation/validation-service.js';
import { wireValidation } from './validation/wire-validation.js';
import type { WebhookSender } from './webhooks/webhook-sender.js';
import type { WebhookSecretSource, WebhookService } from './webhooks/webhook-service.js';
import { type WebhookSettings, wireWebhooks } from './webhooks/wire-webhooks.js';

export interface EngineSettings
  extends Omit<KernelSettings, 'webhookAllowList'>,
    WebhookSettings,
    BulkSettings,
    InsightSettings,
    A2ASettings {
  agentHeartbeatWindowMs: number;
  /** Budget (bytes of stored text) for finished handoffs kept parsed in memory for reads (default 0: none). */
  finishedHandoffCacheBytes?: number;
}

export interface EngineOptions {
  stores: EngineStores;
  /** This process's identity in leases (default: pid and a random token). */
  owner?: string;
  /** How long a lease lasts without renewal (default 15 s). */
  leaseMs?: number;
  /** How often a shared store is asked what other processes committed (default 50 ms). */
  changePollMs?: number;
  /** Whether a lease owner is known to be gone (a dead process): its leases are freed at once. */
  isOwnerGone?: (owner: string) => boolean;
  settings: EngineSettings;
  clock?: Clock;
  random?: Random;
  /** Where agent-task claim tokens come from (default: the OS CSPRNG; see claim-token.ts). */
  claimTokens?: ClaimTokenSource;
  /** Where webhook signing secrets come from (default: the OS CSPRNG). */
  webhookSecrets?: WebhookSecretSource;
  /** How webhook POSTs are sent (default: fetch). */
  webhookSender?: WebhookSender;
  /**
   * Where handoff spans go (one trace per run, a span per step attempt and compensation); webhook and
   * A2A calls then carry their trace context, and agent tasks record it. Absent: no tracing, at no cost.
   */
  spans?: SpanSink | null;
  /** How A2A agents are called (default: the official SDK's client, under the outbound policy). */
  a2aPeers?: A2APeers;
  logger?: Logger;
}

/** Every domain service, over the store's ports. Built by `createEngine`, used by the API layer. */
export interface Engine {
  readonly stores: EngineStores;
  readonly clock: Clock;
  readonly procedures: ProcedureService;
  /** The agent registry: registration, heartbeats, effective status. */
  readonly agents: AgentService;
  /** What agents were handed (their inboxes) and their receipts. */
  readonly deliveries: ContextDeliveryService;
  /** Each agent's feed of what concerns it (agentFeed). */
  readonly agentFeed: AgentFeedService;
  /** Validation rule definitions (seeded with VR001–VR008). */
  readonly validationRules: ValidationRuleService;
  /** Validation sessions; `evaluate` is what handoff `validate` steps and gates call. */
  readonly validation: ValidationService;
  /** Handoffs: initiate, cancel, signal, read, live events. */
  readonly handoffs: HandoffService;
  /** Agent tasks: what agents' workers claim, heartbeat, complete and fail. */
  readonly agentTasks: AgentTaskService;
  /** Where reliability tests register their fault injection. */
  readonly faults: FaultInjectors;
  /** Reliability tests: the six standard configurations, runs of real test-tagged handoffs, results. */
  readonly reliability: ReliabilityService;
  /** Outbound webhook subscriptions and their delivery logs. */
  readonly webhooks: WebhookService;
  /** A2A agents registered from their Agent Cards; a bridge works the tasks offered to them. */
  readonly a2aAgents: A2AAgentService;
  /** Where A2A agents' push notifications go (the HTTP layer hands them over). */
  readonly a2aPush: A2APushInbox;
  /** Bulk actions over the handoffs a filter matches: started, driven in batches, resumed after a restart. */
  readonly bulk: BulkOperationService;
  /** Series, learned durations, ETAs and advice, folded from the committed events. */
  readonly insight: InsightService;
  /** The background fold behind `insight` (null when off or unsupported by the store; exposed for tests and benchmarks). */
  readonly insightFold: InsightFold | null;
  /** Executes handoffs (exposed for metrics and tests). */
  readonly runner: HandoffRunner;
  /** This process's admission queue (exposed for metrics). */
  readonly queue: HandoffQueue;
  /** Deletes finished handoffs past their retention age in the background (when configured). */
  readonly retention: HandoffRetention;
  /** Seeds defaults, then takes due work. */
  start(): Promise<void>;
  /** Stops taking work and waits for running steps to reach a safe point. */
  stop(): Promise<void>;
}

/**
 * The kernel and an ordered list of modules. The modules the kernel's runs need (agents, validation,
 * tasks, webhooks: step kinds, checks) are wired first on the kernel's base; the kernel is built with
 * what they bring; the modules that drive handoffs (bulk, reliability) are wired on the kernel.
 */
export async function createEngine(options: EngineOptions): Promise<Engine> {
  const { stores, settings } = options;
  const base = createKernelBase({ ...options, stores });
  const agents = wireAgents(base, stores, settings);
  const validation = wireValidation(base, stores, agents.service);
  // With tracing on, calls made for an attempt (webhook steps, A2A agents' tasks) carry its span.
  const tracing = options.spans ? webhookTraceContext : null;
  const tasks = wireTasks(base, stores.agentTasks, agents.feed, options.claimTokens, tracing);
  const webhooks = wireWebhooks(base, stores.webhooks, settings, {
    secrets: options.webhookSecrets,
    sender: options.webhookSender,
    tracing,
  });
  const faults = new FaultInjectors();
  // Every step kind but sub_handoff (the kernel's own) has its handler here: one missing does not compile.
  const stepKinds: Omit<StepKindHandlers, 'sub_handoff'> = {
    ...KERNEL_STEP_KINDS,
    ...validation.stepKinds,
    ...agents.stepKinds,
    ...tasks.stepKinds,
    ...webhooks.stepKinds,
  };
  const kernel = new Kernel(
    base,
    { ...settings, changePollMs: options.changePollMs ?? settings.changePollMs },
    {
      stepKinds,
      checks: validation.checks,
      conditions: validation.conditions,
      knownRuleIds: validation.knownRuleIds,
      initiationChecks: [agents.initiationCheck],
      agentsWithRole: (role, limit) => agents.service.idsWithCapability(role, limit),
      dueWork: [tasks.heartbeats],
      dependents: [tasks.dependents, agents.dependents],
      faults,
      onOtherChange: (change) => agents.onFeedChange(change),
    },
  );
  // A signal on an agent_task step answers the question its agent asked (an A2A agent's input-required).
  kernel.handoffs.useTaskAnswers((handoff, step, signal) => tasks.service.answerStep(handoff, step, signal));
  const a2a = wireA2A(base, stores.a2aAgents, agents.service, tasks.service, agents.feed, settings, {
    peers: options.a2aPeers,
  });
  const bulk = wireBulk(kernel, stores.bulkOperations, settings);
  const reliability = wireReliability(kernel, stores, agents.service, faults);
  const insight = wireInsight(kernel, stores.insight, settings, options.spans ?? null);
  const modules: EngineModule[] = [agents, validation, tasks, webhooks, a2a, bulk, reliability, insight];
  const stops: StopModule[] = [];

  return {
    stores,
    clock: base.clock,
    procedures: kernel.procedures,
    handoffs: kernel.handoffs,
    runner: kernel.runner,
    queue: kernel.queue,
    retention: kernel.retention,
    agents: agents.service,
    deliveries: agents.deliveries,
    agentFeed: agents.feed,
    validationRules: validation.rules,
    validation: validation.service,
    agentTasks: tasks.service,
    webhooks: webhooks.service,
    a2aAgents: a2a.service,
    a2aPush: a2a.push,
    bulk: bulk.service,
    faults,
    reliability: reliability.service,
    insight: insight.service,
    insightFold: insight.fold,
    async start() {
      await kernel.start();
      for (const module of modules) stops.unshift(await module.start());
      await kernel.startWork();
    },
    async stop() {
      for (const stop of stops.splice(0)) await stop();
      await kernel.stop();
    },
  };
}
