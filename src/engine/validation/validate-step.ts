import { StepFailure, type StepKindHandler, stringList, transferredKeys } from '../kernel/steps/step-kind.js';

/** Runs params.rules through the validation engine; a blocking outcome fails the step. */
export const validateStep: StepKindHandler = {
  kind: 'validate',
  checkParams: (params) =>
    stringList(params.rules)?.length ? [] : ['params.rules must be a non-empty list of rule ids'],
  async run({ handoff, action, services }) {
    const verdict = await services.validate(handoff, stringList(action.params.rules)!, transferredKeys(handoff.steps));
    if (verdict.blocking.length > 0)
      throw new StepFailure(`validation failed: ${verdict.summary}`, { code: 'VALIDATE_STEP_FAILED' });
    return { rules: action.params.rules, summary: verdict.summary };
  },
};
