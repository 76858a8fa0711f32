import type { Procedure, StepDefinition } from '../procedures/procedure.js';
import type { WaitingFor } from '../steps/step-kind.js';
import { DEADLINE_EXCEEDED } from './failure-code.js';
import { attemptInFlight, type Handoff, type HandoffStatus, runOf, type StepWait } from './handoff.js';
import { FINAL_EVENT_BY_STATUS, type HandoffEventDraft } from './handoff-event.js';
import { abandonOpenSteps, change, statusFromSteps, stepRef, type TransitionResult } from './transition-core.js';

/**
 * Every change of a handoff's state, as named pure functions: each takes the handoff as last stored
 * and returns the next state (version and seq bumped) with the events that record it, or a refusal
 * saying why it does not apply. Nothing here touches a store or a clock: the runner and the service
 * store a transition as one compare-and-set (HandoffStore.transition), which may refuse it too.
 */

export type { Refusal, RefusalCode, Transition, TransitionBuilder, TransitionResult } from './transition-core.js';
export { isRefused } from './transition-core.js';

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

/** The event that says an attempt started (or, for a kind that waits, that the step started waiting). */
export function stepStartedEvent(
  definition: StepDefinition,
  attempt: number,
  waitingFor: WaitingFor,
  branch?: number,
): HandoffEventDraft {
  const waitsFor = waitingFor(definition);
  return {
    type: waitsFor ? 'STEP_WAITING' : 'STEP_STARTED',
    step: definition.id,
    ...(branch !== undefined ? { branch } : {}),
    attempt,
    message: waitsFor
      ? `${definition.name}: waiting for ${waitsFor} (attempt ${attempt}, up to ${definition.timeoutMs} ms)`
      : `${definition.name}: attempt ${attempt} of ${definition.retry.maxAttempts}`,
  };
}

/** A step to start in the same transition, with its definition (a branch's has its item in its params). */
export interface StepStart {
  index: number;
  definition: StepDefinition;
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
  h.status = statusFromSteps(h);
}

/** The events of starting `starts` on `h` (each step's next attempt). */
function startEvents(h: Handoff, starts: readonly StepStart[], waitingFor: WaitingFor): HandoffEventDraft[] {
  return starts.map(({ index, definition }) =>
    stepStartedEvent(definition, h.steps[index].attempts + 1, waitingFor, h.steps[index].branch?.index),
  );
}

function markAllStarted(next: Handoff, starts: readonly StepStart[], now: number, waitingFor: WaitingFor): void {
  for (const { index, definition } of starts) markAttemptStarted(next, index, now, waitingFor(definition) !== null);
}

// ---- Starting ---------------------------------------------------------------------------------

/**
 * PENDING → RUNNING: the gates passed; the steps that start with the handoff start (by default its first
 * step; with no steps, nothing yet).
 */
