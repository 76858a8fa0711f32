import { GraphQLError } from 'graphql';
import { maskError, type YogaServerOptions } from 'graphql-yoga';
import { StoreUnavailableError } from '../engine/kernel/ports/store-errors.js';

type MaskError = NonNullable<
  Exclude<YogaServerOptions<object, object>['maskedErrors'], boolean | undefined>
>['maskError'];

const STORE_UNAVAILABLE =
  'The store could not complete this operation (it is unavailable or full), so nothing of it was acknowledged. ' +
  'Retry later; a handoff retried with the same handoffId is never started twice.';

/**
 * Yoga's masking, except for a failed store operation: the client learns what happened and what to
 * do (code STORE_UNAVAILABLE), never the database's own words, which stay in the log.
 */
export const maskStoreErrors: NonNullable<MaskError> = (error, message, isDev) => {
  const original = error instanceof GraphQLError ? error.originalError : error;
  if (original instanceof StoreUnavailableError) {
    return new GraphQLError(STORE_UNAVAILABLE, {
      nodes: error instanceof GraphQLError ? error.nodes : undefined,
      path: error instanceof GraphQLError ? error.path : undefined,
      extensions: { code: 'STORE_UNAVAILABLE' },
    });
  }
  return maskError(error, message, isDev);
};
