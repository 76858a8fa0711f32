import { createHash } from 'node:crypto';
import { SHORT_BACKOFF_MS } from '../../shared/short-backoff.js';
import type { Outcome } from '../../shared/user-error.js';
import type { Handoff, HandoffParent } from '../handoff/handoff.js';
import { isFinal, runOf } from '../handoff/handoff.js';
import type { InitiateHandoffInput } from '../handoff-input.js';
import { StoreUnavailableError } from '../ports/store-errors.js';
import { type StepExecution, StepFailure, type StepKindHandler, type StepOutcome, stringList } from './step-kind.js';

/**
 * A step that starts a handoff of another procedure (a child, with its own id, events and history) and
 * succeeds or fails with it, waiting meanwhile without a slot. The child tells its parent when it finishes
 * (a signal recorded on the parent); the step also looks at the child every RECHECK_MS, so a notice lost
 * to a crash costs at most that. Cancelling the parent's attempt cancels the child; as a compensation
 * (params.revert, which every sub_handoff step without one of its own gets) it asks a COMPLETED child to
 * undo its steps and waits for it to end ROLLED_BACK (or fails with ROLLBACK_FAILED).
 */

export const SUB_HANDOFF_RECHECK_MS = 15_000;

/**
 * How long an attempt that gives up keeps asking its child to cancel while the store fails: a child that never
 * hears it runs on, and may complete under a step that failed.
 */
const CANCEL_RETRY_MS = SHORT_BACKOFF_MS;

/** What the step needs of the handoff service (the kernel hands it over). */
export interface SubHandoffs {
  initiate(input: InitiateHandoffInput): Promise<Outcome<Handoff>>;
  get(id: string): Promise<Handoff | null>;
  cancel(id: string, reason: string): Promise<Outcome<Handoff>>;
  revert(id: string, reason: string): Promise<Outcome<Handoff>>;
}

const ID_LIMIT = 128;
const PROCEDURE_ID = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
const AGENT_ID = /^[A-Za-z0-9_.:@-]{1,128}$/;

/**
 * The id of the child one attempt starts: the same for the same parent, step (a branch's too), run and
 * attempt, so an attempt that goes on after a restart finds its child instead of starting another. Step
 * ids hold no `.`, so `<parent>:<step>.<branch>.r<run>.a<attempt>` reads back unambiguously; an id that
 * would be too long is a digest.
 */
export function childHandoffId(parentId: string, stepId: string, run: number, attempt: number): string {
  const step = stepId.replace(/\[(\d+)\]$/, '.$1');
  const id = `${parentId}:${step}${run > 1 ? `.r${run}` : ''}${attempt > 1 ? `.a${attempt}` : ''}`;
  if (id.length <= ID_LIMIT) return id;
  return `sub_${createHash('sha256').update(id).digest('hex').slice(0, 40)}`;
}

/** The signal a child records on its parent when it finishes (no `.`: signal names are document keys). */
export function childNotice(stepId: string, run: number, attempt: number): string {
  return `child:${stepId}:${run}:${attempt}`;
}

/** The signal a child records once the undo its parent asked for has ended. */
export function revertNotice(parent: HandoffParent): string {
  return `${parent.notice}:revert`;
}

function checkParams(params: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if (params.revert === true) return problems;
  if (typeof params.procedureId !== 'string' || !PROCEDURE_ID.test(params.procedureId))
    problems.push('params.procedureId must name a procedure');
  if (params.contextKeys !== undefined && stringList(params.contextKeys) === null)
    problems.push('params.contextKeys must be a list of context keys');
  for (const side of ['sourceAgent', 'targetAgent'] as const) {
    const agent = params[side];
    if (agent !== undefined && (typeof agent !== 'string' || !AGENT_ID.test(agent)))
      problems.push(`params.${side} must be an agent id`);
  }
  return problems;
}

/** The parent's context the child gets: the keys named (all of it when none are). */
function contextFor(parent: Handoff, keys: string[] | null): Record<string, unknown> {
  if (keys === null) return parent.metadata;
  const picked: Record<string, unknown> = {};
  for (const key of keys)
    if (Object.hasOwn(parent.metadata, key))
      Object.defineProperty(picked, key, { value: parent.metadata[key], enumerable: true, writable: true });
  return picked;
}

/** The step's outcome from its child's status: an output once COMPLETED, a failure for good once it ended otherwise. */
function settled(child: Handoff): StepOutcome | undefined {
  if (child.status === 'COMPLETED') return { childId: child.id, status: child.status };
  if (!isFinal(child.status)) return undefined;
  throw new StepFailure(`sub-handoff ${child.id} ended ${child.status}${child.error ? `: ${child.error}` : ''}`, {
    retryable: false,
    code: `SUB_HANDOFF_${child.status}`,
    data: { childId: child.id, status: child.status },
  });
}

