import type { Actor } from '../shared/actor.js';

/**
 * A piece of a handoff's work that the engine does not do itself: one attempt of an `agent_task`
 * step (or compensation), offered to one agent, claimed by one of its workers under a token, kept
 * alive by heartbeats, and completed or failed by that worker.
 */

export const AGENT_TASK_STATUSES = ['OFFERED', 'CLAIMED', 'COMPLETED', 'FAILED', 'WITHDRAWN'] as const;
export type AgentTaskStatus = (typeof AGENT_TASK_STATUSES)[number];

/** The statuses an agent can still act on. */
export const OPEN_TASK_STATUSES: readonly AgentTaskStatus[] = ['OFFERED', 'CLAIMED'];

export function isOpenTask(task: Pick<AgentTask, 'status'>): boolean {
  return OPEN_TASK_STATUSES.includes(task.status);
}

/** Why the engine took a task back. */
export const WITHDRAW_CAUSES = [
  'STEP_TIMEOUT',
  'HEARTBEAT_TIMEOUT',
  'CANCELLED',
  'SUPERSEDED',
  'SHUTDOWN',
  'HANDOFF_FINISHED',
] as const;
export type WithdrawCause = (typeof WITHDRAW_CAUSES)[number];

export interface AgentTaskFailure {
  /** The agent's own error code, e.g. "QUOTA_EXCEEDED". */
  code: string;
  message: string;
  /** False: another attempt cannot help, so the step fails for good (Temporal's non-retryable error). */
  retryable: boolean;
}

/**
 * What a worker asked while holding a task (an A2A agent's `input-required`): the task stays
 * claimed and its step WAITING until someone answers through signalHandoff.
 */
export interface AgentTaskQuestion {
  /** 1, 2, 3… per task: an answer names the question it answers. */
  seq: number;
  /** The question in words. */
  text: string;
  /** Structured details the worker sent with it (a form, choices…). */
  data: unknown;
  askedAt: number;
}

/** The answer to a task's question, given through signalHandoff on its step. */
export interface AgentTaskAnswer {
  /** The question it answers. */
  seq: number;
  /** APPROVE carries the payload to the worker; REJECT ends the task (the step fails for good). */
  outcome: 'APPROVE' | 'REJECT';
  payload: unknown;
  reason: string | null;
  actor: Actor | null;
  answeredAt: number;
}

export interface AgentTask {
  /** Unique per offer (a new attempt is a new task). */
  id: string;
  handoffId: string;
  /** The step or compensation id. */
  actionId: string;
  /** The step or compensation name. */
  name: string;
  /** True when it undoes a step during a rollback. */
  compensation: boolean;
  attempt: number;
  agentId: string;
  /** What the procedure gives the agent to work on (params.input). */
  input: unknown;
  /** A claimed task whose last heartbeat is older than this is taken back; null: no heartbeats needed. */
  heartbeatTimeoutMs: number | null;
  status: AgentTaskStatus;
  offeredAt: number;
  /** When the attempt's step timeout ends it, claimed or not. */
  deadlineAt: number;
  claimedAt: number | null;
  /** The API key's name that claimed it. */
  claimedBy: string | null;
  /** SHA-256 (hex) of the claim token: the token itself is only ever given to the claimer. */
  tokenDigest: string | null;
  lastHeartbeatAt: number | null;
  /** The latest progress details a heartbeat sent. */
  progress: unknown;
  finishedAt: number | null;
  output: Record<string, unknown> | null;
  failure: AgentTaskFailure | null;
  withdrawal: { cause: WithdrawCause; reason: string } | null;
  /** The last question the worker asked; open while `answer` does not answer it (see hasOpenQuestion). */
  question: AgentTaskQuestion | null;
  /** The answer to the last question answered. */
  answer: AgentTaskAnswer | null;
  /**
   * The W3C trace context of the attempt's span when tracing is on (null otherwise, and on tasks
   * offered before it was recorded): the A2A bridge sends it with every call it makes for the task,
   * and any worker may, to continue the handoff's trace.
   */
  traceparent: string | null;
}

/** True when the task's worker waits for an answer to its last question. */
export function hasOpenQuestion(task: Pick<AgentTask, 'status' | 'question' | 'answer'>): boolean {
  return task.status === 'CLAIMED' && task.question !== null && task.answer?.seq !== task.question.seq;
}

/** The signal an attempt waits for (see HandoffRunner.awaitSignal): named per task, so no other attempt's outcome is mistaken for it. */
export function taskSignalName(task: Pick<AgentTask, 'id'>): string {
  return `task:${task.id}`;
}
