import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestServer, type TestServer } from '../support/server.js';
import { ROOT } from '../support/server-process.js';

const KEYS = {
  operator: 'mcp-operator-key-0123456789',
  agent: 'mcp-agent-key-0123456789abc',
  other: 'mcp-other-agent-key-0123456',
  admin: 'mcp-admin-key-0123456789abc',
};
const API_KEYS = [
  `ops:operator:${KEYS.operator}`,
  `llm_reviewer:agent=mcp_reviewer:${KEYS.agent}`,
  `someone:agent=mcp_other:${KEYS.other}`,
  `root:admin:${KEYS.admin}`,
].join(',');

const TOOLS = [
  'acknowledge_delivery',
  'claim_task',
  'complete_task',
  'fail_task',
  'heartbeat_task',
  'list_offered_tasks',
  'list_procedures',
  'read_handoff',
  'read_inbox',
  'start_handoff',
  'who_am_i',
];

let server: TestServer;
const clients: Client[] = [];

const asOperator = (query: string, variables?: Record<string, unknown>) =>
  server.gql(query, variables, bearer(KEYS.operator));

beforeAll(async () => {
  server = await startTestServer({ API_KEYS });
  for (const [id, permission] of [
    ['mcp_lead', 'handoff:send'],
    ['mcp_reviewer', 'handoff:receive'],
  ]) {
    const registered = await asOperator(
      `mutation($input: RegisterAgentInput!) { registerAgent(input: $input) { userErrors { code } } }`,
      { input: { id, permissions: [permission] } },
    );
    expect(registered.data.registerAgent.userErrors).toEqual([]);
  }
  const created = await server.gql(
    `mutation($input: CreateProcedureInput!) { createProcedure(input: $input) { userErrors { code message } } }`,
    {
      input: {
        id: 'LLM_REVIEW',
        name: 'A plan handed to an LLM agent, which reviews it',
        requiredContextKeys: ['plan'],
        steps: [
          {
            id: 'hand_over',
            name: 'Hand over the plan',
            kind: 'TRANSFER_CONTEXT',
            params: { keys: ['plan'], awaitReceipt: true },
            timeoutMs: 60_000,
          },
          {
            id: 'review',
            name: 'Review the plan',
            kind: 'AGENT_TASK',
            params: { input: { question: 'Is the plan sound?' } },
            timeoutMs: 60_000,
          },
        ],
      },
    },
    bearer(KEYS.admin),
  );
  expect(created.data.createProcedure.userErrors).toEqual([]);
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await server.close();
});

async function connect(transport: StdioClientTransport | StreamableHTTPClientTransport): Promise<Client> {
  const client = new Client({ name: 'handoff-test', version: '1.0.0' });
  await client.connect(transport);
  clients.push(client);
  return client;
}

function httpTransport(key: string): StreamableHTTPClientTransport {
  return new StreamableHTTPClientTransport(new URL(`${server.origin}/mcp`), {
    requestInit: { headers: bearer(key) },
  });
}

function stdioTransport(key: string, agentId: string): StdioClientTransport {
  return new StdioClientTransport({
    command: process.execPath,
    args: ['--import', 'tsx', 'src/mcp/stdio.ts'],
    cwd: ROOT,
    env: {
      ...(process.env as Record<string, string>),
      HANDOFF_URL: server.url,
      HANDOFF_API_KEY: key,
      HANDOFF_AGENT_ID: agentId,
    },
    stderr: 'pipe',
  });
}

interface ToolAnswer {
  isError?: boolean;
  text: string;
  value: any;
}

async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<ToolAnswer> {
  const result = (await client.callTool({ name, arguments: args })) as {
    isError?: boolean;
    content: { type: string; text: string }[];
    structuredContent?: unknown;
  };
  return { isError: result.isError, text: result.content[0]?.text ?? '', value: result.structuredContent };
}

