import { createClient as createWsClient } from 'graphql-ws';
import { Client, cacheExchange, fetchExchange, subscriptionExchange } from 'urql';

/** Where the API is: the server that served this page. */
const GRAPHQL_PATH = '/graphql';

function webSocketUrl(): string {
  const protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${protocol}//${location.host}${GRAPHQL_PATH}`;
}

/**
 * One urql client per API key: queries and mutations over HTTP, subscriptions over graphql-ws, the key
 * sent as the server expects it on each (an Authorization header; graphql-ws connectionParams).
 */
export function createApiClient(apiKey: string | null): { client: Client; dispose: () => void } {
  const authorization = apiKey ? `Bearer ${apiKey}` : undefined;
  let disposed = false;
  const webSocket = createWsClient({
    url: webSocketUrl(),
    connectionParams: authorization ? { authorization } : {},
    // Dropped connections come back; subscriptions resume where their own variables say (afterSeq).
    retryAttempts: Infinity,
    // Moving between pages ends one page's subscriptions and starts the next one's: keep the socket meanwhile.
    lazyCloseTimeout: 10_000,
    shouldRetry: () => true,
    // Back soon after a restart: 0.25 s doubling up to 5 s (graphql-ws's default waits 8 s and more by the 4th try), with jitter.
    // A client disposed while it waits to reconnect (the key changed) never reconnects: its wait never ends.
    // Ending it would make graphql-ws reject its connection attempt ("All Subscriptions Gone") with nobody to hear it.
    retryWait: (retries) =>
      new Promise((resolve) =>
        setTimeout(
          () => {
            if (!disposed) resolve();
          },
          Math.min(5000, 250 * 2 ** retries) + Math.random() * 500,
        ),
      ),
  });
  const client = new Client({
    url: GRAPHQL_PATH,
    exchanges: [
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({ unsubscribe: webSocket.subscribe({ ...request, query: request.query ?? '' }, sink) }),
        }),
      }),
    ],
    fetchOptions: () => (authorization ? { headers: { authorization } } : {}),
    // Lists and figures change under us: ask the server, show the cached answer meanwhile.
    requestPolicy: 'cache-and-network',
  });
  // dispose() awaits a connection attempt in flight, which rejects when the attempt is abandoned (graphql-ws
  // denies it with a plain { code: 1000, reason: 'All Subscriptions Gone' } once no subscription is left): the
  // socket is going away either way, so that rejection must not surface as an uncaught page error.
  const dispose = () => {
    disposed = true;
    Promise.resolve(webSocket.dispose()).catch(() => {});
  };
  return { client, dispose };
}
