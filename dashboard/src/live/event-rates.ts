import { useCallback, useMemo, useState } from 'react';
import type { LiveEvent } from './handoff-event-feed';
import { useHandoffEvents } from './handoff-event-feed';

const MINUTE = 60_000;
const KEPT_MINUTES = 30;
const FINISHED = new Set([
  'HANDOFF_COMPLETED',
  'HANDOFF_FAILED',
  'HANDOFF_CANCELLED',
  'HANDOFF_ROLLED_BACK',
  'HANDOFF_ROLLBACK_FAILED',
]);

interface MinuteBucket {
  minute: number;
  started: number;
  finished: number;
  completed: number;
  /** Durations of the steps that succeeded in this minute (for percentiles). */
  stepMs: number[];
}

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/**
 * Per-minute figures folded from the live handoffEvents feed since the page opened (the API's metrics
 * are totals, not a history): started and finished handoffs, success rate, step latency percentiles.
 */
export function useEventRates(): {
  x: number[];
  started: number[];
  finished: number[];
  successRate: (number | null)[];
  p50: (number | null)[];
  p95: (number | null)[];
  p99: (number | null)[];
} {
  const [buckets, setBuckets] = useState<MinuteBucket[]>([]);
  const onEvent = useCallback((event: LiveEvent) => {
    const isStart = event.type === 'HANDOFF_STARTED';
    const isFinish = FINISHED.has(event.type);
    const isStep = event.type === 'STEP_SUCCEEDED' && event.durationMs !== null && event.durationMs !== undefined;
    if (!isStart && !isFinish && !isStep) return;
    const minute = Math.floor(Date.parse(event.at) / MINUTE) * MINUTE;
    setBuckets((list) => {
      const next = list.slice(-KEPT_MINUTES);
      let bucket = next.at(-1);
      if (!bucket || bucket.minute !== minute) {
        bucket = { minute, started: 0, finished: 0, completed: 0, stepMs: [] };
        next.push(bucket);
      } else {
        bucket = { ...bucket };
        next[next.length - 1] = bucket;
      }
      if (isStart) bucket.started += 1;
      if (isFinish) bucket.finished += 1;
      if (event.type === 'HANDOFF_COMPLETED') bucket.completed += 1;
      if (isStep) bucket.stepMs = [...bucket.stepMs, event.durationMs!];
      return next;
    });
  }, []);
  useHandoffEvents(onEvent);
  // Every minute since the one before the page opened gets a point, zero when nothing happened: an axis from the start.
  const [openedMinute] = useState(() => Math.floor(Date.now() / MINUTE) * MINUTE - MINUTE);
  return useMemo(() => {
    const byMinute = new Map(buckets.map((bucket) => [bucket.minute, bucket]));
    const first = Math.min(openedMinute, buckets[0]?.minute ?? openedMinute);
    const last = Math.max(openedMinute + MINUTE, buckets.at(-1)?.minute ?? 0);
    const minutes: MinuteBucket[] = [];
    for (let minute = Math.max(first, last - KEPT_MINUTES * MINUTE); minute <= last; minute += MINUTE) {
      minutes.push(byMinute.get(minute) ?? { minute, started: 0, finished: 0, completed: 0, stepMs: [] });
    }
    const sorted = minutes.map((bucket) => [...bucket.stepMs].sort((a, b) => a - b));
    return {
      x: minutes.map((bucket) => bucket.minute / 1000),
      started: minutes.map((bucket) => bucket.started),
      finished: minutes.map((bucket) => bucket.finished),
      successRate: minutes.map((bucket) => (bucket.finished > 0 ? (bucket.completed / bucket.finished) * 100 : null)),
      p50: sorted.map((values) => percentile(values, 50)),
      p95: sorted.map((values) => percentile(values, 95)),
      p99: sorted.map((values) => percentile(values, 99)),
    };
  }, [buckets, openedMinute]);
}
