import { type Handoff, isFinal } from '../handoffs/handoff.js';
import type { Outcome } from '../shared/user-error.js';
import { type BulkItemOutcome, type BulkOperation, bulkMark } from './bulk-operation.js';

/** What bulk actions need of the handoff service: the single actions, with their own guards. */
export interface BulkActionServices {
  cancel(id: string, reason: string): Promise<Outcome<Handoff>>;
  /** The cancel recorded on a handoff (its reason), if any. */
  cancelRequestOf(id: string): Promise<{ reason: string } | null>;
}

/**
 * One action over one handoff. It must recognise its own earlier effect (the operation's mark on
 * what it recorded) and count it DONE: a batch interrupted by a crash runs again after a restart,
 * and must neither act twice nor count a handoff twice.
 */
export interface BulkAction {
  /** The role a caller needs to start it: the one the single action needs. */
  role: 'operator' | 'admin';
  apply(handoff: Handoff, operation: BulkOperation, services: BulkActionServices): Promise<BulkItemOutcome>;
}

/** Cancel: skipped when a cancel is already recorded by someone else; refused once final or rolling back. */
const cancel: BulkAction = {
  role: 'operator',
  async apply(handoff, operation, services) {
    const mark = bulkMark(operation.id);
    const recorded = await services.cancelRequestOf(handoff.id);
    if (recorded) return recorded.reason.includes(mark) ? 'DONE' : 'SKIPPED';
    if (isFinal(handoff.status) || handoff.status === 'ROLLING_BACK') return 'REFUSED';
    const outcome = await services.cancel(handoff.id, `${operation.reason} ${mark}`.slice(-500));
    if (outcome.ok) return 'DONE';
    // It moved on between the read and the cancel: finished, or someone else's cancel got there first.
    const after = await services.cancelRequestOf(handoff.id);
    return after && !after.reason.includes(mark) ? 'SKIPPED' : 'REFUSED';
  },
};

/** Every bulk action by name: adding one (retry, pause, resume) is one entry here. */
export const BULK_ACTIONS = { CANCEL: cancel } as const satisfies Record<string, BulkAction>;
export type BulkActionName = keyof typeof BULK_ACTIONS;
export const BULK_ACTION_NAMES = Object.keys(BULK_ACTIONS) as BulkActionName[];
