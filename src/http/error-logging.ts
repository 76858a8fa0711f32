import { type ExecutionResult, GraphQLError } from 'graphql';
import { handleStreamOrSingleExecutionResult, isAsyncIterable, mapAsyncIterator, type Plugin } from 'graphql-yoga';
import type { RequestScope } from './request-scope.js';

/**
 * Errors a client would see as "Unexpected error.": thrown by code (a bug, a store or driver
 * failure), not a deliberate `GraphQLError`.
 */
function isUnexpected(error: GraphQLError): boolean {
  return (
    error.originalError !== undefined && error.originalError !== null && !(error.originalError instanceof GraphQLError)
  );
}

/**
 * What a subscription stream that ended by throwing threw, when it was not a deliberate GraphQLError
 * nor the client going away (the executor may have wrapped it in a located GraphQLError); else null.
 */
function unexpectedThrow(error: unknown): Error | null {
  if (error instanceof GraphQLError) return isUnexpected(error) ? (error.originalError as Error) : null;
  if (!(error instanceof Error) || error.name === 'AbortError') return null;
  return error;
}

/**
 * Logs every unexpected execution error with the operation's request id, before Yoga masks it
 * (this plugin is registered ahead of Yoga's masking, so it sees the original error); so too an
 * error a subscription stream throws midway, which Yoga masks and logs naming no request. The
 * logged errors are remembered so Yoga's own line for them is skipped (YogaLogLines).
 */
export function useUnexpectedErrorLogging(alreadyLogged: WeakSet<object>): Plugin<{ scope?: RequestScope }> {
  // The scope's logger is made on first use: only when there is something to log.
  const report = (
    result: ExecutionResult,
    scope: RequestScope | undefined,
    operationName: string | null | undefined,
  ): void => {
    for (const error of result.errors ?? []) {
      if (!isUnexpected(error) || alreadyLogged.has(error)) continue;
      alreadyLogged.add(error);
      alreadyLogged.add(error.originalError as object);
      scope?.logger.error(
        { err: error.originalError, path: error.path, operationName },
        'unexpected error while executing an operation',
      );
    }
  };
  return {
    onExecute({ args }) {
      const scope = (args.contextValue as { scope?: RequestScope }).scope;
      return {
        onExecuteDone: (payload) =>
          handleStreamOrSingleExecutionResult(payload, ({ result }) => report(result, scope, args.operationName)),
      };
    },
    onSubscribe({ args }) {
      const scope = (args.contextValue as { scope?: RequestScope }).scope;
      const reportThrown = (error: unknown): never => {
        const original = unexpectedThrow(error);
        if (original && !alreadyLogged.has(original)) {
          alreadyLogged.add(error as object);
          alreadyLogged.add(original);
          scope?.logger.error(
            { err: original, operationName: args.operationName },
            'unexpected error in a subscription stream',
          );
        }
        throw error;
      };
      return {
        onSubscribeResult: (payload) => {
          if (isAsyncIterable(payload.result))
            payload.setResult(mapAsyncIterator(payload.result, (value) => value, reportThrown));
          return handleStreamOrSingleExecutionResult(payload, ({ result }) =>
            report(result, scope, args.operationName),
          );
        },
      };
    },
  };
}
