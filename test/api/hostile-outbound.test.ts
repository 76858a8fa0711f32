import { afterEach, describe, expect, it } from 'vitest';
import { verifySignature } from '../../src/engine/webhooks/webhook-signature.js';
import { createProcedure, getHandoff, initiate, quickStep } from '../support/handoff-fixtures.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

/**
 * Calls the server makes on its own (webhook subscriptions and WEBHOOK steps), third red-team round:
 * an allow-listed name that resolves to a loopback address (N4), URLs with spaces or control
 * characters (N7), and step calls signed like deliveries (N12).
 */

const servers: TestServer[] = [];
const receivers: WebhookReceiver[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
  for (const receiver of receivers.splice(0)) await receiver.close();
});

async function serverWith(env: Record<string, string>): Promise<TestServer> {
  const server = await startTestServer({ WEBHOOK_POLL_MS: '20', ...env });
  servers.push(server);
  return server;
}

async function receiver(): Promise<WebhookReceiver> {
  const started = await startWebhookReceiver();
  receivers.push(started);
  return started;
}

/** The receiver's URL under the name `localhost` (which resolves to 127.0.0.1 here). */
const viaLocalhost = (url: string) => url.replace('127.0.0.1', 'localhost');

const REGISTER = `mutation($input: RegisterWebhookInput!) {
  registerWebhook(input: $input) { secret webhookSubscription { id url } userErrors { field message code } }
}`;
const ATTEMPTS = `query($id: ID!) { webhookSubscription(id: $id) { deliveries(first: 50) { edges { node { attempts { statusCode error } } } } } }`;

async function register(server: TestServer, url: string) {
  const response = await server.gql(REGISTER, { input: { url } });
  expect(response.errors).toBeUndefined();
  return response.data.registerWebhook;
}

