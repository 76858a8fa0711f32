import type { IncomingMessage } from 'node:http';
import type { GraphQLError } from 'graphql';
import type { Plugin, YogaServerOptions } from 'graphql-yoga';
import type { Logger } from 'pino';
import { currentScope, type RequestScope, scopeOfRequest } from './request-scope.js';

type Level = 'debug' | 'info' | 'warn' | 'error';
type MaskError = NonNullable<
  NonNullable<Exclude<YogaServerOptions<object, object>['maskedErrors'], boolean | undefined>>['maskError']
>;
// biome-ignore lint/suspicious/noExplicitAny: pino's log methods are overloaded; the adapter forwards whatever they take
type LogMethod = (...args: any[]) => void;

/**
 * Yoga's own log lines, each carrying the request id of the request it was written for, though Yoga
 * logs through one logger for all requests and names none. Its debug lines (several per request)
 * find the request by AsyncLocalStorage, which withRequestScope turns on at debug level only. Above
 * debug Yoga writes one kind of line: `error(err)` for an error it masked. Such an error is held
 * back until the masked error it became reaches the response of its request (onResultProcess, where
 * the Node request is known) and is logged then with that request's id; one no response claims by
 * the next turn of the event loop (a failed subscription stream, a request without a Node request)
 * is logged without an id. Errors already logged with their request id (useUnexpectedErrorLogging)
 * are not logged a second time.
 */
export class YogaLogLines {
  /** What Yoga logged (the error as thrown), by the masked error it became. */
  private readonly maskedFrom = new WeakMap<object, object>();
  private readonly held = new Set<object>();
  private flushQueued = false;

  readonly logging: Record<Level, LogMethod>;
  readonly plugin: Plugin;

  constructor(
    private readonly base: Logger,
    private readonly alreadyLogged: WeakSet<object>,
    private readonly nextTurn: (flush: () => void) => void = setImmediate,
  ) {
    this.logging = {
      debug: this.forward('debug'),
      info: this.forward('info'),
      warn: this.forward('warn'),
      error: this.forward('error'),
    };
    this.plugin = {
      onResultProcess: ({ serverContext, result }) => {
        if (this.held.size === 0) return;
        const scope = scopeOfRequest((serverContext as { req?: IncomingMessage }).req);
        if (scope) this.claim(scope, result);
      },
    };
  }

  /** Yoga's `maskError` option: `mask`, remembering what each masked error was. */
  remembering(mask: MaskError): MaskError {
    return (error, message, isDev) => {
      const masked = mask(error, message, isDev);
      if (masked !== error && typeof error === 'object' && error !== null) this.maskedFrom.set(masked, error);
      return masked;
    };
  }

  private forward(level: Level): LogMethod {
    return (...args) => {
      // Yoga writes debug lines on every request: skip them before making the request's child logger.
      if (!this.base.isLevelEnabled(level)) return;
      const single =
        args.length === 1 && typeof args[0] === 'object' && args[0] !== null ? (args[0] as object) : undefined;
      if (single && this.alreadyLogged.has(single)) return;
      const scope = currentScope();
      if (scope === undefined && single && level === 'error') return this.hold(single);
      const logger = scope?.logger ?? this.base;
      (logger[level] as LogMethod).apply(logger, args);
      if (single && level === 'error') this.alreadyLogged.add(single);
    };
  }

  private hold(error: object): void {
    this.held.add(error);
    if (this.flushQueued) return;
    this.flushQueued = true;
    this.nextTurn(() => {
      this.flushQueued = false;
      for (const unclaimed of this.held) this.logOnce(this.base, unclaimed);
      this.held.clear();
    });
  }

  private claim(scope: RequestScope, result: unknown): void {
    const results = Array.isArray(result) ? result : [result];
    for (const each of results) {
      for (const error of ((each as { errors?: readonly GraphQLError[] } | undefined)?.errors ??
        []) as GraphQLError[]) {
        const thrown = this.maskedFrom.get(error) ?? (error.originalError && this.maskedFrom.get(error.originalError));
        if (thrown && this.held.delete(thrown)) this.logOnce(scope.logger, thrown);
      }
    }
  }

  private logOnce(logger: Logger, error: object): void {
    if (this.alreadyLogged.has(error)) return;
    this.alreadyLogged.add(error);
    logger.error(error);
  }
}
