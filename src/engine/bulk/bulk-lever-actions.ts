import { type Handoff, isFinal, runOf } from '../kernel/handoff/handoff.js';
import type { HandoffEventType } from '../kernel/handoff/handoff-event.js';
import { type BulkAction, type BulkActionServices, markedReason } from './bulk-action.js';
import { type BulkItemOutcome, bulkMark } from './bulk-operation.js';

/**
 * The operator's levers (retry, pause, resume) as bulk actions. Each recognises its own earlier
 * effect by the operation's mark on what it recorded (an event's reason, a pause request's reason),
 * so a batch run again after a crash counts it DONE and never acts on a handoff twice.
 */

const RETRYABLE: readonly string[] = ['FAILED', 'ROLLED_BACK', 'ROLLBACK_FAILED'];
const GOING: readonly string[] = ['PENDING', 'RUNNING', 'WAITING', 'PAUSED'];
const EVENT_PAGE = 500;

/** Whether the handoff's history holds an event of `type` whose reason carries `mark`. */
async function hasMarkedEvent(
  services: BulkActionServices,
  id: string,
  type: HandoffEventType,
  mark: string,
): Promise<boolean> {
  for (let afterSeq = 0; ; ) {
    const events = await services.history(id, afterSeq, EVENT_PAGE);
    if (events.some((event) => event.type === type && String(event.data?.reason ?? '').includes(mark))) return true;
    if (events.length < EVENT_PAGE) return false;
    afterSeq = events.at(-1)!.seq;
  }
}

/**
 * Retry (redrive from the default restart point, as retryHandoff without fromStep): done when this
 * operation redrove it (its HANDOFF_REDRIVEN event carries the mark); skipped when it is going
 * (PENDING, RUNNING, WAITING or PAUSED: already running again); refused otherwise (COMPLETED,
 * CANCELLED, ROLLING_BACK, or failed after a cancel). The redrive names the run it saw, so a handoff
 * retried by someone else meanwhile is never started twice.
 */
export const retryAction: BulkAction = {
  role: 'operator',
  async apply(handoff, operation, services) {
    const mark = bulkMark(operation.id);
    // Redriven by this operation before a restart (perhaps failed again since): not again.
    if (runOf(handoff) > 1 && (await hasMarkedEvent(services, handoff.id, 'HANDOFF_REDRIVEN', mark))) return 'DONE';
    if (!RETRYABLE.includes(handoff.status)) return GOING.includes(handoff.status) ? 'SKIPPED' : 'REFUSED';
    const outcome = await services.redrive(
      handoff.id,
      { expectedRun: runOf(handoff), reason: markedReason(operation), metadataPatch: operation.metadataPatch ?? null },
      operation.requestedBy,
    );
    if (outcome.ok) return 'DONE';
    // Refused (a cancel recorded, its procedure gone, metadata too large after the patch) or raced: judge it as it is now.
    const now = await services.get(handoff.id);
    return now && outcome.errors[0]?.code === 'VERSION_CONFLICT' && GOING.includes(now.status) ? 'SKIPPED' : 'REFUSED';
  },
};

const PAUSABLE: readonly string[] = ['PENDING', 'RUNNING', 'WAITING'];

/**
 * Pause (pauseHandoff with the operation's reason and mark): done when this operation's pause request
 * is recorded (asked, taken, or taken and resumed since); skipped when it is PAUSED or a pause is asked
 * for by someone else; refused when it is finished, rolling back, or being cancelled.
 */
export const pauseAction: BulkAction = {
  role: 'operator',
  async apply(handoff, operation, services) {
    const mark = bulkMark(operation.id);
    const classify = async (current: Handoff): Promise<BulkItemOutcome | null> => {
      const request = await services.pauseRequestOf(current.id);
      if (request?.reason?.includes(mark)) return 'DONE';
      if (current.status === 'PAUSED') return 'SKIPPED';
      if (!PAUSABLE.includes(current.status)) return 'REFUSED';
      if (request && request.number > (current.pausesHonoured ?? 0)) return 'SKIPPED';
      return null;
    };
    const before = await classify(handoff);
    if (before) return before;
    const outcome = await services.pause(handoff.id, markedReason(operation), operation.requestedBy);
    if (!outcome.ok) return 'REFUSED';
    // pauseHandoff answers the same for a pause someone else asked for first: tell which it was.
    return (await classify(outcome.value)) ?? 'REFUSED';
  },
};

/**
 * Resume (resumeHandoff, or the withdrawal of a pause not yet taken): done when this operation resumed
 * it or withdrew its pause (its HANDOFF_RESUMED event, or the withdrawal, carries the mark); skipped
 * when it is going with no pause to undo; refused when it is finished or rolling back.
 */
export const resumeAction: BulkAction = {
  role: 'operator',
  async apply(handoff, operation, services) {
    const mark = bulkMark(operation.id);
    const resumedHere = async () =>
      (await services.pauseRequestOf(handoff.id))?.reason?.includes(mark) ||
      (await hasMarkedEvent(services, handoff.id, 'HANDOFF_RESUMED', mark));
    // Resumed by this operation before a restart: not again, even if paused once more since.
    if (await resumedHere()) return 'DONE';
    if (isFinal(handoff.status) || handoff.status === 'ROLLING_BACK') return 'REFUSED';
    const outcome = await services.resume(handoff.id, operation.requestedBy, markedReason(operation));
    if (outcome.ok) return 'DONE';
    // Nothing to resume: going already (or it finished meanwhile).
    const now = await services.get(handoff.id);
    return now && GOING.includes(now.status) ? 'SKIPPED' : 'REFUSED';
  },
};
