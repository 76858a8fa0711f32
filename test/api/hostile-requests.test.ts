import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpRequest } from '../support/raw-http.js';
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
