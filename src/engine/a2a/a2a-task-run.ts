import type { Actor } from '../shared/actor.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { Outcome } from '../shared/user-error.js';
import type { AgentTask, AgentTaskAnswer } from '../tasks/agent-task.js';
import type { AgentTaskService } from '../tasks/agent-task-service.js';
import type { A2AAgentLink } from './a2a-agent.js';
import { type A2APeers, type OutboundMessage, PeerError } from './a2a-peers.js';
import { attemptOutcomeOf, questionOf } from './a2a-step-output.js';
import { type BridgeProgress, bridgeProgressOf, progressRecord } from './bridge-progress.js';
import { partsOf, partsText, type RemoteTask } from './remote-task.js';
import { readUpdates, type Source } from './task-updates.js';

export interface TaskRunSettings {
  tasks: AgentTaskService;
  peers: A2APeers;
  clock: Clock;
  logger: Logger;
  /** Who the bridge acts as on agent tasks (its claims read `claimedBy: a2a:bridge`). */
  actor: Actor;
  /** This process, as leases name it: recorded on the tasks it works. */
  owner: string;
  /** The first wait before polling again or reconnecting; it doubles while nothing changes. */
  pollMinMs: number;
  /** The longest wait between two polls (or reconnection attempts). */
  pollMaxMs: number;
  /** Heartbeats at least this often while the task is held. */
  heartbeatEveryMs: number;
  /**
   * Where an agent that cannot stream but can push may notify this run (null: no push, A2A_PUBLIC_URL
   * unset). Registers the run under a fresh secret token for as long as it runs.
   */
  pushTarget: ((run: A2ATaskRun) => { url: string; token: string }) | null;
}

/** The agent task is no longer ours (taken back, finished): stop following. */
class NotOurs extends Error {
  constructor(taskId: string) {
    super(`agent task ${taskId} is no longer held by the bridge`);
  }
}

/** What comes next after an update: keep following, send the agent a message on its task, or stop. */
type Next = { kind: 'follow' } | { kind: 'send'; message: OutboundMessage; answers?: number } | { kind: 'done' };

function changeKey(remote: RemoteTask): string {
  return `${remote.state}|${partsText(remote.statusParts)}|${remote.artifacts.length}`;
}

/**
 * The bridge's work on one claimed agent task: the A2A task that does it, from the first message to
 * the task's outcome. Everything it learns goes into the agent task through the same service a
 * worker uses: its progress (the A2A task's id before anything else, then its state), heartbeats,
 * a question while the agent is input-required, and the completion (the artifacts) or the failure.
 * A lost connection is followed up (resubscribe when the agent streams, else tasks/get with
 * back-off); a message whose answer was lost is found again by its context, or sent again unchanged.
 */
export class A2ATaskRun {
  private progress: BridgeProgress;
  private readonly stop = new AbortController();
  private wakeWaiter: (() => void) | null = null;
  private woken = false;
  private lastBeatAt = Number.NEGATIVE_INFINITY;
  private asked: { key: string; seq: number; answered: boolean } | null = null;
  private finished = false;
  private readonly adopted: boolean;
  /** This run's push config (made on first use), and whether the agent has it. */
  private pushConfig: { url: string; token: string } | null = null;
  private pushGiven = false;

  constructor(
    private readonly settings: TaskRunSettings,
    private readonly link: A2AAgentLink,
    private readonly task: AgentTask,
    private readonly token: string,
    /** The A2A task of an earlier attempt a restart interrupted: followed instead of starting another. */
    adopted: BridgeProgress | null,
  ) {
    this.adopted = adopted !== null;
    this.progress = adopted
      ? { ...adopted, agentId: link.agentId, owner: settings.owner }
      : {
          agentId: link.agentId,
          owner: settings.owner,
          contextId: task.id,
          messageId: task.id,
          taskId: null,
          state: 'sending',
          message: null,
          questionKey: null,
          answeredSeq: null,
        };
    // A run that takes over its own task (the process that ran it died) goes on with the question it had asked.
    const own = bridgeProgressOf(task.progress);
    if (own?.questionKey && task.question)
      this.asked = {
        key: own.questionKey,
        seq: task.question.seq,
        answered: own.answeredSeq === task.question.seq,
      };
  }

