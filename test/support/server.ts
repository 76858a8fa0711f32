import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { pino } from 'pino';
import { createApp, type App } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';

export interface GraphQLResponse<T = any> {
  data?: T;
  errors?: { message: string; extensions?: Record<string, unknown>; path?: string[] }[];
}

export interface TestServer {
  app: App;
  url: string;
  wsUrl: string;
  /** POSTs one operation; returns the parsed body whatever the status. */
  gql<T = any>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GraphQLResponse<T>>;
  /** A graphql-ws client; closed with the server. */
  wsClient(connectionParams?: Record<string, unknown>): Client;
  close(): Promise<void>;
}

/** The real server on a free port with an in-memory store (unless env says otherwise). */
export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const config: Config = loadConfig({ STORE: 'memory', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', ...env });
  const app = await createApp(config, { logger: pino({ level: 'silent' }) });
  const address = await app.listen();
  const url = `http://127.0.0.1:${address.port}/graphql`;
  const wsUrl = `ws://127.0.0.1:${address.port}/graphql`;
  const clients: Client[] = [];
  return {
    app,
    url,
    wsUrl,
    async gql(query, variables, headers = {}) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as GraphQLResponse;
    },
    wsClient(connectionParams) {
      const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, connectionParams, retryAttempts: 0, lazy: true });
      clients.push(client);
      return client;
    },
    async close() {
      await Promise.all(clients.map((client) => client.dispose()));
      await app.close();
    },
  };
}

/** Runs one operation over graphql-ws and collects every result until it completes. */
export function collect<T = any>(client: Client, query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>[]> {
  return new Promise((resolve, reject) => {
    const results: GraphQLResponse<T>[] = [];
    client.subscribe<T>(
      { query, variables },
      {
        next: (value) => results.push(value as GraphQLResponse<T>),
        error: reject,
        complete: () => resolve(results),
      },
    );
  });
}
