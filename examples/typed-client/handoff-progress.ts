import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import {
  type HandoffEventType,
  HandoffProgressDocument,
  type HandoffProgressSubscription,
  type HandoffProgressSubscriptionVariables,
} from './generated/graphql.js';
import { type GraphQLErrorBody, GraphQLRequestError } from './graphql-http.js';

export type HandoffProgressEvent = HandoffProgressSubscription['handoffProgress'];

export interface FollowOptions {
  /** The graphql-ws endpoint, e.g. ws://localhost:4000/graphql. */
  url: string;
  apiKey?: string;
  /** handoffId or global id. */
  handoffId: string;
  /** Last seq already handled (0 = from the start). */
  afterSeq?: number;
  /** Connection losses in a row (with no event between them) after which it gives up. */
  maxReconnects?: number;
  /** The pause before reconnect number `attempt` (1, 2, …); injected so tests and callers choose the pacing. */
  reconnectDelayMs?: (attempt: number) => number;
  sleep?: (ms: number) => Promise<void>;
  /** Told of every reconnect, with the seq it resumes after. */
  onReconnect?: (info: { afterSeq: number; attempt: number; reason: string }) => void;
  /** Opens a graphql-ws client (default: `ws` sockets, the key in connectionParams, no automatic retry). */
  connect?: (url: string, apiKey?: string) => Client;
}

/** The events after which a handoff's stream ends. */
const FINAL_EVENTS: ReadonlySet<HandoffEventType> = new Set([
  'HANDOFF_COMPLETED',
  'HANDOFF_FAILED',
  'HANDOFF_ROLLED_BACK',
  'HANDOFF_ROLLBACK_FAILED',
  'HANDOFF_CANCELLED',
]);

/** Up to 2 s, doubling from 100 ms. */
const defaultDelay = (attempt: number): number => Math.min(2_000, 100 * 2 ** (attempt - 1));
const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * graphql-ws's own retry must stay off: it re-sends the subscription with its ORIGINAL variables, so
 * the server would replay from the first afterSeq again. Resubscribing is followHandoffProgress's job.
 */
function connectWithoutRetry(url: string, apiKey?: string): Client {
  return createClient({
    url,
    webSocketImpl: WebSocket,
    connectionParams: apiKey ? { authorization: `Bearer ${apiKey}` } : undefined,
    retryAttempts: 0,
    lazy: true,
  });
}

/**
 * A lost connection is worth resubscribing after; the server's own refusals (GraphQL errors such as
 * NOT_FOUND, or a 44xx close: unauthorised, forbidden, bad request) would only be refused again.
 */
function isConnectionLoss(error: unknown): boolean {
  if (error instanceof GraphQLRequestError) return false;
  const code =
    typeof error === 'object' && error !== null && 'code' in error ? (error as { code: unknown }).code : undefined;
  return !(typeof code === 'number' && code >= 4000 && code < 4500 && code !== 4499);
}

/** For the log: a close event's code, an error's message, or an error event's own (ws reports a refused connection so). */
function reasonOf(error: unknown): string {
  if (typeof error !== 'object' || error === null) return String(error);
  if ('code' in error && typeof error.code === 'number') return `closed with ${error.code}`;
  if ('message' in error && typeof error.message === 'string' && error.message) return error.message;
  if ('error' in error) return reasonOf(error.error);
  return 'connection failed';
}

/**
 * Every event of one handoff, in seq order, each exactly once, until its final event. When the
 * connection drops it subscribes again after the last seq it delivered (the server replays stored
 * events after `afterSeq`, then streams live ones), so the caller sees neither gaps nor duplicates;
 * an event at or below the last delivered seq (a replay overlap) is never delivered twice.
 */
export async function* followHandoffProgress(
  options: FollowOptions,
): AsyncGenerator<HandoffProgressEvent, void, undefined> {
  const connect = options.connect ?? connectWithoutRetry;
  const sleep = options.sleep ?? realSleep;
  const delay = options.reconnectDelayMs ?? defaultDelay;
  const maxReconnects = options.maxReconnects ?? 30;
  let lastSeq = options.afterSeq ?? 0;
  for (let failures = 0; ; ) {
    const client = connect(options.url, options.apiKey);
    try {
      const variables: HandoffProgressSubscriptionVariables = { id: options.handoffId, afterSeq: lastSeq };
      let last: HandoffProgressEvent | undefined;
      for await (const result of client.iterate({ query: HandoffProgressDocument.toString(), variables })) {
        if (result.errors?.length) throw new GraphQLRequestError(result.errors as GraphQLErrorBody[]);
        const event = (result.data as HandoffProgressSubscription).handoffProgress;
        if (event.seq <= lastSeq) continue;
        lastSeq = event.seq;
        failures = 0;
        last = event;
        yield event;
      }
      // The stream ends after the final event, or at once when there is nothing after afterSeq (the
      // handoff had already finished). Ending anywhere else means the server went away mid-stream.
      if (last === undefined || FINAL_EVENTS.has(last.type)) return;
      throw new Error(`the stream ended after seq ${lastSeq}, before the handoff's final event`);
    } catch (error) {
      // graphql-ws throws the server's `error` message (a refused subscribe) as a bare array of errors.
      if (Array.isArray(error)) throw new GraphQLRequestError(error as GraphQLErrorBody[]);
      if (!isConnectionLoss(error) || ++failures > maxReconnects) throw error;
      options.onReconnect?.({ afterSeq: lastSeq, attempt: failures, reason: reasonOf(error) });
      await sleep(delay(failures));
    } finally {
      await client.dispose();
    }
  }
}
