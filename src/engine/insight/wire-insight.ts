import type { EngineModule } from '../kernel/engine-module.js';
import type { Kernel } from '../kernel/kernel.js';
import { HandoffTracer } from './handoff-tracer.js';
import { InsightFold } from './insight-fold.js';
import { InsightService } from './insight-service.js';
import type { InsightStore } from './insight-store.js';
import type { SpanSink } from './span-sink.js';

export interface InsightSettings {
  /** false: nothing is folded (no series, learned durations, ETAs or advice). Default true. */
  insight?: boolean;
  /** How long minute buckets are kept (default 7 days). */
  insightMinuteRetentionMs?: number;
  /** How long hour buckets are kept (default 365 days). */
  insightHourRetentionMs?: number;
  /** How often the fold looks for new events (default 1 s). */
  insightPollMs?: number;
  /**
   * The share of the time the fold may spend while handoffs wait for a slot here (default 0.05):
   * handoffs come first, and the fold catches up once they no longer wait (then it may take half).
   */
  insightBusyShare?: number;
}

export const DEFAULT_MINUTE_RETENTION_MS = 7 * 24 * 3_600_000;
export const DEFAULT_HOUR_RETENTION_MS = 365 * 24 * 3_600_000;

export interface InsightModule extends EngineModule {
  service: InsightService;
  /** The fold (null when off or when the store keeps no commit order of events). */
  fold: InsightFold | null;
}

/**
 * The insight service the API reads, the fold that writes what it reads, in the background, from the
 * committed event log (none where the store keeps no commit order, or with insight off), and the
 * tracer that turns committed events into spans (only when a span sink is given).
 */
export function wireInsight(
  kernel: Kernel<{ kind: string }>,
  store: InsightStore,
  settings: InsightSettings,
  spans: SpanSink | null,
): InsightModule {
  const { stores, clock, logger, leases } = kernel.base;
  const events = stores.committedEvents;
  const on = settings.insight !== false && events !== null;
  const fold = on
    ? new InsightFold({
        store,
        events,
        handoffs: stores.handoffs,
        leases,
        clock,
        logger,
        saturated: () => {
          const { queue } = kernel;
          return queue.waitingCount > 0 || (queue.concurrencyLimit > 0 && queue.runningCount >= queue.concurrencyLimit);
        },
        settings: {
          pollMs: settings.insightPollMs ?? 1_000,
          readBatch: 1_000,
          share: { busy: settings.insightBusyShare ?? 0.05, idle: 0.5 },
          commitBatch: 20_000,
          minuteRetentionMs: settings.insightMinuteRetentionMs ?? DEFAULT_MINUTE_RETENTION_MS,
          hourRetentionMs: settings.insightHourRetentionMs ?? DEFAULT_HOUR_RETENTION_MS,
        },
      })
    : null;
  const tracer = spans
    ? new HandoffTracer({ bus: kernel.base.bus, handoffs: stores.handoffs, sink: spans, logger })
    : null;
  return {
    name: 'insight',
    service: new InsightService({ store: on ? store : null, procedures: kernel.procedures, clock }),
    fold,
    start: async () => {
      const stopTracing = tracer?.start();
      // Before the server takes requests: a store's first fold starts at the newest event, so handoffs run before
      // a late first poll would never be counted.
      await fold?.prime();
      const stopFold = fold?.start();
      return async () => {
        stopTracing?.();
        await stopFold?.();
      };
    },
  };
}
