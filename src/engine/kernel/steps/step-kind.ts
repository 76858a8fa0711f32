import type { Clock } from '../../shared/clock.js';
import type { Random } from '../../shared/random.js';
import type { Handoff } from '../handoff/handoff.js';
import type { Action, StepKind } from '../procedures/procedure.js';

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

/** The services a step may use; kept narrow so kinds stay small and testable. */
export interface StepServices {
  clock: Clock;
  random: Random;
  /** Runs rules against the handoff; resolves to blocking failures (empty when it passes). */
  validate(
    handoff: Handoff,
    ruleIds: string[],
    transferredKeys: string[],
  ): Promise<{ blocking: string[]; summary: string }>;
  inbox: {
    deliver(agent: string, handoffId: string, values: Record<string, unknown>): Promise<string>;
    withdraw(agent: string, handoffId: string, keys: string[]): Promise<void>;
  };
  /** Offers an attempt of an agent_task action to its agent and waits for the outcome. */
  agentTasks: { perform(execution: StepExecution): Promise<Record<string, unknown> | null> };
  webhookAllowList: string[];
}

export interface StepExecution {
  handoff: Handoff;
  action: Action;
  /** The id of the step, or of the compensation, this attempt runs (unique within the procedure). */
  actionId: string;
  attempt: number;
  /** Aborted on timeout or cancel; long-running kinds must stop when it fires. */
  signal: AbortSignal;
  /**
   * The payload of the signal named `name` (default: signalHandoff for this step), once recorded.
   * Gives up when the attempt is cut short, or when `until` aborts (a kind that stopped waiting).
   */
  awaitSignal(name?: string, until?: AbortSignal): Promise<unknown>;
  services: StepServices;
}

/** One kind of step: checks its params when a procedure is written, and runs. */
export interface StepKindHandler {
  kind: StepKind;
  /** Returns problems with the params (empty when fine). */
  checkParams(params: Record<string, unknown>, settings: { webhookAllowList: string[] }): string[];
  /** Resolves with the step's output, or throws (StepFailure or any error) to fail the attempt. */
  run(execution: StepExecution): Promise<Record<string, unknown> | null>;
  /** True when the step waits for a signal (the handoff reads as WAITING meanwhile). */
  waits?: boolean;
  /** What a waiting step waits for, in the words of its STEP_WAITING event (default: signalHandoff). */
  waitingFor?: string;
  /**
   * True when the kind itself settles promptly once its attempt is cut short (timeout, cancel,
   * shutdown), and may still succeed then: its outcome was decided elsewhere first (an agent's
   * completion that won the race). The attempt waits for it instead of being abandoned at once.
   */
  settlesOnAbort?: boolean;
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
