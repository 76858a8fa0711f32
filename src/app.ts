import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { ApiKeyRing } from './auth/api-key-ring.js';
import { useIntrospectionForKeyHolders } from './auth/use-introspection-guard.js';
import { withApiKeys } from './auth/with-api-keys.js';
import type { Config } from './config.js';
import type { GraphQLContext } from './context.js';
import { createEngine, type Engine } from './engine/engine.js';
import { type Clock, systemClock } from './engine/shared/clock.js';
import type { Random } from './engine/shared/random.js';
import { secureClaimTokens } from './engine/tasks/claim-token.js';
import { A2A_PATH, A2A_PUSH_PATH, AGENT_CARD_PATH, withA2A } from './http/a2a/a2a-endpoint.js';
import { useOperationCost, useOperationLimits } from './http/armor.js';
import { withBodyLimit } from './http/body-limit.js';
import { useJsonOnlyPosts } from './http/content-type-guard.js';
import { loadDashboardAssets, withDashboard } from './http/dashboard-assets.js';
import { useUnexpectedErrorLogging } from './http/error-logging.js';
import { attachGraphQLWebSocket } from './http/graphql-ws.js';
import { useListLengthLimit } from './http/list-limits.js';
import { renderLocalGraphiQL } from './http/local-graphiql.js';
import { maskStoreErrors } from './http/mask-store-errors.js';
import { useNestingGuard } from './http/nesting-guard.js';
import { operationIdentity } from './http/operation-identity.js';
import { OriginPolicy, withOriginPolicy } from './http/origin-policy.js';
import { useReadiness } from './http/readiness.js';
import { withRequestScope } from './http/request-scope.js';
import { createRestApi, OPENAPI_PATH } from './http/rest/rest-api.js';
import { useScopeCacheRelease } from './http/scope-cache-release.js';
import { withServedPaths } from './http/served-paths.js';
import { resumePoint, useSseEventIds } from './http/sse-event-ids.js';
import { useSingleConnectionRefusal } from './http/sse-single-connection.js';
import { StreamLimits, withSseStreamLimits } from './http/stream-limits.js';
import { YogaLogLines } from './http/yoga-log-lines.js';
import { createMcpEndpoint, MCP_PATH } from './mcp/mcp-endpoint.js';
import { createActiveSubscriptionsGauge } from './observability/active-subscriptions.js';
import { registerEngineMetrics } from './observability/engine-metrics.js';
import { createMetricsRegistry } from './observability/metrics-registry.js';
import { registerQueueMetrics } from './observability/queue-metrics.js';
import { refusedRequestsCounter, useRequestMetrics } from './observability/request-metrics.js';
import { createTracing } from './observability/tracing.js';
import { isGoneLocalProcess, processOwnerId } from './process-identity.js';
import { schema } from './resolvers/index.js';
import { createLoaders } from './resolvers/loaders.js';
import type { Database } from './store/collection.js';
import { openDatabase } from './store/open-database.js';
import { openStores } from './store/open-stores.js';

export interface App {
  readonly config: Config;
  readonly engine: Engine;
  readonly db: Database;
  readonly yoga: YogaServerInstance<Record<string, unknown>, GraphQLContext>;
  readonly server: Server;
  /** Everything `GET /metrics` serves. */
  readonly metrics: Registry;
  /** Starts listening; resolves with the bound address. */
  listen(): Promise<AddressInfo>;
  /** Stops accepting, lets in-flight requests finish, closes sockets, engine and store. */
  close(): Promise<void>;
}

export interface AppOptions {
  logger: Logger;
  clock?: Clock;
  random?: Random;
  /** Use this store instead of opening the one the config names (tests). */
  db?: Database;
  /** The background integrity check of a large embedded store found damage after start-up. */
  onStoreDamage?: (error: Error) => void;
  /** Record spans into this exporter (tests) instead of the OTLP endpoint the config names. */
  spanExporter?: SpanExporter;
}

const GRAPHQL_ENDPOINT = '/graphql';
/**
 * How long `close` lets connections still busy (a response being streamed, a socket that has not answered its
 * close frame) end by themselves before it cuts them: close must end whatever a client does. Below main's
 * SIGTERM grace period.
 */
const CLOSE_GRACE_MS = 3_000;
const METRICS_ENDPOINT = '/metrics';
/** Every path the server answers; anything else is 404 before Yoga (see withServedPaths). GraphQL first. */
const SERVED_PATHS = [
  GRAPHQL_ENDPOINT,
  '/health',
  '/ready',
  METRICS_ENDPOINT,
  MCP_PATH,
  AGENT_CARD_PATH,
  A2A_PATH,
  A2A_PUSH_PATH,
];

/** What GraphiQL opens with: the procedures a first handoff can use (docs/first-handoff.md walks on from here). */
export const GRAPHIQL_START = `# Welcome to Handoff. The Docs pane (top left) describes every type and field.
# Run this, then follow the walkthrough in docs/first-handoff.md.
query Procedures {
  procedures(first: 10) {
    totalCount
    edges {
      node {
        procedureId
        name
        estimatedDurationMs
        steps { id name kind timeoutMs maxAttempts }
        validationRules { id name severity }
        rollback { id name }
      }
    }
  }
}
`;

