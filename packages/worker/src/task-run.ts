import { type AgentApi, pause, type TaskAnswer, untilAnswered } from './agent-api.js';
import { UnreachableError } from './graphql-client.js';
import type { Task, TaskContext, TaskHandler } from './task.js';
import { TaskFailure } from './task-failure.js';

export type Log = (message: string) => void;

/** Why a run's signal aborted: the task is no longer ours, or the worker is stopping and hands it back. */
type Interruption = 'taken back' | 'stopping';

/** Without a heartbeat timeout, a heartbeat is sent this often anyway: it shows progress and finds a lost task. */
const IDLE_HEARTBEAT_MS = 30_000;
/** How long after its deadline an outcome is still worth sending (clocks differ; the server decides). */
const DEADLINE_SLACK_MS = 60_000;

/**
 * One claimed task from the handler's first call to the outcome the server accepted: heartbeats
 * while the handler runs (every third of the heartbeat timeout), its output sent as the completion,
 * its TaskFailure (or any other error, as HANDLER_ERROR) sent as the failure. Outcomes are sent
 * again while the server cannot be reached (the same token makes that safe) until it answers or the
 * task's deadline has passed. The handler is called exactly once.
 */
export class TaskRun {
  private readonly interrupted = new AbortController();
  private interruption: Interruption | null = null;
  private progress: unknown = null;

  constructor(
    readonly task: Task,
    private readonly token: string,
    private readonly api: AgentApi,
    private readonly log: Log,
    /** Aborts when the worker gives up on everything (its stop's grace and hand-back are over). */
    private readonly abandon: AbortSignal,
  ) {}

  /** The server took the task back (or refused a heartbeat): the handler should stop; nothing is sent. */
  takeBack(reason: string): void {
    this.interrupt('taken back', reason);
  }

  /** The worker is stopping: the handler should stop; unless it still returns an output, the task is handed back. */
  handBack(): void {
    this.interrupt('stopping', 'the worker is stopping');
  }

  private interrupt(kind: Interruption, reason: string): void {
    if (this.interruption) return;
    this.interruption = kind;
    this.interrupted.abort(new Error(`task ${this.task.taskId}: ${reason}`));
  }

  async run(handler: TaskHandler): Promise<void> {
    const heartbeats = new AbortController();
    const beating = this.heartbeatLoop(heartbeats.signal);
    let outcome: { output: Record<string, unknown> | null } | { error: unknown };
    try {
      outcome = { output: (await handler(this.task, this.context())) ?? null };
    } catch (error) {
      outcome = { error };
    } finally {
      heartbeats.abort();
      await beating;
    }
    if (this.interruption === 'taken back') return this.log(`task ${this.task.taskId} was taken back; not sent`);
    if ('output' in outcome)
      return this.send('completed', (api) => api.complete(this.task.taskId, this.token, outcome.output));
    const failure = this.failureOf(outcome.error);
    await this.send(`failed (${failure.code})`, (api) => api.fail(this.task.taskId, this.token, failure));
  }

  private failureOf(error: unknown): { code: string; message: string; retryable: boolean } {
    if (error instanceof TaskFailure) return { code: error.code, message: error.message, retryable: error.retryable };
    if (this.interruption === 'stopping')
      return { code: 'WORKER_STOPPED', message: 'the worker stopped before finishing: handed back', retryable: true };
    return { code: 'HANDLER_ERROR', message: error instanceof Error ? error.message : String(error), retryable: true };
  }

  private async send(what: string, outcome: (api: AgentApi) => Promise<TaskAnswer>): Promise<void> {
    const wait = Math.max(0, Date.parse(this.task.deadlineAt) - Date.now()) + DEADLINE_SLACK_MS;
    const giveUp = AbortSignal.any([this.abandon, AbortSignal.timeout(wait)]);
    try {
      const answer = await untilAnswered(
        () => outcome(this.api),
        giveUp,
        (error) => this.log(`task ${this.task.taskId}: ${error.message}; sending again`),
      );
      if (answer.ok) this.log(`${what} task ${this.task.taskId}`);
      else this.log(`task ${this.task.taskId} not ${what}: ${answer.refusal.code}: ${answer.refusal.message}`);
    } catch (error) {
      this.log(`task ${this.task.taskId} not ${what}: ${(error as Error).message}`);
    }
  }

  private context(): TaskContext {
    return {
      signal: this.interrupted.signal,
      heartbeat: async (progress) => {
        this.progress = progress ?? null;
        // While the server cannot be reached the handler goes on: the next automatic heartbeat carries the progress.
        await this.beat().catch((error) => {
          if (!(error instanceof UnreachableError)) throw error;
          this.log(`task ${this.task.taskId}: heartbeat not sent: ${error.message}`);
        });
      },
      fail: (code, message, options) => {
        throw new TaskFailure(code, message, options);
      },
      context: async () => (await this.api.delivery(this.task.handoffId))?.values ?? {},
    };
  }

  private async heartbeatLoop(stop: AbortSignal): Promise<void> {
    const every = this.task.heartbeatTimeoutMs ? Math.max(10, this.task.heartbeatTimeoutMs / 3) : IDLE_HEARTBEAT_MS;
    for (;;) {
      await pause(every, stop);
      if (stop.aborted || this.interruption) return;
      await this.beat().catch((error) => this.log(`task ${this.task.taskId}: heartbeat not sent: ${error.message}`));
    }
  }

  /** One heartbeat; a refusal means the task is no longer ours. */
  private async beat(): Promise<void> {
    if (this.interruption === 'taken back') return;
    const answer = await this.api.heartbeatTask(this.task.taskId, this.token, this.progress);
    if (!answer.ok) this.takeBack(`heartbeat refused: ${answer.refusal.code}`);
  }
}
