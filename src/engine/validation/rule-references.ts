import type { Action, Procedure } from '../kernel/procedures/procedure.js';

/** Where one procedure names a rule: what would break (an ERROR where the rule should run) if it went. */
export interface RuleReference {
  procedureId: string;
  procedureName: string;
  /** The procedure's gates (checked before the first step) name it. */
  gate: boolean;
  /** Steps whose validateRules (checked after the step succeeds) name it. */
  afterSteps: string[];
  /** `validate` steps or compensations whose params.rules name it. */
  validateSteps: string[];
}

function validateStepRules(action: Action): unknown[] {
  const rules = action.kind === 'validate' ? action.params.rules : undefined;
  return Array.isArray(rules) ? rules : [];
}

/** The procedures (current definitions) that name `ruleId`, in the order given. */
export function referencesTo(ruleId: string, procedures: readonly Procedure[]): RuleReference[] {
  const references: RuleReference[] = [];
  for (const procedure of procedures) {
    const actions = procedure.steps.flatMap((step) => (step.compensation ? [step, step.compensation] : [step]));
    const reference: RuleReference = {
      procedureId: procedure.id,
      procedureName: procedure.name,
      gate: procedure.validationRules.includes(ruleId),
      afterSteps: procedure.steps.filter((step) => step.validateRules.includes(ruleId)).map((step) => step.id),
      validateSteps: actions.filter((action) => validateStepRules(action).includes(ruleId)).map((action) => action.id),
    };
    if (reference.gate || reference.afterSteps.length > 0 || reference.validateSteps.length > 0)
      references.push(reference);
  }
  return references;
}

/** "PHASE_TRANSITION_STANDARD (gates; after step transfer; validate step verify)" */
export function describeReference(reference: RuleReference): string {
  const places = [
    ...(reference.gate ? ['gates'] : []),
    ...(reference.afterSteps.length > 0
      ? [`after step${reference.afterSteps.length > 1 ? 's' : ''} ${reference.afterSteps.join(', ')}`]
      : []),
    ...(reference.validateSteps.length > 0
      ? [`validate step${reference.validateSteps.length > 1 ? 's' : ''} ${reference.validateSteps.join(', ')}`]
      : []),
  ];
  return `${reference.procedureId} (${places.join('; ')})`;
}
