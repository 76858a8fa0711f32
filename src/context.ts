import type { Engine } from './engine/engine.js';
import type { RequestScope } from './http/request-scope.js';
import type { StreamEventIds } from './http/sse-event-ids.js';
import type { Loaders } from './resolvers/loaders.js';

export type Role = 'viewer' | 'operator' | 'admin' | 'agent';

/** Who is calling: a role from an API key, or admin when the server runs open. */
export interface Caller {
  role: Role;
  /** The key's name (never the key), or "anonymous" when open. */
  name: string;
  /** The agent an `agent` key is bound to: it may act on that agent's own work only. */
  agentId?: string;
}

/**
 * What every resolver receives. Built once per HTTP request or WebSocket operation. Over SSE a
 * numbered stream starts after `resumeAfter` (the client's Last-Event-ID) and marks each event's id.
 */
export interface GraphQLContext extends StreamEventIds {
  engine: Engine;
  loaders: Loaders;
  caller: Caller | null;
  /** The request id, and a logger bound to it (made on first use): every line it writes carries `reqId`. */
  scope: RequestScope;
  /** How the operation arrived: plain HTTP, a graphql-ws socket, or Server-Sent Events. */
  transport: 'http' | 'ws' | 'sse';
  /** Subscriptions streaming from this process right now, by transport. */
  activeSubscriptions: () => { ws: number; sse: number };
}
