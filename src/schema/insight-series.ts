import type { HandoffEta } from '../engine/insight/handoff-eta.js';
import { ETA_MIN_SAMPLES } from '../engine/insight/handoff-eta.js';
import type { SeriesCounts } from '../engine/insight/insight-store.js';
import type { DurationQuantiles } from '../engine/insight/procedure-advice.js';
import type { Series, SeriesPoint, StepSeriesPoint } from '../engine/insight/series-query.js';
import { MAX_SERIES_POINTS, SERIES_RESOLUTIONS } from '../engine/insight/series-query.js';
import { builder } from './builder.js';
import { enumValues } from './enum-values.js';

export const SeriesResolutionEnum = builder.enumType('SeriesResolution', {
  description: `The width of each point of a series. MINUTE to FIFTEEN_MINUTES are read from minute buckets (kept 7 days by default), HOUR to DAY from hour buckets (kept a year). A read returns at most ${MAX_SERIES_POINTS} points.`,
  values: enumValues(Object.keys(SERIES_RESOLUTIONS) as (keyof typeof SERIES_RESOLUTIONS)[], {
    MINUTE: 'One point a minute.',
    FIVE_MINUTES: 'One point every 5 minutes.',
    FIFTEEN_MINUTES: 'One point every 15 minutes.',
    HOUR: 'One point an hour.',
    SIX_HOURS: 'One point every 6 hours.',
    DAY: 'One point a day (UTC).',
  }),
});

export const DurationQuantilesRef = builder.objectRef<DurationQuantiles>('DurationQuantiles').implement({
  description: 'Quantiles of durations from a mergeable HDR sketch (each within 1% of the value it stands for), in ms.',
  fields: (t) => ({
    count: t.exposeInt('count', { description: 'Durations measured.' }),
    p50: t.exposeInt('p50', { description: 'Median.' }),
    p90: t.exposeInt('p90', { description: '90th percentile.' }),
    p99: t.exposeInt('p99', { description: '99th percentile.' }),
    p999: t.exposeInt('p999', { description: '99.9th percentile.' }),
    max: t.exposeInt('max', { description: 'Longest.' }),
  }),
});

export const SeriesCountsRef = builder.objectRef<SeriesCounts>('SeriesCounts').implement({
  description: 'What production handoffs did in a time bucket (reliability-test traffic is left out of series).',
  fields: (t) => ({
    created: t.exposeInt('created', { description: 'Handoffs created.' }),
    started: t.exposeInt('started', { description: 'Runs started (gates passed), redriven runs included.' }),
    completed: t.exposeInt('completed', { description: 'Handoffs that ended COMPLETED.' }),
    failed: t.exposeInt('failed', { description: 'Handoffs that ended FAILED.' }),
    rolledBack: t.exposeInt('rolledBack', { description: 'Handoffs that ended ROLLED_BACK.' }),
    rollbackFailed: t.exposeInt('rollbackFailed', { description: 'Handoffs that ended ROLLBACK_FAILED.' }),
    cancelled: t.exposeInt('cancelled', { description: 'Handoffs that ended CANCELLED.' }),
    redriven: t.exposeInt('redriven', { description: 'Redrives (retries of a failed handoff as a new run).' }),
    stepAttempts: t.int({ description: 'Step attempts started.', resolve: (c) => c.attempts }),
    stepFailures: t.int({
      description: 'Step attempts that failed (timeouts included).',
      resolve: (c) => c.attemptFailures,
    }),
    stepTimeouts: t.int({ description: 'Step attempts that timed out.', resolve: (c) => c.timeouts }),
    queued: t.exposeInt('queued', { description: 'Handoffs that began waiting to start (created, redriven).' }),
    dequeued: t.exposeInt('dequeued', {
      description: 'Handoffs that stopped waiting to start (started, failed their gates, cancelled or paused).',
    }),
  }),
});

/** What ended, of what could: null when nothing ended (the dashboard shows "—"). */
function successRate(counts: SeriesCounts): number | null {
  const ended = counts.completed + counts.failed + counts.rolledBack + counts.rollbackFailed + counts.cancelled;
  return ended === 0 ? null : counts.completed / ended;
}

