import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { schema } from '../../src/resolvers/index.js';
import { httpRequest, openEventStream } from '../support/raw-http.js';
import {
  bearer,
  collect,
  type GraphQLResponse,
  openRawSocket,
  type RawSocket,
  startTestServer,
  type TestServer,
} from '../support/server.js';
import { RecordingDatabase } from '../support/store-snapshot.js';

/**
 * A corpus of hostile or malformed requests. Each one must get a clear error, leave the server
 * serving (a normal query succeeds right after) and leave the store exactly as it was.
 */

const ADMIN_KEY = 'admin-key-0123456789abcdef';
const MAX_BODY_BYTES = 64_000;
const AUTH = bearer(ADMIN_KEY);
const PROCEDURES = '{ procedures { edges { node { id } } } }';

let server: TestServer;
let db: RecordingDatabase;

interface Reply {
  status: number;
  body: GraphQLResponse;
}

async function post(
  body: string,
  headers: Record<string, string> = { 'content-type': 'application/json' },
): Promise<Reply> {
  const response = await fetch(server.url, { method: 'POST', headers: { ...AUTH, ...headers }, body });
  return { status: response.status, body: (await response.json()) as GraphQLResponse };
}

function operation(query: string, variables?: unknown, extra: Record<string, unknown> = {}): Promise<Reply> {
  return post(JSON.stringify({ query, variables, ...extra }));
}

function firstError(reply: Reply): string {
  expect(reply.body.errors?.length, `errors in ${JSON.stringify(reply.body).slice(0, 300)}`).toBeGreaterThan(0);
  return reply.body.errors![0].message;
}

/** A rejected request: the status (when given) and a message that says what was wrong. */
function rejects(status: number | null, message: RegExp) {
  return (reply: Reply): void => {
    if (status !== null) expect(reply.status).toBe(status);
    expect(firstError(reply)).toMatch(message);
    expect(JSON.stringify(reply.body)).not.toMatch(/\bat .*\.(ts|js):\d+/); // no stack frames
  };
}

/** One error among several (e.g. an armor limit next to unknown-field errors). */
function anyErrorMatches(message: RegExp) {
  return (reply: Reply): void => {
    expect(
      reply.body.errors?.map((e) => e.message).some((m) => message.test(m)),
      JSON.stringify(reply.body).slice(0, 300),
    ).toBe(true);
  };
}

/** A lookup that finds nothing: null data, no error needed, nothing leaked. */
function findsNothing(field: string) {
  return (reply: Reply): void => {
    expect(reply.status).toBe(200);
    expect(reply.body.data?.[field] ?? null).toBeNull();
  };
}

function hasRootField(kind: 'query' | 'mutation', field: string): boolean {
  const type = kind === 'query' ? schema.getQueryType() : schema.getMutationType();
  return Boolean(type?.getFields()[field]);
}

interface HostileCase {
  name: string;
  /** Root field the case needs; skipped while the schema does not have it. */
  needs?: { kind: 'query' | 'mutation'; field: string };
  run(): Promise<void>;
}

const http_ = (name: string, send: () => Promise<Reply>, check: (reply: Reply) => void): HostileCase => ({
  name,
  run: async () => check(await send()),
});
const gql = (
  name: string,
  query: string,
  variables: unknown,
  check: (reply: Reply) => void,
  needs?: HostileCase['needs'],
): HostileCase => ({
  name,
  needs,
  run: async () => check(await operation(query, variables)),
});

const aliases = (n: number) =>
  `{ ${Array.from({ length: n }, (_, i) => `a${i}: procedures { totalCount }`).join(' ')} }`;
const nested = (depth: number) => `{ ${'a { '.repeat(depth)}b${' }'.repeat(depth)} }`;
const INJECTIONS = [
  '{"$gt": ""}',
  '{"$where": "sleep(1000)"}',
  '{"$ne": null}',
  "' OR '1'='1",
  'a.b.c',
  '$where',
  '__proto__',
  '../../etc/passwd',
  '\u0000',
  'x'.repeat(5000),
];

/** Raw HTTP for what fetch refuses to send (bad Content-Length). */
function rawRequest(headers: Record<string, string>, body: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const url = new URL(server.url);
    const request = http.request(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { ...AUTH, ...headers } },
      (response) => {
        let text = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text ? JSON.parse(text) : {} }));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

