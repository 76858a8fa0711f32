/**
 * `npx tsx bench/fair-share-queue.ts`: handoffs per second through the HandoffQueue alone (runs that
 * finish at once), with a fair-share rule over 1 to 10,000 keys: what choosing the next handoff
 * costs when many keys wait. The engine itself runs a few thousand handoffs/s, so the queue must
 * stay well above that.
 */

import { PRIORITIES } from '../src/engine/kernel/handoff/handoff.js';
import { HandoffQueue } from '../src/engine/kernel/scheduler/handoff-queue.js';

const HANDOFFS = 100_000;

async function throughput(keys: number, perKeyLimit: number): Promise<number> {
  let done = 0;
  let finishAll!: () => void;
  const all = new Promise<void>((resolve) => (finishAll = resolve));
  const queue = new HandoffQueue(
    200,
    async () => {
      await Promise.resolve();
      if (++done === HANDOFFS) finishAll();
    },
    { key: { kind: 'targetAgent' }, limit: perKeyLimit, overrides: new Map() },
  );
  const started = performance.now();
  for (let i = 0; i < HANDOFFS; i++) queue.enqueue(`h${i}`, PRIORITIES[i % PRIORITIES.length], `agent_${i % keys}`);
  await all;
  return Math.round(HANDOFFS / ((performance.now() - started) / 1000));
}

for (const keys of [1, 100, 1_000, 10_000]) {
  for (const limit of [1, 1_000]) {
    console.log(
      `${keys} keys, per-key limit ${limit}, overall limit 200: ${(await throughput(keys, limit)).toLocaleString('en-US')} handoffs/s through the queue`,
    );
  }
}
