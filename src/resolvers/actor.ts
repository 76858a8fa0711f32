import type { GraphQLContext } from '../context.js';
import type { Actor } from '../engine/shared/actor.js';

/** The caller as the engine records it on what it changes. */
export function actorOf(context: Pick<GraphQLContext, 'caller'>): Actor {
  return { keyName: context.caller?.name ?? 'anonymous', agentId: context.caller?.agentId ?? null };
}
