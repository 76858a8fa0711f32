import { RequestCache } from '@pothos/plugin-scope-auth';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';

/**
 * Drops the auth scopes Pothos cached for an operation once it has executed. Pothos keeps them in a
 * WeakMap keyed by the context, and the cache holds the context (the request, its loaders, what they
 * read). On Node 20 a young minor GC keeps every WeakMap value alive, so each request's whole graph
 * outlived the next scavenge and was promoted: about 10 KB per `handoff(id)`, scavenges of 7-15 ms
 * every few hundred requests, and the old generation filled with garbage. Deleted here, it dies young.
 * A subscription's context lives as long as its stream: dropped when the stream ends.
 */
export function useScopeCacheRelease(): Plugin {
  return {
    onExecute: ({ args }) => ({ onExecuteDone: releaseWhenDone(args.contextValue) }),
    onSubscribe: ({ args }) => ({ onSubscribeResult: releaseWhenDone(args.contextValue) }),
  };
}

/** Drops the context's cache once its result is out: at once, or when a stream of results ends. */
function releaseWhenDone(context: unknown) {
  const release = () => RequestCache.clearForContext(context as object);
  return ({ result }: { result: unknown }) => (isAsyncIterable(result) ? { onEnd: release } : release());
}
