import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';

/** How long in-flight work may take to finish after SIGTERM before we exit anyway. */
const SHUTDOWN_GRACE_MS = 4_000;

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config);
  const app = await createApp(config, { logger });
  const address = await app.listen();
  logger.info(
    { address: address.address, port: address.port, store: config.store, auth: config.apiKeys.length > 0 ? 'api-keys' : 'open' },
    `Handoff listening on http://${address.address}:${address.port}/graphql (store: ${config.store})`,
  );

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      logger.warn({}, 'shutdown grace period over; exiting');
      process.exit(0);
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    app.close().then(
      () => process.exit(0),
      (error) => {
        logger.error({ err: error }, 'error while shutting down');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error) => {
  process.stderr.write(`Handoff failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
