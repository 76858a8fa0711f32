import type { AgentFeedRecorder } from '../agents/agent-feed-service.js';
import type { Handoff } from '../kernel/handoff/handoff.js';
import type { StepSignal } from '../kernel/handoff/step-signal.js';
import type { Page, PageRequest } from '../kernel/ports/page.js';
import type { Actor } from '../shared/actor.js';
import { canonicalJson } from '../shared/canonical-digest.js';
import type { Clock } from '../shared/clock.js';
import { inexactNumber, isJsonObject } from '../shared/json-object.js';
import { fail, type Outcome, ok } from '../shared/user-error.js';
import { type AgentTask, type AgentTaskFailure, hasOpenQuestion, taskSignalName } from './agent-task.js';
import type { AgentTaskFilter, AgentTaskStore } from './agent-task-store.js';
import { type ClaimTokenSource, claimTokenDigest } from './claim-token.js';
import { taskFeedDraft } from './task-feed.js';
import { refuseTask, tokenRefusal } from './task-refusals.js';

/** Outputs are stored on the step and copied into events and rules' subjects: keep them bounded. */
export const TASK_OUTPUT_LIMIT_BYTES = 64 * 1024;
const PROGRESS_LIMIT_BYTES = 16 * 1024;
const CODE_LIMIT = 100;
const MESSAGE_LIMIT = 2_000;
const QUESTION_LIMIT = 2_000;

export interface AgentTaskServiceOptions {
  tasks: AgentTaskStore;
  /** Wakes the attempt waiting for `name` on a handoff (records a signal); false when the handoff is finished. */
  wake(handoffId: string, name: string, payload: unknown): Promise<boolean>;
  clock: Clock;
  claimTokens: ClaimTokenSource;
  feed: AgentFeedRecorder;
  /** Tells the scheduler when a claimed task's heartbeat timeout falls due (it takes the task back then). */
  dueAt?(at: number): void;
}

/** Why a worker's progress details cannot be stored, or null when they can. */
function progressRefusal(progress: unknown): Outcome<never> | null {
  if (tooLarge(progress, PROGRESS_LIMIT_BYTES))
    return fail('TOO_LARGE', `progress must be at most ${PROGRESS_LIMIT_BYTES} bytes as JSON`, ['input', 'progress']);
  const inexact = inexactNumber(progress, 'progress');
  return inexact ? fail('INVALID_VALUE', inexact, ['input', 'progress']) : null;
}

function tooLarge(value: unknown, limit: number): boolean {
  return Buffer.byteLength(JSON.stringify(value ?? null)) > limit;
}

/**
 * What an agent's workers do with their tasks: claim one (a lease with a token, so two workers of
 * one agent cannot both run it), heartbeat with progress, complete with an output or fail with an
 * error. Each is one guarded transition of the stored task; a task that is no longer current
 * (taken back, finished, superseded by another attempt) is refused with a userError and nothing changes.
 */
export class AgentTaskService {
  constructor(private readonly options: AgentTaskServiceOptions) {}

  get(id: string): Promise<AgentTask | null> {
    return this.options.tasks.get(id);
  }

  getMany(ids: readonly string[]): Promise<(AgentTask | null)[]> {
    return this.options.tasks.getMany(ids);
  }

  /** A handoff's tasks its agents can still act on (OFFERED or CLAIMED). */
  openOf(handoffId: string): Promise<AgentTask[]> {
    return this.options.tasks.openOf(handoffId);
  }

  /** Every task offered for one step (or compensation) of a handoff, oldest first. */
  ofAction(handoffId: string, actionId: string): Promise<AgentTask[]> {
    return this.options.tasks.ofAction(handoffId, actionId);
  }

  page(filter: AgentTaskFilter, request: PageRequest): Promise<Page<AgentTask>> {
    return this.options.tasks.page(filter, request);
  }

  count(filter: AgentTaskFilter): Promise<number> {
    return this.options.tasks.count(filter);
  }

  /** An agent's key acts on its own agent's tasks only: FORBIDDEN for another agent's. */
  private async notYours(taskId: string, actor: Actor): Promise<Outcome<never> | null> {
    if (!actor.agentId) return null;
    const task = await this.options.tasks.get(taskId);
    return task && task.agentId !== actor.agentId
      ? fail('FORBIDDEN', `Task ${taskId} is not offered to agent ${actor.agentId}`, ['input', 'taskId'])
      : null;
  }