const HTTP_CASES: HostileCase[] = [
  http_('invalid JSON', () => post('{"query": '), rejects(400, /invalid JSON/)),
  http_('empty body', () => post(''), rejects(400, /invalid JSON/)),
  http_('JSON null', () => post('null'), rejects(400, /expected to be object/)),
  http_('JSON string', () => post('"{ procedures { id } }"'), rejects(400, /expected to be object/)),
  http_('JSON number', () => post('42'), rejects(400, /expected to be object/)),
  http_('empty batch', () => post('[]'), rejects(400, /Batching is not supported/)),
  http_(
    'batched operations',
    () => post(JSON.stringify([{ query: PROCEDURES }, { query: PROCEDURES }])),
    rejects(400, /Batching is not supported/),
  ),
  http_('no query', () => post('{}'), rejects(null, /Must provide query string/)),
  http_('query is a number', () => post('{"query": 1}'), rejects(400, /"query" param to be a string/)),
  http_('query is an object', () => post('{"query": {"$gt": ""}}'), rejects(400, /"query" param to be a string/)),
  http_(
    'variables is a string',
    () => post(JSON.stringify({ query: PROCEDURES, variables: 'x' })),
    rejects(400, /"variables" param/),
  ),
  http_(
    'extensions is a string',
    () => post(JSON.stringify({ query: PROCEDURES, extensions: 'x' })),
    rejects(400, /"extensions" param/),
  ),
  http_(
    'operationName names no operation',
    () => post(JSON.stringify({ query: PROCEDURES, operationName: 'Missing' })),
    rejects(400, /Could not determine what operation to execute/),
  ),
  http_(
    'text/plain body',
    () => post(JSON.stringify({ query: PROCEDURES }), { 'content-type': 'text/plain' }),
    rejects(415, /Unsupported content type/),
  ),
  http_(
    'form-encoded body',
    () => post('query=%7Bprocedures%7Bid%7D%7D', { 'content-type': 'application/x-www-form-urlencoded' }),
    rejects(415, /Unsupported content type/),
  ),
  http_(
    'multipart upload',
    () => post('--x\r\n\r\n--x--', { 'content-type': 'multipart/form-data; boundary=x' }),
    rejects(415, /Unsupported content type/),
  ),
  http_(
    'XML body',
    () => post('<query/>', { 'content-type': 'application/xml' }),
    rejects(415, /Unsupported content type/),
  ),
  http_('huge body', () => operation(PROCEDURES, { padding: 'a'.repeat(MAX_BODY_BYTES) }), rejects(413, /too large/)),
  http_(
    'huge body, chunked without Content-Length',
    () =>
      rawRequest(
        { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
        JSON.stringify({ query: PROCEDURES, variables: { p: 'a'.repeat(MAX_BODY_BYTES) } }),
      ),
    rejects(413, /too large/),
  ),
  http_(
    'empty chunked body',
    () => rawRequest({ 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, ''),
    rejects(400, /empty/),
  ),
  http_(
    'chunked body within the limit is served',
    () =>
      rawRequest(
        { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
        JSON.stringify({ query: PROCEDURES }),
      ),
    (reply) => {
      expect(reply.status).toBe(200);
      expect(reply.body.data).toEqual({
        procedures: { edges: expect.arrayContaining([{ node: { id: expect.any(String) } }]) },
      });
    },
  ),
  // Node's own parser answers 400 before any handler runs: the body cap never sees such a header.
  http_(
    'Content-Length not a number',
    () => rawRequest({ 'content-type': 'application/json', 'content-length': '1e3' }, '{}'),
    (reply) => expect(reply.status).toBe(400),
  ),
  http_(
    'lying Content-Length',
    () => rawRequest({ 'content-type': 'application/json', 'content-length': String(MAX_BODY_BYTES * 10) }, '{}'),
    rejects(413, /too large/),
  ),
  http_(
    'mutation over GET',
    async () => {
      const response = await fetch(`${server.url}?query=${encodeURIComponent('mutation { __typename }')}`, {
        headers: AUTH,
      });
      return { status: response.status, body: (await response.json()) as GraphQLResponse };
    },
    rejects(405, /mutation operation from a POST/),
  ),
  http_(
    'PUT method',
    async () => {
      const response = await fetch(server.url, {
        method: 'PUT',
        headers: { ...AUTH, 'content-type': 'application/json' },
        body: JSON.stringify({ query: PROCEDURES }),
      });
      return { status: response.status, body: (await response.json()) as GraphQLResponse };
    },
    rejects(405, /single connection mode .* is not supported here/),
  ),
];

const GRAPHQL_CASES: HostileCase[] = [
  gql('syntax error', '{ procedures { id ', undefined, rejects(200, /Syntax Error/)),
  gql('binary garbage as query', '\u0000\u0001\u00ff{{{', undefined, rejects(null, /Syntax Error/)),
  gql('empty query', '', undefined, rejects(null, /Must provide query string|Syntax Error/)),
  gql('deep nesting (14 levels)', nested(14), undefined, anyErrorMatches(/depth limit of 12 exceeded/i)),
  gql(
    'deep and wide nesting (30 levels)',
    nested(30),
    undefined,
    anyErrorMatches(/depth limit of 12 exceeded|cost limit of 60000 exceeded/i),
  ),
  gql('alias bomb (50 aliases)', aliases(50), undefined, rejects(200, /Aliases limit of 15 exceeded/)),
  gql(
    'alias bomb through fragments',
    `{ ...F ...G } fragment F on Query { ${aliases(10).slice(1, -1)} } fragment G on Query { ${aliases(10).slice(1, -1).replace(/a(\d)/g, 'b$1')} }`,
    undefined,
    rejects(200, /Aliases limit/),
  ),
  gql(
    'fragment cycle',
    'query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }',
    undefined,
    anyErrorMatches(/Cannot spread fragment "A" within itself/),
  ),
  gql(
    'self-referencing fragment',
    'query { ...A } fragment A on Query { procedures { totalCount } ...A }',
    undefined,
    anyErrorMatches(/within itself/),
  ),
  gql(
    'directive flood',
    `{ procedures ${'@skip(if: false) '.repeat(40)}{ id } }`,
    undefined,
    rejects(200, /Directives limit of 20 exceeded/),
  ),
  gql('token flood', `{ ${'procedures { id } '.repeat(800)}}`, undefined, rejects(200, /Token limit of 2000 exceeded/)),
  gql(
    'cost bomb via repeated fragment spreads',
    `query { procedures { edges { node { ${'...P '.repeat(200)} } } } } fragment P on Procedure { id name description steps { id name } rollback { id name } }`,
    undefined,
    rejects(200, /Cost limit of 60000 exceeded/),
  ),
  gql('unknown field', '{ nope }', undefined, rejects(200, /Cannot query field "nope"/)),
  gql('unknown field near a real one, no suggestion', '{ procedurs { id } }', undefined, (reply) => {
    expect(firstError(reply)).toMatch(/Cannot query field "procedurs"/);
    expect(firstError(reply)).not.toMatch(/Did you mean/);
  }),
  gql(
    'unknown argument',
    '{ procedure(id: "X", where: "1=1") { id } }',
    undefined,
    rejects(200, /Unknown argument "where"/),
  ),
  gql('unknown type in fragment', '{ ...F } fragment F on Nope { id }', undefined, rejects(200, /Unknown type "Nope"/)),
  gql(
    'two anonymous operations',
    '{ procedures { id } } { procedures { name } }',
    undefined,
    rejects(null, /Could not determine what operation to execute|must be the only defined operation/),
  ),
  gql(
    'subscription on a query field',
    'subscription { procedures { id } }',
    undefined,
    anyErrorMatches(/Subscription|subscription/),
  ),
  gql(
    'missing required argument',
    '{ procedure { id } }',
    undefined,
    rejects(200, /argument "id" of type "ID!" is required/),
  ),
  gql(
    'object where ID expected (literal)',
    '{ procedure(id: {gt: ""}) { id } }',
    undefined,
    rejects(200, /ID cannot represent/),
  ),
  gql(
    'variable of wrong type: object for ID',
    'query($id: ID!) { procedure(id: $id) { id } }',
    { id: { $gt: '' } },
    rejects(400, /ID cannot represent/),
  ),
  gql(
    'variable of wrong type: array for ID',
    'query($id: ID!) { procedure(id: $id) { id } }',
    { id: ['a', 'b'] },
    rejects(400, /ID cannot represent/),
  ),
  gql(
    'variable of wrong type: bool for ID',
    'query($id: ID!) { procedure(id: $id) { id } }',
    { id: true },
    rejects(400, /ID cannot represent/),
  ),
  gql(
    'required variable missing',
    'query($id: ID!) { procedure(id: $id) { id } }',
    {},
    rejects(400, /was not provided/),
  ),
  gql(
    'required variable null',
    'query($id: ID!) { procedure(id: $id) { id } }',
    { id: null },
    rejects(400, /must not be null/),
  ),
  gql(
    'undeclared variable',
    '{ procedure(id: $id) { id } }',
    { id: 'x' },
    rejects(200, /Variable "\$id" is not defined/),
  ),
  gql(
    'variable of unknown type',
    'query($id: Nope) { procedure(id: $id) { id } }',
    { id: 'x' },
    anyErrorMatches(/Unknown type "Nope"/),
  ),
  ...INJECTIONS.map((id) =>
    gql(
      `injection-shaped procedure id ${JSON.stringify(id).slice(0, 30)}`,
      'query($id: ID!) { procedure(id: $id) { id } }',
      { id },
      findsNothing('procedure'),
    ),
  ),
  gql('node: not base64', '{ node(id: "!!!not-base64") { id } }', undefined, rejects(200, /Invalid global ID/)),
  gql(
    'node: injection-shaped id',
    'query($id: ID!) { node(id: $id) { id } }',
    { id: '{"$gt": ""}' },
    rejects(200, /Invalid global ID/),
  ),
  gql(
    'node: unknown type name',
    `query($id: ID!) { node(id: $id) { id } }`,
    { id: Buffer.from('Nope:1').toString('base64') },
    (reply) => {
      expect(reply.body.data?.node ?? null).toBeNull();
      expect(reply.body.errors?.length).toBeGreaterThan(0);
    },
  ),
  gql(
    'node: valid type, operator-shaped id',
    `query($id: ID!) { node(id: $id) { id } }`,
    { id: Buffer.from('Procedure:{"$gt":""}').toString('base64') },
    findsNothing('node'),
  ),
  gql('node: huge id', 'query($id: ID!) { node(id: $id) { id } }', { id: 'A'.repeat(40_000) }, (reply) =>
    expect(reply.body.data?.node ?? null).toBeNull(),
  ),
];

/** Cases for operations other engineers add; each runs once its root field is in the schema. */
const LATER_CASES: HostileCase[] = [
  gql(
    'agent: injection-shaped id',
    'query($id: ID!) { agent(id: $id) { id } }',
    { id: '{"$gt": ""}' },
    findsNothing('agent'),
    { kind: 'query', field: 'agent' },
  ),
  gql(
    'handoff: injection-shaped id',
    'query($id: ID!) { handoff(id: $id) { id } }',
    { id: '{"$where": "1"}' },
    findsNothing('handoff'),
    { kind: 'query', field: 'handoff' },
  ),
  gql('handoff: dotted id', 'query($id: ID!) { handoff(id: $id) { id } }', { id: 'a.b' }, findsNothing('handoff'), {
    kind: 'query',
    field: 'handoff',
  }),
  gql(
    'handoffs: garbage cursor',
    '{ handoffs(first: 5, after: "not-a-cursor") { totalCount } }',
    undefined,
    (reply) => expect(reply.body.errors?.length).toBeGreaterThan(0),
    { kind: 'query', field: 'handoffs' },
  ),
  gql(
    'handoffs: injection-shaped cursor',
    'query($c: String) { handoffs(first: 5, after: $c) { totalCount } }',
    { c: Buffer.from('{"$gt":""}').toString('base64') },
    (reply) => expect(reply.body.errors?.length).toBeGreaterThan(0),
    { kind: 'query', field: 'handoffs' },
  ),
  gql(
    'handoffs: negative page size',
    '{ handoffs(first: -1) { totalCount } }',
    undefined,
    (reply) => expect(reply.body.errors?.length).toBeGreaterThan(0),
    { kind: 'query', field: 'handoffs' },
  ),
  gql(
    'handoffs: 6,000 procedure ids in a variable (60,000 fit in a default 1 MB body)',
    'query($p: [ID!]) { handoffs(first: 5, filter: { procedureId: $p }) { totalCount } }',
    { p: Array.from({ length: 6_000 }, (_, i) => `P${i}`) },
    rejects(200, /Variable \$p has 6000 items; a list argument may have at most 200/),
    { kind: 'query', field: 'handoffs' },
  ),
  gql(
    'handoffs: a literal list of 300 statuses',
    `{ handoffs(first: 5, filter: { status: [${Array(300).fill('RUNNING').join(' ')}] }) { totalCount } }`,
    undefined,
    rejects(200, /A list has 300 items; a list argument may have at most 200/),
    { kind: 'query', field: 'handoffs' },
  ),
  gql(
    'a JSON value may hold long arrays: they are data, not list arguments',
    `mutation($m: JSON) { a: initiateHandoff(input: { procedureId: "NONE", metadata: $m }) { userErrors { code } }
      b: initiateHandoff(input: { procedureId: "NONE", metadata: { list: [${Array(300).fill(1).join(',')}] } }) { userErrors { code } } }`,
    { m: { list: Array(1_000).fill(1) } },
    (reply) => {
      expect(reply.body.errors).toBeUndefined();
      expect(reply.body.data).toEqual({
        a: { userErrors: [{ code: 'NOT_FOUND' }] },
        b: { userErrors: [{ code: 'NOT_FOUND' }] },
      });
    },
    { kind: 'mutation', field: 'initiateHandoff' },
  ),
  gql(
    'agents: garbage cursor',
    '{ agents(first: 5, after: "%%%") { totalCount } }',
    undefined,
    (reply) => expect(reply.body.errors?.length).toBeGreaterThan(0),
    { kind: 'query', field: 'agents' },
  ),
  gql(
    'initiateHandoff: operator-shaped procedure id',
    'mutation($input: InitiateHandoffInput!) { initiateHandoff(input: $input) { handoff { id } userErrors { code message } } }',
    {
      input: {
        handoffId: 'hostile_1',
        procedureId: '{"$gt": ""}',
        sourceAgent: 'a',
        targetAgent: 'b',
        handoffType: 'AGENT_HANDOFF',
        priority: 'LOW',
        metadata: { $where: 'sleep(1000)', 'a.b': 1 },
      },
    },
    (reply) => {
      expect(reply.body.data?.initiateHandoff?.handoff ?? null).toBeNull();
      expect(reply.body.data?.initiateHandoff?.userErrors?.length ?? reply.body.errors?.length).toBeGreaterThan(0);
    },
    { kind: 'mutation', field: 'initiateHandoff' },
  ),
  gql(
    'initiateHandoff: oversized metadata',
    'mutation($input: InitiateHandoffInput!) { initiateHandoff(input: $input) { handoff { id } userErrors { code } } }',
    {
      input: {
        handoffId: 'hostile_2',
        procedureId: 'PHASE_TRANSITION_STANDARD',
        sourceAgent: 'a',
        targetAgent: 'b',
        handoffType: 'AGENT_HANDOFF',
        priority: 'LOW',
        metadata: { blob: 'x'.repeat(MAX_BODY_BYTES) },
      },
    },
    rejects(413, /too large/),
    { kind: 'mutation', field: 'initiateHandoff' },
  ),
  {
    name: 'initiateHandoff: JSON metadata nested 30,000 levels deep',
    needs: { kind: 'mutation', field: 'initiateHandoff' },
    run: async () => {
      // Built as text: JSON.stringify itself would overflow the stack on it.
      const deep = `${'['.repeat(30_000)}1${']'.repeat(30_000)}`;
      const query =
        'mutation($m: JSON) { initiateHandoff(input: { handoffId: "hostile_deep", procedureId: "PHASE_TRANSITION_STANDARD", metadata: $m }) { userErrors { code } } }';
      const reply = await post(`{"query":${JSON.stringify(query)},"variables":{"m":{"a":${deep}}}}`);
      expect(reply.status).toBeLessThan(500);
      expect(firstError(reply)).toMatch(/JSON values may nest at most 64 levels deep/);
      expect(JSON.stringify(reply.body)).not.toMatch(/Unexpected error/);
    },
  },
  gql(
    'initiateHandoff: wrong enum value',
    'mutation { initiateHandoff(input: { handoffId: "hostile_3", procedureId: "PHASE_TRANSITION_STANDARD", handoffType: "DROP TABLE", priority: LOW }) { userErrors { code } } }',
    undefined,
    (reply) => expect(reply.body.errors?.length).toBeGreaterThan(0),
    { kind: 'mutation', field: 'initiateHandoff' },
  ),
  gql(
    'registerAgent: operator-shaped id',
    'mutation($input: RegisterAgentInput!) { registerAgent(input: $input) { agent { id } userErrors { code } } }',
    { input: { id: '{"$gt": ""}', capabilities: ['$where'], permissions: [] } },
    (reply) => {
      expect(reply.body.data?.registerAgent?.agent ?? null).toBeNull();
      expect(reply.body.data?.registerAgent?.userErrors?.length ?? reply.body.errors?.length).toBeGreaterThan(0);
    },
    { kind: 'mutation', field: 'registerAgent' },
  ),
  gql(
    'createValidationRule: $where condition',
    'mutation($input: CreateValidationRuleInput!) { createValidationRule(input: $input) { rule { id } userErrors { code } } }',
    { input: { id: 'VR_HOSTILE', name: 'hostile', severity: 'LOW', condition: { $where: 'while(true){}' } } },
    (reply) => {
      expect(reply.body.data?.createValidationRule?.rule ?? null).toBeNull();
      expect(reply.body.data?.createValidationRule?.userErrors?.length ?? reply.body.errors?.length).toBeGreaterThan(0);
    },
    { kind: 'mutation', field: 'createValidationRule' },
  ),
];

/** WebSocket protocol abuse on raw sockets. */
const WS_CASES: HostileCase[] = [
  {
    name: 'ws: subscribe before connection_init',
    run: async () => {
      const socket = await openRawSocket(server.wsUrl);
      socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: PROCEDURES } }));
      expect((await socket.closed).code).toBe(4401);
    },
  },
  {
    name: 'ws: garbage frame',
    run: async () => {
      const socket = await openRawSocket(server.wsUrl);
      socket.send('garbage{');
      expect(await socket.closed).toMatchObject({ code: 4400 });
    },
  },
  {
    name: 'ws: binary garbage frame',
    run: async () => {
      const socket = await openRawSocket(server.wsUrl);
      socket.send(Buffer.from([0, 1, 2, 255]));
      expect((await socket.closed).code).toBe(4400);
    },
  },
  {
    name: 'ws: unknown message type',
    run: async () => {
      const socket = await openRawSocket(server.wsUrl);
      socket.send(JSON.stringify({ type: 'drop_tables' }));
      expect((await socket.closed).code).toBe(4400);
    },
  },
  {
    name: 'ws: connection_init twice',
    run: async () => {
      const socket = await openRawSocket(server.wsUrl);
      socket.send(JSON.stringify({ type: 'connection_init', payload: { apiKey: ADMIN_KEY } }));
      expect((await socket.next()).type).toBe('connection_ack');
      socket.send(JSON.stringify({ type: 'connection_init', payload: { apiKey: ADMIN_KEY } }));
      expect((await socket.closed).code).toBe(4429);
    },
  },
  {
    name: 'ws: connection_init with an injection-shaped key',
    run: async () => {
      const socket = await openRawSocket(server.wsUrl);
      socket.send(JSON.stringify({ type: 'connection_init', payload: { apiKey: { $gt: '' } } }));
      expect((await socket.closed).code).toBe(4403);
    },
  },
  {
    name: 'ws: duplicate operation id',
    run: async () => {
      const socket = await openRawSocket(server.wsUrl);
      socket.send(JSON.stringify({ type: 'connection_init', payload: { apiKey: ADMIN_KEY } }));
      await socket.next();
      // A live subscription: the second frame comes while the first operation still runs.
      const frame = JSON.stringify({
        id: 'same',
        type: 'subscribe',
        payload: { query: 'subscription { handoffEvents { seq } }' },
      });
      socket.send(frame);
      socket.send(frame);
      expect((await socket.closed).code).toBe(4409);
    },
  },
  {
    name: 'ws: subscribe without a payload',
    run: async () => {
      const socket = await openRawSocket(server.wsUrl);
      socket.send(JSON.stringify({ type: 'connection_init', payload: { apiKey: ADMIN_KEY } }));
      await socket.next();
      socket.send(JSON.stringify({ id: '1', type: 'subscribe' }));
      expect((await socket.closed).code).toBe(4400);
    },
  },
  {
    name: 'ws: syntax error keeps the socket open',
    run: async () => {
      const socket = await openRawSocket(server.wsUrl);
      socket.send(JSON.stringify({ type: 'connection_init', payload: { apiKey: ADMIN_KEY } }));
      await socket.next();
      socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: '{ procedures { id ' } }));
      const error = await socket.next();
      expect(error).toMatchObject({ id: '1', type: 'error' });
      expect(error.payload[0].message).toMatch(/Syntax Error/);
      socket.send(JSON.stringify({ id: '2', type: 'subscribe', payload: { query: PROCEDURES } }));
      expect(await socket.next()).toMatchObject({ id: '2', type: 'next' });
      socket.socket.close();
    },
  },
  {
    name: 'ws: alias bomb is limited like over HTTP',
    run: async () => {
      const [result] = await collect(server.wsClient({ apiKey: ADMIN_KEY }), aliases(50)).catch((errors) => [
        { errors },
      ]);
      expect(JSON.stringify(result.errors)).toMatch(/Aliases limit of 15 exceeded/);
    },
  },
  {
    name: 'ws: token flood is limited like over HTTP',
    run: async () => {
      const [result] = await collect(
        server.wsClient({ apiKey: ADMIN_KEY }),
        `{ ${'procedures { id } '.repeat(800)}}`,
      ).catch((errors) => [{ errors }]);
      expect(JSON.stringify(result.errors)).toMatch(/Token limit of 2000 exceeded/);
    },
  },
  {
    name: 'ws: a long list variable is limited like over HTTP',
    run: async () => {
      const query = 'query($p: [ID!]) { handoffs(first: 5, filter: { procedureId: $p }) { totalCount } }';
      const [result] = await collect(server.wsClient({ apiKey: ADMIN_KEY }), query, {
        p: Array.from({ length: 500 }, (_, i) => `P${i}`),
      }).catch((errors) => [{ errors }]);
      expect(JSON.stringify(result.errors)).toMatch(/Variable \$p has 500 items; a list argument may have at most 200/);
    },
  },
  {
    name: 'ws: wrong variable type',
    run: async () => {
      const result = await collect(
        server.wsClient({ apiKey: ADMIN_KEY }),
        'query($id: ID!) { procedure(id: $id) { id } }',
        { id: { $gt: '' } },
      ).catch((errors) => [{ errors }]);
      expect(JSON.stringify(result[0].errors)).toMatch(/ID cannot represent/);
    },
  },
  {
    name: 'ws: oversized frame',
    run: async () => {
      const printed = vi.spyOn(console, 'error');
      try {
        const socket = await openRawSocket(server.wsUrl);
        socket.send(
          JSON.stringify({
            type: 'connection_init',
            payload: { apiKey: ADMIN_KEY, padding: 'x'.repeat(MAX_BODY_BYTES + 1) },
          }),
        );
        expect((await socket.closed).code).toBe(1009);
        // A client's fault goes to the structured log, not to stderr as a stack trace.
        expect(printed).not.toHaveBeenCalled();
      } finally {
        printed.mockRestore();
      }
    },
  },
  {
    name: 'ws: outdated subprotocol (subscriptions-transport-ws)',
    run: async () => {
      await expect(openRawSocket(server.wsUrl, { protocol: 'graphql-ws' })).rejects.toThrow(/subprotocol/);
    },
  },
  {
    name: 'ws: cross-site Origin',
    run: async () => {
      await expect(openRawSocket(server.wsUrl, { headers: { origin: 'https://evil.example' } })).rejects.toThrow(/403/);
    },
  },
];

