import { fail, type Outcome } from '../shared/user-error.js';
import type { AgentTask } from './agent-task.js';

/**
 * Why an agent's claim, heartbeat, completion or failure was refused (nothing changed). One closed
 * list, worded in one place.
 */
export type TaskRefusal = 'NOT_FOUND' | 'TASK_ALREADY_CLAIMED' | 'TASK_NOT_CURRENT' | 'OTHER_OUTCOME' | 'INVALID_TOKEN';

function notCurrent(task: AgentTask): string {
  if (task.status === 'WITHDRAWN')
    return `Task ${task.id} is no longer current: it was taken back (${task.withdrawal?.cause}: ${task.withdrawal?.reason})`;
  return `Task ${task.id} is no longer current: it is ${task.status}`;
}

export function refuseTask(refusal: TaskRefusal, taskId: string, task: AgentTask | null = null): Outcome<never> {
  const field = refusal === 'INVALID_TOKEN' ? ['input', 'token'] : ['input', 'taskId'];
  switch (refusal) {
    case 'NOT_FOUND':
      return fail(refusal, `No agent task with id "${taskId}"`, field);
    case 'TASK_ALREADY_CLAIMED':
      return fail(refusal, `Task ${taskId} was claimed by another worker`, field);
    case 'TASK_NOT_CURRENT':
      return fail(refusal, task ? notCurrent(task) : `Task ${taskId} is no longer current`, field);
    case 'OTHER_OUTCOME': {
      // Finished by the same claim with another output or failure: served as TASK_NOT_CURRENT.
      const what = task?.status === 'FAILED' ? 'failure' : 'output';
      return fail(
        'TASK_NOT_CURRENT',
        `Task ${taskId} is no longer current: it was already ${task?.status} with another ${what} (the first one stands)`,
        field,
      );
    }
    case 'INVALID_TOKEN':
      return fail(refusal, `The token does not hold task ${taskId}`, field);
  }
}

/** Why a transition guarded by the claim token found nothing to change. */
export function tokenRefusal(task: AgentTask | null, tokenDigest: string): TaskRefusal {
  if (!task) return 'NOT_FOUND';
  if (task.status !== 'CLAIMED') return 'TASK_NOT_CURRENT';
  return task.tokenDigest === tokenDigest ? 'TASK_NOT_CURRENT' : 'INVALID_TOKEN';
}
