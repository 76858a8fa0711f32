import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSchema, createYoga, maskError } from 'graphql-yoga';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { withRequestScope } from '../../src/http/request-scope.js';
import { YogaLogLines } from '../../src/http/yoga-log-lines.js';

/**
 * Errors Yoga masks outside execution (a failing context or plugin hook) are logged by Yoga itself,
 * through a logger that names no request: at info level (no AsyncLocalStorage) each line must still
 * carry the id of the request it failed.
 */
function serve(failIn: 'context' | 'onParams') {
  const logs: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  const lines = new YogaLogLines(logger, new WeakSet());
  const failure = (request: Request) => new Error(`secret failure of ${request.headers.get('x-fail')}`);
  const yoga = createYoga({
    schema: createSchema({ typeDefs: 'type Query { ok: Boolean }', resolvers: { Query: { ok: () => true } } }),
    logging: lines.logging,
    maskedErrors: { maskError: lines.remembering(maskError) },
    context: ({ request }) => {
      if (failIn === 'context') throw failure(request);
      return {};
    },
    plugins: [
      lines.plugin,
      {
        onParams({ request }) {
          if (failIn === 'onParams') throw failure(request);
        },
      },
    ],
  });
  const server = createServer(withRequestScope(logger, yoga));
  return { yoga, server, logs };
}

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

const ask = (url: string, id: string) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': id, 'x-fail': id },
    body: JSON.stringify({ query: '{ ok }' }),
  });

describe.each(['context', 'onParams'] as const)('an unexpected error thrown in the %s', (failIn) => {
  it('is logged once, with the request id of the request it failed, and masked for the client', async () => {
    const served = serve(failIn);
    server = served.server;
    await new Promise<void>((resolve) => served.server.listen(0, '127.0.0.1', () => resolve()));
    const url = `http://127.0.0.1:${(served.server.address() as AddressInfo).port}/graphql`;

    const responses = await Promise.all(['req-a', 'req-b', 'req-c'].map((id) => ask(url, id)));
    for (const response of responses) expect(JSON.stringify(await response.json())).not.toMatch(/secret/);

    const failures = served.logs.filter((line) => JSON.stringify(line).includes('secret failure'));
    expect(failures.map((line) => [line.reqId, (line.err as { message: string }).message]).sort()).toEqual([
      ['req-a', 'secret failure of req-a'],
      ['req-b', 'secret failure of req-b'],
      ['req-c', 'secret failure of req-c'],
    ]);
  });

  it('is still logged, once and without an id, when no Node request carries it (yoga.fetch)', async () => {
    const served = serve(failIn);
    await served.yoga.fetch('http://yoga/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-fail': 'fetched' },
      body: JSON.stringify({ query: '{ ok }' }),
    });
    await new Promise((resolve) => setImmediate(resolve));
    const failures = served.logs.filter((line) => JSON.stringify(line).includes('secret failure of fetched'));
    expect(failures).toHaveLength(1);
    expect(failures[0]?.reqId).toBeUndefined();
  });
});
