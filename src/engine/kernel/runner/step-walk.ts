import { actorFrom, describeActor } from '../../shared/actor.js';
import { failureCodeOf, INTERRUPTED_CODE } from '../handoff/failure-code.js';
import type { HandoffEventDraft } from '../handoff/handoff-event.js';
import {
  type AfterSuccess,
  type AttemptFailure,
  completeHandoff,
  type FinalStatus,
  failStep,
  finish,
  handBack,
  pause,
  scheduleRetry,
  startAttempt,
  startRollback,
  succeedStep,
  suspendAttempt,
} from '../handoff/handoff-transitions.js';
import { duePause, PAUSE_SIGNAL } from '../handoff/pause-request.js';
import { isNonRetryableCode, nextRetryDelayMs } from '../handoff/retry-delay.js';
import type { StepDefinition } from '../procedures/procedure.js';
import { StepFailure, transferredKeys } from '../steps/step-kind.js';
import type { ActiveRun, RunEnd, RunParts } from './active-run.js';
import { type AttemptOutcome, type AttemptSpec, driveAttempt, resumeAttempt } from './attempt.js';
import { CancelledError, INTERRUPTED_BY_RESTART, ShutdownError, StepTimeoutError } from './run-action.js';

/** What a run does after one step's turn: go on with the next, end here, or roll back. */
type Next = 'GO_ON' | 'ROLL_BACK' | RunEnd;

/** The pause request recorded for this handoff and not yet honoured, if any. */
export function pauseDue(run: ActiveRun) {
  return duePause(run.handoff, run.signals.get(PAUSE_SIGNAL));
}

/**
 * Pauses the handoff if a pause is due (true). A recorded cancel refuses the pause: then the cancel
 * is honoured instead (false, with `run.cancelReason` set).
 */
export async function pauseIfAsked(parts: RunParts, run: ActiveRun): Promise<boolean> {
  const request = pauseDue(run);
  if (!request || run.cancelReason !== null) return false;
  return parts.commit(run, pause(run.handoff, request, parts.clock.now()));
}

/**
 * Runs the steps from the current one, one at a time, until the handoff completes, waits, pauses or
 * must roll back. Each step's attempts are stored before they run, so no restart exceeds the policy.
 * Returns how the run ends here, or null when a rollback (status ROLLING_BACK) or nothing is left.
 */
export async function walkSteps(parts: RunParts, run: ActiveRun): Promise<RunEnd | null> {
  for (;;) {
    const index = run.handoff.currentStep;
    if (index >= run.procedure.steps.length) break;
    const next = await stepTurn(parts, run, run.procedure.steps[index]);
    if (next === 'ROLL_BACK') return null;
    if (next !== 'GO_ON') return next;
  }
  // Every step succeeded, yet the handoff is not finished: the run stopped between recording the last
  // step and finishing (a cancel had refused the completion, or the process died). Finish it now.
  if (run.handoff.status !== 'RUNNING') return null;
  if (run.cancelReason === null && (await parts.commit(run, completeHandoff(run.handoff, parts.clock.now()))))
    return 'FINISHED';
  const next = await beginRollback(parts, run, `cancelled: ${run.cancelReason}`);
  return next === 'ROLL_BACK' ? null : (next as RunEnd);
}

/** One turn of the current step: start an attempt, go on with a suspended one, or wait for a retry. */
async function stepTurn(parts: RunParts, run: ActiveRun, definition: StepDefinition): Promise<Next> {
  const index = run.handoff.currentStep;
  const step = run.handoff.steps[index];
  if (run.startedHere === index && (step.status === 'RUNNING' || step.status === 'WAITING')) {
    run.startedHere = null;
    return handle(parts, run, definition, await driveAttempt(parts, run, attemptSpec(parts, run, definition, null)));
  }
  run.startedHere = null;
  // Failed for good, but the run stopped before recording the rollback: never run it again.
  if (step.status === 'FAILED')
    return beginRollback(parts, run, run.handoff.error ?? step.error ?? `${definition.name} failed`);
  if (step.status === 'RUNNING') {
    // The attempt that was running when the last process stopped counts as failed.
    const interrupted = new StepFailure(INTERRUPTED_BY_RESTART, { code: INTERRUPTED_CODE });
    return afterFailure(parts, run, definition, interrupted, 0, false);
  }
  if (step.status === 'WAITING') return handle(parts, run, definition, await goOnWaiting(parts, run, definition));
  // PENDING: between attempts, where a cancel or a pause stops the handoff.
  if (run.cancelReason !== null) return beginRollback(parts, run, `cancelled: ${run.cancelReason}`);
  if (await pauseIfAsked(parts, run)) return 'PAUSED';
  if (run.cancelReason !== null) return 'GO_ON';
  if ((step.retryAt ?? 0) > parts.clock.now())
    return (await parts.rest(run, handBack(run.handoff))) ? 'WAITING' : 'GO_ON';
  await parts.commit(run, startAttempt(run.handoff, definition, parts.clock.now(), parts.waitingFor));
  return handle(parts, run, definition, await driveAttempt(parts, run, attemptSpec(parts, run, definition, null)));
}

