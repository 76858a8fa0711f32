import type { Actor } from '../../shared/actor.js';
import { describeActor } from '../../shared/actor.js';
import type { Procedure } from '../procedures/procedure.js';
import { attemptInFlight, type Handoff, type HandoffStatus, runOf, type StepRun } from './handoff.js';
import { change, isRefused, type Refusal, type TransitionResult } from './transition-core.js';

/** The operator's levers as transitions: pause, resume, redrive (see handoff-transitions.ts for the rest). */

const REDRIVABLE: readonly HandoffStatus[] = ['FAILED', 'ROLLED_BACK', 'ROLLBACK_FAILED'];

/** A pause someone asked for (recorded out of band, like a cancel: see pause-request.ts). */
export interface PauseRequest {
  number: number;
  reason: string | null;
  actor: Actor | null;
  at: number;
}

/**
 * PENDING or RUNNING between attempts (none in flight, on any step) → PAUSED: nothing more starts until
 * resumeHandoff. A retry back-off in progress is kept (its time left is restored on resume).
 */
export function pause(h: Handoff, request: PauseRequest, now: number): TransitionResult {
  const busy = h.steps.find(attemptInFlight);
  if (busy) {
    return {
      refused: {
        code: 'WRONG_STATE',
        message: `step ${busy.id} has an attempt in flight: a handoff pauses between attempts`,
      },
    };
  }
  // The step that would have gone on next: the current one, or on a graph the first still to run.
  const current = h.steps[h.currentStep];
  const step = current?.status === 'PENDING' ? current : h.steps.find((candidate) => candidate.status === 'PENDING');
  return change(
    'pause',
    h,
    ['PENDING', 'RUNNING'],
    (next) => {
      next.pause = { at: now, reason: request.reason, actor: request.actor };
      next.pausesHonoured = request.number;
      next.status = 'PAUSED';
    },
    [
      {
        type: 'HANDOFF_PAUSED',
        step: step?.id ?? null,
        message: `paused by ${describeActor(request.actor)}${request.reason ? `: ${request.reason}` : ''}${step ? ` before ${step.id} attempt ${step.attempts + 1}` : ''}`,
        data: { reason: request.reason, actor: request.actor },
      },
    ],
  );
}

/**
 * PAUSED → PENDING (queued to go on where it stopped). Time spent paused does not count: the steps'
 * retry back-offs and the handoff's deadline move on by it.
 */
export function resume(h: Handoff, actor: Actor | null, now: number, reason: string | null = null): TransitionResult {
  const pausedMs = Math.max(0, now - (h.pause?.at ?? now));
  return change(
    'resume',
    h,
    ['PAUSED'],
    (next) => {
      for (const step of next.steps) if (step.retryAt != null) step.retryAt += pausedMs;
      if (next.deadlineAt != null) next.deadlineAt += pausedMs;
      next.pause = null;
      next.status = 'PENDING';
    },
    [
      {
        type: 'HANDOFF_RESUMED',
        step: null,
        message: `resumed by ${describeActor(actor)} after ${pausedMs} ms paused${reason ? `: ${reason}` : ''}`,
        data: { pausedMs, actor, ...(reason ? { reason } : {}) },
      },
    ],
  );
}

/** Where a redrive restarts, or why it cannot. */
export type RedriveStart = { index: number } | { refused: Refusal & { field: 'fromStep' | 'id' } };

/**
 * The step a redrive restarts from. Default: the earliest of the step that failed and every step
 * whose effect a rollback touched (COMPENSATED, COMPENSATING or COMPENSATION_FAILED): its effect is
 * gone or unknown, so it must run again. A named `fromStep` may be earlier (steps from it on run
 * again), never later than that point (an undone step would be skipped).
 */
export function redriveStart(h: Handoff, fromStep: string | null): RedriveStart {
  const touched = h.steps.findIndex((step) =>
    ['FAILED', 'COMPENSATED', 'COMPENSATING', 'COMPENSATION_FAILED'].includes(step.status),
  );
  // Gates failed (no step ran), or a cancel-free failure left nothing marked: start where it stood.
  const earliest = touched === -1 ? Math.min(h.currentStep, Math.max(0, h.steps.length - 1)) : touched;
  if (fromStep === null) return { index: earliest };
  const named = h.steps.findIndex((step) => step.id === fromStep);
  if (named === -1)
    return { refused: { code: 'WRONG_STATE', field: 'fromStep', message: `the handoff has no step "${fromStep}"` } };
  if (named > earliest) {
    return {
      refused: {
        code: 'WRONG_STATE',
        field: 'fromStep',
        message: `step "${h.steps[earliest].id}" failed or was undone by the rollback: redrive from it or an earlier step, not from "${fromStep}"`,
      },
    };
  }
  return { index: named };
}

