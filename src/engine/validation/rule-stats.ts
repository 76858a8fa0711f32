import type { Severity } from '../kernel/procedures/procedure.js';
import type { RuleResult } from './rule.js';

/**
 * Per-rule figures are kept as running totals, not recomputed from results: a store holds one small
 * document per (rule id, severity) that each stored result increments (counts and one bucket of a
 * fixed duration histogram), so a metrics query reads as many documents as there are rules, however
 * many results exist. Exact percentiles would need every result (or an index walk per rule and
 * percentile); a fixed histogram answers p50/p95 to within a bucket's width, and the maximum is kept
 * exactly. Whole milliseconds, like `RuleResult.durationMs`.
 */
export const RULE_DURATION_BOUNDS_MS = [
  0, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000,
] as const;

/** The bucket a duration falls in: the first bound it does not exceed, or the overflow bucket after the last. */
export function durationBucket(durationMs: number): number {
  const index = RULE_DURATION_BOUNDS_MS.findIndex((bound) => durationMs <= bound);
  return index === -1 ? RULE_DURATION_BOUNDS_MS.length : index;
}

/** Running totals of one rule id's evaluated results at one severity (as stored: a rule's severity can change). */
export interface RuleStats {
  ruleId: string;
  severity: Severity;
  /** Results other than SKIPPED. */
  evaluated: number;
  passed: number;
  failed: number;
  errors: number;
  /** The longest evaluation; 0 when none was evaluated. */
  maxDurationMs: number;
  /** Evaluations per bucket of RULE_DURATION_BOUNDS_MS, the overflow bucket last. */
  durationBuckets: number[];
}

/** Whether a result counts in the figures: disabled rules are not evaluated. */
export function isEvaluated(result: Pick<RuleResult, 'status'>): boolean {
  return result.status !== 'SKIPPED';
}

/** What the API shows for a rule or a severity. */
export interface RulePerformance {
  evaluated: number;
  passed: number;
  failed: number;
  errors: number;
  /** passed ÷ evaluated; null when never evaluated. */
  successRate: number | null;
  /** Upper bound of the bucket holding the median evaluation, at most the maximum; null when never evaluated. */
  durationP50Ms: number | null;
  durationP95Ms: number | null;
  durationMaxMs: number | null;
}

/**
 * The `q` quantile (0 < q ≤ 1) of a histogram: the upper bound of the bucket holding the
 * ⌈q·n⌉-th smallest evaluation, capped at the maximum (so p50 ≤ p95 ≤ max always holds).
 */
export function bucketQuantile(buckets: readonly number[], q: number, maxMs: number): number {
  const total = buckets.reduce((sum, n) => sum + n, 0);
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (let index = 0; index < buckets.length; index++) {
    seen += buckets[index] ?? 0;
    if (seen >= rank) return Math.min(RULE_DURATION_BOUNDS_MS[index] ?? maxMs, maxMs);
  }
  return maxMs;
}

/** Adds up stats (a rule at every severity it had, or every rule of a severity) into what the API shows. */
export function summarizeStats(stats: readonly RuleStats[]): RulePerformance {
  const buckets = new Array<number>(RULE_DURATION_BOUNDS_MS.length + 1).fill(0);
  let evaluated = 0;
  let passed = 0;
  let failed = 0;
  let errors = 0;
  let maxMs = 0;
  for (const s of stats) {
    evaluated += s.evaluated;
    passed += s.passed;
    failed += s.failed;
    errors += s.errors;
    maxMs = Math.max(maxMs, s.maxDurationMs);
    s.durationBuckets.forEach((n, index) => (buckets[index] += n));
  }
  if (evaluated === 0) {
    return {
      evaluated,
      passed,
      failed,
      errors,
      successRate: null,
      durationP50Ms: null,
      durationP95Ms: null,
      durationMaxMs: null,
    };
  }
  return {
    evaluated,
    passed,
    failed,
    errors,
    successRate: passed / evaluated,
    durationP50Ms: bucketQuantile(buckets, 0.5, maxMs),
    durationP95Ms: bucketQuantile(buckets, 0.95, maxMs),
    durationMaxMs: maxMs,
  };
}
