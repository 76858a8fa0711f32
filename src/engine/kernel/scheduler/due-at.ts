import { attemptInFlight, type Handoff, isFinal } from '../handoff/handoff.js';

/** Step statuses whose stored times (a retry's, a wait's) say when the handoff must be looked at again. */
const TIMED_STEP_STATUSES = new Set(['PENDING', 'RUNNING', 'WAITING', 'COMPENSATING']);

/**
 * When a handoff nobody holds must next be taken by a runner if nothing else happens to it: the
 * scheduler's due time, stored with the state that makes it due (in the same write). A queued
 * handoff is due at once; one that waits is due at the earliest of its steps' retry times and wait
 * ends (a wait's end includes its attempt's timeout) and its deadline; a signal or cancel recorded
 * meanwhile makes it due at once (the store does that). null: never by itself (final, or PAUSED:
 * only a lever or a cancel moves it on).
 */
export function dueAtOf(handoff: Handoff, now: number): number | null {
  if (isFinal(handoff.status) || handoff.status === 'PAUSED') return null;
  if (handoff.status === 'PENDING') return now;
  const times: number[] = [];
  // A deadline cancels and rolls back; once rolling back there is nothing left for it to do.
  if (handoff.deadlineAt != null && handoff.status !== 'ROLLING_BACK') times.push(handoff.deadlineAt);
  for (const step of handoff.steps) {
    // An attempt in flight that nobody runs (a run handed back mid-way): it goes on at once. (A step whose
    // branches run is not one: its branches carry the times.)
    if (attemptInFlight(step) && (step.status === 'RUNNING' || !step.wait)) return now;
    if (!TIMED_STEP_STATUSES.has(step.status)) continue;
    if (step.retryAt != null) times.push(step.retryAt);
    if (step.wait) times.push(step.wait.until);
  }
  // Nothing it waits for (a run handed back mid-way): due at once.
  return times.length > 0 ? Math.min(...times) : now;
}
