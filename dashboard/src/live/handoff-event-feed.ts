import { useEffect, useSyncExternalStore } from 'react';
import { type Client, useClient } from 'urql';
import { onEnd, pipe, subscribe } from 'wonka';
import { LiveHandoffEventsDocument, type LiveHandoffEventsSubscription } from '../gql/graphql';

export type LiveEvent = LiveHandoffEventsSubscription['handoffEvents'];
type Listener = (event: LiveEvent) => void;

/**
 * One handoffEvents subscription per client, shared by every component that follows it: the list's
 * rows (each re-renders only when its own handoff changes), the overview's charts, the "new handoffs" note.
 */
class HandoffEventFeed {
  private readonly listeners = new Set<Listener>();
  private readonly statuses = new Map<string, LiveEvent['status']>();
  private readonly rowListeners = new Map<string, Set<() => void>>();
  private stop: (() => void) | null = null;

  constructor(private readonly client: Client) {}

  listen(listener: Listener): () => void {
    this.listeners.add(listener);
    this.start();
    return () => {
      this.listeners.delete(listener);
      this.stopWhenUnused();
    };
  }

  /** The latest status seen live for one handoff (undefined until an event for it arrives). */
  status(handoffId: string): LiveEvent['status'] | undefined {
    return this.statuses.get(handoffId);
  }

  watchRow(handoffId: string, onChange: () => void): () => void {
    let set = this.rowListeners.get(handoffId);
    if (!set) {
      set = new Set();
      this.rowListeners.set(handoffId, set);
    }
    set.add(onChange);
    this.start();
    return () => {
      set.delete(onChange);
      if (set.size === 0) this.rowListeners.delete(handoffId);
      this.stopWhenUnused();
    };
  }

  private start(): void {
    if (this.stop) return;
    let pending: LiveEvent[] = [];
    let frame: number | null = null;
    // Hundreds of events a second arrive one WebSocket message (one task) each: hand them on once per
    // frame, so React renders each changed row once per frame however many events touched it.
    const flush = () => {
      frame = null;
      const batch = pending;
      pending = [];
      const touched = new Set<string>();
      for (const event of batch) {
        this.statuses.set(event.handoffId, event.status);
        touched.add(event.handoffId);
      }
      touched.forEach((handoffId) => this.rowListeners.get(handoffId)?.forEach((notify) => notify()));
      for (const event of batch) this.listeners.forEach((listener) => listener(event));
    };
    let stopped = false;
    let retries = 0;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let unsubscribe: () => void = () => {};
    // The feed never completes on its own: ended (a server shutting down, an error), it is asked for again.
    const follow = () => {
      unsubscribe = pipe(
        this.client.subscription(LiveHandoffEventsDocument, {}),
        onEnd(() => {
          if (!stopped) retry = setTimeout(follow, Math.min(5000, 250 * 2 ** retries++));
        }),
        subscribe((result) => {
          const event = result.data?.handoffEvents;
          if (!event) return;
          retries = 0;
          pending.push(event);
          frame ??= requestAnimationFrame(flush);
        }),
      ).unsubscribe;
    };
    follow();
    this.stop = () => {
      stopped = true;
      clearTimeout(retry);
      if (frame !== null) cancelAnimationFrame(frame);
      unsubscribe();
    };
  }

  private stopWhenUnused(): void {
    if (this.listeners.size > 0 || this.rowListeners.size > 0 || !this.stop) return;
    this.stop();
    this.stop = null;
  }
}

const feeds = new WeakMap<Client, HandoffEventFeed>();

function feedOf(client: Client): HandoffEventFeed {
  let feed = feeds.get(client);
  if (!feed) {
    feed = new HandoffEventFeed(client);
    feeds.set(client, feed);
  }
  return feed;
}

/** Calls `onEvent` for every live handoff event while mounted. */
export function useHandoffEvents(onEvent: Listener): void {
  const client = useClient();
  useEffect(() => feedOf(client).listen(onEvent), [client, onEvent]);
}

/** One row's live status: re-renders that row only when its handoff changes. */
export function useLiveStatus<S extends string>(handoffId: string, fetched: S): S | LiveEvent['status'] {
  const feed = feedOf(useClient());
  const live = useSyncExternalStore(
    (onChange) => feed.watchRow(handoffId, onChange),
    () => feed.status(handoffId),
  );
  return live ?? fetched;
}
