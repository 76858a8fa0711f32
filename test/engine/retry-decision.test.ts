import { describe, expect, it } from 'vitest';
import { isNonRetryableCode, nextRetryDelayMs } from '../../src/engine/kernel/handoff/retry-delay.js';
import { DEFAULT_RETRY } from '../../src/engine/kernel/procedures/procedure.js';
import { seededRandom } from '../../src/engine/shared/random.js';
import { retryAfterMs } from '../../src/engine/webhooks/retry-after.js';

const NOW = Date.UTC(2026, 10, 30, 9, 0, 0);

describe('Retry-After', () => {
  it('reads delay-seconds and HTTP dates, and nothing else', () => {
    expect(retryAfterMs('120', NOW)).toBe(120_000);
    expect(retryAfterMs(' 0 ', NOW)).toBe(0);
    expect(retryAfterMs(new Date(NOW + 30_000).toUTCString(), NOW)).toBe(30_000);
    expect(retryAfterMs(new Date(NOW - 30_000).toUTCString(), NOW)).toBe(0);
    expect(retryAfterMs(null, NOW)).toBeNull();
    expect(retryAfterMs('soon', NOW)).toBeNull();
    expect(retryAfterMs('-5', NOW)).toBeNull();
  });
});

describe('retry decisions', () => {
  it('take the wait Retry-After asks for, bounded by the policy maximum, else the back-off', () => {
    const policy = { ...DEFAULT_RETRY, maxDelayMs: 5_000, jitter: 0 };
    expect(nextRetryDelayMs(2, policy, seededRandom(1), 1_500)).toBe(1_500);
    expect(nextRetryDelayMs(2, policy, seededRandom(1), 3_600_000)).toBe(5_000);
    expect(nextRetryDelayMs(3, policy, seededRandom(1), null)).toBe(400);
  });

  it('never retry the codes a policy lists; HTTP_4XX is every 4xx but 408 and 429', () => {
    const byDefault = { ...DEFAULT_RETRY, nonRetryableCodes: undefined };
    for (const code of ['HTTP_400', 'HTTP_404', 'HTTP_422', 'VALIDATION_FAILED'])
      expect(isNonRetryableCode(code, byDefault), code).toBe(true);
    for (const code of ['HTTP_408', 'HTTP_429', 'HTTP_500', 'HTTP_503', 'TIMEOUT', 'INTERRUPTED', 'HTTP_4000'])
      expect(isNonRetryableCode(code, byDefault), code).toBe(false);
    expect(isNonRetryableCode('HTTP_400', { ...DEFAULT_RETRY, nonRetryableCodes: [] })).toBe(false);
    expect(isNonRetryableCode('HTTP_503', { ...DEFAULT_RETRY, nonRetryableCodes: ['HTTP_503'] })).toBe(true);
  });
});
