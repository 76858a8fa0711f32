/**
 * An A2A agent, built the way @a2a-js/sdk's own samples build one (express, agentCardHandler,
 * jsonRpcHandler, DefaultRequestHandler, an AgentExecutor), to hand handoff steps to (see
 * docs/agents-from-anywhere.md); the tests use it as their peer. It reviews what it is given:
 * `working`, then `input-required` (it asks which priority), then `completed` with an artifact that
 * holds a text and a data part. With `hold: true` in its input it stays `working` until cancelled.
 * It counts the tasks it creates and the cancels it receives, and keeps the trace context each call
 * came with (a Handoff server that traces sends its attempt's span as `traceparent`).
 *
 *   npx tsx examples/a2a-reviewer-agent.ts --register reviewer
 *
 * listens on PORT (default 0: a free one) of HOST (default 127.0.0.1) and prints its card's URL; with
 * --register <agentId> it registers itself on the Handoff server at HANDOFF_URL (default
 * http://localhost:4000/graphql; HANDOFF_API_KEY, an admin key, when the server has keys).
 * STREAMING=0: its card says it does not stream; PUSH=1: it pushes task updates.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { type AgentCard, Message, type Part, Role, type Task, TaskState } from '@a2a-js/sdk';
import {
  AgentEvent,
  type AgentExecutor,
  DefaultPushNotificationSender,
  DefaultRequestHandler,
  type ExecutionEventBus,
  InMemoryPushNotificationStore,
  InMemoryTaskStore,
  type RequestContext,
} from '@a2a-js/sdk/server';
import { agentCardHandler, jsonRpcHandler, UserBuilder } from '@a2a-js/sdk/server/express';
import express from 'express';

export interface ReviewerAgent {
  /** http://127.0.0.1:<port> */
  origin: string;
  cardUrl: string;
  /** Ids of the tasks the agent created, in order. */
  created: string[];
  /** Ids of the tasks it was asked to cancel. */
  cancelled: string[];
  /** Every message it received, as the SDK parsed it (JSON form). */
  received: unknown[];
  /** The `traceparent` header of each call to its A2A endpoint, in order (null: the call had none). */
  traceparents: (string | null)[];
  close(): Promise<void>;
}

function textPart(text: string): Part {
  return { content: { $case: 'text', value: text }, metadata: undefined, filename: '', mediaType: 'text/plain' };
}

function dataPart(value: unknown): Part {
  return { content: { $case: 'data', value }, metadata: undefined, filename: '', mediaType: 'application/json' };
}

function agentMessage(taskId: string, contextId: string, parts: Part[]): Message {
  return {
    messageId: crypto.randomUUID(),
    contextId,
    taskId,
    role: Role.ROLE_AGENT,
    parts,
    metadata: undefined,
    extensions: [],
    referenceTaskIds: [],
  };
}

/** The message's data parts and text parts, as plain values. */
function contentOf(message: Message): { data: unknown[]; text: string[] } {
  const data: unknown[] = [];
  const text: string[] = [];
  for (const part of message.parts) {
    if (part.content?.$case === 'data') data.push(part.content.value);
    if (part.content?.$case === 'text') text.push(part.content.value);
  }
  return { data, text };
}

class ReviewerExecutor implements AgentExecutor {
  private readonly holding = new Map<string, () => void>();
  private readonly contexts = new Map<string, string>();

  constructor(private readonly peer: Pick<ReviewerAgent, 'created' | 'cancelled' | 'received'>) {}

  cancelTask = async (taskId: string, eventBus: ExecutionEventBus): Promise<void> => {
    this.peer.cancelled.push(taskId);
    const release = this.holding.get(taskId);
    if (release) release();
    else
      eventBus.publish(
        AgentEvent.statusUpdate({
          taskId,
          contextId: this.contexts.get(taskId) ?? '',
          status: { state: TaskState.TASK_STATE_CANCELED, message: undefined, timestamp: new Date().toISOString() },
          metadata: {},
        }),
      );
  };

  async execute(context: RequestContext, bus: ExecutionEventBus): Promise<void> {
    const { taskId, contextId, userMessage } = context;
    this.peer.received.push(Message.toJSON(userMessage));
    const status = (state: TaskState, message?: Message) =>
      bus.publish(
        AgentEvent.statusUpdate({
          taskId,
          contextId,
          status: { state, message, timestamp: new Date().toISOString() },
          metadata: {},
        }),
      );
    if (!context.task) {
      this.peer.created.push(taskId);
      this.contexts.set(taskId, contextId);
      const task: Task = {
        id: taskId,
        contextId,
        status: { state: TaskState.TASK_STATE_SUBMITTED, message: undefined, timestamp: new Date().toISOString() },
        artifacts: [],
        history: [userMessage],
        metadata: {},
      };
      bus.publish(AgentEvent.task(task));
      status(TaskState.TASK_STATE_WORKING, agentMessage(taskId, contextId, [textPart('reviewing')]));
      const input = contentOf(userMessage).data[0] as Record<string, unknown> | undefined;
      if (input?.hold === true) {
        // Works until cancelled.
        await new Promise<void>((resolve) => this.holding.set(taskId, resolve));
        this.holding.delete(taskId);
        status(TaskState.TASK_STATE_CANCELED, agentMessage(taskId, contextId, [textPart('stopped on request')]));
        return;
      }
      status(
        TaskState.TASK_STATE_INPUT_REQUIRED,
        agentMessage(taskId, contextId, [
          textPart('Which priority should this get?'),
          dataPart({ choices: ['low', 'high'] }),
        ]),
      );
      return;
    }
    // The next turn: the answer to the question.
    bus.publish(AgentEvent.task(context.task));
    status(TaskState.TASK_STATE_WORKING, agentMessage(taskId, contextId, [textPart('finishing the review')]));
    const answer = contentOf(userMessage);
    const original = contentOf(context.task.history[0]!).data[0] ?? null;
    bus.publish(
      AgentEvent.artifactUpdate({
        taskId,
        contextId,
        artifact: {
          artifactId: 'review',
          name: 'review',
          description: 'The verdict',
          parts: [
            textPart('approved'),
            dataPart({ verdict: 'approved', priority: answer.data[0] ?? answer.text[0] ?? null, reviewed: original }),
          ],
          metadata: undefined,
          extensions: [],
        },
        append: false,
        lastChunk: true,
        metadata: undefined,
      }),
    );
    status(TaskState.TASK_STATE_COMPLETED);
  }
}