  /** Takes an offered task; the token in the answer is the only proof of the claim (it is not stored). */
  async claim(taskId: string, actor: Actor): Promise<Outcome<{ task: AgentTask; token: string }>> {
    const { tasks, clock, claimTokens } = this.options;
    const refused = await this.notYours(taskId, actor);
    if (refused) return refused;
    const token = claimTokens();
    const claimed = await tasks.claim(taskId, claimTokenDigest(token), actor.keyName, clock.now());
    if (claimed) {
      this.heartbeatDue(claimed);
      await this.options.feed.record(claimed.agentId, [taskFeedDraft('TASK_CLAIMED', claimed)]);
      return ok({ task: claimed, token });
    }
    const current = await tasks.get(taskId);
    if (!current) return refuseTask('NOT_FOUND', taskId);
    return refuseTask(current.status === 'CLAIMED' ? 'TASK_ALREADY_CLAIMED' : 'TASK_NOT_CURRENT', taskId, current);
  }

  /**
   * The claim of a holder that is gone (the process that claimed the task died), taken over by the
   * same claimer under a new token: for the engine's own worker (the A2A bridge), whose tokens die
   * with its process. Guarded by the claimer and the heartbeat judged stale, so of several takers
   * exactly one wins, and a heartbeat that arrives meanwhile keeps the claim where it is. Not part of
   * the API: a worker of the API keeps its token.
   */
  async takeOver(task: AgentTask, actor: Actor): Promise<{ task: AgentTask; token: string } | null> {
    const { tasks, clock, claimTokens } = this.options;
    if (task.status !== 'CLAIMED' || task.claimedBy !== actor.keyName) return null;
    const token = claimTokens();
    const taken = await tasks.takeOver(
      task.id,
      actor.keyName,
      task.lastHeartbeatAt,
      claimTokenDigest(token),
      clock.now(),
    );
    if (!taken) return null;
    this.heartbeatDue(taken);
    return { task: taken, token };
  }

  /** Keeps a claimed task alive (see heartbeatTimeoutMs), with optional progress details. */
  async heartbeat(taskId: string, token: string, progress: unknown, actor: Actor): Promise<Outcome<AgentTask>> {
    const refused = (await this.notYours(taskId, actor)) ?? progressRefusal(progress);
    if (refused) return refused;
    const digest = claimTokenDigest(token);
    const beat = await this.options.tasks.heartbeat(taskId, digest, progress ?? null, this.options.clock.now());
    if (beat) this.heartbeatDue(beat);
    return beat ? ok(beat) : this.refusal(taskId, digest);
  }

  /**
   * The worker needs an answer before it can go on (an A2A agent's input-required): the question is
   * stored on the task, and signalHandoff on the task's step answers it (see answerStep). Counts as
   * a heartbeat. Asking again replaces the question (a new seq); an unanswered one stays open.
   * `progress`, when given, is stored with the question in the same write, as a heartbeat's would be:
   * a worker that dies right after asking leaves no question its progress does not know of.
   */
  async ask(
    taskId: string,
    token: string,
    question: { text: string; data?: unknown },
    actor: Actor,
    progress?: unknown,
  ): Promise<Outcome<AgentTask>> {
    const refused = (await this.notYours(taskId, actor)) ?? progressRefusal(progress);
    if (refused) return refused;
    const text = question.text.trim().slice(0, QUESTION_LIMIT);
    if (!text) return fail('MISSING_VALUE', 'A question needs its text', ['input', 'question']);
    if (tooLarge(question.data, PROGRESS_LIMIT_BYTES))
      return fail('TOO_LARGE', `data must be at most ${PROGRESS_LIMIT_BYTES} bytes as JSON`, ['input', 'data']);
    const digest = claimTokenDigest(token);
    const asked = await this.options.tasks.ask(
      taskId,
      digest,
      { text, data: question.data ?? null },
      this.options.clock.now(),
      progress,
    );
    if (!asked) return this.refusal(taskId, digest);
    this.heartbeatDue(asked);
    await this.options.feed.record(asked.agentId, [taskFeedDraft('TASK_ASKED', asked)]);
    return ok(asked);
  }

