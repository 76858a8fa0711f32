import type { A2AAgentLink } from './a2a-agent.js';

/**
 * The A2A agents the server bridges to (one link per registry agent). `save` replaces the whole
 * link: only registration and card reads write it, and a card read that loses a race to another
 * only loses a fresher reading of the same card.
 */
export interface A2AAgentStore {
  save(link: A2AAgentLink): Promise<void>;
  get(agentId: string): Promise<A2AAgentLink | null>;
  getMany(agentIds: readonly string[]): Promise<(A2AAgentLink | null)[]>;
  /** Every link, oldest registration first (there are few: each is an agent someone registered). */
  list(): Promise<A2AAgentLink[]>;
  delete(agentId: string): Promise<boolean>;
}
