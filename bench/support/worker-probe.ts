/**
 * One worker process of the kernel part's "two workers against one" figure: opens the shared SQLite
 * file, waits for the go file, starts an engine that runs handoffs, and exits once no handoff is left
 * unfinished, printing how many it finished itself.
 *
 *   node --import tsx bench/support/worker-probe.ts FILE GO_FILE
 */
import fs from 'node:fs';
import { createEngine } from '../../src/engine/engine.js';
import { isFinalEvent } from '../../src/engine/kernel/handoff/handoff-event.js';
import { openStores } from '../../src/store/open-stores.js';
import { SqliteDatabase } from '../../src/store/sqlite/sqlite-database.js';

const [file, go] = process.argv.slice(2);
const db = SqliteDatabase.open(file, { sync: 'NORMAL' });
const stores = await openStores(db, { writer: `worker-${process.pid}` });
process.stdout.write('loaded\n');
while (!fs.existsSync(go)) await new Promise((resolve) => setTimeout(resolve, 5));
const engine = await createEngine({
  stores,
  settings: { agentHeartbeatWindowMs: 30_000, maxConcurrentHandoffs: 200, webhookAllowList: [] },
});
let finished = 0;
engine.handoffs.executed.subscribe((event) => {
  if (isFinalEvent(event)) finished++;
});
await engine.start();
const unfinished = () => stores.handoffs.count({ status: ['PENDING', 'RUNNING', 'WAITING'] });
while ((await unfinished()) > 0) await new Promise((resolve) => setTimeout(resolve, 20));
await engine.stop();
await db.close();
process.stdout.write(`${JSON.stringify({ finished })}\n`);
