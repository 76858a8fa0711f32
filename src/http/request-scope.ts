import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from 'pino';

/** What every log line of one request (HTTP request or WebSocket operation) carries. */
export interface RequestScope {
  requestId: string;
  /** A child of the server's logger bound to `reqId`. */
  logger: Logger;
}

export const REQUEST_ID_HEADER = 'x-request-id';

/** Each HTTP request's scope, found from the Node request Yoga hands on as server context (`req`). */
const scopes = new WeakMap<IncomingMessage, RequestScope>();

/**
 * The current request's scope across its awaits, kept only while debug lines are logged (see
 * withRequestScope): on Node 20 an AsyncLocalStorage in use runs a hook on every promise the
 * process makes, the engine's and the store's included.
 */
const storage = new AsyncLocalStorage<RequestScope>();

/** A client-chosen request id is kept only when it is short and plain; anything else gets a fresh one. */
const ACCEPTED_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdFrom(incoming: string | string[] | null | undefined): string {
  const value = Array.isArray(incoming) ? incoming[0] : incoming;
  return value && ACCEPTED_REQUEST_ID.test(value) ? value : randomUUID();
}

/** The logger is made on first use: most requests never log. */
class LazyRequestScope implements RequestScope {
  #logger: Logger | undefined;

  constructor(
    private readonly base: Logger,
    readonly requestId: string,
    private readonly fields: object,
  ) {}

  get logger(): Logger {
    this.#logger ??= this.base.child({ reqId: this.requestId, ...this.fields });
    return this.#logger;
  }
}

export function createRequestScope(base: Logger, requestId: string = randomUUID(), fields: object = {}): RequestScope {
  return new LazyRequestScope(base, requestId, fields);
}

/** The scope withRequestScope made for this HTTP request, if it came through it. */
export function scopeOfRequest(req: IncomingMessage | undefined): RequestScope | undefined {
  return req === undefined ? undefined : scopes.get(req);
}

/** The scope of the HTTP request running now: known only at debug level (see withRequestScope). */
export function currentScope(): RequestScope | undefined {
  return storage.getStore();
}

/**
 * Wraps the HTTP handler: picks the request id (a sane incoming `x-request-id`, else a new
 * one), echoes it in the response, keeps the scope with the request (where the GraphQL context
 * finds it) and, at debug level, logs one line when the response is done. Only at debug level
 * does the rest of the request run inside the scope (AsyncLocalStorage): Yoga's debug lines name
 * no request, so that is the one way they carry its id. Above debug, Yoga logs errors only, and
 * those are attributed without it (YogaErrorLines).
 */
export function withRequestScope(base: Logger, handler: RequestListener): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    const requestId = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
    res.setHeader(REQUEST_ID_HEADER, requestId);
    const scope = createRequestScope(base, requestId);
    scopes.set(req, scope);
    if (!base.isLevelEnabled('debug')) return handler(req, res);
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      scope.logger.debug(
        {
          method: req.method,
          path: (req.url ?? '').split('?')[0],
          status: res.statusCode,
          durationMs: Math.round(durationMs * 10) / 10,
        },
        'request completed',
      );
    });
    storage.run(scope, () => handler(req, res));
  };
}
