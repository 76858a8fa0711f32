import { SEVERITIES, type Severity } from '../kernel/procedures/procedure.js';
import type { ValidationRule } from './rule.js';
import { type RulePerformance, summarizeStats } from './rule-stats.js';
import type { ValidationSessionStore } from './validation-stores.js';

export interface ValidationMetrics {
  sessions: number;
  running: number;
  passed: number;
  passedWithWarnings: number;
  failed: number;
  /** Share of completed sessions that did not fail; 0 when none completed. */
  successRate: number;
  /** Every rule defined now, by id (a deleted rule's results still count in bySeverity). */
  byRule: ({ ruleId: string } & RulePerformance)[];
  bySeverity: ({ severity: Severity } & RulePerformance)[];
}

/**
 * Sessions and per-rule figures, read from the store (so they survive restarts): a few counts over
 * sessions and the running per-rule totals, never the results themselves.
 */
export async function validationMetrics(
  rules: readonly ValidationRule[],
  sessions: ValidationSessionStore,
): Promise<ValidationMetrics> {
  const [total, running, passed, passedWithWarnings, failed, stats] = await Promise.all([
    sessions.count({}),
    sessions.count({ statuses: ['RUNNING'] }),
    sessions.count({ outcomes: ['PASSED'] }),
    sessions.count({ outcomes: ['PASSED_WITH_WARNINGS'] }),
    sessions.count({ outcomes: ['FAILED'] }),
    sessions.ruleStats(),
  ]);
  const completed = passed + passedWithWarnings + failed;
  return {
    sessions: total,
    running,
    passed,
    passedWithWarnings,
    failed,
    successRate: completed === 0 ? 0 : (passed + passedWithWarnings) / completed,
    byRule: rules.map((rule) => ({ ruleId: rule.id, ...summarizeStats(stats.filter((s) => s.ruleId === rule.id)) })),
    bySeverity: SEVERITIES.map((severity) => ({
      severity,
      ...summarizeStats(stats.filter((s) => s.severity === severity)),
    })),
  };
}
