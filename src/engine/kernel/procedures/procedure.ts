/**
 * What a handoff runs: a named, versioned set of steps with gates and compensations. Steps form a graph:
 * each waits for the steps it names in `after` (absent: the step before it in the list, so a list without
 * `after` is the chain it always was).
 */

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
  'sub_handoff',
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

export const JOIN_MODES = ['ALL', 'ANY', 'N_OF'] as const;
export type JoinMode = (typeof JOIN_MODES)[number];

export const JOIN_OTHERS = ['CANCEL', 'FINISH'] as const;
export type JoinOthers = (typeof JOIN_OTHERS)[number];

/**
 * When a step that waits for several others may start: once all of them succeeded (ALL), any one (ANY),
 * or `count` of them (N_OF); and what becomes of those still open once it may (CANCEL: they are cancelled,
 * unless another step still needs them; FINISH: they go on and their outcome is recorded).
 */
export interface Join {
  mode: JoinMode;
  /** For N_OF: how many must have succeeded. */
  count?: number | null;
  others: JoinOthers;
}

export const DEFAULT_JOIN: Join = { mode: 'ALL', count: null, others: 'CANCEL' };

/**
 * A step run once per item of a list known only at run time: a path into the context
 * (`context.reviewers`) or into an earlier step's output (`outputs.plan.agents`). Each item becomes a
 * branch with its own attempts; the step itself succeeds once its join over the branches is met (its
 * output: each branch's result). Params take the item through placeholders: a value `"$item"`, or
 * `"$item.<path>"` for a field of it, and `"$index"`.
 */
export interface ForEach {
  items: string;
  /** Branches started and not finished at once (default: the procedure's maxParallelSteps). */
  maxConcurrent?: number | null;
  /** How many branches must succeed (default ALL). */
  join?: Join | null;
}

export interface StepDefinition extends Action {
  id: string;
  name: string;
  retry: RetryPolicy;
  /** Rules checked after the step succeeds; a blocking outcome fails the step. */
  validateRules: string[];
  /** Undoes the step during rollback; steps without one need no undoing. */
  compensation: Compensation | null;
  /**
   * The steps it waits for. Absent (as in every procedure stored before graphs): the step before it in
   * the list (the first step: none). Empty: none, it starts with the handoff.
   */
  after?: string[] | null;
  /** How its dependencies must have ended (default: all succeeded). */
  join?: Join | null;
  /**
   * A condition (the validation rules' query language) over `{ context, outputs, handoff }`, checked when
   * the step could start: false skips it (SKIPPED, with the values it found).
   */
  when?: Record<string, unknown> | null;
  /** Run once per item of a list (see ForEach). */
  forEach?: ForEach | null;
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
  /**
   * Step attempts of one handoff started and not finished at once (waits included). Absent in procedures
   * stored before graphs: DEFAULT_MAX_PARALLEL_STEPS.
   */
  maxParallelSteps?: number | null;
  createdAt: number;
  updatedAt: number;
}

/** The compensations a procedure can run, in step order. */
export function rollbackSteps(procedure: Pick<Procedure, 'steps'>): Compensation[] {
  return procedure.steps.flatMap((step) => (step.compensation ? [step.compensation] : []));
}

/** Steps of one handoff that may have an attempt open at once, unless the procedure says otherwise. */
export const DEFAULT_MAX_PARALLEL_STEPS = 10;

export function maxParallelStepsOf(procedure: Pick<Procedure, 'maxParallelSteps'>): number {
  return procedure.maxParallelSteps ?? DEFAULT_MAX_PARALLEL_STEPS;
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 3,
  initialDelayMs: 200,
  multiplier: 2,
  maxDelayMs: 5_000,
  jitter: 0.2,
  nonRetryableCodes: [...DEFAULT_NON_RETRYABLE_CODES],
};
