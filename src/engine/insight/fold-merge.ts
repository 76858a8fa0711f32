import { DurationSketch } from './duration-sketch.js';
import type { SeriesDelta, StatsDelta, StepDelta, Tally } from './fold-deltas.js';
import {
  insightIds,
  type RetryOutcomes,
  SERIES_COUNT_NAMES,
  type SeriesBucket,
  type SeriesCounts,
  type StepBucket,
  type StepStats,
} from './insight-store.js';

/** The stored sketch with the tallied durations added (null stays null when nothing was tallied). */
function mergedSketch(stored: string | null, added: Tally): string | null {
  if (added.size === 0) return stored;
  const sketch = DurationSketch.decode(stored);
  for (const [ms, count] of added) sketch.record(ms, count);
  return sketch.encode();
}

export function emptyCounts(): SeriesCounts {
  return Object.fromEntries(SERIES_COUNT_NAMES.map((name) => [name, 0])) as unknown as SeriesCounts;
}

/** A series bucket as stored after `delta` (written by batch `batch`). */
export function mergeSeries(stored: SeriesBucket | undefined, delta: SeriesDelta, batch: number): SeriesBucket {
  const counts = { ...emptyCounts(), ...stored?.counts };
  for (const name of SERIES_COUNT_NAMES) counts[name] += delta.counts[name] ?? 0;
  return {
    id: insightIds.series(delta.size, delta.start, delta.scope),
    size: delta.size,
    start: delta.start,
    scope: delta.scope,
    counts,
    durations: mergedSketch(stored?.durations ?? null, delta.durations),
    waits: mergedSketch(stored?.waits ?? null, delta.waits),
    depthMax: Math.max(stored?.depthMax ?? 0, delta.depthMax),
    depthEnd: delta.depthEnd,
    batch,
  };
}

export function mergeStep(stored: StepBucket | undefined, delta: StepDelta, batch: number): StepBucket {
  return {
    id: insightIds.step(delta.size, delta.start, delta.procedureId, delta.version, delta.stepId),
    size: delta.size,
    start: delta.start,
    procedureId: delta.procedureId,
    version: delta.version,
    stepId: delta.stepId,
    attempts: (stored?.attempts ?? 0) + delta.attempts,
    successes: (stored?.successes ?? 0) + delta.successes,
    failures: (stored?.failures ?? 0) + delta.failures,
    timeouts: (stored?.timeouts ?? 0) + delta.timeouts,
    durations: mergedSketch(stored?.durations ?? null, delta.durations),
    batch,
  };
}

function addCounts(stored: Record<string, number>, added: Record<string, number>): Record<string, number> {
  const sum = { ...stored };
  for (const [key, count] of Object.entries(added)) sum[key] = (sum[key] ?? 0) + count;
  return sum;
}

function addOutcomes(
  stored: Record<string, RetryOutcomes>,
  added: Record<string, RetryOutcomes>,
): Record<string, RetryOutcomes> {
  const sum = { ...stored };
  for (const [band, outcomes] of Object.entries(added)) {
    const before = sum[band] ?? { retries: 0, successes: 0 };
    sum[band] = { retries: before.retries + outcomes.retries, successes: before.successes + outcomes.successes };
  }
  return sum;
}

export function mergeStats(stored: StepStats | undefined, delta: StatsDelta, batch: number): StepStats {
  const plus = (name: keyof StatsDelta & keyof StepStats) =>
    ((stored?.[name] as number) ?? 0) + (delta[name] as number);
  return {
    id: insightIds.stats(delta.procedureId, delta.version, delta.stepId),
    procedureId: delta.procedureId,
    version: delta.version,
    stepId: delta.stepId,
    attempts: plus('attempts'),
    successes: plus('successes'),
    failures: plus('failures'),
    timeouts: plus('timeouts'),
    firstAttempts: plus('firstAttempts'),
    firstFailures: plus('firstFailures'),
    retries: plus('retries'),
    retrySuccesses: plus('retrySuccesses'),
    retriesByDelay: addOutcomes(stored?.retriesByDelay ?? {}, delta.retriesByDelay),
    failureCodes: addCounts(stored?.failureCodes ?? {}, delta.failureCodes),
    durations: mergedSketch(stored?.durations ?? null, delta.durations),
    remaining: mergedSketch(stored?.remaining ?? null, delta.remaining),
    updatedAt: Math.max(stored?.updatedAt ?? 0, delta.updatedAt),
    batch,
  };
}
