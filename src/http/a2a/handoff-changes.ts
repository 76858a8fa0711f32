import type { Engine } from '../../engine/engine.js';

/**
 * Tells when a handoff may have changed: any of its events, or any agent-feed entry about it (an
 * agent task asking a question, or its answer), from this process or another one on the store.
 * Subscribed before the caller first reads the handoff, so nothing between the read and the first
 * wait is missed. `next()` resolves at the next change (at once if one came since the last call),
 * or when `signal` aborts.
 */
export function handoffChanges(engine: Engine, handoffId: string, signal: AbortSignal) {
  let changed = false;
  let wake: (() => void) | null = null;
  const mark = () => {
    changed = true;
    wake?.();
  };
  const unsubscribeEvents = engine.handoffs.events.subscribe((event) => event.handoffId === handoffId && mark());
  const unsubscribeFeed = engine.agentFeed.entries.subscribe((entry) => entry.handoffId === handoffId && mark());
  const onAbort = () => wake?.();
  signal.addEventListener('abort', onAbort, { once: true });
  return {
    async next(): Promise<boolean> {
      if (!changed && !signal.aborted)
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      wake = null;
      changed = false;
      return !signal.aborted;
    },
    close(): void {
      unsubscribeEvents();
      unsubscribeFeed();
      signal.removeEventListener('abort', onAbort);
      wake?.();
    },
  };
}
