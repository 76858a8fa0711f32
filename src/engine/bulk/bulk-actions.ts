import { isFinal } from '../kernel/handoff/handoff.js';
import { type BulkAction, markedReason } from './bulk-action.js';
import { pauseAction, resumeAction, retryAction } from './bulk-lever-actions.js';
import { type BulkActionName, bulkMark } from './bulk-operation.js';

export type { BulkAction, BulkActionServices } from './bulk-action.js';
export { BULK_ACTION_NAMES, type BulkActionName } from './bulk-operation.js';

/** Cancel: skipped when a cancel is already recorded by someone else; refused once final or rolling back. */
const cancel: BulkAction = {
  role: 'operator',
  async apply(handoff, operation, services) {
    const mark = bulkMark(operation.id);
    const recorded = await services.cancelRequestOf(handoff.id);
    if (recorded) return recorded.reason.includes(mark) ? 'DONE' : 'SKIPPED';
    if (isFinal(handoff.status) || handoff.status === 'ROLLING_BACK') return 'REFUSED';
    const outcome = await services.cancel(handoff.id, markedReason(operation));
    if (outcome.ok) return 'DONE';
    // It moved on between the read and the cancel: finished, or someone else's cancel got there first.
    const after = await services.cancelRequestOf(handoff.id);
    return after && !after.reason.includes(mark) ? 'SKIPPED' : 'REFUSED';
  },
};

/** Every bulk action by name: adding one is one entry here (and its description in the schema). */
export const BULK_ACTIONS = {
  CANCEL: cancel,
  RETRY: retryAction,
  PAUSE: pauseAction,
  RESUME: resumeAction,
} as const satisfies Record<BulkActionName, BulkAction>;
