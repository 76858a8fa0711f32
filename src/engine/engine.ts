import { AgentFeedService } from './agents/agent-feed-service.js';
import { AgentService } from './agents/agent-service.js';
import { ContextDeliveryService } from './agents/context-delivery-service.js';
import { recordHandoffsInAgentFeeds } from './agents/handoff-feed-observer.js';
import { BulkOperationService } from './bulk/bulk-operation-service.js';
import type { EngineStores } from './engine-stores.js';
import { followHandoffChanges } from './kernel/events/follow-handoff-changes.js';
import { HandoffRetention, KEEP_EVERYTHING, type RetentionSettings } from './kernel/handoff-retention.js';
import { HandoffService } from './kernel/handoff-service.js';
import { ProcedureService } from './kernel/procedures/procedure-service.js';
import { HandoffRunner } from './kernel/runner/handoff-runner.js';
import type { FairShareRule } from './kernel/scheduler/fair-share.js';
import { HandoffQueue } from './kernel/scheduler/handoff-queue.js';
import { FaultInjectors } from './reliability/fault-injectors.js';
import { ReliabilityService } from './reliability/reliability-service.js';
import { type Clock, repeatEvery, systemClock } from './shared/clock.js';
import { type Logger, silentLogger } from './shared/logger.js';
import { type Random, randomToken, systemRandom } from './shared/random.js';
import { AgentTaskPerformer } from './tasks/agent-task-performer.js';
import { AgentTaskService } from './tasks/agent-task-service.js';
import { type ClaimTokenSource, secureClaimTokens } from './tasks/claim-token.js';
import { withdrawTasksOfInterruptedHandoffs } from './tasks/interrupted-task-sweep.js';
import { createStepServices, validateHandoff, validationFactsOf } from './validation/handoff-validation.js';
import { ValidationRuleService } from './validation/rule-service.js';
import { ValidationService } from './validation/validation-service.js';
import type { WebhookSender } from './webhooks/webhook-sender.js';
import type { WebhookSecretSource, WebhookService } from './webhooks/webhook-service.js';
import { type WebhookSettings, wireWebhooks } from './webhooks/wire-webhooks.js';

/** `webhookAllowList` also bounds webhook steps; the other webhook settings are the subscriptions' (WebhookSettings). */
export interface EngineSettings extends WebhookSettings {
  agentHeartbeatWindowMs: number;
  maxConcurrentHandoffs: number;
  /** Budget (bytes of stored text) for finished handoffs kept parsed in memory for reads (default 0: none). */
  finishedHandoffCacheBytes?: number;
  /** Handoffs a bulk operation acts on per batch, its progress stored after each (default 100). */
  bulkBatchSize?: number;
  /** Pause between two batches of a bulk operation (default 0). */
  bulkBatchIntervalMs?: number;
  /** Per-key concurrency limits on top of maxConcurrentHandoffs (default: none). */
  fairShare?: FairShareRule | null;
  /** When finished handoffs are deleted (default: never). */
  retention?: RetentionSettings;
}

export interface EngineOptions {
  stores: EngineStores;
  /** This process's identity in handoff leases (default: pid and a random token). */
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
  logger?: Logger;
}

/** Every domain service, wired over the store's ports. Built by `createEngine`, used by the API layer. */
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
  /** Bulk actions over the handoffs a filter matches: started, driven in batches, resumed after a restart. */
  readonly bulk: BulkOperationService;
  /** Executes handoffs (exposed for metrics and tests). */
  readonly runner: HandoffRunner;
  readonly queue: HandoffQueue;
  /** Deletes finished handoffs past their retention age in the background (when configured). */
  readonly retention: HandoffRetention;
  /** Seeds defaults and resumes unfinished work. */
  start(): Promise<void>;
  /** Stops taking work and waits for running steps to reach a safe point. */
  stop(): Promise<void>;
}

