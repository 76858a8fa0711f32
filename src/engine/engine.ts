import type { Database } from '../store/collection.js';
import { ProcedureRepository } from '../store/repositories/procedure-repository.js';
import { ProcedureService } from './procedures/procedure-service.js';
import { AgentRepository } from '../store/repositories/agent-repository.js';
import { ValidationRuleRepository } from '../store/repositories/validation-rule-repository.js';
import { ValidationSessionRepository } from '../store/repositories/validation-session-repository.js';
import { AgentService } from './agents/agent-service.js';
import { ValidationRuleService } from './validation/rule-service.js';
import { ValidationService } from './validation/validation-service.js';
import { systemClock, type Clock } from './shared/clock.js';
import { silentLogger, type Logger } from './shared/logger.js';
import { systemRandom, type Random } from './shared/random.js';

export interface EngineSettings {
  agentHeartbeatWindowMs: number;
  maxConcurrentHandoffs: number;
  webhookAllowList: string[];
}

export interface EngineOptions {
  db: Database;
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
  /** Validation sessions; `evaluate`/`runSession` are what handoff `validate` steps and gates call. */
  readonly validation: ValidationService;
  /** Seeds defaults and resumes unfinished work. */
  start(): Promise<void>;
  /** Stops taking work and waits for running steps to reach a safe point. */
  stop(): Promise<void>;
}

export async function createEngine(options: EngineOptions): Promise<Engine> {
  const clock = options.clock ?? systemClock;
  const _random = options.random ?? systemRandom;
  const _logger = options.logger ?? silentLogger;
  const procedures = new ProcedureService(await ProcedureRepository.open(options.db), clock);
  const agents = new AgentService(await AgentRepository.open(options.db), clock, options.settings.agentHeartbeatWindowMs);
  const validationRules = new ValidationRuleService(await ValidationRuleRepository.open(options.db), clock);
  const validation = new ValidationService({
    rules: validationRules,
    sessions: await ValidationSessionRepository.open(options.db),
    agents,
    procedures,
    clock,
    logger: _logger,
  });

  return {
    db: options.db,
    clock,
    procedures,
    agents,
    validationRules,
    validation,
    async start() {
      await procedures.seedDefaults();
      await validationRules.seedDefaults();
      await validation.recoverInterrupted();
    },
    async stop() {
      await validation.stop();
    },
  };
}
