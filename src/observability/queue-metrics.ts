import { Gauge, type Registry } from 'prom-client';
import type { KeyDepth } from '../engine/kernel/scheduler/handoff-queue.js';

/** Label of handoffs that have no fair-share key (or of every handoff when fair share is off). */
export const NO_KEY_LABEL = '(none)';
/** Label under which the keys past the top N add up. */
export const OTHER_KEYS_LABEL = '(other)';

/**
 * At most `top` keys by name (the most waiting, then the most running), the rest added up under
 * OTHER_KEYS_LABEL: keys come from data (agents, metadata), and every label value is a time series.
 */
export function boundedKeyDepths(
  depths: readonly KeyDepth[],
  top: number,
): { key: string; waiting: number; running: number }[] {
  const named = depths
    .slice(0, top)
    .map((depth) => ({ key: depth.key ?? NO_KEY_LABEL, waiting: depth.waiting, running: depth.running }));
  const rest = depths.slice(top);
  if (rest.length === 0) return named;
  return [
    ...named,
    {
      key: OTHER_KEYS_LABEL,
      waiting: rest.reduce((n, d) => n + d.waiting, 0),
      running: rest.reduce((n, d) => n + d.running, 0),
    },
  ];
}

/** This process's queue by fair-share key, computed at scrape time from the queue itself (no store reads). */
export function registerQueueMetrics(registry: Registry, queue: { depthByKey(): KeyDepth[] }, topKeys: number): void {
  const registers = [registry];
  // Each gauge reads the queue itself (a few in-memory lanes): no snapshot shared between collect() calls.
  const bounded = () => boundedKeyDepths(queue.depthByKey(), topKeys);
  new Gauge({
    name: 'handoff_queue_waiting',
    help: `Handoffs waiting for a slot in this process, by fair-share key (the top ${topKeys} keys; the rest under key="${OTHER_KEYS_LABEL}", handoffs without a key under key="${NO_KEY_LABEL}").`,
    labelNames: ['key'],
    registers,
    collect() {
      this.reset();
      for (const { key, waiting } of bounded()) this.set({ key }, waiting);
    },
  });
  new Gauge({
    name: 'handoff_queue_running',
    help: 'Handoffs running in this process, by fair-share key (the same keys as handoff_queue_waiting).',
    labelNames: ['key'],
    registers,
    collect() {
      this.reset();
      for (const { key, running } of bounded()) this.set({ key }, running);
    },
  });
  new Gauge({
    name: 'handoff_queue_keys',
    help: 'Fair-share keys with handoffs waiting or running in this process (how many handoff_queue_* labels would name without the bound).',
    registers,
    collect() {
      this.set(queue.depthByKey().length);
    },
  });
}