  /**
   * Answers the open question of the task a step's current attempt offered (signalHandoff on an
   * agent_task step): INVALID_STATE when none is open, or when it was answered or replaced meanwhile.
   */
  async answerStep(handoff: Handoff, stepId: string, signal: Omit<StepSignal, 'run'>): Promise<Outcome<AgentTask>> {
    const open = (await this.options.tasks.openOf(handoff.id)).find(
      (task) => task.actionId === stepId && hasOpenQuestion(task),
    );
    if (!open?.question)
      return fail('INVALID_STATE', `Step "${stepId}" has no question from its agent waiting for an answer`, [
        'input',
        'step',
      ]);
    const answered = await this.options.tasks.answer(open.id, {
      seq: open.question.seq,
      outcome: signal.outcome,
      payload: signal.payload ?? null,
      reason: signal.reason,
      actor: signal.actor,
      answeredAt: this.options.clock.now(),
    });
    if (!answered)
      return fail('INVALID_STATE', `The question of step "${stepId}" was answered or withdrawn meanwhile`, [
        'input',
        'step',
      ]);
    await this.options.feed.record(answered.agentId, [taskFeedDraft('TASK_ANSWERED', answered)]);
    return ok(answered);
  }

  /** Finishes a claimed task with its output; the waiting step succeeds with it. */
  async complete(
    taskId: string,
    token: string,
    output: Record<string, unknown> | null,
    actor: Actor,
  ): Promise<Outcome<AgentTask>> {
    const refused = await this.notYours(taskId, actor);
    if (refused) return refused;
    if (output !== null && !isJsonObject(output))
      return fail('INVALID_VALUE', 'output must be a JSON object', ['input', 'output']);
    if (tooLarge(output, TASK_OUTPUT_LIMIT_BYTES))
      return fail('TOO_LARGE', `output must be at most ${TASK_OUTPUT_LIMIT_BYTES} bytes as JSON`, ['input', 'output']);
    const inexact = inexactNumber(output, 'output');
    if (inexact) return fail('INVALID_VALUE', inexact, ['input', 'output']);
    const digest = claimTokenDigest(token);
    return this.finish(
      taskId,
      digest,
      'COMPLETED',
      () => this.options.tasks.complete(taskId, digest, output, this.options.clock.now()),
      (task) => canonicalJson(task.output) === canonicalJson(output),
    );
  }

  /** Finishes a claimed task as failed; the attempt fails, and the step for good when `retryable` is false. */
  async fail(taskId: string, token: string, failure: AgentTaskFailure, actor: Actor): Promise<Outcome<AgentTask>> {
    const refused = await this.notYours(taskId, actor);
    if (refused) return refused;
    const code = failure.code.trim();
    if (!/^[A-Za-z0-9_.:-]{1,100}$/.test(code))
      return fail('INVALID_VALUE', `code must be 1–${CODE_LIMIT} letters, digits or _ . : -`, ['input', 'code']);
    const message = failure.message.slice(0, MESSAGE_LIMIT);
    const digest = claimTokenDigest(token);
    const outcome: AgentTaskFailure = { code, message, retryable: failure.retryable };
    return this.finish(
      taskId,
      digest,
      'FAILED',
      () => this.options.tasks.fail(taskId, digest, outcome, this.options.clock.now()),
      (task) => canonicalJson(task.failure) === canonicalJson(outcome),
    );
  }

  /**
   * Stores the outcome, then wakes the waiting attempt. Sending the same outcome again with the same
   * token (a retry after a lost answer) wakes it again and answers as the first time did; another
   * outcome (a different output or failure) is refused with TASK_NOT_CURRENT: the first one stands,
   * and the worker must not believe its second answer was taken.
   */
  private async finish(
    taskId: string,
    digest: string,
    status: 'COMPLETED' | 'FAILED',
    store: () => Promise<AgentTask | null>,
    sameOutcome: (stored: AgentTask) => boolean,
  ): Promise<Outcome<AgentTask>> {
    let task = await store();
    if (task)
      await this.options.feed.record(task.agentId, [
        taskFeedDraft(status === 'COMPLETED' ? 'TASK_COMPLETED' : 'TASK_FAILED', task),
      ]);
    else {
      const current = await this.options.tasks.get(taskId);
      if (current?.status !== status || current.tokenDigest !== digest) return this.refusal(taskId, digest, current);
      if (!sameOutcome(current)) return refuseTask('OTHER_OUTCOME', taskId, current);
      task = current;
    }
    await this.options.wake(task.handoffId, taskSignalName(task), { taskId: task.id, status: task.status });
    return ok(task);
  }

  private heartbeatDue(task: AgentTask): void {
    if (task.heartbeatTimeoutMs !== null && task.lastHeartbeatAt !== null)
      this.options.dueAt?.(task.lastHeartbeatAt + task.heartbeatTimeoutMs);
  }

  private async refusal(taskId: string, digest: string, known?: AgentTask | null): Promise<Outcome<never>> {
    const current = known === undefined ? await this.options.tasks.get(taskId) : known;
    return refuseTask(tokenRefusal(current, digest), taskId, current);
  }
}
