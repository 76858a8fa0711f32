import { CancelledError, StepTimeoutError } from '../runner/run-action.js';
import { StepFailure } from '../steps/step-kind.js';

/** What a failed attempt's `errorCode` says: the step's own code, or what cut the attempt short. */
export function failureCodeOf(error: Error): string {
  if (error instanceof StepFailure) return error.code;
  if (error instanceof StepTimeoutError) return 'TIMEOUT';
  if (error instanceof CancelledError) return 'CANCELLED';
  return 'ERROR';
}

/** The code of an attempt that was running when its process stopped (it counts as failed). */
export const INTERRUPTED_CODE = 'INTERRUPTED';

/** The reason a cancel recorded by a passed deadline starts with (and the handoff's errorCode then). */
export const DEADLINE_EXCEEDED = 'DEADLINE_EXCEEDED';
