import DataLoader from 'dataloader';
import type { Engine } from '../engine/engine.js';
import type { Procedure } from '../engine/procedures/procedure.js';
import type { Agent } from '../engine/agents/agent.js';
import type { Handoff } from '../engine/handoffs/handoff.js';
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
    return (this.#procedures ??= new DataLoader((ids) => this.engine.procedures.getMany(ids)));
  }

  get agents(): Loaders['agents'] {
    return (this.#agents ??= new DataLoader((ids) => this.engine.agents.getMany(ids)));
  }

  get handoffs(): Loaders['handoffs'] {
    return (this.#handoffs ??= new DataLoader((ids) => this.engine.handoffs.getMany(ids)));
  }

  get validationRules(): Loaders['validationRules'] {
    return (this.#validationRules ??= new DataLoader((ids) => this.engine.validationRules.getMany(ids)));
  }

  get validationResults(): Loaders['validationResults'] {
    return (this.#validationResults ??= new DataLoader((ids) => this.engine.validation.resultsOfMany(ids)));
  }

  get reliabilityConfigs(): Loaders['reliabilityConfigs'] {
    return (this.#reliabilityConfigs ??= new DataLoader((ids) => this.engine.reliability.getConfigs(ids)));
  }
}

export function createLoaders(engine: Engine): Loaders {
  return new RequestLoaders(engine);
}
