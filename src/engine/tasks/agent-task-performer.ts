import { createHash } from 'node:crypto';
import type { AgentFeedRecorder } from '../agents/agent-feed-service.js';
import type { Handoff } from '../kernel/handoff/handoff.js';
import { runOf } from '../kernel/handoff/handoff.js';
import { CancelledError, INTERRUPTED_BY_RESTART, StepTimeoutError } from '../kernel/runner/run-action.js';
import type { AttemptTracing } from '../kernel/steps/attempt-tracing.js';
import { type StepExecution, StepFailure, type StepOutcome } from '../kernel/steps/step-kind.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { type AgentTask, isOpenTask, taskSignalName, type WithdrawCause } from './agent-task.js';
import type { AgentTaskStore } from './agent-task-store.js';
import { taskFeedDraft } from './task-feed.js';

export interface AgentTaskPerformerOptions {
  tasks: AgentTaskStore;
  clock: Clock;
  logger: Logger;
  feed: AgentFeedRecorder;
  /** Wakes the attempt waiting for `name` on a handoff (records a signal); false when it is finished. */
  wake(handoffId: string, name: string, payload: unknown): Promise<boolean>;
  /** When tracing is on: each task records its attempt's trace context (see AgentTask.traceparent). */
  tracing?: AttemptTracing | null;
}

/** Who an agent_task step offers its task to: params.agentId, else the handoff's target (default) or source agent. */
export function assigneeOf(
  handoff: Pick<Handoff, 'sourceAgent' | 'targetAgent'>,
  params: Record<string, unknown>,
): string | null {
  if (typeof params.agentId === 'string') return params.agentId;
  return params.assignee === 'source' ? handoff.sourceAgent : handoff.targetAgent;
}

/**
 * The id of the task of one attempt: the same for the same handoff, step (or compensation), run and
 * attempt, so an attempt that goes on after a restart finds its task instead of offering another.
 */
export function taskIdOf(handoffId: string, actionId: string, run: number, attempt: number): string {
  const digest = createHash('sha256').update(`${handoffId}\u0000${actionId}\u0000${run}\u0000${attempt}`).digest('hex');
  return `tsk_${digest.slice(0, 8)}-${digest.slice(8, 12)}-${digest.slice(12, 16)}-${digest.slice(16, 20)}-${digest.slice(20, 32)}`;
}

function withdrawCause(reason: unknown): WithdrawCause {
  if (reason instanceof CancelledError) return 'CANCELLED';
  if (reason instanceof StepTimeoutError) return 'STEP_TIMEOUT';
  return 'SHUTDOWN';
}

/** Heartbeat timeouts found per tick: a backlog is worked off over a few ticks. */
const SILENT_BATCH = 100;

/**
 * The engine's side of an agent task, one attempt at a time: offer the task to its agent, then let
 * the attempt wait (holding no slot) for the outcome the agent's worker reports, which wakes it;
 * take the task back when the attempt ends without one. A claimed task whose worker falls silent
 * past its heartbeat timeout is taken back by the scheduler's due work (expireSilent). The task's
 * stored status decides every race: an attempt cut short by its timeout or a cancel still succeeds
 * if the agent's completion was stored first, and a completion that comes later is refused.
 */
export class AgentTaskPerformer {
  constructor(private readonly options: AgentTaskPerformerOptions) {}

  async perform(execution: StepExecution): Promise<StepOutcome> {
    const { tasks } = this.options;
    if (execution.resumed) {
      const task = await tasks.get(String(execution.resumed.data?.taskId));
      if (!task) throw new Error(`agent task ${String(execution.resumed.data?.taskId)} is missing from the store`);
      return isOpenTask(task) ? this.waitFor(execution, task) : this.settle(task);
    }
    const done = await this.completedBeforeRestart(execution);
    if (done) return done.output;
    const offer = this.offerFor(execution);
    // An attempt going on after a restart (its wait never stored) finds the task it offered.
    const task = (await tasks.get(offer.id)) ?? (await this.offer(offer));
    if (!isOpenTask(task)) return this.settle(task);
    if (execution.signal.aborted) return this.takeBack(task, execution.signal.reason);
    return this.waitFor(execution, task);
  }

