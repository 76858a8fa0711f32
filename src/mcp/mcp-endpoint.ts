import { createHash, randomUUID } from 'node:crypto';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import { httpGateway } from './graphql-gateway.js';
import { createHandoffMcpServer } from './handoff-mcp-server.js';

/** Where the MCP endpoint (Streamable HTTP) is served. */
export const MCP_PATH = '/mcp';

export interface McpEndpointOptions {
  /** The GraphQL endpoint's path: tool calls are GraphQL requests to it, through the server's own handler. */
  graphqlPath: string;
  /** The server's own request handler (`yoga.fetch`): called only while serving, so it may be made later. */
  serve: (request: Request) => Promise<Response>;
  /** Open sessions at most; an initialize beyond it is refused with 503. */
  maxSessions: number;
  /** A session unused for this long is closed. */
  idleMs: number;
  logger: Logger;
}

interface Session {
  transport: WebStandardStreamableHTTPServerTransport;
  close(): Promise<void>;
  /** SHA-256 of the Authorization header that opened it: only the same key may use it. */
  caller: string;
  lastUsed: number;
}

export interface McpEndpoint {
  /** Serves MCP inside Yoga, so its plugins apply to the endpoint (and the key checks in front of it). */
  readonly plugin: Plugin;
  close(): Promise<void>;
}

const callerOf = (request: Request) =>
  createHash('sha256')
    .update(request.headers.get('authorization') ?? '')
    .digest('hex');

function jsonRpcError(status: number, message: string): Response {
  return Response.json({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }, { status });
}

/**
 * MCP over Streamable HTTP at /mcp, with sessions (the SDK's stateful mode, so a client can be told
 * of resource updates). Each session belongs to the API key that opened it, and its tool calls are
 * GraphQL requests made with that key through the server's own request handler (`yoga.fetch`):
 * the same roles, limits and error masking as any client's request. Sessions live in this process;
 * behind several servers a client must reach the same one (or open a new session).
 */
export function createMcpEndpoint(options: McpEndpointOptions): McpEndpoint {
  const sessions = new Map<string, Session>();
  const sweep = setInterval(
    () => {
      const now = Date.now();
      for (const [id, session] of sessions)
        if (now - session.lastUsed > options.idleMs) void session.close().finally(() => sessions.delete(id));
    },
    Math.min(options.idleMs, 60_000),
  );
  sweep.unref();

  async function open(request: Request): Promise<Response> {
    if (sessions.size >= options.maxSessions)
      return jsonRpcError(503, `Too many MCP sessions are open (at most ${options.maxSessions}); try again later`);
    const gateway = httpGateway({
      url: new URL(options.graphqlPath, request.url).href,
      authorization: request.headers.get('authorization'),
      fetch: options.serve,
    });
    const mcp = createHandoffMcpServer(gateway);
    const session: Session = {
      transport: new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: randomUUID,
        onsessioninitialized: (id) => void sessions.set(id, session),
        // The client ended the session (DELETE): stop what it followed too.
        onsessionclosed: (id) => {
          sessions.delete(id);
          void mcp.close();
        },
        enableJsonResponse: false,
      }),
      close: () => mcp.close(),
      caller: callerOf(request),
      lastUsed: Date.now(),
    };
    await mcp.server.connect(session.transport);
    const response = await session.transport.handleRequest(request);
    // Not an initialize request (the transport refused it): nothing to keep.
    if (!session.transport.sessionId) await mcp.close();
    return response;
  }

  async function handle(request: Request): Promise<Response> {
    const id = request.headers.get('mcp-session-id');
    if (!id) return open(request);
    const session = sessions.get(id);
    if (!session) return jsonRpcError(404, 'Session not found: initialize a new one');
    if (session.caller !== callerOf(request))
      return jsonRpcError(403, 'This MCP session was opened with another API key');
    session.lastUsed = Date.now();
    return session.transport.handleRequest(request);
  }

  return {
    plugin: {
      onRequest({ request, url, endResponse }) {
        if (url.pathname !== MCP_PATH) return;
        return (async () => {
          try {
            endResponse(await handle(request));
          } catch (error) {
            options.logger.error({ err: error }, 'MCP request failed');
            endResponse(jsonRpcError(500, 'Unexpected error.'));
          }
        })();
      },
    },
    async close() {
      clearInterval(sweep);
      await Promise.allSettled([...sessions.values()].map((session) => session.close()));
      sessions.clear();
    },
  };
}
