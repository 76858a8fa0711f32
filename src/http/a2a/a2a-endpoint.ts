import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { AgentCard } from '@a2a-js/sdk';
import { LegacyJsonRpcTransportHandler } from '@a2a-js/sdk/compat/v0_3/server';
import { JsonRpcTransportHandler, ServerCallContext } from '@a2a-js/sdk/server';
import type { Logger } from 'pino';
import type { ApiKeyRing } from '../../auth/api-key-ring.js';
import { bearerToken } from '../../auth/credentials.js';
import type { Caller, Role } from '../../context.js';
import { A2A_PUSH_PATH } from '../../engine/a2a/wire-a2a.js';
import type { Engine } from '../../engine/engine.js';
import { HandoffA2AHandler } from './handoff-a2a-handler.js';
import { handoffAgentCard } from './handoff-agent-card.js';

export const AGENT_CARD_PATH = '/.well-known/agent-card.json';
export const A2A_PATH = '/a2a';
export { A2A_PUSH_PATH };

export interface A2AEndpointOptions {
  engine: Engine;
  keys: ApiKeyRing;
  /** A2A_PUBLIC_URL; null: the card names the host each request came to. */
  publicUrl: string | null;
  logger: Logger;
  /** How often an open stream sends a comment, so idle connections are not dropped by proxies. */
  keepAliveMs?: number;
  /** Aborts when the server closes: open streams and blocking sends end. */
  closing?: AbortSignal;
}

const RANK: Record<Role, number> = { agent: 0, viewer: 1, operator: 2, admin: 3 };

/** What a JSON-RPC call needs from the caller's key. An agent key may answer and read its own agent's handoffs. */
type Need = 'start' | 'answer' | 'read' | 'cancel';

const STARTS = new Set(['SendMessage', 'SendStreamingMessage', 'message/send', 'message/stream']);
const READS = new Set(['GetTask', 'SubscribeToTask', 'ListTasks', 'tasks/get', 'tasks/resubscribe']);
const CANCELS = new Set(['CancelTask', 'tasks/cancel']);

function needOf(call: { method?: unknown; params?: unknown }): Need {
  const method = String(call.method);
  if (STARTS.has(method)) {
    const message = (call.params as { message?: { taskId?: unknown } } | undefined)?.message;
    return message?.taskId ? 'answer' : 'start';
  }
  if (CANCELS.has(method)) return 'cancel';
  return READS.has(method) ? 'read' : 'read';
}

