import type { Compensation } from '../procedures/procedure.js';
import type { Handoff } from './handoff.js';
import { change, stepRef, type TransitionResult } from './transition-core.js';

/**
 * The transitions of a rollback (ROLLING_BACK): each attempt of a step's compensation is stored before it
 * runs, and its outcome after (see handoff-transitions.ts for the rest of the state machine).
 */

/** ROLLING_BACK: attempt `attempt` of step `index`'s compensation starts (stored before it runs). */
export function startCompensation(
  h: Handoff,
  index: number,
  compensation: Compensation,
  attempt: number,
  maxAttempts: number,
): TransitionResult {
  return change(
    'startCompensation',
    h,
    ['ROLLING_BACK'],
    (next) => {
      const step = next.steps[index];
      step.status = 'COMPENSATING';
      step.compensationAttempts = attempt;
      step.retryAt = null;
      step.wait = null;
    },
    [
      {
        type: 'COMPENSATION_STARTED',
        ...stepRef(h, index),
        attempt,
        message: `${compensation.name}: attempt ${attempt} of ${maxAttempts}`,
      },
    ],
  );
}

/** ROLLING_BACK: step `index` was undone. */
export function compensationSucceeded(
  h: Handoff,
  index: number,
  compensation: Compensation,
  attempt: number,
  durationMs: number,
): TransitionResult {
  return change(
    'compensationSucceeded',
    h,
    ['ROLLING_BACK'],
    (next) => {
      Object.assign(next.steps[index], { status: 'COMPENSATED', retryAt: null, wait: null });
    },
    [
      {
        type: 'COMPENSATION_SUCCEEDED',
        ...stepRef(h, index),
        attempt,
        durationMs,
        message: `${compensation.name} succeeded on attempt ${attempt}`,
      },
    ],
  );
}

/** ROLLING_BACK: a compensation attempt failed; the next runs after `delayMs` (the step's retryAt meanwhile). */
export function compensationRetryScheduled(
  h: Handoff,
  index: number,
  attempt: number,
  error: string,
  delayMs: number,
  now: number,
): TransitionResult {
  return change(
    'compensationRetryScheduled',
    h,
    ['ROLLING_BACK'],
    (next) => {
      const step = next.steps[index];
      step.error = `compensation attempt ${attempt} failed: ${error}`;
      step.retryAt = now + delayMs;
      step.wait = null;
    },
    [
      {
        type: 'COMPENSATION_RETRY_SCHEDULED',
        ...stepRef(h, index),
        attempt: attempt + 1,
        message: `attempt ${attempt} failed: ${error}; retrying in ${delayMs} ms`,
        data: { delayMs },
      },
    ],
  );
}

/** ROLLING_BACK: step `index`'s compensation failed after its attempts. */
export function compensationFailed(
  h: Handoff,
  index: number,
  compensation: Compensation,
  attempts: number,
  error: string,
  durationMs: number,
): TransitionResult {
  return change(
    'compensationFailed',
    h,
    ['ROLLING_BACK'],
    (next) => {
      Object.assign(next.steps[index], {
        status: 'COMPENSATION_FAILED',
        error: `compensation failed: ${error}`,
        retryAt: null,
        wait: null,
      });
    },
    [
      {
        type: 'COMPENSATION_FAILED',
        ...stepRef(h, index),
        attempt: attempts,
        durationMs,
        message: `${compensation.name} failed after ${attempts} attempt(s): ${error}`,
      },
    ],
  );
}
