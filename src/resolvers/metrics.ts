import { builder } from '../schema/builder.js';
import { HandoffMetricsRef } from '../schema/handoff-metrics.js';
import { ActiveSubscriptionsRef, MetricsRef, type MetricsRoot, ValidationMetricsRef } from '../schema/metrics.js';

/** Each request's metrics root: every alias of `metrics` in one operation shares it, and its figures. */
const roots = new WeakMap<object, MetricsRoot>();

function metricsRootOf(context: object): MetricsRoot {
  let root = roots.get(context);
  if (!root) {
    const computed = new Map<string, Promise<unknown>>();
    root = {
      once: <T>(area: string, compute: () => Promise<T>) => {
        if (!computed.has(area)) computed.set(area, compute());
        return computed.get(area) as Promise<T>;
      },
    };
    roots.set(context, root);
  }
  return root;
}

builder.queryFields((t) => ({
  metrics: t.field({
    type: MetricsRef,
    description:
      'Figures about handoffs, validation and reliability tests, computed from the store (once per operation, however many aliases ask).',
    authScopes: { viewer: true },
    resolve: (_root, _args, context) => metricsRootOf(context),
  }),
}));

builder.objectFields(MetricsRef, (t) => ({
  activeSubscriptions: t.field({
    type: ActiveSubscriptionsRef,
    description:
      'Subscriptions streaming right now from the server process that answered (not from the store: each process counts its own).',
    resolve: (_root, _args, context) => context.activeSubscriptions(),
  }),
  handoffs: t.field({
    type: HandoffMetricsRef,
    description:
      'Totals, success rate, rollbacks and durations of production handoffs, overall, by type and by procedure.',
    resolve: (root, _args, context) => root.once('handoffs', () => context.engine.handoffs.metrics()),
  }),
  validation: t.field({
    type: ValidationMetricsRef,
    description: 'Sessions, their outcomes and rule results.',
    resolve: (root, _args, context) => root.once('validation', () => context.engine.validation.metrics()),
  }),
}));
