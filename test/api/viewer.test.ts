import { afterEach, describe, expect, it } from 'vitest';
import { bearer, collect } from '../support/server.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const VIEWER = '{ viewer { keyName role agentId keysRequired } }';

describe('viewer', () => {
  let server: TestApp | null = null;
  afterEach(async () => {
    await server?.close();
    server = null;
  });

  it('on an open server, answers the anonymous admin and that no key is required', async () => {
    server = await startTestApp();
    expect((await server.gql(VIEWER)).data).toEqual({
      viewer: { keyName: 'anonymous', role: 'ADMIN', agentId: null, keysRequired: false },
    });
  });

  it("with API keys, names the key's role over HTTP and graphql-ws, and is null (not an error) without a key", async () => {
    server = await startTestApp({
      API_KEYS: 'look:viewer:viewer-key-0123456789,w1:agent=agent_1:agent-key-0123456789',
    });
    expect(await server.gql(VIEWER)).toEqual({ data: { viewer: null } });
    expect((await server.gql(VIEWER, undefined, bearer('viewer-key-0123456789'))).data).toEqual({
      viewer: { keyName: 'look', role: 'VIEWER', agentId: null, keysRequired: true },
    });
    const overWs = await collect(server.wsClient({ authorization: 'Bearer agent-key-0123456789' }), VIEWER);
    expect(overWs).toEqual([
      { data: { viewer: { keyName: 'w1', role: 'AGENT', agentId: 'agent_1', keysRequired: true } } },
    ]);
  });
});
