import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('an HTTP server error after listening (a failed accept, e.g. EMFILE)', () => {
  it('leaves open WebSocket subscriptions open and new ones possible', async () => {
    server = await startTestServer();
    const client = server.wsClient();
    const closed: number[] = [];
    client.on('closed', (event) => closed.push((event as { code: number }).code));
    const ping = () =>
      new Promise<unknown>((resolve, reject) =>
        client.subscribe({ query: '{ __typename }' }, { next: resolve, error: reject, complete: () => undefined }),
      );
    expect(await ping()).toEqual({ data: { __typename: 'Query' } });

    server.app.server.emit('error', Object.assign(new Error('accept EMFILE'), { code: 'EMFILE' }));

    expect(await ping()).toEqual({ data: { __typename: 'Query' } });
    expect(closed).toEqual([]);
  });
});