export function passGates(
  h: Handoff,
  procedure: Procedure,
  summary: string,
  now: number,
  waitingFor: WaitingFor,
  starts: readonly StepStart[] = procedure.steps.length > 0 ? [{ index: 0, definition: procedure.steps[0] }] : [],
): TransitionResult {
  return change(
    'passGates',
    h,
    ['PENDING'],
    (next) => {
      next.status = 'RUNNING';
      next.startedAt ??= now;
      markAllStarted(next, starts, now, waitingFor);
    },
    [
      { type: 'GATES_PASSED', step: null, message: summary },
      {
        type: 'HANDOFF_STARTED',
        step: null,
        message: `running ${procedure.name} v${procedure.version}${runOf(h) > 1 ? ` (run ${runOf(h)})` : ''}`,
      },
      ...startEvents(h, starts, waitingFor),
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
  // The step whose attempt was cut short: on a graph several run at once and the current step is only the one
  // started last (perhaps a branch waiting quietly for a signal), so a running one is named first.
  const inFlight = h.status === 'ROLLING_BACK' ? 'COMPENSATING' : 'RUNNING';
  const step = h.steps.find((s) => s.status === inFlight && s.retryAt == null) ?? h.steps[h.currentStep];
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
 * PENDING (a resumed or redriven handoff going on), RUNNING or WAITING → RUNNING or WAITING: the next
 * attempt of step `index` (default: the current step) starts (stored before it runs, so no restart
 * exceeds the policy).
 */
export function startAttempt(
  h: Handoff,
  definition: StepDefinition,
  now: number,
  waitingFor: WaitingFor,
  index = h.currentStep,
): TransitionResult {
  return change(
    'startAttempt',
    h,
    ['PENDING', 'RUNNING', 'WAITING'],
    (next) => markAttemptStarted(next, index, now, waitingFor(definition) !== null),
    startEvents(h, [{ index, definition }], waitingFor),
  );
}

/** PENDING, RUNNING or WAITING: the next attempts of several steps start at once (see startAttempt). */
export function startAttempts(
  h: Handoff,
  starts: readonly StepStart[],
  now: number,
  waitingFor: WaitingFor,
): TransitionResult {
  return change(
    'startAttempt',
    h,
    ['PENDING', 'RUNNING', 'WAITING'],
    (next) => markAllStarted(next, starts, now, waitingFor),
    startEvents(h, starts, waitingFor),
  );
}

/** What to do once a step succeeded. */
export type AfterSuccess =
  /** Start the step after it in the list (a chain). */
  | { followUp: 'START_NEXT'; next: StepDefinition; waitingFor: WaitingFor }
  /** Start the steps it made ready (none: nothing can start now). */
  | { followUp: 'START'; starts: readonly StepStart[]; waitingFor: WaitingFor }
  | { followUp: 'COMPLETE' }
  /** Record the success only: a pause or cancel stops the handoff before anything else starts. */
  | { followUp: 'HOLD' };

/**
 * RUNNING or WAITING: step `index` (default: the current step) succeeded (`extra` events first, e.g.
 * who approved it); then the steps it made ready start, the handoff completes, or (HOLD) nothing starts.
 */
export function succeedStep(
  h: Handoff,
  definition: StepDefinition,
  result: { output: Record<string, unknown> | null; durationMs: number; extra: HandoffEventDraft[] },
  after: AfterSuccess,
  now: number,
  index = h.currentStep,
): TransitionResult {
  const attempt = h.steps[index].attempts;
  const starts: readonly StepStart[] =
    after.followUp === 'START_NEXT'
      ? [{ index: index + 1, definition: after.next }]
      : after.followUp === 'START'
        ? after.starts
        : [];
  const waitingFor = after.followUp === 'START_NEXT' || after.followUp === 'START' ? after.waitingFor : () => null;
  const events: HandoffEventDraft[] = [
    ...result.extra,
    {
      type: 'STEP_SUCCEEDED',
      ...stepRef(h, index),
      attempt,
      durationMs: result.durationMs,
      message: `${definition.name} succeeded on attempt ${attempt}`,
    },
    ...startEvents(h, starts, waitingFor),
  ];
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
      if (starts.length > 0) return markAllStarted(next, starts, now, waitingFor);
      if (after.followUp === 'COMPLETE') {
        next.currentStep = next.steps.length;
        next.status = 'COMPLETED';
        next.finishedAt = now;
        return;
      }
      // Between steps of a chain, the next one is the current step (a pause names it).
      if (index === h.currentStep) next.currentStep = index + 1;
      next.status = statusFromSteps(next);
    },
    events,
  );
}

/** PENDING or RUNNING: every step has ended as it may (the run stopped before finishing): the handoff completes. */
export function completeHandoff(h: Handoff, now: number): TransitionResult {
  return change(
    'completeHandoff',
    h,
    ['PENDING', 'RUNNING'],
    (next) => {
      next.status = 'COMPLETED';
      next.finishedAt = now;
    },
    [{ type: 'HANDOFF_COMPLETED', step: null, message: 'all steps succeeded' }],
  );
}

function failedEvent(h: Handoff, index: number, failure: AttemptFailure): HandoffEventDraft {
  return {
    type: 'STEP_FAILED',
    ...stepRef(h, index),
    attempt: h.steps[index].attempts,
    durationMs: failure.durationMs,
    message: failure.message,
    data: { timeout: failure.timeout, ...failure.data, code: failure.code, retryable: failure.retryable },
  };
}

/**
 * RUNNING or WAITING: an attempt of step `index` (default: the current step) failed and another is due
 * after `delayMs` (the step waits, PENDING).
 */
export function scheduleRetry(
  h: Handoff,
  /** Kept for callers: the step is named by `index`. */
  _definition: StepDefinition,
  failure: AttemptFailure,
  delayMs: number,
  now: number,
  retryAfterMs: number | null,
  index = h.currentStep,
): TransitionResult {
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
      next.status = statusFromSteps(next);
    },
    [
      failedEvent(h, index, failure),
      {
        type: 'STEP_RETRY_SCHEDULED',
        ...stepRef(h, index),
        attempt: attempt + 1,
        message: `retrying in ${delayMs} ms${retryAfterMs !== null ? " (as the Retry-After header asked, within the policy's maximum delay)" : ''}`,
        data: { delayMs, ...(retryAfterMs !== null ? { retryAfterMs } : {}) },
      },
    ],
  );
}

