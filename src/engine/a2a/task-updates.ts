import type { A2AAgentLink } from './a2a-agent.js';
import { type A2APeers, type OutboundMessage, type PeerCall, PeerError } from './a2a-peers.js';
import type { RemoteTask } from './remote-task.js';

/**
 * Where a run reads the A2A task's updates next: the answer to a message it sends, the task followed
 * again (a stream ended, a poll is due), or the task recovered after a lost answer or a restart.
 */
export type Source =
  | {
      kind: 'send';
      message: OutboundMessage /** The seq of the question it answers, when it is an answer. */;
      answers?: number;
    }
  | { kind: 'follow' }
  | { kind: 'recover' };

export interface SourceContext {
  peers: A2APeers;
  link: A2AAgentLink;
  /** The A2A task's id once known (read again after each update: the first one may tell it). */
  taskId: () => string | null;
  contextId: string;
  /** The message that starts the task, sent again unchanged when it may never have arrived. */
  firstMessage: () => OutboundMessage;
  /** The agent task's trace context, carried by every call (AgentTask.traceparent). */
  traceparent: string | null;
}

/**
 * The updates one source gives, as tasks. Following a known task: a streaming agent is resubscribed
 * to (refused once the task is finished: then it is read), any other is read once (the caller polls).
 * Recovering without a task id: the agent's task of our context, if it lists tasks; else, or when
 * there is none, the first message goes again with the same ids (it never made a task, or we cannot know).
 */
export async function* readUpdates(
  source: Source,
  context: SourceContext,
  signal: AbortSignal,
): AsyncIterable<RemoteTask> {
  const { peers, link } = context;
  const call: PeerCall = { signal, traceparent: context.traceparent };
  if (source.kind === 'send') {
    yield* peers.send(link, source.message, call);
    return;
  }
  if (source.kind === 'recover' && !context.taskId()) {
    const found = await peers.findByContext(link, context.contextId, call).catch((error) => {
      if (error instanceof PeerError && error.failure === 'unsupported') return null;
      throw error;
    });
    if (!found) {
      yield* peers.send(link, context.firstMessage(), call);
      return;
    }
    yield found;
  }
  const taskId = context.taskId()!;
  if (link.card.streaming) {
    try {
      yield* peers.subscribe(link, taskId, call);
      return;
    } catch (error) {
      if (!(error instanceof PeerError) || (error.failure !== 'unsupported' && error.failure !== 'refused'))
        throw error;
    }
  }
  yield await peers.get(link, taskId, call);
}
