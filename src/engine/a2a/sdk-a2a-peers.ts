import { type AgentCard, SendMessageRequest, type StreamResponse, TaskPushNotificationConfig } from '@a2a-js/sdk';
import {
  type Client,
  ClientFactory,
  DefaultAgentCardResolver,
  JsonRpcTransportFactory,
  type RequestOptions,
  RestTransportFactory,
} from '@a2a-js/sdk/client';
import { A2AError } from '@a2a-js/sdk/errors';
import { OutboundUrlRefused } from '../shared/outbound-fetch.js';
import { OutboundRefused } from '../shared/outbound-post.js';
import type { A2AAgentLink, A2ACardSummary } from './a2a-agent.js';
import { type A2APeers, type OutboundMessage, type PeerCall, PeerError } from './a2a-peers.js';
import { applyUpdate, partToWire, remoteTaskOf, repliedTask, summaryOf } from './a2a-wire.js';
import type { RemoteTask } from './remote-task.js';

/** An SDK failure as one of ours (see PeerFailure). */
export function peerError(error: unknown): PeerError {
  if (error instanceof PeerError) return error;
  if (error instanceof OutboundUrlRefused || error instanceof OutboundRefused)
    return new PeerError('not-allowed', error.message);
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
 * The SDK's options for a call: its service parameters go out as HTTP headers on every transport
 * (JSON-RPC and HTTP+JSON, v1.0 and v0.3 alike), so the trace context rides there. No traceparent,
 * no parameter: the call is the same as with tracing off.
 */
function requestOptions({ signal, traceparent }: PeerCall): RequestOptions {
  return traceparent ? { signal, serviceParameters: { traceparent } } : { signal };
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

  async *send(agent: A2AAgentLink, message: OutboundMessage, call: PeerCall): AsyncIterable<RemoteTask> {
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
        const result = await client.sendMessage(request, requestOptions(call));
        yield 'messageId' in result ? repliedTask(result, null) : remoteTaskOf(result);
        return;
      }
      yield* this.snapshots(client.sendMessageStream(request, requestOptions(call)));
    } catch (error) {
      throw peerError(error);
    }
  }

  async *subscribe(agent: A2AAgentLink, taskId: string, call: PeerCall): AsyncIterable<RemoteTask> {
    try {
      const client = await this.client(agent);
      yield* this.snapshots(client.resubscribeTask({ tenant: '', id: taskId }, requestOptions(call)));
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

  async get(agent: A2AAgentLink, taskId: string, call: PeerCall): Promise<RemoteTask> {
    try {
      const client = await this.client(agent);
      return remoteTaskOf(await client.getTask({ tenant: '', id: taskId, historyLength: 0 }, requestOptions(call)));
    } catch (error) {
      throw peerError(error);
    }
  }

  async findByContext(agent: A2AAgentLink, contextId: string, call: PeerCall): Promise<RemoteTask | null> {
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
        requestOptions(call),
      );
      const task = page.tasks[0];
      return task ? remoteTaskOf(task) : null;
    } catch (error) {
      throw peerError(error);
    }
  }

  async cancel(agent: A2AAgentLink, taskId: string, call: PeerCall): Promise<RemoteTask> {
    try {
      const client = await this.client(agent);
      return remoteTaskOf(
        await client.cancelTask({ tenant: '', id: taskId, metadata: undefined }, requestOptions(call)),
      );
    } catch (error) {
      throw peerError(error);
    }
  }
}
