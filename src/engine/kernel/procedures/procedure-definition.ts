import type { UserError, UserErrorCode } from '../../shared/user-error.js';
import type { StepKindHandlers } from '../steps/step-kind.js';
import { paramsForChecking } from './branch-definition.js';
import {
  type Compensation,
  DEFAULT_JOIN,
  DEFAULT_RETRY,
  type ForEach,
  type Join,
  type Procedure,
  type RetryPolicy,
  SEVERITIES,
  type Severity,
  type StepDefinition,
  type StepKind,
} from './procedure.js';

export interface ActionInput {
  id: string;
  name: string;
  kind: StepKind;
  params?: Record<string, unknown> | null;
  timeoutMs: number;
}

export interface StepInput extends ActionInput {
  retry?: Partial<RetryPolicy> | null;
  validateRules?: string[] | null;
  compensation?: ActionInput | null;
  /** Absent: the step before it; []: none (see StepDefinition.after). */
  after?: string[] | null;
  join?: Partial<Join> | null;
  when?: Record<string, unknown> | null;
  forEach?: (Omit<ForEach, 'join'> & { join?: Partial<Join> | null }) | null;
}

/** A procedure as a client writes it; defaults fill what it leaves out. */
export interface ProcedureInput {
  id: string;
  name: string;
  description?: string | null;
  steps: StepInput[];
  validationRules?: string[] | null;
  estimatedDurationMs?: number | null;
  deadlineMs?: number | null;
  dependencies?: string[] | null;
  requiredAgents?: string[] | null;
  requiredContextKeys?: string[] | null;
  blockingSeverities?: Severity[] | null;
  maxParallelSteps?: number | null;
}

export interface DefinitionContext {
  knownRuleIds: ReadonlySet<string>;
  webhookAllowList: string[];
  stepKinds: StepKindHandlers;
}

const ID_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
const MAX_STEPS = 100;
const MAX_TIMEOUT_MS = 24 * 60 * 60 * 1000;
const MAX_ATTEMPTS = 100;
/** The longest overall deadline a procedure or handoff may set: 30 days. */
export const MAX_DEADLINE_MS = 30 * 24 * 60 * 60 * 1000;
const CODE_PATTERN = /^[A-Z][A-Z0-9_]{0,63}$/;
const PARAMS_LIMIT_BYTES = 16 * 1024;

type Path = (string | number)[];

/** Checks a definition; every problem points at the field at fault. */
export function checkProcedureInput(input: ProcedureInput, context: DefinitionContext): UserError[] {
  const errors: UserError[] = [];
  const problem = (path: Path, code: UserErrorCode, message: string) =>
    errors.push({ field: ['input', ...path.map(String)], code, message });

  if (!ID_PATTERN.test(input.id))
    problem(['id'], 'INVALID_VALUE', 'id must start with a letter and use letters, digits, _ or - (at most 64)');
  if (!input.name.trim() || input.name.length > 200)
    problem(['name'], 'INVALID_VALUE', 'name must be 1–200 characters');
  if ((input.description ?? '').length > 2000)
    problem(['description'], 'INVALID_VALUE', 'description must be at most 2000 characters');
  if (input.steps.length === 0 || input.steps.length > MAX_STEPS)
    problem(['steps'], 'INVALID_VALUE', `a procedure needs 1–${MAX_STEPS} steps`);
  if (
    input.estimatedDurationMs != null &&
    (!Number.isInteger(input.estimatedDurationMs) || input.estimatedDurationMs < 0)
  ) {
    problem(['estimatedDurationMs'], 'INVALID_VALUE', 'estimatedDurationMs must be a whole number ≥ 0');
  }
  if (
    input.deadlineMs != null &&
    (!Number.isInteger(input.deadlineMs) || input.deadlineMs <= 0 || input.deadlineMs > MAX_DEADLINE_MS)
  ) {
    problem(['deadlineMs'], 'INVALID_VALUE', `deadlineMs must be a positive whole number up to ${MAX_DEADLINE_MS}`);
  }
  checkRules(input.validationRules ?? [], ['validationRules'], context, problem);
  for (const severity of input.blockingSeverities ?? []) {
    if (!SEVERITIES.includes(severity))
      problem(['blockingSeverities'], 'INVALID_VALUE', `unknown severity ${severity}`);
  }

  const actionIds = new Set<string>();
  input.steps.forEach((step, index) => {
    const path: Path = ['steps', index];
    checkAction(step, path, actionIds, context, problem, step.forEach != null);
    checkRetry(step.retry ?? {}, [...path, 'retry'], problem);
    checkRules(step.validateRules ?? [], [...path, 'validateRules'], context, problem);
    const compensation = compensationInputOf(step);
    if (compensation)
      checkAction(compensation, [...path, 'compensation'], actionIds, context, problem, step.forEach != null);
  });
  return errors;
}

