import type { RetryPolicy } from '../procedures/procedure.js';
import type { Random } from '../shared/random.js';

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
