import type { HandoffEta } from '../engine/insight/handoff-eta.js';
import { ETA_MIN_SAMPLES } from '../engine/insight/handoff-eta.js';
import type { SeriesCounts } from '../engine/insight/insight-store.js';
import type { DurationQuantiles, ProcedureAdvice, StepAdvice } from '../engine/insight/procedure-advice.js';
import type { RetryAdvice, RetryBandOutcome } from '../engine/insight/retry-advice.js';
import { RETRY_ADVICE_MIN_RETRIES, RETRY_TARGET_FAILURE_RATE } from '../engine/insight/retry-advice.js';
import type { Series, SeriesPoint, StepSeriesPoint } from '../engine/insight/series-query.js';
import { MAX_SERIES_POINTS, SERIES_RESOLUTIONS } from '../engine/insight/series-query.js';
import type { TimeoutAdvice } from '../engine/insight/timeout-advice.js';
import { TIMEOUT_ADVICE_MIN_SUCCESSES, TIMEOUT_FLOOR_MS, TIMEOUT_MARGIN } from '../engine/insight/timeout-advice.js';
import type { Procedure } from '../engine/kernel/procedures/procedure.js';
import { builder } from './builder.js';
import { enumValues } from './enum-values.js';
import { ProcedureRef } from './procedure.js';
import { payloadType } from './user-error.js';

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

export const RetryBandRef = builder.objectRef<RetryBandOutcome>('RetryBandOutcome').implement({
  description: 'Retries that went out after a back-off in this band, and how many succeeded.',
  fields: (t) => ({
    band: t.exposeString('band', { description: 'The back-off before them: <100ms, <1s, <10s, <1min or ≥1min.' }),
    retries: t.exposeInt('retries', { description: 'Retries measured.' }),
    successes: t.exposeInt('successes', { description: 'Of them, succeeded.' }),
  }),
});

export const TimeoutAdviceRef = builder.objectRef<TimeoutAdvice>('TimeoutAdvice').implement({
  description: `A recommended step timeout: the p99.9 of what attempts take × ${TIMEOUT_MARGIN}, rounded up, at least ${TIMEOUT_FLOOR_MS} ms. Given once ${TIMEOUT_ADVICE_MIN_SUCCESSES} attempts have succeeded.`,
  fields: (t) => ({
    recommendedMs: t.exposeInt('recommendedMs', { description: 'The timeout to set.' }),
    observedP999Ms: t.exposeInt('observedP999Ms', { description: 'The p99.9 of the successful attempts as measured.' }),
    estimatedP999Ms: t.exposeInt('estimatedP999Ms', {
      description:
        'The p99.9 of every attempt, those the current timeout cut off included: from a log-normal fit when attempts timed out, else the observed one.',
    }),
    method: t.exposeString('method', {
      description:
        'OBSERVED (no attempt timed out) or CENSORED_FIT (some did; their length is estimated from the fit).',
    }),
    marginFactor: t.float({ description: 'What the p99.9 is multiplied by.', resolve: () => TIMEOUT_MARGIN }),
    successesWithin: t.exposeInt('successesWithin', {
      description: 'Successful attempts that finished within the recommended timeout.',
    }),
    timeoutsRecoveredEstimate: t.exposeInt('timeoutsRecoveredEstimate', {
      description: 'Attempts that timed out which, by the fit, would have finished within it.',
    }),
    wouldHaveSucceeded: t.exposeInt('wouldHaveSucceeded', {
      description: 'successesWithin + timeoutsRecoveredEstimate: attempts that would have succeeded with it.',
    }),
    explanation: t.exposeString('explanation', { description: 'The numbers behind it, in words.' }),
  }),
});

export const RetryAdviceRef = builder.objectRef<RetryAdvice>('RetryAdvice').implement({
  description: `Recommended attempts and first back-off, from how second and later attempts went: enough attempts that at most ${RETRY_TARGET_FAILURE_RATE * 100}% of steps fail for good; the shortest back-off band whose retries succeed within 5 points of the best. Given once ${RETRY_ADVICE_MIN_RETRIES} retries are measured.`,
  fields: (t) => ({
    recommendedMaxAttempts: t.exposeInt('recommendedMaxAttempts', {
      description: 'Attempts in all, the first included.',
    }),
    recommendedInitialDelayMs: t.exposeInt('recommendedInitialDelayMs', {
      description: 'Wait before the second attempt.',
    }),
    firstFailureRate: t.exposeFloat('firstFailureRate', { description: 'First attempts that failed (0..1).' }),
    retrySuccessRate: t.exposeFloat('retrySuccessRate', {
      description: 'Second and later attempts that succeeded (0..1).',
    }),
    byDelay: t.field({
      type: [RetryBandRef],
      description: 'Retries by the back-off before them.',
      resolve: (r) => r.byDelay,
    }),
    explanation: t.exposeString('explanation', { description: 'The numbers behind it, in words.' }),
  }),
});

