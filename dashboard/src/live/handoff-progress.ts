import { useEffect, useRef, useState } from 'react';
import { useClient } from 'urql';
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
    let unsubscribe = () => undefined as void;
    lastSeq.current = 0;
    setEvents([]);
    setEnded(false);
    const follow = () => {
      const pending: ProgressEventFragment[] = [];
      let scheduled = false;
      const subscription = client.subscription(HandoffProgressDocument, { id: handoffId, afterSeq: lastSeq.current }).subscribe((result) => {
        const event = result.data?.handoffProgress;
        if (!event || event.seq <= lastSeq.current) return;
        lastSeq.current = event.seq;
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
        if (FINAL_EVENTS.has(event.type)) setEnded(true);
      });
      unsubscribe = subscription.unsubscribe;
    };
    follow();
    return () => {
      stopped = true;
      unsubscribe();
    };
  }, [client, handoffId]);

  return { events, ended };
}

const FINAL_EVENTS = new Set(['HANDOFF_COMPLETED', 'HANDOFF_FAILED', 'HANDOFF_CANCELLED', 'HANDOFF_ROLLED_BACK', 'HANDOFF_ROLLBACK_FAILED']);
