/** What a handoff runs: a named, versioned list of steps with gates and compensations. */

export const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const STEP_KINDS = [
  'validate',
  'transfer_context',
  'await_signal',
  'agent_task',
  'webhook',
  'delay',
  'simulate',
  'revert_context',
  'noop',
] as const;
export type StepKind = (typeof STEP_KINDS)[number];

/** Retries as data: attempt n waits min(maxDelayMs, initialDelayMs × multiplier^(n-1)) ± jitter. */
export interface RetryPolicy {
  maxAttempts: number;
  initialDelayMs: number;
  multiplier: number;
  maxDelayMs: number;
  /** 0..1: the share of each delay that is randomised. */
  jitter: number;
  /**
   * Failure codes another attempt cannot help with: the step fails at once. `HTTP_4XX` stands for
   * every HTTP_4nn but HTTP_408 and HTTP_429. Absent in procedures stored before it existed: read it
   * as DEFAULT_NON_RETRYABLE_CODES.
   */
  nonRetryableCodes?: string[];
}

/** A webhook's client errors (but timeouts and rate limits) and a failed post-step validation. */
export const DEFAULT_NON_RETRYABLE_CODES: readonly string[] = ['HTTP_4XX', 'VALIDATION_FAILED'];

/** An action with a kind, parameters and a time limit: the body of a step or of its compensation. */
export interface Action {
  kind: StepKind;
  params: Record<string, unknown>;
  timeoutMs: number;
}

export interface Compensation extends Action {
  id: string;
  name: string;
}

export interface StepDefinition extends Action {
  id: string;
  name: string;
  retry: RetryPolicy;
  /** Rules checked after the step succeeds; a blocking outcome fails the step. */
  validateRules: string[];
  /** Undoes the step during rollback; steps without one need no undoing. */
  compensation: Compensation | null;
}

export interface Procedure {
  id: string;
  /** Bumped on every update; a running handoff keeps the version it started with. */
  version: number;
  name: string;
  description: string;
  steps: StepDefinition[];
  /** Gates checked before the first step. */
  validationRules: string[];
  estimatedDurationMs: number;
  /**
   * Overall time limit of a handoff, from its creation (time spent PAUSED excluded): past it the
   * handoff is cancelled and rolled back (DEADLINE_EXCEEDED). Null (or absent, in procedures stored
   * before it existed): none, unless the handoff sets its own.
   */
  deadlineMs?: number | null;
  dependencies: string[];
  requiredAgents: string[];
  /** Context keys a handoff must carry (checked by VR005). */
  requiredContextKeys: string[];
  /** Severities whose failure blocks the handoff; lower ones only warn. */
  blockingSeverities: Severity[];
  createdAt: number;
  updatedAt: number;
}

/** The compensations a procedure can run, in step order. */
export function rollbackSteps(procedure: Pick<Procedure, 'steps'>): Compensation[] {
  return procedure.steps.flatMap((step) => (step.compensation ? [step.compensation] : []));
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 3,
  initialDelayMs: 200,
  multiplier: 2,
  maxDelayMs: 5_000,
  jitter: 0.2,
  nonRetryableCodes: [...DEFAULT_NON_RETRYABLE_CODES],
};
