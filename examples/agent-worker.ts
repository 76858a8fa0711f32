/**
 * An agent's worker built on @handoff/worker (packages/worker): it reviews what it is handed, one
 * checklist item at a time, with a heartbeat after each, and returns its review as the step's output.
 *
 *   npx tsx examples/agent-worker.ts --agent agent_2
 *
 * Options (or environment): --agent (AGENT_ID), --url (HANDOFF_URL, default http://localhost:4000/graphql),
 * --key (HANDOFF_API_KEY: an operator key, or one bound to this agent: name:agent=<agentId>:key),
 * --position (a file keeping the last handled feed position across restarts; default one per agent and
 * server in the temporary directory). The agent is not registered or changed unless --register is given
 * (with --capabilities and --permissions, comma-separated). A task whose input has
 * `fail: { code, message, retryable }` is failed that way, to try failures.
 */
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createWorker, filePosition, type Task, type TaskContext, TaskFailure } from '../packages/worker/src/index.js';

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });

interface ReviewInput {
  checklist?: string[];
  fail?: { code?: string; message?: string; retryable?: boolean };
}

/** The review: each checklist item in turn, a heartbeat with progress after each. */
function reviewer(agentId: string) {
  return async (task: Task, ctx: TaskContext) => {
    const input = (task.input ?? {}) as ReviewInput;
    const context = await ctx.context();
    const checklist = Array.isArray(input.checklist) ? input.checklist : ['work'];
    const pace = Math.min(200, (task.heartbeatTimeoutMs ?? 1_000) / 4);
    const results = [];
    for (const [index, item] of checklist.entries()) {
      await sleep(pace, ctx.signal);
      if (ctx.signal.aborted) throw ctx.signal.reason;
      results.push({ item, ok: true });
      await ctx.heartbeat({ done: index + 1, of: checklist.length });
    }
    if (input.fail) {
      const { code = 'FAILED', message = 'asked to fail', retryable = true } = input.fail;
      throw new TaskFailure(code, message, { retryable });
    }
    return { reviewedBy: agentId, results, contextKeys: Object.keys(context).sort() };
  };
}

const { values } = parseArgs({
  options: {
    agent: { type: 'string' },
    url: { type: 'string' },
    key: { type: 'string' },
    position: { type: 'string' },
    register: { type: 'boolean' },
    capabilities: { type: 'string' },
    permissions: { type: 'string' },
  },
});
const agent = values.agent ?? process.env.AGENT_ID;
if (!agent) {
  console.error('usage: npx tsx examples/agent-worker.ts --agent <agentId> [--url …] [--key …] [--position file]');
  process.exit(2);
}
const url = values.url ?? process.env.HANDOFF_URL ?? 'http://localhost:4000/graphql';
const list = (text: string | undefined) => text?.split(',').filter(Boolean) ?? [];
const serverTag = createHash('sha256').update(url).digest('hex').slice(0, 8);
const worker = createWorker({
  url,
  agent,
  key: values.key ?? process.env.HANDOFF_API_KEY,
  position: filePosition(values.position ?? path.join(os.tmpdir(), `handoff-worker-${agent}-${serverTag}.json`)),
  register: values.register
    ? { capabilities: list(values.capabilities), permissions: list(values.permissions) }
    : undefined,
  handle: reviewer(agent),
});
await worker.start();
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => void worker.stop().then(() => process.exit(0)));
