import type { Handoff } from '../kernel/handoff/handoff.js';
import type { DurationSketch } from './duration-sketch.js';

/** An ETA needs this many completed handoffs of the version measured from the step it is at. */
export const ETA_MIN_SAMPLES = 20;

/** How long a running handoff has left, by the handoffs of its version that completed before it. */
export interface HandoffEta {
  /** Median and p90 of the time left (ms); null when it has run longer than every completed one did. */
  medianMs: number | null;
  p90Ms: number | null;
  /** The step the estimate counts from, and how long since it started. */
  fromStep: string;
  elapsedMs: number;
  /** Completed handoffs the estimate rests on. */
  samples: number;
  /** It has been running longer, from that step, than 99% of the completed ones took to the end. */
  slow: boolean;
  /** The p99 of the time from that step to the end. */
  p99TotalMs: number;
}

const ESTIMATED_STATUSES = new Set(['PENDING', 'RUNNING', 'WAITING']);

/**
 * The ETA of `handoff` at `now` from `remaining(stepId)`: the sketch of how long completed handoffs of
 * its version took from that step's first attempt to the end. With `e` the time since the current step
 * began and F the share of them that took at most `e`, the time left of the ones still like it (those
 * that took longer than `e`) has its median at the sketch's quantile F + 0.5·(1 − F), less `e`, and
 * its p90 at F + 0.9·(1 − F). Null when it is not running (or paused, or rolling back) or when too few
 * handoffs have completed.
 */
export function estimateEta(
  handoff: Handoff,
  remaining: (stepId: string) => DurationSketch | null,
  now: number,
): HandoffEta | null {
  if (!ESTIMATED_STATUSES.has(handoff.status)) return null;
  const step = handoff.steps[Math.min(handoff.currentStep, handoff.steps.length - 1)];
  if (!step) return null;
  const sketch = remaining(step.id);
  if (!sketch || sketch.count < ETA_MIN_SAMPLES) return null;
  const elapsedMs = step.startedAt !== null && handoff.status !== 'PENDING' ? Math.max(0, now - step.startedAt) : 0;
  const p99TotalMs = sketch.quantile(0.99);
  const reached = sketch.fractionAtOrBelow(elapsedMs);
  const beyondAll = reached >= 1 || elapsedMs >= sketch.max;
  const left = (q: number) =>
    beyondAll ? null : Math.max(0, sketch.quantile(reached + q * (1 - reached)) - elapsedMs);
  return {
    medianMs: left(0.5),
    p90Ms: left(0.9),
    fromStep: step.id,
    elapsedMs,
    samples: sketch.count,
    slow: elapsedMs > p99TotalMs,
    p99TotalMs,
  };
}
