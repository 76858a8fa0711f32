/**
 * An agent of the registry that is reached over A2A: registered from its Agent Card, which the
 * server re-reads on a schedule. The bridge (a2a-bridge.ts) works its tasks.
 */

/** What the server keeps of an Agent Card: what the bridge and the API need, and the card itself. */
export interface A2ACardSummary {
  name: string;
  description: string;
  version: string;
  /** The interface the bridge calls (the first one the card lists that we speak). */
  url: string;
  /** JSONRPC or HTTP+JSON. */
  protocolBinding: string;
  /** The A2A version that interface speaks (1.0, or 0.3 for older agents). */
  protocolVersion: string;
  /** The agent streams task updates (SSE): followed live, else polled with back-off. */
  streaming: boolean;
  /** The agent can push task updates to a webhook: used for one that does not stream, when A2A_PUBLIC_URL is set. */
  pushNotifications: boolean;
  skills: { id: string; name: string; description: string; tags: string[] }[];
  /** The card as the client library normalised it: what a client for the agent is built from. */
  raw: unknown;
}

export interface A2AAgentLink {
  /** The registry agent it is (Agent.id). */
  agentId: string;
  cardUrl: string;
  card: A2ACardSummary;
  registeredAt: number;
  /** When the card was last read successfully. */
  cardReadAt: number;
  /** Why the last reading failed; null after a success. */
  lastError: string | null;
  lastErrorAt: number | null;
  updatedAt: number;
}

/** Skills become capabilities: a procedure's agent task can then be routed by capability like any other. */
export function capabilitiesOf(card: A2ACardSummary): string[] {
  return [...new Set(card.skills.map((skill) => skill.id))].slice(0, 100);
}

/** The agent id a card names when none is given: its name, lower-cased, spaces and odd characters as dashes. */
export function agentIdFromCard(card: Pick<A2ACardSummary, 'name'>): string {
  const slug = card.name
    .toLowerCase()
    .replace(/[^a-z0-9_.:@-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 128);
  return slug || 'a2a-agent';
}