/**
 * A step's compensation as written, or the one a sub_handoff step without one gets: it asks the child
 * handoff it started to undo its steps (and waits until it has).
 */
function compensationInputOf(step: StepInput): ActionInput | null {
  if (step.compensation) return step.compensation;
  if (step.kind !== 'sub_handoff') return null;
  return {
    id: `${step.id.slice(0, 57)}_revert`,
    name: `Roll back ${step.name.slice(0, 180)}`,
    kind: 'sub_handoff',
    params: { revert: true },
    timeoutMs: step.timeoutMs,
  };
}

function checkAction(
  action: ActionInput,
  path: Path,
  seenIds: Set<string>,
  context: DefinitionContext,
  problem: (path: Path, code: UserErrorCode, message: string) => void,
  perItem = false,
): void {
  if (!ID_PATTERN.test(action.id))
    problem(
      [...path, 'id'],
      'INVALID_VALUE',
      'id must start with a letter and use letters, digits, _ or - (at most 64)',
    );
  else if (seenIds.has(action.id))
    problem([...path, 'id'], 'DUPLICATE_KEY', `id "${action.id}" is used twice in this procedure`);
  seenIds.add(action.id);
  if (!action.name.trim() || action.name.length > 200)
    problem([...path, 'name'], 'INVALID_VALUE', 'name must be 1–200 characters');
  if (!Number.isInteger(action.timeoutMs) || action.timeoutMs <= 0 || action.timeoutMs > MAX_TIMEOUT_MS) {
    problem(
      [...path, 'timeoutMs'],
      'INVALID_VALUE',
      `timeoutMs must be a positive whole number up to ${MAX_TIMEOUT_MS}`,
    );
  }
  const handler = Object.hasOwn(context.stepKinds, action.kind) ? context.stepKinds[action.kind] : undefined;
  if (!handler) {
    problem([...path, 'kind'], 'INVALID_VALUE', `unknown step kind ${action.kind}`);
    return;
  }
  const params = action.params ?? {};
  if (typeof params !== 'object' || Array.isArray(params)) {
    problem([...path, 'params'], 'INVALID_VALUE', 'params must be a JSON object');
    return;
  }
  if (Buffer.byteLength(JSON.stringify(params)) > PARAMS_LIMIT_BYTES) {
    problem([...path, 'params'], 'TOO_LARGE', `params must be at most ${PARAMS_LIMIT_BYTES} bytes as JSON`);
    return;
  }
  for (const message of paramProblems(handler, params, context, perItem))
    problem([...path, 'params'], 'INVALID_VALUE', message);
  if (action.kind === 'validate')
    checkRules((params.rules as string[]) ?? [], [...path, 'params', 'rules'], context, problem);
}

/**
 * What the kind finds wrong with the params. Those of a step run once per item hold placeholders for an
 * item not known yet: a problem counts only if it stays whether they stand for a string or a number.
 */
function paramProblems(
  handler: StepKindHandlers[StepKind],
  params: Record<string, unknown>,
  context: DefinitionContext,
  perItem: boolean,
): string[] {
  if (!perItem) return handler.checkParams(params, context);
  const asNumbers = new Set(handler.checkParams(paramsForChecking(params, 1), context));
  return handler.checkParams(paramsForChecking(params, 'item'), context).filter((message) => asNumbers.has(message));
}

