import { branchStepId, type Handoff, type HandoffStatus, type StepRun } from './handoff.js';
import type { HandoffEventDraft } from './handoff-event.js';
import { change, statusFromSteps, stepRef, type TransitionResult } from './transition-core.js';

/**
 * The transitions only a graph of steps makes (see handoff-transitions.ts for the rest): a step skipped
 * (its condition was false, or what it waited for was), cancelled (a join no longer needs it), run once
 * per item (its branches added), its join over those branches met or failed; and a COMPLETED sub-handoff
 * asked by its parent's rollback to undo its steps.
 */

const WALKING: readonly HandoffStatus[] = ['PENDING', 'RUNNING', 'WAITING'];

/** A step and why something happens to it. */
export interface StepVerdict {
  index: number;
  reason: string;
}

/** PENDING, RUNNING or WAITING: steps that will not run are SKIPPED, each with why. */
export function skipSteps(h: Handoff, skips: readonly StepVerdict[], now: number): TransitionResult {
  return change(
    'skipSteps',
    h,
    WALKING,
    (next) => {
      for (const { index, reason } of skips)
        Object.assign(next.steps[index], { status: 'SKIPPED', skipReason: reason, finishedAt: now });
      next.status = statusFromSteps(next);
    },
    skips.map(({ index, reason }) => ({
      type: 'STEP_SKIPPED',
      ...stepRef(h, index),
      message: `${h.steps[index].name} skipped: ${reason}`,
      data: { reason },
    })),
  );
}

/**
 * PENDING, RUNNING or WAITING: steps no longer needed are CANCELLED (a join they fed was met, or the step
 * whose branches they are has ended). An attempt that was under way was stopped first (its kind took
 * back what it had started); `durationMs` is how long it ran this time.
 */
export function cancelSteps(
  h: Handoff,
  cancels: readonly (StepVerdict & { durationMs?: number })[],
  now: number,
): TransitionResult {
  return change(
    'cancelSteps',
    h,
    WALKING,
    (next) => {
      for (const { index, reason } of cancels) {
        Object.assign(next.steps[index], {
          status: 'CANCELLED',
          skipReason: reason,
          finishedAt: now,
          retryAt: null,
          wait: null,
        });
      }
      next.status = statusFromSteps(next);
    },
    cancels.map(({ index, reason, durationMs }) => {
      const step = h.steps[index];
      const event: HandoffEventDraft = {
        type: 'STEP_CANCELLED',
        ...stepRef(h, index),
        message: `${step.name} cancelled: ${reason}`,
        data: { reason },
      };
      if (step.attempts > 0) event.attempt = step.attempts;
      if (durationMs !== undefined) event.durationMs = durationMs;
      return event;
    }),
  );
}

/** The StepRun of branch `index` of step `of`, not started. */
function branchRun(of: StepRun, index: number, item: unknown): StepRun {
  return {
    id: branchStepId(of.id, index),
    name: `${of.name} [${index}]`,
    kind: of.kind,
    status: 'PENDING',
    attempts: 0,
    compensationAttempts: 0,
    startedAt: null,
    finishedAt: null,
    error: null,
    output: null,
    retryAt: null,
    branch: { of: of.id, index, item },
  };
}

/**
 * PENDING, RUNNING or WAITING: step `index` runs once per item of `items` (read from `path`): one branch
 * each is added after the steps, and the step reads RUNNING until its join over them is met.
 */
export function fanOut(h: Handoff, index: number, path: string, items: readonly unknown[], now: number) {
  const step = h.steps[index];
  return change(
    'fanOut',
    h,
    WALKING,
    (next) => {
      Object.assign(next.steps[index], { status: 'RUNNING', startedAt: now, fanOut: { branches: items.length } });
      next.steps.push(...items.map((item, at) => branchRun(step, at, item)));
      next.currentStep = index;
      next.status = statusFromSteps(next);
    },
    [
      {
        type: 'STEP_FANNED_OUT',
        ...stepRef(h, index),
        message: `${step.name}: ${items.length} branch(es), one per item of ${path}`,
        data: { branches: items.length, items: path },
      },
    ],
  );
}

/** How a step run once per item ended: its join over the branches was met (its output: their results), or cannot be. */
export type FanOutOutcome =
  | { succeeded: true; output: Record<string, unknown>; message: string }
  | { succeeded: false; message: string; handoffError: string | null };

/**
 * RUNNING or WAITING: the join of step `index` over its branches is decided. Met: it SUCCEEDED, with their
 * results as its output. Not: it FAILED (JOIN_NOT_MET), and `handoffError`, when set, says why the
 * handoff fails (null: the failure is contained, see failStep).
 */
export function settleFanOut(h: Handoff, index: number, outcome: FanOutOutcome, now: number): TransitionResult {
  const ref = stepRef(h, index);
  return change(
    'settleFanOut',
    h,
    WALKING,
    (next) => {
      const step = next.steps[index];
      step.finishedAt = now;
      if (outcome.succeeded) {
        step.status = 'SUCCEEDED';
        step.output = outcome.output;
      } else {
        Object.assign(step, { status: 'FAILED', error: outcome.message, errorCode: 'JOIN_NOT_MET' });
        if (outcome.handoffError !== null) {
          next.error = outcome.handoffError;
          next.errorCode = 'JOIN_NOT_MET';
        }
      }
      next.status = statusFromSteps(next);
    },
    [
      outcome.succeeded
        ? { type: 'STEP_SUCCEEDED', ...ref, message: outcome.message }
        : {
            type: 'STEP_FAILED',
            ...ref,
            message: outcome.message,
            data: { code: 'JOIN_NOT_MET', retryable: false },
          },
    ],
  );
}

/**
 * COMPLETED → ROLLING_BACK: the rollback of the handoff that started this one as a sub-handoff asks it to
 * undo its completed steps (`undo`, in the order they are undone). Stored by whoever asks, guarded by
 * nobody holding the handoff; it ends ROLLED_BACK or ROLLBACK_FAILED like any rollback.
 */
export function requestRevert(h: Handoff, reason: string, undo: readonly string[], now: number): TransitionResult {
  return change(
    'requestRevert',
    h,
    ['COMPLETED'],
    (next) => {
      next.status = 'ROLLING_BACK';
      next.revertRequest = { at: now, reason };
      next.finishedAt = null;
    },
    [
      {
        type: 'ROLLBACK_STARTED',
        step: null,
        message: `${reason}; undoing ${undo.length > 0 ? undo.join(', ') : 'nothing'}`,
        data: { revert: true },
      },
    ],
  );
}

/**
 * PENDING, RUNNING or WAITING: step `index` fails before any attempt of it could start (the list it runs
 * over is not one, its condition could not be evaluated). `handoffError` as for failStep.
 */
export function failBeforeStart(
  h: Handoff,
  index: number,
  failure: { message: string; code: string },
  handoffError: string | null,
  now: number,
): TransitionResult {
  return change(
    'failBeforeStart',
    h,
    WALKING,
    (next) => {
      Object.assign(next.steps[index], {
        status: 'FAILED',
        error: failure.message,
        errorCode: failure.code,
        startedAt: now,
        finishedAt: now,
      });
      if (handoffError !== null) {
        next.error = handoffError;
        next.errorCode = failure.code;
      }
      next.status = statusFromSteps(next);
    },
    [
      {
        type: 'STEP_FAILED',
        ...stepRef(h, index),
        message: failure.message,
        data: { code: failure.code, retryable: false },
      },
    ],
  );
}
