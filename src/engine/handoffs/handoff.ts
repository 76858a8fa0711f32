import type { StepKind } from '../procedures/procedure.js';

export const HANDOFF_STATUSES = [
  'PENDING',
  'RUNNING',
  'WAITING',
  'COMPLETED',
  'FAILED',
  'ROLLING_BACK',
  'ROLLED_BACK',
  'ROLLBACK_FAILED',
  'CANCELLED',
] as const;
export type HandoffStatus = (typeof HANDOFF_STATUSES)[number];

export const FINAL_STATUSES: ReadonlySet<HandoffStatus> = new Set(['COMPLETED', 'FAILED', 'ROLLED_BACK', 'ROLLBACK_FAILED', 'CANCELLED']);

export function isFinal(status: HandoffStatus): boolean {
  return FINAL_STATUSES.has(status);
}

/** The statuses a handoff can still leave: it is waiting to run, running, or rolling back. */
export const UNFINISHED_STATUSES: readonly HandoffStatus[] = HANDOFF_STATUSES.filter((status) => !isFinal(status));

export const HANDOFF_TYPES = ['PHASE_TRANSITION', 'AGENT_HANDOFF', 'TASK_DELEGATION', 'ESCALATION', 'RECOVERY'] as const;
export type HandoffType = (typeof HANDOFF_TYPES)[number];

export const PRIORITIES = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const STEP_STATUSES = [
  'PENDING',
  'RUNNING',
  'WAITING',
  'SUCCEEDED',
  'FAILED',
  'COMPENSATING',
  'COMPENSATED',
  'COMPENSATION_FAILED',
] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

/** How one step of one handoff went. */
export interface StepRun {
  id: string;
  name: string;
  kind: StepKind;
  status: StepStatus;
  /** Attempts started so far, the one running included. */
  attempts: number;
  /**
   * Attempts of its compensation started so far (stored before each runs, so restarts cannot exceed
   * the policy). Absent in handoffs stored before they were counted: read it as 0.
   */
  compensationAttempts?: number;
  startedAt: number | null;
  finishedAt: number | null;
  /** Last failure, kept after a later success for the record. */
  error: string | null;
  /** What the step produced (e.g. transferred keys and their digest). */
  output: Record<string, unknown> | null;
  /** When the next attempt is due while a retry waits. */
  retryAt: number | null;
  /** When the current attempt started (a wait resumed after a restart keeps to what is left of its timeout). */
  attemptStartedAt?: number | null;
}

/** Marks work started by a reliability test so production metrics can leave it out. */
export interface TestTag {
  testId: string;
}

/** One execution of a procedure, from one agent or phase to the next. */
export interface Handoff {
  /** The client's idempotency key; also the handoff's identity. */
  id: string;
  procedureId: string;
  /** The procedure version this run is pinned to. */
  procedureVersion: number;
  type: HandoffType;
  priority: Priority;
  sourcePhase: string | null;
  targetPhase: string | null;
  sourceAgent: string | null;
  targetAgent: string | null;
  metadata: Record<string, unknown>;
  status: HandoffStatus;
  steps: StepRun[];
  /** Index of the step being run (or next to run). */
  currentStep: number;
  error: string | null;
  /** Why it was cancelled, once a cancel has been requested. */
  cancelReason: string | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  /** Compare-and-set guard: bumped by every transition. */
  version: number;
  /** Sequence number of the last event. */
  seq: number;
  test: TestTag | null;
}

export function durationMs(handoff: Pick<Handoff, 'startedAt' | 'finishedAt'>): number | null {
  return handoff.startedAt !== null && handoff.finishedAt !== null ? handoff.finishedAt - handoff.startedAt : null;
}
