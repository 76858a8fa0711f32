import type { Actor } from '../../shared/actor.js';
import { describeActor } from '../../shared/actor.js';
import type { Compensation, Procedure, StepDefinition } from '../procedures/procedure.js';
import type { WaitingFor } from '../steps/step-kind.js';
import { DEADLINE_EXCEEDED } from './failure-code.js';
import { type Handoff, type HandoffStatus, runOf, type StepWait } from './handoff.js';
import { FINAL_EVENT_BY_STATUS, type HandoffEventDraft } from './handoff-event.js';

/**
 * Every change of a handoff's state, as named pure functions: each takes the handoff as last stored
 * and returns the next state (version and seq bumped) with the events that record it, or a refusal
 * saying why it does not apply. Nothing here touches a store or a clock: the runner and the service
 * store a transition as one compare-and-set (HandoffStore.transition), which may refuse it too.
 */

/** Why a transition was not applied. The store adds VERSION_CONFLICT, LEASE_LOST, CANCEL_REQUESTED and REQUESTS_CHANGED. */
export type RefusalCode = 'WRONG_STATE' | 'VERSION_CONFLICT' | 'LEASE_LOST' | 'CANCEL_REQUESTED' | 'REQUESTS_CHANGED';

export interface Refusal {
  code: RefusalCode;
  message: string;
}

export interface Transition {
  /** The function that made it (for logs and refusals). */
  name: string;
  next: Handoff;
  events: HandoffEventDraft[];
  /** True when the metadata changed (a redrive's patch): the store writes it too. */
  writesMetadata: boolean;
}

export type TransitionResult = Transition | { refused: Refusal };

export function isRefused(result: TransitionResult): result is { refused: Refusal } {
  return 'refused' in result;
}

/** A failed attempt as the runner saw it. */
export interface AttemptFailure {
  message: string;
  code: string;
  durationMs: number;
  timeout: boolean;
  /** False: the step fails for good, whatever attempts are left. */
  retryable: boolean;
  data: Record<string, unknown>;
}

const ACTIVE: readonly HandoffStatus[] = ['RUNNING', 'WAITING'];
const UNFINISHED_BUT_ROLLING_BACK: readonly HandoffStatus[] = ['PENDING', 'RUNNING', 'WAITING', 'PAUSED'];
const REDRIVABLE: readonly HandoffStatus[] = ['FAILED', 'ROLLED_BACK', 'ROLLBACK_FAILED'];

function wrongState(name: string, from: readonly HandoffStatus[], h: Handoff): { refused: Refusal } {
  return {
    refused: {
      code: 'WRONG_STATE',
      message: `${name} applies to a ${from.join(' or ')} handoff; "${h.id}" is ${h.status}`,
    },
  };
}

/** The next state of `h` (steps copied: the stored one stays as it was) after `mutate`, with `events`. */
function change(
  name: string,
  h: Handoff,
  from: readonly HandoffStatus[],
  mutate: (next: Handoff) => void,
  events: HandoffEventDraft[],
): TransitionResult {
  if (!from.includes(h.status)) return wrongState(name, from, h);
  const next: Handoff = { ...h, steps: h.steps.map((step) => ({ ...step })) };
  mutate(next);
  next.version = h.version + 1;
  next.seq = h.seq + events.length;
  return { name, next, events, writesMetadata: false };
}

/** The event that says an attempt started (or, for a kind that waits, that the step started waiting). */
export function stepStartedEvent(
  definition: StepDefinition,
  attempt: number,
  waitingFor: WaitingFor,
): HandoffEventDraft {
  const waitsFor = waitingFor(definition);
  return {
    type: waitsFor ? 'STEP_WAITING' : 'STEP_STARTED',
    step: definition.id,
    attempt,
    message: waitsFor
      ? `${definition.name}: waiting for ${waitsFor} (attempt ${attempt}, up to ${definition.timeoutMs} ms)`
      : `${definition.name}: attempt ${attempt} of ${definition.retry.maxAttempts}`,
  };
}

function markAttemptStarted(h: Handoff, index: number, now: number, waiting: boolean): void {
  const step = h.steps[index];
  step.status = waiting ? 'WAITING' : 'RUNNING';
  step.attempts += 1;
  step.startedAt ??= now;
  step.attemptStartedAt = now;
  step.retryAt = null;
  step.wait = null;
  h.currentStep = index;
  h.status = waiting ? 'WAITING' : 'RUNNING';
}