/** The current step's attempt waits: it goes on, unless its timeout or a cancel ends it. */
async function goOnWaiting(parts: RunParts, run: ActiveRun, definition: StepDefinition): Promise<AttemptOutcome> {
  const { wait } = run.handoff.steps[run.handoff.currentStep];
  const spec = attemptSpec(parts, run, definition, wait ? { data: wait.data } : null);
  if (run.cancelReason !== null && !spec.outer.aborted) run.abort.abort(new CancelledError(run.cancelReason));
  return resumeAttempt(parts, run, spec);
}

function attemptSpec(
  parts: RunParts,
  run: ActiveRun,
  definition: StepDefinition,
  resumed: AttemptSpec['resumed'],
): AttemptSpec {
  const step = run.handoff.steps[run.handoff.currentStep];
  return {
    handler: parts.stepKinds[definition.kind],
    action: definition,
    actionId: definition.id,
    attempt: step.attempts,
    startedAt: step.attemptStartedAt ?? step.startedAt ?? parts.clock.now(),
    resumed,
    outer: run.abort.signal,
    withFaults: true,
    suspendWith: (wait) => suspendAttempt(run.handoff, wait),
  };
}

/** What the attempt's outcome means for the run. */
async function handle(
  parts: RunParts,
  run: ActiveRun,
  definition: StepDefinition,
  outcome: AttemptOutcome,
): Promise<Next> {
  if ('suspended' in outcome) return 'WAITING';
  if (!outcome.ok && outcome.error instanceof ShutdownError) throw outcome.error;
  const failure = outcome.ok ? await postStepCheck(parts, run, definition, outcome.output) : outcome.error;
  if (!failure) return afterSuccess(parts, run, definition, outcome.ok ? outcome.output : null, outcome.durationMs);
  return afterFailure(parts, run, definition, failure, outcome.durationMs, true);
}

/**
 * The step's own rules, checked after it succeeds (with what it just transferred): a blocking
 * failure fails the attempt like any other error. Returns the failure, or null.
 */
async function postStepCheck(
  parts: RunParts,
  run: ActiveRun,
  definition: StepDefinition,
  output: Record<string, unknown> | null,
): Promise<Error | null> {
  if (definition.validateRules.length === 0) return null;
  const transferred = transferredKeys([...run.handoff.steps, { output }]);
  try {
    const verdict = await parts.checks.afterStep(run.handoff, run.procedure, definition.validateRules, transferred);
    return verdict.blocking.length > 0
      ? new StepFailure(`post-step validation failed: ${verdict.summary}`, { code: 'VALIDATION_FAILED' })
      : null;
  } catch (error) {
    return new StepFailure(`post-step validation could not run: ${(error as Error).message}`, {
      code: 'VALIDATION_ERROR',
    });
  }
}

async function afterSuccess(
  parts: RunParts,
  run: ActiveRun,
  definition: StepDefinition,
  output: Record<string, unknown> | null,
  durationMs: number,
): Promise<Next> {
  const now = parts.clock.now();
  const index = run.handoff.currentStep;
  const next = run.procedure.steps[index + 1];
  const attempt = run.handoff.steps[index].attempts;
  const extra: HandoffEventDraft[] = [];
  if (definition.kind === 'await_signal') {
    const actor = actorFrom(output?.signalledBy);
    extra.push({
      type: 'STEP_SIGNALLED',
      step: definition.id,
      message: `approved by ${describeActor(actor)}`,
      attempt,
      data: { outcome: 'APPROVE', actor },
    });
  }
  const result = { output, durationMs, extra };
  // A pause asked for meanwhile stops the handoff here, before the next step starts.
  const after: AfterSuccess = next
    ? pauseDue(run)
      ? { followUp: 'HOLD' }
      : { followUp: 'START_NEXT', next, waitingFor: parts.waitingFor }
    : { followUp: 'COMPLETE' };
  if (await parts.commit(run, succeedStep(run.handoff, definition, result, after, now))) {
    if (after.followUp === 'START_NEXT') run.startedHere = run.handoff.currentStep;
    return after.followUp === 'COMPLETE' ? 'FINISHED' : 'GO_ON';
  }
  // A cancel was recorded while the step ran, and acknowledged: it wins. The step's success is
  // recorded, then undone with the others.
  await parts.commit(run, succeedStep(run.handoff, definition, result, { followUp: 'HOLD' }, now));
  return beginRollback(parts, run, `cancelled: ${run.cancelReason}`);
}

