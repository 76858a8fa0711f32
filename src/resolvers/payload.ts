import type { Outcome } from '../engine/shared/user-error.js';
import type { Payload } from '../schema/user-error.js';

/** An engine outcome as a mutation payload: the value, or the userErrors. */
export function toPayload<T>(outcome: Outcome<T>): Payload<T> {
  return outcome.ok ? { value: outcome.value, userErrors: [] } : { value: null, userErrors: outcome.errors };
}
