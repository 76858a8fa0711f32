import type { AgentFeedRecorder } from '../agents/agent-feed-service.js';
import type { Handoff } from '../kernel/handoff/handoff.js';
import {
  CancelledError,
  INTERRUPTED_BY_RESTART,
  ShutdownError,
  StepTimeoutError,
} from '../kernel/runner/run-action.js';
import { type StepExecution, StepFailure } from '../kernel/steps/step-kind.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { type Random, randomUuid } from '../shared/random.js';
import { type AgentTask, isOpenTask, taskSignalName, type WithdrawCause } from './agent-task.js';
import type { AgentTaskStore } from './agent-task-store.js';
import { HeartbeatTimeout, watchHeartbeats } from './heartbeat-watch.js';
import { taskFeedDraft } from './task-feed.js';

export interface AgentTaskPerformerOptions {
  tasks: AgentTaskStore;
  clock: Clock;
  random: Random;
  logger: Logger;
  feed: AgentFeedRecorder;
}

/** Who an agent_task step offers its task to: params.agentId, else the handoff's target (default) or source agent. */
export function assigneeOf(
  handoff: Pick<Handoff, 'sourceAgent' | 'targetAgent'>,
  params: Record<string, unknown>,
): string | null {
  if (typeof params.agentId === 'string') return params.agentId;
  return params.assignee === 'source' ? handoff.sourceAgent : handoff.targetAgent;
}

function withdrawCause(reason: unknown): WithdrawCause {
  if (reason instanceof CancelledError) return 'CANCELLED';
  if (reason instanceof ShutdownError) return 'SHUTDOWN';
  return 'STEP_TIMEOUT';
}

/**
 * The engine's side of an agent task, one attempt at a time: offer the task to its agent, wait for
 * the outcome the agent's worker reports (woken by the task's signal, like an await_signal step),
 * watch its heartbeats, and take the task back when the attempt ends without one. The task's
 * stored status decides every race: an attempt cut short by its timeout or a cancel still succeeds
 * if the agent's completion was stored first, and a completion that comes later is refused.
 */
export class AgentTaskPerformer {
  constructor(private readonly options: AgentTaskPerformerOptions) {}

  async perform(execution: StepExecution): Promise<Record<string, unknown> | null> {
    const done = await this.completedBeforeRestart(execution);
    if (done) return done.output;
    const task = this.offerFor(execution);
    const { superseded } = await this.options.tasks.offer(task, task.offeredAt);
    for (const old of superseded) await this.told('TASK_WITHDRAWN', old);
    await this.told('TASK_OFFERED', task);
    const stop = new AbortController();
    const attemptSignal = execution.signal;
    const forward = () => stop.abort(attemptSignal.reason);
    if (attemptSignal.aborted) forward();
    else attemptSignal.addEventListener('abort', forward, { once: true });
    try {
      const woken = await Promise.race([
        execution.awaitSignal(taskSignalName(task), stop.signal).then(() => null),
        watchHeartbeats(this.options.tasks, this.options.clock, task, stop.signal),
      ]);
      return this.settle(woken ?? (await this.options.tasks.get(task.id)));
    } catch (error) {
      if (error instanceof HeartbeatTimeout) await this.told('TASK_WITHDRAWN', error.task);
      if (error instanceof HeartbeatTimeout || !attemptSignal.aborted) throw error;
      return await this.takeBack(task, attemptSignal.reason);
    } finally {
      attemptSignal.removeEventListener('abort', forward);
      stop.abort(new Error('attempt settled'));
    }
  }