export const SeriesPointRef = builder.objectRef<SeriesPoint>('SeriesPoint').implement({
  description: 'One point of a series: its counts, durations, queue wait and queue depth.',
  fields: (t) => ({
    at: t.field({ type: 'DateTime', description: 'When the point starts.', resolve: (p) => p.start }),
    counts: t.field({ type: SeriesCountsRef, description: 'What happened in it.', resolve: (p) => p.counts }),
    successRate: t.float({
      nullable: true,
      description: 'completed ÷ handoffs that ended in it (0..1); null when none ended.',
      resolve: (p) => successRate(p.counts),
    }),
    duration: t.field({
      type: DurationQuantilesRef,
      nullable: true,
      description: 'Runs that completed in it, from start to completion; null when none did.',
      resolve: (p) => p.duration,
    }),
    wait: t.field({
      type: DurationQuantilesRef,
      nullable: true,
      description: 'Handoffs that started in it: how long they had waited to start; null when none started.',
      resolve: (p) => p.wait,
    }),
    queueDepthMax: t.exposeInt('queueDepthMax', {
      nullable: true,
      description: 'The most handoffs waiting to start at once in it; null before the first measurement.',
    }),
    queueDepth: t.exposeInt('queueDepth', {
      nullable: true,
      description: 'Handoffs waiting to start at its end; null before the first measurement.',
    }),
  }),
});

export const InsightSeriesRef = builder.objectRef<Series>('InsightSeries').implement({
  description:
    'A stored time series over a range: written by the background fold of committed events, kept when retention deletes the handoffs.',
  fields: (t) => ({
    from: t.expose('from', {
      type: 'DateTime',
      description: 'Start of the first point (the range aligned to the resolution).',
    }),
    to: t.expose('to', { type: 'DateTime', description: 'End of the last point (exclusive).' }),
    resolution: t.field({
      type: SeriesResolutionEnum,
      description: 'The width of each point.',
      resolve: (s) => s.resolution,
    }),
    procedureId: t.exposeString('procedureId', {
      nullable: true,
      description: 'The procedure the series is about; null for every production handoff.',
    }),
    points: t.field({
      type: [SeriesPointRef],
      description: 'Every point of the range, oldest first; points with no events have zero counts.',
      resolve: (s) => s.points,
    }),
    total: t.field({ type: SeriesPointRef, description: 'The whole range as one point.', resolve: (s) => s.total }),
  }),
});

export const StepSeriesPointRef = builder.objectRef<StepSeriesPoint>('StepSeriesPoint').implement({
  description:
    "One point of a step's series: attempts that finished in it (every traffic, reliability tests included).",
  fields: (t) => ({
    at: t.field({ type: 'DateTime', description: 'When the point starts.', resolve: (p) => p.start }),
    attempts: t.exposeInt('attempts', { description: 'Attempts that finished.' }),
    successes: t.exposeInt('successes', { description: 'Of them, succeeded.' }),
    failures: t.exposeInt('failures', { description: 'Of them, failed (timeouts included).' }),
    timeouts: t.exposeInt('timeouts', { description: 'Of them, timed out.' }),
    duration: t.field({
      type: DurationQuantilesRef,
      nullable: true,
      description: 'Successful attempts’ durations; null when none succeeded.',
      resolve: (p) => p.duration,
    }),
  }),
});

export const InsightStatusRef = builder
  .objectRef<{ enabled: boolean; foldedThrough: number | null; lagMs: number | null }>('InsightStatus')
  .implement({
    description: 'Where the background fold of committed events into series and statistics stands.',
    fields: (t) => ({
      enabled: t.exposeBoolean('enabled', {
        description: 'False when INSIGHT=off, or on a store that keeps no commit order of events.',
      }),
      foldedThrough: t.expose('foldedThrough', {
        type: 'DateTime',
        nullable: true,
        description: 'The time of the newest event in the series; null before the first fold.',
      }),
      lagMs: t.exposeInt('lagMs', {
        nullable: true,
        description: 'How far behind now that is (events of the last lagMs may not be counted yet).',
      }),
    }),
  });

export const HandoffEtaRef = builder.objectRef<HandoffEta & { now: number }>('HandoffEta').implement({
  description: `How long a running handoff has left, learned from the completed handoffs of its procedure version: of those that had been going at least as long from the same step, how long they still took. Shown once ${ETA_MIN_SAMPLES} have completed.`,
  fields: (t) => ({
    medianMs: t.exposeInt('medianMs', {
      nullable: true,
      description: 'Median of the time left; null when it has already run longer than every completed one.',
    }),
    p90Ms: t.exposeInt('p90Ms', { nullable: true, description: '90th percentile of the time left.' }),
    expectedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'Now plus the median.',
      resolve: (eta) => (eta.medianMs === null ? null : eta.now + eta.medianMs),
    }),
    fromStep: t.exposeString('fromStep', { description: 'The step the estimate counts from (the current one).' }),
    elapsedMs: t.exposeInt('elapsedMs', { description: 'How long since that step began.' }),
    samples: t.exposeInt('samples', { description: 'Completed handoffs the estimate rests on.' }),
    slow: t.exposeBoolean('slow', {
      description:
        'It has run longer from that step than 99% of the completed ones took to the end (slower than their p99).',
    }),
    p99TotalMs: t.exposeInt('p99TotalMs', { description: 'The p99 of the time from that step to the end.' }),
  }),
});
