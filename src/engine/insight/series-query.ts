import { fail, type Outcome, ok } from '../shared/user-error.js';
import { DurationSketch } from './duration-sketch.js';
import { emptyCounts } from './fold-merge.js';
import {
  ALL_PROCEDURES,
  type BucketSize,
  type InsightStore,
  SERIES_COUNT_NAMES,
  type SeriesBucket,
  type SeriesCounts,
  type StepBucket,
} from './insight-store.js';
import { type DurationQuantiles, quantilesOf } from './procedure-advice.js';

/** The bucket widths a series can be read in, and the stored buckets each is merged from. */
export const SERIES_RESOLUTIONS = {
  MINUTE: { stored: 'MINUTE', ms: 60_000 },
  FIVE_MINUTES: { stored: 'MINUTE', ms: 300_000 },
  FIFTEEN_MINUTES: { stored: 'MINUTE', ms: 900_000 },
  HOUR: { stored: 'HOUR', ms: 3_600_000 },
  SIX_HOURS: { stored: 'HOUR', ms: 21_600_000 },
  DAY: { stored: 'HOUR', ms: 86_400_000 },
} as const satisfies Record<string, { stored: BucketSize; ms: number }>;
export type SeriesResolution = keyof typeof SERIES_RESOLUTIONS;

/** Points one read may return: a week of minutes is 10,080, so a week is read in 5-minute points or wider. */
export const MAX_SERIES_POINTS = 2_000;

/** Points a query without `from` gets: the last hour of minutes, the last 2.5 days of hours… */
export const DEFAULT_SERIES_POINTS = 60;

export interface SeriesQuery {
  /** Inclusive; default DEFAULT_SERIES_POINTS points before `to`. */
  from?: number | null;
  /** Exclusive; default now. */
  to?: number | null;
  resolution: SeriesResolution;
  /** One procedure's series; absent: every production handoff. */
  procedureId?: string | null;
}

export interface SeriesPoint {
  start: number;
  counts: SeriesCounts;
  /** Runs that completed in the point: from start to completion. */
  duration: DurationQuantiles | null;
  /** Handoffs that started in the point: how long they waited to. */
  wait: DurationQuantiles | null;
  /** Handoffs waiting to start: the most at once, and at the point's end (carried over points with no events). */
  queueDepthMax: number | null;
  queueDepth: number | null;
}

export interface Series {
  from: number;
  to: number;
  resolution: SeriesResolution;
  procedureId: string | null;
  points: SeriesPoint[];
  /** The whole range in one. */
  total: SeriesPoint;
}

/** The range of a query aligned to its resolution, or why it cannot be read. */
export function checkSeriesQuery(query: SeriesQuery, now: number): Outcome<{ from: number; to: number }> {
  const { ms } = SERIES_RESOLUTIONS[query.resolution];
  const to = Math.ceil((query.to ?? now) / ms) * ms;
  const from = Math.floor((query.from ?? to - DEFAULT_SERIES_POINTS * ms) / ms) * ms;
  if (!(to > from)) return fail('INVALID_VALUE', '`to` must be after `from`', ['to']);
  const points = (to - from) / ms;
  if (points > MAX_SERIES_POINTS)
    return fail(
      'INVALID_VALUE',
      `${points} points of ${query.resolution} asked for; at most ${MAX_SERIES_POINTS}: choose a wider resolution or a shorter range`,
      ['resolution'],
    );
  return ok({ from, to });
}

interface Accumulating {
  counts: SeriesCounts;
  durations: DurationSketch;
  waits: DurationSketch;
  depthMax: number | null;
  depthEnd: number | null;
}

function accumulate(into: Accumulating, bucket: SeriesBucket): void {
  for (const name of SERIES_COUNT_NAMES) into.counts[name] += bucket.counts[name] ?? 0;
  if (bucket.durations) into.durations.merge(DurationSketch.decode(bucket.durations));
  if (bucket.waits) into.waits.merge(DurationSketch.decode(bucket.waits));
  into.depthMax = Math.max(into.depthMax ?? 0, bucket.depthMax);
  into.depthEnd = bucket.depthEnd;
}

function fresh(depth: number | null): Accumulating {
  return {
    counts: emptyCounts(),
    durations: DurationSketch.empty(),
    waits: DurationSketch.empty(),
    depthMax: depth,
    depthEnd: depth,
  };
}

function point(start: number, acc: Accumulating): SeriesPoint {
  return {
    start,
    counts: acc.counts,
    duration: quantilesOf(acc.durations),
    wait: quantilesOf(acc.waits),
    queueDepthMax: acc.depthMax,
    queueDepth: acc.depthEnd,
  };
}

/** Reads a series from the stored buckets: every point of the range, those with no events at zero. */
export async function readSeries(
  store: InsightStore,
  query: SeriesQuery,
  range: { from: number; to: number },
): Promise<Series> {
  const { stored, ms } = SERIES_RESOLUTIONS[query.resolution];
  const scope = query.procedureId ?? ALL_PROCEDURES;
  const [buckets, before] = await Promise.all([
    store.series(stored, scope, range.from, range.to),
    store.seriesBefore(stored, scope, range.from),
  ]);
  const total = fresh(before?.depthEnd ?? null);
  const points: SeriesPoint[] = [];
  let next = 0;
  let depth = before?.depthEnd ?? null;
  for (let start = range.from; start < range.to; start += ms) {
    const acc = fresh(depth);
    acc.depthMax = null;
    while (next < buckets.length && buckets[next].start < start + ms) {
      accumulate(acc, buckets[next]);
      accumulate(total, buckets[next]);
      next++;
    }
    acc.depthMax ??= depth;
    depth = acc.depthEnd;
    points.push(point(start, acc));
  }
  return {
    from: range.from,
    to: range.to,
    resolution: query.resolution,
    procedureId: query.procedureId ?? null,
    points,
    total: point(range.from, total),
  };
}

/** One step's buckets over a range, merged per point. */
export interface StepSeriesPoint {
  start: number;
  attempts: number;
  successes: number;
  failures: number;
  timeouts: number;
  duration: DurationQuantiles | null;
}

export function stepPoints(
  buckets: readonly StepBucket[],
  range: { from: number; to: number },
  ms: number,
): StepSeriesPoint[] {
  const points: StepSeriesPoint[] = [];
  let next = 0;
  for (let start = range.from; start < range.to; start += ms) {
    const sums = { attempts: 0, successes: 0, failures: 0, timeouts: 0 };
    const durations = DurationSketch.empty();
    while (next < buckets.length && buckets[next].start < start + ms) {
      const bucket = buckets[next++];
      sums.attempts += bucket.attempts;
      sums.successes += bucket.successes;
      sums.failures += bucket.failures;
      sums.timeouts += bucket.timeouts;
      if (bucket.durations) durations.merge(DurationSketch.decode(bucket.durations));
    }
    points.push({ start, ...sums, duration: quantilesOf(durations) });
  }
  return points;
}
