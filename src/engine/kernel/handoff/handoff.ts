import type { StepKind } from '../procedures/procedure.js';

export const HANDOFF_STATUSES = [
  'PENDING',
  'RUNNING',
  'WAITING',
  'PAUSED',
  'COMPLETED',
  'FAILED',
  'ROLLING_BACK',
  'ROLLED_BACK',
  'ROLLBACK_FAILED',
  'CANCELLED',
] as const;
export type HandoffStatus = (typeof HANDOFF_STATUSES)[number];

export const FINAL_STATUSES: ReadonlySet<HandoffStatus> = new Set([
  'COMPLETED',
  'FAILED',
  'ROLLED_BACK',
  'ROLLBACK_FAILED',
  'CANCELLED',
]);

export function isFinal(status: HandoffStatus): boolean {
  return FINAL_STATUSES.has(status);
}

/** The statuses a handoff can still leave: it is waiting to run, running, paused, or rolling back. */
export const UNFINISHED_STATUSES: readonly HandoffStatus[] = HANDOFF_STATUSES.filter((status) => !isFinal(status));

/**
 * Unfinished statuses a runner picks up by itself (at start-up, or as an orphan): all but PAUSED,
 * which only resumeHandoff (or a cancel) sets going again.
 */
export const RESUMABLE_STATUSES: readonly HandoffStatus[] = UNFINISHED_STATUSES.filter((status) => status !== 'PAUSED');

export const HANDOFF_TYPES = [
  'PHASE_TRANSITION',
  'AGENT_HANDOFF',
  'TASK_DELEGATION',
  'ESCALATION',
  'RECOVERY',
] as const;
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
  'SKIPPED',
  'CANCELLED',
] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

/** One branch of a step run once per item of a list (see ForEach): which step, which item. */
export interface StepBranch {
  /** The id of the step it is a branch of. */
  of: string;
  /** Its position in the list (its step id is `<of>[<index>]`). */
  index: number;
  item: unknown;
}

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
  /** The code of the last failure (HTTP_400, TIMEOUT, VALIDATION_FAILED…; see step-error-code.ts). */
  errorCode?: string | null;
  /** What the step produced (e.g. transferred keys and their digest). */
  output: Record<string, unknown> | null;
  /** When the next attempt is due while a retry waits. */
  retryAt: number | null;
  /** When the current attempt started (a wait resumed after a restart keeps to what is left of its timeout). */
  attemptStartedAt?: number | null;
  /**
   * While the attempt (or the compensation attempt) in flight waits holding no execution slot: what
   * for, and what it keeps until it goes on (see StepWait). Absent or null otherwise.
   */
  wait?: StepWait | null;
  /** Set on the branches of a step run once per item (they follow the procedure's steps in `steps`). */
  branch?: StepBranch | null;
  /** Set on a step run once per item once its branches were added: how many. Its status is RUNNING until its join is met. */
  fanOut?: { branches: number } | null;
  /** Why it was SKIPPED (its condition was false, or what it waited for was skipped) or CANCELLED. */
  skipReason?: string | null;
}

/** Whether an attempt of the step is under way (running or waiting); a step whose branches run has none itself. */
export function attemptInFlight(step: Pick<StepRun, 'status' | 'fanOut'>): boolean {
  return (step.status === 'RUNNING' || step.status === 'WAITING') && !step.fanOut;
}

/** The id of branch `index` of step `of`: brackets, which no step id may hold. */
export function branchStepId(of: string, index: number): string {
  return `${of}[${index}]`;
}

/** The procedure step an id names: itself, or for a branch's id the step it is a branch of. */
export function procedureStepIdOf(id: string): string {
  return id.replace(/\[\d+\]$/, '');
}

/**
 * A suspended attempt: the signal it waits for (`on`), the time it must be looked at again by
 * (`until`: what it asked for, or its timeout, whichever comes first), and what it keeps meanwhile.
 */
export interface StepWait {
  on: string | null;
  until: number;
  data: Record<string, unknown> | null;
  /** When the attempt it belongs to started: its timeout counts from then. */
  startedAt: number;
}

/**
 * The handoff and step that started a handoff as a sub-handoff, and the signal to record on that handoff
 * when this one finishes (so its waiting step goes on).
 */
export interface HandoffParent {
  handoffId: string;
  stepId: string;
  notice: string;
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
  /** Every step, in procedure order, then the branches of steps run once per item, in the order they were added. */
  steps: StepRun[];
  /** Index of the step being run (or next to run); on a graph, of the step started last. */
  currentStep: number;
  error: string | null;
  /** The code of why it failed or was cancelled (the failing step's code, CANCELLED, DEADLINE_EXCEEDED…). */
  errorCode?: string | null;
  /** Why it was cancelled, once a cancel has been requested. */
  cancelReason: string | null;
  /**
   * Run number: 1 for the first run, bumped by every redrive. Absent in handoffs stored before
   * redrives existed: read it as 1.
   */
  run?: number;
  /** Its overall time limit (from initiateHandoff, else the procedure's), restarted by a redrive. */
  deadlineMs?: number | null;
  /** When the handoff is cancelled and rolled back for taking too long (moved on by time spent PAUSED). */
  deadlineAt?: number | null;
  /** While PAUSED: when and why, and the status resuming it goes back to. */
  pause?: PauseRecord | null;
  /** Pause requests honoured so far: a recorded request with a higher number is still to honour. */
  pausesHonoured?: number;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  /**
   * When its latest transition was stored (creation counts), set by the store: what UPDATED_AT order
   * sorts on. Absent in handoffs stored before it was kept: read it with updatedAtOf.
   */
  updatedAt?: number;
  /** Compare-and-set guard: bumped by every transition. */
  version: number;
  /** Sequence number of the last event. */
  seq: number;
  test: TestTag | null;
  /** Set on a sub-handoff: who started it. */
  parent?: HandoffParent | null;
  /** Set when its parent's rollback asked this COMPLETED handoff to undo its steps (see requestRevert). */
  revertRequest?: { at: number; reason: string } | null;
}

/** What a PAUSED handoff remembers of its pause. */
export interface PauseRecord {
  at: number;
  reason: string | null;
  /** Who paused it (an actor as recorded on events), if known. */
  actor: unknown;
}

/** When a handoff last changed; for one stored before that was kept, as the stores derived it then. */
export function updatedAtOf(handoff: Pick<Handoff, 'updatedAt' | 'finishedAt' | 'startedAt' | 'createdAt'>): number {
  return handoff.updatedAt ?? handoff.finishedAt ?? handoff.startedAt ?? handoff.createdAt;
}

/** The run number of a handoff (1 before any redrive). */
export function runOf(handoff: Pick<Handoff, 'run'>): number {
  return handoff.run ?? 1;
}

export function durationMs(handoff: Pick<Handoff, 'startedAt' | 'finishedAt'>): number | null {
  return handoff.startedAt !== null && handoff.finishedAt !== null ? handoff.finishedAt - handoff.startedAt : null;
}
