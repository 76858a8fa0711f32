import type { Handoff, Priority } from '../handoff/handoff.js';

export const HANDOFF_ORDER_FIELDS = ['CREATED_AT', 'UPDATED_AT', 'PRIORITY'] as const;
export type HandoffOrderField = (typeof HANDOFF_ORDER_FIELDS)[number];

export const SORT_DIRECTIONS = ['ASC', 'DESC'] as const;
export type SortDirection = (typeof SORT_DIRECTIONS)[number];

/**
 * How a handoff list is sorted. Every order ends with the handoff id as a tiebreak, so a keyset
 * cursor (the sort key and the id of the last row seen) names one position exactly.
 *
 * - CREATED_AT: by creation time. The key never changes, so paging never repeats or skips a handoff.
 * - PRIORITY: by priority (LOW < MEDIUM < HIGH < CRITICAL), then creation time, in the same
 *   direction. The key never changes either.
 * - UPDATED_AT: by the time of the latest stored transition. A handoff that changes while a client
 *   pages moves: it is read where its key is when the page is read, so it may come again (ASC) or be
 *   passed over (DESC). Walking ASC from a saved cursor returns every handoff changed since.
 */
export interface HandoffOrder {
  field: HandoffOrderField;
  direction: SortDirection;
}

export const DEFAULT_HANDOFF_ORDER: HandoffOrder = { field: 'CREATED_AT', direction: 'DESC' };

/** Priorities as numbers that sort in queue order (higher runs first). */
export const PRIORITY_RANK: Readonly<Record<Priority, number>> = { LOW: 0, MEDIUM: 1, HIGH: 2, CRITICAL: 3 };

/** A stored handoff's sort values that the orders read, besides its id. */
export interface HandoffSortValues {
  createdAt: number;
  updatedAt: number;
  priorityRank: number;
}

/** The key of `order` for one handoff, most significant first (the id comes after it). */
export function sortKey(order: HandoffOrder, values: HandoffSortValues): number[] {
  switch (order.field) {
    case 'CREATED_AT':
      return [values.createdAt];
    case 'UPDATED_AT':
      return [values.updatedAt];
    case 'PRIORITY':
      return [values.priorityRank, values.createdAt];
  }
}

/** How many numbers the key of `order` has. */
export function sortKeyLength(order: HandoffOrder): number {
  return order.field === 'PRIORITY' ? 2 : 1;
}

/**
 * Whether a step of the handoff is retrying: its last attempt failed and another is waiting
 * (retryAt set), or a second or later attempt is under way, and the step has not finished.
 */
export function hasRetryingStep(handoff: Pick<Handoff, 'steps'>): boolean {
  return handoff.steps.some(
    (step) =>
      step.finishedAt === null &&
      ['PENDING', 'RUNNING', 'WAITING'].includes(step.status) &&
      (step.retryAt !== null || step.attempts > 1),
  );
}
