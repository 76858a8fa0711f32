/**
 * An agent's worker for Handoff: registers its agent, heartbeats, follows the agent's feed over
 * graphql-ws (resuming from the last seq it handled when the connection drops), acknowledges what
 * handoffs deliver to it, and claims, works on (with heartbeats) and completes or fails its tasks.
 *
 *   npx tsx examples/agent-worker.ts --agent agent_2
 *
 * Options (or environment): --agent (AGENT_ID), --url (HANDOFF_URL, default http://localhost:4000/graphql),
 * --key (HANDOFF_API_KEY: an operator key, or one bound to this agent: name:agent=<agentId>:key).
 * A task whose input has `fail: { code, message, retryable }` is failed that way, to try failures.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';

interface FeedEntry {
  seq: number;
  type: string;
  handoffId: string | null;
  taskId: string | null;
  task: { taskId: string; status: string; input: any; heartbeatTimeoutMs: number | null } | null;
}

const FEED = `subscription($agentId: ID!, $after: Int) { agentFeed(agentId: $agentId, after: $after) {
  seq type handoffId taskId task { taskId status input heartbeatTimeoutMs } } }`;

/** SHA-256 (hex) of JSON with object keys sorted at every level: the digest a delivery is acknowledged with. */
export function canonicalDigest(value: unknown): string {
  const canonical = (v: unknown): string =>
    Array.isArray(v)
      ? `[${v.map(canonical).join(',')}]`
      : v !== null && typeof v === 'object'
        ? `{${Object.keys(v)
            .sort()
            .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
            .join(',')}}`
        : JSON.stringify(v);
  return createHash('sha256').update(canonical(value)).digest('hex');
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });

export interface WorkerOptions {
  agentId: string;
  url: string;
  apiKey?: string;
  log?: (message: string) => void;
}

export class AgentWorker {
  private lastSeq = 0;
  private client: Client | null = null;
  private readonly stopped = new AbortController();
  /** Tasks being worked on, each with what stops it (the engine took it back). */
  private readonly working = new Map<string, AbortController>();
  private readonly log: (message: string) => void;

  constructor(private readonly options: WorkerOptions) {
    this.log = options.log ?? ((message) => console.log(`[${options.agentId}] ${message}`));
  }