export const StepStatisticsRef = builder.objectRef<NonNullable<StepAdvice['stats']>>('StepStatistics').implement({
  description: 'What a step of one procedure version did over its whole history (reliability tests included).',
  fields: (t) => ({
    attempts: t.exposeInt('attempts', { description: 'Attempts that finished.' }),
    successes: t.exposeInt('successes', { description: 'Of them, succeeded.' }),
    failures: t.exposeInt('failures', { description: 'Of them, failed.' }),
    timeouts: t.exposeInt('timeouts', { description: 'Of them, timed out.' }),
    firstAttempts: t.exposeInt('firstAttempts', { description: 'First attempts that finished.' }),
    firstFailures: t.exposeInt('firstFailures', { description: 'Of them, failed.' }),
    retries: t.exposeInt('retries', { description: 'Second and later attempts that finished.' }),
    retrySuccesses: t.exposeInt('retrySuccesses', { description: 'Of them, succeeded.' }),
    failureCodes: t.field({
      type: 'JSON',
      description: 'Failures by code, e.g. {"TIMEOUT": 12}.',
      resolve: (s) => s.failureCodes,
    }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'The time of the last event counted.' }),
  }),
});

export const StepAdviceRef = builder.objectRef<StepAdvice>('StepAdvice').implement({
  description: 'One step: what it did, and what to change, each with its evidence.',
  fields: (t) => ({
    stepId: t.exposeString('stepId', { description: 'The step id.' }),
    stepName: t.exposeString('stepName', { description: 'Its name.' }),
    currentTimeoutMs: t.int({ description: 'Its timeout in this version.', resolve: (s) => s.current.timeoutMs }),
    currentMaxAttempts: t.int({ description: 'Its attempts in this version.', resolve: (s) => s.current.maxAttempts }),
    currentInitialDelayMs: t.int({
      description: 'Its first back-off in this version.',
      resolve: (s) => s.current.initialDelayMs,
    }),
    statistics: t.field({
      type: StepStatisticsRef,
      nullable: true,
      description: 'Its measured history; null before any attempt finished.',
      resolve: (s) => s.stats,
    }),
    durations: t.field({
      type: DurationQuantilesRef,
      nullable: true,
      description: 'Successful attempts’ durations.',
      resolve: (s) => s.durations,
    }),
    timeout: t.field({
      type: TimeoutAdviceRef,
      nullable: true,
      description: 'The recommended timeout; null until there are enough samples (see pending).',
      resolve: (s) => s.timeout,
    }),
    retry: t.field({
      type: RetryAdviceRef,
      nullable: true,
      description: 'The recommended attempts and back-off; null until there are enough samples (see pending).',
      resolve: (s) => s.retry,
    }),
    pending: t.exposeStringList('pending', { description: 'Advice still waiting for samples, and how many so far.' }),
  }),
});

export const ProcedureAdviceRef = builder.objectRef<ProcedureAdvice>('ProcedureAdvice').implement({
  description: 'Timeout and retry advice for every step of one procedure version, from what its handoffs did.',
  fields: (t) => ({
    procedureId: t.exposeString('procedureId', { description: 'The procedure.' }),
    version: t.exposeInt('version', { description: 'The version the statistics are of.' }),
    timeoutMinSamples: t.int({
      description: 'Successful attempts a step needs before timeout advice is given.',
      resolve: () => TIMEOUT_ADVICE_MIN_SUCCESSES,
    }),
    retryMinSamples: t.int({
      description: 'Retries a step needs before retry advice is given.',
      resolve: () => RETRY_ADVICE_MIN_RETRIES,
    }),
    steps: t.field({ type: [StepAdviceRef], description: 'In step order.', resolve: (a) => a.steps }),
  }),
});

export const ApplyProcedureAdviceInput = builder.inputType('ApplyProcedureAdviceInput', {
  description: 'Which advice to take, as a new version of the procedure.',
  fields: (t) => ({
    procedureId: t.id({ required: true, description: 'The procedure (plain or global id).' }),
    expectedVersion: t.int({
      required: true,
      description: 'The version the advice was read for (procedureAdvice.version): refused if it moved on.',
    }),
    stepIds: t.stringList({ required: false, description: 'Only these steps; default every step with advice.' }),
  }),
});

export const ApplyProcedureAdvicePayload = payloadType<Procedure>(
  'ApplyProcedureAdvice',
  'procedure',
  ProcedureRef,
  'The new version, with the recommended timeouts, attempts and back-offs.',
);
