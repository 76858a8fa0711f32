import DataLoader from 'dataloader';
import type { Agent } from '../engine/agents/agent.js';
import type { Engine } from '../engine/engine.js';
import type { Handoff } from '../engine/kernel/handoff/handoff.js';
import type { Procedure } from '../engine/kernel/procedures/procedure.js';
import type { ReliabilityTestConfig } from '../engine/reliability/reliability-test.js';
import type { RuleResult, ValidationRule } from '../engine/validation/rule.js';

/**
 * Per-request batchers: every `procedure { … }`, agent or config lookup in one request becomes one
 * `$in` read. Created fresh for each request so nothing leaks between callers.
 */
export interface Loaders {
  procedures: DataLoader<string, Procedure | null>;
  agents: DataLoader<string, Agent | null>;
  /** Handoffs named by other objects (deliveries, tasks, feed entries). */
  handoffs: DataLoader<string, Handoff | null>;
  validationRules: DataLoader<string, ValidationRule | null>;
  /** A session's results by session id. */
  validationResults: DataLoader<string, RuleResult[]>;
  reliabilityConfigs: DataLoader<string, ReliabilityTestConfig | null>;
}

/** Each loader is made on first use: most operations need one or none of them. */
class RequestLoaders implements Loaders {
  #procedures?: Loaders['procedures'];
  #agents?: Loaders['agents'];
  #handoffs?: Loaders['handoffs'];
  #validationRules?: Loaders['validationRules'];
  #validationResults?: Loaders['validationResults'];
  #reliabilityConfigs?: Loaders['reliabilityConfigs'];

  constructor(private readonly engine: Engine) {}

  get procedures(): Loaders['procedures'] {
    this.#procedures ??= new DataLoader((ids) => this.engine.procedures.getMany(ids));
    return this.#procedures;
  }

  get agents(): Loaders['agents'] {
    this.#agents ??= new DataLoader((ids) => this.engine.agents.getMany(ids));
    return this.#agents;
  }

  get handoffs(): Loaders['handoffs'] {
    this.#handoffs ??= new DataLoader((ids) => this.engine.handoffs.getMany(ids));
    return this.#handoffs;
  }

  get validationRules(): Loaders['validationRules'] {
    this.#validationRules ??= new DataLoader((ids) => this.engine.validationRules.getMany(ids));
    return this.#validationRules;
  }

  get validationResults(): Loaders['validationResults'] {
    this.#validationResults ??= new DataLoader((ids) => this.engine.validation.resultsOfMany(ids));
    return this.#validationResults;
  }

  get reliabilityConfigs(): Loaders['reliabilityConfigs'] {
    this.#reliabilityConfigs ??= new DataLoader((ids) => this.engine.reliability.getConfigs(ids));
    return this.#reliabilityConfigs;
  }
}

export function createLoaders(engine: Engine): Loaders {
  return new RequestLoaders(engine);
}