  /**
   * One operation over HTTP. `retry`: the operation is safe to send again (reads, heartbeats,
   * completions and failures with the same token, receipts), so a lost connection is retried; a
   * claim is not (a lost answer loses its token: the task then times out and is offered again).
   */
  private async gql<T = any>(query: string, variables: Record<string, unknown> = {}, retry = true): Promise<T> {
    let response: Response;
    for (let attempt = 1; ; attempt++) {
      try {
        response = await fetch(this.options.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {}),
          },
          body: JSON.stringify({ query, variables }),
        });
        break;
      } catch (error) {
        if (!retry || attempt === 5 || this.stopped.signal.aborted) {
          // fetch says only "fetch failed"; the reason (ECONNREFUSED…) is in its cause.
          const reason = (error as { cause?: { code?: string; message?: string } }).cause;
          throw new Error(
            `cannot reach ${this.options.url}: ${reason?.code ?? reason?.message ?? (error as Error).message}`,
            { cause: error },
          );
        }
        await sleep(100 * 2 ** attempt);
      }
    }
    const body = (await response.json()) as {
      data?: T;
      errors?: { message: string; extensions?: { code?: string } }[];
    };
    if (body.errors?.length)
      throw Object.assign(new Error(body.errors[0]!.message), { code: body.errors[0]!.extensions?.code });
    return body.data as T;
  }

  async start(): Promise<void> {
    const { agentId } = this.options;
    try {
      await this.gql(
        `mutation($id: ID!) { registerAgent(input: { id: $id, capabilities: ["review"], permissions: ["handoff:receive"] }) { userErrors { message } } }`,
        { id: agentId },
      );
    } catch (error) {
      // An agent's own key may not register it: an operator has done that.
      if ((error as { code?: string }).code !== 'FORBIDDEN') throw error;
    }
    void this.heartbeatLoop();
    void this.followLoop();
    this.log('registered; following the feed');
  }

  async stop(): Promise<void> {
    this.stopped.abort();
    this.working.forEach((work) => work.abort());
    await this.client?.dispose();
  }

  private async heartbeatLoop(): Promise<void> {
    while (!this.stopped.signal.aborted) {
      await this.gql(
        `mutation($id: ID!) { agentHeartbeat(input: { id: $id, status: READY }) { userErrors { message } } }`,
        { id: this.options.agentId },
      ).catch((error) => this.log(`heartbeat failed: ${error.message}`));
      await sleep(10_000, this.stopped.signal);
    }
  }

  /** Follows the feed from the last seq handled; after a dropped connection, subscribes again from there. */
  private async followLoop(): Promise<void> {
    const wsUrl = this.options.url.replace(/^http/, 'ws');
    for (let failures = 0; !this.stopped.signal.aborted; ) {
      this.client = createClient({
        url: wsUrl,
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        connectionParams: this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : undefined,
      });
      try {
        for await (const result of this.client.iterate<{ agentFeed: FeedEntry }>({
          query: FEED,
          variables: { agentId: this.options.agentId, after: this.lastSeq },
        })) {
          if (result.errors?.length) throw new Error(result.errors[0]!.message);
          failures = 0;
          const entry = result.data!.agentFeed;
          if (entry.seq <= this.lastSeq) continue; // never handle an entry twice
          this.lastSeq = entry.seq;
          this.handle(entry);
        }
      } catch (error) {
        if (this.stopped.signal.aborted) return;
        failures += 1;
        const reason =
          error instanceof Error ? error.message : `closed with code ${(error as { code?: number }).code ?? 'unknown'}`;
        this.log(`feed connection lost (${reason}); resuming after seq ${this.lastSeq}`);
      } finally {
        await this.client.dispose();
      }
      await sleep(Math.min(5_000, 200 * 2 ** failures), this.stopped.signal);
    }
  }

  private handle(entry: FeedEntry): void {
    if (entry.type === 'CONTEXT_DELIVERED' && entry.handoffId)
      void this.acknowledge(entry.handoffId).catch((error) => this.log(`acknowledge failed: ${error.message}`));
    if (entry.type === 'TASK_OFFERED' && entry.task?.status === 'OFFERED')
      void this.work(entry.task).catch((error) => this.log(`task ${entry.taskId} failed: ${error.message}`));
    if (entry.type === 'TASK_WITHDRAWN' && entry.taskId) this.working.get(entry.taskId)?.abort();
  }

  /** Reads what the handoff delivered and acknowledges it with the digest of what was read. */
  private async acknowledge(handoffId: string): Promise<Record<string, unknown>> {
    const values = await this.inboxOf(handoffId);
    const answer = await this.gql(
      `mutation($input: AcknowledgeDeliveryInput!) { acknowledgeDelivery(input: $input) { userErrors { code message } } }`,
      { input: { handoffId, agentId: this.options.agentId, digest: canonicalDigest(values) } },
    );
    const refused = answer.acknowledgeDelivery.userErrors[0];
    this.log(refused ? `receipt of ${handoffId} refused: ${refused.code}` : `acknowledged what ${handoffId} delivered`);
    return values;
  }

  private async inboxOf(handoffId: string): Promise<Record<string, unknown>> {
    const data = await this.gql(
      `query($id: ID!) { agent(id: $id) { inbox(first: 100) { edges { node { handoffId values } } } } }`,
      { id: this.options.agentId },
    );
    return data.agent.inbox.edges.find((edge: any) => edge.node.handoffId === handoffId)?.node.values ?? {};
  }

  private async work(task: NonNullable<FeedEntry['task']>): Promise<void> {
    const claim = await this.gql(
      `mutation($taskId: ID!) { claimAgentTask(input: { taskId: $taskId }) { token task { handoffId } userErrors { code } } }`,
      { taskId: task.taskId },
      false,
    );
    const { token } = claim.claimAgentTask;
    if (!token) return this.log(`task ${task.taskId} not claimed: ${claim.claimAgentTask.userErrors[0]?.code}`);
    const handoffId = claim.claimAgentTask.task.handoffId as string;
    const stop = new AbortController();
    this.working.set(task.taskId, stop);
    this.log(`claimed task ${task.taskId} of ${handoffId}`);
    try {
      const context = await this.inboxOf(handoffId);
      const checklist: string[] = Array.isArray(task.input?.checklist) ? task.input.checklist : ['work'];
      const pace = Math.min(200, (task.heartbeatTimeoutMs ?? 1_000) / 4);
      const results = [];
      for (const [index, item] of checklist.entries()) {
        await sleep(pace, stop.signal);
        if (stop.signal.aborted) return this.log(`task ${task.taskId} was taken back; stopped`);
        results.push({ item, ok: true });
        await this.send('heartbeatAgentTask', 'HeartbeatAgentTaskInput', {
          taskId: task.taskId,
          token,
          progress: { done: index + 1, of: checklist.length },
        });
      }
      if (task.input?.fail) {
        const { code = 'FAILED', message = 'asked to fail', retryable = true } = task.input.fail;
        await this.send('failAgentTask', 'FailAgentTaskInput', {
          taskId: task.taskId,
          token,
          code,
          message,
          retryable,
        });
        return this.log(`failed task ${task.taskId}: ${code}`);
      }
      const output = { reviewedBy: this.options.agentId, results, contextKeys: Object.keys(context).sort() };
      await this.send('completeAgentTask', 'CompleteAgentTaskInput', { taskId: task.taskId, token, output });
      this.log(`completed task ${task.taskId}`);
    } finally {
      this.working.delete(task.taskId);
    }
  }

  /** A task mutation; a refusal (the task is no longer current) stops the work. */
  private async send(field: string, inputType: string, input: Record<string, unknown>): Promise<void> {
    const data = await this.gql(
      `mutation($input: ${inputType}!) { ${field}(input: $input) { userErrors { code message } } }`,
      { input },
    );
    const refused = data[field].userErrors[0];
    if (refused) {
      this.working.get(input.taskId as string)?.abort();
      throw new Error(`${field} refused: ${refused.code}: ${refused.message}`);
    }
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { agent: { type: 'string' }, url: { type: 'string' }, key: { type: 'string' } },
  });
  const agentId = values.agent ?? process.env.AGENT_ID;
  if (!agentId) {
    console.error(
      'usage: npx tsx examples/agent-worker.ts --agent <agentId> [--url http://localhost:4000/graphql] [--key <apiKey>]',
    );
    process.exit(2);
  }
  const worker = new AgentWorker({
    agentId,
    url: values.url ?? process.env.HANDOFF_URL ?? 'http://localhost:4000/graphql',
    apiKey: values.key ?? process.env.HANDOFF_API_KEY,
  });
  await worker.start();
  const stop = () => void worker.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

// Run as a script (not imported): start.
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((error) => {
    console.error(`agent worker stopped: ${error.message}`);
    process.exit(1);
  });
}