function checkRetry(
  retry: Partial<RetryPolicy>,
  path: Path,
  problem: (path: Path, code: UserErrorCode, message: string) => void,
): void {
  const whole = (
    value: number | undefined,
    name: Exclude<keyof RetryPolicy, 'nonRetryableCodes'>,
    min: number,
    max: number,
  ) => {
    if (value !== undefined && (!Number.isInteger(value) || value < min || value > max)) {
      problem([...path, name], 'INVALID_VALUE', `${name} must be a whole number between ${min} and ${max}`);
    }
  };
  whole(retry.maxAttempts, 'maxAttempts', 1, MAX_ATTEMPTS);
  whole(retry.initialDelayMs, 'initialDelayMs', 0, MAX_TIMEOUT_MS);
  whole(retry.maxDelayMs, 'maxDelayMs', 0, MAX_TIMEOUT_MS);
  if (retry.multiplier !== undefined && !(retry.multiplier >= 1 && retry.multiplier <= 10))
    problem([...path, 'multiplier'], 'INVALID_VALUE', 'multiplier must be between 1 and 10');
  if (retry.jitter !== undefined && !(retry.jitter >= 0 && retry.jitter <= 1))
    problem([...path, 'jitter'], 'INVALID_VALUE', 'jitter must be between 0 and 1');
  const codes = retry.nonRetryableCodes ?? [];
  if (codes.length > 50 || codes.some((code) => !CODE_PATTERN.test(code))) {
    problem(
      [...path, 'nonRetryableCodes'],
      'INVALID_VALUE',
      'nonRetryableCodes must be at most 50 codes in CAPITALS, digits and _ (e.g. HTTP_4XX, HTTP_503, VALIDATION_FAILED)',
    );
  }
}

function checkRules(
  ids: string[],
  path: Path,
  context: DefinitionContext,
  problem: (path: Path, code: UserErrorCode, message: string) => void,
): void {
  for (const id of ids) {
    if (!context.knownRuleIds.has(id)) problem(path, 'NOT_FOUND', `no validation rule with id "${id}"`);
  }
}

function toCompensation(action: ActionInput): Compensation {
  return {
    id: action.id,
    name: action.name,
    kind: action.kind,
    params: action.params ?? {},
    timeoutMs: action.timeoutMs,
  };
}

function toJoin(join: Partial<Join> | null | undefined): Join | null {
  if (!join) return null;
  const mode = join.mode ?? DEFAULT_JOIN.mode;
  return { mode, count: mode === 'N_OF' ? (join.count ?? null) : null, others: join.others ?? DEFAULT_JOIN.others };
}

function toStep(step: StepInput): StepDefinition {
  const compensation = compensationInputOf(step);
  const definition: StepDefinition = {
    ...toCompensation(step),
    retry: { ...DEFAULT_RETRY, ...stripNulls(step.retry ?? {}) },
    validateRules: step.validateRules ?? [],
    compensation: compensation ? toCompensation(compensation) : null,
  };
  // Only what was written is stored: a step without `after` keeps meaning "after the one before it".
  if (step.after != null) definition.after = [...step.after];
  if (step.join) definition.join = toJoin(step.join);
  if (step.when) definition.when = step.when;
  if (step.forEach) {
    definition.forEach = {
      items: step.forEach.items,
      maxConcurrent: step.forEach.maxConcurrent ?? null,
      join: toJoin(step.forEach.join),
    };
  }
  return definition;
}

function stripNulls<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null && v !== undefined)) as Partial<T>;
}

/** Builds the stored procedure from a checked input. */
export function toProcedure(input: ProcedureInput, version: number, createdAt: number, now: number): Procedure {
  return {
    id: input.id,
    version,
    name: input.name.trim(),
    description: input.description ?? '',
    steps: input.steps.map(toStep),
    validationRules: input.validationRules ?? [],
    estimatedDurationMs: input.estimatedDurationMs ?? input.steps.reduce((sum, step) => sum + step.timeoutMs, 0),
    deadlineMs: input.deadlineMs ?? null,
    dependencies: input.dependencies ?? [],
    requiredAgents: input.requiredAgents ?? [],
    requiredContextKeys: input.requiredContextKeys ?? [],
    blockingSeverities: input.blockingSeverities?.length ? input.blockingSeverities : ['CRITICAL'],
    ...(input.maxParallelSteps != null ? { maxParallelSteps: input.maxParallelSteps } : {}),
    createdAt,
    updatedAt: now,
  };
}
