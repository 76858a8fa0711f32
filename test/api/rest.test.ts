import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_LIST_ITEMS } from '../../src/http/list-limits.js';
import { noopCompensation, quickStep } from '../support/handoff-fixtures.js';
import { bearer, startTestServer, type TestServer } from '../support/server.js';
import { waitFor } from '../support/server-process.js';
import { goodContext } from '../support/validation-api.js';

const VIEWER = 'rest-viewer-key-0123456789';
const OPERATOR = 'rest-operator-key-0123456789';
const ADMIN = 'rest-admin-key-0123456789ab';
let server: TestServer;

/** One REST call with plain fetch: the status and the parsed body. */
async function rest(
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  key: string | null = OPERATOR,
): Promise<{ status: number; body: any }> {
  const response = await fetch(`${server.origin}/rest${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(key ? bearer(key) : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

beforeAll(async () => {
  server = await startTestServer({
    API_KEYS: `watcher:viewer:${VIEWER},ana:operator:${OPERATOR},root:admin:${ADMIN}`,
    MAX_BODY_BYTES: '65536',
  });
  const created = await server.gql(
    `mutation($input: CreateProcedureInput!) { createProcedure(input: $input) { userErrors { message } } }`,
    {
      input: {
        id: 'REST_REVIEWED',
        name: 'Prepare, review, ship',
        steps: [
          quickStep('prepare', 'NOOP', {}, { compensation: noopCompensation('unprepare') }),
          quickStep('review', 'AWAIT_SIGNAL', {}, { timeoutMs: 600_000 }),
          quickStep('ship', 'NOOP', {}),
        ],
      },
    },
    bearer(ADMIN),
  );
  expect(created.data.createProcedure.userErrors).toEqual([]);
});

afterAll(() => server.close());

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI document that lists every REST route', async () => {
    const { status, body } = await rest('GET', '/openapi.json');
    expect(status).toBe(200);
    const validation = await new Validator().validate(body);
    expect(validation.errors ?? []).toEqual([]);
    expect(validation.valid).toBe(true);
    const routes = Object.entries(body.paths as Record<string, object>).flatMap(([path, methods]) =>
      Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(routes.sort()).toEqual(
      [
        'GET /handoff/{id}',
        'GET /handoffs',
        'GET /procedure/{id}',
        'GET /procedures',
        'GET /reliability-test/{id}',
        'GET /reliability-tests',
        'GET /validation-session/{id}',
        'GET /validation-sessions',
        'POST /cancel-handoff',
        'POST /cancel-reliability-test',
        'POST /initiate-handoff',
        'POST /signal-handoff',
        'POST /start-reliability-test',
        'POST /start-validation-session',
      ].sort(),
    );
  });

  it('describes a list filter as one query parameter per field (status=…&status=…), as generators write them', async () => {
    const { body } = await rest('GET', '/openapi.json');
    const parameters = body.paths['/handoffs'].get.parameters;
    expect(parameters.find((p: any) => p.name === 'filter')).toBeUndefined();
    expect(parameters.find((p: any) => p.name === 'status')).toMatchObject({
      in: 'query',
      style: 'form',
      explode: true,
    });
    expect(parameters.find((p: any) => p.name === 'createdAt')).toMatchObject({
      style: 'deepObject',
      schema: { $ref: '#/components/schemas/TimeRange' },
    });
  });

  it('serves nothing else under /rest: no webhooks (SOFA would POST to any URL named), no Swagger UI', async () => {
    for (const [method, path] of [
      ['POST', '/webhook'],
      ['GET', '/docs'],
      ['GET', '/agents'],
      ['GET', '/handoff/x/y'],
    ] as const) {
      const { status, body } = await rest(method, path, method === 'POST' ? {} : undefined);
      expect(status, path).toBe(404);
      expect(body.errors[0].extensions.code).toBe('NOT_FOUND');
    }
    // Nor through Yoga directly, past the HTTP server's path filter.
    const direct = await server.app.yoga.fetch('http://localhost/rest/webhook', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(ADMIN) },
      body: JSON.stringify({ subscription: 'handoffEvents', url: 'http://example.invalid/' }),
    });
    expect(direct.status).toBe(404);
  });
});

describe('handoffs over REST', () => {
  it('starts, reads, lists, signals and cancels handoffs', async () => {
    const started = await rest('POST', '/initiate-handoff', {
      input: { handoffId: 'rest_1', procedureId: 'REST_REVIEWED' },
    });
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({
      handoff: { handoffId: 'rest_1', procedureId: 'REST_REVIEWED' },
      userErrors: [],
    });

    const waiting = await waitFor(
      () => rest('GET', '/handoff/rest_1'),
      (read) => read.body.status === 'WAITING',
    );
    expect(waiting.status).toBe(200);
    expect(waiting.body.currentStep).toMatchObject({ id: 'review' });
    const signalled = await rest('POST', '/signal-handoff', { input: { id: 'rest_1', step: 'review' } });
    expect(signalled).toMatchObject({ status: 200, body: { userErrors: [] } });
    const done = await waitFor(
      () => rest('GET', '/handoff/rest_1'),
      (read) => read.body.status === 'COMPLETED',
    );
    expect(done.body.steps.map((step: any) => step.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);

    await rest('POST', '/initiate-handoff', { input: { handoffId: 'rest_2', procedureId: 'REST_REVIEWED' } });
    await waitFor(
      () => rest('GET', '/handoff/rest_2'),
      (read) => read.body.status === 'WAITING',
    );
    const cancelled = await rest('POST', '/cancel-handoff', { input: { id: 'rest_2', reason: 'not needed' } });
    expect(cancelled).toMatchObject({ status: 200, body: { userErrors: [] } });
    const ended = await waitFor(
      () => rest('GET', '/handoff/rest_2'),
      (read) => ['CANCELLED', 'ROLLBACK_FAILED'].includes(read.body.status),
    );
    expect(ended.body).toMatchObject({ status: 'CANCELLED', cancelReason: 'not needed' });

    const listed = await rest('GET', '/handoffs?first=10&filter[procedureId]=REST_REVIEWED');
    expect(listed.status).toBe(200);
    expect(listed.body.edges.map((edge: any) => edge.node.handoffId).sort()).toEqual(['rest_1', 'rest_2']);
    const page = await rest('GET', '/handoffs?first=1');
    expect(page.body.edges).toHaveLength(1);
    expect(page.body.pageInfo.hasNextPage).toBe(true);
  });

  it('answers a mutation refused by the engine with 200 and its userErrors, as GraphQL does', async () => {
    const refused = await rest('POST', '/initiate-handoff', {
      input: { handoffId: 'rest_bad', procedureId: 'NO_SUCH_PROCEDURE' },
    });
    expect(refused.status).toBe(200);
    expect(refused.body.handoff).toBeNull();
    expect(refused.body.userErrors.length).toBeGreaterThan(0);
  });

  it('answers 404 for a resource that does not exist', async () => {
    const missing = await rest('GET', '/handoff/no_such_handoff');
    expect(missing.status).toBe(404);
    expect(missing.body.errors[0].extensions.code).toBe('NOT_FOUND');
  });
});

describe('procedures, validation sessions and reliability tests over REST', () => {
  it('reads procedures', async () => {
    const all = await rest('GET', '/procedures', undefined, VIEWER);
    expect(all.status).toBe(200);
    expect(all.body.edges.map((edge: any) => edge.node.procedureId)).toEqual(
      expect.arrayContaining(['PHASE_TRANSITION_STANDARD', 'REST_REVIEWED']),
    );
    const one = await rest('GET', '/procedure/PHASE_TRANSITION_STANDARD', undefined, VIEWER);
    expect(one.body).toMatchObject({
      procedureId: 'PHASE_TRANSITION_STANDARD',
      steps: expect.any(Array),
      validationRules: expect.any(Array),
    });
  });

  it('starts and reads a validation session', async () => {
    const started = await rest('POST', '/start-validation-session', {
      input: { procedureId: 'PHASE_TRANSITION_STANDARD', context: goodContext() },
    });
    expect(started).toMatchObject({ status: 200, body: { userErrors: [] } });
    const sessionId = started.body.session.sessionId;
    const finished = await waitFor(
      () => rest('GET', `/validation-session/${sessionId}`),
      (read) => read.body.outcome !== null,
    );
    expect(finished.body).toMatchObject({ sessionId, status: 'COMPLETED' });
    const listed = await rest('GET', '/validation-sessions?first=50');
    expect(listed.body.edges.map((edge: any) => edge.node.sessionId)).toContain(sessionId);
  });

  it('starts, reads and cancels a reliability test', async () => {
    const started = await rest('POST', '/start-reliability-test', {
      input: {
        configId: 'RELIABILITY_STANDARD',
        procedureId: 'PHASE_TRANSITION_STANDARD',
        overrides: { iterations: 500 },
        seed: 7,
      },
    });
    expect(started).toMatchObject({ status: 200, body: { userErrors: [] } });
    const testId = started.body.test.testId;
    expect((await rest('GET', `/reliability-test/${testId}`)).body).toMatchObject({
      testId,
      configId: 'RELIABILITY_STANDARD',
    });
    const cancelled = await rest('POST', '/cancel-reliability-test', { input: { id: testId, reason: 'enough' } });
    expect(cancelled).toMatchObject({ status: 200, body: { test: { status: 'CANCELLED' }, userErrors: [] } });
    const listed = await rest('GET', '/reliability-tests?first=10');
    expect(listed.body.edges.map((edge: any) => edge.node.testId)).toContain(testId);
  });
});

describe('the same guards as GraphQL', () => {
  it('refuses a request without a key (401), with a wrong key (401) and beyond its role (403)', async () => {
    const anonymous = await rest('GET', '/procedures', undefined, null);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    const wrong = await rest('GET', '/procedures', undefined, 'not-a-key-of-this-server-0000');
    expect(wrong.status).toBe(401);
    expect(wrong.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    const viewer = await rest(
      'POST',
      '/initiate-handoff',
      { input: { handoffId: 'rest_viewer', procedureId: 'REST_REVIEWED' } },
      VIEWER,
    );
    expect(viewer.status).toBe(403);
    expect(viewer.body.errors[0].extensions.code).toBe('FORBIDDEN');
    expect((await rest('GET', '/handoff/rest_viewer')).status).toBe(404);
  });

  it('shows the OpenAPI document only to key holders, as introspection is', async () => {
    expect((await rest('GET', '/openapi.json', undefined, null)).status).toBe(401);
    expect((await rest('GET', '/openapi.json', undefined, VIEWER)).status).toBe(200);
  });

  it('answers bad input with 400 and BAD_USER_INPUT, writing nothing', async () => {
    for (const [method, path, body] of [
      ['POST', '/initiate-handoff', {}],
      ['POST', '/initiate-handoff', { input: { handoffId: 42 } }],
      ['GET', '/handoffs?first=many', undefined],
    ] as const) {
      const answer = await rest(method, path, body);
      expect(answer.status, path).toBe(400);
      expect(answer.body.errors[0].extensions.code, path).toBe('BAD_USER_INPUT');
    }
    const notJson = await fetch(`${server.origin}/rest/initiate-handoff`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(OPERATOR) },
      body: '{"input":',
    });
    expect(notJson.status).toBe(400);
    const form = await fetch(`${server.origin}/rest/initiate-handoff`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...bearer(OPERATOR) },
      body: 'input=1',
    });
    expect(form.status).toBe(415);
  });

  it('caps list arguments and body size as GraphQL does', async () => {
    const ids = Array.from({ length: MAX_LIST_ITEMS + 1 }, (_, i) => `h${i}`);
    const long = await rest('POST', '/start-validation-session', {
      input: { procedureId: 'PHASE_TRANSITION_STANDARD', ruleIds: ids },
    });
    expect(long.status).toBe(400);
    expect(long.body.errors[0].message).toMatch(/at most 200/);
    const huge = await rest('POST', '/initiate-handoff', {
      input: { handoffId: 'rest_huge', procedureId: 'REST_REVIEWED', metadata: { blob: 'x'.repeat(70_000) } },
    });
    expect(huge.status).toBe(413);
    expect((await rest('GET', '/handoff/rest_huge')).status).toBe(404);
  });
});
