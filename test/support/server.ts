import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { type Client, createClient } from 'graphql-ws';
import { pino } from 'pino';
import WebSocket from 'ws';
import { type App, createApp } from '../../src/app.js';
import { type Config, loadConfig } from '../../src/config.js';
import type { Clock } from '../../src/engine/shared/clock.js';
import type { Database } from '../../src/store/collection.js';
import { testStoreSettings } from './test-store.js';

export interface GraphQLResponse<T = any> {
  data?: T;
  errors?: { message: string; extensions?: Record<string, unknown>; path?: string[] }[];
}

export interface TestServer {
  app: App;
  url: string;
  wsUrl: string;
  /** POSTs one operation; returns the parsed body whatever the status. */
  gql<T = any>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<GraphQLResponse<T>>;
  /** A graphql-ws client; closed with the server. */
  wsClient(connectionParams?: Record<string, unknown>): Client;
  /**
   * Runs a subscription to its end and returns every result: here over graphql-ws (`headers.authorization`
   * goes in the connection params), over SSE through yoga.fetch for a TestApp.
   */
  subscribe<T = any>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<GraphQLResponse<T>[]>;
  /** Origin of the server (http://127.0.0.1:port), for non-GraphQL paths like /metrics. */
  origin: string;
  /** Parsed JSON log lines, when started with `logLevel`. */
  logs: Record<string, any>[];
  close(): Promise<void>;
}

/** What the helpers in test/support need of a server: a test app (yoga.fetch) or a real one on a port. */
export type GraphQLApi = Pick<TestServer, 'gql' | 'wsClient' | 'subscribe'>;

export interface TestServerOptions {
  /** Use this store instead of a fresh in-memory one (e.g. one that records or fails). */
  db?: Database;
  /** Capture the server's logs at this level into `logs` (default: none). */
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** The engine's clock (default: the system clock), e.g. a ManualClock to move time on by hand. */
  clock?: Clock;
  /** Record spans here (e.g. an InMemorySpanExporter) as if tracing were configured. */
  spanExporter?: SpanExporter;
}

/**
 * The app as the server builds it, not listening yet: an in-memory store unless env names one, or
 * HANDOFF_TEST_STORE says otherwise (`dispose` then drops the test's database, after `app.close()`).
 */
export async function createTestApp(
  env: Record<string, string> = {},
  options: TestServerOptions = {},
): Promise<{ app: App; logs: Record<string, any>[]; dispose(): Promise<void> }> {
  const store =
    env.STORE || env.MONGODB_URL
      ? { settings: {}, dispose: async () => undefined }
      : options.db
        ? { settings: { STORE: 'memory' }, dispose: async () => undefined }
        : testStoreSettings();
  const config: Config = loadConfig({ ...store.settings, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', ...env });
  const logs: Record<string, any>[] = [];
  const logger = options.logLevel
    ? pino({ level: options.logLevel }, { write: (line: string) => void logs.push(JSON.parse(line)) })
    : pino({ level: 'silent' });
  const app = await createApp(config, {
    logger,
    db: options.db,
    clock: options.clock,
    spanExporter: options.spanExporter,
  });
  return { app, logs, dispose: store.dispose };
}

/** A graphql-ws client for `url` (a string, or a function that opens the port on first use); closed by the caller. */
export function graphqlWsClient(
  url: string | (() => Promise<string>),
  connectionParams?: Record<string, unknown>,
): Client {
  return createClient({ url, webSocketImpl: WebSocket, connectionParams, retryAttempts: 0, lazy: true });
}

/** The real server on a free port with an in-memory store (unless env or HANDOFF_TEST_STORE says otherwise). */
export async function startTestServer(
  env: Record<string, string> = {},
  options: TestServerOptions = {},
): Promise<TestServer> {
  const { app, logs, dispose } = await createTestApp(env, options);
  const address = await app.listen();
  const url = `http://127.0.0.1:${address.port}/graphql`;
  const wsUrl = `ws://127.0.0.1:${address.port}/graphql`;
  const clients: Client[] = [];
  return {
    app,
    url,
    wsUrl,
    origin: `http://127.0.0.1:${address.port}`,
    logs,
    async gql(query, variables, headers = {}) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as GraphQLResponse;
    },
    wsClient(connectionParams) {
      const client = graphqlWsClient(wsUrl, connectionParams);
      clients.push(client);
      return client;
    },
    subscribe(query, variables, headers = {}) {
      const client = graphqlWsClient(wsUrl, headers.authorization ? { authorization: headers.authorization } : {});
      clients.push(client);
      return collect(client, query, variables);
    },
    async close() {
      await Promise.all(clients.map((client) => client.dispose()));
      await app.close();
      await dispose();
    },
  };
}

/** Runs one operation over graphql-ws and collects every result until it completes. */
export function collect<T = any>(
  client: Client,
  query: string,
  variables?: Record<string, unknown>,
): Promise<GraphQLResponse<T>[]> {
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

/** Bearer authorization header for a key. */
export function bearer(key: string): Record<string, string> {
  return { authorization: `Bearer ${key}` };
}

/** A raw WebSocket for protocol-level tests: frames in, frames and close code out. */
export interface RawSocket {
  socket: WebSocket;
  send(frame: string | Buffer): void;
  /** The next text frame, parsed as JSON. */
  next(): Promise<any>;
  /** Resolves with the close code once the socket is closed. */
  closed: Promise<{ code: number; reason: string }>;
}

export function openRawSocket(
  wsUrl: string,
  options: { protocol?: string; headers?: Record<string, string>; localAddress?: string } = {},
): Promise<RawSocket> {
  const socket = new WebSocket(wsUrl, options.protocol ?? 'graphql-transport-ws', {
    headers: options.headers,
    localAddress: options.localAddress,
  });
  const queue: any[] = [];
  const waiting: ((frame: any) => void)[] = [];
  socket.on('message', (data) => {
    const frame = JSON.parse(String(data));
    const waiter = waiting.shift();
    if (waiter) waiter(frame);
    else queue.push(frame);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.once('open', () =>
      resolve({
        socket,
        send: (frame) => socket.send(frame),
        next: () => (queue.length > 0 ? Promise.resolve(queue.shift()) : new Promise((r) => waiting.push(r))),
        closed,
      }),
    );
  });
}