  /** The attempt ended while waiting (timeout, cancel): the task is taken back, unless its outcome came first. */
  async abandon(execution: StepExecution, reason: Error): Promise<Record<string, unknown> | null> {
    const task = await this.options.tasks.get(String(execution.resumed?.data?.taskId ?? ''));
    if (!task) throw reason;
    return this.takeBack(task, reason);
  }

  /**
   * Takes back claimed tasks whose worker has been silent past their heartbeat timeout, and wakes the
   * attempts waiting for them (they fail, and may be retried). Guarded by the heartbeat it judged
   * stale: one that arrives meanwhile wins.
   */
  async expireSilent(now: number): Promise<void> {
    const { tasks, wake } = this.options;
    for (const task of await tasks.silent(now, SILENT_BATCH)) {
      const reason = `no heartbeat from agent ${task.agentId} for ${task.heartbeatTimeoutMs} ms`;
      const expired = await tasks.withdraw(
        task.id,
        'HEARTBEAT_TIMEOUT',
        reason,
        now,
        task.lastHeartbeatAt ?? undefined,
      );
      if (!expired) continue;
      await this.told('TASK_WITHDRAWN', expired);
      await wake(expired.handoffId, taskSignalName(expired), { taskId: expired.id, status: expired.status });
    }
  }

  private waitFor(execution: StepExecution, task: AgentTask): StepOutcome {
    return execution.suspend({ on: taskSignalName(task), data: { taskId: task.id } });
  }

  private async offer(task: AgentTask): Promise<AgentTask> {
    const { superseded } = await this.options.tasks.offer(task, task.offeredAt);
    for (const old of superseded) await this.told('TASK_WITHDRAWN', old);
    await this.told('TASK_OFFERED', task);
    return task;
  }

  /**
   * A completion the store accepted while the process that ran the attempt died (before it could
   * record it): the work is done, so the attempt after the restart uses it instead of asking
   * again. For a step, that is the attempt just before, interrupted by the restart; a compensation
   * runs again from its next attempt after a restart, and any completed attempt of it counts.
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
    const { handoff, procedure, actionId, action, attempt } = execution;
    const agentId = assigneeOf(handoff, action.params);
    const name = 'name' in action && typeof action.name === 'string' ? action.name : actionId;
    if (!agentId) {
      throw new StepFailure(
        `${name}: no agent to offer the task to (the handoff names no ${action.params.assignee === 'source' ? 'source' : 'target'} agent)`,
        { retryable: false, code: 'NO_AGENT' },
      );
    }
    const now = this.options.clock.now();
    const heartbeat = action.params.heartbeatTimeoutMs;
    return {
      id: taskIdOf(handoff.id, actionId, runOf(handoff), attempt),
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
      question: null,
      answer: null,
      traceparent: this.options.tracing?.ofAttempt(handoff, procedure, actionId, attempt) ?? null,
    };
  }

  /** The attempt's result from the task's final state. */
  private settle(task: AgentTask): Record<string, unknown> | null {
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
    if (task.status === 'WITHDRAWN') {
      // A silent worker lost its task: the attempt fails (and may be retried).
      const heartbeatTimeout = task.withdrawal?.cause === 'HEARTBEAT_TIMEOUT';
      throw new StepFailure(`task taken back: ${task.withdrawal?.reason}`, {
        code: heartbeatTimeout ? 'STEP_FAILED' : 'TASK_WITHDRAWN',
        data: { taskId: task.id, agentId: task.agentId, ...(heartbeatTimeout ? { heartbeatTimeout: true } : {}) },
      });
    }
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
    throw reason instanceof Error ? reason : new Error(message);
  }
}
