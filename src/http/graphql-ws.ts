import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { type ExecutionArgs, type ExecutionResult, GraphQLError, getOperationAST } from 'graphql';
import type { Context as WsContext } from 'graphql-ws';
import type { YogaServerInstance } from 'graphql-yoga';
import type { Logger } from 'pino';
import { type WebSocket, WebSocketServer } from 'ws';
import type { ApiKeyRing } from '../auth/api-key-ring.js';
import { bearerToken, connectionParamsKey } from '../auth/credentials.js';
import type { Caller } from '../context.js';
import { onStreamEnd } from '../observability/active-subscriptions.js';
import { type Broadcast, FanoutWriter } from './fanout-writer.js';
import { nextMessageChannel } from './next-message-channel.js';
import type { SocketOperationFields } from './operation-identity.js';
import type { OriginPolicy } from './origin-policy.js';
import { createRequestScope } from './request-scope.js';
import { type SocketExtra, serveGraphQLWs } from './serve-graphql-ws.js';
import { type EventMarking, SharedSubscriptions, type SubscriberChannel } from './shared-subscriptions.js';
import { clientOf, type StreamLimits } from './stream-limits.js';

export interface WebSocketLimits {
  /** Largest accepted frame (bytes); a bigger one closes the socket with 1009. */
  maxPayloadBytes: number;
  /** Open sockets at once; the next upgrade is refused with HTTP 503. */
  maxWebSockets: number;
  /** Operations in flight on one socket; the next one gets an error message. */
  maxSubscriptionsPerSocket: number;
  /** Messages one socket may have waiting to be handled; more close it with 4429 (see MessagePump). */
  maxPendingMessages: number;
  /** Unsent live-subscription bytes one socket may have queued; more close it with 1013 (see FanoutWriter). */
  maxQueuedBytes: number;
}

export interface GraphQLWebSocketOptions {
  server: Server;
  // biome-ignore lint/suspicious/noExplicitAny: any server and user context: this layer only forwards them to Yoga
  yoga: YogaServerInstance<any, any>;
  keys: ApiKeyRing;
  limits: WebSocketLimits;
  logger: Logger;
  /** Which browser pages may open a socket (the same policy as for HTTP requests). */
  origins: OriginPolicy;
  /** Subscriptions count as streams, with SSE responses, against the per-client and total caps. */
  streams: StreamLimits;
  /** Wraps each subscription's stream for as long as it runs (the active-subscriptions gauge). */
  trackSubscription<T>(stream: AsyncIterable<T>): AsyncIterable<T>;
}

/** What the server knows about one accepted socket. */
interface SocketSession {
  connectionId: string;
  logger: Logger;
  caller: Caller | null;
}

interface Enveloped {
  execute: (args: ExecutionArgs) => unknown;
  subscribe: (args: ExecutionArgs) => unknown;
  /** Shared feeds are per role: scope checks ran for this role only. */
  role: string | null;
  /** Where a shared feed would write this operation's results (made only when it joins one). */
  openChannel: (outlet: Broadcast) => SubscriberChannel;
  /** Gives back the stream place a subscription took (a no-op for queries and mutations). */
  releaseStream: () => void;
}

type Extra = SocketExtra;

function asGraphQLErrors(error: unknown, logger: Logger): GraphQLError[] {
  if (error instanceof GraphQLError) return [error];
  logger.error({ err: error }, 'unexpected error while preparing a WebSocket operation');
  return [new GraphQLError('Unexpected error.', { extensions: { code: 'INTERNAL_SERVER_ERROR' } })];
}

const NO_STREAM = (): void => undefined;

/** A subscription takes a stream place; queries and mutations (and unknown operations) do not. */
function isSubscription(args: Pick<ExecutionArgs, 'document' | 'operationName'>): boolean {
  return getOperationAST(args.document, args.operationName)?.operation === 'subscription';
}

/**
 * graphql-ws on the GraphQL path of `server`. Operations are prepared through
 * `yoga.getEnveloped`, so the same plugins as over HTTP apply (operation limits, error masking,
 * metrics, scope-auth on the context's caller). The caller is fixed at `connection_init`: with
 * keys configured, a missing or wrong key closes the socket with 4403 Forbidden.
 */