  get taskId(): string {
    return this.task.id;
  }

  /** An answer to the task's question was stored, or the agent pushed an update: look now instead of later. */
  wake(): void {
    this.woken = true;
    this.wakeWaiter?.();
  }

  /** Stops following (the task was taken back, or the server stops); the A2A task is left as it is. */
  abandon(reason: string): void {
    this.stop.abort(new NotOurs(`${this.task.id}: ${reason}`));
  }

  async run(): Promise<void> {
    const keepAlive = this.keepAlive();
    try {
      // Recorded before anything is sent: a restart from here on finds this A2A task again.
      await this.beat(true);
      await this.follow(this.adopted ? { kind: 'recover' } : { kind: 'send', message: this.firstMessage() });
    } catch (error) {
      if (error instanceof NotOurs || this.stop.signal.aborted) return;
      this.settings.logger.error({ taskId: this.task.id, err: error }, 'the A2A bridge failed on a task');
      await this.fail('A2A_BRIDGE_ERROR', (error as Error).message ?? String(error), true).catch(() => undefined);
    } finally {
      this.finished = true;
      this.stop.abort(new NotOurs(this.task.id));
      this.wake();
      await keepAlive;
    }
  }

  /** The message that starts the A2A task: the step's input, under ids derived from the agent task. */
  private firstMessage(): OutboundMessage {
    return {
      messageId: this.progress.messageId,
      contextId: this.progress.contextId,
      taskId: null,
      parts: partsOf(this.task.input),
      metadata: { handoffId: this.task.handoffId, step: this.task.actionId, attempt: this.task.attempt },
      push: this.push(),
    };
  }

  /**
   * Where the agent may push updates (only an agent that pushes and does not stream: a stream says it
   * all): one token per run, in every sending of the first message, and once in an answer when the task
   * was started by an earlier attempt (the agent holds that attempt's token, which nobody answers to now).
   */
  private push(): { url: string; token: string } | null {
    const { card } = this.link;
    if (card.streaming || !card.pushNotifications || !this.settings.pushTarget) return null;
    this.pushConfig ??= this.settings.pushTarget(this);
    return this.pushConfig;
  }

  private pushInAnswer(): { url: string; token: string } | null {
    if (!this.adopted || this.pushGiven) return null;
    this.pushGiven = true;
    return this.push();
  }

  /** Reads updates from `start` on, then from wherever they come next, until the task's outcome is stored. */
  private async follow(start: Source): Promise<void> {
    let source = start;
    let wait = 0;
    let seen = '';
    for (;;) {
      if (wait > 0) await this.nap(wait);
      let next: Next | null = null;
      let last: RemoteTask | null = null;
      try {
        for await (const remote of this.updates(source)) {
          last = remote;
          if (source.kind === 'send' && source.answers !== undefined && this.progress.answeredSeq !== source.answers) {
            // The agent has the answer: a run that takes over does not send it again.
            this.progress = { ...this.progress, answeredSeq: source.answers };
            await this.beat(true);
          }
          next = await this.onUpdate(remote);
          if (next.kind !== 'follow') break;
        }
      } catch (error) {
        if (error instanceof NotOurs || this.stop.signal.aborted) throw error;
        const failure = error instanceof PeerError ? error : new PeerError('unreachable', String(error));
        if (await this.giveUp(failure, source)) return;
        this.settings.logger.warn(
          { taskId: this.task.id, a2aTaskId: this.progress.taskId, problem: failure.message },
          'A2A agent call failed; trying again',
        );
        source = { kind: 'recover' };
        wait = this.backOff(wait);
        continue;
      }
      if (next?.kind === 'done') return;
      if (next?.kind === 'send') {
        source = { kind: 'send', message: next.message, answers: next.answers };
        wait = 0;
        continue;
      }
      // The stream ended (or the one answer came) with no outcome yet: look again, waiting longer while nothing changes.
      source = { kind: 'follow' };
      const key = last ? changeKey(last) : seen;
      wait = key !== seen ? this.settings.pollMinMs : this.backOff(wait);
      seen = key;
    }
  }

