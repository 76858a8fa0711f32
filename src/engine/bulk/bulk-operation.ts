import type { HandoffFilter } from '../kernel/ports/handoff-store.js';
import type { Actor } from '../shared/actor.js';

/** The actions a bulk operation can apply (each is an entry of BULK_ACTIONS, in bulk-actions.ts). */
export const BULK_ACTION_NAMES = ['CANCEL', 'RETRY', 'PAUSE', 'RESUME'] as const;
export type BulkActionName = (typeof BULK_ACTION_NAMES)[number];

export const BULK_OPERATION_STATUSES = ['RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED'] as const;
export type BulkOperationStatus = (typeof BULK_OPERATION_STATUSES)[number];

/** What one handoff came to under a bulk action. */
export type BulkItemOutcome = 'DONE' | 'SKIPPED' | 'REFUSED';

/**
 * One action applied to every handoff a filter matched when it started, in batches, with its
 * progress stored after each batch so a restart picks it up where it was.
 *
 * Transitions (each one compare-and-set on `version` and the lease, see BulkOperationStore):
 * RUNNING → RUNNING (a batch recorded), RUNNING → COMPLETED (nothing left), RUNNING → FAILED (an
 * unexpected error, recorded in `error`), RUNNING → CANCELLED (cancelBulkOperation; the lease is
 * dropped, so the driver's next record fails and it stops, adding the counts of the batch it was in).
 */
export interface BulkOperation {
  id: string;
  action: BulkActionName;
  /** The filter as the client gave it (JSON), for people to read. */
  filterAsGiven: unknown;
  /**
   * What every batch reads: the query resolved when the operation started (its clock and the agent
   * registry then), bounded by the newest matching handoff then (`upTo`). Null: nothing matched.
   */
  filter: HandoffFilter | null;
  /** RETRY only: top-level metadata keys set on each handoff before its new run (null removes a key). */
  metadataPatch?: Record<string, unknown> | null;
  /** Why, as the client said; recorded on each handoff acted on. */
  reason: string;
  status: BulkOperationStatus;
  /** Handoffs matching when it started. */
  total: number;
  done: number;
  skipped: number;
  refused: number;
  /** Opaque cursor (CREATED_AT ASC) after the last handoff recorded; null before the first batch. */
  cursor: string | null;
  requestedBy: Actor | null;
  startedAt: number;
  finishedAt: number | null;
  error: string | null;
  version: number;
  /** The process driving it and until when, unless it renews. */
  lease: { owner: string; expiresAt: number } | null;
}

export const isBulkOperationFinished = (operation: Pick<BulkOperation, 'status'>): boolean =>
  operation.status !== 'RUNNING';

/** Added to the reason recorded on each handoff: how a resumed batch recognises what it already did. */
export function bulkMark(operationId: string): string {
  return `[bulk operation ${operationId}]`;
}