/**
 * RUNNING or WAITING: step `index` (default: the current step) failed for good. `handoffError` (with its
 * code) says why the handoff fails, when it does (a rollback follows); null when the failure is
 * contained (others can still do what it would have: one rejection among "2 of 3" reviewers).
 */
export function failStep(
  h: Handoff,
  /** Kept for callers: the step is named by `index`. */
  _definition: StepDefinition,
  failure: AttemptFailure,
  handoffError: string | null,
  handoffErrorCode: string | null,
  now: number,
  index = h.currentStep,
): TransitionResult {
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
      if (handoffError !== null) {
        next.error = handoffError;
        next.errorCode = handoffErrorCode;
      }
      // Others still under way decide the status; alone, it stays as it was until the rollback starts.
      if (next.steps.some((other, at) => at !== index && attemptInFlight(other))) next.status = statusFromSteps(next);
    },
    [failedEvent(h, index, failure)],
  );
}

// ---- Waiting without a slot ---------------------------------------------------------------------

/**
 * RUNNING or WAITING, unchanged: the attempt of step `index` (default: the current step) waits (for a
 * signal, or until a time), holding no execution slot; it goes on where it stopped when the wait is over.
 * No event: the attempt's STEP_WAITING said so when it started.
 */
export function suspendAttempt(h: Handoff, wait: StepWait, index = h.currentStep): TransitionResult {
  return change(
    'suspendAttempt',
    h,
    ACTIVE,
    (next) => {
      next.steps[index].wait = wait;
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

/**
 * PENDING, RUNNING, WAITING or PAUSED → ROLLING_BACK: completed steps `undo` (ids, in the order they are
 * undone) will be undone; steps still under way end FAILED.
 */
export function startRollback(h: Handoff, reason: string, undo: string[], now: number): TransitionResult {
  return change(
    'startRollback',
    h,
    UNFINISHED_BUT_ROLLING_BACK,
    (next) => {
      abandonOpenSteps(next, reason, now);
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
      if (status !== 'COMPLETED') abandonOpenSteps(next, message, now);
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

export {
  compensationFailed,
  compensationRetryScheduled,
  compensationSucceeded,
  startCompensation,
} from './compensation-transitions.js';
export {
  type PauseRequest,
  pause,
  type RedriveStart,
  redrive,
  redriveStart,
  resume,
} from './lever-transitions.js';
