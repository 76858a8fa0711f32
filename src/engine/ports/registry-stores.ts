import type { Agent, AgentStatus } from '../agents/agent.js';
import type { Procedure } from '../procedures/procedure.js';
import type { Page, PageRequest } from './page.js';

/** Procedures and every version they had: handoffs run the version they started with. */
export interface ProcedureStore {
  get(id: string): Promise<Procedure | null>;
  getMany(ids: readonly string[]): Promise<(Procedure | null)[]>;
  getVersion(id: string, version: number): Promise<Procedure | null>;
  latestVersion(id: string): Promise<number>;
  list(): Promise<Procedure[]>;
  /** DuplicateKeyError when the id exists. */
  insert(procedure: Procedure): Promise<void>;
  /** Replaces the definition if its version is still `expectedVersion`, keeping the old version; null otherwise. */
  replace(next: Procedure, expectedVersion: number): Promise<Procedure | null>;
  delete(id: string): Promise<boolean>;
}

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

/** What each agent has received from each handoff (written by transfer_context steps). */
export interface InboxStore {
  /** Adds values to the agent's inbox for this handoff; `digestOf(all)` fingerprints everything now there. */
  deliver(agent: string, handoffId: string, values: Record<string, unknown>, at: number, digestOf: (all: Record<string, unknown>) => string): Promise<string>;
  withdraw(agent: string, handoffId: string, keys: string[], at: number, digestOf: (all: Record<string, unknown>) => string): Promise<void>;
  read(agent: string, handoffId: string): Promise<Record<string, unknown> | null>;
}
