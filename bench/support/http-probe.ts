/**
 * One `initiateHandoff`-over-HTTP throughput measurement in its own process, beside the engine probe
 * (bench/support/engine-probe.ts): the test suite's real server on a fresh SQLite file (STORE=embedded,
 * STORE_SYNC=NORMAL), the benchmark's four-no-op procedure, autocannon in a child process sending
 * the mutation. `--root DIR` measures the server of another checkout (before/after a change).
 *
 *   node --max-semi-space-size=64 --import tsx bench/support/http-probe.ts --root DIR --handoffs N --warmup N
 *
 * `--via engine` initiates through the same server's engine API instead, as many at a time as HTTP has
 * connections: the difference is what the HTTP and GraphQL layer costs.
 *
 * Prints one line of JSON: { handoffsPerSecond, cpuMsPerHandoff }. The CPU is this process's (the
 * server's) only: the load generator runs in its own process.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  // bench/profile.ts passes its mode ('http') as a positional.
  allowPositionals: true,
  options: {
    root: { type: 'string' },
    handoffs: { type: 'string', default: '5000' },
    warmup: { type: 'string', default: '2000' },
    connections: { type: 'string', default: '32' },
    // 'engine': the same server's engine API instead of HTTP, `connections` initiations in flight at a time
    // (what HTTP costs beyond the engine, with the store's commits grouping as many writes as over HTTP).
    via: { type: 'string', default: 'http' },
  },
});
const root = path.resolve(values.root ?? '.');
const handoffs = Number(values.handoffs);
const warmup = Number(values.warmup);
const connections = Number(values.connections);

const from = (file: string) => import(path.join(root, file));
const { startBenchServer } = await from('bench/support/app.ts');
const { finalEvents, NOOP_PROCEDURE_ID } = await from('bench/support/engine-harness.ts');
// The load generator of this checkout, whichever server is measured.
const { loadInChild } = await import('./spawn.js');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-http-probe-'));
try {
  const server = await startBenchServer({ env: { STORE: 'embedded', DATA_DIR: dir, STORE_SYNC: 'NORMAL' } });
  const body = JSON.stringify({
    query: `mutation { initiateHandoff(input: { procedureId: "${NOOP_PROCEDURE_ID}" }) { handoff { id status } userErrors { message } } }`,
  });
  const batch = async (count: number): Promise<{ ms: number; cpuMs: number }> => {
    const finals = finalEvents(server.app.engine, count);
    // Taken as it happens: the load generator's process exits up to a second after its last response.
    const lastFinalAt = finals.done.then(() => Date.now());
    const started = performance.now();
    let loadStartedAt: number | undefined;
    const cpuBefore = process.cpuUsage();
    if (values.via === 'engine') {
      // As many initiations in flight as HTTP has connections: commits group as few writes as over HTTP.
      let left = count;
      const lane = async () => {
        while (left-- > 0) await server.app.engine.handoffs.initiate({ procedureId: NOOP_PROCEDURE_ID });
      };
      await Promise.all(Array.from({ length: connections }, lane));
    } else {
      const result = await loadInChild({ url: server.url, body, connections, amount: count });
      if (result.non2xx || result.errors) throw new Error(`${result.non2xx} non-2xx, ${result.errors} errors`);
      loadStartedAt = result.startedAt;
    }
    await finals.done;
    const cpu = process.cpuUsage(cpuBefore);
    // Over HTTP, timed from the first request, not from spawning the load generator (see load-child.ts).
    const ms = loadStartedAt === undefined ? performance.now() - started : (await lastFinalAt) - loadStartedAt;
    return { ms, cpuMs: (cpu.user + cpu.system) / 1000 };
  };
  await batch(warmup);
  const { ms, cpuMs } = await batch(handoffs);
  await server.close();
  process.stdout.write(
    `${JSON.stringify({ handoffsPerSecond: (handoffs / ms) * 1000, cpuMsPerHandoff: cpuMs / handoffs })}\n`,
  );
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