/** A step that was started (or due to start) but will never finish reads as FAILED, not RUNNING. */
function abandonCurrentStep(h: Handoff, reason: string, now: number): void {
  const step = h.steps[h.currentStep];
  if (!step || !['RUNNING', 'WAITING', 'PENDING'].includes(step.status) || step.attempts === 0) return;
  step.status = 'FAILED';
  step.error ??= reason;
  step.finishedAt = now;
  step.wait = null;
}

// ---- Starting ---------------------------------------------------------------------------------

/** PENDING → RUNNING: the gates passed; the first step's first attempt starts (or, with no steps, nothing yet). */
export function passGates(
  h: Handoff,
  procedure: Procedure,
  summary: string,
  now: number,
  waitingFor: WaitingFor,
): TransitionResult {
  const first = procedure.steps[0];
  return change(
    'passGates',
    h,
    ['PENDING'],
    (next) => {
      next.status = 'RUNNING';
      next.startedAt ??= now;
      if (first) markAttemptStarted(next, 0, now, waitingFor(first) !== null);
    },
    [
      { type: 'GATES_PASSED', step: null, message: summary },
      {
        type: 'HANDOFF_STARTED',
        step: null,
        message: `running ${procedure.name} v${procedure.version}${runOf(h) > 1 ? ` (run ${runOf(h)})` : ''}`,
      },
      ...(first ? [stepStartedEvent(first, 1, waitingFor)] : []),
    ],
  );
}

/** PENDING → FAILED: a blocking gate failed before any step ran. */
export function failGates(h: Handoff, summary: string, rules: string[], now: number): TransitionResult {
  return change(
    'failGates',
    h,
    ['PENDING'],
    (next) => {
      next.status = 'FAILED';
      next.error = `validation gates failed: ${summary}`;
      next.errorCode = 'GATES_FAILED';
      next.startedAt ??= now;
      next.finishedAt = now;
    },
    [
      { type: 'GATES_FAILED', step: null, message: summary, data: { rules } },
      { type: 'HANDOFF_FAILED', step: null, message: `validation gates failed: ${rules.join(', ')}` },
    ],
  );
}

/** RUNNING, WAITING or ROLLING_BACK, unchanged: a previous runner stopped mid-way and this one resumes. */
export function recordInterruption(h: Handoff): TransitionResult {
  const step = h.steps[h.currentStep];
  return change('recordInterruption', h, ['RUNNING', 'WAITING', 'ROLLING_BACK'], () => undefined, [
    {
      type: 'HANDOFF_INTERRUPTED',
      step: step?.id ?? null,
      message: `resumed after the previous runner stopped (status ${h.status}${step ? `, step ${step.id} attempt ${step.attempts}` : ''})`,
      attempt: step?.attempts,
    },
  ]);
}

// ---- Steps ------------------------------------------------------------------------------------

/**
 * PENDING (a resumed or redriven handoff going on), RUNNING or WAITING → RUNNING or WAITING: the
 * next attempt of the current step starts (stored before it runs, so no restart exceeds the policy).
 */
export function startAttempt(
  h: Handoff,
  definition: StepDefinition,
  now: number,
  waitingFor: WaitingFor,
): TransitionResult {
  const attempt = h.steps[h.currentStep].attempts + 1;
  return change(
    'startAttempt',
    h,
    ['PENDING', 'RUNNING', 'WAITING'],
    (next) => markAttemptStarted(next, next.currentStep, now, waitingFor(definition) !== null),
    [stepStartedEvent(definition, attempt, waitingFor)],
  );
}

/** What to do once the current step succeeded. */
export type AfterSuccess =
  | { followUp: 'START_NEXT'; next: StepDefinition; waitingFor: WaitingFor }
  | { followUp: 'COMPLETE' }
  /** Record the success only: a pause or cancel stops the handoff before anything else starts. */
  | { followUp: 'HOLD' };

/**
 * RUNNING or WAITING: the current step succeeded (`extra` events first, e.g. who approved it); then
 * the next step starts, the handoff completes, or (HOLD) it stays between steps.
 */