  /** True when the failure ends the attempt (its failure stored); false to try again later. */
  private async giveUp(failure: PeerError, source: Source): Promise<boolean> {
    if (failure.failure === 'task-not-found' && this.progress.taskId) {
      await this.fail('A2A_TASK_LOST', `the agent no longer knows task ${this.progress.taskId}`, true);
      return true;
    }
    if (failure.failure === 'not-allowed') {
      // As a webhook step's call is: the settings decide, and another attempt would meet the same ones.
      await this.fail('A2A_NOT_ALLOWED', `the outbound policy refused the call: ${failure.message}`, false);
      return true;
    }
    if (failure.failure === 'refused' && source.kind === 'send') {
      await this.fail('A2A_REFUSED', `the agent refused the message: ${failure.message}`, false);
      return true;
    }
    return false;
  }

  private backOff(wait: number): number {
    return Math.min(this.settings.pollMaxMs, Math.max(this.settings.pollMinMs, wait * 2));
  }

  /**
   * The updates of one source: a message's answer, the task followed again, or the task found after a
   * lost answer. Its own abort closes the source's connection once the caller moves on.
   */
  private async *updates(source: Source): AsyncIterable<RemoteTask> {
    const done = new AbortController();
    const signal = AbortSignal.any([this.stop.signal, done.signal]);
    try {
      yield* readUpdates(
        source,
        {
          peers: this.settings.peers,
          link: this.link,
          taskId: () => this.progress.taskId,
          contextId: this.progress.contextId,
          firstMessage: () => this.firstMessage(),
          traceparent: this.task.traceparent,
        },
        signal,
      );
    } finally {
      done.abort(new Error('moved on'));
    }
  }

  /** Acts on the task as it stands now. */
  private async onUpdate(remote: RemoteTask): Promise<Next> {
    const changed = remote.state !== this.progress.state || partsText(remote.statusParts) !== this.progress.message;
    this.progress = {
      ...this.progress,
      taskId: remote.id || this.progress.taskId,
      contextId: remote.contextId || this.progress.contextId,
      state: remote.state,
      message: partsText(remote.statusParts) || null,
    };
    const outcome = attemptOutcomeOf(remote, this.link.agentId);
    if (outcome?.kind === 'complete') {
      await this.settle(
        this.settings.tasks.complete(this.task.id, this.token, outcome.output, this.settings.actor),
        remote,
      );
      return { kind: 'done' };
    }
    if (outcome?.kind === 'fail') {
      if (outcome.cancelRemote) await this.cancelRemote();
      await this.fail(outcome.code, outcome.message, outcome.retryable);
      return { kind: 'done' };
    }
    await this.beat(changed);
    return remote.state === 'input-required' ? this.askAndWait(remote) : { kind: 'follow' };
  }

  /** The agent needs input: ask it on the agent task (once per question), wait for the answer, hand it on. */
  private async askAndWait(remote: RemoteTask): Promise<Next> {
    const question = questionOf(remote);
    // A question asked again comes in a new status message; the same one is seen again in the snapshot
    // a task's next turn starts with, and must not be answered twice.
    const key = remote.statusMessageId || JSON.stringify(question);
    if (this.asked?.key === key && this.asked.answered) return { kind: 'follow' };
    if (this.asked?.key !== key) {
      // The question and the key it is known by go in one write: a run that takes over after a crash
      // between two writes would find a question it cannot match, and ask it again.
      const progress = { ...this.progress, questionKey: key };
      const asked = await this.settings.tasks.ask(
        this.task.id,
        this.token,
        question,
        this.settings.actor,
        progressRecord(progress),
      );
      if (!asked.ok) throw new NotOurs(this.task.id);
      this.asked = { key, seq: asked.value.question!.seq, answered: false };
      this.progress = progress;
      this.lastBeatAt = this.settings.clock.now();
    }
    const answer = await this.answerTo(this.asked.seq);
    this.asked.answered = true;
    if (answer.outcome === 'REJECT') {
      await this.cancelRemote();
      await this.fail('REJECTED', `the question was rejected${answer.reason ? `: ${answer.reason}` : ''}`, false);
      return { kind: 'done' };
    }
    return {
      kind: 'send',
      answers: answer.seq,
      message: {
        messageId: `${this.task.id}:answer:${answer.seq}`,
        contextId: this.progress.contextId,
        taskId: this.progress.taskId,
        parts: partsOf(answer.payload),
        metadata: {
          handoffId: this.task.handoffId,
          step: this.task.actionId,
          answeredBy: answer.actor?.keyName ?? null,
        },
        push: this.pushInAnswer(),
      },
    };
  }

