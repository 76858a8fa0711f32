import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { httpRequest, openEventStream } from '../support/raw-http.js';
import { openRawSocket, startTestServer, type TestServer } from '../support/server.js';

/**
 * Hostile requests found in the third red-team round (N5, N11, N13): each gets a clear 4xx answer,
 * nothing internal leaks, and the server keeps serving.
 */

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({});
});
afterAll(() => server.close());

const STACK_FRAME = /\bat .*\.(ts|js):\d+|\/work\/|node_modules/;

async function stillServes(): Promise<void> {
  const reply = await server.gql('{ procedure(id: "PHASE_TRANSITION_STANDARD") { id } }');
  expect(reply.errors).toBeUndefined();
}

describe('a list literal nested thousands of levels deep (N13)', () => {
  const deepList = (depth: number) => `{ procedures(x: ${'['.repeat(depth)}1${']'.repeat(depth)}) { id } }`;

  function expectClearRefusal(reply: { status: number; text: string }): void {
    expect(reply.status).toBe(400);
    const body = JSON.parse(reply.text);
    expect(body.errors[0].message).toMatch(/brackets nest more than 100 levels deep/);
    expect(body.errors[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(reply.text).not.toMatch(STACK_FRAME);
  }

  it.each([2_000, 20_000])('%i levels in a POST: 400 with a clear error, never a 500', async (depth) => {
    const post = await httpRequest(server.origin, {
      method: 'POST',
      path: '/graphql',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: deepList(depth) }),
    });
    expectClearRefusal(post);
    await stillServes();
  });

  // (20,000 levels do not fit in a URL: Node answers 431 before any handler runs.)
  it('2,000 levels in an anonymous GET: the same 400', async () => {
    expectClearRefusal(
      await httpRequest(server.origin, { path: `/graphql?query=${encodeURIComponent(deepList(2_000))}` }),
    );
    await stillServes();
  });

  it('over graphql-ws the operation gets the same error and the socket stays open', async () => {
    const socket = await openRawSocket(server.wsUrl);
    socket.send(JSON.stringify({ type: 'connection_init' }));
    await socket.next();
    socket.send(JSON.stringify({ id: 'deep', type: 'subscribe', payload: { query: deepList(5_000) } }));
    const reply = await socket.next();
    expect(reply).toMatchObject({ id: 'deep', type: 'error' });
    expect(reply.payload[0].message).toMatch(/brackets nest more than 100 levels deep/);
    socket.send(JSON.stringify({ id: 'after', type: 'subscribe', payload: { query: '{ __typename }' } }));
    expect(await socket.next()).toMatchObject({ id: 'after', type: 'next' });
    socket.socket.close();
  });

  it('brackets inside strings and comments do not count', async () => {
    const brackets = '['.repeat(500);
    const reply = await server.gql(
      `# ${brackets}\n{ a: procedure(id: "${brackets}\\"${brackets}") { id } b: procedure(id: """${brackets}\\"""${brackets}""") { id } }`,
    );
    expect(reply).toEqual({ data: { a: null, b: null } });
  });
});

describe('a REST route called with the wrong method (N5)', () => {
  const ADMIN_KEY = 'admin-key-0123456789abcdef';
  let keyed: TestServer;

  beforeAll(async () => {
    keyed = await startTestServer({ API_KEYS: `owner:admin:${ADMIN_KEY}` }, { logLevel: 'warn' });
  });
  afterAll(() => keyed.close());

  it.each([
    ['GET', '/rest/cancel-handoff', 'POST'],
    ['DELETE', '/rest/cancel-handoff', 'POST'],
    ['PUT', '/rest/procedures', 'GET'],
    ['POST', '/rest/openapi.json', 'GET'],
  ])('%s %s: 405 with Allow: %s, a JSON error, no stack, logged', async (method, path, allowed) => {
    const reply = await httpRequest(keyed.origin, {
      method,
      path,
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      // (Node sends a DELETE's body without a length: it would read as a second request.)
      body: method === 'GET' || method === 'DELETE' ? undefined : '{}',
    });
    expect(reply.status).toBe(405);
    expect(reply.headers.allow).toBe(allowed);
    expect(reply.headers['content-type']).toMatch(/application\/json/);
    expect(JSON.parse(reply.text)).toEqual({
      errors: [
        {
          message: `${method} is not served at ${path}; it answers ${allowed}`,
          extensions: { code: 'METHOD_NOT_ALLOWED' },
        },
      ],
    });
    expect(reply.text).not.toMatch(STACK_FRAME);
    expect(keyed.logs.some((line) => line.msg?.includes('method not allowed') && line.path === path)).toBe(true);
  });

  it('with no key, a wrong key, or on an open server: never a stack trace', async () => {
    const replies = [
      await httpRequest(keyed.origin, { path: '/rest/cancel-handoff' }),
      await httpRequest(keyed.origin, {
        path: '/rest/cancel-handoff',
        headers: { authorization: 'Bearer not-a-key-0123456789' },
      }),
      await httpRequest(server.origin, { path: '/rest/cancel-handoff' }),
    ];
    // No key is an anonymous caller: the method is still wrong. A wrong key is refused first.
    expect(replies.map((reply) => reply.status)).toEqual([405, 401, 405]);
    for (const reply of replies) expect(reply.text).not.toMatch(STACK_FRAME);
  });
});

