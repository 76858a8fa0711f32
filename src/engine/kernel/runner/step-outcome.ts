import { actorFrom, describeActor } from '../../shared/actor.js';
import { failureCodeOf } from '../handoff/failure-code.js';
import { cancelSteps } from '../handoff/graph-transitions.js';
import type { Handoff } from '../handoff/handoff.js';
import type { HandoffEventDraft } from '../handoff/handoff-event.js';
import {
  type AfterSuccess,
  type AttemptFailure,
  failStep,
  type StepStart,
  scheduleRetry,
  succeedStep,
} from '../handoff/handoff-transitions.js';
import { isNonRetryableCode, nextRetryDelayMs } from '../handoff/retry-delay.js';
import { definitionAt } from '../procedures/branch-definition.js';
import type { StepDefinition } from '../procedures/procedure.js';
import { StepFailure, transferredKeys } from '../steps/step-kind.js';
import type { ActiveRun, RunParts } from './active-run.js';
import type { AttemptOutcome } from './attempt.js';
import { NOTHING_SIGNALLED, planGraph, type StepIndexes } from './graph-plan.js';
import { CancelledError, ShutdownError, StepStoppedError, StepTimeoutError } from './run-action.js';
import { pauseDue } from './run-ending.js';

/**
 * What the end of one attempt of step `index` means, stored as one transition computed from the state at
 * that moment: a success (and the steps it lets start, in the same write), a retry, a failure for good
 * (contained, or with the handoff's error when it rolls the handoff back), or, for an attempt the run
 * stopped itself, the step cancelled.
 */
export async function recordOutcome(
  parts: RunParts,
  run: ActiveRun,
  index: number,
  outcome: AttemptOutcome,
  stopped: StepStoppedError | null,
): Promise<void> {
  if ('suspended' in outcome) return;
  if (!outcome.ok && outcome.error instanceof ShutdownError) throw outcome.error;
  const definition = definitionAt(run.procedure, run.handoff, index);
  const cancelled = run.cancelReason !== null || (!outcome.ok && isCancel(outcome.error));
  if (!outcome.ok && stopped && !cancelled) return recordStopped(parts, run, index, outcome, stopped);
  // Most steps have no rules of their own: no check (and no promise) for those.
  const checked = outcome.ok && definition.validateRules.length > 0;
  const failure = checked
    ? await postStepCheck(parts, run, index, definition, outcome.output)
    : outcome.ok
      ? null
      : outcome.error;
  if (!failure)
    return afterSuccess(parts, run, index, definition, outcome.ok ? outcome.output : null, outcome.durationMs);
  return afterFailure(parts, run, index, failure, outcome.durationMs, true);
}

function isCancel(error: Error): boolean {
  return error instanceof CancelledError && !(error instanceof StepStoppedError);
}

/** An attempt the run stopped: CANCELLED when nothing needs it; FAILED (not the handoff's failure) when a rollback stopped it. */
async function recordStopped(
  parts: RunParts,
  run: ActiveRun,
  index: number,
  outcome: Extract<AttemptOutcome, { ok: false }>,
  stopped: StepStoppedError,
): Promise<void> {
  const now = parts.clock.now();
  if (stopped.why === 'NOT_NEEDED') {
    await parts.commit(run, (h) =>
      isOpen(h, index)
        ? cancelSteps(h, [{ index, reason: stopped.reason, durationMs: outcome.durationMs }], now)
        : null,
    );
    return;
  }
  const failure: AttemptFailure = {
    message: `attempt ${run.handoff.steps[index].attempts} stopped: ${stopped.reason}`,
    code: 'STOPPED',
    durationMs: outcome.durationMs,
    timeout: false,
    retryable: false,
    data: {},
  };
  const definition = definitionAt(run.procedure, run.handoff, index);
  await parts.commit(run, (h) => (isOpen(h, index) ? failStep(h, definition, failure, null, null, now, index) : null));
}

function isOpen(h: Handoff, index: number): boolean {
  return ['RUNNING', 'WAITING'].includes(h.steps[index].status);
}

/**
 * The step's own rules, checked after it succeeds (with what it just transferred): a blocking
 * failure fails the attempt like any other error. Returns the failure, or null.
 */
async function postStepCheck(
  parts: RunParts,
  run: ActiveRun,
  index: number,
  definition: StepDefinition,
  output: Record<string, unknown> | null,
): Promise<Error | null> {
  if (definition.validateRules.length === 0) return null;
  const steps = run.handoff.steps.map((step, at) => (at === index ? { ...step, output } : step));
  try {
    const verdict = await parts.checks.afterStep(
      run.handoff,
      run.procedure,
      definition.validateRules,
      transferredKeys(steps),
    );
    return verdict.blocking.length > 0
      ? new StepFailure(`post-step validation failed: ${verdict.summary}`, { code: 'VALIDATION_FAILED' })
      : null;
  } catch (error) {
    return new StepFailure(`post-step validation could not run: ${(error as Error).message}`, {
      code: 'VALIDATION_ERROR',
    });
  }
}

/**
 * Steps other than `index` this run has under way, about to run, or being stored as started: read in place,
 * not copied into a Set of their own (a plan is made at once, synchronously, several times per step).
 */
export function busyBesides(run: ActiveRun, index: number | null): StepIndexes {
  return new BusyBesides(run, index);
}

class BusyBesides implements StepIndexes {
  constructor(
    private readonly run: ActiveRun,
    private readonly besides: number | null,
  ) {}

