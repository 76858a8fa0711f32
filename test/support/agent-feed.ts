import type { Client } from 'graphql-ws';

export const FEED = `subscription($agentId: ID!, $after: Int) { agentFeed(agentId: $agentId, after: $after) {
  seq agentId type handoffId taskId step message data task { taskId status attempt } } }`;

export interface FeedFollower {
  /** Every entry received so far, in order. */
  entries: any[];
  /** Resolves with the first entry (already received or to come) that matches. */
  until(match: (entry: any) => boolean): Promise<any>;
  stop(): void;
}

/** Follows an agent's feed over graphql-ws from `after`. */
export function followFeed(client: Client, agentId: string, after = 0): FeedFollower {
  const entries: any[] = [];
  const waiters: { match: (entry: any) => boolean; resolve: (entry: any) => void; reject: (error: unknown) => void }[] =
    [];
  let failure: unknown = null;
  const stop = client.subscribe(
    { query: FEED, variables: { agentId, after } },
    {
      next: (value: any) => {
        if (value.errors) failure = new Error(JSON.stringify(value.errors));
        const entry = value.data?.agentFeed;
        if (!entry) return;
        entries.push(entry);
        for (const waiter of [...waiters]) {
          if (!waiter.match(entry)) continue;
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(entry);
        }
      },
      error: (error) => {
        failure = error;
        waiters.splice(0).forEach((waiter) => waiter.reject(error));
      },
      complete: () => undefined,
    },
  );
  return {
    entries,
    until(match) {
      if (failure) return Promise.reject(failure);
      const seen = entries.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => waiters.push({ match, resolve, reject }));
    },
    stop,
  };
}
