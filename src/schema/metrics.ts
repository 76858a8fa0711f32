import { RULE_DURATION_BOUNDS_MS, type RulePerformance } from '../engine/validation/rule-stats.js';
import type { ValidationMetrics } from '../engine/validation/validation-metrics.js';
import { builder } from './builder.js';
import { SeverityEnum } from './enums.js';

/**
 * The `metrics` root: each area adds its own field (validation, handoffs, reliability) with
 * builder.objectFields, and computes its figures through `once`: one root per request, so fifteen
 * aliases of `metrics` cost what one does.
 */
export interface MetricsRoot {
  once<T>(area: string, compute: () => Promise<T>): Promise<T>;
}

export const MetricsRef = builder.objectRef<MetricsRoot>('Metrics').implement({
  description: 'Figures computed from the store, so they are the same after a restart.',
  fields: () => ({}),
});

export const ActiveSubscriptionsRef = builder.objectRef<{ ws: number; sse: number }>('ActiveSubscriptions').implement({
  description:
    'Subscriptions streaming from the server process that answered, by transport (each process counts its own).',
  fields: (t) => ({
    webSocket: t.exposeInt('ws', { description: 'Over graphql-ws.' }),
    sse: t.exposeInt('sse', { description: 'Over Server-Sent Events.' }),
    total: t.int({ description: 'Both together.', resolve: (count) => count.ws + count.sse }),
  }),
});

const DURATION_PRECISION =
  `From a fixed-bucket histogram kept in the store (bucket bounds ${RULE_DURATION_BOUNDS_MS.join(', ')} ms): ` +
  'the upper bound of the bucket holding that share of evaluations, at most durationMaxMs, so precision is the bucket width.';

const ValidationFiguresRef = builder.interfaceRef<RulePerformance>('ValidationFigures').implement({
  description:
    'Counts, success rate and evaluation times of stored rule results (sessions), kept as running totals in the store.',
  fields: (t) => ({
    evaluated: t.exposeInt('evaluated', {
      description: 'Results that were not SKIPPED (disabled rules are not evaluated).',
    }),
    passed: t.exposeInt('passed', { description: 'PASSED results.' }),
    failed: t.exposeInt('failed', { description: 'FAILED results.' }),
    errors: t.exposeInt('errors', {
      description: 'ERROR results (threw, timed out, interrupted by a restart, or named no rule).',
    }),
    successRate: t.exposeFloat('successRate', {
      nullable: true,
      description: 'passed ÷ evaluated (an ERROR is not a pass); null when never evaluated.',
    }),
    durationP50Ms: t.exposeInt('durationP50Ms', {
      nullable: true,
      description: `Median evaluation time in ms; null when never evaluated. ${DURATION_PRECISION}`,
    }),
    durationP95Ms: t.exposeInt('durationP95Ms', {
      nullable: true,
      description: `95th percentile of evaluation time in ms; null when never evaluated. ${DURATION_PRECISION}`,
    }),
    durationMaxMs: t.exposeInt('durationMaxMs', {
      nullable: true,
      description: 'Longest evaluation in ms (exact); null when never evaluated.',
    }),
  }),
});

const RuleMetricsRef = builder.objectRef<ValidationMetrics['byRule'][number]>('ValidationRuleMetrics').implement({
  description: "One rule's results across all sessions, by rule id.",
  interfaces: [ValidationFiguresRef],
  fields: (t) => ({
    ruleId: t.exposeString('ruleId', { description: 'The plain rule id.' }),
  }),
});

const SeverityMetricsRef = builder
  .objectRef<ValidationMetrics['bySeverity'][number]>('ValidationSeverityMetrics')
  .implement({
    description:
      'Results of rules of one severity (as it was when each ran) across all sessions, deleted rules included.',
    interfaces: [ValidationFiguresRef],
    fields: (t) => ({
      severity: t.field({ type: SeverityEnum, description: 'The severity.', resolve: (m) => m.severity }),
    }),
  });

export const ValidationMetricsRef = builder.objectRef<ValidationMetrics>('ValidationMetrics').implement({
  description: 'Validation sessions and rule results.',
  fields: (t) => ({
    sessions: t.exposeInt('sessions', { description: 'Sessions started.' }),
    running: t.exposeInt('running', { description: 'Sessions still running.' }),
    passed: t.exposeInt('passed', { description: 'Sessions with outcome PASSED.' }),
    passedWithWarnings: t.exposeInt('passedWithWarnings', {
      description: 'Sessions with outcome PASSED_WITH_WARNINGS.',
    }),
    failed: t.exposeInt('failed', { description: 'Sessions with outcome FAILED.' }),
    successRate: t.exposeFloat('successRate', {
      description:
        'Completed sessions that did not fail (PASSED or PASSED_WITH_WARNINGS) ÷ completed sessions; 0 when none completed.',
    }),
    byRule: t.field({ type: [RuleMetricsRef], description: 'Per rule defined now, by id.', resolve: (m) => m.byRule }),
    bySeverity: t.field({
      type: [SeverityMetricsRef],
      description: 'Per severity, CRITICAL first.',
      resolve: (m) => m.bySeverity,
    }),
  }),
});
