import { randomUUID } from 'node:crypto';
import type { Database } from '../store/collection.js';
import { ProcedureRepository } from '../store/repositories/procedure-repository.js';
import { ProcedureService } from './procedures/procedure-service.js';
import { AgentRepository } from '../store/repositories/agent-repository.js';
import { ValidationRuleRepository } from '../store/repositories/validation-rule-repository.js';
import { ValidationSessionRepository } from '../store/repositories/validation-session-repository.js';
import { AgentService } from './agents/agent-service.js';
import { ValidationRuleService } from './validation/rule-service.js';
import { ValidationService } from './validation/validation-service.js';
import { HandoffRepository } from '../store/repositories/handoff-repository.js';
import { InboxRepository } from '../store/repositories/inbox-repository.js';
import { HandoffQueue } from './handoffs/handoff-queue.js';
import { HandoffRunner } from './handoffs/handoff-runner.js';
import { HandoffService } from './handoffs/handoff-service.js';
import { FaultInjectors } from './handoffs/fault-injectors.js';
import { createStepServices, validateHandoff, validationFactsOf } from './handoffs/step-services.js';
import { ReliabilityConfigRepository } from '../store/repositories/reliability-config-repository.js';
import { ReliabilityTestRepository } from '../store/repositories/reliability-test-repository.js';
import { ReliabilityService } from './reliability/reliability-service.js';
import { systemClock, type Clock } from './shared/clock.js';
import { silentLogger, type Logger } from './shared/logger.js';
import { systemRandom, type Random } from './shared/random.js';

export interface EngineSettings {
  agentHeartbeatWindowMs: number;
  maxConcurrentHandoffs: number;
  webhookAllowList: string[];
  /** Budget (bytes of stored text) for finished handoffs kept parsed in memory for reads (default 0: none). */
  finishedHandoffCacheBytes?: number;
}

export interface EngineOptions {
  db: Database;
  /** This process's identity in handoff leases (default: random). */
  owner?: string;
  /** How long a lease lasts without renewal (default 15 s). */
  leaseMs?: number;
  /** Whether no other process can share the store (default: true unless MongoDB). */
  exclusiveStore?: boolean;
  settings: EngineSettings;
  clock?: Clock;
  random?: Random;
  logger?: Logger;
}

/** Every domain service, wired over one store. Built by `createEngine`, used by the API layer. */
export interface Engine {
  readonly db: Database;
  readonly clock: Clock;
  readonly procedures: ProcedureService;
  /** The agent registry: registration, heartbeats, effective status. */
  readonly agents: AgentService;
  /** Validation rule definitions (seeded with VR001–VR008). */
  readonly validationRules: ValidationRuleService;
  /** Validation sessions; `evaluate` is what handoff `validate` steps and gates call. */
  readonly validation: ValidationService;
  /** Handoffs: initiate, cancel, signal, read, live events. */
  readonly handoffs: HandoffService;
  /** Where reliability tests register their fault injection. */
  readonly faults: FaultInjectors;
  /** Reliability tests: the six standard configurations, runs of real test-tagged handoffs, results. */
  readonly reliability: ReliabilityService;
  /** Executes handoffs (exposed for metrics and tests). */
  readonly runner: HandoffRunner;
  readonly queue: HandoffQueue;
  /** Seeds defaults and resumes unfinished work. */
  start(): Promise<void>;
  /** Stops taking work and waits for running steps to reach a safe point. */
  stop(): Promise<void>;
}