export function subHandoffStep(handoffs: () => SubHandoffs): StepKindHandler {
  const waitFor = (execution: StepExecution, child: Handoff, on: string) =>
    execution.suspend({ on, until: execution.clock.now() + SUB_HANDOFF_RECHECK_MS, data: { childId: child.id } });

  async function start(execution: StepExecution): Promise<StepOutcome> {
    const { handoff: parent, step, attempt, action } = execution;
    const run = runOf(parent);
    const childId = childHandoffId(parent.id, step.id, run, attempt);
    const notice = childNotice(step.id, run, attempt);
    let child = await handoffs().get(childId);
    if (!child) {
      // An attempt the runner already gave up on (a cancel, its timeout) starts nothing: its abandon has run.
      execution.signal.throwIfAborted();
      const params = action.params;
      const started = await handoffs().initiate({
        handoffId: childId,
        procedureId: params.procedureId as string,
        metadata: contextFor(parent, stringList(params.contextKeys)),
        sourceAgent: (params.sourceAgent as string | undefined) ?? parent.sourceAgent,
        targetAgent: (params.targetAgent as string | undefined) ?? parent.targetAgent,
        sourcePhase: parent.sourcePhase,
        targetPhase: parent.targetPhase,
        priority: parent.priority,
        test: parent.test,
        parent: { handoffId: parent.id, stepId: step.id, notice },
      });
      if (!started.ok) {
        throw new StepFailure(
          `could not start sub-handoff ${childId}: ${started.errors.map((error) => error.message).join('; ')}`,
          { retryable: false, code: 'SUB_HANDOFF_REFUSED', data: { childId } },
        );
      }
      child = started.value;
      if (execution.signal.aborted) {
        // Given up on while the child was being started: the abandon found no child to cancel, so cancel it here.
        await handoffs().cancel(child.id, `its parent ${parent.id} stopped waiting while starting it`);
        execution.signal.throwIfAborted();
      }
    }
    if (child.parent?.handoffId !== parent.id)
      throw new StepFailure(`handoff ${childId} exists and was not started by ${parent.id}`, {
        retryable: false,
        code: 'SUB_HANDOFF_REFUSED',
      });
    return settled(child) ?? waitFor(execution, child, notice);
  }

  /** As a compensation: the step's COMPLETED child undoes its steps, and this waits until it has. */
  async function revert(execution: StepExecution): Promise<StepOutcome> {
    const childId = execution.step.output?.childId;
    const child = typeof childId === 'string' ? await handoffs().get(childId) : null;
    if (!child?.parent) return null;
    if (child.status === 'COMPLETED') {
      const asked = await handoffs().revert(child.id, `its parent ${execution.handoff.id} rolls back`);
      if (!asked.ok) throw new Error(`could not ask sub-handoff ${child.id} to roll back: ${asked.errors[0].message}`);
      return waitFor(execution, child, revertNotice(child.parent));
    }
    if (child.status === 'ROLLBACK_FAILED')
      throw new StepFailure(`sub-handoff ${child.id} could not undo all its steps (ROLLBACK_FAILED)`, {
        code: 'SUB_HANDOFF_ROLLBACK_FAILED',
      });
    if (isFinal(child.status)) return { childId: child.id, status: child.status };
    return waitFor(execution, child, revertNotice(child.parent));
  }

  /** Cancels the child, asking again while the store fails for now (a cancel asked twice is answered like once). */
  async function cancelChild(execution: StepExecution, id: string, reason: string): Promise<Outcome<Handoff>> {
    for (let tried = 0; ; tried++) {
      try {
        return await handoffs().cancel(id, reason);
      } catch (error) {
        if (!(error instanceof StoreUnavailableError) || tried >= CANCEL_RETRY_MS.length) throw error;
        await execution.clock.sleep(CANCEL_RETRY_MS[tried]!);
      }
    }
  }

  return {
    waitingFor: (params) => (params.revert === true ? 'a sub-handoff to roll back' : 'a sub-handoff to finish'),
    checkParams,
    run: (execution) => (execution.action.params.revert === true ? revert(execution) : start(execution)),
    async abandon(execution, reason) {
      // The attempt ends while its child runs (its timeout, or the parent's cancel or rollback): the child is cancelled.
      // An attempt cut short before it suspended kept no data: its child, if it started one, has the attempt's id.
      const { handoff, step, attempt } = execution;
      const childId = execution.resumed?.data?.childId ?? childHandoffId(handoff.id, step.id, runOf(handoff), attempt);
      const child = typeof childId === 'string' ? await handoffs().get(childId) : null;
      if (!child || child.parent?.handoffId !== handoff.id || execution.action.params.revert === true) throw reason;
      const outcome = settled(child);
      if (outcome !== undefined) return outcome as Record<string, unknown> | null;
      const cancel = await cancelChild(
        execution,
        child.id,
        `its parent ${handoff.id} stopped waiting: ${reason.message}`,
      );
      if (!cancel.ok) {
        // Refused: the child ended meanwhile. Completed, the step succeeded with it (a rollback then undoes the
        // child as the step's compensation); ended otherwise, the step fails as the child did.
        const ended = await handoffs().get(child.id);
        const late = ended ? settled(ended) : undefined;
        if (late !== undefined) return late as Record<string, unknown> | null;
      }
      throw reason;
    },
  };
}
