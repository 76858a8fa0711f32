import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { createApp } from './app.js';
import { type Config, ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';

/** How long in-flight work may take to finish after SIGTERM before we exit anyway. */
const SHUTDOWN_GRACE_MS = 4_000;

async function main(): Promise<void> {
  let config: Config;
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
  const app = await createApp(config, {
    logger,
    onStoreDamage: (error) => {
      logger.fatal({ err: error }, error.message);
      process.exit(1);
    },
  });
  const address = await app.listen();
  const listening = `Handoff listening on http://${address.address}:${address.port}/graphql (store: ${config.store})`;
  // Where the server is must always be found (PORT=0 picks the port): below info level it goes to stderr.
  if (logger.isLevelEnabled('info')) {
    logger.info(
      {
        address: address.address,
        port: address.port,
        store: config.store,
        auth: config.apiKeys.length > 0 ? 'api-keys' : 'open',
        handoffs: config.workers ? `executes up to ${config.maxConcurrentHandoffs} at once` : 'API only (WORKERS=0)',
      },
      listening,
    );
  } else process.stderr.write(`${listening}\n`);
  if (logger.isLevelEnabled('info')) logger.info(`Dashboard at http://${address.address}:${address.port}/`);
  logAccessMode(logger, config, address);
  if (config.webhookAllowList.length > 0 && config.webhookStepSecret === null)
    logger.warn(
      {},
      'WEBHOOK_STEP_SECRET is not set: WEBHOOK step calls go out unsigned (subscription deliveries are signed with their own secrets)',
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

/** Says who may call: the key names and roles (never the keys), or that the server is open. */
function logAccessMode(logger: Logger, config: Config, address: AddressInfo): void {
  if (config.apiKeys.length > 0) {
    logger.info(
      { keys: config.apiKeys.map(({ name, role }) => ({ name, role })) },
      `API keys required (${config.apiKeys.length} configured): send Authorization: Bearer <key>`,
    );
    return;
  }
  const loopback = address.address === '127.0.0.1' || address.address === '::1';
  logger.warn(
    { auth: 'open', host: config.host, hostExplicit: config.hostExplicit },
    loopback
      ? 'No API keys configured: the server is OPEN (every caller is admin) and listens on loopback only. Set API_KEYS or API_KEYS_FILE before exposing it.'
      : `No API keys configured: the server is OPEN (every caller is admin) and HOST=${config.host} exposes it beyond this machine. Set API_KEYS or API_KEYS_FILE.`,
  );
}

main().catch((error) => {
  process.stderr.write(`Handoff failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
