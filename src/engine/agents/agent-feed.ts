/**
 * What concerns one agent, as an append-only log with gapless sequence numbers per agent: what
 * an agent follows (agentFeed) to learn of its work instead of polling for it.
 */

export const AGENT_FEED_ENTRY_TYPES = [
  'HANDOFF_ASSIGNED',
  'TASK_OFFERED',
  'TASK_CLAIMED',
  'TASK_COMPLETED',
  'TASK_FAILED',
  'TASK_WITHDRAWN',
  'TASK_ASKED',
  'TASK_ANSWERED',
  'CONTEXT_DELIVERED',
  'CONTEXT_WITHDRAWN',
  'CONTEXT_ACKNOWLEDGED',
  'HANDOFF_FINISHED',
] as const;
export type AgentFeedEntryType = (typeof AGENT_FEED_ENTRY_TYPES)[number];

/** The part of an entry its writer decides; numbering and time are added when it is stored. */
export interface AgentFeedDraft {
  type: AgentFeedEntryType;
  handoffId: string | null;
  taskId: string | null;
  /** The step or compensation id it is about, if any. */
  step: string | null;
  message: string;
  data?: Record<string, unknown>;
}

export interface AgentFeedEntry extends AgentFeedDraft {
  agentId: string;
  /** 1, 2, 3… per agent, with no gaps: the cursor a follower keeps. */
  seq: number;
  at: number;
}