const CASES = [...HTTP_CASES, ...GRAPHQL_CASES, ...LATER_CASES, ...WS_CASES];

describe('hostile and malformed requests', () => {
  beforeAll(async () => {
    db = new RecordingDatabase();
    server = await startTestServer(
      { API_KEYS: `owner:admin:${ADMIN_KEY}`, MAX_BODY_BYTES: String(MAX_BODY_BYTES) },
      { db },
    );
  });
  afterAll(() => server.close());

  it('has at least 60 cases running against the current schema', () => {
    const active = CASES.filter((c) => !c.needs || hasRootField(c.needs.kind, c.needs.field));
    expect(active.length).toBeGreaterThanOrEqual(60);
  });

  const present = (c: HostileCase) => !c.needs || hasRootField(c.needs.kind, c.needs.field);
  it.each(CASES.filter(present).map((c) => [c.name, c] as const))('%s', async (_name, testCase) => {
    const before = await db.snapshot();
    await testCase.run();
    const after = await operation(PROCEDURES);
    expect(after.status).toBe(200);
    expect(after.body.errors).toBeUndefined();
    expect(after.body.data?.procedures.edges.length).toBeGreaterThan(0);
    expect(await db.snapshot()).toEqual(before);
  });

  // Operations other engineers are adding: listed so the corpus grows with the schema.
  for (const testCase of CASES.filter((c) => !present(c)))
    it.skip(`${testCase.name} (needs ${testCase.needs!.field})`, () => undefined);
});

