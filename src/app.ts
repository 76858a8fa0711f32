import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { useReadinessCheck } from 'graphql-yoga';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { createEngine, type Engine } from './engine/engine.js';
import type { Clock } from './engine/shared/clock.js';
import type { Random } from './engine/shared/random.js';
import { createLoaders } from './resolvers/loaders.js';
import { schema } from './resolvers/index.js';
import type { GraphQLContext } from './schema/context.js';
import type { Database } from './store/collection.js';
import { openDatabase } from './store/open-database.js';

export interface App {
  readonly config: Config;
  readonly engine: Engine;
  readonly db: Database;
  readonly yoga: YogaServerInstance<Record<string, unknown>, GraphQLContext>;
  readonly server: Server;
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
}

/** Composition root: store → engine → Yoga + graphql-ws on one HTTP server. */
export async function createApp(config: Config, options: AppOptions): Promise<App> {
  const { logger } = options;
  const db = options.db ?? (await openDatabase(config));
  const engine = await createEngine({
    db,
    settings: config,
    clock: options.clock,
    random: options.random,
    logger: logger.child({ component: 'engine' }),
  });
  await engine.start();

  const yoga = createYoga<Record<string, unknown>, GraphQLContext>({
    schema,
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/health',
    landingPage: false,
    graphiql: { subscriptionsProtocol: 'WS', title: 'Handoff' },
    logging: logger.child({ component: 'yoga' }),
    context: ({ request }) => ({
      engine,
      loaders: createLoaders(engine),
      caller: { role: 'admin', name: 'anonymous' },
      requestId: request.headers.get('x-request-id') ?? randomUUID(),
    }),
    plugins: [
      useReadinessCheck({
        endpoint: '/ready',
        check: async () => {
          try {
            await db.ping();
            return true;
          } catch (error) {
            logger.warn({ err: error }, 'readiness check failed: store did not answer');
            return false;
          }
        },
      }),
    ],
  });

  const server = createServer(yoga);
  const sockets = new WebSocketServer({ server, path: yoga.graphqlEndpoint });
  const wsServer = useServer<Record<string, unknown>>(
    {
      execute: (args: any) => args.rootValue.execute(args),
      subscribe: (args: any) => args.rootValue.subscribe(args),
      onSubscribe: async (ctx, _id, payload) => {
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params: payload,
          request: { headers: new Headers() },
        });
        const args = {
          schema,
          operationName: payload.operationName,
          document: parse(payload.query),
          variableValues: payload.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe },
        };
        const errors = validate(args.schema, args.document);
        if (errors.length) return errors;
        return args;
      },
    },
    sockets,
  );

  return {
    config,
    engine,
    db,
    yoga,
    server,
    listen: () =>
      new Promise<AddressInfo>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => resolve(server.address() as AddressInfo));
      }),
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await wsServer.dispose();
      for (const client of sockets.clients) client.terminate();
      await new Promise<void>((resolve) => sockets.close(() => resolve()));
      await closed;
      await engine.stop();
      await db.close();
    },
  };
}