export function succeedStep(
  h: Handoff,
  definition: StepDefinition,
  result: { output: Record<string, unknown> | null; durationMs: number; extra: HandoffEventDraft[] },
  after: AfterSuccess,
  now: number,
): TransitionResult {
  const index = h.currentStep;
  const attempt = h.steps[index].attempts;
  const events: HandoffEventDraft[] = [
    ...result.extra,
    {
      type: 'STEP_SUCCEEDED',
      step: definition.id,
      attempt,
      durationMs: result.durationMs,
      message: `${definition.name} succeeded on attempt ${attempt}`,
    },
  ];
  if (after.followUp === 'START_NEXT')
    events.push(stepStartedEvent(after.next, h.steps[index + 1].attempts + 1, after.waitingFor));
  if (after.followUp === 'COMPLETE')
    events.push({ type: 'HANDOFF_COMPLETED', step: null, message: 'all steps succeeded' });
  return change(
    'succeedStep',
    h,
    ACTIVE,
    (next) => {
      const step = next.steps[index];
      step.status = 'SUCCEEDED';
      step.finishedAt = now;
      step.output = result.output;
      step.wait = null;
      if (after.followUp === 'START_NEXT')
        return markAttemptStarted(next, index + 1, now, after.waitingFor(after.next) !== null);
      next.currentStep = index + 1;
      next.status = after.followUp === 'COMPLETE' ? 'COMPLETED' : 'RUNNING';
      if (after.followUp === 'COMPLETE') next.finishedAt = now;
    },
    events,
  );
}

/** RUNNING: every step has succeeded (the run stopped before finishing): the handoff completes. */
export function completeHandoff(h: Handoff, now: number): TransitionResult {
  return change(
    'completeHandoff',
    h,
    ['RUNNING'],
    (next) => {
      next.status = 'COMPLETED';
      next.finishedAt = now;
    },
    [{ type: 'HANDOFF_COMPLETED', step: null, message: 'all steps succeeded' }],
  );
}

function failedEvent(definition: StepDefinition, attempt: number, failure: AttemptFailure): HandoffEventDraft {
  return {
    type: 'STEP_FAILED',
    step: definition.id,
    attempt,
    durationMs: failure.durationMs,
    message: failure.message,
    data: { timeout: failure.timeout, ...failure.data, code: failure.code, retryable: failure.retryable },
  };
}

/** RUNNING or WAITING: an attempt failed and another is due after `delayMs` (the step waits, PENDING). */
export function scheduleRetry(
  h: Handoff,
  definition: StepDefinition,
  failure: AttemptFailure,
  delayMs: number,
  now: number,
  retryAfterMs: number | null,
): TransitionResult {
  const index = h.currentStep;
  const attempt = h.steps[index].attempts;
  return change(
    'scheduleRetry',
    h,
    ACTIVE,
    (next) => {
      const step = next.steps[index];
      step.status = 'PENDING';
      step.error = failure.message;
      step.errorCode = failure.code;
      step.retryAt = now + delayMs;
      step.wait = null;
      next.status = 'RUNNING';
    },
    [
      failedEvent(definition, attempt, failure),
      {
        type: 'STEP_RETRY_SCHEDULED',
        step: definition.id,
        attempt: attempt + 1,
        message: `retrying in ${delayMs} ms${retryAfterMs !== null ? " (as the Retry-After header asked, within the policy's maximum delay)" : ''}`,
        data: { delayMs, ...(retryAfterMs !== null ? { retryAfterMs } : {}) },
      },
    ],
  );
}

/** RUNNING or WAITING: the current step failed for good; the handoff's error says why (a rollback follows). */
export function failStep(
  h: Handoff,
  definition: StepDefinition,
  failure: AttemptFailure,
  handoffError: string,
  handoffErrorCode: string,
  now: number,
): TransitionResult {
  const index = h.currentStep;
  return change(
    'failStep',
    h,
    ACTIVE,
    (next) => {
      const step = next.steps[index];
      step.status = 'FAILED';
      step.error = failure.message;
      step.errorCode = failure.code;
      step.finishedAt = now;
      step.wait = null;
      next.error = handoffError;
      next.errorCode = handoffErrorCode;
    },
    [failedEvent(definition, h.steps[index].attempts, failure)],
  );
}

// ---- Waiting without a slot ---------------------------------------------------------------------

/**
 * RUNNING or WAITING, unchanged: the current step's attempt waits (for a signal, or until a time),
 * holding no execution slot; it goes on where it stopped when the wait is over. No event: the
 * attempt's STEP_WAITING said so when it started.
 */
export function suspendAttempt(h: Handoff, wait: StepWait): TransitionResult {
  return change(
    'suspendAttempt',
    h,
    ACTIVE,
    (next) => {
      next.steps[next.currentStep].wait = wait;
    },
    [],
  );
}

/**
 * RUNNING, WAITING or ROLLING_BACK, unchanged: the runner that took the handoff found nothing to do
 * yet (what woke it was not what it waits for) and hands it back. No event.
 */
