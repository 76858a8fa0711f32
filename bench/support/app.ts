import { pino } from 'pino';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { Database } from '../../src/store/collection.js';
import { BENCH_MAX_CONCURRENT, ensureNoopProcedure } from './engine-harness.js';

export interface BenchServer {
  app: App;
  url: string;
  wsUrl: string;
  /** One GraphQL operation over HTTP (fetch). */
  gql<T = any>(query: string, variables?: Record<string, unknown>): Promise<{ data?: T; errors?: unknown[] }>;
  close(): Promise<void>;
}

/** The real server (every plugin on, no API keys) on a free port, with the benchmark procedure defined. */
export async function startBenchServer(options: { db?: Database; env?: Record<string, string> } = {}): Promise<BenchServer> {
  const config = loadConfig({
    STORE: 'memory',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    MAX_CONCURRENT_HANDOFFS: String(BENCH_MAX_CONCURRENT),
    ...options.env,
  });
  const app = await createApp(config, { logger: pino({ level: 'silent' }), db: options.db });
  await ensureNoopProcedure(app.engine);
  const { port } = await app.listen();
  const url = `http://127.0.0.1:${port}/graphql`;
  return {
    app,
    url,
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    async gql(query, variables) {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
      return (await response.json()) as { data?: any; errors?: unknown[] };
    },
    close: () => app.close(),
  };
}
