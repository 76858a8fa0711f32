import { Query } from 'mingo';
import { isJsonObject } from '../shared/json-object.js';
import type { UserError } from '../shared/user-error.js';
import { conditionSandbox, usesRegex } from './condition-sandbox.js';

/**
 * Rule conditions: MongoDB query documents evaluated by mingo against a validation
 * subject. Never `eval`: operators that run code are refused outright.
 */

const CODE_OPERATORS = new Set(['$where', '$function', '$accumulator']);
const LOGICAL_OPERATORS = new Set(['$and', '$or', '$nor']);
const MAX_CONDITION_CHARS = 16_000;
const MAX_DEPTH = 20;

function findProblem(value: unknown, depth: number): string | null {
  if (depth > MAX_DEPTH) return `nests deeper than ${MAX_DEPTH} levels`;
  if (Array.isArray(value)) {
    for (const item of value) {
      const problem = findProblem(item, depth + 1);
      if (problem) return problem;
    }
  } else if (isJsonObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      if (CODE_OPERATORS.has(key)) return `uses ${key}, which runs code; conditions are data`;
      const problem = findProblem(item, depth + 1);
      if (problem) return problem;
    }
  }
  return null;
}

/**
 * Checks a condition before it is stored: a JSON object of known operators in the right
 * shapes. `sample` is a representative subject to run it against once, because mingo
 * reports some bad shapes (e.g. `$in: 5`) only when evaluating. A condition with regular
 * expressions is only compiled here: running it belongs in the sandbox (see probeCondition).
 */
export function checkCondition(condition: unknown, sample: object, field: string[]): UserError[] {
  const refuse = (message: string): UserError[] => [{ code: 'INVALID_CONDITION', message, field }];
  if (!isJsonObject(condition))
    return refuse('A condition is a JSON object in the MongoDB query language, e.g. { "context.phaseComplete": true }');
  if (JSON.stringify(condition).length > MAX_CONDITION_CHARS)
    return refuse(`A condition may have at most ${MAX_CONDITION_CHARS} characters of JSON`);
  const problem = findProblem(condition, 0);
  if (problem) return refuse(`The condition ${problem}`);
  try {
    const query = new Query(condition, {});
    if (!usesRegex(condition)) query.test(sample as Record<string, unknown>);
  } catch (error) {
    return refuse(`The condition is not a valid query: ${error instanceof Error ? error.message : String(error)}`);
  }
  return [];
}

/** How long a new condition with regular expressions may take against the sample subject. */
export const PROBE_TIMEOUT_MS = 1_000;

/**
 * The sample run of a condition with regular expressions, in the sandbox under PROBE_TIMEOUT_MS
 * (`deadline` aborts it): one that cannot finish on the small sample would freeze real evaluations.
 */
export async function probeCondition(
  condition: Record<string, unknown>,
  sample: object,
  field: string[],
  deadline: AbortSignal,
): Promise<UserError[]> {
  try {
    await conditionSandbox.test(condition, sample, deadline);
    return [];
  } catch (error) {
    const message = deadline.aborted
      ? `The condition did not finish within ${PROBE_TIMEOUT_MS} ms on a small sample subject: a regular expression in it backtracks catastrophically (nested quantifiers such as (a+)+ do)`
      : `The condition is not a valid query: ${error instanceof Error ? error.message : String(error)}`;
    return [{ code: 'INVALID_CONDITION', message, field }];
  }
}

/** A condition compiled once: its test, and what its messages say, worked out once where the subject does not matter. */
export interface CompiledCondition {
  /** Tests in-process, or for a condition with regular expressions in the sandbox (then `signal` can stop it). */
  test(subject: object, signal: AbortSignal): boolean | Promise<boolean>;
  /** "context.a = 1, target.status = "OFFLINE"": the values the condition looked at. */
  found(subject: object): string;
  /** The same in words: "context.a = 1 and no target.status"; null when the condition names no field. */
  foundInWords(subject: object): string | null;
  /** The condition as (abbreviated) JSON. */
  expected: string;
}

/** Compiles a stored condition; throws when it is invalid (the rule then reads as ERROR). */
export function compileCondition(condition: Record<string, unknown>): CompiledCondition {
  const query = new Query(condition, {});
  const paths = [...referencedPaths(condition)];
  const sandboxed = usesRegex(condition);
  return {
    test: (subject, signal) =>
      sandboxed ? conditionSandbox.test(condition, subject, signal) : query.test(subject as Record<string, unknown>),
    found: (subject) => foundAt(paths, subject),
    foundInWords: (subject) => foundInWords(paths, subject),
    expected: abbreviate(JSON.stringify(condition), 400),
  };
}

function collectExpressionPaths(expression: unknown, paths: Set<string>): void {
  if (typeof expression === 'string') {
    if (expression.startsWith('$') && !expression.startsWith('$$')) paths.add(expression.slice(1));
  } else if (Array.isArray(expression)) {
    for (const item of expression) collectExpressionPaths(item, paths);
  } else if (isJsonObject(expression)) {
    for (const item of Object.values(expression)) collectExpressionPaths(item, paths);
  }
}

/** The subject paths a condition reads (top-level fields, logical branches and $expr operands). */
export function referencedPaths(condition: Record<string, unknown>, paths = new Set<string>()): Set<string> {
  for (const [key, value] of Object.entries(condition)) {
    if (LOGICAL_OPERATORS.has(key) && Array.isArray(value)) {
      for (const branch of value) if (isJsonObject(branch)) referencedPaths(branch, paths);
    } else if (key === '$expr') {
      collectExpressionPaths(value, paths);
    } else if (!key.startsWith('$')) {
      paths.add(key);
    }
  }
  return paths;
}

/** The value at a dotted path, or undefined. */
export function valueAt(subject: unknown, path: string): unknown {
  let current: unknown = subject;
  for (const segment of path.split('.')) {
    if (Array.isArray(current) && /^\d+$/.test(segment)) current = current[Number(segment)];
    else if (isJsonObject(current)) current = Object.hasOwn(current, segment) ? current[segment] : undefined;
    else return undefined;
  }
  return current;
}

function abbreviate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function show(value: unknown): string {
  return value === undefined ? '(missing)' : abbreviate(JSON.stringify(value), 200);
}

function foundInWords(paths: readonly string[], subject: object): string | null {
  if (paths.length === 0) return null;
  const parts = paths.map((path) => {
    const value = valueAt(subject, path);
    return value === undefined ? `no ${path}` : `${path} = ${show(value)}`;
  });
  return parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}

function foundAt(paths: readonly string[], subject: object): string {
  if (paths.length === 0) return 'nothing the condition names';
  return paths.map((path) => `${path} = ${show(valueAt(subject, path))}`).join(', ');
}