/** Composition root: store → engine → Yoga + graphql-ws on one HTTP server. */
export async function createApp(config: Config, options: AppOptions): Promise<App> {
  const { logger } = options;
  const owner = processOwnerId();
  const db =
    options.db ??
    (await openDatabase(config, {
      logger,
      now: (options.clock ?? systemClock).now(),
      onDamage: options.onStoreDamage,
      owner,
      isOwnerGone: isGoneLocalProcess,
    }));
  const storeDetails: Record<string, string> = { store: config.store, ...db.describe?.() };
  if (db.describe)
    logger.info(
      storeDetails,
      `store: ${storeDetails.server}; changes of other processes followed by ${storeDetails.changeFeed === 'change-stream' ? 'a change stream on the change log' : `reading the change log every ${config.changePollMs} ms (no change streams)`}`,
    );
  const tracing = createTracing(config, options.spanExporter);
  const stores = await openStores(db, { writer: owner, finishedHandoffCacheBytes: config.finishedHandoffCacheBytes });
  const engine = await createEngine({
    stores,
    owner,
    isOwnerGone: isGoneLocalProcess,
    changePollMs: config.changePollMs,
    leaseMs: config.leaseMs,
    // An API-only process (WORKERS=0) takes no due work: handoffs it starts run on the others.
    settings: { ...config, maxConcurrentHandoffs: config.workers ? config.maxConcurrentHandoffs : 0 },
    clock: options.clock,
    random: options.random,
    // Claim tokens are bearer secrets for a task: from the OS CSPRNG, never the injected Random.
    claimTokens: secureClaimTokens,
    spans: tracing?.spans ?? null,
    logger: logger.child({ component: 'engine' }),
  });
  await engine.start();

  const keys = new ApiKeyRing(config.apiKeys);
  const metrics = createMetricsRegistry();
  const activeSubscriptions = createActiveSubscriptionsGauge(metrics);
  const unhookEngineMetrics = registerEngineMetrics(metrics, engine, logger.child({ component: 'metrics' }));
  registerQueueMetrics(metrics, engine.queue, config.fairShareMetricKeys);
  const loggedErrors = new WeakSet<object>();
  const yogaLines = new YogaLogLines(logger.child({ component: 'yoga' }), loggedErrors);

  const rest = createRestApi(schema, logger.child({ component: 'rest' }));
  // MCP tool calls are GraphQL requests through Yoga itself (made below), with the caller's key.
  const mcp = createMcpEndpoint({
    graphqlPath: GRAPHQL_ENDPOINT,
    serve: async (request) => yoga.fetch(request),
    maxSessions: config.mcpMaxSessions,
    idleMs: config.mcpSessionIdleMs,
    logger: logger.child({ component: 'mcp' }),
  });
  const yoga = createYoga<Record<string, unknown>, GraphQLContext>({
    schema,
    graphqlEndpoint: GRAPHQL_ENDPOINT,
    healthCheckEndpoint: '/health',
    landingPage: false,
    graphiql: { subscriptionsProtocol: 'WS', title: 'Handoff', defaultQuery: GRAPHIQL_START },
    renderGraphiQL: renderLocalGraphiQL,
    logging: yogaLines.logging,
    // Clients never see an internal error's message or stack, whatever NODE_ENV says.
    maskedErrors: { isDev: false, maskError: yogaLines.remembering(maskStoreErrors) },
    // Bodies are capped before Yoga sees them (withBodyLimit), more cheaply than Yoga's own limit.
    maxRequestBodySize: false,
    multipart: false,
    // No cross-origin browser access unless CORS_ORIGINS names the origins (Yoga's default reflects any origin).
    cors: config.corsOrigins.length > 0 ? { origin: config.corsOrigins, credentials: false } : false,
    context: (initialContext) => {
      const identity = operationIdentity(keys, logger, initialContext);
      return {
        engine,
        loaders: createLoaders(engine),
        activeSubscriptions: activeSubscriptions.count,
        ...identity,
        resumeAfter: resumePoint(initialContext.request?.headers, identity.transport),
        eventId: null,
      };
    },
    plugins: [
      ...(tracing ? [tracing.yogaPlugin] : []),
      useIntrospectionForKeyHolders(keys),
      useJsonOnlyPosts(),
      useSingleConnectionRefusal(GRAPHQL_ENDPOINT),
      rest.plugin,
      mcp.plugin,
      useReadiness(
        '/ready',
        async () => {
          try {
            await db.ping();
            return true;
          } catch (error) {
            logger.warn({ err: error }, 'readiness check failed: store did not answer');
            return false;
          }
        },
        storeDetails,
      ),
      // Before armor's token limit: graphql-js would overflow the stack on deep brackets first.
      useNestingGuard(),
      useOperationLimits({ hideFieldSuggestions: keys.enabled }),
      useOperationCost(),
      useListLengthLimit(),
      useUnexpectedErrorLogging(loggedErrors),
      useScopeCacheRelease(),
      yogaLines.plugin,
      activeSubscriptions.plugin,
      useSseEventIds(),
      useRequestMetrics(metrics, METRICS_ENDPOINT),
    ],
  });

  const origins = new OriginPolicy({
    allowedOrigins: config.corsOrigins,
    keysRequired: keys.enabled,
    allowedHostNames: config.allowedHosts,
  });
  const streams = new StreamLimits({ total: config.maxStreams, perClient: config.maxStreamsPerClient });
  const refused = refusedRequestsCounter(metrics);
  const httpLogger = logger.child({ component: 'http' });
  const dashboard = loadDashboardAssets(config.dashboardDir, httpLogger);
  // Handoff as an A2A agent: its Agent Card and JSON-RPC endpoint, beside GraphQL under the same keys and limits.
  const closing = new AbortController();
  const a2a = withA2A(
    {
      engine,
      keys,
      publicUrl: config.a2aPublicUrl,
      logger: logger.child({ component: 'a2a' }),
      closing: closing.signal,
    },
    yoga,
  );
  // Outermost first: one path per endpoint, then who may ask (origin), the dashboard's static files (no key needed:
  // the page holds no data), then API keys, then what they may hold open, then the body cap.
  const api = withApiKeys(
    keys,
    {
      isApi: (path) => path === GRAPHQL_ENDPOINT || path === MCP_PATH || path === A2A_PATH || rest.serves(path),
      metrics: METRICS_ENDPOINT,
      openApi: OPENAPI_PATH,
      mcp: MCP_PATH,
    },
    withSseStreamLimits(streams, withBodyLimit(config.maxBodyBytes, a2a, refused), (refusal) => {
      refused('too-many-streams');
      httpLogger.warn({ scope: refusal.scope, limit: refusal.limit }, 'SSE stream refused: too many open streams');
    }),
  );
  const handler = withServedPaths(
    [...SERVED_PATHS, ...dashboard.paths],
    withOriginPolicy(origins, withDashboard(dashboard, api), (reason, req) => {
      refused('origin');
      httpLogger.warn(
        { origin: req.headers.origin?.slice(0, 200), host: req.headers.host?.slice(0, 200) },
        `request refused: ${reason}`,
      );
    }),
    rest.serves,
  );
  const server = createServer(withRequestScope(logger, handler));
  const webSockets = attachGraphQLWebSocket({
    server,
    yoga,
    keys,
    logger: logger.child({ component: 'graphql-ws' }),
    origins,
    streams,
    trackSubscription: (stream) => activeSubscriptions.trackWebSocket(stream),
    limits: {
      maxPayloadBytes: config.maxBodyBytes,
      maxWebSockets: config.maxWebSockets,
      maxSubscriptionsPerSocket: config.maxSubscriptionsPerSocket,
      maxPendingMessages: config.wsMaxPendingMessages,
      maxQueuedBytes: config.wsMaxQueuedBytes,
    },
  });

  return {
    config,
    engine,
    db,
    yoga,
    server,
    metrics,
    listen: () =>
      new Promise<AddressInfo>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          server.off('error', reject);
          server.on('error', keepServingAfter(httpLogger));
          // Only now: a check that reads a large store whole would slow start-up (its outcome is handled where it was opened).
          db.checkInBackground?.().catch(() => undefined);
          resolve(server.address() as AddressInfo);
        });
      }),
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // A2A streams and blocking sends end now, so their connections do not hold the close up.
      closing.abort();
      server.closeIdleConnections();
      const cut = setTimeout(
        () =>
          server.getConnections((_error, count) => {
            httpLogger.warn({ connections: count }, 'connections still busy after the close grace period were cut');
            for (const client of webSockets.sockets.clients) client.terminate();
            server.closeAllConnections();
          }),
        CLOSE_GRACE_MS,
      );
      cut.unref();
      await mcp.close();
      await webSockets.dispose();
      for (const client of webSockets.sockets.clients) client.terminate();
      unhookEngineMetrics();
      await closed;
      clearTimeout(cut);
      await engine.stop();
      await tracing
        ?.shutdown()
        .catch((error) => logger.warn({ err: error }, 'spans still buffered could not be exported'));
      await stores.handoffChanges?.close?.();
      await db.close();
    },
  };
}

/**
 * Once listening, a server error is a failed accept (EMFILE when file descriptors run out, ENFILE,
 * ECONNABORTED): Node would end the process on an unhandled one. It is logged (at most once a
 * second) and the server keeps serving the connections it has; accepting resumes when descriptors free up.
 */
function keepServingAfter(logger: Logger): (error: NodeJS.ErrnoException) => void {
  let lastLogged = 0;
  return (error) => {
    const now = Date.now();
    if (now - lastLogged < 1_000) return;
    lastLogged = now;
    logger.error({ code: error.code, err: error }, 'the HTTP server could not accept a connection; still serving');
  };
}
