import type { Client } from 'graphql-ws';
import type { App } from '../../src/app.js';
import { createTestApp, type GraphQLResponse, graphqlWsClient, type TestServerOptions } from './server.js';

/**
 * The app in the test's own process with no port: GraphQL (SSE subscriptions included) and REST go through
 * `app.yoga.fetch`, as graphql-yoga's own tests do, so nothing waits on a socket or competes for a port.
 *
 * What it does not pass through is the node adapter in front of Yoga: API-key 401s, origin and Host checks,
 * served paths, the body cap, SSE stream limits, request ids from the header. Tests of those, of raw HTTP or
 * of anything a crash or a second process shows, use startTestServer (or a server process) instead.
 */
export interface TestApp {
  app: App;
  /** Parsed JSON log lines, when started with `logLevel`. */
  logs: Record<string, any>[];
  /** POSTs one operation to /graphql through yoga.fetch; the parsed body whatever the status. */
  gql<T = any>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<GraphQLResponse<T>>;
  /** Any path (`/graphql?query=…`, `/api/…`, `/metrics`) through yoga.fetch. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /**
   * A graphql-ws client. WebSockets need a socket: the first one opens the server on a free port of
   * 127.0.0.1 when it connects; tests that never subscribe over graphql-ws never listen.
   */
  wsClient(connectionParams?: Record<string, unknown>): Client;
  /** Runs a subscription to its end over SSE (a streamed yoga.fetch response, no port); every result. */
  subscribe<T = any>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<GraphQLResponse<T>[]>;
  close(): Promise<void>;
}

const YOGA_ORIGIN = 'http://yoga';

export async function startTestApp(
  env: Record<string, string> = {},
  options: TestServerOptions = {},
): Promise<TestApp> {
  const { app, logs, dispose } = await createTestApp(env, options);
  const clients: Client[] = [];
  let listening: Promise<string> | undefined;
  const wsUrl = () => {
    listening ??= app.listen().then((address) => `ws://127.0.0.1:${address.port}/graphql`);
    return listening;
  };
  const fetchPath = (path: string, init?: RequestInit) =>
    Promise.resolve(app.yoga.fetch(`${YOGA_ORIGIN}${path}`, init ?? {}));
  return {
    app,
    logs,
    fetch: fetchPath,
    async gql(query, variables, headers = {}) {
      const response = await fetchPath('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as GraphQLResponse;
    },
    async subscribe(query, variables, headers = {}) {
      const response = await fetchPath('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return serverSentResults(response);
    },
    wsClient(connectionParams) {
      const client = graphqlWsClient(wsUrl, connectionParams);
      clients.push(client);
      return client;
    },
    async close() {
      await Promise.all(clients.map((client) => client.dispose()));
      await app.close();
      await dispose();
    },
  };
}

/**
 * The results of a GraphQL-over-SSE response, read to its `complete` event (a refused request, answered
 * with a plain JSON body, is its only result).
 */
async function serverSentResults(response: Response): Promise<GraphQLResponse[]> {
  if (!response.headers.get('content-type')?.includes('text/event-stream'))
    return [(await response.json()) as GraphQLResponse];
  const results: GraphQLResponse[] = [];
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffered += decoder.decode(chunk, { stream: true });
    for (let end = buffered.indexOf('\n\n'); end >= 0; end = buffered.indexOf('\n\n')) {
      const message = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      const event = /^event: ?(.*)$/m.exec(message)?.[1];
      const data = message
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trimStart())
        .join('\n');
      if (event === 'complete') return results;
      if (data) results.push(JSON.parse(data) as GraphQLResponse);
    }
  }
  return results;
}
