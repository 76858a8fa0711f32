import { describe, expect, it } from 'vitest';
import type { HandoffEvent } from '../../src/engine/kernel/handoff/handoff-event.js';
import { handoffProgress } from '../../src/engine/kernel/handoff-progress.js';
import type { HandoffStore } from '../../src/engine/kernel/ports/handoff-store.js';
import type { Clock } from '../../src/engine/shared/clock.js';
import { Topic } from '../../src/engine/shared/topic.js';

/**
 * handoffProgress on a store whose log can lag (MongoDB: a transition's events reach the log after its
 * state, so another process's later events can be read first). The stream must wait for the missing
 * ones, never skip them: a client resuming after seq 1 must not receive 4.
 */

function event(seq: number, type: HandoffEvent['type'] = 'STEP_SUCCEEDED'): HandoffEvent {
  return { handoffId: 'h1', seq, run: 1, at: seq, type, step: null, status: 'RUNNING', message: '', testId: null };
}

/** A log holding `logged` events, and the whole history once `fill` runs (the late writer finished, or was repaired). */
function laggingStore(logged: HandoffEvent[], whole: HandoffEvent[], status = 'COMPLETED') {
  let log = logged;
  const repairs: string[] = [];
  const store = {
    async get() {
      return { id: 'h1', status, seq: whole.length } as never;
    },
    async events(_id: string, afterSeq: number, limit = 10_000) {
      return log.filter((e) => e.seq > afterSeq).slice(0, limit);
    },
    async repairLog(id: string) {
      repairs.push(id);
    },
  } as unknown as HandoffStore;
  return { store, repairs, fill: () => (log = whole) };
}

async function collect(iterator: AsyncIterableIterator<HandoffEvent>): Promise<number[]> {
  const seqs: number[] = [];
  for await (const received of iterator) seqs.push(received.seq);
  return seqs;
}

describe('handoffProgress over a log that lags', () => {
  const whole = [event(1), event(2), event(3), event(4), event(5, 'HANDOFF_COMPLETED')];

  it('waits for events missing before later ones instead of skipping them', async () => {
    const { store, repairs, fill } = laggingStore([event(1), event(4), event(5, 'HANDOFF_COMPLETED')], whole);
    const waits: number[] = [];
    // The second wait is when the late writer's events arrive.
    const clock: Clock = {
      now: () => 0,
      sleep: async (ms) => {
        waits.push(ms);
        if (waits.length === 2) fill();
      },
    };
    const errors: unknown[] = [];
    const seqs = await collect(handoffProgress(store, new Topic(), 'h1', 1, clock, (error) => errors.push(error)));
    expect(seqs).toEqual([2, 3, 4, 5]);
    expect(waits).toEqual([50, 100]);
    expect(repairs).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('repairs the log when waiting is not enough, and reports an event still missing rather than stall', async () => {
    const { store, repairs } = laggingStore([event(1), event(4), event(5, 'HANDOFF_COMPLETED')], whole);
    const clock: Clock = { now: () => 0, sleep: async () => undefined };
    const errors: Error[] = [];
    const seqs = await collect(
      handoffProgress(store, new Topic(), 'h1', 1, clock, (error) => errors.push(error as Error)),
    );
    expect(repairs).toEqual(['h1']);
    expect(errors.map((error) => error.message)).toEqual(['handoff h1: events 2–3 are missing from its log']);
    expect(seqs).toEqual([4, 5]);
  });

  it('waits for each hole of a page in turn: one given up on does not let the next one through unreported', async () => {
    const { store, repairs } = laggingStore([event(1), event(3), event(5, 'HANDOFF_COMPLETED')], whole);
    const clock: Clock = { now: () => 0, sleep: async () => undefined };
    const errors: Error[] = [];
    const seqs = await collect(
      handoffProgress(store, new Topic(), 'h1', 1, clock, (error) => errors.push(error as Error)),
    );
    expect(repairs).toEqual(['h1', 'h1']);
    expect(errors.map((error) => error.message)).toEqual([
      'handoff h1: events 2–2 are missing from its log',
      'handoff h1: events 4–4 are missing from its log',
    ]);
    expect(seqs).toEqual([3, 5]);
  });

  it('waits for a hole inside a page of the log (events 2–3 missing between 1 and 4)', async () => {
    const { store, repairs } = laggingStore([event(1), event(4), event(5, 'HANDOFF_COMPLETED')], whole);
    const late = laggingStore([], whole);
    let reads = 0;
    // The log is whole from the second read on: the first page had 1, 4, 5.
    const readOnce = {
      ...store,
      events: (...args: Parameters<HandoffStore['events']>) => (reads++ === 0 ? store : late.store).events(...args),
    };
    late.fill();
    const waits: number[] = [];
    const clock: Clock = { now: () => 0, sleep: async (ms) => void waits.push(ms) };
    const seqs = await collect(handoffProgress(readOnce as HandoffStore, new Topic(), 'h1', 0, clock, () => undefined));
    expect(seqs).toEqual([1, 2, 3, 4, 5]);
    expect(waits).toEqual([50]);
    expect(repairs).toEqual([]);
  });

  it('holds a live event back until the events before it reach the log', async () => {
    // A running handoff whose log has only its first event; the live topic tells of seq 4 first.
    const { store, fill } = laggingStore([event(1)], whole.slice(0, 4), 'RUNNING');
    const topic = new Topic<HandoffEvent>();
    const waits: number[] = [];
    const clock: Clock = {
      now: () => 0,
      sleep: async (ms) => {
        waits.push(ms);
        fill();
      },
    };
    const errors: unknown[] = [];
    const stream = handoffProgress(store, topic, 'h1', 0, clock, (error) => errors.push(error));
    const seqs: number[] = [];
    for await (const received of stream) {
      seqs.push(received.seq);
      if (received.seq === 1) topic.publish(event(4));
      if (received.seq === 4) topic.publish(event(5, 'HANDOFF_COMPLETED'));
    }
    expect(seqs).toEqual([1, 2, 3, 4, 5]);
    expect(waits).toEqual([50]);
    expect(errors).toEqual([]);
  });
});
