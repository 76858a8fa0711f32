import type { Clock } from '../../shared/clock.js';
import type { Random } from '../../shared/random.js';
import type { Handoff, StepRun } from '../handoff/handoff.js';
import type { Action, Procedure, StepKind } from '../procedures/procedure.js';

/**
 * Thrown by a step to fail the attempt with a message the user sees. `retryable: false` fails the
 * step for good whatever attempts its retry policy has left (a rejection, an agent's terminal error);
 * `code` says what kind of failure it was (HTTP_400, VALIDATION_FAILED…: a retry policy may list
 * codes it never retries); `retryAfterMs` is how long the other side asked us to wait (Retry-After);
 * `data` is recorded on the STEP_FAILED event.
 */
export class StepFailure extends Error {
  readonly retryable: boolean;
  readonly code: string;
  readonly retryAfterMs: number | null;
  readonly data: Record<string, unknown>;

  constructor(
    message: string,
    options: { retryable?: boolean; code?: string; retryAfterMs?: number | null; data?: Record<string, unknown> } = {},
  ) {
    super(message);
    this.name = 'StepFailure';
    this.retryable = options.retryable ?? true;
    this.code = options.code ?? 'STEP_FAILED';
    this.retryAfterMs = options.retryAfterMs ?? null;
    this.data = options.data ?? {};
  }
}

/**
 * What an attempt waits for while it holds no execution slot: a signal named `on` (an approval, an
 * agent task's outcome, a receipt), a time `until`, or both; its step timeout bounds it in any case.
 * `data` is what the attempt keeps until it is resumed (an agent task's id, what was delivered).
 */
export interface WaitRequest {
  on?: string | null;
  until?: number | null;
  data?: Record<string, unknown> | null;
}

/** An attempt's answer that it is not done: the handoff waits (see WaitRequest). Made by `execution.suspend`. */
export class Suspension {
  constructor(readonly wait: WaitRequest) {}
}

/** What an attempt ends with: an output (success), or a suspension. Failures are thrown. */
export type StepOutcome = Record<string, unknown> | null | Suspension;

export interface StepExecution {
  handoff: Handoff;
  /** The step this attempt belongs to, or (for a compensation) the step it undoes, as stored when it began. */
  step: StepRun;
  /** The procedure version the handoff runs. */
  procedure: Procedure;
  action: Action;
  /** The id of the step, or of the compensation, this attempt runs (unique within the procedure). */
  actionId: string;
  attempt: number;
  /** Aborted on timeout, cancel or shutdown; long-running kinds must stop when it fires. */
  signal: AbortSignal;
  clock: Clock;
  random: Random;
  /**
   * The payload of the signal `name` (default: signalHandoff for this step) recorded for this run,
   * or undefined when none is.
   */
  recorded(name?: string): unknown;
  /** Set when this attempt suspended before and is going on now: what it kept then. */
  resumed: { data: Record<string, unknown> | null } | null;
  /** The outcome that suspends this attempt (return it): see WaitRequest. */
  suspend(wait: WaitRequest): Suspension;
}

/** What a kind's params are checked against when a procedure is written. */
export interface ParamsContext {
  webhookAllowList: string[];
  /** Ids of the validation rules that exist. */
  knownRuleIds: ReadonlySet<string>;
}

/** One kind of step: checks its params when a procedure is written, and runs attempts. */
export interface StepKindHandler {
  /** Returns problems with the params (empty when fine). */
  checkParams(params: Record<string, unknown>, context: ParamsContext): string[];
  /**
   * Runs an attempt (or goes on with one that suspended: `execution.resumed`). Resolves with the step's
   * output or a Suspension, or throws (StepFailure or any error) to fail the attempt.
   */
  run(execution: StepExecution): Promise<StepOutcome>;
  /**
   * For a step that waits (it and its handoff read as WAITING, with a STEP_WAITING event): what for, in
   * the words of that event; null (or no function) for one that works. May depend on the params.
   */
  waitingFor?(params: Record<string, unknown>): string | null;
  /**
   * The attempt ends while suspended (its timeout passed, or a cancel): take back what it started
   * outside. Resolves with an output when the outcome was decided elsewhere first (an agent's completion
   * that won the race); otherwise rejects (with `reason`, or a failure of its own).
   */
  abandon?(execution: StepExecution, reason: Error): Promise<Record<string, unknown> | null>;
  /**
   * True when the kind itself settles promptly once its running attempt is cut short, and may still
   * succeed then: the attempt waits for it instead of being abandoned at once.
   */
  settlesOnAbort?: boolean;
}

/** A handler for every step kind: a kind without one does not compile (see engine.ts). */
export type StepKindHandlers = { readonly [Kind in StepKind]: StepKindHandler };

/** What the state machine needs to know of a step: whether (and for what) it waits. */
export type WaitingFor = (action: Pick<Action, 'kind' | 'params'>) => string | null;

export function waitingForOf(handlers: StepKindHandlers): WaitingFor {
  return (action) => handlers[action.kind].waitingFor?.(action.params) ?? null;
}

/** The context keys the steps have transferred so far (what transfer_context steps output). */
export function transferredKeys(steps: readonly { output: Record<string, unknown> | null }[]): string[] {
  return steps.flatMap((step) => stringList(step.output?.keys) ?? []);
}

export function stringList(value: unknown): string[] | null {
  return Array.isArray(value) && value.every((item) => typeof item === 'string' && item.length > 0) ? value : null;
}

export function nonNegativeNumber(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null;
}
