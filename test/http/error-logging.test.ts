import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSchema, createYoga, maskError } from 'graphql-yoga';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { useUnexpectedErrorLogging } from '../../src/http/error-logging.js';
import { scopeOfRequest, withRequestScope } from '../../src/http/request-scope.js';
import { YogaLogLines } from '../../src/http/yoga-log-lines.js';

/** A subscription whose stream sends one event, then throws: a failure midway, after the response began. */
function serve() {
  const logs: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  const logged = new WeakSet<object>();
  const lines = new YogaLogLines(logger, logged);
  const yoga = createYoga<{ req: IncomingMessage }>({
    schema: createSchema({
      typeDefs: 'type Query { ok: Boolean } type Subscription { ticks: Int }',
      resolvers: {
        Subscription: {
          ticks: {
            subscribe: async function* () {
              yield { ticks: 1 };
              throw new Error('secret stream failure');
            },
          },
        },
      },
    }),
    logging: lines.logging,
    maskedErrors: { maskError: lines.remembering(maskError) },
    context: ({ req }) => ({ scope: scopeOfRequest(req) }),
    plugins: [useUnexpectedErrorLogging(logged), lines.plugin],
  });
  return { server: createServer(withRequestScope(logger, yoga)), logs };
}

describe('an unexpected error thrown midway through a subscription stream (SSE)', () => {
  it('is logged once, with the request id, and masked for the client', async () => {
    const { server, logs } = serve();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    try {
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'x-request-id': 'req-stream' },
        body: JSON.stringify({ query: 'subscription { ticks }' }),
      });
      const text = await response.text();
      expect(text).toContain('{"data":{"ticks":1}}');
      expect(text).toContain('Unexpected error.');
      expect(text).not.toMatch(/secret/);
      await new Promise((resolve) => setImmediate(resolve));
      const failures = logs.filter((line) => JSON.stringify(line).includes('secret stream failure'));
      expect(failures.map((line) => [line.reqId, line.msg])).toEqual([
        ['req-stream', 'unexpected error in a subscription stream'],
      ]);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
