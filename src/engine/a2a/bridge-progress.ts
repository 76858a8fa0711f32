import type { RemoteTaskState } from './remote-task.js';

/**
 * What the bridge records on an agent task (its `progress`, through heartbeats): which A2A task works
 * it, so another attempt after a restart follows the same one instead of starting a second, and a
 * cancel finds what to cancel. Stored before the first message is sent (taskId still null): if the
 * process dies before the agent's answer, the context id finds the task the agent made for it.
 */
export interface BridgeProgress {
  agentId: string;
  contextId: string;
  /** Our first message's id: sent again unchanged if we cannot tell whether the agent got it. */
  messageId: string;
  /** The agent's task id, once it answered. */
  taskId: string | null;
  state: RemoteTaskState | 'sending';
  /** The status message's text (the agent's own words about where it is). */
  message: string | null;
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
    contextId: record.contextId,
    messageId: record.messageId,
    taskId: typeof record.taskId === 'string' && record.taskId ? record.taskId : null,
    state: typeof record.state === 'string' ? (record.state as BridgeProgress['state']) : 'sending',
    message: typeof record.message === 'string' ? record.message : null,
  };
}
