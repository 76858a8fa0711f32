import {
  type AgentCard,
  Artifact,
  Message,
  SendMessageRequest,
  type StreamResponse,
  Task,
  TaskPushNotificationConfig,
  TaskStatus,
} from '@a2a-js/sdk';
import {
  type Client,
  ClientFactory,
  DefaultAgentCardResolver,
  JsonRpcTransportFactory,
  RestTransportFactory,
} from '@a2a-js/sdk/client';
import { A2AError } from '@a2a-js/sdk/errors';
import { OutboundUrlRefused } from '../shared/outbound-fetch.js';
import type { A2AAgentLink, A2ACardSummary } from './a2a-agent.js';
import { type A2APeers, type OutboundMessage, PeerError } from './a2a-peers.js';
import {
  REMOTE_TASK_STATES,
  type RemoteArtifact,
  type RemotePart,
  type RemoteTask,
  type RemoteTaskState,
} from './remote-task.js';

/** The bindings we speak, as cards name them. */
const BINDINGS = ['JSONRPC', 'HTTP+JSON'];

type Json = Record<string, unknown>;

function object(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
}

function text(value: unknown, fallback = ''): string {
  return typeof value === 'string' ? value : fallback;
}

/** `TASK_STATE_INPUT_REQUIRED` (v1.0) or `input-required` (v0.3) → input-required. */
export function stateFromWire(value: unknown): RemoteTaskState {
  const name = text(value)
    .toLowerCase()
    .replace(/^task_state_/, '')
    .replace(/_/g, '-');
  return (REMOTE_TASK_STATES as readonly string[]).includes(name) ? (name as RemoteTaskState) : 'unknown';
}

export function partFromWire(wire: unknown): RemotePart {
  const part = object(wire);
  const described = {
    ...(typeof part.mediaType === 'string' && part.mediaType ? { mediaType: part.mediaType } : {}),
    ...(typeof part.filename === 'string' && part.filename ? { filename: part.filename } : {}),
  };
  if (typeof part.text === 'string') return { text: part.text, ...described };
  if ('data' in part) return { data: part.data ?? null, ...described };
  if (typeof part.url === 'string') return { url: part.url, ...described };
  if (typeof part.raw === 'string') return { bytes: Buffer.byteLength(part.raw, 'base64'), ...described };
  return described;
}

function partsFromWire(wire: unknown): RemotePart[] {
  return Array.isArray(wire) ? wire.map(partFromWire) : [];
}

function artifactFromWire(wire: unknown): RemoteArtifact {
  const artifact = object(wire);
  return {
    artifactId: text(artifact.artifactId),
    name: text(artifact.name),
    description: text(artifact.description),
    parts: partsFromWire(artifact.parts),
  };
}

function statusFromWire(
  wire: unknown,
): Pick<RemoteTask, 'state' | 'statusMessageId' | 'statusParts' | 'statusMetadata'> {
  const status = object(wire);
  const message = object(status.message);
  const metadata = object(message.metadata);
  return {
    state: stateFromWire(status.state),
    statusMessageId: text(message.messageId),
    statusParts: partsFromWire(message.parts),
    statusMetadata: Object.keys(metadata).length > 0 ? metadata : null,
  };
}

/** A task as the SDK parsed it, in our terms (read from its protocol JSON, the documented shape). */
export function remoteTaskOf(task: Task): RemoteTask {
  const wire = object(Task.toJSON(task));
  return {
    id: text(wire.id),
    contextId: text(wire.contextId),
    ...statusFromWire(wire.status),
    artifacts: Array.isArray(wire.artifacts) ? wire.artifacts.map(artifactFromWire) : [],
  };
}

/** A reply without a task (a plain message) reads as a task completed with that message as its artifact. */
function repliedTask(message: Message, current: RemoteTask | null): RemoteTask {
  const parts = partsFromWire(object(Message.toJSON(message)).parts);
  return {
    id: current?.id || message.taskId,
    contextId: current?.contextId || message.contextId,
    state: 'completed',
    statusMessageId: message.messageId,
    statusParts: parts,
    statusMetadata: null,
    artifacts: [{ artifactId: message.messageId || 'reply', name: 'reply', description: '', parts }],
  };
}

function withArtifact(task: RemoteTask, artifact: RemoteArtifact, append: boolean): RemoteTask {
  const index = task.artifacts.findIndex((candidate) => candidate.artifactId === artifact.artifactId);
  if (index === -1) return { ...task, artifacts: [...task.artifacts, artifact] };
  const existing = task.artifacts[index]!;
  const merged = append ? { ...existing, parts: [...existing.parts, ...artifact.parts] } : artifact;
  return { ...task, artifacts: task.artifacts.map((candidate, at) => (at === index ? merged : candidate)) };
}

