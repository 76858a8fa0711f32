import { createHash } from 'node:crypto';
import type { AgentFeedEntry } from '../agents/agent-feed.js';
import { repeatEvery } from '../shared/clock.js';
import type { Topic } from '../shared/topic.js';
import type { AgentTask, WithdrawCause } from '../tasks/agent-task.js';
import type { A2AAgentService } from './a2a-agent-service.js';
import { A2ATaskRun, type TaskRunSettings } from './a2a-task-run.js';
import { type BridgeProgress, bridgeProgressOf } from './bridge-progress.js';

export interface A2ABridgeSettings extends Omit<TaskRunSettings, 'pushTarget'> {
  /** Where agents push task updates (`<A2A_PUBLIC_URL>/a2a/push`); null: not offered. */
  pushUrl: string | null;
  /** Secret tokens for push configs (the OS CSPRNG). */
  pushTokens: () => string;
  links: A2AAgentService;
  /** Every agent feed entry this process hears of (its own and, on a shared store, other processes'). */
  feed: Topic<AgentFeedEntry>;
  /** How often offered tasks of A2A agents are looked for besides the feed (and links registered elsewhere learnt). */
  sweepEveryMs: number;
  /**
   * Whether a task the bridge claimed and no run here holds may be taken over at once from the process
   * that worked it (the store is this process's alone, or that process is known to be gone); else only
   * once its heartbeats stopped (see STALE_AFTER_BEATS): another server's bridge may be working it.
   */
  mayTakeOver(holder: string | null): boolean;
}

/**
 * Withdrawals after which the A2A task is cancelled: the attempt is over (a cancel or rollback of the
 * handoff, a step or heartbeat timeout, a handoff finished after a crash). After SUPERSEDED or
 * SHUTDOWN the attempt was cut short by a server going away, not by the handoff: the next attempt
 * follows the same A2A task instead.
 */
const CANCELLING: ReadonlySet<WithdrawCause> = new Set([
  'CANCELLED',
  'STEP_TIMEOUT',
  'HEARTBEAT_TIMEOUT',
  'HANDOFF_FINISHED',
]);
const ADOPTABLE: ReadonlySet<WithdrawCause> = new Set(['SUPERSEDED', 'SHUTDOWN']);

const FINISHED_PUSHES = 1_000;

/** Who the bridge is on agent tasks: `claimedBy` reads `a2a:bridge` (no API key's name has a colon). */
export const BRIDGE_ACTOR = Object.freeze({ keyName: 'a2a:bridge', agentId: null });

/** On a shared store, a bridge claim whose heartbeats stopped for this many of the bridge's beats is taken over. */
const STALE_AFTER_BEATS = 3;

