import { GraphQLError } from 'graphql';
import { describeFairShareKey } from '../engine/kernel/scheduler/fair-share.js';
import { builder } from '../schema/builder.js';
import { MetricsRef } from '../schema/metrics.js';
import { type QueueFigures, QueueKeyDepthRef, QueueMetricsRef } from '../schema/queue-metrics.js';

const MAX_KEYS_LISTED = 1000;

builder.objectFields(MetricsRef, (t) => ({
  queue: t.field({
    type: QueueMetricsRef,
    description:
      "This process's handoff queue: running and waiting handoffs, overall and per fair-share key (live, not from the store).",
    resolve: (_root, _args, context): QueueFigures => {
      const { queue } = context.engine;
      const byKey = queue.depthByKey();
      return {
        running: queue.runningCount,
        waiting: queue.waitingCount,
        maxConcurrent: queue.concurrencyLimit,
        fairShareKey: queue.fairShare ? describeFairShareKey(queue.fairShare.key) : null,
        fairShareLimit: queue.fairShare?.limit ?? null,
        keyCount: byKey.length,
        byKey,
      };
    },
  }),
}));

builder.objectFields(QueueMetricsRef, (t) => ({
  byKey: t.field({
    type: [QueueKeyDepthRef],
    description: 'Per key, most waiting first (then most running), at most `first` keys.',
    args: {
      first: t.arg.int({
        required: false,
        defaultValue: 20,
        description: `How many keys to list (1–${MAX_KEYS_LISTED}).`,
      }),
    },
    resolve: (figures, args) => {
      const first = args.first ?? 20;
      if (first < 1 || first > MAX_KEYS_LISTED) {
        throw new GraphQLError(`first must be between 1 and ${MAX_KEYS_LISTED}`, {
          extensions: { code: 'BAD_USER_INPUT' },
        });
      }
      return figures.byKey.slice(0, first);
    },
  }),
}));
