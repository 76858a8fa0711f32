import type { AgentFeedRecorder } from '../agents/agent-feed-service.js';
import type { HandoffEvent } from '../kernel/handoff/handoff-event.js';
import { isFinalEvent } from '../kernel/handoff/handoff-event.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { Topic } from '../shared/topic.js';
import type { AgentTaskStore } from './agent-task-store.js';
import { taskFeedDraft } from './task-feed.js';

/**
 * An attempt takes its task back when it ends, and a new attempt supersedes the tasks of earlier
 * ones; only a process that died mid-attempt can leave a task open that no attempt will come back
 * for (its step then had no attempts left, or the handoff was cancelled). Such a handoff was
 * resumed here (HANDOFF_INTERRUPTED): when it finishes, its open tasks are taken back. Handoffs
 * never interrupted cost nothing. Returns stop.
 */
export function withdrawTasksOfInterruptedHandoffs(
  executed: Topic<HandoffEvent>,
  tasks: AgentTaskStore,
  feed: AgentFeedRecorder,
  clock: Clock,
  logger: Logger,
): () => void {
  const resumed = new Set<string>();
  const sweep = async (handoffId: string) => {
    for (const task of await tasks.openOf(handoffId)) {
      const withdrawn = await tasks.withdraw(task.id, 'HANDOFF_FINISHED', 'the handoff finished', clock.now());
      if (withdrawn) await feed.record(withdrawn.agentId, [taskFeedDraft('TASK_WITHDRAWN', withdrawn)]);
    }
  };
  return executed.subscribe((event) => {
    if (event.type === 'HANDOFF_INTERRUPTED') resumed.add(event.handoffId);
    else if (isFinalEvent(event) && resumed.delete(event.handoffId)) {
      sweep(event.handoffId).catch((error) =>
        logger.warn(
          { handoffId: event.handoffId, err: error },
          'could not take back the open tasks of a finished handoff',
        ),
      );
    }
  });
}