function allows(caller: Caller, need: Need): boolean {
  if (caller.role === 'agent') return need === 'answer' || need === 'read';
  return RANK[caller.role] >= RANK[need === 'read' ? 'viewer' : 'operator'];
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

function rpcError(res: ServerResponse, status: number, id: unknown, code: number, message: string, headers = {}) {
  json(res, status, { jsonrpc: '2.0', id: id ?? null, error: { code, message } }, headers);
}

async function readBody(req: IncomingMessage): Promise<string> {
  // withBodyLimit hands a chunked body on as req.body; a body with a Content-Length is still in req.
  const source = (req as IncomingMessage & { body?: Readable }).body ?? req;
  const chunks: Buffer[] = [];
  for await (const chunk of source) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

function isStream(value: unknown): value is AsyncGenerator<unknown> {
  return typeof (value as AsyncGenerator<unknown> | null)?.[Symbol.asyncIterator] === 'function';
}

/**
 * Handoff as an A2A agent over HTTP: the Agent Card at AGENT_CARD_PATH (no key needed: it says
 * which key to present; its skills show only to a request that presents one) and JSON-RPC at A2A_PATH, through the official SDK's transport handlers
 * (A2A 1.0 method names, and 0.3's, which contain a `/`) over our own HandoffA2AHandler. Streams
 * are written as Server-Sent Events, as the SDK's own express handler writes them. Anything else
 * goes to `next`.
 */
export function withA2A(options: A2AEndpointOptions, next: RequestListener): RequestListener {
  const { engine, keys, logger } = options;
  const keepAliveMs = options.keepAliveMs ?? 15_000;

  const baseUrl = (req: IncomingMessage) =>
    options.publicUrl ?? `http://${(req.headers.host ?? '127.0.0.1').replace(/[^A-Za-z0-9.:[\]-]/g, '')}`;
  const card = (req: IncomingMessage) => async () =>
    handoffAgentCard(
      {
        baseUrl: baseUrl(req),
        endpointPath: A2A_PATH,
        keysRequired: keys.enabled,
        skillsHidden: keys.enabled && keys.authenticate(bearerToken(req.headers.authorization)).kind !== 'valid',
      },
      await engine.procedures.list(),
    );

  const serveCard = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return json(res, 405, { error: 'GET only' }, { allow: 'GET' });
    // Procedures change: the card is read fresh each time.
    json(res, 200, AgentCard.toJSON(await card(req)()), { 'cache-control': 'no-cache' });
  };

  const serveRpc = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'POST') return rpcError(res, 405, null, -32600, 'POST a JSON-RPC request', { allow: 'POST' });
    const auth = keys.authenticate(bearerToken(req.headers.authorization));
    if (!auth.caller)
      return rpcError(res, 401, null, -32600, 'An API key is required (Authorization: Bearer <key>)', {
        'www-authenticate': 'Bearer',
      });
    let call: { id?: unknown; method?: unknown; params?: unknown };
    try {
      call = JSON.parse(await readBody(req));
    } catch {
      return rpcError(res, 200, null, -32700, 'The body is not JSON');
    }
    if (typeof call !== 'object' || call === null || Array.isArray(call))
      return rpcError(res, 200, null, -32600, 'Expected one JSON-RPC request object');
    if (!allows(auth.caller, needOf(call)))
      return rpcError(res, 403, call.id, -32600, 'Your API key does not allow this operation');
    // A client that goes away ends what it waits for (a blocking send, a stream).
    const gone = new AbortController();
    res.once('close', () => gone.abort());
    const ends = options.closing ? AbortSignal.any([gone.signal, options.closing]) : gone.signal;
    const handler = new HandoffA2AHandler(engine, auth.caller, card(req), ends);
    const legacy = String(call.method).includes('/');
    const transport = legacy ? new LegacyJsonRpcTransportHandler(handler) : new JsonRpcTransportHandler(handler);
    const context = new ServerCallContext({ requestedVersion: legacy ? '0.3' : '1.0' });
    const answer = await transport.handle(call as Record<string, unknown>, context);
    if (!isStream(answer)) return json(res, 200, answer);
    const errorAnswer = (error: unknown) => ({
      jsonrpc: '2.0',
      id: call.id ?? null,
      error: legacy
        ? LegacyJsonRpcTransportHandler.mapToLegacyJSONRPCError(error)
        : JsonRpcTransportHandler.mapToJSONRPCError(error),
    });
    await writeStream(req, res, answer, errorAnswer);
  };

  /**
   * The first answer decides: an error before anything streamed (an unknown skill, a task that is not
   * waiting) is a plain JSON-RPC error answer, as the SDK's own handler gives it; else SSE, and an
   * error later is an `error` event.
   */
  const writeStream = async (
    req: IncomingMessage,
    res: ServerResponse,
    stream: AsyncGenerator<unknown>,
    errorAnswer: (error: unknown) => unknown,
  ) => {
    let first: IteratorResult<unknown>;
    try {
      first = await stream.next();
    } catch (error) {
      return json(res, 200, errorAnswer(error));
    }
    if (!first.done && (first.value as { error?: unknown }).error) {
      await stream.return(undefined);
      return json(res, 200, first.value);
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), keepAliveMs);
    keepAlive.unref();
    try {
      let item = first;
      while (!item.done) {
        res.write(`data: ${JSON.stringify(item.value)}\n\n`);
        item = await stream.next();
      }
    } catch (error) {
      logger.warn({ err: error, path: req.url }, 'A2A stream failed');
      res.write(`event: error\ndata: ${JSON.stringify(errorAnswer(error))}\n\n`);
    } finally {
      clearInterval(keepAlive);
      await stream.return(undefined).catch(() => undefined);
      res.end();
      // The server is closing: let go of the connection too, or it would wait out its keep-alive.
      if (options.closing?.aborted) {
        if (res.writableFinished) req.socket.end();
        else res.once('finish', () => req.socket.end());
      }
    }
  };

  /**
   * A push notification from an A2A agent the bridge gave `<A2A_PUBLIC_URL>/a2a/push`: its token (the
   * secret in the push config, sent as X-A2A-Notification-Token) names the run, which then reads the
   * task from the agent; what the body says is not trusted. No API key: the token is the credential.
   */
  const servePush = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'POST') return json(res, 405, { error: 'POST only' }, { allow: 'POST' });
    await readBody(req);
    const token = req.headers['x-a2a-notification-token'];
    if (typeof token !== 'string' || !engine.a2aPush.nudge(token))
      return json(res, 401, { error: 'unknown notification token' });
    logger.debug({}, 'A2A push notification accepted');
    res.writeHead(204).end();
  };

  const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => Promise<void>> = {
    [AGENT_CARD_PATH]: serveCard,
    [A2A_PATH]: serveRpc,
    [A2A_PUSH_PATH]: servePush,
  };

  return (req, res) => {
    const path = (req.url ?? '').split('?', 1)[0]!;
    const route = Object.hasOwn(routes, path) ? routes[path] : undefined;
    if (!route) return next(req, res);
    const work = route(req, res);
    work.catch((error) => {
      logger.error({ err: error, path }, 'A2A request failed');
      if (!res.headersSent) rpcError(res, 500, null, -32603, 'Internal error');
      else res.end();
    });
  };
}
