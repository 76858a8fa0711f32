import { AsyncQueue } from '../shared/async-queue.js';
import type { Clock } from '../shared/clock.js';
import { catchUpGapless } from '../shared/gapless-catch-up.js';
import type { Topic } from '../shared/topic.js';
import { isFinal } from './handoff/handoff.js';
import { type HandoffEvent, isFinalEvent } from './handoff/handoff-event.js';
import type { HandoffStore } from './ports/handoff-store.js';

/**
 * A handoff's events after `afterSeq`: stored ones first, then live ones, with no gap and
 * no duplicate. Live events are held back while the replay runs and filtered by seq; a
 * gap in the live stream is filled from the store. Ends after the final event of the handoff's
 * latest run: a final event replayed from an earlier run (before a redrive) does not end it.
 */
export function handoffProgress(
  repository: HandoffStore,
  topic: Topic<HandoffEvent>,
  id: string,
  afterSeq: number,
  clock: Clock,
  onError: (error: unknown) => void,
): AsyncIterableIterator<HandoffEvent> {
  let last = afterSeq;
  let replaying = true;
  const heldBack: HandoffEvent[] = [];
  let delivery = Promise.resolve();

  const unsubscribe = topic.subscribe((event) => {
    if (event.handoffId !== id) return;
    if (replaying) heldBack.push(event);
    else deliverInOrder(event);
  });
  const queue = new AsyncQueue<HandoffEvent>(unsubscribe);

  const emit = (event: HandoffEvent) => {
    if (event.seq <= last || queue.isEnded) return;
    last = event.seq;
    queue.push(event);
    if (isFinalEvent(event) && !replaying) queue.end();
  };

  /** Stored events up to `upTo` not emitted yet; a hole is waited for, then the handoff's log repaired. */
  const catchUp = (upTo: number) =>
    catchUpGapless(
      {
        read: (from, limit) => repository.events(id, from, limit),
        last: () => last,
        emit,
        isEnded: () => queue.isEnded,
        clock,
        repair: () => repository.repairLog(id),
        onMissing: (from, to) => onError(new Error(`handoff ${id}: events ${from}–${to} are missing from its log`)),
      },
      upTo,
    );

  const deliverInOrder = (event: HandoffEvent) => {
    delivery = delivery
      .then(async () => {
        if (event.seq > last + 1) await catchUp(event.seq - 1);
        emit(event);
      })
      .catch(fail);
  };

  const fail = (error: unknown) => {
    onError(error);
    queue.end();
  };

  void (async () => {
    const handoff = await repository.get(id);
    await catchUp(Number.MAX_SAFE_INTEGER);
    if (handoff && isFinal(handoff.status) && last < handoff.seq) {
      // Final, but its last events never reached the log (a crash between the two writes): repair, then read on.
      await repository.repairLog(id);
      await catchUp(Number.MAX_SAFE_INTEGER);
    }
    // Read again: it may have finished (or been redriven) while the replay ran.
    const current = await repository.get(id);
    replaying = false;
    heldBack.splice(0).forEach(deliverInOrder);
    // A finished handoff has no more events to come (in this run): whatever is missing now was deleted by retention.
    if (!current || isFinal(current.status)) {
      await delivery;
      queue.end();
    }
  })().catch(fail);

  return queue;
}
