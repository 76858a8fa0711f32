import type { IncomingMessage, ServerResponse } from 'node:http';
import { AgentCard } from '@a2a-js/sdk';
import { LegacyJsonRpcTransportHandler } from '@a2a-js/sdk/compat/v0_3/server';
import { JsonRpcTransportHandler, ServerCallContext } from '@a2a-js/sdk/server';
import { bearerToken } from '../../auth/credentials.js';
import type { Caller, Role } from '../../context.js';
import type { A2AEndpointOptions } from './a2a-endpoint.js';
import { json, readBody, rpcError } from './a2a-http.js';
import { HandoffA2AHandler } from './handoff-a2a-handler.js';
import { handoffAgentCard } from './handoff-agent-card.js';

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

function isStream(value: unknown): value is AsyncGenerator<unknown> {
  return typeof (value as AsyncGenerator<unknown> | null)?.[Symbol.asyncIterator] === 'function';
}

/**
 * The Agent Card and the JSON-RPC endpoint, over the official SDK's transport handlers (A2A 1.0 method
 * names, and 0.3's, which contain a `/`) and our own HandoffA2AHandler. Loaded on the first A2A request
 * (see withA2A): a server no A2A client calls does not load the SDK.
 */
export function a2aRoutes(options: A2AEndpointOptions, paths: { endpoint: string }) {
  const { engine, keys, logger } = options;
  const keepAliveMs = options.keepAliveMs ?? 15_000;
  const A2A_PATH = paths.endpoint;

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

  return { serveCard, serveRpc };
}
