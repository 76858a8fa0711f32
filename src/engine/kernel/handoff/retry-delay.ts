import type { Random } from '../../shared/random.js';
import { DEFAULT_NON_RETRYABLE_CODES, type RetryPolicy } from '../procedures/procedure.js';

/**
 * Wait before attempt `nextAttempt` (2 = first retry): exponential, capped, with the
 * policy's share of it randomised so that many failing handoffs do not retry in lockstep.
 */
export function retryDelayMs(nextAttempt: number, policy: RetryPolicy, random: Random): number {
  const exponential = policy.initialDelayMs * policy.multiplier ** Math.max(0, nextAttempt - 2);
  const capped = Math.min(policy.maxDelayMs, exponential);
  const spread = capped * policy.jitter;
  return Math.max(0, Math.round(capped - spread + random.next() * 2 * spread));
}

/**
 * The wait before the next attempt: what the other side asked for (Retry-After) when it did, bounded
 * by the policy's maximum delay so a far-off date cannot park a handoff; else the policy's back-off.
 */
export function nextRetryDelayMs(
  nextAttempt: number,
  policy: RetryPolicy,
  random: Random,
  retryAfterMs: number | null,
): number {
  if (retryAfterMs !== null) return Math.min(policy.maxDelayMs, Math.max(0, Math.round(retryAfterMs)));
  return retryDelayMs(nextAttempt, policy, random);
}

/** Whether the policy lists `code` as one another attempt cannot help with. */
export function isNonRetryableCode(code: string, policy: RetryPolicy): boolean {
  const listed = policy.nonRetryableCodes ?? DEFAULT_NON_RETRYABLE_CODES;
  return listed.some(
    (entry) =>
      entry === code ||
      (entry === 'HTTP_4XX' && /^HTTP_4\d\d$/.test(code) && code !== 'HTTP_408' && code !== 'HTTP_429'),
  );
}
