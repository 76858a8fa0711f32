import { type Clock, repeatEvery } from '../../shared/clock.js';
import type { Logger } from '../../shared/logger.js';
import type { HandoffChange, HandoffChangeFeed } from '../ports/handoff-store.js';

const READ_LIMIT = 1_000;

export interface ChangeListener<Other> {
  /** Events another process committed, in commit order. */
  events(events: Extract<HandoffChange, { kind: 'events' }>['events']): void;
  signal(handoffId: string, step: string, payload: unknown): void;
  cancel(handoffId: string, reason: string): void;
  /** What the feed carries for modules (see HandoffChangeFeed). */
  other(change: Other): void;
}

function isHandoffChange(change: { kind: string }): change is HandoffChange {
  return change.kind === 'events' || change.kind === 'signal' || change.kind === 'cancel';
}

/**
 * Polls the store's change feed on the clock and hands what other processes committed to this
 * one: their events to local watchers (progress streams, live subscriptions), their signals and
 * cancels to the attempts running here, what modules follow to them. A poll reads everything new
 * before the next is armed, so a burst is drained at once; a failed read is retried from the same
 * position (nothing is skipped).
 */
export async function followHandoffChanges<Other extends { kind: string }>(
  feed: HandoffChangeFeed<Other>,
  options: { clock: Clock; pollMs: number; logger: Logger; listener: ChangeListener<Other> },
): Promise<() => void> {
  let position = await feed.head();
  const { listener, logger } = options;
  // One listener's failure neither stops the others nor loses the rest of the batch.
  const deliver = (change: HandoffChange | Other) => {
    try {
      if (!isHandoffChange(change)) listener.other(change as Other);
      else if (change.kind === 'events') listener.events(change.events);
      else if (change.kind === 'signal') listener.signal(change.handoffId, change.step, change.payload);
      else listener.cancel(change.handoffId, change.reason);
    } catch (error) {
      logger.error({ err: error, change: change.kind }, 'a change from another process could not be delivered here');
    }
  };
  const poll = async () => {
    try {
      for (;;) {
        const read = await feed.read(position, READ_LIMIT);
        read.changes.forEach(deliver);
        position = read.position;
        if (!read.more) return;
      }
    } catch (error) {
      logger.warn({ err: error }, 'reading changes of other processes failed; retrying');
    }
  };
  return repeatEvery(options.clock, options.pollMs, poll);
}