export function attachGraphQLWebSocket(options: GraphQLWebSocketOptions): {
  sockets: WebSocketServer;
  dispose(): Promise<void>;
} {
  const { server, yoga, keys, limits, logger } = options;
  const sessions = new WeakMap<WebSocket, SocketSession>();
  const prepared = new WeakMap<object, Enveloped>();
  const writer = new FanoutWriter(limits.maxQueuedBytes);
  const shared = new SharedSubscriptions(logger, () => writer.broadcast());

  // noServer: attached with `server`, ws re-emits every HTTP server error as its own, and graphql-ws
  // answers the first by closing every socket (and printing to stderr): a failed accept (EMFILE) would
  // drop all subscriptions, and a port in use would print a stack before the one-line message.
  const sockets = new WebSocketServer({
    noServer: true,
    path: yoga.graphqlEndpoint,
    maxPayload: limits.maxPayloadBytes,
    verifyClient: (info, accept) => {
      const refusal = options.origins.refusal(info.req.headers.origin, info.req.headers.host);
      if (refusal !== null) {
        logger.warn(
          { origin: info.req.headers.origin?.slice(0, 200), host: info.req.headers.host?.slice(0, 200) },
          `WebSocket refused: ${refusal}`,
        );
        accept(false, 403, 'Origin not allowed');
      } else if (sockets.clients.size >= limits.maxWebSockets) {
        logger.warn({ limit: limits.maxWebSockets }, 'WebSocket refused: too many open sockets');
        accept(false, 503, 'Too many WebSocket connections');
      } else accept(true);
    },
  });

  const sessionOf = (ctx: WsContext<Record<string, unknown>, Extra>): SocketSession | undefined =>
    sessions.get(ctx.extra.socket);

  const disposable = serveGraphQLWs(
    {
      onConnect: (ctx) => {
        const connectionId = randomUUID();
        const key = connectionParamsKey(ctx.connectionParams) ?? bearerToken(ctx.extra.request.headers.authorization);
        const auth = keys.authenticate(key);
        const connLogger = logger.child({ connId: connectionId });
        if (auth.kind === 'invalid' || auth.kind === 'missing') {
          connLogger.warn(
            { reason: auth.kind === 'missing' ? 'no API key' : 'API key not valid' },
            'WebSocket connection refused',
          );
          return false; // graphql-ws closes with 4403 Forbidden
        }
        sessions.set(ctx.extra.socket, { connectionId, logger: connLogger, caller: auth.caller });
        connLogger.debug({ caller: auth.caller.name }, 'WebSocket connection accepted');
        return true;
      },
      onSubscribe: async (ctx, id, payload) => {
        const session = sessionOf(ctx);
        if (!session)
          return [new GraphQLError('Connection is not initialised', { extensions: { code: 'UNAUTHENTICATED' } })];
        // ctx.subscriptions already holds this operation's id.
        if (Object.keys(ctx.subscriptions).length > limits.maxSubscriptionsPerSocket) {
          return [
            new GraphQLError(`Too many operations on this connection (limit ${limits.maxSubscriptionsPerSocket})`, {
              extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' },
            }),
          ];
        }
        const scope = createRequestScope(session.logger, randomUUID(), { opId: id.slice(0, 64) });
        try {
          const fields: SocketOperationFields = { transport: 'ws', caller: session.caller, scope };
          const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
            ...ctx,
            req: ctx.extra.request,
            socket: ctx.extra.socket,
            params: payload,
            ...fields,
          });
          const document = parse(payload.query);
          const errors = validate(schema, document);
          if (errors.length > 0) return [...errors];
          const args: ExecutionArgs = {
            schema,
            operationName: payload.operationName,
            document,
            variableValues: payload.variables,
            contextValue: await contextFactory(),
          };
          let releaseStream = NO_STREAM;
          if (isSubscription(args)) {
            const place = options.streams.acquire(clientOf(ctx.extra.request));
            if ('refused' in place) {
              scope.logger.warn(
                { scope: place.refused.scope, limit: place.refused.limit },
                'subscription refused: too many open streams',
              );
              return [new GraphQLError(place.refused.message, { extensions: { code: 'TOO_MANY_STREAMS' } })];
            }
            releaseStream = place.release;
          }
          const openChannel = (outlet: Broadcast) =>
            nextMessageChannel(ctx.extra.socket, ctx.extra.request.socket, id, outlet, writer, scope.logger);
          prepared.set(args, {
            execute,
            subscribe,
            role: session.caller?.role ?? null,
            openChannel,
            releaseStream,
          });
          return args;
        } catch (error) {
          return asGraphQLErrors(error, scope.logger);
        }
      },
      execute: (args) => {
        return prepared.get(args)!.execute(args) as never;
      },
      subscribe: async (args) => {
        const { subscribe, role, openChannel, releaseStream } = prepared.get(args)!;
        const marking = args.contextValue as EventMarking;
        const start = () => subscribe(args) as Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult>;
        const key = shared.keyOf(args, role);
        let result: AsyncIterableIterator<ExecutionResult> | ExecutionResult;
        try {
          result = await (key === null ? start() : shared.join(key, start, openChannel, marking));
        } catch (error) {
          releaseStream();
          throw error;
        }
        if (!(Symbol.asyncIterator in result)) {
          releaseStream();
          return result as never;
        }
        // The place is held until the stream ends, however it ends (completed, failed, client gone).
        return onStreamEnd(options.trackSubscription(result), releaseStream) as never;
      },
      onClose: (ctx, code) => {
        sessionOf(ctx)?.logger.debug({ code }, 'WebSocket connection closed');
      },
    },
    sockets,
    {
      maxPendingMessages: limits.maxPendingMessages,
      outbox: writer,
      logger,
      loggerOf: (socket) => sessions.get(socket)?.logger,
    },
  );
  server.on('upgrade', (request, stream, head) => {
    sockets.handleUpgrade(request, stream, head, (socket) => sockets.emit('connection', socket, request));
  });

  return { sockets, dispose: () => disposable.dispose() };
}
