import type { Database } from '../../src/store/collection.js';
import { startTestServer, type TestServer } from '../../test/support/server.js';
import { BENCH_MAX_CONCURRENT, ensureNoopProcedure } from './engine-harness.js';

/** The test suite's real server (every plugin on, no API keys, memory store) with the benchmark procedure defined. */
export async function startBenchServer(
  options: { db?: Database; env?: Record<string, string> } = {},
): Promise<TestServer> {
  const server = await startTestServer(
    { MAX_CONCURRENT_HANDOFFS: String(BENCH_MAX_CONCURRENT), ...options.env },
    { db: options.db },
  );
  await ensureNoopProcedure(server.app.engine);
  return server;
}
