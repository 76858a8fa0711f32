import fs from 'node:fs';
import openapiTS, { type OpenAPI3 } from 'openapi-typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callEveryRoute } from '../../examples/rest-client/every-route.js';
import { quickStep } from '../support/handoff-fixtures.js';
import { bearer, startTestServer, type TestServer } from '../support/server.js';

/**
 * The OpenAPI document as client generators use it: openapi-typescript makes the types (committed as
 * examples/rest-client/generated/openapi.ts), openapi-fetch calls every route with them, as generated:
 * no query serializer, no body or parameter written by hand around the types.
 */

const OPERATOR = 'openapi-operator-key-0123456789';
const ADMIN = 'openapi-admin-key-0123456789ab';
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ API_KEYS: `ana:operator:${OPERATOR},root:admin:${ADMIN}` });
  const created = await server.gql(
    'mutation($input: CreateProcedureInput!) { createProcedure(input: $input) { userErrors { message } } }',
    {
      input: {
        id: 'OPENAPI_REVIEWED',
        name: 'Prepare, review, ship',
        steps: [
          quickStep('prepare', 'NOOP', {}),
          quickStep('review', 'AWAIT_SIGNAL', {}, { timeoutMs: 600_000 }),
          quickStep('ship', 'NOOP', {}),
        ],
      },
    },
    bearer(ADMIN),
  );
  expect(created.data.createProcedure.userErrors).toEqual([]);
  for (const [id, permission] of [
    ['agent_1', 'handoff:send'],
    ['agent_2', 'handoff:receive'],
  ]) {
    await server.gql(
      `mutation { registerAgent(input: { id: "${id}", permissions: ["${permission}"] }) { userErrors { message } } }`,
      undefined,
      bearer(ADMIN),
    );
  }
});
afterAll(() => server.close());

async function openApiDocument(): Promise<OpenAPI3> {
  const response = await fetch(`${server.origin}/rest/openapi.json`, { headers: bearer(OPERATOR) });
  return (await response.json()) as OpenAPI3;
}

describe('a client generated from the OpenAPI document', () => {
  it('is what openapi-typescript makes of the served document (run `npm run schema` after changing REST)', async () => {
    const committed = fs.readFileSync(
      new URL('../../examples/rest-client/generated/openapi.ts', import.meta.url),
      'utf8',
    );
    expect(await openapiTS(await openApiDocument())).toBe(committed);
  });

  it('takes a mutation input as the body only, and a list filter as one query parameter per field', async () => {
    const document = (await openApiDocument()) as any;
    for (const [path, operations] of Object.entries<any>(document.paths)) {
      if (operations.post) expect(operations.post.parameters ?? [], path).toEqual([]);
    }
    const handoffs = document.paths['/handoffs'].get.parameters;
    expect(handoffs.find((p: any) => p.name === 'filter')).toBeUndefined();
    expect(handoffs.find((p: any) => p.name === 'status')).toMatchObject({
      in: 'query',
      style: 'form',
      explode: true,
      schema: { type: 'array' },
    });
  });

  it('calls every route with openapi-fetch, as generated', async () => {
    const calls = await callEveryRoute({
      baseUrl: `${server.origin}/rest`,
      apiKey: OPERATOR,
      procedureId: 'OPENAPI_REVIEWED',
      signalStep: 'review',
      runId: 'openapi',
    });
    const document = (await openApiDocument()) as any;
    const routes = Object.entries<any>(document.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect([...new Set(calls.map((call) => call.route))].sort()).toEqual(routes.sort());
    for (const call of calls) expect(call.status, `${call.route}: ${JSON.stringify(call.body)}`).toBe(200);

    const answer = (route: string) => calls.find((call) => call.route === route)!.body as any;
    expect(answer('POST /initiate-handoff')).toMatchObject({ handoff: { handoffId: 'openapi_1' }, userErrors: [] });
    expect(
      answer('GET /handoffs')
        .edges.map((edge: any) => edge.node.handoffId)
        .sort(),
    ).toEqual(['openapi_1', 'openapi_2']);
    expect(answer('POST /signal-handoff').userErrors).toEqual([]);
    expect(answer('POST /cancel-handoff').userErrors).toEqual([]);
    expect(answer('GET /procedure/{id}')).toMatchObject({ procedureId: 'OPENAPI_REVIEWED' });
    expect(answer('GET /validation-sessions').totalCount).toBe(1);
    expect(answer('POST /cancel-reliability-test')).toMatchObject({ test: { status: 'CANCELLED' }, userErrors: [] });
  });
});
