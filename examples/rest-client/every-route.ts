/**
 * A REST client generated from the server's OpenAPI document, calling every route: the types come from
 * openapi-typescript (`npm run schema` writes ./generated/openapi.ts), the calls from openapi-fetch,
 * with no query serializer or other adjustment of its own. call-every-route.ts runs it from a shell.
 */
import createClient from 'openapi-fetch';
import type { paths } from './generated/openapi.js';

export interface RouteCall {
  route: string;
  status: number;
  body: unknown;
}

export interface EveryRouteOptions {
  /** Where the REST routes are, e.g. http://localhost:4000/rest. */
  baseUrl: string;
  /** An API key, when the server requires one (an operator's: the routes start and cancel things). */
  apiKey?: string;
  /** The procedure to start handoffs of, and the name of its step that waits for a signal (if any). */
  procedureId: string;
  signalStep: string;
  /** Unique per run: the handoff ids start with it. */
  runId: string;
}

/** Calls each of the fourteen routes once, in an order where each has something to act on. */
export async function callEveryRoute(options: EveryRouteOptions): Promise<RouteCall[]> {
  const client = createClient<paths>({
    baseUrl: options.baseUrl,
    headers: options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {},
  });
  const calls: RouteCall[] = [];
  const record = (route: string, answer: { response: Response; data?: unknown; error?: unknown }) => {
    calls.push({ route, status: answer.response.status, body: answer.data ?? answer.error });
  };
  const handoffId = `${options.runId}_1`;
  const other = `${options.runId}_2`;
  const handoff = {
    procedureId: options.procedureId,
    sourceAgent: 'agent_1',
    targetAgent: 'agent_2',
    metadata: { phaseComplete: true },
  };

  record(
    'POST /initiate-handoff',
    await client.POST('/initiate-handoff', { body: { input: { handoffId, ...handoff } } }),
  );
  record(
    'POST /initiate-handoff',
    await client.POST('/initiate-handoff', { body: { input: { handoffId: other, ...handoff } } }),
  );
  record('GET /handoff/{id}', await client.GET('/handoff/{id}', { params: { path: { id: handoffId } } }));
  record(
    'GET /handoffs',
    await client.GET('/handoffs', {
      params: { query: { first: 10, procedureId: [options.procedureId], status: ['PENDING', 'RUNNING', 'WAITING'] } },
    }),
  );
  record(
    'POST /signal-handoff',
    await client.POST('/signal-handoff', {
      body: { input: { id: handoffId, step: options.signalStep, payload: { approvedBy: 'rest-client' } } },
    }),
  );
  record(
    'POST /cancel-handoff',
    await client.POST('/cancel-handoff', { body: { input: { id: other, reason: 'not needed' } } }),
  );

  record('GET /procedures', await client.GET('/procedures', { params: { query: { first: 5 } } }));
  record('GET /procedure/{id}', await client.GET('/procedure/{id}', { params: { path: { id: options.procedureId } } }));

  const session = await client.POST('/start-validation-session', {
    body: { input: { procedureId: 'PHASE_TRANSITION_STANDARD', context: { phaseComplete: true } } },
  });
  record('POST /start-validation-session', session);
  const sessionId = session.data?.session?.sessionId ?? 'none';
  record(
    'GET /validation-session/{id}',
    await client.GET('/validation-session/{id}', { params: { path: { id: sessionId } } }),
  );
  record(
    'GET /validation-sessions',
    await client.GET('/validation-sessions', {
      params: { query: { first: 5, procedureId: 'PHASE_TRANSITION_STANDARD' } },
    }),
  );

  const test = await client.POST('/start-reliability-test', {
    body: { input: { configId: 'RELIABILITY_STANDARD', overrides: { iterations: 10 }, seed: 1 } },
  });
  record('POST /start-reliability-test', test);
  const testId = test.data?.test?.testId ?? 'none';
  record(
    'GET /reliability-test/{id}',
    await client.GET('/reliability-test/{id}', { params: { path: { id: testId } } }),
  );
  record(
    'GET /reliability-tests',
    await client.GET('/reliability-tests', { params: { query: { first: 5, configId: 'RELIABILITY_STANDARD' } } }),
  );
  record(
    'POST /cancel-reliability-test',
    await client.POST('/cancel-reliability-test', { body: { input: { id: testId, reason: 'a demonstration' } } }),
  );
  return calls;
}