export async function createEngine(options: EngineOptions): Promise<Engine> {
  const clock = options.clock ?? systemClock;
  const random = options.random ?? systemRandom;
  const logger = options.logger ?? silentLogger;
  const validationRules = new ValidationRuleService(await ValidationRuleRepository.open(options.db), clock);
  const procedures = new ProcedureService({
    repository: await ProcedureRepository.open(options.db),
    clock,
    knownRuleIds: async () => new Set((await validationRules.list()).map((rule) => rule.id)),
    webhookAllowList: options.settings.webhookAllowList,
  });
  const agents = new AgentService(await AgentRepository.open(options.db), clock, options.settings.agentHeartbeatWindowMs);
  const validation = new ValidationService({
    rules: validationRules,
    sessions: await ValidationSessionRepository.open(options.db),
    agents,
    procedures,
    clock,
    logger,
  });

  const handoffRepository = await HandoffRepository.open(options.db, options.settings.finishedHandoffCacheBytes ?? 0);
  const faults = new FaultInjectors();
  const leaseMs = options.leaseMs ?? 15_000;
  const owner = options.owner ?? `${process.pid}-${randomUUID().slice(0, 8)}`;
  let handoffs: HandoffService | undefined;
  const runner = new HandoffRunner({
    repository: handoffRepository,
    loadProcedure: (id, version) => procedures.getVersion(id, version),
    checkGates: (handoff, procedure) => validateHandoff(validation, handoff, procedure, procedure.validationRules, []),
    services: createStepServices({
      validation,
      procedures,
      inbox: await InboxRepository.open(options.db),
      clock,
      random,
      webhookAllowList: options.settings.webhookAllowList,
    }),
    clock,
    random,
    logger,
    owner,
    leaseMs,
    exclusiveStore: options.exclusiveStore ?? options.db.kind !== 'mongo',
    faults,
    retryLater: (id) => handoffs!.resumeLater(id),
    publish: (events) => handoffs!.publish(events),
  });
  const queue = new HandoffQueue(options.settings.maxConcurrentHandoffs, (id) => runner.execute(id));
  handoffs = new HandoffService(handoffRepository, procedures, runner, queue, clock, logger, agents);
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
    configs: await ReliabilityConfigRepository.open(options.db),
    tests: await ReliabilityTestRepository.open(options.db),
    handoffs,
    agents,
    procedures,
    faults,
    clock,
    logger,
  });
  // Leases are renewed while we run; in a shared store, orphans of dead processes are picked up.
  let leaseTimer: NodeJS.Timeout | undefined;
  let orphanTimer: NodeJS.Timeout | undefined;

  return {
    db: options.db,
    clock,
    procedures,
    handoffs,
    faults,
    reliability,
    runner,
    queue,
    agents,
    validationRules,
    validation,
    async start() {
      await procedures.seedDefaults();
      await validationRules.seedDefaults();
      await validation.recoverInterrupted();
      const resumed = await handoffs!.resumeUnfinished();
      if (resumed > 0) logger.info({ resumed }, 'resuming unfinished handoffs');
      await reliability.seedDefaults();
      const interrupted = await reliability.recoverInterrupted(options.db.kind !== 'mongo');
      if (interrupted > 0) logger.info({ interrupted }, 'reliability tests interrupted by the last stop were ended');
      leaseTimer = setInterval(() => {
        handoffRepository
          .renewLeases(runner.activeIds, owner, clock.now() + leaseMs)
          // A cancel recorded by another process reaches a long-running step here.
          .then((cancels) => cancels.forEach(({ id, reason }) => runner.notifyCancel(id, reason)))
          .catch((error) => logger.warn({ err: error }, 'lease renewal failed'));
      }, Math.max(50, Math.floor(leaseMs / 3)));
      leaseTimer.unref();
      if (options.db.kind === 'mongo') {
        orphanTimer = setInterval(() => {
          handoffs!.resumeUnfinished().catch((error) => logger.warn({ err: error }, 'orphan scan failed'));
        }, leaseMs);
        orphanTimer.unref();
      }
    },
    async stop() {
      clearInterval(leaseTimer);
      clearInterval(orphanTimer);
      await reliability.stop();
      queue.pause();
      handoffs!.stop();
      runner.stop();
      await queue.idle();
      await runner.drained();
      await validation.stop();
    },
  };
}