describe('an open server on every interface checks the Host header too (N11)', () => {
  let wide: App;
  let origin: string;
  let port: number;

  /** Configured as HOST=0.0.0.0 (the policy follows the setting); bound to loopback for the test all the same. */
  async function startWide(env: Record<string, string> = {}): Promise<{ app: App; origin: string; port: number }> {
    const config = loadConfig({ STORE: 'memory', PORT: '0', HOST: '0.0.0.0', LOG_LEVEL: 'silent', ...env });
    const app = await createApp(config, { logger: pino({ level: 'silent' }) });
    await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve));
    const bound = (app.server.address() as AddressInfo).port;
    return { app, origin: `http://127.0.0.1:${bound}`, port: bound };
  }

  beforeAll(async () => {
    ({ app: wide, origin, port } = await startWide());
  });
  afterAll(() => wide.close());

  const query = `/graphql?query=${encodeURIComponent('{ procedure(id: "PHASE_TRANSITION_STANDARD") { id } }')}`;

  it('a GET, a POST, an SSE stream and a WebSocket naming a foreign host are refused with 403', async () => {
    const host = `evil.example:${port}`;
    const get = await httpRequest(origin, { path: query, headers: { host } });
    const post = await httpRequest(origin, {
      method: 'POST',
      path: '/graphql',
      headers: { host, 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'mutation { registerAgent(input: { id: "rebound" }) { agent { id } } }' }),
    });
    const rest = await httpRequest(origin, { path: '/rest/procedures', headers: { host } });
    expect([get.status, post.status, rest.status]).toEqual([403, 403, 403]);
    expect(JSON.parse(get.text).errors[0].message).toMatch(/Host not allowed/);
    const stream = await openEventStream(origin, {
      path: `/graphql?query=${encodeURIComponent('subscription { handoffEvents { seq } }')}`,
      headers: { host },
    });
    expect(stream.status).toBe(403);
    stream.close();
    await expect(openRawSocket(`ws://127.0.0.1:${port}/graphql`, { headers: { host } })).rejects.toThrow(/403/);
    const agent = await httpRequest(origin, {
      path: `/graphql?query=${encodeURIComponent('{ agent(id: "rebound") { id } }')}`,
    });
    expect(JSON.parse(agent.text).data.agent).toBeNull();
  });

  it('loopback names and IP addresses (which no page can rebind) are served', async () => {
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `192.168.1.5:${port}`, `[fe80::1]:${port}`]) {
      const reply = await httpRequest(origin, { path: query, headers: { host } });
      expect(reply.status, host).toBe(200);
    }
  });

  it('ALLOWED_HOSTS names the host names it may also be called by', async () => {
    const named = await startWide({ ALLOWED_HOSTS: 'handoff.internal' });
    try {
      const allowed = await httpRequest(named.origin, {
        path: query,
        headers: { host: `handoff.internal:${named.port}` },
      });
      const other = await httpRequest(named.origin, { path: query, headers: { host: `other.internal:${named.port}` } });
      expect([allowed.status, other.status]).toEqual([200, 403]);
    } finally {
      await named.app.close();
    }
  });
});