export interface ReviewerAgentOptions {
  /** What its card declares: updates streamed (SSE), or answered one call at a time. */
  streaming?: boolean;
  /** It pushes task updates to the URL a message's push notification config names (and its card says so). */
  pushNotifications?: boolean;
  /** Default 0: a free port. */
  port?: number;
  host?: string;
}

/** Starts the agent; its card is at `<origin>/.well-known/agent-card.json`. */
export async function startReviewerAgent(options: ReviewerAgentOptions = {}): Promise<ReviewerAgent> {
  const peer = {
    created: [] as string[],
    cancelled: [] as string[],
    received: [] as unknown[],
    traceparents: [] as (string | null)[],
  };
  const host = options.host ?? '127.0.0.1';
  const app = express();
  const server: Server = await new Promise((resolve, reject) => {
    const listening = app.listen(options.port ?? 0, host, (error) => (error ? reject(error) : resolve(listening)));
  });
  const origin = `http://${host}:${(server.address() as AddressInfo).port}`;
  const card: AgentCard = {
    name: 'Reviewer',
    description: 'Reviews what it is handed; asks which priority before it approves.',
    supportedInterfaces: [{ url: `${origin}/a2a`, protocolBinding: 'JSONRPC', tenant: '', protocolVersion: '1.0' }],
    provider: { organization: 'Test peers', url: origin },
    version: '1.0.0',
    capabilities: {
      streaming: options.streaming ?? true,
      pushNotifications: options.pushNotifications === true,
      extensions: [],
      extendedAgentCard: false,
    },
    securitySchemes: {},
    securityRequirements: [],
    defaultInputModes: ['application/json', 'text/plain'],
    defaultOutputModes: ['application/json', 'text/plain'],
    skills: [
      {
        id: 'review',
        name: 'Review',
        description: 'Reviews a change',
        tags: ['review'],
        examples: [],
        inputModes: [],
        outputModes: [],
        securityRequirements: [],
      },
    ],
    signatures: [],
  };
  const pushes = new InMemoryPushNotificationStore();
  const handler = new DefaultRequestHandler(
    card,
    new InMemoryTaskStore(),
    new ReviewerExecutor(peer),
    undefined,
    pushes,
    new DefaultPushNotificationSender(pushes),
  );
  app.use('/.well-known/agent-card.json', agentCardHandler({ agentCardProvider: handler }));
  // An agent that traces would start its spans under this header; this one only keeps it.
  app.use('/a2a', (request, _response, next) => {
    peer.traceparents.push(request.get('traceparent') ?? null);
    next();
  });
  app.use('/a2a', jsonRpcHandler({ requestHandler: handler, userBuilder: UserBuilder.noAuthentication }));
  return {
    ...peer,
    origin,
    cardUrl: `${origin}/.well-known/agent-card.json`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Registers the agent on a Handoff server (registerA2AAgent needs an admin key when the server has keys). */
async function registerOn(
  graphqlUrl: string,
  agentId: string,
  cardUrl: string,
  key: string | undefined,
): Promise<void> {
  const response = await fetch(graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({
      query: `mutation($cardUrl: String!, $agentId: ID!) { registerA2AAgent(input: { cardUrl: $cardUrl, agentId: $agentId }) {
        a2aAgent { agentId } userErrors { code message } } }`,
      variables: { cardUrl, agentId },
    }),
  });
  const body = (await response.json()) as {
    errors?: { message: string }[];
    data?: { registerA2AAgent: { userErrors: { code: string; message: string }[] } };
  };
  const problem = body.errors?.[0]?.message ?? body.data?.registerA2AAgent.userErrors[0]?.message;
  if (problem) throw new Error(`could not register on ${graphqlUrl}: ${problem}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const { values } = parseArgs({ options: { register: { type: 'string' } } });
  const agent = await startReviewerAgent({
    port: Number(process.env.PORT ?? 0),
    host: process.env.HOST ?? '127.0.0.1',
    streaming: process.env.STREAMING !== '0',
    pushNotifications: process.env.PUSH === '1',
  });
  console.log(`Reviewer A2A agent at ${agent.origin}; its card: ${agent.cardUrl}`);
  if (values.register) {
    const url = process.env.HANDOFF_URL ?? 'http://localhost:4000/graphql';
    await registerOn(url, values.register, agent.cardUrl, process.env.HANDOFF_API_KEY);
    console.log(`registered on ${url} as ${values.register}`);
  }
  const stop = () => void agent.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
