import type { HandoffStatus } from './handoff.js';

export const HANDOFF_EVENT_TYPES = [
  'HANDOFF_CREATED',
  'GATES_PASSED',
  'GATES_FAILED',
  'HANDOFF_STARTED',
  'STEP_STARTED',
  'STEP_WAITING',
  'STEP_SIGNALLED',
  'STEP_SUCCEEDED',
  'STEP_FAILED',
  'STEP_RETRY_SCHEDULED',
  'STEP_SKIPPED',
  'STEP_FANNED_OUT',
  'STEP_CANCELLED',
  'HANDOFF_INTERRUPTED',
  'HANDOFF_PAUSED',
  'HANDOFF_RESUMED',
  'HANDOFF_REDRIVEN',
  'ROLLBACK_STARTED',
  'COMPENSATION_STARTED',
  'COMPENSATION_RETRY_SCHEDULED',
  'COMPENSATION_SUCCEEDED',
  'COMPENSATION_FAILED',
  'HANDOFF_COMPLETED',
  'HANDOFF_FAILED',
  'HANDOFF_ROLLED_BACK',
  'HANDOFF_ROLLBACK_FAILED',
  'HANDOFF_CANCELLED',
] as const;
export type HandoffEventType = (typeof HANDOFF_EVENT_TYPES)[number];

/** The event that records each final status: the last event of a handoff. */
export const FINAL_EVENT_BY_STATUS = {
  COMPLETED: 'HANDOFF_COMPLETED',
  FAILED: 'HANDOFF_FAILED',
  ROLLED_BACK: 'HANDOFF_ROLLED_BACK',
  ROLLBACK_FAILED: 'HANDOFF_ROLLBACK_FAILED',
  CANCELLED: 'HANDOFF_CANCELLED',
} as const satisfies Partial<Record<HandoffStatus, HandoffEventType>>;

const FINAL_EVENT_TYPES: ReadonlySet<string> = new Set(Object.values(FINAL_EVENT_BY_STATUS));

/** Whether `event` is a handoff's last one (it records a final status). */
export function isFinalEvent(event: { type: string }): boolean {
  return FINAL_EVENT_TYPES.has(event.type);
}

/** The part of an event the runner decides; numbering and time are added when it is stored. */
export interface HandoffEventDraft {
  type: HandoffEventType;
  /** The step id the event is about, if any (a branch's: `<step>[<index>]`). */
  step: string | null;
  /** For an event about a branch of a step run once per item: the branch's index. */
  branch?: number;
  message: string;
  attempt?: number;
  durationMs?: number;
  data?: Record<string, unknown>;
}

/** One entry of a handoff's append-only history. */
export interface HandoffEvent extends HandoffEventDraft {
  handoffId: string;
  seq: number;
  /** The run it belongs to: 1, then one more after every redrive (absent in events stored before: 1). */
  run?: number;
  /** The handoff's status right after this event. */
  status: HandoffStatus;
  at: number;
  /** Set when the handoff is reliability-test traffic. */
  testId: string | null;
}
