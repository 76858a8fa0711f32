import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../src/resolvers/index.js';
import {
  bearer,
  collect,
  type GraphQLResponse,
  openRawSocket,
  startTestServer,
  type TestServer,
} from '../support/server.js';

const KEYS = {
  viewer: 'viewer-key-0123456789abcdef',
  operator: 'operator-key-0123456789abcdef',
  admin: 'admin-key-0123456789abcdef',
};
const API_KEYS = `watcher:viewer:${KEYS.viewer},runner:operator:${KEYS.operator},owner:admin:${KEYS.admin}`;
type Role = keyof typeof KEYS;
const ROLES: Role[] = ['viewer', 'operator', 'admin'];
const RANK: Record<Role, number> = { viewer: 1, operator: 2, admin: 3 };

const PROCEDURES = '{ procedures { edges { node { id } } } }';

/** Root fields by the least role that may use them; cases whose field is not in the schema yet are skipped. */
const REACH: { name: string; kind: 'query' | 'mutation'; field: string; least: Role; operation: string }[] = [
  { name: 'read procedures', kind: 'query', field: 'procedures', least: 'viewer', operation: PROCEDURES },
  {
    name: 'read one procedure',
    kind: 'query',
    field: 'procedure',
    least: 'viewer',
    operation: '{ procedure(id: "PHASE_TRANSITION_STANDARD") { id } }',
  },
  {
    name: 'read agents',
    kind: 'query',
    field: 'agents',
    least: 'viewer',
    operation: '{ agents(first: 5) { totalCount } }',
  },
  {
    name: 'read validation rules',
    kind: 'query',
    field: 'validationRules',
    least: 'viewer',
    operation: '{ validationRules { edges { node { id } } } }',
  },
  {
    name: 'register an agent',
    kind: 'mutation',
    field: 'registerAgent',
    least: 'operator',
    operation:
      'mutation { registerAgent(input: { id: "auth_agent", capabilities: ["planning"], permissions: [] }) { userErrors { code } } }',
  },
  {
    name: 'initiate a handoff',
    kind: 'mutation',
    field: 'initiateHandoff',
    least: 'operator',
    operation: `mutation { initiateHandoff(input: { handoffId: "auth_h1", procedureId: "PHASE_TRANSITION_STANDARD",
      sourceAgent: "a1", targetAgent: "a2", handoffType: AGENT_HANDOFF, priority: LOW }) { userErrors { code } } }`,
  },
  {
    name: 'define a validation rule',
    kind: 'mutation',
    field: 'createValidationRule',
    least: 'admin',
    operation:
      'mutation { createValidationRule(input: { id: "VR_AUTH", name: "auth", severity: LOW, condition: {} }) { userErrors { code } } }',
  },
  {
    name: 'define a procedure',
    kind: 'mutation',
    field: 'createProcedure',
    least: 'admin',
    operation: `mutation { createProcedure(input: { id: "AUTH_PROC", name: "auth", description: "auth test",
      steps: [{ id: "s1", name: "s1", kind: NOOP, timeoutMs: 1000 }] }) { userErrors { code } } }`,
  },
  {
    name: 'send an agent heartbeat',
    kind: 'mutation',
    field: 'agentHeartbeat',
    least: 'operator',
    operation: 'mutation { agentHeartbeat(input: { id: "nobody", status: READY }) { userErrors { code } } }',
  },
  {
    name: 'cancel a handoff',
    kind: 'mutation',
    field: 'cancelHandoff',
    least: 'operator',
    operation: 'mutation { cancelHandoff(input: { id: "nothing", reason: "auth test" }) { userErrors { code } } }',
  },
  {
    name: 'retry (redrive) a handoff',
    kind: 'mutation',
    field: 'retryHandoff',
    least: 'operator',
    operation: 'mutation { retryHandoff(input: { id: "nothing" }) { userErrors { code } } }',
  },
  {
    name: 'pause a handoff',
    kind: 'mutation',
    field: 'pauseHandoff',
    least: 'operator',
    operation: 'mutation { pauseHandoff(input: { id: "nothing" }) { userErrors { code } } }',
  },
  {
    name: 'resume a handoff',
    kind: 'mutation',
    field: 'resumeHandoff',
    least: 'operator',
    operation: 'mutation { resumeHandoff(input: { id: "nothing" }) { userErrors { code } } }',
  },
  {
    name: 'read a bulk operation',
    kind: 'query',
    field: 'bulkOperation',
    least: 'viewer',
    operation: '{ bulkOperation(id: "nothing") { status } }',
  },
  {
    name: 'start a bulk cancel',
    kind: 'mutation',
    field: 'startBulkOperation',
    least: 'operator',
    operation:
      'mutation { startBulkOperation(input: { action: CANCEL, filter: { testId: "no_such_test" } }) { userErrors { code } } }',
  },
  {
    name: 'stop a bulk operation',
    kind: 'mutation',
    field: 'cancelBulkOperation',
    least: 'operator',
    operation: 'mutation { cancelBulkOperation(input: { id: "nothing" }) { userErrors { code } } }',
  },
  {
    name: 'delete a procedure',
    kind: 'mutation',
    field: 'deleteProcedure',
    least: 'admin',
    operation: 'mutation { deleteProcedure(input: { id: "NO_SUCH_PROCEDURE" }) { userErrors { code } } }',
  },
];