function tokenDigest(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * The worker of every A2A agent: it claims the tasks offered to them through the same agent-task
 * service other workers use (so with several servers on one store exactly one claims each), runs an
 * A2ATaskRun per claimed task, and cancels the A2A task of an attempt taken back for good. It holds
 * no handoff execution slot: the step only waits for the task's outcome, as for any worker.
 */
export class A2ABridge {
  private readonly runs = new Map<string, { run: A2ATaskRun; done: Promise<void> }>();
  private readonly claiming = new Set<string>();
  private linked = new Set<string>();
  private stopped = false;
  /** Runs an agent may push to, by the SHA-256 of their token (the token itself is only in the push config). */
  private readonly pushes = new Map<string, A2ATaskRun>();
  /** Tokens of runs that finished lately (at most FINISHED_PUSHES), oldest first: their late notifications are taken, and dropped. */
  private readonly finishedPushes = new Set<string>();
  private readonly runSettings: TaskRunSettings;

  constructor(private readonly settings: A2ABridgeSettings) {
    const { pushUrl } = settings;
    this.runSettings = {
      ...settings,
      pushTarget: pushUrl
        ? (run) => {
            const token = settings.pushTokens();
            this.pushes.set(tokenDigest(token), run);
            return { url: pushUrl, token };
          }
        : null,
    };
  }

  /**
   * An agent pushed an update with `token`: the run it belongs to reads the task now (the pushed
   * body is not trusted, the agent's own answer to GetTask is). False for a token no run here holds.
   */
  nudge(token: string): boolean {
    const digest = tokenDigest(token);
    const run = this.pushes.get(digest);
    run?.wake();
    // A run that just finished may still be told about its task's last updates.
    return run !== undefined || this.finishedPushes.has(digest);
  }

  /** Starts following the feed and sweeping; returns the (awaited) stop, which leaves A2A tasks running. */
  start(): () => Promise<void> {
    const unsubscribe = this.settings.feed.subscribe((entry) => this.onFeedEntry(entry));
    const stopSweeping = repeatEvery(this.settings.clock, this.settings.sweepEveryMs, () => this.sweep());
    void this.sweep();
    return async () => {
      this.stopped = true;
      unsubscribe();
      stopSweeping();
      const running = [...this.runs.values()];
      for (const { run } of running) run.abandon('the server is stopping');
      await Promise.allSettled(running.map(({ done }) => done));
    };
  }

  /** An agent linked here just now: its offered tasks are claimed at once. */
  async track(agentId: string): Promise<void> {
    this.linked.add(agentId);
    await this.claimOffered(agentId);
  }

  /** Agent tasks being bridged by this process now. */
  get activeTaskIds(): string[] {
    return [...this.runs.keys()];
  }

  private onFeedEntry(entry: AgentFeedEntry): void {
    if (!entry.taskId || !this.linked.has(entry.agentId)) return;
    const taskId = entry.taskId;
    if (entry.type === 'TASK_OFFERED') void this.consider(taskId);
    else if (entry.type === 'TASK_ANSWERED') this.runs.get(taskId)?.run.wake();
    else if (entry.type === 'TASK_WITHDRAWN') void this.withdrawn(taskId, entry.data?.cause as WithdrawCause);
  }

  private async sweep(): Promise<void> {
    if (this.stopped) return;
    try {
      this.linked = new Set((await this.settings.links.list()).map((link) => link.agentId));
      for (const agentId of this.linked) await this.claimOffered(agentId);
    } catch (error) {
      this.settings.logger.warn({ err: error }, 'A2A bridge sweep failed');
    }
  }

  private async claimOffered(agentId: string): Promise<void> {
    const offered = await this.settings.tasks.page({ agentId, statuses: ['OFFERED'] }, { first: 100 });
    for (const { node } of offered.items) await this.consider(node.id);
    const claimed = await this.settings.tasks.page({ agentId, statuses: ['CLAIMED'] }, { first: 100 });
    for (const { node } of claimed.items) await this.resume(node);
  }

  /**
   * A task the bridge claimed that no run here holds: its process died (a restart, a server gone),
   * and its claim token with it. The attempt waits on, so the bridge takes the claim over under a new
   * token and follows the same A2A task again, asking nothing twice.
   */
  private async resume(task: AgentTask): Promise<void> {
    const { settings } = this;
    if (
      this.stopped ||
      task.claimedBy !== settings.actor.keyName ||
      this.runs.has(task.id) ||
      this.claiming.has(task.id)
    )
      return;
    const silentFor = settings.clock.now() - (task.lastHeartbeatAt ?? 0);
    const holder = bridgeProgressOf(task.progress)?.owner ?? null;
    if (!settings.mayTakeOver(holder) && silentFor < STALE_AFTER_BEATS * settings.heartbeatEveryMs) return;
    this.claiming.add(task.id);
    try {
      const taken = await settings.tasks.takeOver(task, settings.actor);
      const link = taken ? await settings.links.get(task.agentId) : null;
      if (!taken || !link) return;
      settings.logger.info({ taskId: task.id }, 'the A2A bridge took over a task its previous holder left');
      this.startRun(
        new A2ATaskRun(this.runSettings, link, taken.task, taken.token, bridgeProgressOf(taken.task.progress)),
      );
    } catch (error) {
      settings.logger.warn({ taskId: task.id, err: error }, 'A2A bridge could not take over a task');
    } finally {
      this.claiming.delete(task.id);
    }
  }

  private startRun(run: A2ATaskRun): void {
    const taskId = run.taskId;
    const done = run.run().finally(() => {
      this.runs.delete(taskId);
      for (const [digest, pushed] of this.pushes) {
        if (pushed !== run) continue;
        this.pushes.delete(digest);
        this.finishedPushes.add(digest);
        if (this.finishedPushes.size > FINISHED_PUSHES)
          this.finishedPushes.delete(this.finishedPushes.values().next().value!);
      }
    });
    this.runs.set(taskId, { run, done });
  }

  /** Claims an offered task of an A2A agent and starts its run; a task claimed by anyone else is left alone. */
  private async consider(taskId: string): Promise<void> {
    if (this.stopped || this.runs.has(taskId) || this.claiming.has(taskId)) return;
    this.claiming.add(taskId);
    try {
      const claim = await this.settings.tasks.claim(taskId, this.settings.actor);
      if (!claim.ok) return;
      const { task, token } = claim.value;
      const link = await this.settings.links.get(task.agentId);
      if (!link) {
        await this.settings.tasks.fail(
          taskId,
          token,
          { code: 'A2A_AGENT_REMOVED', message: `agent ${task.agentId} is no longer an A2A agent`, retryable: true },
          this.settings.actor,
        );
        return;
      }
      this.startRun(new A2ATaskRun(this.runSettings, link, task, token, await this.adoptable(task)));
    } catch (error) {
      this.settings.logger.warn({ taskId, err: error }, 'A2A bridge could not take a task');
    } finally {
      this.claiming.delete(taskId);
    }
  }

  /**
   * The A2A task of the attempt just before, when a server going away cut that attempt short: this
   * attempt follows it (the same A2A task, never a second one for work already started).
   */
  private async adoptable(task: AgentTask): Promise<BridgeProgress | null> {
    const earlier = (await this.settings.tasks.ofAction(task.handoffId, task.actionId))
      .filter((other) => other.id !== task.id && other.agentId === task.agentId && other.offeredAt <= task.offeredAt)
      .sort((a, b) => a.offeredAt - b.offeredAt);
    const previous = earlier.at(-1);
    if (previous?.status !== 'WITHDRAWN' || !previous.withdrawal || !ADOPTABLE.has(previous.withdrawal.cause))
      return null;
    const progress = bridgeProgressOf(previous.progress);
    if (progress)
      this.settings.logger.info(
        { taskId: task.id, from: previous.id, a2aTaskId: progress.taskId },
        'following the A2A task of an attempt a restart interrupted',
      );
    return progress;
  }

  /** A task was taken back: stop following it, and cancel its A2A task when the attempt is over for good. */
  private async withdrawn(taskId: string, cause: WithdrawCause | undefined): Promise<void> {
    this.runs.get(taskId)?.run.abandon(`taken back (${cause})`);
    if (!cause || !CANCELLING.has(cause)) return;
    const { tasks, links, peers, logger } = this.settings;
    try {
      const task = await tasks.get(taskId);
      const progress = bridgeProgressOf(task?.progress);
      const link = task && progress ? await links.get(task.agentId) : null;
      if (!task || !progress || !link) return;
      // The calls belong to the attempt that was taken back: they carry its trace context.
      const call = { traceparent: task.traceparent };
      const remoteId =
        progress.taskId ?? (await peers.findByContext(link, progress.contextId, call).catch(() => null))?.id ?? null;
      if (!remoteId) return;
      const cancelled = await peers.cancel(link, remoteId, call);
      logger.info(
        { taskId, a2aTaskId: remoteId, cause, state: cancelled.state },
        'cancelled the A2A task of a withdrawn agent task',
      );
    } catch (error) {
      logger.warn({ taskId, cause, err: error }, 'could not cancel the A2A task of a withdrawn agent task');
    }
  }
}
