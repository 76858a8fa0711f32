import type { Page, PageRequest } from '../kernel/ports/page.js';
import type { AgentTask, AgentTaskAnswer, AgentTaskFailure, AgentTaskStatus, WithdrawCause } from './agent-task.js';

export interface AgentTaskFilter {
  agentId: string;
  statuses?: AgentTaskStatus[];
}

/**
 * Agent tasks. Every change an agent or the engine makes is one guarded transition (a
 * compare-and-set on the stored task); each names what it expects and returns null, changing
 * nothing, when the task is not in that state any more:
 *
 * | transition | expects                                   | writes                              |
 * |------------|-------------------------------------------|-------------------------------------|
 * | offer      | no task with its id                       | OFFERED; open tasks of the same action → WITHDRAWN (SUPERSEDED) |
 * | claim      | OFFERED                                   | CLAIMED, tokenDigest, claimedAt/By, lastHeartbeatAt |
 * | takeOver   | CLAIMED by the claimer, last heartbeat still the one judged stale | tokenDigest, lastHeartbeatAt |
 * | heartbeat  | CLAIMED with tokenDigest                  | lastHeartbeatAt, progress           |
 * | complete   | CLAIMED with tokenDigest                  | COMPLETED, output, finishedAt       |
 * | fail       | CLAIMED with tokenDigest                  | FAILED, failure, finishedAt         |
 * | withdraw   | OFFERED or CLAIMED (and, for a heartbeat timeout, the heartbeat it judged stale) | WITHDRAWN, withdrawal, finishedAt |
 * | ask        | CLAIMED with tokenDigest                  | question (its seq one past the last), lastHeartbeatAt |
 * | answer     | CLAIMED, its question's seq is answer.seq and not answered yet | answer |
 */
export interface AgentTaskStore {
  /** Stores a new offer and withdraws the open tasks of earlier attempts of the same action; returns those. */
  offer(task: AgentTask, at: number): Promise<{ superseded: AgentTask[] }>;
  get(id: string): Promise<AgentTask | null>;
  getMany(ids: readonly string[]): Promise<(AgentTask | null)[]>;
  /** Open tasks of a handoff. */
  openOf(handoffId: string): Promise<AgentTask[]>;
  /** Every task offered for one step (or compensation) of a handoff, by attempt. */
  ofAction(handoffId: string, actionId: string): Promise<AgentTask[]>;
  claim(id: string, tokenDigest: string, by: string, at: number): Promise<AgentTask | null>;
  /** A claim taken over by its claimer under a new token, while its last heartbeat is still `staleHeartbeatAt`. */
  takeOver(
    id: string,
    by: string,
    staleHeartbeatAt: number | null,
    tokenDigest: string,
    at: number,
  ): Promise<AgentTask | null>;
  heartbeat(id: string, tokenDigest: string, progress: unknown, at: number): Promise<AgentTask | null>;
  complete(
    id: string,
    tokenDigest: string,
    output: Record<string, unknown> | null,
    at: number,
  ): Promise<AgentTask | null>;
  fail(id: string, tokenDigest: string, failure: AgentTaskFailure, at: number): Promise<AgentTask | null>;
  /** `staleHeartbeatAt`: withdraw only a CLAIMED task whose last heartbeat is still that one. */
  withdraw(
    id: string,
    cause: WithdrawCause,
    reason: string,
    at: number,
    staleHeartbeatAt?: number,
  ): Promise<AgentTask | null>;
  /**
   * Stores the worker's question (numbered one past the last); counts as a heartbeat, and replaces
   * the progress details in the same write when `progress` is given.
   */
  ask(
    id: string,
    tokenDigest: string,
    question: { text: string; data: unknown },
    at: number,
    progress?: unknown,
  ): Promise<AgentTask | null>;
  /** Stores the answer to the open question `answer.seq`; null when that question is not open (answered, replaced, task done). */
  answer(id: string, answer: AgentTaskAnswer): Promise<AgentTask | null>;
  /**
   * Up to `limit` CLAIMED tasks with a heartbeat timeout whose last heartbeat is older than that
   * timeout at `now`: the scheduler's due work takes them back.
   */
  silent(now: number, limit: number): Promise<AgentTask[]>;
  /** Deletes every task of these handoffs (retention deletes the handoffs next); returns how many. */
  deleteOfHandoffs(handoffIds: readonly string[]): Promise<number>;
  /** An agent's tasks, newest offer first. */
  page(filter: AgentTaskFilter, request: PageRequest): Promise<Page<AgentTask>>;
  count(filter: AgentTaskFilter): Promise<number>;
}

/** The statuses an agent can still act on: what an adapter's open-task queries filter on. */
export { OPEN_TASK_STATUSES } from './agent-task.js';