const HANDOFF_EVENTS = 'subscription { handoffEvents { seq handoffId type } }';

function hasRootField(kind: 'query' | 'mutation', field: string): boolean {
  const type = kind === 'query' ? schema.getQueryType() : schema.getMutationType();
  return Boolean(type?.getFields()[field]);
}

function authCodes(response: GraphQLResponse): unknown[] {
  return (response.errors ?? [])
    .map((error) => error.extensions?.code)
    .filter((code) => code === 'FORBIDDEN' || code === 'UNAUTHENTICATED');
}

describe('with API keys configured', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ API_KEYS }, { logLevel: 'debug' });
    // The target of the context-transferring handoffs below must be registered.
    await server.gql(
      'mutation { registerAgent(input: { id: "a2" }) { userErrors { message } } }',
      undefined,
      bearer(KEYS.admin),
    );
  });
  afterAll(() => server.close());

  describe('over HTTP', () => {
    it('answers a request without a key with UNAUTHENTICATED and no data', async () => {
      const response = await server.gql(PROCEDURES);
      expect(response.data ?? null).toBeNull();
      expect(response.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    });

    it.each([
      ['an unknown key', { authorization: 'Bearer not-a-key-but-long-enough' }],
      ['a key of the wrong case', { authorization: `Bearer ${KEYS.admin.toUpperCase()}` }],
      ['a key with an extra character', { authorization: `Bearer ${KEYS.admin}x` }],
      ['a non-Bearer scheme', { authorization: `Basic ${KEYS.admin}` }],
      ['an empty Bearer', { authorization: 'Bearer ' }],
    ])('rejects %s with HTTP 401 before running anything', async (_name, headers) => {
      const response = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query: PROCEDURES }),
      });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      const body = (await response.json()) as GraphQLResponse;
      expect(body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    });

    it('lets only key holders read the schema by introspection', async () => {
      const introspection = '{ __schema { queryType { name } } }';
      const anonymous = await server.gql(introspection);
      expect(anonymous.data ?? null).toBeNull();
      expect(anonymous.errors?.[0].message).toMatch(/introspection/i);
      const viewer = await server.gql(introspection, undefined, bearer(KEYS.viewer));
      expect(viewer.errors).toBeUndefined();
      expect(viewer.data.__schema.queryType.name).toBe('Query');
    });

    for (const testCase of REACH) {
      for (const role of ROLES) {
        const allowed = RANK[role] >= RANK[testCase.least];
        it.skipIf(!hasRootField(testCase.kind, testCase.field))(
          `${role} ${allowed ? 'may' : 'may not'} ${testCase.name}`,
          async () => {
            const response = await server.gql(testCase.operation, undefined, bearer(KEYS[role]));
            if (allowed) {
              expect(authCodes(response)).toEqual([]);
              expect(response.data?.[testCase.field]).toBeDefined();
            } else {
              expect(authCodes(response)).toContain('FORBIDDEN');
              expect(response.data?.[testCase.field] ?? null).toBeNull();
            }
          },
        );
      }
    }
  });

  describe('over graphql-ws', () => {
    it('closes the socket with 4403 for a wrong key', async () => {
      const client = server.wsClient({ authorization: 'Bearer not-a-key-but-long-enough' });
      await expect(collect(client, PROCEDURES)).rejects.toMatchObject({ code: 4403 });
    });

    it('closes the socket with 4403 when no key is given', async () => {
      const client = server.wsClient({});
      await expect(collect(client, PROCEDURES)).rejects.toMatchObject({ code: 4403 });
    });

    it.each([
      ['{ authorization: "Bearer <key>" }', { authorization: `Bearer ${KEYS.viewer}` }],
      ['{ apiKey }', { apiKey: KEYS.viewer }],
      ['{ headers: { Authorization } }', { headers: { Authorization: `Bearer ${KEYS.viewer}` } }],
    ])('accepts a key passed as %s', async (_name, params) => {
      const [result] = await collect(server.wsClient(params), PROCEDURES);
      expect(result.errors).toBeUndefined();
      expect(result.data.procedures.edges.length).toBeGreaterThan(0);
    });

    it('accepts a key in the upgrade request Authorization header', async () => {
      const socket = await openRawSocket(server.wsUrl, { headers: bearer(KEYS.viewer) });
      socket.send(JSON.stringify({ type: 'connection_init' }));
      expect((await socket.next()).type).toBe('connection_ack');
      socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: PROCEDURES } }));
      const next = await socket.next();
      expect(next).toMatchObject({ id: '1', type: 'next' });
      expect(next.payload.data.procedures.edges.length).toBeGreaterThan(0);
      socket.socket.close();
    });

    it.skipIf(!schema.getSubscriptionType()?.getFields().handoffEvents)(
      'lets a viewer subscribe (authorised like a query)',
      async () => {
        const client = server.wsClient({ apiKey: KEYS.viewer });
        let started = 0;
        let trigger: ReturnType<typeof setInterval> | undefined;
        let stop: () => void = () => undefined;
        const received = await new Promise<GraphQLResponse>((resolve, reject) => {
          stop = client.subscribe(
            { query: HANDOFF_EVENTS },
            { next: (value) => resolve(value as GraphQLResponse), error: reject, complete: () => undefined },
          );
          // Something to report: an operator starts handoffs until the live subscription sees one
          // (there is no "subscription is live" signal in graphql-ws to wait for instead).
          trigger = setInterval(() => {
            started += 1;
            void server.gql(
              `mutation { initiateHandoff(input: { handoffId: "ws_sub_${started}", procedureId: "PHASE_TRANSITION_STANDARD", sourceAgent: "a1", targetAgent: "a2", handoffType: AGENT_HANDOFF, priority: LOW }) { userErrors { code } } }`,
              undefined,
              bearer(KEYS.operator),
            );
          }, 50);
        }).finally(() => {
          clearInterval(trigger);
          stop();
        });
        expect(received.errors).toBeUndefined();
        expect(received.data.handoffEvents.handoffId).toMatch(/^ws_sub_\d+$/);
      },
    );

    it.skipIf(!schema.getSubscriptionType()?.getFields().handoffEvents)(
      'refuses a subscription over SSE without a key',
      async () => {
        const response = await fetch(server.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
          body: JSON.stringify({ query: HANDOFF_EVENTS }),
        });
        const text = await response.text();
        expect(text).toMatch(/UNAUTHENTICATED/);
      },
    );

    for (const testCase of REACH) {
      for (const role of ROLES) {
        const allowed = RANK[role] >= RANK[testCase.least];
        it.skipIf(!hasRootField(testCase.kind, testCase.field))(
          `${role} ${allowed ? 'may' : 'may not'} ${testCase.name}`,
          async () => {
            const [result] = await collect(
              server.wsClient({ authorization: `Bearer ${KEYS[role]}` }),
              testCase.operation.replace(/"auth_/g, '"ws_auth_').replace(/"(VR|AUTH)_/g, '"WS$1_'),
            );
            if (allowed) expect(authCodes(result)).toEqual([]);
            else expect(authCodes(result)).toContain('FORBIDDEN');
          },
        );
      }
    }
  });

  it('never writes a key to the log', async () => {
    await server.gql(PROCEDURES, undefined, bearer(KEYS.admin));
    await fetch(server.url, {
      method: 'POST',
      headers: { ...bearer(`${KEYS.operator}x`), 'content-type': 'application/json' },
      body: '{}',
    });
    await collect(server.wsClient({ apiKey: KEYS.viewer }), PROCEDURES);
    await collect(server.wsClient({ apiKey: `${KEYS.viewer}x` }), PROCEDURES).catch(() => undefined);
    const text = JSON.stringify(server.logs);
    expect(server.logs.length).toBeGreaterThan(0);
    for (const key of Object.values(KEYS)) expect(text).not.toContain(key);
  });

  it('hides field suggestions from error messages', async () => {
    const response = await server.gql('{ procedurs { id } }', undefined, bearer(KEYS.viewer));
    expect(response.errors?.[0].message).not.toMatch(/Did you mean/);
  });
});

