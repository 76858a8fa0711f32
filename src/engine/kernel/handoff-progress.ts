import { AsyncQueue } from '../shared/async-queue.js';
import type { Clock } from '../shared/clock.js';
import { gaplessAfter } from '../shared/gapless-follow.js';
import { SHORT_BACKOFF_MS } from '../shared/short-backoff.js';
import type { Topic } from '../shared/topic.js';
import { isFinal } from './handoff/handoff.js';
import { type HandoffEvent, isFinalEvent } from './handoff/handoff-event.js';
import type { HandoffStore } from './ports/handoff-store.js';

const REPLAY_PAGE = 500;
/**
 * How long a reader waits for an event missing from the log before the ones after it. On a store without
 * transactions (MongoDB) a transition's events reach the log after its state, so another process's later
 * events can be read first while its writer is between the two writes, or was killed there and its lock
 * not yet taken over (which logs them).
 */
const GAP_WAITS_MS = SHORT_BACKOFF_MS;

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

  /**
   * Stored events up to `upTo` (inclusive) that we have not emitted yet, in order without a gap. Replaying
   * to the end (`upTo` unbounded), an empty page is the end of the log. A hole (a seq missing before one
   * the log or a live event shows) is read again (see GAP_WAITS_MS), then the handoff's log is repaired;
   * only an event still missing after that (a bug, logged) is skipped rather than stall the stream for good.
   */
  const catchUp = async (upTo: number) => {
    const toTheEnd = upTo === Number.MAX_SAFE_INTEGER;
    let waits = 0;
    while (last < upTo && !queue.isEnded) {
      const page = await repository.events(id, last, Math.min(REPLAY_PAGE, upTo - last));
      const fresh = page.filter((event) => event.seq > last);
      if (fresh.length === 0 && toTheEnd) return;
      const run = gaplessAfter(last, fresh);
      run.forEach(emit);
      if (run.length > 0 && run.length === fresh.length) {
        waits = 0;
        continue;
      }
      if (waits < GAP_WAITS_MS.length) {
        await clock.sleep(GAP_WAITS_MS[waits++]!);
        continue;
      }
      if (waits++ === GAP_WAITS_MS.length) {
        await repository.repairLog(id);
        continue;
      }
      const after = fresh.slice(run.length);
      onError(
        new Error(`handoff ${id}: events ${last + 1}–${(after[0]?.seq ?? upTo + 1) - 1} are missing from its log`),
      );
      if (after.length === 0) return;
      after.forEach(emit);
      waits = 0;
    }
  };

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