/** Calls a tool until its answer satisfies `done` (the engine works in the background). */
async function until(
  client: Client,
  name: string,
  args: Record<string, unknown>,
  done: (answer: ToolAnswer) => boolean,
) {
  for (;;) {
    const answer = await call(client, name, args);
    if (done(answer)) return answer;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** An LLM agent's part in one handoff, through the tools: receipt, claim, heartbeat, completion. */
async function takePart(client: Client, handoffId: string): Promise<string> {
  const inbox = await until(client, 'read_inbox', { handoffId }, (a) => a.value?.deliveries?.length === 1);
  const [delivery] = inbox.value.deliveries;
  expect(delivery.values).toEqual({ plan: { title: `plan of ${handoffId}` } });
  const acknowledged = await call(client, 'acknowledge_delivery', { handoffId, digest: delivery.digest });
  expect(acknowledged).toMatchObject({ isError: undefined, value: { handoffId, acknowledged: true } });

  const offered = await until(client, 'list_offered_tasks', {}, (a) =>
    a.value?.tasks?.some((task: any) => task.handoffId === handoffId),
  );
  const task = offered.value.tasks.find((t: any) => t.handoffId === handoffId);
  expect(task).toMatchObject({ step: 'review', input: { question: 'Is the plan sound?' }, status: 'OFFERED' });
  const claimed = await call(client, 'claim_task', { taskId: task.taskId });
  expect(claimed.isError).toBeUndefined();
  const { token } = claimed.value;
  expect(
    (await call(client, 'heartbeat_task', { taskId: task.taskId, token, progress: { thinking: true } })).value,
  ).toMatchObject({
    status: 'CLAIMED',
  });
  // A second claim, a wrong token, a bad code: tool errors carrying the API's codes, and nothing changes.
  const again = await call(client, 'claim_task', { taskId: task.taskId });
  expect(again).toMatchObject({ isError: true, value: { error: { code: 'TASK_ALREADY_CLAIMED' } } });
  expect(again.text).toMatch(/^TASK_ALREADY_CLAIMED: /);
  const forged = await call(client, 'complete_task', { taskId: task.taskId, token: 'not-the-token', output: {} });
  expect(forged).toMatchObject({ isError: true, value: { error: { code: 'INVALID_TOKEN' } } });
  const badCode = await call(client, 'fail_task', {
    taskId: task.taskId,
    token,
    code: 'no spaces allowed',
    message: 'x',
  });
  expect(badCode).toMatchObject({
    isError: true,
    value: { error: { code: 'INVALID_VALUE', field: ['input', 'code'] } },
  });

  const completed = await call(client, 'complete_task', {
    taskId: task.taskId,
    token,
    output: { verdict: 'sound', reviewedBy: 'an LLM' },
  });
  expect(completed).toMatchObject({ isError: undefined, value: { taskId: task.taskId, status: 'COMPLETED' } });
  return task.taskId;
}

async function startHandoff(handoffId: string) {
  const started = await asOperator(
    `mutation($input: InitiateHandoffInput!) { initiateHandoff(input: $input) { userErrors { code message } } }`,
    {
      input: {
        handoffId,
        procedureId: 'LLM_REVIEW',
        sourceAgent: 'mcp_lead',
        targetAgent: 'mcp_reviewer',
        metadata: { plan: { title: `plan of ${handoffId}` } },
      },
    },
  );
  expect(started.data.initiateHandoff.userErrors).toEqual([]);
}

describe('MCP over Streamable HTTP (/mcp), with an agent-bound key', () => {
  it('lists the tools, and a handoff completes because an LLM agent claimed and completed its task', async () => {
    const client = await connect(httpTransport(KEYS.agent));
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(TOOLS);
    for (const tool of tools) {
      expect(tool.description!.length, tool.name).toBeGreaterThan(80);
      expect(tool.inputSchema.type, tool.name).toBe('object');
    }
    expect((await call(client, 'who_am_i')).value).toMatchObject({ role: 'AGENT', agentId: 'mcp_reviewer' });

    await startHandoff('mcp_http_1');
    const taskId = await takePart(client, 'mcp_http_1');
    // An agent key reads its handoff through its task.
    const read = await until(client, 'read_handoff', { taskId }, (a) => a.value?.handoff?.status === 'COMPLETED');
    expect(read.value.handoff.steps[1].output).toEqual({ verdict: 'sound', reviewedBy: 'an LLM' });
    expect(read.value.events.at(-1).type).toBe('HANDOFF_COMPLETED');
    expect(read.value.lastSeq).toBe(read.value.events.at(-1).seq);
  });

  it('refuses what the key may not do, and input that does not fit, as tool errors with a code', async () => {
    const client = await connect(httpTransport(KEYS.agent));
    const started = await call(client, 'start_handoff', { procedureId: 'LLM_REVIEW' });
    expect(started).toMatchObject({ isError: true, value: { error: { code: 'FORBIDDEN' } } });
    const othersTasks = await call(client, 'list_offered_tasks', { agentId: 'mcp_lead' });
    expect(othersTasks).toMatchObject({ isError: true, value: { error: { code: 'FORBIDDEN' } } });
    const unknown = await call(client, 'claim_task', { taskId: 'tsk_nothing' });
    expect(unknown).toMatchObject({ isError: true, value: { error: { code: 'NOT_FOUND' } } });
    const wrongType = await call(client, 'claim_task', { taskId: 42 });
    expect(wrongType.isError).toBe(true);
    expect(wrongType.text).toContain('INVALID_VALUE');
    const notAnObject = await call(client, 'complete_task', { taskId: 'tsk_x', token: 't', output: [1, 2] });
    expect(notAnObject.isError).toBe(true);
    expect(notAnObject.text).toContain('INVALID_VALUE: a JSON object');
  });

  it('needs a valid key, and keeps a session to the key that opened it', async () => {
    const refused = await fetch(`${server.origin}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {} }),
    });
    expect(refused.status).toBe(401);
    const transport = httpTransport(KEYS.agent);
    await connect(transport);
    const hijack = await fetch(`${server.origin}/mcp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-session-id': transport.sessionId!,
        'mcp-protocol-version': '2025-06-18',
        ...bearer(KEYS.other),
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
    });
    expect(hijack.status).toBe(403);
    // The client ends its session: it is gone (and what it followed stopped).
    const sessionId = transport.sessionId!;
    await transport.terminateSession();
    const ended = await fetch(`${server.origin}/mcp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-session-id': sessionId,
        'mcp-protocol-version': '2025-06-18',
        ...bearer(KEYS.agent),
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/list' }),
    });
    expect(ended.status).toBe(404);
  });
});

describe('MCP over stdio (src/mcp/stdio.ts), with an operator key', () => {
  it('starts a handoff, takes part in it, and follows its events resource to the end', async () => {
    const client = await connect(stdioTransport(KEYS.operator, 'mcp_reviewer'));
    expect((await client.listTools()).tools.map((tool) => tool.name).sort()).toEqual(TOOLS);
    const listed = await call(client, 'list_procedures');
    expect(listed.value.procedures.map((procedure: any) => procedure.procedureId)).toContain('LLM_REVIEW');
    expect(listed.value.totalCount).toBe(listed.value.procedures.length);
    const started = await call(client, 'start_handoff', {
      handoffId: 'mcp_stdio_1',
      procedureId: 'LLM_REVIEW',
      sourceAgent: 'mcp_lead',
      targetAgent: 'mcp_reviewer',
      metadata: { plan: { title: 'plan of mcp_stdio_1' } },
    });
    expect(started).toMatchObject({ isError: undefined, value: { handoff: { handoffId: 'mcp_stdio_1' } } });

    const uri = 'handoff://mcp_stdio_1/events';
    const updates: string[] = [];
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, async (notification) => {
      updates.push(notification.params.uri);
    });
    await client.subscribeResource({ uri });
    await takePart(client, 'mcp_stdio_1');
    const finished = await until(client, 'read_handoff', { handoffId: 'mcp_stdio_1' }, (a) =>
      ['COMPLETED', 'FAILED', 'ROLLED_BACK'].includes(a.value?.handoff?.status),
    );
    expect(finished.value.handoff.status).toBe('COMPLETED');
    const resource = await client.readResource({ uri });
    const content = JSON.parse((resource.contents[0] as { text: string }).text);
    expect(content.status).toBe('COMPLETED');
    expect(content.events.at(-1).type).toBe('HANDOFF_COMPLETED');
    // Told of the events after the subscription, up to the last.
    for (;;) {
      if (updates.length > 0 && updates.every((u) => u === uri)) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const again = await call(client, 'start_handoff', { handoffId: 'mcp_stdio_1', procedureId: 'LLM_REVIEW' });
    expect(again.value.handoff).toMatchObject({ handoffId: 'mcp_stdio_1', status: 'COMPLETED' });
    const unknown = await call(client, 'start_handoff', { procedureId: 'NO_SUCH_PROCEDURE' });
    expect(unknown).toMatchObject({ isError: true, value: { error: { code: 'NOT_FOUND' } } });
    expect(unknown.text).toMatch(/^NOT_FOUND: /);
  });
});
