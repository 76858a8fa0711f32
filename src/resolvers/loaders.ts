import DataLoader from 'dataloader';
import type { Engine } from '../engine/engine.js';
import type { Procedure } from '../engine/procedures/procedure.js';
import type { Agent } from '../engine/agents/agent.js';
import type { RuleResult, ValidationRule } from '../engine/validation/rule.js';

/**
 * Per-request batchers: every `procedure { … }` or agent lookup in one request becomes one
 * `$in` read. Created fresh for each request so nothing leaks between callers.
 */
export interface Loaders {
  procedures: DataLoader<string, Procedure | null>;
  agents: DataLoader<string, Agent | null>;
  validationRules: DataLoader<string, ValidationRule | null>;
  /** A session's results by session id. */
  validationResults: DataLoader<string, RuleResult[]>;
}

export function createLoaders(engine: Engine): Loaders {
  return {
    procedures: new DataLoader<string, Procedure | null>((ids) => engine.procedures.getMany(ids)),
    agents: new DataLoader<string, Agent | null>((ids) => engine.agents.getMany(ids)),
    validationRules: new DataLoader<string, ValidationRule | null>((ids) => engine.validationRules.getMany(ids)),
    validationResults: new DataLoader<string, RuleResult[]>((ids) => engine.validation.resultsOfMany(ids)),
  };
}
