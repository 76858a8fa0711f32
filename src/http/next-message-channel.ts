import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import type { Broadcast, FanoutWriter } from './fanout-writer.js';
import { nextMessageHead } from './next-frames.js';
import type { SubscriberChannel } from './shared-subscriptions.js';

/** WebSocket close code for a subscriber that cannot keep up ("try again later": graphql-ws clients reconnect). */
export const SLOW_SUBSCRIBER_CLOSE_CODE = 1013;

/** How long a subscriber closed for falling behind has to read what was already written and the close frame. */
const SLOW_SUBSCRIBER_GRACE_MS = 10_000;

/** A WebSocket close reason is at most 123 bytes. */
const MAX_REASON_BYTES = 123;

/** The close reason of a subscriber that fell behind: where its stream ended, so it can resume from there. */
export function slowSubscriberReason(lastWritten: string | null): string {
  const reason = `Subscriber too slow; last event sent: ${lastWritten ?? 'none'}`;
  return Buffer.byteLength(reason) <= MAX_REASON_BYTES ? reason : 'Subscriber too slow';
}

/**
 * Subscribes operation `id` on `socket` to a shared feed's Broadcast: each payload the feed sends
 * goes out as a graphql-ws `next` message under this id. The frame's bytes go to the TCP socket
 * directly through the FanoutWriter (ws's sender would encode the payload again for every
 * subscriber; it never holds frames back here: no compression, no blobs). A subscriber whose unsent
 * frames pass the writer's bound is closed with 1013 and the mark of the last event written to it
 * (`handoffId#seq`): everything before it reaches the client, then the close frame, and nothing
 * after it; the client resubscribes and fills the gap from there.
 */
export function nextMessageChannel(
  socket: WebSocket,
  tcp: Socket,
  id: string,
  broadcast: Broadcast,
  writer: FanoutWriter,
  logger: Pick<Logger, 'warn'>,
): SubscriberChannel {
  const subscription = writer.attach(
    tcp,
    nextMessageHead(id),
    broadcast,
    () => socket.readyState === socket.OPEN,
    () => {
      logger.warn(
        { lastEventSent: subscription.written },
        'WebSocket closed: subscriber too slow (WS_MAX_QUEUED_BYTES unsent)',
      );
      socket.close(SLOW_SUBSCRIBER_CLOSE_CODE, slowSubscriberReason(subscription.written));
      // A client that does not read at all will not read the close frame either.
      setTimeout(() => socket.terminate(), SLOW_SUBSCRIBER_GRACE_MS).unref();
    },
  );
  return {
    close() {
      subscription.open = false;
    },
  };
}
