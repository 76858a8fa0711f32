import { afterEach, describe, expect, it } from 'vitest';
import { verifySignature } from '../../src/engine/webhooks/webhook-signature.js';
import { quickStep } from '../support/handoff-fixtures.js';
import { ManualClock } from '../support/manual-clock.js';
import { bearer } from '../support/server.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { type ReceivedWebhook, startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const ADMIN = 'admin-key-0123456789abcdef';
const OPERATOR = 'operator-key-0123456789abcdef';
const KEYS = `owner:admin:${ADMIN},runner:operator:${OPERATOR}`;
const asAdmin = bearer(ADMIN);

const REGISTER = `mutation($input: RegisterWebhookInput!) {
  registerWebhook(input: $input) { secret webhookSubscription { id url eventTypes enabled version } userErrors { field message code } }
}`;
const DELIVERIES = `query($id: ID!, $status: [WebhookDeliveryStatus!]) {
  webhookSubscription(id: $id) {
    deliveries(first: 40, status: $status) {
      totalCount
      edges { node { id eventKey handoffId seq eventType status attemptCount nextAttemptAt attempts { at statusCode error durationMs } payload } }
    }
  }
}`;

const servers: TestApp[] = [];
const receivers: WebhookReceiver[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
  for (const receiver of receivers.splice(0)) await receiver.close();
});

async function serverOn(clock: ManualClock, env: Record<string, string> = {}): Promise<TestApp> {
  const server = await startTestApp(
    {
      API_KEYS: KEYS,
      WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
      OUTBOUND_ALLOW_PRIVATE: '127.0.0.1',
      WEBHOOK_RETRY_INITIAL_MS: '1000',
      WEBHOOK_MAX_ATTEMPTS: '3',
      WEBHOOK_POLL_MS: '100',
      ...env,
    },
    { clock },
  );
  servers.push(server);
  return server;
}

async function receiver(): Promise<WebhookReceiver> {
  const started = await startWebhookReceiver();
  receivers.push(started);
  return started;
}

