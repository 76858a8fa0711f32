import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { type NextFrames, nextMessageHead } from './next-frames.js';
import type { SubscriberChannel } from './shared-subscriptions.js';
import type { WriteBatches } from './write-batches.js';

/** A subscriber that has this much unsent data is not reading: it is disconnected rather than buffered for. */
export const SLOW_SUBSCRIBER_BYTES = 8 * 1024 * 1024;

/** WebSocket close code for a subscriber that cannot keep up ("try again later"). */
export const SLOW_SUBSCRIBER_CLOSE_CODE = 1013;

/**
 * Sends graphql-ws `next` messages for operation `id` on `socket`, the payload given as JSON text.
 * The frame's bytes are written to the TCP socket directly (ws's sender would encode the payload
 * again for every subscriber; it never holds frames back here: no compression, no blobs),
 * batched with every other subscriber's writes (see WriteBatches). A subscriber that stops reading
 * is closed with 1013 once SLOW_SUBSCRIBER_BYTES wait for it, so one stalled client cannot make
 * the server's memory grow without bound.
 */
export function nextMessageChannel(
  socket: WebSocket,
  tcp: Socket,
  id: string,
  frames: NextFrames,
  batches: WriteBatches,
): SubscriberChannel {
  const head = nextMessageHead(id);
  return {
    sendNext(payload) {
      if (socket.readyState !== socket.OPEN) return;
      if (tcp.writableLength > SLOW_SUBSCRIBER_BYTES) {
        socket.close(SLOW_SUBSCRIBER_CLOSE_CODE, 'Subscriber too slow');
        // A client that does not read will not read the close frame either.
        setTimeout(() => socket.terminate(), 1_000).unref();
        return;
      }
      batches.hold(tcp);
      tcp.write(frames.frame(head, payload));
    },
  };
}
