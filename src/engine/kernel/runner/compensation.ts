import type { Clock } from '../../shared/clock.js';
import type { Random } from '../../shared/random.js';
import type { Handoff } from '../handoff/handoff.js';
import {
  compensationFailed,
  compensationRetryScheduled,
  compensationSucceeded,
  startCompensation,
  type TransitionResult,
} from '../handoff/handoff-transitions.js';
import { retryDelayMs } from '../handoff/retry-delay.js';
import type { Procedure } from '../procedures/procedure.js';
import { StepFailure, type StepServices } from '../steps/step-kind.js';
import { INTERRUPTED_BY_RESTART, runAction, ShutdownError } from './run-action.js';

/** What undoing one step needs from the run it belongs to. */
export interface CompensationRun {
  /** The handoff as last stored (it changes with every commit). */
  readonly handoff: Handoff;
  readonly procedure: Procedure;
  /** Aborted by shutdown only: a cancel must not stop an undo. */
  readonly shutdown: AbortSignal;
  /** Stores a transition as one compare-and-set (throws when the lease is lost). */
  commit(transition: TransitionResult): Promise<unknown>;
  /** Waits for a named signal (an agent task's outcome): nobody can signalHandoff a compensation. */
  awaitNamedSignal(attempt: AbortSignal, name: string): Promise<unknown>;
}

export interface CompensationServices {
  services: StepServices;
  clock: Clock;
  random: Random;
}

const noStepSignals = () => Promise.reject(new StepFailure('compensations cannot wait for signals'));

/**
 * Runs the compensation of step `index` until it succeeds or its step's retry policy is used up.
 * Every attempt is stored (its number in `compensationAttempts`, a COMPENSATION_STARTED event) before
 * it runs, and an attempt that was running when a process stopped counts as used: however often the
 * process dies, a compensation never runs more often than its policy allows.
 */
export async function compensateStep(run: CompensationRun, index: number, deps: CompensationServices): Promise<void> {
  const definition = run.procedure.steps[index];
  const compensation = definition.compensation!;
  const { maxAttempts } = definition.retry;
  // Absent in handoffs stored before compensation attempts were counted.
  const used = run.handoff.steps[index].compensationAttempts ?? 0;
  let lastError = INTERRUPTED_BY_RESTART;
  let durationMs = 0;
  for (let attempt = used + 1; attempt <= maxAttempts; attempt++) {
    await run.commit(startCompensation(run.handoff, index, compensation, attempt, maxAttempts));
    const result = await runAction(
      {
        handoff: run.handoff,
        stepId: compensation.id,
        action: compensation,
        attempt,
        outer: run.shutdown,
        awaitSignal: (attemptSignal, name) => (name ? run.awaitNamedSignal(attemptSignal, name) : noStepSignals()),
      },
      deps.services,
      deps.clock,
      null,
    );
    durationMs += result.durationMs;
    if (result.ok) {
      await run.commit(compensationSucceeded(run.handoff, index, compensation, attempt, durationMs));
      return;
    }
    if (result.error instanceof ShutdownError) throw result.error;
    lastError = result.error.message;
    if (attempt === maxAttempts) break;
    const delay = retryDelayMs(attempt + 1, definition.retry, deps.random);
    await run.commit(compensationRetryScheduled(run.handoff, index, attempt, lastError, delay));
    await deps.clock.sleep(delay, run.shutdown);
  }
  const attempts = Math.max(used, run.handoff.steps[index].compensationAttempts ?? 0);
  await run.commit(compensationFailed(run.handoff, index, compensation, attempts, lastError, durationMs));
}
