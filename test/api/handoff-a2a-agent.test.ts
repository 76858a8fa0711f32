import { SendMessageRequest, StreamResponse, Task, TaskState } from '@a2a-js/sdk';
import {
  type Client,
  ClientFactory,
  ClientFactoryOptions,
  DefaultAgentCardResolver,
  JsonRpcTransportFactory,
} from '@a2a-js/sdk/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SdkPeer, startSdkPeer } from '../support/a2a-sdk-peer.js';
import { createProcedure } from '../support/handoff-fixtures.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { waitFor } from '../support/server-process.js';

const OPERATOR = 'operator-key-0123456789';
const VIEWER = 'viewer-key-0123456789ab';
const ADMIN = 'admin-key-0123456789abc';
let server: TestServer;
let peer: SdkPeer;

/** An A2A client of our server, made the SDK's way (card → transport), presenting `key`. */
async function clientWith(key: string | null): Promise<Client> {
  const fetchImpl: typeof fetch = (input, init) => {
    const headers = new Headers(init?.headers);
    if (key) headers.set('authorization', `Bearer ${key}`);
    return fetch(input, { ...init, headers });
  };
  const factory = new ClientFactory(
    ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
      transports: [new JsonRpcTransportFactory({ fetchImpl })],
      cardResolver: new DefaultAgentCardResolver({ fetchImpl }),
    }),
  );
  return factory.createFromUrl(server.origin);
}

function message(fields: Record<string, unknown>): SendMessageRequest {
  return SendMessageRequest.fromJSON({
    message: { messageId: crypto.randomUUID(), role: 'ROLE_USER', ...fields },
  });
}

/** Every event of a stream, as protocol JSON (what went over the wire). */
async function drain(stream: AsyncIterable<StreamResponse>): Promise<Record<string, any>[]> {
  const events: Record<string, any>[] = [];
  for await (const event of stream) events.push(StreamResponse.toJSON(event) as Record<string, any>);
  return events;
}

const stateOf = (task: Task) => TaskState[task.status!.state];

beforeAll(async () => {
  peer = await startSdkPeer({ streaming: true });
  server = await startTestServer({
    API_KEYS: `ops:operator:${OPERATOR},watcher:viewer:${VIEWER},boss:admin:${ADMIN}`,
    WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
    OUTBOUND_ALLOW_PRIVATE: '127.0.0.1',
  });
  const headers = { authorization: `Bearer ${ADMIN}` };
  const procedures = [
    {
      id: 'APPROVED_CHANGE',
      name: 'Approved change',
      description: 'Prepares a change, waits for approval, applies it.',
      steps: [
        { id: 'prepare', name: 'Prepare', kind: 'NOOP', timeoutMs: 5_000 },
        { id: 'approve', name: 'Approve', kind: 'AWAIT_SIGNAL', timeoutMs: 60_000 },
        { id: 'apply', name: 'Apply', kind: 'NOOP', timeoutMs: 5_000 },
      ],
    },
    {
      id: 'QUICK',
      name: 'Quick',
      description: 'Nothing to wait for.',
      steps: [{ id: 'only', name: 'Only', kind: 'NOOP', timeoutMs: 5_000 }],
    },
    {
      id: 'DELEGATED_REVIEW',
      name: 'Delegated review',
      description: 'An A2A agent reviews what it is handed.',
      steps: [
        {
          id: 'review',
          name: 'Review',
          kind: 'AGENT_TASK',
          params: { agentId: 'reviewer', input: { change: 'PR-21' } },
          timeoutMs: 60_000,
        },
      ],
    },
  ];
  const gql = (query: string, variables?: Record<string, unknown>) => server.gql(query, variables, headers);
  for (const procedure of procedures)
    expect((await createProcedure({ ...server, gql } as TestServer, procedure)).userErrors).toEqual([]);
  const registered = await gql(
    `mutation($url: String!) { registerA2AAgent(input: { cardUrl: $url, agentId: "reviewer" }) { userErrors { message } } }`,
    { url: peer.cardUrl },
  );
  expect(registered.data.registerA2AAgent.userErrors).toEqual([]);
});

afterAll(async () => {
  await server?.close();
  await peer?.close();
});

