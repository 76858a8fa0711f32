import type { A2APeers } from './a2a-peers.js';

/**
 * SdkA2APeers, loaded (with the A2A SDK's client) on first use: a server that registers no A2A agent
 * never loads it, and start-up does not wait for it.
 */
export function lazySdkPeers(fetchImpl: typeof fetch): A2APeers {
  let peers: Promise<A2APeers> | null = null;
  const load = () => {
    peers ??= import('./sdk-a2a-peers.js').then(({ SdkA2APeers }) => new SdkA2APeers(fetchImpl));
    return peers;
  };
  return {
    readCard: async (cardUrl, signal) => (await load()).readCard(cardUrl, signal),
    async *send(agent, message, call) {
      yield* (await load()).send(agent, message, call);
    },
    async *subscribe(agent, taskId, call) {
      yield* (await load()).subscribe(agent, taskId, call);
    },
    get: async (agent, taskId, call) => (await load()).get(agent, taskId, call),
    findByContext: async (agent, contextId, call) => (await load()).findByContext(agent, contextId, call),
    cancel: async (agent, taskId, call) => (await load()).cancel(agent, taskId, call),
  };
}