  /** Waits (heartbeating meanwhile) until question `seq` is answered; woken by the bridge, else it looks now and then. */
  private async answerTo(seq: number): Promise<AgentTaskAnswer> {
    for (;;) {
      this.woken = false;
      const current = await this.settings.tasks.get(this.task.id);
      if (current?.status !== 'CLAIMED') throw new NotOurs(this.task.id);
      if (current.answer?.seq === seq) return current.answer;
      await this.nap(this.heartbeatEveryMs);
    }
  }

  /**
   * Sleeps `ms`, or less when woken (an answer stored, a push notification), also by a wake that came
   * since `woken` was last cleared. Throws once the run is stopped.
   */
  private async nap(ms: number): Promise<void> {
    const nap = new AbortController();
    this.wakeWaiter = () => nap.abort();
    if (!this.woken)
      await this.settings.clock.sleep(ms, AbortSignal.any([this.stop.signal, nap.signal])).catch(() => undefined);
    this.wakeWaiter = null;
    this.woken = false;
    if (this.stop.signal.aborted) throw this.stop.signal.reason;
  }

  /** Heartbeats with the current progress: when it changed (or `force`), else at most once a second. */
  private async beat(force: boolean): Promise<void> {
    const now = this.settings.clock.now();
    if (!force && now - this.lastBeatAt < 1_000) return;
    this.lastBeatAt = now;
    const beat = await this.settings.tasks.heartbeat(
      this.task.id,
      this.token,
      progressRecord(this.progress),
      this.settings.actor,
    );
    if (!beat.ok) throw new NotOurs(this.task.id);
  }

  /** How often to heartbeat: the bridge's pace, or faster when the step's heartbeat timeout asks for it. */
  private get heartbeatEveryMs(): number {
    const timeout = this.task.heartbeatTimeoutMs;
    return timeout === null
      ? this.settings.heartbeatEveryMs
      : Math.min(this.settings.heartbeatEveryMs, Math.max(50, Math.floor(timeout / 3)));
  }

  /** Heartbeats the task while it is held, however long the agent stays silent. */
  private async keepAlive(): Promise<void> {
    while (!this.finished) {
      try {
        await this.sleep(this.heartbeatEveryMs);
        await this.beat(true);
      } catch (error) {
        if (error instanceof NotOurs || this.stop.signal.aborted) {
          if (error instanceof NotOurs) this.stop.abort(error);
          return;
        }
        // A store that did not answer this once: the next beat tries again.
        this.settings.logger.warn({ taskId: this.task.id, err: error }, 'A2A bridge heartbeat failed');
      }
    }
  }

  private async sleep(ms: number): Promise<void> {
    await this.settings.clock.sleep(ms, this.stop.signal);
  }

  private async settle<T>(outcome: Promise<Outcome<T>>, remote: RemoteTask): Promise<void> {
    const result = await outcome;
    if (result.ok) return;
    if (result.errors[0]?.code === 'TOO_LARGE') {
      await this.fail(
        'OUTPUT_TOO_LARGE',
        `the artifacts of A2A task ${remote.id} are too large for a step output: ${result.errors[0].message}`,
        false,
      );
      return;
    }
    throw new NotOurs(this.task.id);
  }

  private async fail(code: string, message: string, retryable: boolean): Promise<void> {
    const failed = await this.settings.tasks.fail(
      this.task.id,
      this.token,
      { code, message, retryable },
      this.settings.actor,
    );
    if (!failed.ok) throw new NotOurs(this.task.id);
  }

  private async cancelRemote(): Promise<void> {
    if (!this.progress.taskId) return;
    await this.settings.peers
      .cancel(this.link, this.progress.taskId, { signal: this.stop.signal, traceparent: this.task.traceparent })
      .catch((error) =>
        this.settings.logger.info(
          { taskId: this.task.id, a2aTaskId: this.progress.taskId, err: error },
          'could not cancel an A2A task',
        ),
      );
  }
}
