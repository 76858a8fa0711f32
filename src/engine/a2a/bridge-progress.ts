import type { RemoteTaskState } from './remote-task.js';

/**
 * What the bridge records on an agent task (its `progress`, through heartbeats): which A2A task works
 * it, so another attempt after a restart follows the same one instead of starting a second, and a
 * cancel finds what to cancel. Stored before the first message is sent (taskId still null): if the
 * process dies before the agent's answer, the context id finds the task the agent made for it.
 */
export interface BridgeProgress {
  agentId: string;
  /** The process whose bridge works it (a dead one's tasks are taken over at once). */
  owner: string | null;
  contextId: string;
  /** Our first message's id: sent again unchanged if we cannot tell whether the agent got it. */
  messageId: string;
  /** The agent's task id, once it answered. */
  taskId: string | null;
  state: RemoteTaskState | 'sending';
  /** The status message's text (the agent's own words about where it is). */
  message: string | null;
  /** Which of the agent's status messages the task's open question is (a run that takes over asks nothing twice). */
  questionKey: string | null;
  /** The seq of the last answer the agent got (an answer the agent has is not sent again). */
  answeredSeq: number | null;
}

/** The progress field as the bridge writes it: `{ a2a: BridgeProgress }`. */
export function progressRecord(progress: BridgeProgress): { a2a: BridgeProgress } {
  return { a2a: progress };
}

/** The bridge's record in a task's progress, if it holds one. */
export function bridgeProgressOf(progress: unknown): BridgeProgress | null {
  if (typeof progress !== 'object' || progress === null) return null;
  const a2a = (progress as Record<string, unknown>).a2a;
  if (typeof a2a !== 'object' || a2a === null) return null;
  const record = a2a as Record<string, unknown>;
  if (typeof record.contextId !== 'string' || typeof record.messageId !== 'string') return null;
  return {
    agentId: typeof record.agentId === 'string' ? record.agentId : '',
    owner: typeof record.owner === 'string' ? record.owner : null,
    contextId: record.contextId,
    messageId: record.messageId,
    taskId: typeof record.taskId === 'string' && record.taskId ? record.taskId : null,
    state: typeof record.state === 'string' ? (record.state as BridgeProgress['state']) : 'sending',
    message: typeof record.message === 'string' ? record.message : null,
    questionKey: typeof record.questionKey === 'string' ? record.questionKey : null,
    answeredSeq: typeof record.answeredSeq === 'number' ? record.answeredSeq : null,
  };
}
