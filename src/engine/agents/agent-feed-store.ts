import type { AgentFeedDraft, AgentFeedEntry } from './agent-feed.js';

/**
 * Each agent's feed: an append-only log, numbered 1, 2, 3… per agent with no gap and no number
 * twice, however many writers (processes) append at once. Other processes' appends reach this one
 * through the change feed (HandoffChangeFeed, as an AgentFeedChange).
 */
export interface AgentFeedStore {
  /** Appends `drafts` in order, numbered on from the agent's last entry; returns them as stored. */
  append(agentId: string, drafts: AgentFeedDraft[], at: number): Promise<AgentFeedEntry[]>;
  /** The agent's entries with seq > afterSeq, oldest first. */
  after(agentId: string, afterSeq: number, limit?: number): Promise<AgentFeedEntry[]>;
}

/** Entries other processes appended, as the shared store's change feed carries them. */
export interface AgentFeedChange {
  kind: 'agentFeed';
  entries: AgentFeedEntry[];
}
