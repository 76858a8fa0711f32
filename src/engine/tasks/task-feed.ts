import type { AgentFeedDraft, AgentFeedEntryType } from '../agents/agent-feed.js';
import type { AgentTask } from './agent-task.js';

const WORDS: Partial<Record<AgentFeedEntryType, (task: AgentTask) => string>> = {
  TASK_OFFERED: (task) => `${task.name} (attempt ${task.attempt}) offered${task.compensation ? ' to undo a step' : ''}`,
  TASK_CLAIMED: (task) => `${task.name} (attempt ${task.attempt}) claimed by ${task.claimedBy}`,
  TASK_COMPLETED: (task) => `${task.name} (attempt ${task.attempt}) completed`,
  TASK_FAILED: (task) =>
    `${task.name} (attempt ${task.attempt}) failed: ${task.failure?.code}${task.failure?.retryable ? '' : ' (not retryable)'}`,
  TASK_WITHDRAWN: (task) => `${task.name} (attempt ${task.attempt}) taken back: ${task.withdrawal?.reason}`,
  TASK_ASKED: (task) => `${task.name} (attempt ${task.attempt}) asks: ${task.question?.text}`,
  TASK_ANSWERED: (task) =>
    `${task.name} (attempt ${task.attempt}): question ${task.answer?.seq} ${task.answer?.outcome === 'REJECT' ? 'rejected' : 'answered'}`,
};

/** The feed entry telling a task's agent what happened to it. */
export function taskFeedDraft(type: AgentFeedEntryType, task: AgentTask): AgentFeedDraft {
  const data: Record<string, unknown> = { attempt: task.attempt, status: task.status };
  if (type === 'TASK_OFFERED')
    Object.assign(data, {
      compensation: task.compensation,
      heartbeatTimeoutMs: task.heartbeatTimeoutMs,
      deadlineAt: task.deadlineAt,
    });
  if (type === 'TASK_WITHDRAWN')
    Object.assign(data, { cause: task.withdrawal?.cause, reason: task.withdrawal?.reason });
  if (type === 'TASK_ASKED') Object.assign(data, { seq: task.question?.seq, text: task.question?.text });
  if (type === 'TASK_ANSWERED') Object.assign(data, { seq: task.answer?.seq, outcome: task.answer?.outcome });
  if (type === 'TASK_FAILED') Object.assign(data, { code: task.failure?.code, retryable: task.failure?.retryable });
  return {
    type,
    handoffId: task.handoffId,
    taskId: task.id,
    step: task.actionId,
    message: WORDS[type]?.(task) ?? type,
    data,
  };
}
