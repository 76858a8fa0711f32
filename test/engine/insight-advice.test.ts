import { describe, expect, it } from 'vitest';
import { DurationSketch } from '../../src/engine/insight/duration-sketch.js';
import type { StepStats } from '../../src/engine/insight/insight-store.js';
import { adviseRetry } from '../../src/engine/insight/retry-advice.js';
import { adviseTimeout } from '../../src/engine/insight/timeout-advice.js';
import { DEFAULT_RETRY } from '../../src/engine/kernel/procedures/procedure.js';
import { seededRandom } from '../../src/engine/shared/random.js';

/** Timeout and retry advice from what attempts did, against what is known to be true of them. */

function normal(random: ReturnType<typeof seededRandom>): number {
  return Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
}

describe('timeout advice', () => {
  it('sees past a timeout that cuts attempts off: 10,000 attempts of 200 ± 30 ms under a 250 ms timeout', () => {
    const random = seededRandom(26);
    const timeoutMs = 250;
    const durations = Array.from({ length: 10_000 }, () => 200 + 30 * normal(random));
    const successes = DurationSketch.empty();
    const cutOff: number[] = [];
    for (const ms of durations) {
      if (ms > timeoutMs) cutOff.push(ms);
      else successes.record(ms);
    }
    // About 5% time out, as the scenario asks.
    expect(cutOff.length / durations.length).toBeGreaterThan(0.04);
    expect(cutOff.length / durations.length).toBeLessThan(0.06);

    const advice = adviseTimeout(successes, successes.count, cutOff.length, timeoutMs)!;
    expect(advice.method).toBe('CENSORED_FIT');
    // The measured p99.9 cannot pass the timeout; the fit reaches the true one (292.7 ms for this normal).
    expect(advice.observedP999Ms).toBeLessThanOrEqual(timeoutMs);
    expect(advice.estimatedP999Ms).toBeGreaterThan(270);
    expect(advice.estimatedP999Ms).toBeLessThan(340);
    expect(advice.recommendedMs).toBeGreaterThan(advice.observedP999Ms);
    expect(advice.recommendedMs).toBe(Math.ceil((advice.estimatedP999Ms * 1.25) / 10) * 10);
    // How many cut-off attempts would have finished within it: the estimate against the truth.
    const truly = cutOff.filter((ms) => ms <= advice.recommendedMs).length;
    expect(Math.abs(advice.timeoutsRecoveredEstimate - truly)).toBeLessThanOrEqual(Math.ceil(truly * 0.02));
    expect(advice.successesWithin).toBe(successes.count);
    expect(advice.wouldHaveSucceeded).toBe(advice.successesWithin + advice.timeoutsRecoveredEstimate);
    expect(advice.explanation).toContain(`${cutOff.length} of 10000 attempts timed out at 250 ms`);
  });

  it('takes the measured p99.9 when nothing timed out, and gives nothing below 1,000 successes', () => {
    const random = seededRandom(3);
    const sketch = DurationSketch.empty();
    for (let i = 0; i < 999; i++) sketch.record(1_000 + 100 * normal(random));
    expect(adviseTimeout(sketch, 999, 0, 30_000)).toBeNull();
    sketch.record(1_000);
    const advice = adviseTimeout(sketch, 1_000, 0, 30_000)!;
    expect(advice).toMatchObject({
      method: 'OBSERVED',
      estimatedP999Ms: advice.observedP999Ms,
      timeoutsRecoveredEstimate: 0,
    });
    expect(advice.recommendedMs).toBe(Math.ceil((advice.observedP999Ms * 1.25) / 100) * 100);
  });
});

function stats(overrides: Partial<StepStats>): StepStats {
  return {
    id: 'P|1|s',
    procedureId: 'P',
    version: 1,
    stepId: 's',
    attempts: 0,
    successes: 0,
    failures: 0,
    timeouts: 0,
    firstAttempts: 0,
    firstFailures: 0,
    retries: 0,
    retrySuccesses: 0,
    retriesByDelay: {},
    failureCodes: {},
    durations: null,
    remaining: null,
    updatedAt: 0,
    batch: 1,
    ...overrides,
  };
}

describe('retry advice', () => {
  it('asks for enough attempts that at most 0.1% of steps fail for good, and the shortest back-off that works as well as longer ones', () => {
    const advice = adviseRetry(
      stats({
        firstAttempts: 1_000,
        firstFailures: 100,
        retries: 120,
        retrySuccesses: 60,
        retriesByDelay: {
          '<100ms': { retries: 40, successes: 8 },
          '<1s': { retries: 40, successes: 25 },
          '<10s': { retries: 40, successes: 27 },
        },
      }),
      DEFAULT_RETRY,
    )!;
    // 10% fail first; a retry succeeds half the time: 10% × 0.5^(n−1) ≤ 0.1% needs n − 1 = 7.
    expect(advice.recommendedMaxAttempts).toBe(8);
    // <100ms retries mostly fail; <1s is within 5 points of <10s: the current 200 ms (in <1s) stays.
    expect(advice.recommendedInitialDelayMs).toBe(200);
    expect(advice.explanation).toContain('100 of 1000 first attempts failed (10.0%)');
  });

  it('says one attempt when retries never help, and nothing below 30 retries', () => {
    expect(
      adviseRetry(stats({ firstAttempts: 100, firstFailures: 10, retries: 29, retrySuccesses: 0 }), DEFAULT_RETRY),
    ).toBeNull();
    const advice = adviseRetry(
      stats({
        firstAttempts: 100,
        firstFailures: 30,
        retries: 30,
        retrySuccesses: 0,
        retriesByDelay: { '<1s': { retries: 30, successes: 0 } },
      }),
      DEFAULT_RETRY,
    )!;
    expect(advice.recommendedMaxAttempts).toBe(1);
  });
});