  /**
   * A completion the store accepted while the process that ran the attempt died (before it could
   * record it): the work is done, so the attempt after the restart uses it instead of asking
   * again. For a step, that is the attempt just before, interrupted by the restart; a compensation
   * runs again from its first attempt after a restart, and any completed attempt of it counts.
   */
  private async completedBeforeRestart({ handoff, actionId, attempt }: StepExecution): Promise<AgentTask | null> {
    const step = handoff.steps.find((candidate) => candidate.id === actionId);
    if (step && !step.error?.endsWith(INTERRUPTED_BY_RESTART)) return null;
    const earlier = await this.options.tasks.ofAction(handoff.id, actionId);
    const done = earlier.find((task) => task.status === 'COMPLETED' && (!step || task.attempt === attempt - 1));
    if (done)
      this.options.logger.info(
        { handoffId: handoff.id, taskId: done.id },
        'using an agent task completed before a restart',
      );
    return done ?? null;
  }

  private told(type: 'TASK_OFFERED' | 'TASK_WITHDRAWN', task: AgentTask): Promise<void> {
    return this.options.feed.record(task.agentId, [taskFeedDraft(type, task)]);
  }

  private offerFor(execution: StepExecution): AgentTask {
    const { handoff, actionId, action, attempt } = execution;
    const agentId = assigneeOf(handoff, action.params);
    const name = 'name' in action && typeof action.name === 'string' ? action.name : actionId;
    if (!agentId) {
      throw new StepFailure(
        `${name}: no agent to offer the task to (the handoff names no ${action.params.assignee === 'source' ? 'source' : 'target'} agent)`,
        {
          retryable: false,
          code: 'NO_AGENT',
        },
      );
    }
    const now = this.options.clock.now();
    const heartbeat = action.params.heartbeatTimeoutMs;
    return {
      id: `tsk_${randomUuid(this.options.random)}`,
      handoffId: handoff.id,
      actionId,
      name,
      compensation: !handoff.steps.some((step) => step.id === actionId),
      attempt,
      agentId,
      input: action.params.input ?? null,
      heartbeatTimeoutMs: typeof heartbeat === 'number' ? heartbeat : null,
      status: 'OFFERED',
      offeredAt: now,
      deadlineAt: now + action.timeoutMs,
      claimedAt: null,
      claimedBy: null,
      tokenDigest: null,
      lastHeartbeatAt: null,
      progress: null,
      finishedAt: null,
      output: null,
      failure: null,
      withdrawal: null,
    };
  }

  /** The attempt's result from the task's final state. */
  private settle(task: AgentTask | null): Record<string, unknown> | null {
    if (!task) throw new Error('agent task is missing from the store');
    if (task.status === 'COMPLETED') return task.output;
    if (task.status === 'FAILED') {
      const failure = task.failure!;
      throw new StepFailure(`agent ${task.agentId} failed the task: ${failure.code}: ${failure.message}`, {
        retryable: failure.retryable,
        // The agent's own code: a retry policy may list it (nonRetryableCodes) like any other.
        code: failure.code,
        data: { taskId: task.id, agentId: task.agentId, code: failure.code },
      });
    }
    if (task.status === 'WITHDRAWN')
      throw new StepFailure(`task taken back: ${task.withdrawal?.reason}`, {
        code: 'TASK_WITHDRAWN',
        data: { taskId: task.id, agentId: task.agentId },
      });
    throw new Error(`agent task ${task.id} woke its step while ${task.status}`);
  }

  /** The attempt was cut short: take the task back, unless the agent's outcome was stored first. */
  private async takeBack(task: AgentTask, reason: unknown): Promise<Record<string, unknown> | null> {
    const { tasks, clock, logger } = this.options;
    const message = reason instanceof Error ? reason.message : String(reason);
    try {
      const withdrawn = await tasks.withdraw(task.id, withdrawCause(reason), message, clock.now());
      if (withdrawn) {
        await this.told('TASK_WITHDRAWN', withdrawn);
        throw reason;
      }
      const current = await tasks.get(task.id);
      if (current && !isOpenTask(current) && current.status !== 'WITHDRAWN') return this.settle(current);
    } catch (error) {
      if (error === reason || error instanceof StepFailure) throw error;
      logger.warn({ taskId: task.id, err: error }, 'could not take an agent task back; its attempt ends anyway');
    }
    throw reason instanceof StepTimeoutError || reason instanceof Error ? reason : new Error(message);
  }
}