/**
 * What a redrive on a graph runs again (see redriveScope in graph-redrive.ts): steps reset as if never
 * run, steps run once per item that go on with the branches they have (`reopen`), and branches removed
 * (their step is reset: its list is read again).
 */
export interface RedriveReset {
  reset: readonly number[];
  reopen: readonly number[];
  drop: readonly number[];
}

/** A step as if it had never run (a branch keeps which item it is for). */
function resetStep(step: StepRun): void {
  Object.assign(step, {
    status: 'PENDING',
    attempts: 0,
    compensationAttempts: 0,
    startedAt: null,
    finishedAt: null,
    error: null,
    errorCode: null,
    output: null,
    retryAt: null,
    attemptStartedAt: null,
    wait: null,
  });
  if (step.fanOut) step.fanOut = null;
  if (step.skipReason) step.skipReason = null;
}

function applyReset(next: Handoff, scope: RedriveReset): void {
  for (const index of scope.reset) resetStep(next.steps[index]);
  for (const index of scope.reopen) {
    const step = next.steps[index];
    Object.assign(step, { status: 'RUNNING', finishedAt: null, error: null, errorCode: null, output: null });
  }
  if (scope.drop.length > 0) {
    const dropped = new Set(scope.drop);
    next.steps = next.steps.filter((_, index) => !dropped.has(index));
  }
}

/**
 * FAILED, ROLLED_BACK or ROLLBACK_FAILED → PENDING, as run n+1 under the same id: steps from `index`
 * on (or, on a graph, those `scope` names) are reset (attempts, outputs, errors), the others keep
 * theirs; the metadata takes `metadata` (a patched copy) when given; the handoff's deadline, if it has
 * one, starts again from now.
 */
export function redrive(
  h: Handoff,
  procedure: Procedure,
  options: {
    index: number;
    metadata: Record<string, unknown> | null;
    actor: Actor | null;
    /** Why (recorded on the event); a bulk retry's carries its operation id. */
    reason?: string | null;
    deadlineMs: number | null;
    /** The number of a pause request the last run never took: void for the new run. */
    pausesHonoured?: number | null;
    /** On a graph: what runs again (`index` is then the first of it, named on the event). */
    scope?: RedriveReset | null;
  },
  now: number,
): TransitionResult {
  const run = runOf(h) + 1;
  const from = h.steps[options.index];
  const result = change(
    'redrive',
    h,
    REDRIVABLE,
    (next) => {
      next.run = run;
      if (options.scope) applyReset(next, options.scope);
      else for (let i = options.index; i < next.steps.length; i++) resetStep(next.steps[i]);
      next.currentStep = options.index;
      next.status = 'PENDING';
      next.error = null;
      next.errorCode = null;
      next.finishedAt = null;
      next.deadlineAt = options.deadlineMs !== null ? now + options.deadlineMs : null;
      if (options.pausesHonoured != null)
        next.pausesHonoured = Math.max(next.pausesHonoured ?? 0, options.pausesHonoured);
      if (options.metadata) next.metadata = options.metadata;
    },
    [
      {
        type: 'HANDOFF_REDRIVEN',
        step: from?.id ?? null,
        message: `run ${run} started by ${describeActor(options.actor)} from ${from ? `step ${from.id}` : 'the start'} (run ${run - 1} ended ${h.status}) on ${procedure.id} v${procedure.version}${options.reason ? `: ${options.reason}` : ''}`,
        data: {
          run,
          fromStep: from?.id ?? null,
          previousStatus: h.status,
          metadataPatched: options.metadata !== null,
          actor: options.actor,
          ...(options.reason ? { reason: options.reason } : {}),
        },
      },
    ],
  );
  if (!isRefused(result)) result.writesMetadata = options.metadata !== null;
  return result;
}
