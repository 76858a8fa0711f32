import type { Page, PageRequest } from '../kernel/ports/page.js';
import type { Agent, AgentStatus } from './agent.js';
import type { ContextDelivery } from './context-delivery.js';

/** Which agents a list shows; statuses are effective ones, so the filter needs the clock. */
export interface AgentQuery {
  statuses?: AgentStatus[];
  capability?: string;
  now: number;
  windowMs: number;
}

/** The agent registry. */
export interface AgentStore {
  get(id: string): Promise<Agent | null>;
  getMany(ids: readonly string[]): Promise<(Agent | null)[]>;
  upsert(agent: Omit<Agent, 'registeredAt' | 'updatedAt'>, now: number): Promise<Agent>;
  heartbeat(id: string, status: AgentStatus | null, now: number): Promise<Agent | null>;
  page(query: AgentQuery, request: PageRequest): Promise<Page<Agent>>;
  count(query: AgentQuery): Promise<number>;
}

/** Fingerprints a delivery's values (the digest an agent must acknowledge). */
export type DigestOf = (values: Record<string, unknown>) => string;

/**
 * What each agent has received from each handoff (written by transfer_context steps): one delivery
 * per agent and handoff. Values are free-form data; keys are user text.
 */
export interface InboxStore {
  /**
   * Adds values to the agent's delivery for this handoff (creating it), and fingerprints everything
   * now there with `digestOf`. A change of digest clears an acknowledgement: it no longer covers
   * what the delivery holds. Returns the delivery as stored.
   */
  deliver(
    agent: string,
    handoffId: string,
    values: Record<string, unknown>,
    at: number,
    digestOf: DigestOf,
  ): Promise<ContextDelivery>;
  /** Removes keys (a rollback); a delivery left empty is marked withdrawn. Null when there was none. */
  withdraw(
    agent: string,
    handoffId: string,
    keys: string[],
    at: number,
    digestOf: DigestOf,
  ): Promise<ContextDelivery | null>;
  read(agent: string, handoffId: string): Promise<Record<string, unknown> | null>;
  get(agent: string, handoffId: string): Promise<ContextDelivery | null>;
  /** The agent's deliveries, newest first (by first delivery). */
  page(agent: string, request: PageRequest): Promise<Page<ContextDelivery>>;
  count(agent: string): Promise<number>;
  /**
   * Records the agent's receipt if the delivery still holds what `digest` fingerprints (a
   * compare-and-set on the digest); null when there is no delivery or its digest differs.
   */
  acknowledge(
    agent: string,
    handoffId: string,
    digest: string,
    at: number,
    by: string,
  ): Promise<ContextDelivery | null>;
  /** Deletes every delivery of these handoffs, whichever agent holds it (retention deletes the handoffs next); returns how many. */
  deleteOfHandoffs(handoffIds: readonly string[]): Promise<number>;
}