/** Records a failed attempt; schedules a retry (waiting for it without a slot) or starts the rollback. */
async function afterFailure(
  parts: RunParts,
  run: ActiveRun,
  definition: StepDefinition,
  error: Error,
  durationMs: number,
  countable: boolean,
): Promise<Next> {
  const now = parts.clock.now();
  const index = run.handoff.currentStep;
  const attempt = run.handoff.steps[index].attempts;
  const code = failureCodeOf(error);
  // A step may fail for good (a rejection, an agent's terminal error, a code the policy lists) whatever attempts are left.
  const retryable = !(error instanceof StepFailure && !error.retryable) && !isNonRetryableCode(code, definition.retry);
  const failure: AttemptFailure = {
    message:
      error instanceof StepTimeoutError
        ? `attempt ${attempt} ${error.message}`
        : `attempt ${attempt} failed: ${error.message}`,
    code,
    durationMs,
    timeout: error instanceof StepTimeoutError,
    retryable,
    data: error instanceof StepFailure ? error.data : {},
  };
  const cancelled = error instanceof CancelledError || run.cancelReason !== null;
  if (!cancelled && retryable && attempt < definition.retry.maxAttempts) {
    const retryAfter = error instanceof StepFailure ? error.retryAfterMs : null;
    const delay = countable ? nextRetryDelayMs(attempt + 1, definition.retry, parts.random, retryAfter) : 0;
    const retry = scheduleRetry(run.handoff, definition, failure, delay, now, countable ? retryAfter : null);
    if (delay === 0) {
      await parts.commit(run, retry);
      return 'GO_ON';
    }
    // The back-off is waited out without a slot; a signal or cancel recorded meanwhile is looked at first.
    return (await parts.rest(run, retry)) ? 'WAITING' : 'GO_ON';
  }
  const reason = cancelled
    ? `cancelled: ${run.cancelReason}`
    : `${definition.name} failed after ${attempt} attempt(s)${retryable ? '' : ` (${code} is not retried)`}: ${error.message}`;
  await parts.commit(run, failStep(run.handoff, definition, failure, reason, cancelled ? 'CANCELLED' : code, now));
  return beginRollback(parts, run, run.handoff.error!);
}

/** Indexes of completed steps with a compensation not yet done, latest first. */
export function stepsToCompensate(run: ActiveRun): number[] {
  const indexes: number[] = [];
  for (let i = run.handoff.steps.length - 1; i >= 0; i--) {
    const status = run.handoff.steps[i].status;
    if ((status === 'SUCCEEDED' || status === 'COMPENSATING') && run.procedure.steps[i].compensation) indexes.push(i);
  }
  return indexes;
}

/**
 * Starts undoing what the steps did (ROLLING_BACK), or, with nothing to undo, finishes the handoff
 * as CANCELLED or FAILED at once.
 */
export async function beginRollback(parts: RunParts, run: ActiveRun, reason: string): Promise<Next> {
  const toUndo = stepsToCompensate(run);
  if (toUndo.length === 0) {
    const cancelled = run.cancelReason !== null;
    return finishRun(
      parts,
      run,
      cancelled ? 'CANCELLED' : 'FAILED',
      cancelled ? reason : `${reason}; nothing to roll back`,
    );
  }
  await parts.commit(
    run,
    startRollback(
      run.handoff,
      reason,
      toUndo.map((i) => run.handoff.steps[i].id),
      parts.clock.now(),
    ),
  );
  return 'ROLL_BACK';
}

/** Stores a final status; a cancel recorded since (and acknowledged) turns it into CANCELLED. */
export async function finishRun(
  parts: RunParts,
  run: ActiveRun,
  status: FinalStatus,
  message: string,
): Promise<'FINISHED'> {
  if (await parts.commit(run, finish(run.handoff, status, message, run.cancelReason, parts.clock.now())))
    return 'FINISHED';
  return finishRun(
    parts,
    run,
    'CANCELLED',
    `${status === 'ROLLED_BACK' ? 'cancelled and rolled back' : 'cancelled'}: ${run.cancelReason}`,
  );
}
