import { Histogram, type Registry } from 'prom-client';

/** The slice of a rule result (engine/validation/rule.ts) the histogram reads. */
export interface RuleEvaluationLike {
  ruleId: string;
  status: string;
  durationMs: number;
}

/** Rule evaluations from under a millisecond to the longest rule timeout (60 s). */
const RULE_DURATION_BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * `handoff_validation_rule_duration_seconds{rule,status}`: every rule this process evaluates.
 * The rule id may be a label because rule ids are few and chosen by admins (not by callers), and
 * statuses are three; SKIPPED (disabled) rules are not evaluated, so not observed.
 */
export function ruleEvaluationMetrics(registry: Registry): { observe(result: RuleEvaluationLike): void } {
  const duration = new Histogram({
    name: 'handoff_validation_rule_duration_seconds',
    help: 'Validation rule evaluations (sessions, handoff gates and validate steps) by rule id and verdict.',
    labelNames: ['rule', 'status'],
    buckets: RULE_DURATION_BUCKETS_S,
    registers: [registry],
  });
  return {
    observe(result) {
      if (result.status === 'SKIPPED' || !(result.durationMs >= 0)) return;
      duration.observe({ rule: result.ruleId, status: result.status }, result.durationMs / 1000);
    },
  };
}
