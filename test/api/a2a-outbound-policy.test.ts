import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SdkPeer, startSdkPeer } from '../support/a2a-sdk-peer.js';
import { createProcedure, initiate } from '../support/handoff-fixtures.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { waitFor } from '../support/server-process.js';

/**
 * The bridge's calls follow the outbound policy webhooks follow: a host in WEBHOOK_ALLOW_HOSTS that
 * resolves to a loopback address is called only when OUTBOUND_ALLOW_PRIVATE allows that host.
 */
const REGISTER = `mutation($input: RegisterA2AAgentInput!) { registerA2AAgent(input: $input) {
  a2aAgent { agentId url } userErrors { field code message } } }`;

const HANDOFF = `query($id: ID!) { handoff(id: $id) { status steps { id status attempts error errorCode } } }`;

let peer: SdkPeer;
let cardHost: Server;
let cardUrl: string;
const servers: TestServer[] = [];

beforeAll(async () => {
  peer = await startSdkPeer({ streaming: true });
  // The peer's card as served from 127.0.0.1, naming its interface by another host name: `localhost`.
  const card = await (await fetch(peer.cardUrl)).json();
  card.supportedInterfaces = card.supportedInterfaces.map((one: { url: string }) => ({
    ...one,
    url: one.url.replace('127.0.0.1', 'localhost'),
  }));
  cardHost = http.createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(card));
  });
  await new Promise<void>((resolve) => cardHost.listen(0, '127.0.0.1', resolve));
  cardUrl = `http://127.0.0.1:${(cardHost.address() as AddressInfo).port}/.well-known/agent-card.json`;
});

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  await new Promise((resolve) => cardHost?.close(resolve));
  await peer?.close();
});

async function serverWith(env: Record<string, string>): Promise<TestServer> {
  const server = await startTestServer({ A2A_POLL_MAX_MS: '200', ...env });
  servers.push(server);
  return server;
}

describe('A2A calls under the outbound policy', () => {
  it('reads no card from a private address that OUTBOUND_ALLOW_PRIVATE does not allow', async () => {
    const server = await serverWith({ WEBHOOK_ALLOW_HOSTS: '127.0.0.1' });
    const refused = await server.gql(REGISTER, { input: { cardUrl: peer.cardUrl, agentId: 'reviewer' } });
    expect(refused.data.registerA2AAgent.a2aAgent).toBeNull();
    const [error] = refused.data.registerA2AAgent.userErrors;
    expect(error).toMatchObject({ field: ['input', 'cardUrl'], code: 'UNREACHABLE' });
    expect(error.message).toContain('loopback address: set OUTBOUND_ALLOW_PRIVATE to call it');
    expect(peer.created).toEqual([]);
  });

  it('fails the step for good with A2A_NOT_ALLOWED when the interface resolves to an address not allowed', async () => {
    const server = await serverWith({
      WEBHOOK_ALLOW_HOSTS: '127.0.0.1,localhost',
      OUTBOUND_ALLOW_PRIVATE: '127.0.0.1',
    });
    const registered = await server.gql(REGISTER, { input: { cardUrl, agentId: 'elsewhere' } });
    expect(registered.data.registerA2AAgent).toMatchObject({
      a2aAgent: { agentId: 'elsewhere', url: expect.stringMatching(/^http:\/\/localhost:\d+\/a2a$/) },
      userErrors: [],
    });
    const procedure = await createProcedure(server, {
      id: 'REVIEW_ELSEWHERE',
      name: 'Review elsewhere',
      steps: [
        {
          id: 'review',
          name: 'Review',
          kind: 'AGENT_TASK',
          params: { agentId: 'elsewhere', input: { change: 'PR-1' } },
          timeoutMs: 60_000,
          retry: { maxAttempts: 3 },
        },
      ],
    });
    expect(procedure.userErrors).toEqual([]);
    expect((await initiate(server, { handoffId: 'policy_1', procedureId: 'REVIEW_ELSEWHERE' })).userErrors).toEqual([]);
    const done = await waitFor(
      async () => (await server.gql(HANDOFF, { id: 'policy_1' })).data.handoff,
      (handoff) => handoff.status === 'FAILED',
    );
    // Not retried: another attempt would meet the same settings.
    expect(done.steps[0]).toMatchObject({ status: 'FAILED', attempts: 1, errorCode: 'A2A_NOT_ALLOWED' });
    expect(done.steps[0].error).toContain('set OUTBOUND_ALLOW_PRIVATE to call it');
    expect(peer.created).toEqual([]);
  });
});
