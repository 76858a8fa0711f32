import { build } from 'hdr-histogram-js';
import type {
  ErrorCount,
  FaultCount,
  FaultKind,
  LatencySummary,
  ReliabilityResult,
  WindowResult,
} from './reliability-test.js';
import { FAULT_KINDS } from './reliability-test.js';

export type IterationOutcome = 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

/** How one iteration (one test-tagged handoff) went. */
export interface IterationRecord {
  index: number;
  handoffId: string | null;
  outcome: IterationOutcome;
  /** When it started, as an offset from the test's start. */
  startMs: number;
  /** Initiate → final status. */
  latencyMs: number;
  /** Causes of a failure, e.g. STEP_TIMEOUT, ROLLBACK_FAILED (empty on success). */
  errorCodes: string[];
  /** The handoff ended ROLLED_BACK. */
  rolledBack: boolean;
  /** At least one compensation ran. */
  rollbackNeeded: boolean;
  /** …and every compensation succeeded. */
  rollbackClean: boolean;
  /** Attempts beyond the first, over all steps. */
  retries: number;
}

/** p50/p95/p99/max/mean of latencies in ms (an HDR histogram, 3 significant digits); null when empty. */
export function summarizeLatency(values: readonly number[]): LatencySummary | null {
  if (values.length === 0) return null;
  const histogram = build({ lowestDiscernibleValue: 1, numberOfSignificantValueDigits: 3 });
  try {
    for (const value of values) histogram.recordValue(Math.max(1, Math.round(value)));
    return {
      p50: histogram.getValueAtPercentile(50),
      p95: histogram.getValueAtPercentile(95),
      p99: histogram.getValueAtPercentile(99),
      max: histogram.maxValue,
      mean: Math.round(histogram.mean * 10) / 10,
    };
  } finally {
    histogram.destroy();
  }
}

function countBy<K extends string>(keys: readonly K[]): Map<K, number> {
  const counts = new Map<K, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  return counts;
}

/** Iterations grouped by the window their start falls in; empty windows in between are kept. */
export function windowSeries(records: readonly IterationRecord[], windowMs: number): WindowResult[] {
  const buckets: IterationRecord[][] = [];
  for (const record of records) {
    const index = Math.max(0, Math.floor(record.startMs / windowMs));
    for (let i = buckets.length; i <= index; i++) buckets.push([]);
    buckets[index].push(record);
  }
  return buckets.map((inWindow, index) => ({
    index,
    startMs: index * windowMs,
    iterations: inWindow.length,
    succeeded: inWindow.filter((r) => r.outcome === 'SUCCEEDED').length,
    failed: inWindow.filter((r) => r.outcome === 'FAILED').length,
    latencyMs: summarizeLatency(inWindow.filter((r) => r.outcome !== 'CANCELLED').map((r) => r.latencyMs)),
  }));
}

export interface ResultContext {
  /** Wall time of the run so far. */
  durationMs: number;
  concurrency: number;
  windowMs: number;
  faults: ReadonlyMap<FaultKind, number>;
}

/** The figures a test reports, from its iteration records (pure: same records, same result). */
export function buildResult(records: readonly IterationRecord[], context: ResultContext): ReliabilityResult {
  const succeeded = records.filter((r) => r.outcome === 'SUCCEEDED').length;
  const failed = records.filter((r) => r.outcome === 'FAILED').length;
  const cancelled = records.length - succeeded - failed;
  const rollbacksNeeded = records.filter((r) => r.rollbackNeeded).length;
  const rollbacksClean = records.filter((r) => r.rollbackNeeded && r.rollbackClean).length;
  const finished = succeeded + failed;
  const errors: ErrorCount[] = [...countBy(records.flatMap((r) => r.errorCodes))]
    .map(([code, count]) => ({ code, count }))
    .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));
  const faults: FaultCount[] = FAULT_KINDS.map((kind) => ({ kind, count: context.faults.get(kind) ?? 0 }));
  const windows = windowSeries(records, context.windowMs);
  const measured = windows.filter((w) => w.latencyMs !== null);
  const p50DriftRatio =
    measured.length >= 2
      ? Math.round((measured.at(-1)!.latencyMs!.p50 / measured[0].latencyMs!.p50) * 1000) / 1000
      : null;
  return {
    iterations: records.length,
    succeeded,
    failed,
    cancelled,
    rolledBack: records.filter((r) => r.rolledBack).length,
    rollbacksNeeded,
    rollbacksClean,
    successRate: finished === 0 ? 0 : succeeded / finished,
    rollbackSuccessRate: rollbacksNeeded === 0 ? null : rollbacksClean / rollbacksNeeded,
    retries: records.reduce((sum, r) => sum + r.retries, 0),
    throughputPerSec: context.durationMs > 0 ? Math.round((finished / (context.durationMs / 1000)) * 100) / 100 : 0,
    durationMs: Math.round(context.durationMs),
    concurrency: context.concurrency,
    latencyMs: summarizeLatency(records.filter((r) => r.outcome !== 'CANCELLED').map((r) => r.latencyMs)),
    errors,
    faults,
    windows,
    p50DriftRatio,
  };
}