/** Waits for the stored first attempt of the subscription's first delivery. */
async function firstAttempt(
  server: TestServer,
  id: string,
): Promise<{ statusCode: number | null; error: string | null }> {
  for (let i = 0; i < 2_000; i++) {
    // Newest first: the oldest delivery goes out first (a later one waits while it retries).
    const edges = (await server.gql(ATTEMPTS, { id })).data.webhookSubscription.deliveries.edges;
    const attempt = edges.at(-1)?.node.attempts[0];
    if (attempt) return attempt;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('no attempt recorded');
}

async function oneNoopHandoff(server: TestServer, handoffId: string): Promise<void> {
  await createProcedure(server, { id: 'NOOP_ONE', name: 'noop', steps: [quickStep('only', 'NOOP', {})] });
  const started = await initiate(server, { handoffId, procedureId: 'NOOP_ONE' });
  expect(started.userErrors).toEqual([]);
}

async function webhookStepHandoff(server: TestServer, url: string, handoffId: string) {
  const created = await createProcedure(server, {
    id: 'CALLS_OUT',
    name: 'calls out',
    steps: [quickStep('call', 'WEBHOOK', { url }, { retry: { maxAttempts: 1 } })],
  });
  expect(created.userErrors).toEqual([]);
  await initiate(server, { handoffId, procedureId: 'CALLS_OUT' });
  for (let i = 0; i < 2_000; i++) {
    const handoff = await getHandoff(server, handoffId);
    if (handoff.status === 'COMPLETED' || handoff.status === 'FAILED') return handoff;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`handoff ${handoffId} did not finish`);
}

describe('an allow-listed host name that resolves to a loopback address (N4)', () => {
  it('a webhook subscription to it is registered, but no delivery reaches it: the attempt says why', async () => {
    const hooks = await receiver();
    const server = await serverWith({ WEBHOOK_ALLOW_HOSTS: 'localhost' });
    const registered = await register(server, viaLocalhost(hooks.url));
    expect(registered.userErrors).toEqual([]);
    await oneNoopHandoff(server, 'n4_subscription');
    const attempt = await firstAttempt(server, registered.webhookSubscription.id);
    expect(attempt).toEqual({
      statusCode: null,
      error: 'host localhost resolves to 127.0.0.1, a loopback address: set OUTBOUND_ALLOW_PRIVATE to call it',
    });
    expect(hooks.received).toEqual([]);
  });

  it('a WEBHOOK step calling it fails for good with WEBHOOK_NOT_ALLOWED, and the receiver gets nothing', async () => {
    const hooks = await receiver();
    const server = await serverWith({ WEBHOOK_ALLOW_HOSTS: 'localhost' });
    const handoff = await webhookStepHandoff(server, viaLocalhost(hooks.url), 'n4_step');
    expect(handoff.status).toBe('FAILED');
    expect(handoff.steps[0].error).toMatch(/host localhost resolves to 127\.0\.0\.1, a loopback address/);
    expect(hooks.received).toEqual([]);
  });

  it('OUTBOUND_ALLOW_PRIVATE naming the host lets both through', async () => {
    const hooks = await receiver();
    const server = await serverWith({ WEBHOOK_ALLOW_HOSTS: 'localhost', OUTBOUND_ALLOW_PRIVATE: 'localhost' });
    const registered = await register(server, viaLocalhost(hooks.url));
    const handoff = await webhookStepHandoff(server, viaLocalhost(hooks.url), 'n4_allowed');
    expect(handoff.status).toBe('COMPLETED');
    expect(await firstAttempt(server, registered.webhookSubscription.id)).toEqual({ statusCode: 200, error: null });
  });

  it('an IP address is no exception: 127.0.0.1 in WEBHOOK_ALLOW_HOSTS needs OUTBOUND_ALLOW_PRIVATE too', async () => {
    const hooks = await receiver();
    const server = await serverWith({ WEBHOOK_ALLOW_HOSTS: '127.0.0.1' });
    const handoff = await webhookStepHandoff(server, hooks.url, 'n4_literal');
    expect(handoff.steps[0].error).toMatch(/host 127\.0\.0\.1 resolves to 127\.0\.0\.1, a loopback address/);
  });
});

describe('webhook URLs with spaces or control characters (N7)', () => {
  const BAD = [
    '  http://127.0.0.1/hooks',
    'http://127.0.0.1/hooks\n',
    'http://127.0.0.1/\u0000nul',
    'http://127.0.0.1/a b',
  ];

  it.each(BAD)('registerWebhook(%j) is refused with INVALID_VALUE and nothing is stored', async (url) => {
    const server = await serverWith({ WEBHOOK_ALLOW_HOSTS: '127.0.0.1' });
    const registered = await register(server, url);
    expect(registered.webhookSubscription).toBeNull();
    expect(registered.userErrors).toEqual([
      { field: ['input', 'url'], code: 'INVALID_VALUE', message: 'url must not contain spaces or control characters' },
    ]);
    expect((await server.gql('{ webhookSubscriptions { id } }')).data).toEqual({ webhookSubscriptions: [] });
  });

  it('a WEBHOOK step with such a URL is refused when the procedure is written', async () => {
    const server = await serverWith({ WEBHOOK_ALLOW_HOSTS: '127.0.0.1' });
    const created = await createProcedure(server, {
      id: 'BAD_URL',
      name: 'bad url',
      steps: [quickStep('call', 'WEBHOOK', { url: ' http://127.0.0.1/\u0000' })],
    });
    expect(created.procedure).toBeNull();
    expect(created.userErrors).toEqual([
      expect.objectContaining({
        code: 'INVALID_VALUE',
        message: expect.stringMatching(/spaces or control characters/),
      }),
    ]);
  });
});

describe('WEBHOOK step calls are signed like subscription deliveries (N12)', () => {
  const SECRET = 'whsec_step_secret_0123456789';

  it('with WEBHOOK_STEP_SECRET, a receiver that verifies Handoff-Signature accepts the call', async () => {
    const hooks = await receiver();
    hooks.answer = ({ headers, body }) =>
      verifySignature(headers['handoff-signature'] as string | undefined, body, SECRET, Date.now()).valid ? 200 : 401;
    const server = await serverWith({
      WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
      OUTBOUND_ALLOW_PRIVATE: 'true',
      WEBHOOK_STEP_SECRET: SECRET,
    });
    const handoff = await webhookStepHandoff(server, hooks.url, 'n12_signed');
    expect(handoff.status).toBe('COMPLETED');
    expect(hooks.received).toHaveLength(1);
    expect(hooks.received[0].headers['handoff-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(JSON.parse(hooks.received[0].body)).toMatchObject({ handoffId: 'n12_signed', step: 'call', attempt: 1 });
  });

  it('the same receiver refuses a call signed with another secret, and one that is not signed', async () => {
    for (const [handoffId, env] of [
      ['n12_other', { WEBHOOK_STEP_SECRET: 'whsec_another_secret_987654321' }],
      ['n12_unsigned', {}],
    ] as const) {
      const hooks = await receiver();
      hooks.answer = ({ headers, body }) =>
        verifySignature(headers['handoff-signature'] as string | undefined, body, SECRET, Date.now()).valid ? 200 : 401;
      const server = await serverWith({ WEBHOOK_ALLOW_HOSTS: '127.0.0.1', OUTBOUND_ALLOW_PRIVATE: 'true', ...env });
      const handoff = await webhookStepHandoff(server, hooks.url, handoffId);
      expect(handoff.status).toBe('FAILED');
      expect(handoff.steps[0].error).toMatch(/webhook answered HTTP 401/);
    }
  });
});
