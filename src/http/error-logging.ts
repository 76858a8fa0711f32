import { type ExecutionResult, GraphQLError } from 'graphql';
import { handleStreamOrSingleExecutionResult, type Plugin } from 'graphql-yoga';
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
 * Logs every unexpected execution error with the operation's request id, before Yoga masks it
 * (this plugin is registered ahead of Yoga's masking, so it sees the original error). The logged
 * errors are remembered so the Yoga logger adapter can skip its own, id-less duplicate line.
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
      return {
        onSubscribeResult: (payload) =>
          handleStreamOrSingleExecutionResult(payload, ({ result }) => report(result, scope, args.operationName)),
      };
    },
  };
}
