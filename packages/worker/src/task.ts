/** A task offered to the worker's agent, as the worker claimed it. */
export interface Task {
  taskId: string;
  handoffId: string;
  /** The step (or compensation) id. */
  step: string;
  name: string;
  attempt: number;
  /** True when it undoes a step during a rollback. */
  compensation: boolean;
  /** What the procedure gives the agent to work on (the step's params.input). */
  input: unknown;
  /** The engine takes a claimed task back when no heartbeat comes for this long; the worker heartbeats for you. */
  heartbeatTimeoutMs: number | null;
  /** When the step's timeout ends the attempt (RFC 3339). */
  deadlineAt: string;
}

/** What a handler may do besides returning its output. */
export interface TaskContext {
  /** Aborts when the task is no longer yours (taken back, superseded) or the worker stops: stop working. */
  readonly signal: AbortSignal;
  /**
   * Sends a heartbeat now with progress details (a JSON value); later automatic heartbeats repeat them.
   * While the server cannot be reached it returns all the same (the next automatic heartbeat tries again).
   */
  heartbeat(progress?: unknown): Promise<void>;
  /** Fails the task with the agent's own code: throws a TaskFailure (retryable unless said otherwise). */
  fail(code: string, message: string, options?: { retryable?: boolean }): never;
  /** The context the task's handoff delivered to this agent (its inbox entry's values); {} when none. */
  context(): Promise<Record<string, unknown>>;
}

/** A handler's output: a JSON object, or nothing (null). */
export type TaskOutput = Record<string, unknown> | null | undefined;

/** Your agent's work: the output becomes the step's output. */
export type TaskHandler = (
  task: Task,
  context: TaskContext,
  // biome-ignore lint/suspicious/noConfusingVoidType: an async handler that returns nothing is a () => Promise<void>.
) => Promise<TaskOutput | void> | TaskOutput;

/** What a handoff delivered to the agent (its inbox entry for that handoff). */
export interface Delivery {
  handoffId: string;
  values: Record<string, unknown>;
  digest: string;
  acknowledged: boolean;
  withdrawnAt: string | null;
}