export function handBack(h: Handoff): TransitionResult {
  return change('handBack', h, ['RUNNING', 'WAITING', 'ROLLING_BACK'], () => undefined, []);
}

/** ROLLING_BACK, unchanged: the compensation attempt of step `index` waits like a step attempt (suspendAttempt). */
export function suspendCompensation(h: Handoff, index: number, wait: StepWait): TransitionResult {
  return change(
    'suspendCompensation',
    h,
    ['ROLLING_BACK'],
    (next) => {
      next.steps[index].wait = wait;
    },
    [],
  );
}

// ---- Ending -----------------------------------------------------------------------------------

/** PENDING, RUNNING, WAITING or PAUSED → ROLLING_BACK: completed steps `undo` (ids, latest first) will be undone. */
export function startRollback(h: Handoff, reason: string, undo: string[], now: number): TransitionResult {
  return change(
    'startRollback',
    h,
    UNFINISHED_BUT_ROLLING_BACK,
    (next) => {
      abandonCurrentStep(next, reason, now);
      next.status = 'ROLLING_BACK';
      next.error ??= reason;
    },
    [{ type: 'ROLLBACK_STARTED', step: null, message: `${reason}; undoing ${undo.join(', ')}` }],
  );
}

export type FinalStatus = keyof typeof FINAL_EVENT_BY_STATUS;

/** Any unfinished status → a final one, with its final event; a cancel keeps its reason (and its code). */
export function finish(
  h: Handoff,
  status: FinalStatus,
  message: string,
  cancelReason: string | null,
  now: number,
): TransitionResult {
  return change(
    'finish',
    h,
    [...UNFINISHED_BUT_ROLLING_BACK, 'ROLLING_BACK'],
    (next) => {
      if (status !== 'COMPLETED') abandonCurrentStep(next, message, now);
      next.status = status;
      next.startedAt ??= now;
      next.finishedAt = now;
      next.pause = null;
      if (status === 'CANCELLED') {
        next.cancelReason = cancelReason;
        next.errorCode = cancelReason?.startsWith(DEADLINE_EXCEEDED) ? DEADLINE_EXCEEDED : 'CANCELLED';
      }
    },
    [{ type: FINAL_EVENT_BY_STATUS[status], step: null, message }],
  );
}

// ---- Compensations (ROLLING_BACK) ---------------------------------------------------------------

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
        step: h.steps[index].id,
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
        step: h.steps[index].id,
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
        step: h.steps[index].id,
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
        step: h.steps[index].id,
        attempt: attempts,
        durationMs,
        message: `${compensation.name} failed after ${attempts} attempt(s): ${error}`,
      },
    ],
  );
}

// ---- Operator levers: pause, resume, redrive --------------------------------------------------------

/** A pause someone asked for (recorded out of band, like a cancel: see pause-request.ts). */
export interface PauseRequest {
  number: number;
  reason: string | null;
  actor: Actor | null;
  at: number;
}

/**
 * PENDING or RUNNING between steps (no attempt in flight) → PAUSED: nothing more starts until
 * resumeHandoff. A retry back-off in progress is kept (its time left is restored on resume).
 */
export function pause(h: Handoff, request: PauseRequest, now: number): TransitionResult {
  const step = h.steps[h.currentStep];
  if (step && (step.status === 'RUNNING' || step.status === 'WAITING')) {
    return {
      refused: {
        code: 'WRONG_STATE',
        message: `step ${step.id} has an attempt in flight: a handoff pauses between attempts`,
      },
    };
  }
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
 * PAUSED → PENDING (queued to go on where it stopped). Time spent paused does not count: the step's
 * retry back-off and the handoff's deadline move on by it.
 */
export function resume(h: Handoff, actor: Actor | null, now: number, reason: string | null = null): TransitionResult {
  const pausedMs = Math.max(0, now - (h.pause?.at ?? now));
  return change(
    'resume',
    h,
    ['PAUSED'],
    (next) => {
      const step = next.steps[next.currentStep];
      if (step?.retryAt != null) step.retryAt += pausedMs;
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
 * FAILED, ROLLED_BACK or ROLLBACK_FAILED → PENDING, as run n+1 under the same id: steps from `index`
 * on are reset (attempts, outputs, errors), earlier ones keep theirs; the metadata takes `metadata`
 * (a patched copy) when given; the handoff's deadline, if it has one, starts again from now.
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
      for (let i = options.index; i < next.steps.length; i++) {
        const step = next.steps[i];
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
      }
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
