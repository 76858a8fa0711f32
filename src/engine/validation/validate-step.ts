import type { HandoffChecks } from '../kernel/runner/active-run.js';
import { StepFailure, type StepKindHandler, stringList, transferredKeys } from '../kernel/steps/step-kind.js';

/** Runs params.rules through the validation engine; a blocking outcome fails the step. */
export function validateStep(checks: HandoffChecks): StepKindHandler {
  return {
    checkParams: (params) =>
      stringList(params.rules)?.length ? [] : ['params.rules must be a non-empty list of rule ids'],
    async run({ handoff, procedure, action }) {
      const rules = stringList(action.params.rules)!;
      const verdict = await checks.afterStep(handoff, procedure, rules, transferredKeys(handoff.steps));
      if (verdict.blocking.length > 0)
        throw new StepFailure(`validation failed: ${verdict.summary}`, { code: 'VALIDATE_STEP_FAILED' });
      return { rules: action.params.rules, summary: verdict.summary };
    },
  };
}