describe('connection limits', () => {
  it('refuses WebSockets beyond MAX_WEBSOCKETS and serves again once one closes', async () => {
    const limited = await startTestServer({ MAX_WEBSOCKETS: '3' });
    try {
      const open = await Promise.all([1, 2, 3].map(() => openRawSocket(limited.wsUrl)));
      await expect(openRawSocket(limited.wsUrl)).rejects.toThrow(/503/);
      open[0].socket.close();
      await open[0].closed;
      const again = await openRawSocket(limited.wsUrl);
      again.send(JSON.stringify({ type: 'connection_init' }));
      expect((await again.next()).type).toBe('connection_ack');
      for (const socket of [...open.slice(1), again]) socket.socket.close();
    } finally {
      await limited.close();
    }
  });

  it.skipIf(!schema.getSubscriptionType()?.getFields().handoffEvents)(
    'refuses operations beyond MAX_SUBSCRIPTIONS_PER_SOCKET on one socket',
    async () => {
      const limited = await startTestServer({ MAX_SUBSCRIPTIONS_PER_SOCKET: '2' });
      try {
        const socket = await openRawSocket(limited.wsUrl);
        socket.send(JSON.stringify({ type: 'connection_init' }));
        await socket.next();
        for (const id of ['1', '2', '3']) {
          socket.send(
            JSON.stringify({ id, type: 'subscribe', payload: { query: 'subscription { handoffEvents { seq } }' } }),
          );
        }
        const refused = await socket.next();
        expect(refused).toMatchObject({ id: '3', type: 'error' });
        expect(refused.payload[0].message).toMatch(/Too many operations on this connection \(limit 2\)/);
        // Ending one frees a place.
        socket.send(JSON.stringify({ id: '1', type: 'complete' }));
        socket.send(
          JSON.stringify({
            id: '4',
            type: 'subscribe',
            payload: { query: '{ procedures { edges { node { id } } } }' },
          }),
        );
        expect(await socket.next()).toMatchObject({ id: '4', type: 'next' });
        socket.socket.close();
      } finally {
        await limited.close();
      }
    },
  );

  it('never sends an internal error message to the client', async () => {
    const failing = new RecordingDatabase();
    const broken = await startTestServer({}, { db: failing, logLevel: 'error' });
    try {
      // Break the store after start-up: every read now fails with a "driver" message.
      failing.readFailure = new Error('driver: connection to 10.0.0.7:27017 reset (secret-host)');
      const response = await fetch(broken.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': 'req-masking-1' },
        body: JSON.stringify({ query: PROCEDURES }),
      });
      const body = (await response.json()) as GraphQLResponse;
      expect(body.errors?.[0].message).toBe('Unexpected error.');
      expect(JSON.stringify(body)).not.toMatch(/secret-host|driver|stack/);
      const logged = broken.logs.filter((line) => JSON.stringify(line).includes('secret-host'));
      expect(logged.length).toBeGreaterThan(0);
      expect(logged.every((line) => line.reqId === 'req-masking-1')).toBe(true);
    } finally {
      await broken.close();
    }
  });
});

