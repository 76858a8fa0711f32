import { type ExecutionArgs, type ExecutionResult, GraphQLError, getOperationAST, Kind, print } from 'graphql';
import type { Logger } from 'pino';

/**
 * Subscriptions whose results do not depend on when or by whom they were joined (live-only
 * feeds, no replay): identical operations of the same role can share one execution.
 */
const SHAREABLE_ROOT_FIELDS: ReadonlySet<string> = new Set(['handoffEvents']);

type Results = AsyncIterator<ExecutionResult> & Partial<AsyncIterable<ExecutionResult>>;

/** Where a shared feed sends its results: to every subscriber joined to it, at once. */
export interface FeedOutlet {
  /**
   * Sends a `next` message whose payload is already JSON text to every subscriber. `mark` names the
   * event it carries (`handoffId#seq`), or null: what a subscriber closed for falling behind is told it last got.
   */
  send(payloadJson: string, mark: string | null): void;
}

/** One subscriber's place on a feed's outlet: its socket, under its operation id. */
export interface SubscriberChannel {
  /** The subscription is over (completed by the client): nothing more goes out for it. */
  close(): void;
}

/** Where the shared execution's resolver marks the event it resolved (see withEventMark). */
export interface EventMarking {
  eventMark?: string | null;
}

interface SharedFeed<O extends FeedOutlet> {
  upstream: Results;
  outlet: O;
  subscribers: Set<SharedSubscriber>;
  /** The context the shared execution runs in: its resolver marks each event here. */
  marking: EventMarking;
}

/** The operation's single root field when it is a shareable subscription; else null. */
function shareableRootField(args: ExecutionArgs): string | null {
  const operation = getOperationAST(args.document, args.operationName);
  if (operation?.operation !== 'subscription' || operation.selectionSet.selections.length !== 1) return null;
  const [selection] = operation.selectionSet.selections;
  return selection.kind === Kind.FIELD && SHAREABLE_ROOT_FIELDS.has(selection.name.value) ? selection.name.value : null;
}

/** The `next` payload graphql-ws would send for `result`, as JSON text. */
function payloadJson(result: ExecutionResult): string {
  const { errors, ...rest } = result;
  return JSON.stringify(errors ? { ...rest, errors: errors.map((error) => error.toJSON()) } : rest);
}

/**
 * One subscriber of a shared feed. To graphql-ws it is the operation's result stream: it yields
 * nothing (the feed writes this subscriber's messages itself) and finishes when the feed ends, so
 * graphql-ws then sends `complete`; graphql-ws ends it when the client completes or goes away.
 */
class SharedSubscriber implements AsyncIterableIterator<ExecutionResult> {
  private ended = false;
  private finish: (() => void) | null = null;
  private readonly finished = new Promise<IteratorResult<ExecutionResult>>((resolve) => {
    this.finish = () => resolve({ value: undefined, done: true });
  });

  constructor(
    private readonly channel: SubscriberChannel,
    private readonly onLeave: () => void,
  ) {}

  /** The feed is over: graphql-ws completes the operation. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.onLeave();
    this.finish?.();
  }

  next(): Promise<IteratorResult<ExecutionResult>> {
    return this.finished;
  }

  /** The client completed the operation (or went away): its results still waiting to be written are dropped. */
  return(): Promise<IteratorResult<ExecutionResult>> {
    this.channel.close();
    this.end();
    return this.finished;
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<ExecutionResult> {
    return this;
  }
}

/**
 * Fan-out for many identical live subscriptions (dashboards): the first subscriber's execution
 * runs once per event, its result is serialized once, and the same text goes to every subscriber
 * with the same operation, variables and role, each under its own operation id. An event costs one
 * execution, one JSON.stringify and one send to the feed's outlet (which writes every subscriber's
 * frame in its own time), instead of a full per-subscriber chain of promises, serialization and
 * protocol checks.
 * The shared execution runs in the first subscriber's context (its request id in logs).
 */
export class SharedSubscriptions<O extends FeedOutlet> {
  private readonly feeds = new Map<string, SharedFeed<O>>();

  constructor(
    private readonly logger: Logger,
    /** A new feed's outlet. */
    private readonly openOutlet: () => O,
  ) {}

  /** A stable key, or null when this operation must run on its own. */
  keyOf(args: ExecutionArgs, role: string | null): string | null {
    if (!shareableRootField(args)) return null;
    return JSON.stringify([role, args.operationName ?? null, print(args.document), args.variableValues ?? {}]);
  }

  /**
   * Joins the feed for `key`, starting it with `start` when it is the first subscriber. Results
   * go to the channel `openChannel` makes on the feed's outlet; the returned stream is what
   * graphql-ws holds for the operation.
   */
  async join(
    key: string,
    start: () => Promise<Results | ExecutionResult>,
    openChannel: (outlet: O) => SubscriberChannel,
    marking: EventMarking,
  ): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
    let feed = this.feeds.get(key);
    if (!feed) {
      const upstream = await start();
      if (!('next' in upstream) || typeof upstream.next !== 'function') return upstream as ExecutionResult;
      // Another subscriber may have started the same feed while we awaited.
      feed = this.feeds.get(key);
      if (feed) void upstream.return?.();
      else {
        feed = { upstream: upstream as Results, outlet: this.openOutlet(), subscribers: new Set(), marking };
        this.feeds.set(key, feed);
        void this.pump(key, feed);
      }
    }
    const owner = feed;
    const subscriber = new SharedSubscriber(openChannel(owner.outlet), () => this.leave(key, owner, subscriber));
    owner.subscribers.add(subscriber);
    return subscriber;
  }

  private leave(key: string, feed: SharedFeed<O>, subscriber: SharedSubscriber): void {
    feed.subscribers.delete(subscriber);
    if (feed.subscribers.size === 0 && this.feeds.get(key) === feed) {
      this.feeds.delete(key);
      void feed.upstream.return?.();
    }
  }

  private async pump(key: string, feed: SharedFeed<O>): Promise<void> {
    try {
      for (;;) {
        const { value, done } = await feed.upstream.next();
        if (done) break;
        const mark = feed.marking.eventMark ?? null;
        feed.marking.eventMark = null;
        feed.outlet.send(payloadJson(value), mark);
      }
    } catch (error) {
      this.logger.error({ err: error, subscribers: feed.subscribers.size }, 'shared subscription feed failed');
      feed.outlet.send(
        payloadJson({
          errors: [new GraphQLError('Unexpected error.', { extensions: { code: 'INTERNAL_SERVER_ERROR' } })],
        }),
        null,
      );
    } finally {
      if (this.feeds.get(key) === feed) this.feeds.delete(key);
      for (const subscriber of [...feed.subscribers]) subscriber.end();
    }
  }
}
