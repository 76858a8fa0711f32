import type { AgentFeedRecorder } from '../agents/agent-feed-service.js';
import type { InboxStore } from '../agents/agent-stores.js';
import type { Handoff } from '../kernel/handoff/handoff.js';
import type { Procedure } from '../kernel/procedures/procedure.js';
import type { ProcedureService } from '../kernel/procedures/procedure-service.js';
import type { StepServices } from '../kernel/steps/step-kind.js';
import type { Clock } from '../shared/clock.js';
import type { Random } from '../shared/random.js';
import { isBlocking } from './rule.js';
import { type HandoffFacts, payloadDigest } from './subject.js';
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

export interface Verdict {
  /** Ids of rules whose failure blocks (empty = pass). */
  blocking: string[];
  summary: string;
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

export function createStepServices(deps: {
  validation: ValidationService;
  procedures: ProcedureService;
  inbox: InboxStore;
  feed: AgentFeedRecorder;
  agentTasks: StepServices['agentTasks'];
  clock: Clock;
  random: Random;
  webhookAllowList: string[];
}): StepServices {
  return {
    agentTasks: deps.agentTasks,
    clock: deps.clock,
    random: deps.random,
    webhookAllowList: deps.webhookAllowList,
    async validate(handoff, ruleIds, transferredKeys) {
      const procedure = await deps.procedures.getVersion(handoff.procedureId, handoff.procedureVersion);
      if (!procedure) throw new Error(`procedure ${handoff.procedureId} v${handoff.procedureVersion} is missing`);
      // A receipt is checked once something was handed over, and only where the procedure asks for one.
      let receiptConfirmed: boolean | null = null;
      if (requiresReceipt(procedure) && transferredKeys.length > 0 && handoff.targetAgent) {
        receiptConfirmed = (await deps.inbox.get(handoff.targetAgent, handoff.id))?.acknowledgedAt != null;
      }
      return validateHandoff(deps.validation, handoff, procedure, ruleIds, transferredKeys, receiptConfirmed);
    },
    inbox: {
      async deliver(agent, handoffId, values) {
        const delivery = await deps.inbox.deliver(agent, handoffId, values, deps.clock.now(), payloadDigest);
        const keys = Object.keys(values);
        await deps.feed.record(agent, [
          {
            type: 'CONTEXT_DELIVERED',
            handoffId,
            taskId: null,
            step: null,
            message: `handoff ${handoffId} delivered ${keys.join(', ') || 'no keys'}`,
            data: { keys, digest: delivery.digest },
          },
        ]);
        return delivery.digest;
      },
      async withdraw(agent, handoffId, keys) {
        const delivery = await deps.inbox.withdraw(agent, handoffId, keys, deps.clock.now(), payloadDigest);
        if (!delivery) return;
        await deps.feed.record(agent, [
          {
            type: 'CONTEXT_WITHDRAWN',
            handoffId,
            taskId: null,
            step: null,
            message: `handoff ${handoffId} took back ${keys.join(', ')}`,
            data: { keys, digest: delivery.digest },
          },
        ]);
      },
    },
  };
}