/** GraphQL is served at exactly /graphql: every other spelling of it is 404 on every transport, so no guard can be walked around. */
describe('path variants (CSRF)', () => {
  let open: TestServer;
  const VARIANTS = [
    '/graphql/',
    '//graphql',
    '/x/graphql',
    '/graphql/x',
    '/nothing?q=/graphql',
    '/graphql%2F',
    '/GRAPHQL',
  ];
  const MUTATION = (id: string) => `mutation { registerAgent(input: { id: "${id}" }) { agent { id } } }`;
  const registered = async (id: string) => (await open.gql(`{ agent(id: "${id}") { id } }`)).data?.agent ?? null;
  let n = 0;

  beforeAll(async () => {
    open = await startTestServer({});
  });
  afterAll(() => open.close());

  it.each(VARIANTS)('%s: form, text, JSON and GET requests are 404 and run nothing', async (path) => {
    const sends: { method: string; headers: Record<string, string>; body: (id: string) => string | undefined }[] = [
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: (id: string) => `query=${encodeURIComponent(MUTATION(id))}`,
      },
      {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: (id: string) => JSON.stringify({ query: MUTATION(id) }),
      },
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: (id: string) => JSON.stringify({ query: MUTATION(id) }),
      },
      { method: 'GET', headers: { accept: 'text/html' }, body: () => undefined },
    ];
    for (const send of sends) {
      const id = `csrf_${n++}`;
      const reply = await httpRequest(open.origin, {
        method: send.method,
        path,
        headers: send.headers,
        body: send.body(id),
      });
      expect(reply.status, `${send.method} ${send.headers['content-type'] ?? ''}`).toBe(404);
      expect(reply.text).not.toMatch(/graphiql/i);
      expect(await registered(id)).toBeNull();
    }
  });

  it.each(VARIANTS)('%s: an SSE subscription is 404', async (path) => {
    const query = encodeURIComponent('subscription { handoffEvents { seq } }');
    const stream = await openEventStream(open.origin, {
      path: `${path}${path.includes('?') ? '&' : '?'}query=${query}`,
    });
    expect(stream.status).toBe(404);
    stream.close();
  });

  it.each(VARIANTS)('%s: a WebSocket upgrade is refused', async (path) => {
    await expect(openRawSocket(`${open.wsUrl.replace('/graphql', '')}${path}`)).rejects.toThrow(
      /Unexpected server response: (400|404)/,
    );
  });

  it('on /graphql itself a form POST is 415 and runs nothing', async () => {
    const reply = await httpRequest(open.origin, {
      method: 'POST',
      path: '/graphql',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `query=${encodeURIComponent(MUTATION('csrf_exact'))}`,
    });
    expect(reply.status).toBe(415);
    expect(await registered('csrf_exact')).toBeNull();
  });
});