describe('Handoff as an A2A agent', () => {
  it('publishes an Agent Card: one skill per procedure (to key holders), streaming, a Bearer key required', async () => {
    // Without a key: how to call, but not what the procedures are (as introspection is for key holders).
    const anonymous = await fetch(`${server.origin}/.well-known/agent-card.json`);
    expect(anonymous.status).toBe(200);
    const publicCard = await anonymous.json();
    expect(publicCard).toMatchObject({ securitySchemes: { apiKey: { httpAuthSecurityScheme: { scheme: 'Bearer' } } } });
    expect(publicCard.skills ?? []).toEqual([]);
    const response = await fetch(`${server.origin}/.well-known/agent-card.json`, {
      headers: { authorization: `Bearer ${VIEWER}` },
    });
    const card = await response.json();
    expect(card).toMatchObject({
      name: 'Handoff',
      supportedInterfaces: [{ url: `${server.origin}/a2a`, protocolBinding: 'JSONRPC', protocolVersion: '1.0' }],
      capabilities: { streaming: true },
      securitySchemes: { apiKey: { httpAuthSecurityScheme: { scheme: 'Bearer' } } },
      securityRequirements: [{ schemes: { apiKey: {} } }],
    });
    expect(card.skills.map((skill: { id: string }) => skill.id)).toEqual(
      expect.arrayContaining(['APPROVED_CHANGE', 'QUICK', 'DELEGATED_REVIEW']),
    );
  });

  it('starts a handoff with SendMessage and, blocking, answers with the completed task', async () => {
    const client = await clientWith(OPERATOR);
    const request = message({ parts: [{ data: { ticket: 'T-1' } }], metadata: { skillId: 'QUICK' } });
    request.configuration = { ...request.configuration!, returnImmediately: false };
    const result = await client.sendMessage(request);
    expect('id' in result && stateOf(result as Task)).toBe('TASK_STATE_COMPLETED');
    const task = await client.getTask({ tenant: '', id: (result as Task).id, historyLength: undefined });
    expect(stateOf(task)).toBe('TASK_STATE_COMPLETED');
    // The task is the handoff: its context is what the data part carried.
    const stored = await server.gql(
      `query($id: ID!) { handoff(id: $id) { procedureId status metadata } }`,
      { id: task.id },
      { authorization: `Bearer ${OPERATOR}` },
    );
    expect(stored.data.handoff).toEqual({ procedureId: 'QUICK', status: 'COMPLETED', metadata: { ticket: 'T-1' } });
  });

  it('streams a handoff to input-required, takes the answer as the signal, and streams on to completed', async () => {
    const client = await clientWith(OPERATOR);
    const first = await drain(
      client.sendMessageStream(
        message({ parts: [{ data: { change: 'C-9' } }], metadata: { skillId: 'APPROVED_CHANGE' } }),
      ),
    );
    expect(first[0]).toMatchObject({ task: { status: { state: 'TASK_STATE_SUBMITTED' } } });
    const last = first.at(-1)!;
    expect(last).toMatchObject({
      statusUpdate: {
        status: {
          state: 'TASK_STATE_INPUT_REQUIRED',
          message: { parts: [{ text: expect.stringContaining('Step "Approve" waits for approval') }, {}] },
        },
      },
    });
    expect(first.some((event) => event.statusUpdate?.status.state === 'TASK_STATE_WORKING')).toBe(true);
    const taskId = first[0]!.task.id;

    // Re-subscribing to a task that waits for input gives the task and ends.
    const again = await drain(client.resubscribeTask({ tenant: '', id: taskId }));
    expect(again).toMatchObject([{ task: { id: taskId, status: { state: 'TASK_STATE_INPUT_REQUIRED' } } }]);

    const second = await drain(client.sendMessageStream(message({ taskId, parts: [{ data: { approvedBy: 'ana' } }] })));
    expect(second.at(-1)).toMatchObject({ statusUpdate: { status: { state: 'TASK_STATE_COMPLETED' } } });
    const artifacts = second.filter((event) => event.artifactUpdate).map((event) => event.artifactUpdate.artifact);
    expect(artifacts).toContainEqual(
      expect.objectContaining({
        artifactId: 'approve',
        parts: [
          expect.objectContaining({
            data: expect.objectContaining({ signal: { approvedBy: 'ana' }, outcome: 'APPROVE' }),
          }),
        ],
      }),
    );
    const task = await client.getTask({ tenant: '', id: taskId, historyLength: undefined });
    expect(stateOf(task)).toBe('TASK_STATE_COMPLETED');
    expect(Task.toJSON(task)).toMatchObject({ artifacts: [{ artifactId: 'approve' }] });
  });

  it('relays the question of an A2A agent the handoff delegated to, and its answer, end to end', async () => {
    const client = await clientWith(OPERATOR);
    const first = await drain(
      client.sendMessageStream(message({ parts: [{ text: 'go' }], metadata: { skillId: 'DELEGATED_REVIEW' } })),
    );
    const asked = first.at(-1)!.statusUpdate.status;
    expect(asked).toMatchObject({
      state: 'TASK_STATE_INPUT_REQUIRED',
      message: {
        parts: [
          { text: 'Which priority should this get?' },
          { data: { input: { kind: 'AGENT_TASK', agentId: 'reviewer', question: { choices: ['low', 'high'] } } } },
        ],
      },
    });
    const taskId = first[0]!.task.id;
    const second = await drain(client.sendMessageStream(message({ taskId, parts: [{ text: 'high' }] })));
    expect(second.at(-1)).toMatchObject({ statusUpdate: { status: { state: 'TASK_STATE_COMPLETED' } } });
    const review = second.find((event) => event.artifactUpdate?.artifact.artifactId === 'review')!.artifactUpdate
      .artifact;
    expect(review.parts[0].data).toMatchObject({
      data: { verdict: 'approved', priority: 'high', reviewed: { change: 'PR-21' } },
    });
    expect(peer.created).toHaveLength(1);
  });

  it('cancels the handoff with CancelTask', async () => {
    const client = await clientWith(OPERATOR);
    const request = message({ parts: [{ data: {} }], metadata: { skillId: 'APPROVED_CHANGE' } });
    request.configuration = { ...request.configuration!, returnImmediately: true };
    const started = (await client.sendMessage(request)) as Task;
    await waitFor(
      () => client.getTask({ tenant: '', id: started.id, historyLength: undefined }),
      (task) => stateOf(task) === 'TASK_STATE_INPUT_REQUIRED',
    );
    await client.cancelTask({ tenant: '', id: started.id, metadata: undefined });
    const cancelled = await waitFor(
      () => client.getTask({ tenant: '', id: started.id, historyLength: undefined }),
      (task) => stateOf(task) === 'TASK_STATE_CANCELED',
    );
    expect(cancelled.status!.message).toBeDefined();
    await expect(client.cancelTask({ tenant: '', id: started.id, metadata: undefined })).rejects.toThrow();
  });

  it('applies the API keys: none is refused, a viewer may read but not start', async () => {
    const anonymous = await fetch(`${server.origin}/a2a`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'GetTask', params: { id: 'x' } }),
    });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    const viewer = await clientWith(VIEWER);
    await expect(
      viewer.sendMessage(message({ parts: [{ text: 'hi' }], metadata: { skillId: 'QUICK' } })),
    ).rejects.toThrow();
    await expect(viewer.getTask({ tenant: '', id: 'a2a-nothing', historyLength: undefined })).rejects.toThrow(
      /No task "a2a-nothing"/,
    );
  });

  it('refuses a message naming no skill, or one that does not exist, with the reason', async () => {
    const client = await clientWith(OPERATOR);
    await expect(client.sendMessage(message({ parts: [{ text: 'hi' }] }))).rejects.toThrow(/skillId/);
    await expect(
      client.sendMessage(message({ parts: [{ text: 'hi' }], metadata: { skillId: 'NO_SUCH_PROCEDURE' } })),
    ).rejects.toThrow(/NOT_FOUND/);
    // On a stream too: the error comes before anything is streamed, as a JSON-RPC error.
    await expect(
      drain(client.sendMessageStream(message({ parts: [{ text: 'hi' }], metadata: { skillId: 'NO_SUCH_PROCEDURE' } }))),
    ).rejects.toThrow(/NOT_FOUND/);
    await expect(
      drain(client.sendMessageStream(message({ taskId: 'a2a-nothing', parts: [{ text: 'hi' }] }))),
    ).rejects.toThrow(/No task "a2a-nothing"/);
  });

  it('speaks the A2A 0.3 method names too (message/send, tasks/get)', async () => {
    const rpc = async (method: string, params: unknown) =>
      (
        await fetch(`${server.origin}/a2a`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${OPERATOR}` },
          body: JSON.stringify({ jsonrpc: '2.0', id: 7, method, params }),
        })
      ).json();
    const sent = await rpc('message/send', {
      message: {
        kind: 'message',
        messageId: 'legacy-1',
        role: 'user',
        parts: [{ kind: 'data', data: { from: 'v0.3' } }],
        metadata: { skillId: 'QUICK' },
      },
    });
    expect(sent).toMatchObject({ id: 7, result: { kind: 'task', id: 'a2a-legacy-1', status: { state: 'completed' } } });
    const read = await rpc('tasks/get', { id: 'a2a-legacy-1' });
    expect(read).toMatchObject({ result: { id: 'a2a-legacy-1', status: { state: 'completed' } } });
  });
});
