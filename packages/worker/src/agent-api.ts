import { canonicalDigest } from './canonical-json.js';
import { type GraphQLClient, UnreachableError } from './graphql-client.js';
import * as op from './operations.js';
import type { Delivery, Task } from './task.js';

/** The answer to a task mutation: done, or refused by the server (nothing changed) with its code. */
export type TaskAnswer = { ok: true } | { ok: false; refusal: op.UserError };

/** Resolves after `ms`, or at once when `signal` aborts. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Runs `send` until the server answers; while it cannot be reached, tries again with back-off
 * (0.2 s doubling to 5 s) until `stop` aborts. Only for operations that are safe to send twice.
 */
export async function untilAnswered<T>(send: () => Promise<T>, stop: AbortSignal, onRetry?: (error: Error) => void) {
  for (let failures = 0; ; failures++) {
    try {
      return await send();
    } catch (error) {
      if (!(error instanceof UnreachableError) || stop.aborted) throw error;
      onRetry?.(error);
      await pause(Math.min(5_000, 200 * 2 ** failures), stop);
    }
  }
}

/** The agent's side of the API, one method per operation a worker sends. */
export class AgentApi {
  constructor(
    private readonly client: GraphQLClient,
    readonly agentId: string,
  ) {}

  /** False when the agent is not registered. */
  async heartbeat(): Promise<boolean> {
    const data = await this.client.request<{ agentHeartbeat: { userErrors: op.UserError[] } }>(op.AGENT_HEARTBEAT, {
      id: this.agentId,
    });
    const refused = data.agentHeartbeat.userErrors[0];
    if (refused && refused.code !== 'NOT_FOUND') throw new Error(`agentHeartbeat refused: ${refused.message}`);
    return !refused;
  }

  async register(registration: { capabilities?: string[]; permissions?: string[] }): Promise<void> {
    const data = await this.client.request<{ registerAgent: { userErrors: op.UserError[] } }>(op.REGISTER_AGENT, {
      input: { id: this.agentId, ...registration },
    });
    const refused = data.registerAgent.userErrors[0];
    if (refused) throw new Error(`registerAgent refused: ${refused.code}: ${refused.message}`);
  }

  /** The stored feed entry right after `after`, to check a saved position against. */
  async entryAfter(after: number): Promise<{ seq: number; at: string } | null> {
    const data = await this.client.request<{ agent: { feed: { seq: number; at: string }[] } | null }>(
      op.FEED_ENTRY_AT,
      { agentId: this.agentId, after },
    );
    return data.agent?.feed[0] ?? null;
  }

  feed(after: number, signal: AbortSignal) {
    return this.client.subscribe<{ agentFeed: FeedEntry }>(op.FEED, { agentId: this.agentId, after }, signal);
  }

  /** What the handoff delivered to this agent; null when nothing. */
  async delivery(handoffId: string): Promise<Delivery | null> {
    let after: string | null = null;
    for (;;) {
      type Page = {
        agent: {
          inbox: { edges: { node: Delivery }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
        } | null;
      };
      const data: Page = await this.client.request<Page>(op.INBOX, { agentId: this.agentId, after });
      const inbox = data.agent?.inbox;
      const found = inbox?.edges.find((edge) => edge.node.handoffId === handoffId);
      if (found) return found.node;
      if (!inbox?.pageInfo.hasNextPage) return null;
      after = inbox.pageInfo.endCursor;
    }
  }

  /** Acknowledges exactly `values` (the digest is computed from them, as the server does). */
  async acknowledge(handoffId: string, values: Record<string, unknown>): Promise<TaskAnswer> {
    const data = await this.client.request<{ acknowledgeDelivery: { userErrors: op.UserError[] } }>(op.ACKNOWLEDGE, {
      input: { handoffId, agentId: this.agentId, digest: canonicalDigest(values) },
    });
    return answer(data.acknowledgeDelivery.userErrors);
  }

  /** A claim is sent once: a lost answer loses its token (the task then times out and is offered again). */
  async claim(taskId: string): Promise<{ task: Task; token: string } | { refusal: op.UserError }> {
    const data = await this.client.request<{
      claimAgentTask: { token: string | null; task: Task | null; userErrors: op.UserError[] };
    }>(op.CLAIM, { taskId });
    const { token, task, userErrors } = data.claimAgentTask;
    return token && task ? { task, token } : { refusal: userErrors[0] ?? { code: 'UNKNOWN', message: 'not claimed' } };
  }

  async heartbeatTask(taskId: string, token: string, progress: unknown): Promise<TaskAnswer> {
    const data = await this.client.request<{ heartbeatAgentTask: { userErrors: op.UserError[] } }>(op.HEARTBEAT, {
      input: { taskId, token, progress: progress ?? null },
    });
    return answer(data.heartbeatAgentTask.userErrors);
  }

  async complete(taskId: string, token: string, output: Record<string, unknown> | null): Promise<TaskAnswer> {
    const data = await this.client.request<{ completeAgentTask: { userErrors: op.UserError[] } }>(op.COMPLETE, {
      input: { taskId, token, output },
    });
    return answer(data.completeAgentTask.userErrors);
  }

  async fail(
    taskId: string,
    token: string,
    failure: { code: string; message: string; retryable: boolean },
  ): Promise<TaskAnswer> {
    const data = await this.client.request<{ failAgentTask: { userErrors: op.UserError[] } }>(op.FAIL, {
      input: { taskId, token, ...failure },
    });
    return answer(data.failAgentTask.userErrors);
  }
}

function answer(userErrors: op.UserError[]): TaskAnswer {
  return userErrors[0] ? { ok: false, refusal: userErrors[0] } : { ok: true };
}

export interface FeedEntry {
  seq: number;
  type: string;
  at: string;
  handoffId: string | null;
  taskId: string | null;
  step: string | null;
  task: { taskId: string; status: string } | null;
}