export async function createEngine(options: EngineOptions): Promise<Engine> {
  const { stores } = options;
  const clock = options.clock ?? systemClock;
  const random = options.random ?? systemRandom;
  const logger = options.logger ?? silentLogger;
  const shared = stores.sharing === 'shared';
  const validationRules = new ValidationRuleService(stores.validationRules, clock, stores.procedures);
  const procedures = new ProcedureService({
    repository: stores.procedures,
    clock,
    knownRuleIds: async () => new Set((await validationRules.list()).map((rule) => rule.id)),
    webhookAllowList: options.settings.webhookAllowList,
  });
  const agents = new AgentService(stores.agents, clock, options.settings.agentHeartbeatWindowMs);
  const agentFeed = new AgentFeedService(stores.agentFeed, clock, logger);
  const validation = new ValidationService({
    rules: validationRules,
    sessions: stores.validationSessions,
    agents,
    procedures,
    clock,
    random,
    logger,
  });

  const faults = new FaultInjectors();
  const leaseMs = options.leaseMs ?? 15_000;
  const owner = options.owner ?? `${process.pid}-${randomToken(random, 8)}`;
  let handoffs: HandoffService | undefined;
  const runner = new HandoffRunner({
    repository: stores.handoffs,
    loadProcedure: (id, version) => procedures.getVersion(id, version),
    checkGates: (handoff, procedure) => validateHandoff(validation, handoff, procedure, procedure.validationRules, []),
    services: createStepServices({
      validation,
      procedures,
      inbox: stores.inbox,
      feed: agentFeed,
      agentTasks: new AgentTaskPerformer({ tasks: stores.agentTasks, clock, random, logger, feed: agentFeed }),
      clock,
      random,
      webhookAllowList: options.settings.webhookAllowList,
    }),
    clock,
    random,
    logger,
    owner,
    leaseMs,
    exclusiveStore: !shared,
    faults,
    retryLater: (id) => handoffs!.resumeLater(id),
    publish: (events) => handoffs!.publish(events),
  });
  const queue = new HandoffQueue(
    options.settings.maxConcurrentHandoffs,
    (id) => runner.execute(id),
    options.settings.fairShare ?? null,
  );
  const retention = new HandoffRetention(
    { handoffs: stores.handoffs, dependents: [stores.agentTasks, stores.inbox] },
    options.settings.retention ?? KEEP_EVERYTHING,
    clock,
    logger,
  );
  handoffs = new HandoffService(stores.handoffs, procedures, runner, queue, clock, random, logger, agents);
  const deliveries = new ContextDeliveryService({
    inbox: stores.inbox,
    feed: agentFeed,
    wake: (id, name, payload) => handoffs!.wake(id, name, payload),
    clock,
  });
  const agentTasks = new AgentTaskService({
    tasks: stores.agentTasks,
    wake: (id, name, payload) => handoffs!.wake(id, name, payload),
    clock,
    claimTokens: options.claimTokens ?? secureClaimTokens,
    feed: agentFeed,
  });
  const stopSweeping = withdrawTasksOfInterruptedHandoffs(
    handoffs.executed,
    stores.agentTasks,
    agentFeed,
    clock,
    logger,
  );
  const stopFeedingHandoffs = recordHandoffsInAgentFeeds(
    { created: handoffs.created, executed: handoffs.executed, events: handoffs.events, get: (id) => handoffs!.get(id) },
    agentFeed,
    logger,
  );
  validation.useHandoffLookup(async (id) => {
    const handoff = await handoffs!.get(id);
    if (!handoff) return null;
    return {
      handoff: validationFactsOf(handoff),
      procedureId: handoff.procedureId,
      metadata: handoff.metadata,
    };
  });
  const reliability = new ReliabilityService({
    configs: stores.reliabilityConfigs,
    tests: stores.reliabilityTests,
    handoffs,
    agents,
    procedures,
    faults,
    clock,
    random,
    logger,
  });
  const webhooks = wireWebhooks({
    stores,
    settings: options.settings,
    clock,
    random,
    logger,
    owner,
    leaseMs,
    isOwnerGone: options.isOwnerGone,
    secrets: options.webhookSecrets,
    sender: options.webhookSender,
  });
  let stopWebhooks: (() => Promise<void>) | null = null;
  const bulk = new BulkOperationService({
    store: stores.bulkOperations,
    handoffs,
    clock,
    random,
    logger,
    owner,
    leaseMs,
    isOwnerGone: options.isOwnerGone,
    exclusiveStore: !shared,
    batchSize: options.settings.bulkBatchSize ?? 100,
    batchIntervalMs: options.settings.bulkBatchIntervalMs ?? 0,
  });
  // Background work on the clock, stopped by stop(): lease renewal, and in a shared store the orphan
  // scan (leases of dead processes) and the feed of what other processes commit.
  const stopBackground: (() => void)[] = [];

  const renewLeases = async () => {
    try {
      const { cancels, lost } = await stores.handoffs.renewLeases(runner.activeIds, owner, clock.now() + leaseMs);
      // A cancel recorded by another process reaches a long-running step here at the latest.
      cancels.forEach(({ id, reason }) => runner.notifyCancel(id, reason));
      // Another process took over (this one stalled past the lease): stop the attempt here at once.
      lost.forEach((id) => runner.notifyLeaseLost(id));
    } catch (error) {
      logger.warn({ err: error }, 'lease renewal failed');
    }
  };
  /** Frees the leases of processes known to be gone, then queues what nobody holds (a shared store). */
  const scanOrphans = async (): Promise<number> => {
    try {
      const gone = options.isOwnerGone;
      for (const holder of gone ? await stores.handoffs.leaseHolders() : []) {
        if (holder === owner || !gone!(holder)) continue;
        const freed = await stores.handoffs.releaseLeasesOf(holder);
        if (freed > 0) logger.info({ owner: holder, freed }, 'freed the leases of a process that is gone');
      }
      return await handoffs!.resumeUnfinished(clock.now());
    } catch (error) {
      logger.warn({ err: error }, 'orphan scan failed');
      return 0;
    }
  };

  return {
    stores,
    clock,
    procedures,
    handoffs,
    agentTasks,
    faults,
    reliability,
    webhooks: webhooks.service,
    bulk,
    runner,
    queue,
    retention,
    agents,
    deliveries,
    agentFeed,
    validationRules,
    validation,
    async start() {
      await procedures.seedDefaults();
      await validationRules.seedDefaults();
      await validation.recoverInterrupted();
      if (stores.handoffChanges) {
        stopBackground.push(
          await followHandoffChanges(stores.handoffChanges, {
            clock,
            pollMs: options.changePollMs ?? 50,
            logger,
            listener: {
              events: (events) => handoffs!.publishForeign(events),
              signal: (id, step, payload) => runner.notifySignal(id, step, payload),
              cancel: (id, reason) => runner.notifyCancel(id, reason),
              agentFeed: (entries) => agentFeed.publishForeign(entries),
            },
          }),
        );
      }
      await reliability.seedDefaults();
      // Before any handoff resumes: the handoffs of an interrupted test are cancelled, not run on.
      const interrupted = await reliability.recoverInterrupted(!shared);
      if (interrupted > 0) logger.info({ interrupted }, 'reliability tests interrupted by the last stop were ended');
      const resumed = shared ? await scanOrphans() : await handoffs!.resumeUnfinished();
      if (resumed > 0) logger.info({ resumed }, 'resuming unfinished handoffs');
      const resumeBulk = async () => {
        try {
          await bulk.resumeRunning();
        } catch (error) {
          logger.warn({ err: error }, 'could not resume bulk operations');
        }
      };
      await resumeBulk();
      // A bulk operation left by a process that died elsewhere is taken over when its lease runs out.
      if (shared) stopBackground.push(repeatEvery(clock, Math.max(50, Math.floor(leaseMs / 3)), resumeBulk));
      stopBackground.push(repeatEvery(clock, Math.max(50, Math.floor(leaseMs / 3)), renewLeases));
      // Orphans of a process that died are found within a third of a lease (its leases are freed at once when it ran here).
      if (shared)
        stopBackground.push(
          repeatEvery(clock, Math.max(50, Math.floor(leaseMs / 3)), async () => void (await scanOrphans())),
        );
      stopWebhooks = webhooks.start();
      retention.start();
    },
    async stop() {
      stopBackground.splice(0).forEach((stopIt) => stopIt());
      await stopWebhooks?.();
      stopWebhooks = null;
      await bulk.stop();
      await retention.stop();
      await reliability.stop();
      queue.pause();
      handoffs!.stop();
      runner.stop();
      await queue.idle();
      await runner.drained();
      stopSweeping();
      stopFeedingHandoffs();
      await validation.stop();
    },
  };
}
