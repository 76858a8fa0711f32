import type { Procedure, StepDefinition } from '../kernel/procedures/procedure.js';
import type { ProcedureInput } from '../kernel/procedures/procedure-definition.js';
import { DurationSketch } from './duration-sketch.js';
import type { StepStats } from './insight-store.js';
import { adviseRetry, RETRY_ADVICE_MIN_RETRIES, type RetryAdvice } from './retry-advice.js';
import { adviseTimeout, TIMEOUT_ADVICE_MIN_SUCCESSES, type TimeoutAdvice } from './timeout-advice.js';

/** Quantiles of a duration sketch, in ms. */
export interface DurationQuantiles {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

export function quantilesOf(sketch: DurationSketch): DurationQuantiles | null {
  if (sketch.count === 0) return null;
  return {
    count: sketch.count,
    p50: sketch.quantile(0.5),
    p90: sketch.quantile(0.9),
    p99: sketch.quantile(0.99),
    p999: sketch.quantile(0.999),
    max: sketch.max,
  };
}

/** What one step of a version did, and what to change, with the numbers behind it. */
export interface StepAdvice {
  stepId: string;
  stepName: string;
  current: { timeoutMs: number; maxAttempts: number; initialDelayMs: number };
  stats: Omit<StepStats, 'durations' | 'remaining' | 'id' | 'batch'> | null;
  durations: DurationQuantiles | null;
  timeout: TimeoutAdvice | null;
  retry: RetryAdvice | null;
  /** Why a piece of advice is missing (too few samples so far), one line each. */
  pending: string[];
}

export interface ProcedureAdvice {
  procedureId: string;
  version: number;
  steps: StepAdvice[];
}

function adviseStep(step: StepDefinition, stats: StepStats | undefined): StepAdvice {
  const durations = DurationSketch.decode(stats?.durations);
  const successes = stats?.successes ?? 0;
  const timeout = stats ? adviseTimeout(durations, successes, stats.timeouts, step.timeoutMs) : null;
  const retry = stats ? adviseRetry(stats, step.retry) : null;
  const pending: string[] = [];
  if (!timeout)
    pending.push(`timeout advice after ${TIMEOUT_ADVICE_MIN_SUCCESSES} successful attempts (${successes} so far)`);
  if (!retry) pending.push(`retry advice after ${RETRY_ADVICE_MIN_RETRIES} retries (${stats?.retries ?? 0} so far)`);
  let summary: StepAdvice['stats'] = null;
  if (stats) {
    const { durations: _d, remaining: _r, id: _id, batch: _b, ...counts } = stats;
    summary = counts;
  }
  return {
    stepId: step.id,
    stepName: step.name,
    current: {
      timeoutMs: step.timeoutMs,
      maxAttempts: step.retry.maxAttempts,
      initialDelayMs: step.retry.initialDelayMs,
    },
    stats: summary,
    durations: quantilesOf(durations),
    timeout,
    retry,
    pending,
  };
}

/** Advice for every step of `procedure` from the statistics of that version. */
export function adviseProcedure(procedure: Procedure, stats: readonly StepStats[]): ProcedureAdvice {
  const byStep = new Map(stats.filter((s) => s.version === procedure.version).map((s) => [s.stepId, s]));
  return {
    procedureId: procedure.id,
    version: procedure.version,
    steps: procedure.steps.map((step) => adviseStep(step, byStep.get(step.id))),
  };
}

/**
 * The procedure as a new version's input with the advice taken (for `stepIds`, or every step with
 * advice): recommended timeouts, attempts and first back-off; everything else as it was.
 */
export function withAdviceApplied(
  procedure: Procedure,
  advice: ProcedureAdvice,
  stepIds: readonly string[] | null,
): { input: ProcedureInput; changed: string[] } {
  const changed: string[] = [];
  const steps = procedure.steps.map((step) => {
    const stepAdvice = advice.steps.find((one) => one.stepId === step.id);
    if (!stepAdvice || (stepIds && !stepIds.includes(step.id))) return step;
    if (!stepAdvice.timeout && !stepAdvice.retry) return step;
    changed.push(step.id);
    const initialDelayMs = stepAdvice.retry?.recommendedInitialDelayMs ?? step.retry.initialDelayMs;
    return {
      ...step,
      timeoutMs: stepAdvice.timeout?.recommendedMs ?? step.timeoutMs,
      retry: {
        ...step.retry,
        maxAttempts: stepAdvice.retry?.recommendedMaxAttempts ?? step.retry.maxAttempts,
        initialDelayMs,
        maxDelayMs: Math.max(step.retry.maxDelayMs, initialDelayMs),
      },
    };
  });
  return { input: { ...procedure, steps }, changed };
}
