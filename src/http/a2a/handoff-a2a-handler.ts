import { createHash } from 'node:crypto';
import type {
  AgentCard,
  CancelTaskRequest,
  GetTaskRequest,
  ListTasksRequest,
  ListTasksResponse,
  Message,
  SendMessageRequest,
  StreamResponse,
  SubscribeToTaskRequest,
  Task,
  TaskPushNotificationConfig,
} from '@a2a-js/sdk';
import {
  ExtendedAgentCardNotConfiguredError,
  PushNotificationNotSupportedError,
  RequestMalformedError,
  TaskNotCancelableError,
  TaskNotFoundError,
  UnsupportedOperationError,
} from '@a2a-js/sdk/errors';
import type { A2ARequestHandler } from '@a2a-js/sdk/server';
import type { Caller } from '../../context.js';
import type { Engine } from '../../engine/engine.js';
import { HANDOFF_TYPES, type Handoff, PRIORITIES } from '../../engine/kernel/handoff/handoff.js';
import type { InitiateHandoffInput } from '../../engine/kernel/handoff-service.js';
import type { Actor } from '../../engine/shared/actor.js';
import { isJsonObject } from '../../engine/shared/json-object.js';
import type { UserError } from '../../engine/shared/user-error.js';
import { artifactSteps, endsStream, handoffAsTask, inputWanted, isTerminal, stepArtifact } from './handoff-as-task.js';
import { handoffChanges } from './handoff-changes.js';

/** What a message did: the handoff it started or answered, and (for an answer) the status message it answered. */
interface Accepted {
  id: string;
  answered: string | null;
}

/** How long CancelTask waits for the rollback to finish before it answers with the task as it stands. */
const CANCEL_WAIT_MS = 10_000;

const HANDOFF_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,123}$/;

/** The handoff a message starts: derived from its id, so the same message sent twice starts one handoff. */
export function handoffIdOf(messageId: string): string {
  return HANDOFF_ID.test(messageId)
    ? `a2a-${messageId}`
    : `a2a-${createHash('sha256').update(messageId).digest('hex').slice(0, 40)}`;
}

function partsOf(message: Message): { data: unknown[]; text: string } {
  const data: unknown[] = [];
  const texts: string[] = [];
  for (const part of message.parts) {
    if (part.content?.$case === 'data') data.push(part.content.value);
    else if (part.content?.$case === 'text') texts.push(part.content.value);
  }
  return { data, text: texts.join('\n\n') };
}