describe('with no API keys configured', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('lets an anonymous caller do anything an admin can', async () => {
    const response = await server.gql(PROCEDURES);
    expect(response.errors).toBeUndefined();
    expect(response.data.procedures.edges.length).toBeGreaterThan(0);
  });

  it('accepts graphql-ws connections without a key', async () => {
    const [result] = await collect(server.wsClient(), PROCEDURES);
    expect(result.errors).toBeUndefined();
  });

  it('keeps field suggestions for local development', async () => {
    const response = await server.gql('{ procedurs { id } }');
    expect(response.errors?.[0].message).toMatch(/Did you mean/);
  });
});

describe('API_KEYS_FILE', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-keys-'));
  it.each([
    ['JSON', 'keys.json', JSON.stringify([{ name: 'file-viewer', role: 'viewer', key: KEYS.viewer }])],
    ['lines', 'keys.txt', `# viewer for dashboards\n\nfile-viewer:viewer:${KEYS.viewer}\n`],
  ])('loads keys from a %s file', async (_format, file, text) => {
    const keysFile = path.join(dir, file);
    fs.writeFileSync(keysFile, text);
    const server = await startTestServer({ API_KEYS_FILE: keysFile });
    try {
      expect((await server.gql(PROCEDURES, undefined, bearer(KEYS.viewer))).errors).toBeUndefined();
      expect((await server.gql(PROCEDURES, undefined, bearer(KEYS.admin))).errors?.[0].extensions?.code).toBe(
        'UNAUTHENTICATED',
      );
    } finally {
      await server.close();
    }
  });
});
