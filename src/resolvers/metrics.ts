import { builder } from '../schema/builder.js';
import { HandoffMetricsRef } from '../schema/handoff-metrics.js';
import { MetricsRef, ValidationMetricsRef } from '../schema/metrics.js';

builder.queryFields((t) => ({
  metrics: t.field({
    type: MetricsRef,
    description: 'Figures about handoffs, validation and reliability tests, computed from the store.',
    authScopes: { viewer: true },
    resolve: () => ({}),
  }),
}));

builder.objectFields(MetricsRef, (t) => ({
  handoffs: t.field({
    type: HandoffMetricsRef,
    description: 'Totals, success rate, rollbacks and durations of production handoffs, overall, by type and by procedure.',
    resolve: (_root, _args, context) => context.engine.handoffs.metrics(),
  }),
  validation: t.field({
    type: ValidationMetricsRef,
    description: 'Sessions, their outcomes and rule results.',
    resolve: (_root, _args, context) => context.engine.validation.metrics(),
  }),
}));
