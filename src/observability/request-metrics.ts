import { type DocumentNode, type ExecutionResult, getOperationAST } from 'graphql';
import { handleStreamOrSingleExecutionResult, type Plugin } from 'graphql-yoga';
import { Counter, Histogram, type Registry } from 'prom-client';

type Phase = 'parse' | 'validate' | 'execute' | 'subscribe';

/** What one HTTP request has told the metrics so far. */
interface RequestFacts {
  startedAt: number;
  operationType: string;
}

/**
 * GraphQL request metrics on prom-client, served as Prometheus text on `endpoint`:
 * `graphql_envelop_request{operationType}`, `graphql_envelop_error_result{operationType,phase}` and
 * `graphql_yoga_http_duration{operationType,method,statusCode}` (the names dashboards know from
 * envelop's Prometheus plugin). Labels are only values the server chooses: URL, operation name and
 * error path come from the client and would let any caller grow the number of series without bound.
 *
 * Written for the hot path: the library plugin cost about a tenth of a `handoff(id)` request in the
 * query benchmark (label objects and filters built per phase); this one does one map entry per request.
 */
export function useRequestMetrics(registry: Registry, endpoint: string): Plugin {
  const requests = new Counter({
    name: 'graphql_envelop_request',
    help: 'GraphQL operations executed or subscribed, by operation type.',
    labelNames: ['operationType'],
    registers: [registry],
  });
  const errors = new Counter({
    name: 'graphql_envelop_error_result',
    help: 'GraphQL errors, by the phase that produced them and operation type.',
    labelNames: ['operationType', 'phase'],
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: 'graphql_yoga_http_duration',
    help: 'Seconds from receiving a GraphQL HTTP request to its response, by operation type, method and status.',
    labelNames: ['operationType', 'method', 'statusCode'],
    registers: [registry],
  });
  const factsOf = new WeakMap<Request, RequestFacts>();
  const operationTypeOf = (context: { request?: Request }): string =>
    (context.request && factsOf.get(context.request)?.operationType) ?? 'unknown';
  const countErrors = (result: ExecutionResult, operationType: string, phase: Phase): void => {
    const count = result.errors?.length ?? 0;
    if (count > 0) errors.inc({ operationType, phase }, count);
  };
  const noteOperation = (
    context: { request?: Request },
    document: DocumentNode,
    operationName: string | null | undefined,
  ): string => {
    const facts = context.request && factsOf.get(context.request);
    // Over HTTP the parse hook has found it already; graphql-ws operations have no request.
    const known = facts && facts.operationType !== 'unknown' ? facts.operationType : undefined;
    const operationType = known ?? getOperationAST(document, operationName)?.operation ?? 'unknown';
    if (facts) facts.operationType = operationType;
    requests.inc({ operationType });
    return operationType;
  };

  return {
    onRequest({ request, url, fetchAPI, endResponse }) {
      if (url.pathname === endpoint) {
        return registry.metrics().then((text) => {
          endResponse(new fetchAPI.Response(text, { headers: { 'content-type': registry.contentType } }));
        });
      }
      factsOf.set(request, { startedAt: performance.now(), operationType: 'unknown' });
      return undefined;
    },
    onParse() {
      return ({ result, context }) => {
        if (result instanceof Error) errors.inc({ operationType: 'unknown', phase: 'parse' });
        else if (result !== null && context.request) {
          const facts = factsOf.get(context.request);
          const operationType = getOperationAST(result, context.params?.operationName)?.operation;
          if (facts && operationType) facts.operationType = operationType;
        }
      };
    },
    onValidate({ context }) {
      return ({ valid, result }) => {
        if (!valid)
          errors.inc({ operationType: operationTypeOf(context), phase: 'validate' }, Math.max(1, result.length));
      };
    },
    onExecute({ args }) {
      const operationType = noteOperation(
        args.contextValue as { request?: Request },
        args.document,
        args.operationName,
      );
      return {
        onExecuteDone: (payload) =>
          handleStreamOrSingleExecutionResult(payload, ({ result }) => countErrors(result, operationType, 'execute')),
      };
    },
    onSubscribe({ args }) {
      const operationType = noteOperation(
        args.contextValue as { request?: Request },
        args.document,
        args.operationName,
      );
      return {
        onSubscribeResult: (payload) =>
          handleStreamOrSingleExecutionResult(payload, ({ result }) => countErrors(result, operationType, 'subscribe')),
        onSubscribeError() {
          errors.inc({ operationType, phase: 'subscribe' });
        },
      };
    },
    onResponse({ request, response }) {
      const facts = factsOf.get(request);
      if (!facts) return;
      httpDuration.observe(
        { operationType: facts.operationType, method: request.method, statusCode: response.status },
        (performance.now() - facts.startedAt) / 1000,
      );
    },
  };
}

/**
 * `handoff_http_requests_refused_total{reason}`: requests turned away before Yoga saw them (body
 * caps), which the request metrics above never see.
 */
export function refusedRequestsCounter(registry: Registry): (reason: string) => void {
  const refused = new Counter({
    name: 'handoff_http_requests_refused_total',
    help: 'HTTP requests refused before GraphQL processing, by reason (too-large, empty, origin, too-many-streams).',
    labelNames: ['reason'],
    registers: [registry],
  });
  return (reason) => refused.inc({ reason });
}
