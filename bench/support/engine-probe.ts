/**
 * One engine-API throughput measurement in its own process, of the engine found under `--root` (this
 * checkout, or another one: the kernel part sets the engine of before the kernel redesign beside
 * today's). It uses only what both have in common: open a SQLite file, open the stores, create the
 * engine, define a four-noop procedure, initiate handoffs, hear their final events.
 *
 *   node --import tsx bench/support/engine-probe.ts --root DIR --handoffs N --warmup N [--insight off]
 *
 * Prints one line of JSON: { handoffsPerSecond, cpuMsPerHandoff }.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    root: { type: 'string' },
    handoffs: { type: 'string', default: '5000' },
    warmup: { type: 'string', default: '2000' },
    concurrent: { type: 'string', default: '200' },
    // 'off': insight's fold off (an engine before insight ignores the setting), to set the runner alone against another tree.
    insight: { type: 'string', default: 'on' },
  },
});
const root = path.resolve(values.root ?? '.');
const handoffs = Number(values.handoffs);
const warmup = Number(values.warmup);

const from = (file: string) => import(path.join(root, file));
const { SqliteDatabase } = await from('src/store/sqlite/sqlite-database.ts');
const { openStores } = await from('src/store/open-stores.ts');
const { createEngine } = await from('src/engine/engine.ts');

const FINAL = new Set([
  'HANDOFF_COMPLETED',
  'HANDOFF_FAILED',
  'HANDOFF_ROLLED_BACK',
  'HANDOFF_ROLLBACK_FAILED',
  'HANDOFF_CANCELLED',
]);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-engine-probe-'));
try {
  const db = SqliteDatabase.open(path.join(dir, 'handoff.db'), { sync: 'NORMAL' });
  const engine = await createEngine({
    stores: await openStores(db, { writer: 'probe' }),
    settings: {
      agentHeartbeatWindowMs: 30_000,
      maxConcurrentHandoffs: Number(values.concurrent),
      webhookAllowList: [],
      ...(values.insight === 'off' ? { insight: false } : {}),
    },
  });
  await engine.start();
  const created = await engine.procedures.create({
    id: 'PROBE_NOOP_4',
    name: 'four no-op steps',
    validationRules: [],
    steps: [1, 2, 3, 4].map((n) => ({
      id: `noop_${n}`,
      name: `no-op ${n}`,
      kind: 'noop',
      params: {},
      timeoutMs: 10_000,
    })),
  });
  if (!created.ok) throw new Error(JSON.stringify(created.errors));
  const batch = async (count: number, prefix: string): Promise<number> => {
    let seen = 0;
    const done = new Promise<void>((resolve) => {
      const stop = engine.handoffs.events.subscribe((event: { type: string }) => {
        if (FINAL.has(event.type) && ++seen === count) {
          stop();
          resolve();
        }
      });
    });
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    await Promise.all(
      Array.from({ length: count }, (_, i) =>
        engine.handoffs.initiate({ handoffId: `${prefix}_${i}`, procedureId: 'PROBE_NOOP_4' }),
      ),
    );
    await done;
    const cpu = process.cpuUsage(cpuBefore);
    cpuMs = (cpu.user + cpu.system) / 1000;
    return performance.now() - started;
  };
  let cpuMs = 0;
  await batch(warmup, 'warm');
  const ms = await batch(handoffs, 'run');
  await engine.stop();
  await db.close();
  // CPU time per handoff is the steadier figure on a busy machine: another process's load shows in wall time only.
  process.stdout.write(
    `${JSON.stringify({ handoffsPerSecond: (handoffs / ms) * 1000, cpuMsPerHandoff: cpuMs / handoffs })}\n`,
  );
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
