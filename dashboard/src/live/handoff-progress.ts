import { useEffect, useRef, useState } from 'react';
import { useClient } from 'urql';
import { onEnd, pipe, subscribe } from 'wonka';
import { HandoffProgressDocument, type ProgressEventFragment } from '../gql/graphql';

/**
 * A handoff's event log: the stored events, then live ones (handoffProgress). Resumes after the last
 * seq it holds when the subscription ends early (a dropped connection); the server's replay after
 * afterSeq means nothing is missed, and seqs already held are skipped.
 */
export function useHandoffProgress(handoffId: string): { events: ProgressEventFragment[]; ended: boolean } {
  const client = useClient();
  const [events, setEvents] = useState<ProgressEventFragment[]>([]);
  const [ended, setEnded] = useState(false);
  const lastSeq = useRef(0);

  useEffect(() => {
    let stopped = false;
    let stop = () => undefined as void;
    let retries = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let done = false;
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
      if (FINAL_EVENTS.has(event.type)) {
        done = true;
        setEnded(true);
      }
    };
    // The stream completes after the final event; ended any other way (a server shutting down, an error),
    // it is asked for again after the last seq held, so the log goes on with no gap and nothing twice.
    const follow = () => {
      stop = pipe(
        client.subscription(HandoffProgressDocument, { id: handoffId, afterSeq: lastSeq.current }),
        onEnd(() => {
          if (stopped || done) return;
          timer = setTimeout(follow, Math.min(5000, 250 * 2 ** retries++));
        }),
        subscribe((result) => {
          const event = result.data?.handoffProgress;
          if (event) deliver(event);
        }),
      ).unsubscribe;
    };
    follow();
    return () => {
      stopped = true;
      clearTimeout(timer);
      stop();
    };
  }, [client, handoffId]);

  return { events, ended };
}

const FINAL_EVENTS = new Set([
  'HANDOFF_COMPLETED',
  'HANDOFF_FAILED',
  'HANDOFF_CANCELLED',
  'HANDOFF_ROLLED_BACK',
  'HANDOFF_ROLLBACK_FAILED',
]);
