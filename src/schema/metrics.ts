import type { ValidationMetrics } from '../engine/validation/validation-service.js';
import { builder } from './builder.js';
import { SeverityEnum } from './enums.js';

/** The `metrics` root: each area adds its own field (validation, handoffs, reliability) with builder.objectFields. */
export type MetricsRoot = Record<string, never>;

export const MetricsRef = builder.objectRef<MetricsRoot>('Metrics').implement({
  description: 'Figures computed from the store, so they are the same after a restart.',
  fields: () => ({}),
});

const RuleMetricsRef = builder.objectRef<ValidationMetrics['byRule'][number]>('ValidationRuleMetrics').implement({
  description: "One rule's results across all sessions.",
  fields: (t) => ({
    ruleId: t.exposeString('ruleId', { description: 'The plain rule id.' }),
    evaluated: t.exposeInt('evaluated', { description: 'Results that were not SKIPPED.' }),
    failed: t.exposeInt('failed', { description: 'FAILED results.' }),
    errors: t.exposeInt('errors', { description: 'ERROR results (threw, timed out, or interrupted).' }),
  }),
});

const SeverityMetricsRef = builder.objectRef<ValidationMetrics['bySeverity'][number]>('ValidationSeverityMetrics').implement({
  description: 'Results of rules of one severity across all sessions.',
  fields: (t) => ({
    severity: t.field({ type: SeverityEnum, description: 'The severity.', resolve: (m) => m.severity }),
    evaluated: t.exposeInt('evaluated', { description: 'Results that were not SKIPPED.' }),
    failed: t.exposeInt('failed', { description: 'FAILED results.' }),
    errors: t.exposeInt('errors', { description: 'ERROR results.' }),
  }),
});

export const ValidationMetricsRef = builder.objectRef<ValidationMetrics>('ValidationMetrics').implement({
  description: 'Validation sessions and rule results.',
  fields: (t) => ({
    sessions: t.exposeInt('sessions', { description: 'Sessions started.' }),
    running: t.exposeInt('running', { description: 'Sessions still running.' }),
    passed: t.exposeInt('passed', { description: 'Sessions with outcome PASSED.' }),
    passedWithWarnings: t.exposeInt('passedWithWarnings', { description: 'Sessions with outcome PASSED_WITH_WARNINGS.' }),
    failed: t.exposeInt('failed', { description: 'Sessions with outcome FAILED.' }),
    successRate: t.exposeFloat('successRate', {
      description: 'Completed sessions that did not fail (PASSED or PASSED_WITH_WARNINGS) ÷ completed sessions; 0 when none completed.',
    }),
    byRule: t.field({ type: [RuleMetricsRef], description: 'Per rule, by id.', resolve: (m) => m.byRule }),
    bySeverity: t.field({ type: [SeverityMetricsRef], description: 'Per severity, CRITICAL first.', resolve: (m) => m.bySeverity }),
  }),
});
