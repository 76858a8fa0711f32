/**
 * The server one docs page runs against: the real app with the page's settings, reached through `yoga.fetch` for
 * GraphQL (no port), and listening on a free loopback port only when the page has shell blocks (curl, examples).
 */
import { pino } from 'pino';
import { type App, createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { testStoreSettings } from '../support/test-store.js';
import { TEST_SERVER_SETTINGS } from './substitutions.js';

export interface GraphQLAnswer {
  data?: unknown;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

export interface DocsServer {
  /** `127.0.0.1:port` when listening, else null. */
  readonly origin: string | null;
  request(query: string, variables: unknown): Promise<GraphQLAnswer>;
  /**
   * Runs a subscription over SSE and returns every result, until the stream completes or `enough` says so
   * (then the stream is cancelled, as a client that stops reading does).
   */
  subscribe(query: string, variables: unknown, enough?: (result: GraphQLAnswer) => boolean): Promise<GraphQLAnswer[]>;
  close(): Promise<void>;
}

export async function startDocsServer(pageEnv: Record<string, string>, listen: boolean): Promise<DocsServer> {
  // The test's store: in memory, or a fresh MongoDB database with HANDOFF_TEST_STORE=mongo (the CI script's MongoDB part).
  const store = testStoreSettings();
  const config = loadConfig({ ...pageEnv, ...TEST_SERVER_SETTINGS, ...store.settings });
  const app = await createApp(config, { logger: pino({ level: 'silent' }) });
  let origin: string | null = null;
  if (listen) origin = `127.0.0.1:${(await app.listen()).port}`;
  return {
    origin,
    async request(query, variables) {
      const response = await post(app, query, variables, 'application/graphql-response+json, application/json');
      return (await response.json()) as GraphQLAnswer;
    },
    async subscribe(query, variables, enough = () => false) {
      const response = await post(app, query, variables, 'text/event-stream');
      if (!response.headers.get('content-type')?.startsWith('text/event-stream'))
        return [(await response.json()) as GraphQLAnswer];
      return readEventStream(response, enough);
    },
    async close() {
      await app.close();
      await store.dispose();
    },
  };
}

async function post(app: App, query: string, variables: unknown, accept: string): Promise<Response> {
  return await app.yoga.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept },
    body: JSON.stringify({ query, variables: variables ?? undefined }),
  });
}

/** The `next` results of a graphql-sse stream (distinct connections mode), up to `complete` or `enough`. */
async function readEventStream(
  response: Response,
  enough: (result: GraphQLAnswer) => boolean,
): Promise<GraphQLAnswer[]> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const results: GraphQLAnswer[] = [];
  let buffered = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return results;
    buffered += value;
    let end = buffered.indexOf('\n\n');
    while (end >= 0) {
      const event = parseEvent(buffered.slice(0, end));
      buffered = buffered.slice(end + 2);
      end = buffered.indexOf('\n\n');
      if (event.type === 'complete') {
        await reader.cancel();
        return results;
      }
      if (event.type !== 'next' || !event.data) continue;
      const result = JSON.parse(event.data) as GraphQLAnswer;
      results.push(result);
      if (enough(result)) {
        await reader.cancel();
        return results;
      }
    }
  }
}

function parseEvent(text: string): { type: string | null; data: string } {
  let type: string | null = null;
  const data: string[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('event:')) type = line.slice(6).trim();
    else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
  }
  return { type, data: data.join('\n') };
}