/** Folds one streamed update into the task as it stood. */
export function applyUpdate(current: RemoteTask | null, update: StreamResponse): RemoteTask | null {
  const payload = update.payload;
  if (!payload) return current;
  switch (payload.$case) {
    case 'task':
      return remoteTaskOf(payload.value);
    case 'message':
      return repliedTask(payload.value, current);
    case 'statusUpdate': {
      const base = current ?? { ...blankTask(), id: payload.value.taskId, contextId: payload.value.contextId };
      return payload.value.status ? { ...base, ...statusFromWire(TaskStatus.toJSON(payload.value.status)) } : base;
    }
    case 'artifactUpdate': {
      const base = current ?? { ...blankTask(), id: payload.value.taskId, contextId: payload.value.contextId };
      const artifact = payload.value.artifact;
      return artifact ? withArtifact(base, artifactFromWire(Artifact.toJSON(artifact)), payload.value.append) : base;
    }
  }
}

function blankTask(): RemoteTask {
  return {
    id: '',
    contextId: '',
    state: 'unknown',
    statusMessageId: '',
    statusParts: [],
    statusMetadata: null,
    artifacts: [],
  };
}

function partToWire(part: RemotePart): Json {
  if (part.text !== undefined) return { text: part.text };
  if (part.url !== undefined) return { url: part.url, ...(part.mediaType ? { mediaType: part.mediaType } : {}) };
  return { data: part.data ?? null, mediaType: 'application/json' };
}

/** The first interface we speak, a 1.0 one preferred within a binding (as the SDK's client chooses). */
function chosenInterface(card: AgentCard): { url: string; protocolBinding: string; protocolVersion: string } {
  const interfaces = (card.supportedInterfaces ?? []).filter((candidate) =>
    BINDINGS.includes(text(candidate.protocolBinding).toUpperCase()),
  );
  const first = interfaces[0];
  if (!first) throw new PeerError('refused', 'the card names no JSONRPC or HTTP+JSON interface');
  const best =
    interfaces.find(
      (candidate) =>
        candidate.protocolBinding.toUpperCase() === first.protocolBinding.toUpperCase() &&
        candidate.protocolVersion === '1.0',
    ) ?? first;
  return { url: best.url, protocolBinding: best.protocolBinding, protocolVersion: best.protocolVersion || '1.0' };
}

export function summaryOf(card: AgentCard): A2ACardSummary {
  if (!text(card.name)) throw new PeerError('refused', 'the card has no name');
  return {
    name: card.name,
    description: text(card.description),
    version: text(card.version),
    ...chosenInterface(card),
    streaming: card.capabilities?.streaming === true,
    pushNotifications: card.capabilities?.pushNotifications === true,
    skills: (card.skills ?? [])
      .filter((skill) => text(skill.id))
      .map((skill) => ({
        id: skill.id,
        name: text(skill.name, skill.id),
        description: text(skill.description),
        tags: (skill.tags ?? []).filter((tag) => typeof tag === 'string'),
      })),
    raw: JSON.parse(JSON.stringify(card)),
  };
}

/** An SDK failure as one of ours (see PeerFailure). */
export function peerError(error: unknown): PeerError {
  if (error instanceof PeerError) return error;
  if (error instanceof OutboundUrlRefused) return new PeerError('refused', error.message);
  if (error instanceof A2AError) {
    const reason = (error as { reason?: string }).reason;
    if (reason === 'TASK_NOT_FOUND') return new PeerError('task-not-found', error.message);
    if (reason === 'UNSUPPORTED_OPERATION' || reason === 'TASK_NOT_CANCELABLE' || reason === 'METHOD_NOT_FOUND')
      return new PeerError('unsupported', error.message);
    return new PeerError('refused', error.message);
  }
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const detail = cause?.code ?? cause?.message;
  const message = error instanceof Error ? error.message : String(error);
  return new PeerError('unreachable', detail ? `${message} (${detail})` : message);
}

/**
 * A2APeers over the official SDK's client (JSON-RPC and HTTP+JSON transports, v1.0 and, through its
 * compatibility layer, v0.3 agents). `fetchImpl` is where the outbound policy lives (outboundFetch).
 * One client per agent card, built from the stored card (no card fetch per call).
 */
