import type { IncomingMessage, RequestListener } from 'node:http';
import { refuse } from './refuse.js';

/** Why a stream was refused: the server's total, or this client's share. */
export type StreamRefusal = { scope: 'total' | 'client'; limit: number; message: string };

/** Streams one client may hold, and all clients together, at once. */
export interface StreamLimitSettings {
  total: number;
  perClient: number;
}

/** Who a stream belongs to: the peer address (every transport has one; keys may be shared or absent). */
export function clientOf(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}

/**
 * Counts the streams held open right now — Server-Sent-Events responses and graphql-ws subscriptions
 * alike — per client and in total, and refuses the one past either cap. Each SSE stream holds a
 * connection (a file descriptor) and every stream holds memory for as long as its client likes, so
 * without a cap one client could open streams until the process ran out of either.
 */
export class StreamLimits {
  private total = 0;
  private readonly byClient = new Map<string, number>();

  constructor(private readonly settings: StreamLimitSettings) {}

  /** Streams open now. */
  get open(): number {
    return this.total;
  }

  /** Takes a place for one stream of `client`: its release (safe to call more than once), or the refusal. */
  acquire(client: string): { release: () => void } | { refused: StreamRefusal } {
    const held = this.byClient.get(client) ?? 0;
    if (held >= this.settings.perClient) {
      const limit = this.settings.perClient;
      return {
        refused: {
          scope: 'client',
          limit,
          message: `Too many open streams from this client (limit ${limit}); close one first`,
        },
      };
    }
    if (this.total >= this.settings.total) {
      const limit = this.settings.total;
      return {
        refused: {
          scope: 'total',
          limit,
          message: `The server holds its maximum of ${limit} open streams; try again later`,
        },
      };
    }
    this.total++;
    this.byClient.set(client, held + 1);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.total--;
        const left = (this.byClient.get(client) ?? 1) - 1;
        if (left > 0) this.byClient.set(client, left);
        else this.byClient.delete(client);
      },
    };
  }
}

/** The request asks for an event stream (GraphQL over SSE, distinct-connections mode). */
function wantsEventStream(req: IncomingMessage): boolean {
  return (req.headers.accept ?? '').includes('text/event-stream');
}

/**
 * Holds a StreamLimits place for every SSE request for as long as its response is open; past a cap the
 * request is refused before Yoga reads it: 429 for the client's cap, 503 for the server's.
 */
export function withSseStreamLimits(
  limits: StreamLimits,
  handler: RequestListener,
  onRefused: (refusal: StreamRefusal) => void = () => undefined,
): RequestListener {
  return (req, res) => {
    if (!wantsEventStream(req)) return handler(req, res);
    const place = limits.acquire(clientOf(req));
    if ('refused' in place) {
      onRefused(place.refused);
      return refuse(res, place.refused.scope === 'client' ? 429 : 503, 'TOO_MANY_STREAMS', place.refused.message, {
        'retry-after': '1',
      });
    }
    res.once('close', place.release);
    handler(req, res);
  };
}
