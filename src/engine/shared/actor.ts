/** Who asked for a change through the API: recorded on the events it causes. */
export interface Actor {
  /** The API key's name ("anonymous" on an open server); never the key. */
  keyName: string;
  /** The agent the key is bound to, when it is an agent's key. */
  agentId: string | null;
}

/** An actor read back from stored event data or a stored signal; null when it is not one. */
export function actorFrom(value: unknown): Actor | null {
  if (typeof value !== 'object' || value === null) return null;
  const { keyName, agentId } = value as Record<string, unknown>;
  if (typeof keyName !== 'string') return null;
  return { keyName, agentId: typeof agentId === 'string' ? agentId : null };
}

/** How an actor reads in an event message. */
export function describeActor(actor: Actor | null): string {
  if (!actor) return 'an unnamed caller';
  return actor.agentId ? `agent ${actor.agentId} (key ${actor.keyName})` : `key ${actor.keyName}`;
}
