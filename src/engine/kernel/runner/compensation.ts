import {
  compensationFailed,
  compensationRetryScheduled,
  compensationSucceeded,
  handBack,
  startCompensation,
  suspendCompensation,
} from '../handoff/handoff-transitions.js';
import { retryDelayMs } from '../handoff/retry-delay.js';
import type { ActiveRun, RunEnd, RunParts } from './active-run.js';
import { type AttemptOutcome, type AttemptSpec, driveAttempt, resumeAttempt } from './attempt.js';
import { INTERRUPTED_BY_RESTART, ShutdownError } from './run-action.js';
import { finishRun, stepsToCompensate } from './step-walk.js';

/**
 * Undoes the completed steps in reverse order (ROLLING_BACK), then finishes the handoff: ROLLED_BACK,
 * CANCELLED (a cancel was recorded), or ROLLBACK_FAILED. A compensation waiting (for a retry, or for
 * an agent) ends the run here, holding no slot; the next run goes on with it.
 */
export async function rollBack(parts: RunParts, run: ActiveRun): Promise<RunEnd> {
  for (const index of stepsToCompensate(run)) {
    if ((await compensateStep(parts, run, index)) === 'WAITING') return 'WAITING';
  }
  if (run.handoff.steps.some((step) => step.status === 'COMPENSATION_FAILED'))
    return finishRun(parts, run, 'ROLLBACK_FAILED', 'some compensations failed; manual repair needed');
  if (run.cancelReason !== null)
    return finishRun(parts, run, 'CANCELLED', `cancelled and rolled back: ${run.cancelReason}`);
  return finishRun(parts, run, 'ROLLED_BACK', 'all completed steps were undone');
}

/**
 * Runs the compensation of step `index` until it succeeds or its step's retry policy is used up.
 * Every attempt is stored (its number in `compensationAttempts`, a COMPENSATION_STARTED event) before
 * it runs, and an attempt that was running when a process stopped counts as used: however often the
 * process dies, a compensation never runs more often than its policy allows.
 */
async function compensateStep(parts: RunParts, run: ActiveRun, index: number): Promise<'DONE' | 'WAITING'> {
  const definition = run.procedure.steps[index];
  const compensation = definition.compensation!;
  const { maxAttempts } = definition.retry;
  let lastError = INTERRUPTED_BY_RESTART;
  let durationMs = 0;
  for (;;) {
    const step = run.handoff.steps[index];
    // Absent in handoffs stored before compensation attempts were counted.
    const used = step.compensationAttempts ?? 0;
    let outcome: AttemptOutcome | null = null;
    if (step.status === 'COMPENSATING' && step.wait) {
      outcome = await resumeAttempt(parts, run, spec(parts, run, index, used, { data: step.wait.data }));
    } else if (step.status === 'COMPENSATING' && step.retryAt != null && step.retryAt > parts.clock.now()) {
      if (await parts.rest(run, handBack(run.handoff))) return 'WAITING';
      continue;
    } else if (used >= maxAttempts) {
      // The last attempt was cut short by a stop (or its outcome never recorded): it counts as used.
      const attempts = Math.max(used, 1);
      await parts.commit(run, compensationFailed(run.handoff, index, compensation, attempts, lastError, durationMs));
      return 'DONE';
    } else {
      const attempt = used + 1;
      await parts.commit(run, startCompensation(run.handoff, index, compensation, attempt, maxAttempts));
      outcome = await driveAttempt(parts, run, spec(parts, run, index, attempt, null));
    }
    if ('suspended' in outcome) return 'WAITING';
    const attempt = run.handoff.steps[index].compensationAttempts ?? 0;
    durationMs += outcome.durationMs;
    if (outcome.ok) {
      await parts.commit(run, compensationSucceeded(run.handoff, index, compensation, attempt, durationMs));
      return 'DONE';
    }
    if (outcome.error instanceof ShutdownError) throw outcome.error;
    lastError = outcome.error.message;
    if (attempt >= maxAttempts) {
      await parts.commit(run, compensationFailed(run.handoff, index, compensation, attempt, lastError, durationMs));
      return 'DONE';
    }
    const delay = retryDelayMs(attempt + 1, definition.retry, parts.random);
    const retry = compensationRetryScheduled(run.handoff, index, attempt, lastError, delay, parts.clock.now());
    if (delay === 0) await parts.commit(run, retry);
    else if (await parts.rest(run, retry)) return 'WAITING';
  }
}

function spec(
  parts: RunParts,
  run: ActiveRun,
  index: number,
  attempt: number,
  resumed: AttemptSpec['resumed'],
): AttemptSpec {
  const step = run.handoff.steps[index];
  const compensation = run.procedure.steps[index].compensation!;
  return {
    handler: parts.stepKinds[compensation.kind],
    action: compensation,
    actionId: compensation.id,
    attempt,
    // A compensation attempt's timeout counts from when it started (a waiting one's wait keeps that time).
    startedAt: resumed && step.wait ? step.wait.startedAt : parts.clock.now(),
    resumed,
    // A cancel must not stop an undo: only shutdown cuts it short.
    outer: run.shutdown.signal,
    withFaults: false,
    suspendWith: (wait) => suspendCompensation(run.handoff, index, wait),
  };
}
