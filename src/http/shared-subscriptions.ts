import { GraphQLError, Kind, print, type ExecutionArgs, type ExecutionResult, type OperationDefinitionNode } from 'graphql';
import type { Logger } from 'pino';
import { AsyncQueue } from '../engine/shared/async-queue.js';

/**
 * Subscriptions whose results do not depend on when or by whom they were joined (live-only
 * feeds, no replay): identical operations of the same role can share one execution.
 */
const SHAREABLE_ROOT_FIELDS: ReadonlySet<string> = new Set(['handoffEvents']);

type Results = AsyncIterator<ExecutionResult> & Partial<AsyncIterable<ExecutionResult>>;

interface SharedFeed {
  upstream: Results;
  sinks: Set<AsyncQueue<ExecutionResult>>;
}

/** The operation's single root field when it is a shareable subscription; else null. */
function shareableRootField(args: ExecutionArgs): string | null {
  const operations = args.document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = args.operationName ? operations.find((o) => o.name?.value === args.operationName) : operations[0];
  if (!operation || operation.operation !== 'subscription' || operation.selectionSet.selections.length !== 1) return null;
  const [selection] = operation.selectionSet.selections;
  return selection.kind === Kind.FIELD && SHAREABLE_ROOT_FIELDS.has(selection.name.value) ? selection.name.value : null;
}

/**
 * Fan-out for many identical live subscriptions (dashboards): the first subscriber's execution
 * runs once per event and every subscriber with the same operation, variables and role gets
 * the same result object, so an event costs one execution instead of one per subscriber.
 * The shared execution runs in the first subscriber's context (its request id in logs).
 */
export class SharedSubscriptions {
  private readonly feeds = new Map<string, SharedFeed>();

  constructor(private readonly logger: Logger) {}

  /** A stable key, or null when this operation must run on its own. */
  keyOf(args: ExecutionArgs, role: string | null): string | null {
    if (!shareableRootField(args)) return null;
    return JSON.stringify([role, args.operationName ?? null, print(args.document), args.variableValues ?? {}]);
  }

  /** Joins the feed for `key`, starting it with `start` when it is the first subscriber. */
  async join(key: string, start: () => Promise<Results | ExecutionResult>): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
    let feed = this.feeds.get(key);
    if (!feed) {
      const upstream = await start();
      if (!('next' in upstream) || typeof upstream.next !== 'function') return upstream as ExecutionResult;
      // Another subscriber may have started the same feed while we awaited.
      feed = this.feeds.get(key);
      if (feed) void upstream.return?.();
      else {
        feed = { upstream: upstream as Results, sinks: new Set() };
        this.feeds.set(key, feed);
        void this.pump(key, feed);
      }
    }
    const owner = feed;
    const sink: AsyncQueue<ExecutionResult> = new AsyncQueue(() => this.leave(key, owner, sink));
    owner.sinks.add(sink);
    return sink;
  }

  get feedCount(): number {
    return this.feeds.size;
  }

  private leave(key: string, feed: SharedFeed, sink: AsyncQueue<ExecutionResult>): void {
    feed.sinks.delete(sink);
    if (feed.sinks.size === 0 && this.feeds.get(key) === feed) {
      this.feeds.delete(key);
      void feed.upstream.return?.();
    }
  }

  private async pump(key: string, feed: SharedFeed): Promise<void> {
    try {
      for (;;) {
        const { value, done } = await feed.upstream.next();
        if (done) break;
        for (const sink of feed.sinks) sink.push(value);
      }
    } catch (error) {
      this.logger.error({ err: error, subscribers: feed.sinks.size }, 'shared subscription feed failed');
      const result: ExecutionResult = { errors: [new GraphQLError('Unexpected error.', { extensions: { code: 'INTERNAL_SERVER_ERROR' } })] };
      for (const sink of feed.sinks) sink.push(result);
    } finally {
      if (this.feeds.get(key) === feed) this.feeds.delete(key);
      for (const sink of [...feed.sinks]) sink.end();
    }
  }
}