export class SdkA2APeers implements A2APeers {
  private readonly factory: ClientFactory;
  private readonly resolver: DefaultAgentCardResolver;
  /** The client of each agent, with the card (as JSON) it was built from: a changed card builds a new one. */
  private readonly clients = new Map<string, { card: string; client: Promise<Client> }>();

  constructor(fetchImpl: typeof fetch) {
    const legacyCompat = { enabled: true };
    this.resolver = new DefaultAgentCardResolver({ fetchImpl, legacyCompat });
    this.factory = new ClientFactory({
      transports: [
        new JsonRpcTransportFactory({ fetchImpl, legacyCompat }),
        new RestTransportFactory({ fetchImpl, legacyCompat }),
      ],
      cardResolver: this.resolver,
      clientConfig: { polling: true },
    });
  }

  async readCard(cardUrl: string): Promise<A2ACardSummary> {
    try {
      return summaryOf(await this.resolver.resolve(cardUrl, ''));
    } catch (error) {
      throw peerError(error);
    }
  }

  private client(agent: A2AAgentLink): Promise<Client> {
    const card = JSON.stringify(agent.card.raw);
    const cached = this.clients.get(agent.agentId);
    if (cached && cached.card === card) return cached.client;
    const client = this.factory.createFromAgentCard(agent.card.raw as AgentCard);
    client.catch(() => this.clients.delete(agent.agentId));
    this.clients.set(agent.agentId, { card, client });
    return client;
  }

  async *send(agent: A2AAgentLink, message: OutboundMessage, signal: AbortSignal): AsyncIterable<RemoteTask> {
    const request = SendMessageRequest.fromJSON({
      message: {
        messageId: message.messageId,
        contextId: message.contextId,
        ...(message.taskId ? { taskId: message.taskId } : {}),
        role: 'ROLE_USER',
        parts: message.parts.map(partToWire),
        metadata: message.metadata,
      },
    });
    request.configuration = {
      ...SendMessageRequest.fromJSON({ configuration: {} }).configuration!,
      returnImmediately: true,
      taskPushNotificationConfig: message.push
        ? TaskPushNotificationConfig.fromJSON({ url: message.push.url, token: message.push.token })
        : undefined,
    };
    try {
      const client = await this.client(agent);
      if (!agent.card.streaming) {
        const result = await client.sendMessage(request, { signal });
        yield 'messageId' in result ? repliedTask(result, null) : remoteTaskOf(result);
        return;
      }
      yield* this.snapshots(client.sendMessageStream(request, { signal }));
    } catch (error) {
      throw peerError(error);
    }
  }

  async *subscribe(agent: A2AAgentLink, taskId: string, signal: AbortSignal): AsyncIterable<RemoteTask> {
    try {
      const client = await this.client(agent);
      yield* this.snapshots(client.resubscribeTask({ tenant: '', id: taskId }, { signal }));
    } catch (error) {
      throw peerError(error);
    }
  }

  private async *snapshots(updates: AsyncIterable<StreamResponse>): AsyncIterable<RemoteTask> {
    let current: RemoteTask | null = null;
    for await (const update of updates) {
      current = applyUpdate(current, update);
      if (current) yield current;
    }
  }

  async get(agent: A2AAgentLink, taskId: string, signal?: AbortSignal): Promise<RemoteTask> {
    try {
      const client = await this.client(agent);
      return remoteTaskOf(await client.getTask({ tenant: '', id: taskId, historyLength: 0 }, { signal }));
    } catch (error) {
      throw peerError(error);
    }
  }

  async findByContext(agent: A2AAgentLink, contextId: string, signal?: AbortSignal): Promise<RemoteTask | null> {
    try {
      const client = await this.client(agent);
      const page = await client.listTasks(
        {
          tenant: '',
          contextId,
          status: 0,
          pageSize: 10,
          pageToken: '',
          historyLength: 0,
          statusTimestampAfter: undefined,
          includeArtifacts: true,
        },
        { signal },
      );
      const task = page.tasks[0];
      return task ? remoteTaskOf(task) : null;
    } catch (error) {
      throw peerError(error);
    }
  }

  async cancel(agent: A2AAgentLink, taskId: string, signal?: AbortSignal): Promise<RemoteTask> {
    try {
      const client = await this.client(agent);
      return remoteTaskOf(await client.cancelTask({ tenant: '', id: taskId, metadata: undefined }, { signal }));
    } catch (error) {
      throw peerError(error);
    }
  }
}
