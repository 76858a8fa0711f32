import { GraphQLError } from 'graphql';
import type { Outcome } from '../engine/shared/user-error.js';
import type { Payload } from '../schema/user-error.js';

/** An engine outcome as a mutation payload: the value, or the userErrors. */
export function toPayload<T>(outcome: Outcome<T>): Payload<T> {
  return outcome.ok ? { value: outcome.value, userErrors: [] } : { value: null, userErrors: outcome.errors };
}

/**
 * Like toPayload, but a FORBIDDEN outcome (an agent's key acting on another agent's work) is the
 * same GraphQL error scope-auth gives, not a userError: who may act is not an input mistake.
 */
export function toAuthorizedPayload<T>(outcome: Outcome<T>): Payload<T> {
  if (!outcome.ok && outcome.errors.some((error) => error.code === 'FORBIDDEN')) {
    throw new GraphQLError('Your API key does not allow this operation', { extensions: { code: 'FORBIDDEN' } });
  }
  return toPayload(outcome);
}
