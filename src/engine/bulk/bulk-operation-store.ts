import type { Page, PageRequest } from '../kernel/ports/page.js';
import type { BulkOperation } from './bulk-operation.js';

/** Bulk operations and their progress. */
export interface BulkOperationStore {
  /** DuplicateKeyError when the id exists. */
  create(operation: BulkOperation): Promise<void>;
  get(id: string): Promise<BulkOperation | null>;
  /**
   * Stores `next` if the stored version is still `next.version - 1` and the lease is still
   * `owner`'s (null: nobody's): the compare-and-set every batch's progress goes through. Null when
   * either changed (another process took the operation over, or it was cancelled).
   */
  update(next: BulkOperation, owner: string | null): Promise<BulkOperation | null>;
  /** RUNNING → CANCELLED, dropping the lease, whoever drives it; null when it is not RUNNING. */
  cancel(id: string, at: number): Promise<BulkOperation | null>;
  /** Takes the lease of a RUNNING operation when it is free, expired, ours, or its owner is `gone`. */
  acquire(
    id: string,
    owner: string,
    now: number,
    leaseMs: number,
    gone: readonly string[],
  ): Promise<BulkOperation | null>;
  /** Operations still RUNNING (a handful at most: what resumes after a restart). */
  running(): Promise<BulkOperation[]>;
  count(): Promise<number>;
  /** Newest first. */
  page(request: PageRequest): Promise<Page<BulkOperation>>;
}
