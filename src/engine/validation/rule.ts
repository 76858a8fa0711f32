import type { Severity } from '../kernel/procedures/procedure.js';

/**
 * A validation rule is data: a condition in the MongoDB query language, tested against a
 * validation subject (see subject.ts). The rule passes when the subject matches.
 */
export interface ValidationRule {
  id: string;
  name: string;
  /** What the rule means, in words: shown in the API. */
  description: string;
  severity: Severity;
  /** A MongoDB query document over the subject, e.g. { "context.phaseComplete": true }. */
  condition: Record<string, unknown>;
  enabled: boolean;
  /** A rule that takes longer is an ERROR. */
  timeoutMs: number;
  /** Bumped on every update. */
  version: number;
  createdAt: number;
  updatedAt: number;
}

export const RESULT_STATUSES = ['PASSED', 'FAILED', 'ERROR', 'SKIPPED'] as const;
export type ResultStatus = (typeof RESULT_STATUSES)[number];

export const SESSION_OUTCOMES = ['PASSED', 'PASSED_WITH_WARNINGS', 'FAILED'] as const;
export type SessionOutcome = (typeof SESSION_OUTCOMES)[number];

export const SESSION_STATUSES = ['RUNNING', 'COMPLETED'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

/** One rule's verdict within a session. */
export interface RuleResult {
  ruleId: string;
  /** Snapshots taken when the rule ran: later edits to the rule do not rewrite history. */
  ruleName: string;
  severity: Severity;
  status: ResultStatus;
  /**
   * A sentence: the rule passed or failed, what it asks for (its description, when it failed) and what
   * was found in the fields it reads; or why the rule could not run.
   */
  message: string;
  /**
   * For tools: `Expected <condition as JSON>; found <path> = <value JSON>, …` (what `message` held before
   * results were sentences). Null or absent when the condition did not run (ERROR, SKIPPED) and on
   * results stored before it existed.
   */
  detail?: string | null;
  durationMs: number;
  /** 1, 2, 3… in the order results completed within the session. */
  seq: number;
  at: number;
}

export const DEFAULT_RULE_TIMEOUT_MS = 5_000;
export const DEFAULT_BLOCKING_SEVERITIES: Severity[] = ['CRITICAL'];

/** A failed or errored result of a blocking severity: it fails the session (or the gate). */
export function isBlocking(
  result: Pick<RuleResult, 'status' | 'severity'>,
  blockingSeverities: readonly Severity[],
): boolean {
  return (result.status === 'FAILED' || result.status === 'ERROR') && blockingSeverities.includes(result.severity);
}

/**
 * Any blocking-severity failure or error fails the session; failures and errors of lower
 * severities only warn. Skipped (disabled) rules do not count.
 */
export function decideOutcome(
  results: Pick<RuleResult, 'status' | 'severity'>[],
  blockingSeverities: readonly Severity[],
): SessionOutcome {
  const problems = results.filter((r) => r.status === 'FAILED' || r.status === 'ERROR');
  if (problems.some((r) => isBlocking(r, blockingSeverities))) return 'FAILED';
  return problems.length > 0 ? 'PASSED_WITH_WARNINGS' : 'PASSED';
}

export const RULE_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;
