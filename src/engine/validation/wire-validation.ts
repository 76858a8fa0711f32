import type { AgentService } from '../agents/agent-service.js';
import type { InboxStore } from '../agents/agent-stores.js';
import type { EngineModule } from '../kernel/engine-module.js';
import type { KernelBase } from '../kernel/kernel-base.js';
import type { ConditionEvaluator } from '../kernel/procedures/step-condition.js';
import type { HandoffChecks } from '../kernel/runner/active-run.js';
import type { StepKindHandlers } from '../kernel/steps/step-kind.js';
import { handoffChecks, validationFactsOf } from './handoff-validation.js';
import { ValidationRuleService } from './rule-service.js';
import { stepConditions } from './step-conditions.js';
import { validateStep } from './validate-step.js';
import { ValidationService } from './validation-service.js';
import type { ValidationRuleStore, ValidationSessionStore } from './validation-stores.js';

export interface ValidationStores {
  validationRules: ValidationRuleStore;
  validationSessions: ValidationSessionStore;
  inbox: Pick<InboxStore, 'get'>;
}

export interface ValidationModule extends EngineModule {
  /** Validation rule definitions (seeded with VR001–VR008). */
  rules: ValidationRuleService;
  /** Validation sessions, and the evaluation handoff gates and steps use. */
  service: ValidationService;
  /** Gates before a handoff's first step, a step's own rules after it. */
  checks: HandoffChecks;
  /** Steps' conditions (`when`), in the rules' query language. */
  conditions: ConditionEvaluator;
  stepKinds: Pick<StepKindHandlers, 'validate'>;
  /** Ids of the rules that exist, for checking procedure definitions. */
  knownRuleIds(): Promise<ReadonlySet<string>>;
}

/** Validation rules and sessions, and the checks handoffs run: gates, validate steps, post-step rules. */
export function wireValidation(
  base: KernelBase<unknown>,
  stores: ValidationStores,
  agents: Pick<AgentService, 'facts'>,
): ValidationModule {
  const { clock, random, logger } = base;
  const { handoffs, procedures } = base.stores;
  const rules = new ValidationRuleService(stores.validationRules, clock, procedures);
  const service = new ValidationService({
    rules,
    sessions: stores.validationSessions,
    agents,
    procedures,
    handoffLookup: async (id) => {
      const handoff = await handoffs.get(id);
      if (!handoff) return null;
      return { handoff: validationFactsOf(handoff), procedureId: handoff.procedureId, metadata: handoff.metadata };
    },
    clock,
    random,
    logger,
  });
  const checks = handoffChecks(service, stores.inbox);
  return {
    name: 'validation',
    rules,
    service,
    checks,
    conditions: stepConditions(clock),
    stepKinds: { validate: validateStep(checks) },
    knownRuleIds: async () => new Set((await rules.list()).map((rule) => rule.id)),
    async start() {
      await rules.seedDefaults();
      await service.recoverInterrupted();
      return () => service.stop();
    },
  };
}