  has(index: number): boolean {
    const { run } = this;
    return index !== this.besides && (run.flying.has(index) || run.startedHere.has(index) || run.starting.has(index));
  }
}

/**
 * What follows step `index` succeeding, from the state it leaves: the handoff completes, the steps it made
 * ready start in the same write (those that need nothing first: a condition, a list to read), or nothing
 * starts (a pause is due, or the rest is for the run's loop).
 */
function followUp(parts: RunParts, run: ActiveRun, h: Handoff, index: number, output: Record<string, unknown> | null) {
  // Only the steps are planned on: no copy of the whole handoff.
  const after: Pick<Handoff, 'steps'> = {
    steps: h.steps.map((step, at) => (at === index ? { ...step, status: 'SUCCEEDED', output, wait: null } : step)),
  };
  const plan = planGraph(after, run.procedure, {
    now: parts.clock.now(),
    busy: busyBesides(run, index),
    signalled: run.signals.has,
    mayStart: pauseDue(run) === null,
  });
  if (plan.complete) return { followUp: 'COMPLETE' } as const;
  if (plan.doomed !== null) return { followUp: 'HOLD' } as const;
  const starts: StepStart[] = plan.start
    .map((at) => ({ index: at, definition: definitionAt(run.procedure, h, at) }))
    .filter(
      ({ index: at, definition }) => at >= run.procedure.steps.length || (!definition.when && !definition.forEach),
    );
  return starts.length > 0
    ? ({ followUp: 'START', starts, waitingFor: parts.waitingFor } as const)
    : ({ followUp: 'HOLD' } as const);
}

async function afterSuccess(
  parts: RunParts,
  run: ActiveRun,
  index: number,
  definition: StepDefinition,
  output: Record<string, unknown> | null,
  durationMs: number,
): Promise<void> {
  const now = parts.clock.now();
  const attempt = run.handoff.steps[index].attempts;
  const extra: HandoffEventDraft[] = [];
  if (definition.kind === 'await_signal') {
    const actor = actorFrom(output?.signalledBy);
    const branch = run.handoff.steps[index].branch;
    extra.push({
      type: 'STEP_SIGNALLED',
      step: definition.id,
      ...(branch ? { branch: branch.index } : {}),
      message: `approved by ${describeActor(actor)}`,
      attempt,
      data: { outcome: 'APPROVE', actor },
    });
  }
  const result = { output, durationMs, extra };
  let started: readonly StepStart[] = [];
  let stored: boolean;
  try {
    stored = Boolean(
      await parts.commit(run, (h) => {
        const after: AfterSuccess = followUp(parts, run, h, index, output);
        for (const start of started) run.starting.delete(start.index);
        started = after.followUp === 'START' ? after.starts : [];
        for (const start of started) run.starting.add(start.index);
        return succeedStep(h, definition, result, after, now, index);
      }),
    );
    if (stored) for (const start of started) run.startedHere.add(start.index);
  } finally {
    for (const start of started) run.starting.delete(start.index);
  }
  if (stored) return;
  // A cancel was recorded while the step ran, and acknowledged: it wins. The step's success is
  // recorded, then undone with the others.
  await parts.commit(run, (h) => succeedStep(h, definition, result, { followUp: 'HOLD' }, now, index));
}

/**
 * Records a failed attempt of step `index`: a retry (waited for without a slot when it has a back-off),
 * or the step failed for good. `countable`: the attempt really ran (an interrupted one is retried at once).
 */
export async function afterFailure(
  parts: RunParts,
  run: ActiveRun,
  index: number,
  error: Error,
  durationMs: number,
  countable: boolean,
): Promise<void> {
  const now = parts.clock.now();
  const definition = definitionAt(run.procedure, run.handoff, index);
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
  const cancelled = isCancel(error) || run.cancelReason !== null;
  if (!cancelled && retryable && attempt < definition.retry.maxAttempts) {
    const retryAfter = error instanceof StepFailure ? error.retryAfterMs : null;
    const delay = countable ? nextRetryDelayMs(attempt + 1, definition.retry, parts.random, retryAfter) : 0;
    const retry = (h: Handoff) =>
      scheduleRetry(h, definition, failure, delay, now, countable ? retryAfter : null, index);
    // The back-off is waited out without a slot, unless other steps go on meanwhile.
    if (delay === 0) await parts.commit(run, retry);
    else await parts.suspend(run, index, retry);
    return;
  }
  const reason = cancelled
    ? `cancelled: ${run.cancelReason}`
    : `${definition.name} failed after ${attempt} attempt(s)${retryable ? '' : ` (${code} is not retried)`}: ${error.message}`;
  await parts.commit(run, (h) => {
    // Contained when every step waiting for this one can still go on without it.
    const contained = !cancelled && !doomsIf(parts, run, h, index);
    return failStep(
      h,
      definition,
      failure,
      contained ? null : reason,
      contained ? null : cancelled ? 'CANCELLED' : code,
      now,
      index,
    );
  });
}

/** Whether the handoff could no longer complete once step `index` failed (then its failure is the handoff's). */
export function doomsIf(parts: RunParts, run: ActiveRun, h: Handoff, index: number): boolean {
  const after: Pick<Handoff, 'steps'> = {
    steps: h.steps.map((step, at) => (at === index ? { ...step, status: 'FAILED' } : step)),
  };
  return (
    planGraph(after, run.procedure, {
      now: parts.clock.now(),
      busy: busyBesides(run, index),
      signalled: NOTHING_SIGNALLED,
      mayStart: false,
    }).doomed !== null
  );
}
