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

/** Runs `work` so that anything it logs through `scopedLogger` carries the scope's request id. */
export function runInScope<T>(scope: RequestScope, work: () => T): T {
  return storage.run(scope, work);
}

export function currentScope(): RequestScope | undefined {
  return storage.getStore();
}

/**
 * Wraps the HTTP handler: picks the request id (a sane incoming `x-request-id`, else a new
 * one), echoes it in the response, runs the rest of the request inside its scope (where the
 * GraphQL context finds it) and, at debug level, logs one line when the response is done.
 */
export function withRequestScope(base: Logger, handler: RequestListener): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    const requestId = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
    res.setHeader(REQUEST_ID_HEADER, requestId);
    const scope = createRequestScope(base, requestId);
    if (base.isLevelEnabled('debug')) {
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
    }
    runInScope(scope, () => handler(req, res));
  };
}

/**
 * The logger Yoga uses for its own lines: the current request's child logger when there is one,
 * so Yoga's messages carry the request id too. Errors already logged with their request id
 * (see useUnexpectedErrorLogging) are not logged a second time.
 */
export function scopedLogger(
  base: Logger,
  alreadyLogged: WeakSet<object> = new WeakSet(),
  // biome-ignore lint/suspicious/noExplicitAny: pino's log methods are overloaded; the wrapper forwards whatever they take
): Record<'debug' | 'info' | 'warn' | 'error', (...args: any[]) => void> {
  const forward =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    // biome-ignore lint/suspicious/noExplicitAny: forwarded unchanged to pino's overloaded methods
    (...args: any[]): void => {
      // Yoga writes debug lines on every request: skip them before making the request's child logger.
      if (!base.isLevelEnabled(level)) return;
      const single =
        args.length === 1 && typeof args[0] === 'object' && args[0] !== null ? (args[0] as object) : undefined;
      if (single && alreadyLogged.has(single)) return;
      const logger = currentScope()?.logger ?? base;
      (logger[level] as (...a: unknown[]) => void).apply(logger, args);
      if (single && level === 'error') alreadyLogged.add(single);
    };
  return { debug: forward('debug'), info: forward('info'), warn: forward('warn'), error: forward('error') };
}
