/**
 * Runs one reliability test in-process, on a fresh embedded (file) store in a temp directory,
 * and prints its result.
 *
 *   npm run reliability -- --config RELIABILITY_STANDARD [--procedure PHASE_TRANSITION_STANDARD]
 *                          [--iterations N] [--concurrency N] [--failure-rate 0.1] [--seed 42] [--json]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createEngine } from '../src/engine/engine.js';
import type { ReliabilityTest } from '../src/engine/reliability/reliability-test.js';
import { openStores } from '../src/store/open-stores.js';
import { SqliteDatabase } from '../src/store/sqlite/sqlite-database.js';

const { values } = parseArgs({
  options: {
    config: { type: 'string', default: 'RELIABILITY_STANDARD' },
    procedure: { type: 'string', default: 'PHASE_TRANSITION_STANDARD' },
    iterations: { type: 'string' },
    concurrency: { type: 'string' },
    'failure-rate': { type: 'string' },
    seed: { type: 'string', default: '42' },
    json: { type: 'boolean', default: false },
  },
});

const number = (value: string | undefined) => (value === undefined ? null : Number(value));

function report(test: ReliabilityTest, storeDir: string): string {
  const r = test.result!;
  const l = r.latencyMs;
  const lines = [
    `${test.configId} (${test.type}) on ${test.procedureId} — ${test.status}`,
    `  store            embedded file store in ${storeDir}`,
    `  parameters       ${test.parameters.iterations} iterations, ${test.parameters.concurrentLimit} concurrent × ${test.parameters.stressFactor}, timeout ${test.parameters.timeoutMs} ms, failure rate ${test.parameters.failureRate}, seed ${test.seed}`,
    `  iterations       ${r.iterations}: ${r.succeeded} succeeded, ${r.failed} failed, ${r.cancelled} cancelled, ${r.rolledBack} rolled back`,
    `  successRate      ${r.successRate}`,
    `  rollbacks        ${r.rollbacksClean}/${r.rollbacksNeeded} clean (rollbackSuccessRate ${r.rollbackSuccessRate ?? 'n/a'})`,
    `  retries          ${r.retries}`,
    `  throughput       ${r.throughputPerSec} handoffs/s over ${(r.durationMs / 1000).toFixed(1)} s`,
    `  latency ms       ${l ? `p50 ${l.p50}  p95 ${l.p95}  p99 ${l.p99}  max ${l.max}  mean ${l.mean}` : 'n/a'}`,
    `  errors           ${r.errors.length ? r.errors.map((e) => `${e.code} ${e.count}`).join(', ') : 'none'}`,
    `  faults injected  ${r.faults.map((f) => `${f.kind} ${f.count}`).join(', ')}`,
  ];
  if (r.windows.length > 1) {
    const p50s = r.windows.map((w) => w.latencyMs?.p50 ?? '-').join(' ');
    lines.push(
      `  p50 per ${test.parameters.windowMs / 1000} s window  ${p50s} (last ÷ first ${r.p50DriftRatio ?? 'n/a'})`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const storeDir = mkdtempSync(path.join(tmpdir(), 'handoff-reliability-'));
  const db = SqliteDatabase.open(path.join(storeDir, 'handoff.sqlite'));
  const engine = await createEngine({
    stores: await openStores(db, { writer: 'reliability-script' }),
    settings: { agentHeartbeatWindowMs: 30_000, maxConcurrentHandoffs: 200, webhookAllowList: [] },
  });
  try {
    await engine.start();
    const started = await engine.reliability.start({
      configId: values.config!,
      procedureId: values.procedure,
      seed: Number(values.seed),
      overrides: {
        iterations: number(values.iterations),
        concurrentLimit: number(values.concurrency),
        failureRate: number(values['failure-rate']),
      },
    });
    if (!started.ok) throw new Error(started.errors.map((e) => `${e.code}: ${e.message}`).join('; '));
    const progress = await engine.reliability.progress(started.value.id);
    for await (const event of progress!) {
      if (!values.json)
        process.stderr.write(
          `\r  ${event.completed}/${event.total} done (${event.failed} failed, ${event.running} running)   `,
        );
    }
    if (!values.json) process.stderr.write('\n');
    const test = (await engine.reliability.whenFinished(started.value.id))!;
    console.log(values.json ? JSON.stringify(test, null, 2) : report(test, storeDir));
  } finally {
    await engine.stop();
    await db.close();
    rmSync(storeDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
