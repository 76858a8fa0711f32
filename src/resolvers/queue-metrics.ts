import { describeFairShareKey } from '../engine/handoffs/fair-share.js';
import { builder } from '../schema/builder.js';
import { MetricsRef } from '../schema/metrics.js';
import { QueueMetricsRef, type QueueFigures } from '../schema/queue-metrics.js';

builder.objectFields(MetricsRef, (t) => ({
  queue: t.field({
    type: QueueMetricsRef,
    description: "This process's handoff queue: running and waiting handoffs, overall and per fair-share key (live, not from the store).",
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
