import type { Database } from '../store/collection.js';
import { ProcedureRepository } from '../store/repositories/procedure-repository.js';
import { ProcedureService } from './procedures/procedure-service.js';
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

  return {
    db: options.db,
    clock,
    procedures,
    async start() {
      await procedures.seedDefaults();
    },
    async stop() {},
  };
}
