import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { CloseCode, handleProtocols, makeServer, type ServerOptions } from 'graphql-ws';
import type { Logger } from 'pino';
import type { WebSocket, WebSocketServer } from 'ws';
import { MessagePump } from './message-pump.js';

/**
 * Close code for a socket that sent more messages than it may have waiting (see MessagePump).
 * 4429 is graphql-ws's "too many requests" code: its client treats it as fatal and does not
 * reconnect, so a runaway client stops instead of reconnecting into the same flood.
 */
export const TOO_MANY_MESSAGES_CLOSE_CODE = 4429;

/** How often an idle socket is pinged; one that has not answered by the next ping is dropped. */
const KEEP_ALIVE_MS = 12_000;

export type SocketExtra = { socket: WebSocket; request: IncomingMessage };

export interface GraphQLWsServing {
  /** Messages one socket may have waiting before it is closed with TOO_MANY_MESSAGES_CLOSE_CODE. */
  maxPendingMessages: number;
  /** Where live-subscription frames wait for a socket: written out before the protocol's own messages, so none overtakes them. */
  outbox: { flush(tcp: Socket): void; discard(tcp: Socket): void };
  logger: Logger;
  /** The logger of the socket's connection, once it has one. */
  loggerOf(socket: WebSocket): Logger | undefined;
}

/**
 * graphql-ws's protocol (its `makeServer`) on a ws server: what `graphql-ws/use/ws`'s `useServer`
 * does, except that each socket's messages pass through a MessagePump (one message per turn of the
 * event loop, a budget of waiting messages), and errors are logged rather than printed to stderr.
 */
export function serveGraphQLWs(
  options: ServerOptions<Record<string, unknown>, SocketExtra>,
  sockets: WebSocketServer,
  serving: GraphQLWsServing,
): { dispose(): Promise<void> } {
  const protocol = makeServer(options);
  sockets.options.handleProtocols = handleProtocols;
  sockets.on('connection', (socket: WebSocket, request: IncomingMessage) => {
    const logFor = () => serving.loggerOf(socket) ?? serving.logger;
    // ws emits a socket's 'error' after closing it itself: mostly a client's protocol fault (an oversized
    // or malformed frame, closed with 1009, 1002…), else a failed send. It goes to the connection's log.
    socket.on('error', (error: Error & { code?: string }) => {
      logFor().warn({ code: error.code, reason: error.message }, 'WebSocket closed on a socket error');
    });
    const stopKeepAlive = keepAlive(socket);
    let handle: (message: string) => Promise<void> = async () => undefined;
    const pump = new MessagePump(
      (message) => {
        handle(message).catch((error: unknown) => {
          logFor().error({ err: error }, 'graphql-ws message handling failed');
          socket.close(CloseCode.InternalServerError, 'Internal server error');
        });
      },
      serving.maxPendingMessages,
      () => {
        logFor().warn(
          { limit: serving.maxPendingMessages },
          'WebSocket closed: more messages waiting than WS_MAX_PENDING_MESSAGES',
        );
        socket.close(TOO_MANY_MESSAGES_CLOSE_CODE, 'Too many messages');
        // A client that floods may not read the close frame for a while.
        setTimeout(() => socket.terminate(), 1_000).unref();
      },
    );
    socket.on('message', (data) => pump.push(String(data)));
    const closed = protocol.opened(
      {
        protocol: socket.protocol,
        send: (data) =>
          new Promise<void>((resolve, reject) => {
            if (socket.readyState !== socket.OPEN) return resolve();
            serving.outbox.flush(request.socket);
            socket.send(data, (error) => (error ? reject(error) : resolve()));
          }),
        close: (code, reason) => {
          serving.outbox.flush(request.socket);
          socket.close(code, reason);
        },
        onMessage: (callback) => {
          handle = callback;
        },
      },
      { socket, request },
    );
    socket.once('close', (code, reason) => {
      pump.stop();
      stopKeepAlive();
      serving.outbox.discard(request.socket);
      closed(code, String(reason));
    });
  });
  return {
    dispose: async () => {
      for (const client of sockets.clients) client.close(1001, 'Going away');
      sockets.removeAllListeners();
      await new Promise<void>((resolve, reject) => sockets.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

/** Pings the socket every KEEP_ALIVE_MS; a socket that has not answered by the next ping is terminated. */
function keepAlive(socket: WebSocket): () => void {
  let alive = true;
  socket.on('pong', () => {
    alive = true;
  });
  const timer = setInterval(() => {
    if (socket.readyState !== socket.OPEN) return;
    if (!alive) {
      socket.terminate();
      return;
    }
    alive = false;
    socket.ping();
  }, KEEP_ALIVE_MS);
  timer.unref();
  return () => clearInterval(timer);
}
