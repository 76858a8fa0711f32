import { builder } from '../schema/builder.js';
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
  validation: t.field({
    type: ValidationMetricsRef,
    description: 'Sessions, their outcomes and rule results.',
    resolve: (_root, _args, context) => context.engine.validation.metrics(),
  }),
}));
