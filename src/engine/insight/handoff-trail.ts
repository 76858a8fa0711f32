import type { HandoffStatus } from '../kernel/handoff/handoff.js';
import type { HandoffEvent } from '../kernel/handoff/handoff-event.js';

/**
 * What the fold remembers of one handoff between its events: which procedure version it runs, its
 * status, when it began waiting to start, and when each step of this run began. Derived from the
 * handoff's own events alone, so after a crash it is rebuilt exactly by replaying them.
 */
export interface HandoffTrail {
  /** Null when neither its events nor the store say (a handoff deleted meanwhile). */
  procedureId: string | null;
  version: number;
  test: boolean;
  /** The status after the last event followed; null before its first. */
  status: HandoffStatus | null;
  /** When it last began waiting to start (PENDING); null while it is not waiting. */
  queuedAt: number | null;
  /** When this run started (HANDOFF_STARTED); null before. */
  runStartedAt: number | null;
  /** When each step's first attempt of this run started, by step id. */
  stepStarts: Record<string, number>;
  /** The back-off scheduled before each step's next attempt, by step id. */
  retryDelays: Record<string, number>;
}

export function newTrail(event: Pick<HandoffEvent, 'testId'>): HandoffTrail {
  return {
    procedureId: null,
    version: 0,
    test: event.testId != null,
    status: null,
    queuedAt: null,
    runStartedAt: null,
    stepStarts: {},
    retryDelays: {},
  };
}

/** The procedure a HANDOFF_CREATED event names (events stored before it named one say nothing). */
export function procedureNamedBy(event: HandoffEvent): { procedureId: string; version: number } | null {
  const data = event.data ?? {};
  return typeof data.procedureId === 'string' && typeof data.procedureVersion === 'number'
    ? { procedureId: data.procedureId, version: data.procedureVersion }
    : null;
}

/** Moves the trail past `event` (after the fold counted it against the trail as it was). */
export function followEvent(trail: HandoffTrail, event: HandoffEvent): void {
  switch (event.type) {
    case 'HANDOFF_CREATED': {
      const named = procedureNamedBy(event);
      if (named) Object.assign(trail, named);
      break;
    }
    case 'HANDOFF_REDRIVEN':
      trail.runStartedAt = null;
      trail.stepStarts = {};
      trail.retryDelays = {};
      break;
    case 'HANDOFF_STARTED':
      trail.runStartedAt = event.at;
      break;
    case 'STEP_STARTED':
    case 'STEP_WAITING':
      if (event.step && trail.stepStarts[event.step] === undefined) trail.stepStarts[event.step] = event.at;
      break;
    case 'STEP_RETRY_SCHEDULED':
      if (event.step) trail.retryDelays[event.step] = Number(event.data?.delayMs ?? 0);
      break;
  }
  if (event.status === 'PENDING' && trail.status !== 'PENDING') trail.queuedAt = event.at;
  if (event.status !== 'PENDING') trail.queuedAt = null;
  trail.status = event.status;
}