function optionalString(metadata: Record<string, unknown>, key: string): string | null {
  const value = metadata[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new RequestMalformedError(`message.metadata.${key} must be a string`);
  return value;
}

function oneOf<T extends string>(metadata: Record<string, unknown>, key: string, allowed: readonly T[]): T | null {
  const value = optionalString(metadata, key);
  if (value !== null && !(allowed as readonly string[]).includes(value))
    throw new RequestMalformedError(`message.metadata.${key} must be one of ${allowed.join(', ')}`);
  return value as T | null;
}

function refused(errors: UserError[]): RequestMalformedError {
  return new RequestMalformedError(errors.map((error) => `${error.code}: ${error.message}`).join('; '));
}

/**
 * The server's procedures as an A2A agent, for one caller (the API key's role decides, checked by
 * the endpoint per method; here, what depends on the handoff). A message without a taskId starts a
 * handoff of the procedure its `metadata.skillId` names, its data part as the context (metadata); a
 * message on a task answers the step it waits for (signalHandoff). Tasks are handoffs, read live
 * from the store: they survive restarts and are the same on every server of a store.
 */
export class HandoffA2AHandler implements A2ARequestHandler {
  constructor(
    private readonly engine: Engine,
    private readonly caller: Caller,
    private readonly card: () => Promise<AgentCard>,
    /** Aborts when the client goes away: what it waits for ends. */
    private readonly clientGone: AbortSignal = new AbortController().signal,
  ) {}

  private get actor(): Actor {
    return { keyName: this.caller.name, agentId: this.caller.agentId ?? null };
  }

  getAgentCard(): Promise<AgentCard> {
    return this.card();
  }

  async getAuthenticatedExtendedAgentCard(): Promise<AgentCard> {
    throw new ExtendedAgentCardNotConfiguredError('This agent has no extended card');
  }

  /** The task as it stands; unknown (and, for an agent key, other agents' handoffs) read as not found. */
  private async task(id: string): Promise<{ handoff: Handoff; task: Task }> {
    const handoff = await this.engine.handoffs.get(id);
    const agentId = this.caller.agentId;
    if (!handoff || (agentId && handoff.sourceAgent !== agentId && handoff.targetAgent !== agentId))
      throw new TaskNotFoundError(`No task "${id}"`);
    return { handoff, task: handoffAsTask(handoff, await this.engine.agentTasks.openOf(id)) };
  }

  /**
   * Starts the handoff a message asks for, or answers the step its task waits for. Returns the
   * handoff id and, for an answer, the status it answered: until the handoff moves on it still reads
   * input-required, and a stream must not end on that (see follow).
   */
  private async accept(params: SendMessageRequest): Promise<Accepted> {
    const message = params.message;
    if (!message?.messageId) throw new RequestMalformedError('message.messageId is required');
    if (message.taskId) return this.answer(message);
    if (message.contextId)
      throw new RequestMalformedError(
        'contextId names nothing here: each handoff is its own context (its contextId is its task id). Leave contextId out to start one, or send taskId to answer one.',
      );
    const metadata = isJsonObject(message.metadata) ? message.metadata : {};
    const skillId = optionalString(metadata, 'skillId') ?? optionalString(params.metadata ?? {}, 'skillId');
    if (!skillId)
      throw new RequestMalformedError(
        'Name the skill to run (a procedure id, see the Agent Card) in message.metadata.skillId',
      );
    const { data, text } = partsOf(message);
    const context = data.filter(isJsonObject);
    const deadline = metadata.deadlineMs;
    if (deadline !== undefined && typeof deadline !== 'number')
      throw new RequestMalformedError('message.metadata.deadlineMs must be a number');
    const input: InitiateHandoffInput = {
      handoffId: handoffIdOf(message.messageId),
      procedureId: skillId,
      sourceAgent: optionalString(metadata, 'sourceAgent'),
      targetAgent: optionalString(metadata, 'targetAgent'),
      sourcePhase: optionalString(metadata, 'sourcePhase'),
      targetPhase: optionalString(metadata, 'targetPhase'),
      priority: oneOf(metadata, 'priority', PRIORITIES),
      handoffType: oneOf(metadata, 'handoffType', HANDOFF_TYPES),
      deadlineMs: deadline ?? null,
      // The data parts (JSON objects) are the context, merged in order; a message of text alone hands that over.
      metadata: context.length > 0 ? Object.assign({}, ...context) : text ? { text } : {},
    };
    const started = await this.engine.handoffs.initiate(input);
    if (!started.ok) throw refused(started.errors);
    return { id: started.value.id, answered: null };
  }

  /** The next message on a task: the answer to what its handoff waits for (an approval, or an agent's question). */
  private async answer(message: Message): Promise<Accepted> {
    const { handoff, task } = await this.task(message.taskId);
    if (message.contextId && message.contextId !== handoff.id)
      throw new RequestMalformedError(`contextId of task ${handoff.id} is ${handoff.id}`);
    if (isTerminal(task)) throw new UnsupportedOperationError(`Task ${handoff.id} is finished (${handoff.status})`);
    const wanted = inputWanted(handoff, await this.engine.agentTasks.openOf(handoff.id));
    if (!wanted)
      throw new UnsupportedOperationError(
        `Task ${handoff.id} is not waiting for input (the handoff is ${handoff.status})`,
      );
    const metadata = isJsonObject(message.metadata) ? message.metadata : {};
    const { data, text } = partsOf(message);
    const reject = metadata.outcome === 'REJECT';
    const reason = optionalString(metadata, 'reason') ?? (reject ? text : null);
    const signalled = await this.engine.handoffs.signal(
      handoff.id,
      wanted.step.id,
      data.length > 0 ? data[0] : text || null,
      { outcome: reject ? 'REJECT' : 'APPROVE', reason: reason?.slice(0, 500) ?? null, actor: this.actor },
    );
    if (!signalled.ok) {
      if (signalled.errors.some((error) => error.code === 'FORBIDDEN'))
        throw new TaskNotFoundError(`No task "${handoff.id}"`);
      throw refused(signalled.errors);
    }
    return { id: handoff.id, answered: task.status!.message!.messageId };
  }

  async sendMessage(params: SendMessageRequest): Promise<Message | Task> {
    const { id, answered } = await this.accept(params);
    if (params.configuration?.returnImmediately) return (await this.task(id)).task;
    return this.settled(id, answered);
  }

  /** Blocking, as the protocol asks: the task once it is finished or needs input (other than the one answered). */
  private async settled(id: string, answered: string | null): Promise<Task> {
    const stop = new AbortController();
    const changes = handoffChanges(this.engine, id, AbortSignal.any([stop.signal, this.clientGone]));
    try {
      let { task } = await this.task(id);
      while (!endsStream(task, answered) && (await changes.next())) ({ task } = await this.task(id));
      return task;
    } finally {
      stop.abort();
      changes.close();
    }
  }

  async *sendMessageStream(params: SendMessageRequest): AsyncGenerator<StreamResponse, void, undefined> {
    const { id, answered } = await this.accept(params);
    yield* this.follow(id, answered);
  }

  async *resubscribe(params: SubscribeToTaskRequest): AsyncGenerator<StreamResponse, void, undefined> {
    const { task } = await this.task(params.id);
    if (isTerminal(task))
      throw new UnsupportedOperationError(`Task ${params.id} is finished and cannot be subscribed to`);
    yield* this.follow(params.id, null);
  }

  /**
   * The task, then its changes: a status update whenever its state or status message changes, an
   * artifact update for each step that succeeds; it ends when the task is finished or needs input.
   * The last item is always the task as it stands (a blocking send returns it).
   */
  private async *follow(id: string, answered: string | null): AsyncGenerator<StreamResponse, void, undefined> {
    const stop = new AbortController();
    const changes = handoffChanges(this.engine, id, AbortSignal.any([stop.signal, this.clientGone]));
    try {
      let { handoff, task } = await this.task(id);
      yield { payload: { $case: 'task', value: task } };
      const sent = new Set(artifactSteps(handoff).map((step) => step.id));
      const statusKey = (current: Task) => JSON.stringify({ ...current.status, timestamp: undefined });
      let status = statusKey(task);
      while (!endsStream(task, answered) && (await changes.next())) {
        ({ handoff, task } = await this.task(id));
        for (const step of artifactSteps(handoff).filter((candidate) => !sent.has(candidate.id))) {
          sent.add(step.id);
          yield {
            payload: {
              $case: 'artifactUpdate',
              value: {
                taskId: id,
                contextId: id,
                artifact: stepArtifact(step),
                append: false,
                lastChunk: true,
                metadata: undefined,
              },
            },
          };
        }
        const now = statusKey(task);
        if (now !== status) {
          status = now;
          yield {
            payload: {
              $case: 'statusUpdate',
              value: { taskId: id, contextId: id, status: task.status, metadata: { handoffStatus: handoff.status } },
            },
          };
        }
      }
    } finally {
      stop.abort();
      changes.close();
    }
  }

  async getTask(params: GetTaskRequest): Promise<Task> {
    return (await this.task(params.id)).task;
  }

  async listTasks(params: ListTasksRequest): Promise<ListTasksResponse> {
    if (!params.contextId)
      throw new UnsupportedOperationError('ListTasks needs contextId: each handoff is its own context (its task id)');
    const found = await this.task(params.contextId).then(
      ({ task }) => [task],
      () => [],
    );
    return { tasks: found, nextPageToken: '', pageSize: params.pageSize ?? 50, totalSize: found.length };
  }

  /** Cancels the handoff; answers once it is finished (rolled back), or after CANCEL_WAIT_MS with where it is. */
  async cancelTask(params: CancelTaskRequest): Promise<Task> {
    const { handoff } = await this.task(params.id);
    const cancelled = await this.engine.handoffs.cancel(handoff.id, 'cancelled by an A2A client');
    if (!cancelled.ok) throw new TaskNotCancelableError(cancelled.errors[0]!.message);
    const stop = new AbortController();
    const changes = handoffChanges(
      this.engine,
      handoff.id,
      AbortSignal.any([stop.signal, this.clientGone, AbortSignal.timeout(CANCEL_WAIT_MS)]),
    );
    try {
      let { task } = await this.task(handoff.id);
      while (!isTerminal(task) && (await changes.next())) ({ task } = await this.task(handoff.id));
      return task;
    } finally {
      stop.abort();
      changes.close();
    }
  }

  async createTaskPushNotificationConfig(): Promise<TaskPushNotificationConfig> {
    throw new PushNotificationNotSupportedError('Follow tasks with SendStreamingMessage or SubscribeToTask');
  }

  async getTaskPushNotificationConfig(): Promise<TaskPushNotificationConfig> {
    throw new PushNotificationNotSupportedError('Push notifications are not supported');
  }

  async listTaskPushNotificationConfigs(): Promise<never> {
    throw new PushNotificationNotSupportedError('Push notifications are not supported');
  }

  async deleteTaskPushNotificationConfig(): Promise<void> {
    throw new PushNotificationNotSupportedError('Push notifications are not supported');
  }
}