/** Moves the manual clock on in small steps, letting real I/O (the receiver's answers) happen between them, until `done`. */
async function until(clock: ManualClock, done: () => boolean | Promise<boolean>, stepMs = 50): Promise<void> {
  for (let step = 0; !(await done()); step++) {
    if (step > 4_000) throw new Error('condition not reached');
    await clock.advance(stepMs);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

async function register(server: TestApp, input: Record<string, unknown>) {
  const response = await server.gql(REGISTER, { input }, asAdmin);
  expect(response.errors).toBeUndefined();
  return response.data.registerWebhook as {
    secret: string | null;
    webhookSubscription: { id: string } | null;
    userErrors: { field: string[]; code: string; message: string }[];
  };
}

async function deliveries(server: TestApp, id: string, status?: string[]) {
  const response = await server.gql(DELIVERIES, { id, status }, asAdmin);
  expect(response.errors).toBeUndefined();
  return response.data.webhookSubscription.deliveries as { totalCount: number; edges: { node: any }[] };
}

async function twoStepProcedure(server: TestApp): Promise<void> {
  const created = await server.gql(
    `mutation($input: CreateProcedureInput!) { createProcedure(input: $input) { userErrors { message } } }`,
    {
      input: {
        id: 'TWO_NOOPS',
        name: 'Two no-ops',
        steps: [quickStep('one', 'NOOP', {}), quickStep('two', 'NOOP', {})],
      },
    },
    asAdmin,
  );
  expect(created.data.createProcedure.userErrors).toEqual([]);
}

async function startHandoff(server: TestApp, handoffId: string): Promise<void> {
  const response = await server.gql(
    `mutation($input: InitiateHandoffInput!) { initiateHandoff(input: $input) { userErrors { message } } }`,
    { input: { handoffId, procedureId: 'TWO_NOOPS' } },
    asAdmin,
  );
  expect(response.data.initiateHandoff.userErrors).toEqual([]);
}

function bodies(received: ReceivedWebhook[]): { id: string; type: string; handoffId: string; seq: number }[] {
  return received.map((request) => JSON.parse(request.body));
}

describe('webhook registration', () => {
  it('refuses a non-admin key', async () => {
    const server = await serverOn(new ManualClock());
    const response = await server.gql(REGISTER, { input: { url: 'http://127.0.0.1/x' } }, bearer(OPERATOR));
    expect(response.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(response.data?.registerWebhook ?? null).toBeNull();
    const listed = await server.gql('{ webhookSubscriptions { id } }', {}, bearer(OPERATOR));
    expect(listed.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('refuses a host that is not allow-listed, and a malformed URL, with userErrors', async () => {
    const server = await serverOn(new ManualClock());
    const refused = await register(server, { url: 'http://internal.example:8080/hook' });
    expect(refused.webhookSubscription).toBeNull();
    expect(refused.secret).toBeNull();
    expect(refused.userErrors).toEqual([
      {
        field: ['input', 'url'],
        code: 'HOST_NOT_ALLOWED',
        message: 'host internal.example is not in WEBHOOK_ALLOW_HOSTS',
      },
    ]);
    const malformed = await register(server, { url: 'ftp://127.0.0.1/hook', secret: 'short' });
    expect(malformed.userErrors.map((error) => error.field.join('.'))).toEqual(['input.url', 'input.secret']);
    const listed = await server.gql('{ webhookSubscriptions { id } }', {}, asAdmin);
    expect(listed.data.webhookSubscriptions).toEqual([]);
  });
});

describe('webhook delivery', () => {
  it('signs every POST, keys it by event, and delivers each handoff in order', async () => {
    const clock = new ManualClock();
    const server = await serverOn(clock);
    const hook = await receiver();
    await twoStepProcedure(server);
    const { secret, webhookSubscription } = await register(server, { url: hook.url });
    expect(secret).toMatch(/^whsec_/);
    await startHandoff(server, 'wh_a');
    await startHandoff(server, 'wh_b');
    // Each two-step handoff commits 8 events: created, gates, started, 2 × (step started, succeeded), completed.
    await until(clock, () => hook.received.length >= 16);
    for (const request of hook.received) {
      expect(
        verifySignature(request.headers['handoff-signature'] as string, request.body, secret!, clock.now()),
      ).toEqual({ valid: true, timestampSeconds: expect.any(Number) });
      expect(request.headers['idempotency-key']).toBe(JSON.parse(request.body).id);
    }
    for (const handoffId of ['wh_a', 'wh_b']) {
      const seqs = bodies(hook.received)
        .filter((body) => body.handoffId === handoffId)
        .map((body) => body.seq);
      expect(seqs).toEqual(seqs.map((_, index) => index + 1));
      expect(
        bodies(hook.received)
          .filter((body) => body.handoffId === handoffId)
          .at(-1)!.type,
      ).toBe('HANDOFF_COMPLETED');
    }
    const log = await deliveries(server, webhookSubscription!.id);
    expect(log.totalCount).toBe(hook.received.length);
    expect(
      log.edges.every(
        ({ node }) => node.status === 'DELIVERED' && node.attemptCount === 1 && node.attempts[0].statusCode === 200,
      ),
    ).toBe(true);
  });

  it('keeps delivering after the subscription has been held for several leases (the lease renewals move its deadline)', async () => {
    const clock = new ManualClock();
    const server = await serverOn(clock, { LEASE_MS: '3000' });
    const hook = await receiver();
    await twoStepProcedure(server);
    await register(server, { url: hook.url });
    await startHandoff(server, 'wh_early');
    await until(clock, () => hook.received.length >= 8);
    // Five leases later (renewed all along), events still go out.
    await clock.advance(15_000);
    await startHandoff(server, 'wh_late');
    await until(clock, () => bodies(hook.received).some((body) => body.handoffId === 'wh_late'), 50);
    await until(clock, () => hook.received.length >= 16);
    expect(
      bodies(hook.received)
        .filter((body) => body.handoffId === 'wh_late')
        .map((body) => body.seq),
    ).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('retries a failing receiver with back-off and shows every attempt in the delivery log', async () => {
    const clock = new ManualClock();
    const server = await serverOn(clock);
    const hook = await receiver();
    await twoStepProcedure(server);
    const { webhookSubscription } = await register(server, {
      url: hook.url,
      eventTypes: ['HANDOFF_CREATED', 'HANDOFF_COMPLETED'],
    });
    let failures = 2;
    hook.answer = () => (failures-- > 0 ? 500 : 200);
    await startHandoff(server, 'wh_retry');
    await until(clock, () => hook.received.filter((request) => request.answered === 200).length >= 2);
    expect(hook.received.map((request) => [JSON.parse(request.body).type, request.answered])).toEqual([
      ['HANDOFF_CREATED', 500],
      ['HANDOFF_CREATED', 500],
      ['HANDOFF_CREATED', 200],
      // Held back until the earlier event of its handoff got through.
      ['HANDOFF_COMPLETED', 200],
    ]);
    const log = await deliveries(server, webhookSubscription!.id);
    const created = log.edges.map(({ node }) => node).find((node) => node.eventType === 'HANDOFF_CREATED');
    expect(created.status).toBe('DELIVERED');
    expect(created.attempts.map((attempt: any) => [attempt.statusCode, attempt.error])).toEqual([
      [500, 'HTTP 500'],
      [500, 'HTTP 500'],
      [200, null],
    ]);
    const [first, second, third] = created.attempts.map((attempt: any) => Date.parse(attempt.at));
    // 1 s then 3 s (±10% jitter), measured on the injected clock.
    expect(second - first).toBeGreaterThanOrEqual(900);
    expect(third - second).toBeGreaterThanOrEqual(2_700);
  });

  it("does not hold other handoffs' events back while one handoff's delivery waits for a retry", async () => {
    const clock = new ManualClock();
    const server = await serverOn(clock, { WEBHOOK_MAX_ATTEMPTS: '10', WEBHOOK_RETRY_INITIAL_MS: '3600000' });
    const hook = await receiver();
    await twoStepProcedure(server);
    const { webhookSubscription } = await register(server, { url: hook.url });
    hook.answer = ({ body }) => (JSON.parse(body).handoffId === 'wh_stuck' ? 500 : 200);
    await startHandoff(server, 'wh_stuck');
    await startHandoff(server, 'wh_free');
    await until(clock, () =>
      bodies(hook.received).some((body) => body.handoffId === 'wh_free' && body.type === 'HANDOFF_COMPLETED'),
    );
    expect(
      bodies(hook.received)
        .filter((body) => body.handoffId === 'wh_stuck')
        .map((body) => body.seq),
    ).toEqual([1]);
    const pending = await deliveries(server, webhookSubscription!.id, ['PENDING']);
    expect(new Set(pending.edges.map(({ node }) => node.handoffId))).toEqual(new Set(['wh_stuck']));
    expect(pending.edges.find(({ node }) => node.seq === 1)!.node.attempts).toHaveLength(1);
  });

  it('counts a receiver that does not answer within WEBHOOK_TIMEOUT_MS as a failed attempt, timed on the injected clock', async () => {
    const clock = new ManualClock();
    const server = await serverOn(clock, { WEBHOOK_TIMEOUT_MS: '2000' });
    const hook = await receiver();
    await twoStepProcedure(server);
    const { webhookSubscription } = await register(server, { url: hook.url, eventTypes: ['HANDOFF_CREATED'] });
    let silent = true;
    hook.answer = () => (silent ? new Promise<number>(() => undefined) : 200);
    await startHandoff(server, 'wh_silent');
    await until(
      clock,
      async () => (await deliveries(server, webhookSubscription!.id)).edges[0]?.node.attemptCount === 1,
    );
    const [{ node }] = (await deliveries(server, webhookSubscription!.id)).edges;
    expect(node.status).toBe('PENDING');
    expect(node.attempts[0]).toMatchObject({ statusCode: null, error: 'no answer within 2000 ms', durationMs: 2_000 });
    silent = false;
    await until(clock, () => hook.received.length === 1);
    await until(clock, async () => (await deliveries(server, webhookSubscription!.id, ['DELIVERED'])).totalCount === 1);
  });

  it('stops at once while a POST waits for its answer (the attempt is left unrecorded, to be sent again)', async () => {
    const clock = new ManualClock();
    const server = await serverOn(clock, { WEBHOOK_TIMEOUT_MS: '60000', LEASE_MS: '3600000' });
    const hook = await receiver();
    await twoStepProcedure(server);
    const { webhookSubscription } = await register(server, { url: hook.url, eventTypes: ['HANDOFF_CREATED'] });
    let posted = false;
    hook.answer = () => {
      posted = true;
      return new Promise<number>(() => undefined);
    };
    await startHandoff(server, 'wh_closing');
    await until(clock, () => posted);
    const log = await deliveries(server, webhookSubscription!.id);
    expect(log.edges.map(({ node }) => [node.status, node.attemptCount])).toEqual([['PENDING', 0]]);
    // Without the abort, closing would wait for the 60 s timeout, which this manual clock never reaches.
    await servers.pop()!.close();
  });

  it('marks a delivery FAILED after the last attempt, lets the handoff go on, and redelivers it on request', async () => {
    const clock = new ManualClock();
    const server = await serverOn(clock);
    const hook = await receiver();
    await twoStepProcedure(server);
    const { webhookSubscription } = await register(server, {
      url: hook.url,
      eventTypes: ['HANDOFF_CREATED', 'HANDOFF_COMPLETED'],
    });
    hook.answer = ({ body }) => (JSON.parse(body).type === 'HANDOFF_CREATED' ? 503 : 200);
    await startHandoff(server, 'wh_fail');
    await until(clock, () => hook.received.some((request) => JSON.parse(request.body).type === 'HANDOFF_COMPLETED'));
    const failed = await deliveries(server, webhookSubscription!.id, ['FAILED']);
    expect(failed.edges.map(({ node }) => [node.eventType, node.attemptCount, node.nextAttemptAt])).toEqual([
      ['HANDOFF_CREATED', 3, null],
    ]);

    hook.answer = () => 200;
    const redelivered = await server.gql(
      `mutation($id: ID!) { redeliverWebhook(input: { deliveryId: $id }) { delivery { status } userErrors { code } } }`,
      { id: failed.edges[0]!.node.id },
      asAdmin,
    );
    expect(redelivered.data.redeliverWebhook).toEqual({ delivery: { status: 'PENDING' }, userErrors: [] });
    await until(
      clock,
      async () => (await deliveries(server, webhookSubscription!.id, ['FAILED', 'PENDING'])).totalCount === 0,
    );
    const log = await deliveries(server, webhookSubscription!.id);
    const created = log.edges.map(({ node }) => node).find((node) => node.eventType === 'HANDOFF_CREATED');
    expect(created.attempts.map((attempt: any) => attempt.statusCode)).toEqual([503, 503, 503, 200]);
    expect(created.status).toBe('DELIVERED');
  });

  it('sends nothing while disabled, then the events committed meanwhile once enabled; a rotated secret signs from then on', async () => {
    const clock = new ManualClock();
    const server = await serverOn(clock);
    const hook = await receiver();
    await twoStepProcedure(server);
    const { webhookSubscription } = await register(server, { url: hook.url, eventTypes: ['HANDOFF_COMPLETED'] });
    const id = webhookSubscription!.id;
    const update = `mutation($input: UpdateWebhookInput!) { updateWebhook(input: $input) { webhookSubscription { enabled version } userErrors { code } } }`;
    const disabled = await server.gql(update, { input: { id, enabled: false } }, asAdmin);
    expect(disabled.data.updateWebhook).toEqual({
      webhookSubscription: { enabled: false, version: 2 },
      userErrors: [],
    });
    await startHandoff(server, 'wh_paused');
    await until(
      clock,
      async () =>
        (await server.gql(`{ handoff(id: "wh_paused") { status } }`, {}, asAdmin)).data.handoff.status === 'COMPLETED',
    );
    await clock.advance(5_000);
    expect(hook.received).toEqual([]);

    const rotated = await server.gql(
      `mutation($id: ID!) { rotateWebhookSecret(input: { id: $id }) { secret userErrors { code } } }`,
      { id },
      asAdmin,
    );
    const secret = rotated.data.rotateWebhookSecret.secret as string;
    const stale = await server.gql(update, { input: { id, enabled: true, expectedVersion: 2 } }, asAdmin);
    expect(stale.data.updateWebhook.userErrors).toEqual([{ code: 'VERSION_CONFLICT' }]);
    await server.gql(update, { input: { id, enabled: true, expectedVersion: 3 } }, asAdmin);
    await until(clock, () => hook.received.length >= 1);
    expect(bodies(hook.received)).toMatchObject([{ handoffId: 'wh_paused', type: 'HANDOFF_COMPLETED' }]);
    expect(
      verifySignature(
        hook.received[0]!.headers['handoff-signature'] as string,
        hook.received[0]!.body,
        secret,
        clock.now(),
      ).valid,
    ).toBe(true);
  });
});
