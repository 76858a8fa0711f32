import type { A2AAgentLink, A2ACardSummary } from './a2a-agent.js';
import type { RemotePart, RemoteTask } from './remote-task.js';

/** A message to an agent: a new task (taskId null) or the next turn of one (an answer). */
export interface OutboundMessage {
  /** Ours: derived from the agent task, so the same attempt always sends the same id. */
  messageId: string;
  contextId: string;
  taskId: string | null;
  parts: RemotePart[];
  metadata: Record<string, unknown>;
  /** Where the agent may push the task's updates (its push notification config), with the token it must present. */
  push: { url: string; token: string } | null;
}

/** What a call made for an agent task carries besides its arguments. */
export interface PeerCall {
  /** Ends the call (and a stream it opened). */
  signal?: AbortSignal;
  /** The task's attempt's W3C trace context (AgentTask.traceparent), sent as the `traceparent` header; null: none. */
  traceparent: string | null;
}

/** Why a call to an agent did not get an answer we can use. */
export type PeerFailure =
  /** No answer (refused connection, timeout, an HTTP error): try again later. */
  | 'unreachable'
  /** The outbound policy forbids the call (a host not in the allow-list, a private address not allowed, a redirect). */
  | 'not-allowed'
  /** The agent knows no such task. */
  | 'task-not-found'
  /** The agent does not do this (no streaming, no task listing, a task it cannot cancel). */
  | 'unsupported'
  /** The agent answered with an error about the request itself. */
  | 'refused';

export class PeerError extends Error {
  constructor(
    readonly failure: PeerFailure,
    message: string,
  ) {
    super(message);
    this.name = 'PeerError';
  }
}

/**
 * How the engine talks to A2A agents (implemented over @a2a-js/sdk by sdk-a2a-peers.ts, faked in
 * tests). Every call goes only to hosts in the webhook allow-list and gives up after the outbound
 * timeout (a stream's, once it answered, lasts as long as the agent keeps it open). Failures throw
 * PeerError. Streams yield the task as it stands after each update, and end when the agent ends them.
 */
export interface A2APeers {
  readCard(cardUrl: string, signal?: AbortSignal): Promise<A2ACardSummary>;
  /** Sends a message; streams the task's updates when the agent streams, else yields the task once. */
  send(agent: A2AAgentLink, message: OutboundMessage, call: PeerCall): AsyncIterable<RemoteTask>;
  /** Follows a task's updates again (a streaming agent), starting with the task as it stands. */
  subscribe(agent: A2AAgentLink, taskId: string, call: PeerCall): AsyncIterable<RemoteTask>;
  get(agent: A2AAgentLink, taskId: string, call: PeerCall): Promise<RemoteTask>;
  /** The task of a context, if the agent lists tasks ('unsupported' otherwise). */
  findByContext(agent: A2AAgentLink, contextId: string, call: PeerCall): Promise<RemoteTask | null>;
  cancel(agent: A2AAgentLink, taskId: string, call: PeerCall): Promise<RemoteTask>;
}
