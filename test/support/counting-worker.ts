/**
 * A worker for crash tests: each handler call is appended to INVOCATIONS_FILE ("<taskId> <handoffId>")
 * before it works (a few heartbeats), so a test can count calls per task across SIGKILLs.
 *
 *   HANDOFF_URL=… AGENT_ID=… POSITION_FILE=… INVOCATIONS_FILE=… npx tsx test/support/counting-worker.ts
 */
import { appendFileSync } from 'node:fs';
import { createWorker, filePosition } from '../../packages/worker/src/index.js';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const worker = createWorker({
  url: env('HANDOFF_URL'),
  agent: env('AGENT_ID'),
  position: filePosition(env('POSITION_FILE')),
  concurrency: 2,
  handle: async (task, ctx) => {
    appendFileSync(env('INVOCATIONS_FILE'), `${task.taskId} ${task.handoffId}\n`);
    for (let beat = 1; beat <= 4 && !ctx.signal.aborted; beat++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      await ctx.heartbeat({ beat });
    }
    return { handledBy: process.pid, context: await ctx.context() };
  },
});
await worker.start();
process.once('SIGTERM', () => void worker.stop().then(() => process.exit(0)));