/** A server that requires keys: a wrong key is refused before anything runs, on every transport. */
describe('keys at the door', () => {
  let keyed: TestServer;

  beforeAll(async () => {
    keyed = await startTestServer({ API_KEYS: `owner:admin:${ADMIN_KEY}` });
  });
  afterAll(() => keyed.close());

  it('with keys, a wrong key gets 401 before anything runs, GraphiQL and SSE included', async () => {
    const wrong = { authorization: 'Bearer not-the-key-0123456789' };
    for (const request of [
      { path: '/graphql', headers: { ...wrong, accept: 'text/html' } },
      { path: `/graphql?query=${encodeURIComponent('{ procedures { edges { node { id } } } }')}`, headers: wrong },
      {
        path: `/graphql?query=${encodeURIComponent('subscription { handoffEvents { seq } }')}`,
        headers: { ...wrong, accept: 'text/event-stream' },
      },
      {
        path: '/graphql',
        method: 'POST',
        headers: { ...wrong, 'content-type': 'application/json' },
        body: JSON.stringify({ query: PROCEDURES }),
      },
    ]) {
      const reply = await httpRequest(keyed.origin, request);
      expect(reply.status, request.path).toBe(401);
      expect(JSON.parse(reply.text).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    }
    // A variant of the path is not served at all: nothing answers 200 to it, whatever the key.
    expect(
      (await httpRequest(keyed.origin, { path: '/graphql/', headers: { ...wrong, accept: 'text/html' } })).status,
    ).toBe(404);
  });

  it('a server that requires keys accepts its own origin under any name (a page cannot act without a key)', async () => {
    const port = new URL(keyed.origin).port;
    const headers = { origin: `http://api.example:${port}`, host: `api.example:${port}` };
    const socket = await openRawSocket(keyed.wsUrl, { headers });
    socket.send(JSON.stringify({ type: 'connection_init', payload: { apiKey: ADMIN_KEY } }));
    expect((await socket.next()).type).toBe('connection_ack');
    socket.socket.close();
    await expect(
      openRawSocket(keyed.wsUrl, { headers: { origin: 'http://evil.example', host: headers.host } }),
    ).rejects.toThrow(/403/);
  });
});

/** DNS rebinding: evil.example resolves to 127.0.0.1, so its pages send `Origin` and `Host` naming evil.example. */
describe('origins and host names (DNS rebinding)', () => {
  let open: TestServer;
  let rebound: { origin: string; host: string };

  beforeAll(async () => {
    open = await startTestServer({ CORS_ORIGINS: 'http://app.example' });
    const port = new URL(open.origin).port;
    rebound = { origin: `http://evil.example:${port}`, host: `evil.example:${port}` };
  });
  afterAll(() => open.close());

  const mutationBody = (id: string) =>
    JSON.stringify({ query: `mutation { registerAgent(input: { id: "${id}" }) { agent { id } } }` });
  const registered = async (id: string) => (await open.gql(`{ agent(id: "${id}") { id } }`)).data?.agent ?? null;

  it('an open server refuses a WebSocket whose Origin and Host both name a rebound host', async () => {
    await expect(
      openRawSocket(open.wsUrl, { headers: { origin: rebound.origin, host: rebound.host } }),
    ).rejects.toThrow(/403/);
  });

  it('an open server accepts its own pages under loopback names, and origins CORS_ORIGINS lists', async () => {
    const port = new URL(open.origin).port;
    const pages: Record<string, string>[] = [
      { origin: `http://localhost:${port}`, host: `localhost:${port}` },
      { origin: `http://127.0.0.1:${port}` },
      { origin: 'http://app.example' },
    ];
    for (const headers of pages) {
      const socket = await openRawSocket(open.wsUrl, { headers });
      socket.send(JSON.stringify({ type: 'connection_init' }));
      expect((await socket.next()).type).toBe('connection_ack');
      socket.socket.close();
    }
  });

  it('an open server refuses a rebound page over HTTP: a JSON mutation, a query and an SSE stream', async () => {
    const post = await httpRequest(open.origin, {
      method: 'POST',
      path: '/graphql',
      headers: { 'content-type': 'application/json', ...rebound },
      body: mutationBody('rebound_1'),
    });
    expect(post.status).toBe(403);
    expect(await registered('rebound_1')).toBeNull();
    // Same-origin GETs carry no Origin: the Host alone gives the rebinding away.
    const read = await httpRequest(open.origin, {
      path: `/graphql?query=${encodeURIComponent('{ agents(first: 5) { totalCount } }')}`,
      headers: { host: rebound.host },
    });
    expect(read.status).toBe(403);
    const live = `/graphql?query=${encodeURIComponent('subscription { handoffEvents { seq } }')}`;
    const pages: Record<string, string>[] = [{ host: rebound.host }, rebound, { origin: 'https://evil.example' }];
    for (const headers of pages) {
      const stream = await openEventStream(open.origin, { path: live, headers });
      expect(stream.status, JSON.stringify(headers)).toBe(403);
      stream.close();
    }
    const listed = await httpRequest(open.origin, {
      method: 'POST',
      path: '/graphql',
      headers: { 'content-type': 'application/json', origin: 'http://app.example' },
      body: mutationBody('listed_1'),
    });
    expect(listed.status).toBe(200);
    expect(await registered('listed_1')).toEqual({ id: expect.any(String) });
  });
});

/** Streams (SSE responses and graphql-ws subscriptions) are capped per client and in total, across transports. */
describe('stream caps', () => {
  let capped: TestServer;
  const LIVE = 'subscription { handoffEvents { seq } }';
  const sseGet = (localAddress: string) =>
    openEventStream(capped.origin, { path: `/graphql?query=${encodeURIComponent(LIVE)}`, localAddress });
  const ssePost = (localAddress: string) =>
    openEventStream(capped.origin, {
      method: 'POST',
      path: '/graphql',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: LIVE }),
      localAddress,
    });

  /** A socket with one live subscription (id "1"), proven live by an event it received. */
  async function liveSocket(localAddress: string) {
    const socket = await openRawSocket(capped.wsUrl, { localAddress });
    socket.send(JSON.stringify({ type: 'connection_init' }));
    await socket.next();
    socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: LIVE } }));
    return socket;
  }

  /** The next frame of operation `id` of type `type`, skipping others (more events of earlier handoffs). */
  async function frameOf(socket: RawSocket, id: string, type: string): Promise<any> {
    for (;;) {
      const frame = await socket.next();
      if (frame.id === id && frame.type === type) return frame;
    }
  }

  const tick = (handoffId: string) =>
    capped.gql(
      `mutation { initiateHandoff(input: { handoffId: "${handoffId}", procedureId: "TICK" }) { userErrors { message } } }`,
    );

  beforeAll(async () => {
    capped = await startTestServer({ MAX_STREAMS_PER_CLIENT: '3', MAX_STREAMS: '4' });
    await capped.gql(
      'mutation { createProcedure(input: { id: "TICK", name: "tick", steps: [{ id: "a", name: "a", kind: NOOP, timeoutMs: 1000 }] }) { userErrors { message } } }',
    );
  });
  afterAll(() => capped.close());

  it('caps one client across SSE (GET and POST) and WebSocket, then the server in total; a closed stream frees its place', async () => {
    const [a, b] = ['127.0.0.1', '127.0.0.2'];
    const opened: { close(): void }[] = [];
    const keep = <T extends { close(): void }>(stream: T): T => {
      opened.push(stream);
      return stream;
    };
    const sockets: RawSocket[] = [];
    try {
      const socket = await liveSocket(a);
      sockets.push(socket);
      const [get, post] = [keep(await sseGet(a)), keep(await ssePost(a))];
      expect([get.status, post.status]).toEqual([200, 200]);
      // The WebSocket subscription holds its place once it streams: an event proves it.
      await tick('tick_1');
      await frameOf(socket, '1', 'next');

      // Client a holds 3 of 3: a fourth is refused on every transport.
      for (const refused of [keep(await sseGet(a)), keep(await ssePost(a))]) {
        expect(refused.status).toBe(429);
        expect(await refused.until(/TOO_MANY_STREAMS/)).toMatch(/this client \(limit 3\)/);
      }
      socket.send(JSON.stringify({ id: '2', type: 'subscribe', payload: { query: LIVE } }));
      expect(await frameOf(socket, '2', 'error')).toMatchObject({
        payload: [{ extensions: { code: 'TOO_MANY_STREAMS' } }],
      });

      // Client b may hold one more: the server's total is 4.
      expect(keep(await sseGet(b)).status).toBe(200);
      const overTotal = keep(await ssePost(b));
      expect(overTotal.status).toBe(503);
      expect(await overTotal.until(/TOO_MANY_STREAMS/)).toMatch(/maximum of 4 open streams/);
      const otherSocket = await liveSocket(b);
      sockets.push(otherSocket);
      expect(await frameOf(otherSocket, '1', 'error')).toMatchObject({
        payload: [{ extensions: { code: 'TOO_MANY_STREAMS' } }],
      });

      // Completing a's subscription frees a place; the same socket can use it at once.
      socket.send(JSON.stringify({ id: '1', type: 'complete' }));
      socket.send(JSON.stringify({ id: '3', type: 'subscribe', payload: { query: LIVE } }));
      await tick('tick_2');
      await frameOf(socket, '3', 'next');
    } finally {
      for (const stream of opened) stream.close();
      for (const socket of sockets) socket.socket.close();
    }
  });
});
