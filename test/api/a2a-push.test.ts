import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SdkPeer, startSdkPeer } from '../support/a2a-sdk-peer.js';
import { createProcedure, initiate } from '../support/handoff-fixtures.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { waitFor } from '../support/server-process.js';

let server: TestServer;
let peer: SdkPeer;

/** A port free right now: the server must know its own public URL before it listens. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

const HANDOFF = `query { handoff(id: "push_1") { status steps { status output } openAgentTasks { waitingForAnswer } } }`;

beforeAll(async () => {
  peer = await startSdkPeer({ streaming: false, pushNotifications: true });
  const port = await freePort();
  server = await startTestServer(
    {
      PORT: String(port),
      A2A_PUBLIC_URL: `http://127.0.0.1:${port}`,
      WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
      OUTBOUND_ALLOW_PRIVATE: '127.0.0.1',
      A2A_POLL_MAX_MS: '3600000',
    },
    { logLevel: 'debug' },
  );
  const registered = await server.gql(
    `mutation($url: String!) { registerA2AAgent(input: { cardUrl: $url, agentId: "pusher" }) { a2aAgent { streaming pushNotifications } userErrors { message } } }`,
    { url: peer.cardUrl },
  );
  expect(registered.data.registerA2AAgent).toEqual({
    a2aAgent: { streaming: false, pushNotifications: true },
    userErrors: [],
  });
  const procedure = {
    id: 'PUSHED_REVIEW',
    name: 'Pushed review',
    steps: [
      {
        id: 'review',
        name: 'Review',
        kind: 'AGENT_TASK',
        params: { agentId: 'pusher', input: 'PR-41' },
        timeoutMs: 60_000,
      },
    ],
  };
  expect((await createProcedure(server, procedure)).userErrors).toEqual([]);
});

afterAll(async () => {
  await server?.close();
  await peer?.close();
});

describe('A2A push notifications', () => {
  it('gives an agent that pushes (and does not stream) a push config; its notifications, with the token, make the bridge read the task', async () => {
    expect((await initiate(server, { handoffId: 'push_1', procedureId: 'PUSHED_REVIEW' })).userErrors).toEqual([]);
    await waitFor(
      () => server.gql(HANDOFF),
      (r) => r.data.handoff.openAgentTasks[0]?.waitingForAnswer === true,
    );
    await server.gql(
      `mutation { signalHandoff(input: { id: "push_1", step: "review", payload: "low" }) { userErrors { message } } }`,
    );
    const done = await waitFor(
      () => server.gql(HANDOFF),
      (r) => r.data.handoff.status === 'COMPLETED',
    );
    expect(done.data.handoff.steps[0].output.data).toMatchObject({ verdict: 'approved', priority: 'low' });
    // The agent pushed its updates to us, and they were taken (their token named a run).
    expect(server.logs.some((line) => line.msg === 'A2A push notification accepted')).toBe(true);
  });

  it('refuses a notification without a token a run holds', async () => {
    const forged = await fetch(`${server.origin}/a2a/push`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-a2a-notification-token': 'guessed' },
      body: '{}',
    });
    expect(forged.status).toBe(401);
    const none = await fetch(`${server.origin}/a2a/push`, { method: 'POST', body: '{}' });
    expect(none.status).toBe(401);
  });
});
