import { StepFailure } from '../kernel/steps/step-kind.js';
import type { Clock } from '../shared/clock.js';
import { type AgentTask, isOpenTask } from './agent-task.js';
import type { AgentTaskStore } from './agent-task-store.js';

/**
 * Watches a task's heartbeats from the store (they may reach any process). Resolves with the task
 * once it is no longer open (its outcome's signal may have been lost with a crashed process);
 * rejects with a StepFailure when a claimed task's last heartbeat is older than its
 * heartbeatTimeoutMs, after taking it back (a compare-and-set on that heartbeat, so one arriving
 * meanwhile wins); rejects with the abort reason when `stop` aborts. Without a heartbeat timeout it
 * only waits for `stop`.
 */
export async function watchHeartbeats(
  tasks: AgentTaskStore,
  clock: Clock,
  task: AgentTask,
  stop: AbortSignal,
): Promise<AgentTask> {
  const timeoutMs = task.heartbeatTimeoutMs;
  if (timeoutMs === null) {
    return new Promise<never>((_, reject) => {
      if (stop.aborted) reject(stop.reason);
      else stop.addEventListener('abort', () => reject(stop.reason), { once: true });
    });
  }
  for (;;) {
    if (stop.aborted) throw stop.reason;
    const current = await tasks.get(task.id);
    if (!current) throw new Error(`agent task ${task.id} is missing from the store`);
    if (!isOpenTask(current)) return current;
    if (current.status === 'OFFERED' || current.lastHeartbeatAt === null) {
      // Heartbeats are due only once a worker holds the task.
      await clock.sleep(timeoutMs, stop);
      continue;
    }
    const silentFor = clock.now() - current.lastHeartbeatAt;
    if (silentFor < timeoutMs) {
      await clock.sleep(timeoutMs - silentFor, stop);
      continue;
    }
    const reason = `no heartbeat from agent ${current.agentId} for ${timeoutMs} ms`;
    const expired = await tasks.withdraw(task.id, 'HEARTBEAT_TIMEOUT', reason, clock.now(), current.lastHeartbeatAt);
    if (expired) throw new HeartbeatTimeout(expired, reason);
  }
}

/** A silent worker lost its task: the attempt fails (and may be retried). */
export class HeartbeatTimeout extends StepFailure {
  constructor(
    readonly task: AgentTask,
    reason: string,
  ) {
    super(`task taken back: ${reason}`, { data: { taskId: task.id, agentId: task.agentId, heartbeatTimeout: true } });
  }
}
