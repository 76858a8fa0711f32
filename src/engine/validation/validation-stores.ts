import type { Page, PageRequest } from '../kernel/ports/page.js';
import type { Severity } from '../kernel/procedures/procedure.js';
import type { RuleResult, SessionOutcome, SessionStatus, ValidationRule } from './rule.js';
import type { RuleStats } from './rule-stats.js';
import type { ValidationSession } from './session.js';

export interface RuleFilter {
  enabled?: boolean;
  severities?: Severity[];
}

/** Validation rule definitions by id. */
export interface ValidationRuleStore {
  get(id: string): Promise<ValidationRule | null>;
  getMany(ids: readonly string[]): Promise<(ValidationRule | null)[]>;
  list(filter?: RuleFilter): Promise<ValidationRule[]>;
  /** A page of the rules `filter` matches, in id order (the cursor is the last id seen). */
  page(filter: RuleFilter, request: PageRequest): Promise<Page<ValidationRule>>;
  count(filter?: RuleFilter): Promise<number>;
  /** DuplicateKeyError when the id is taken. */
  insert(rule: ValidationRule): Promise<void>;
  /** Replaces version `expectedVersion` with `next`; null when someone else changed it first. */
  replace(next: ValidationRule, expectedVersion: number): Promise<ValidationRule | null>;
  /** Removes the rule if it is still at `expectedVersion`; false when it is gone or someone changed it first. */
  delete(id: string, expectedVersion: number): Promise<boolean>;
  /**
   * Ids of the seed rules ever stored here, removed ones included: seeding skips them, so a seed
   * rule an admin removed stays removed.
   */
  seeded(): Promise<ReadonlySet<string>>;
  /** Records that a seed rule has been stored (again: a no-op). */
  recordSeeded(id: string, at: number): Promise<void>;
}

export interface SessionFilter {
  handoffId?: string;
  procedureId?: string;
  statuses?: SessionStatus[];
  outcomes?: SessionOutcome[];
}

/** Validation sessions and their per-rule results. */
export interface ValidationSessionStore {
  insert(session: ValidationSession): Promise<void>;
  get(id: string): Promise<ValidationSession | null>;
  getMany(ids: readonly string[]): Promise<(ValidationSession | null)[]>;
  /**
   * Records one rule's result and adds it to the running per-rule figures (`ruleStats`); false
   * when the session already has one for that rule (and nothing is counted twice).
   */
  addResult(sessionId: string, result: RuleResult): Promise<boolean>;
  results(sessionId: string): Promise<RuleResult[]>;
  resultsOfMany(sessionIds: readonly string[]): Promise<RuleResult[][]>;
  /** Completes a RUNNING session (compare-and-set on its status); null when it was not running. */
  complete(
    session: Pick<ValidationSession, 'id' | 'startedAt'>,
    outcome: SessionOutcome,
    finishedAt: number,
  ): Promise<ValidationSession | null>;
  /** Sessions a previous process left RUNNING. */
  running(): Promise<ValidationSession[]>;
  /** Newest first. */
  page(filter: SessionFilter, request: PageRequest): Promise<Page<ValidationSession>>;
  count(filter: SessionFilter): Promise<number>;
  /**
   * The running figures of every rule id and severity that has stored results: as many entries as
   * rules (times the severities each had), whatever the number of results.
   */
  ruleStats(): Promise<RuleStats[]>;
}

/** How rule timings are bucketed and what counts as evaluated: what an adapter keeps the figures by. */
export { durationBucket, isEvaluated, RULE_DURATION_BOUNDS_MS } from './rule-stats.js';
