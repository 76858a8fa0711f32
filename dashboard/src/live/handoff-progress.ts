import { useEffect, useRef, useState } from 'react';
import { useClient } from 'urql';
import { onEnd, pipe, subscribe } from 'wonka';
import { HandoffProgressDocument, type ProgressEventFragment } from '../gql/graphql';

/**
 * A handoff's event log: the stored events, then live ones (handoffProgress). Resumes after the last
 * seq it holds when the subscription ends early (a dropped connection); the server's replay after
 * afterSeq means nothing is missed, and seqs already held are skipped. The stream completes with a final
 * event; when `run` (the handoff's run as last read) moves on past it (a retryHandoff), it is followed again.
 */
export function useHandoffProgress(
  handoffId: string,
  run: number | undefined,
): { events: ProgressEventFragment[]; ended: boolean } {
  const client = useClient();
  const [events, setEvents] = useState<ProgressEventFragment[]>([]);
  const [ended, setEnded] = useState(false);
  const lastSeq = useRef(0);
  const followNewRun = useRef<(run: number) => void>(() => undefined);
  const knownRun = useRef(run ?? 1);
  knownRun.current = Math.max(knownRun.current, run ?? 1);

  useEffect(() => {
    let stopped = false;
    let stop: () => void = () => undefined;
    let retries = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let done = false;
    // The run of the final event that ended the stream: a later run means the handoff was retried.
    let endedRun = 0;
    lastSeq.current = 0;
    setEvents([]);
    setEnded(false);
    const pending: ProgressEventFragment[] = [];
    let scheduled = false;
    const deliver = (event: ProgressEventFragment) => {
      if (event.seq <= lastSeq.current) return;
      lastSeq.current = event.seq;
      retries = 0;
      pending.push(event);
      // A replay brings hundreds of events at once: render them in one go, once per frame.
      if (!scheduled) {
        scheduled = true;
        requestAnimationFrame(() => {
          scheduled = false;
          const batch = pending.splice(0);
          if (!stopped && batch.length > 0) setEvents((list) => [...list, ...batch]);
        });
      }
      if (done && event.run > endedRun) {
        // A replay going on past a final event into the run a retry opened.
        done = false;
        setEnded(false);
      }
      if (FINAL_EVENTS.has(event.type)) {
        done = true;
        endedRun = event.run;
        setEnded(true);
      }
    };
    // The stream completes after the final event; ended any other way (a server shutting down, an error),
    // it is asked for again after the last seq held, so the log goes on with no gap and nothing twice.
    // Each subscription's number: one replaced on purpose (followNewRun) must not schedule another when it ends.
    let generation = 0;
    const follow = () => {
      const current = ++generation;
      stop = pipe(
        client.subscription(HandoffProgressDocument, { id: handoffId, afterSeq: lastSeq.current }),
        onEnd(() => {
          if (stopped || current !== generation || (done && knownRun.current <= endedRun)) return;
          done = false;
          timer = setTimeout(follow, Math.min(5000, 250 * 2 ** retries++));
        }),
        subscribe((result) => {
          const event = result.data?.handoffProgress;
          if (event) deliver(event);
        }),
      ).unsubscribe;
    };
    follow();
    followNewRun.current = (run) => {
      if (stopped || !done || run <= endedRun) return;
      generation++;
      stop();
      done = false;
      setEnded(false);
      follow();
    };
    return () => {
      stopped = true;
      clearTimeout(timer);
      stop();
    };
  }, [client, handoffId]);

  useEffect(() => {
    if (run !== undefined) followNewRun.current(run);
  }, [run]);

  return { events, ended };
}

const FINAL_EVENTS = new Set([
  'HANDOFF_COMPLETED',
  'HANDOFF_FAILED',
  'HANDOFF_CANCELLED',
  'HANDOFF_ROLLED_BACK',
  'HANDOFF_ROLLBACK_FAILED',
]);
