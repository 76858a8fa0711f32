import type { InboxStore } from '../agents/agent-stores.js';
import type { Handoff } from '../kernel/handoff/handoff.js';
import type { Procedure } from '../kernel/procedures/procedure.js';
import type { HandoffChecks, Verdict } from '../kernel/runner/active-run.js';
import { isBlocking } from './rule.js';
import type { HandoffFacts } from './subject.js';
import type { ValidationService } from './validation-service.js';

/** What validation rules see of a handoff (`handoff.*` in a condition). */
export function validationFactsOf(handoff: Handoff): HandoffFacts {
  return {
    handoffId: handoff.id,
    sourcePhase: handoff.sourcePhase,
    targetPhase: handoff.targetPhase,
    sourceAgent: handoff.sourceAgent,
    targetAgent: handoff.targetAgent,
    type: handoff.type,
    priority: handoff.priority,
  };
}

/** Whether the procedure makes its target acknowledge what it receives (a transfer_context step with params.awaitReceipt). */
export function requiresReceipt(procedure: Pick<Procedure, 'steps'>): boolean {
  return procedure.steps.some((step) => step.kind === 'transfer_context' && step.params.awaitReceipt === true);
}

/** Runs rules against a handoff: the gates before its first step and its `validate` steps. */
export async function validateHandoff(
  validation: ValidationService,
  handoff: Handoff,
  procedure: Procedure,
  ruleIds: string[],
  transferredKeys: string[],
  receiptConfirmed: boolean | null = null,
): Promise<Verdict> {
  if (ruleIds.length === 0) return { blocking: [], summary: 'no rules to check' };
  const evaluation = await validation.evaluate({
    ruleIds,
    blockingSeverities: procedure.blockingSeverities,
    subject: {
      handoff: validationFactsOf(handoff),
      context: handoff.metadata,
      procedure: { id: procedure.id, requiredContextKeys: procedure.requiredContextKeys },
      transferredKeys,
      receiptConfirmed,
      outputs: Object.fromEntries(
        handoff.steps.filter((step) => step.status === 'SUCCEEDED').map((step) => [step.id, step.output]),
      ),
    },
  });
  const blocking = evaluation.results
    .filter((result) => isBlocking(result, procedure.blockingSeverities))
    .map((result) => result.ruleId);
  const notes = evaluation.results
    .filter((result) => result.status !== 'PASSED')
    .map((result) => `${result.ruleId} ${result.status}: ${result.message}`);
  return { blocking, summary: `${evaluation.outcome}${notes.length ? ` (${notes.join('; ')})` : ''}` };
}

/**
 * The validation a handoff's run needs: its gates before the first step, and a step's own rules (or
 * a validate step's) after it, with a receipt checked once something was handed over where the
 * procedure asks for one.
 */
export function handoffChecks(validation: ValidationService, inbox: Pick<InboxStore, 'get'>): HandoffChecks {
  return {
    gates: (handoff, procedure) => validateHandoff(validation, handoff, procedure, procedure.validationRules, []),
    async afterStep(handoff, procedure, ruleIds, transferredKeys) {
      let receiptConfirmed: boolean | null = null;
      if (requiresReceipt(procedure) && transferredKeys.length > 0 && handoff.targetAgent) {
        receiptConfirmed = (await inbox.get(handoff.targetAgent, handoff.id))?.acknowledgedAt != null;
      }
      return validateHandoff(validation, handoff, procedure, ruleIds, transferredKeys, receiptConfirmed);
    },
  };
}
