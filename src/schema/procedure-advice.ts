import type { ProcedureAdvice, StepAdvice } from '../engine/insight/procedure-advice.js';
import type { RetryAdvice, RetryBandOutcome } from '../engine/insight/retry-advice.js';
import { RETRY_ADVICE_MIN_RETRIES, RETRY_TARGET_FAILURE_RATE } from '../engine/insight/retry-advice.js';
import type { TimeoutAdvice } from '../engine/insight/timeout-advice.js';
import { TIMEOUT_ADVICE_MIN_SUCCESSES, TIMEOUT_FLOOR_MS, TIMEOUT_MARGIN } from '../engine/insight/timeout-advice.js';
import type { Procedure } from '../engine/kernel/procedures/procedure.js';
import { builder } from './builder.js';
import { DurationQuantilesRef } from './insight-series.js';
import { ProcedureRef } from './procedure.js';
import { payloadType } from './user-error.js';

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
