import type { Handoff } from '../kernel/handoff/handoff.js';
import type { HandoffQuery } from '../kernel/handoff/handoff-query.js';
import type { LeasedWork } from '../kernel/leases/leased-work.js';
import type { HandoffOrder } from '../kernel/ports/handoff-order.js';
import type { HandoffFilter } from '../kernel/ports/handoff-store.js';
import type { Page, PageRequest } from '../kernel/ports/page.js';
import type { Actor } from '../shared/actor.js';
import type { Clock } from '../shared/clock.js';
import { inexactNumber, isJsonObject, jsonBytes } from '../shared/json-object.js';
import type { Logger } from '../shared/logger.js';
import { type Random, randomUuid } from '../shared/random.js';
import { Topic } from '../shared/topic.js';
import { fail, failAll, type Outcome, ok, type UserError } from '../shared/user-error.js';
import { BULK_ACTIONS, type BulkActionName, type BulkActionServices } from './bulk-actions.js';
import type { BulkItemOutcome, BulkOperation } from './bulk-operation.js';
import type { BulkOperationStore } from './bulk-operation-store.js';
import { bulkOperationProgress } from './bulk-progress.js';

/** What a bulk operation needs of the handoff service. */
export interface BulkHandoffs extends BulkActionServices {
  resolveQuery(query: HandoffQuery): Promise<{ filter: HandoffFilter | null } | { errors: UserError[] }>;
  page(filter: HandoffFilter, request: PageRequest, order?: HandoffOrder): Promise<Page<Handoff>>;
  count(filter: HandoffFilter): Promise<number>;
}

export interface BulkOperationServiceOptions {
  store: BulkOperationStore;
  handoffs: BulkHandoffs;
  clock: Clock;
  random: Random;
  logger: Logger;
  /** This process's leases: its owner id, their length, and who may be taken over. */
  leases: Pick<LeasedWork, 'owner' | 'leaseMs' | 'mayTakeOver'>;
  /** Handoffs acted on per batch (progress is stored after each). */
  batchSize: number;
  /** Pause between batches, leaving the store to live traffic (0: none). */
  batchIntervalMs: number;
}

/** The walk over the matching set: creation order, which never changes, so a stored cursor stays exact. */
const WALK: HandoffOrder = { field: 'CREATED_AT', direction: 'ASC' };
const REASON_LIMIT = 300;
/** A RETRY's metadata patch is bounded like a handoff's metadata. */
const METADATA_PATCH_LIMIT_BYTES = 64 * 1024;

/** What else an action takes. */
export interface BulkOptions {
  /** RETRY only: see BulkOperation.metadataPatch. */
  metadataPatch?: unknown;
}

/** Why the options do not fit the action, if they do not. */
function optionsProblem(action: BulkActionName, options: BulkOptions): UserError | null {
  const patch = options.metadataPatch;
  if (patch == null) return null;
  const field = ['input', 'metadataPatch'];
  if (action !== 'RETRY')
    return { code: 'INVALID_VALUE', message: `metadataPatch applies to RETRY only, not ${action}`, field };
  if (!isJsonObject(patch)) return { code: 'INVALID_VALUE', message: 'metadataPatch must be a JSON object', field };
  const inexact = inexactNumber(patch, 'metadataPatch');
  if (inexact) return { code: 'INVALID_VALUE', message: inexact, field };
  if (jsonBytes(patch) > METADATA_PATCH_LIMIT_BYTES)
    return {
      code: 'TOO_LARGE',
      message: `metadataPatch must be at most ${METADATA_PATCH_LIMIT_BYTES} bytes as JSON`,
      field,
    };
  return null;
}
const PROGRESS_POLL_MS = 500;

/** Starts bulk operations, drives them batch by batch under a lease, and resumes those a stopped process left. */
export class BulkOperationService {
  /** Ids of operations whose progress this process just stored. */
  readonly changes = new Topic<string>();
  private readonly stopped = new AbortController();
  private readonly driving = new Map<string, Promise<void>>();
  /** Operations cancelled here: their batch stops at the next handoff (another process's finishes its batch). */
  private readonly cancelled = new Set<string>();

  constructor(private readonly options: BulkOperationServiceOptions) {}

  /**
   * Fixes the matching set (the query as of now, up to the newest matching handoff), stores the
   * operation and drives it in the background. Returns it as started (COMPLETED when nothing matched).
   * `filterAsGiven`: the client's filter as it wrote it, kept for people to read.
   */
  async start(
    action: BulkActionName,
    query: HandoffQuery,
    reason: string | null,
    actor: Actor | null,
    filterAsGiven: unknown = query,
    options: BulkOptions = {},
  ): Promise<Outcome<BulkOperation>> {
    const problem = optionsProblem(action, options);
    if (problem) return failAll([problem]);
    const resolved = await this.options.handoffs.resolveQuery(query);
    if ('errors' in resolved)
      return failAll(
        resolved.errors.map((error) => ({ ...error, field: error.field ? ['input', ...error.field] : null })),
      );
    const { clock } = this.options;
    const { owner, leaseMs } = this.options.leases;
    const now = clock.now();
    const newest = resolved.filter
      ? (await this.options.handoffs.page(resolved.filter, { first: 1 }, { field: 'CREATED_AT', direction: 'DESC' }))
          .items[0]?.node
      : undefined;
    const filter: HandoffFilter | null =
      newest && resolved.filter ? { ...resolved.filter, upTo: { createdAt: newest.createdAt, id: newest.id } } : null;
    const operation: BulkOperation = {
      id: `bulk_${randomUuid(this.options.random)}`,
      action,
      filterAsGiven: JSON.parse(JSON.stringify(filterAsGiven ?? {})) as unknown,
      filter,
      reason: (reason?.trim() || `bulk ${action.toLowerCase()}`).slice(0, REASON_LIMIT),
      metadataPatch: (options.metadataPatch as Record<string, unknown> | null | undefined) ?? null,
      status: filter ? 'RUNNING' : 'COMPLETED',
      total: filter ? await this.options.handoffs.count(filter) : 0,
      done: 0,
      skipped: 0,
      refused: 0,
      cursor: null,
      requestedBy: actor,
      startedAt: now,
      finishedAt: filter ? null : now,
      error: null,
      version: 1,
      lease: filter ? { owner, expiresAt: now + leaseMs } : null,
    };
    await this.options.store.create(operation);
    if (filter) this.drive(operation);
    return ok(operation);
  }

  get(id: string): Promise<BulkOperation | null> {
    return this.options.store.get(id);
  }

  count(): Promise<number> {
    return this.options.store.count();
  }

  page(request: PageRequest): Promise<Page<BulkOperation>> {
    return this.options.store.page(request);
  }

  /** The operation now and at each change, to its final state (see bulkOperationProgress). */
  progress(id: string): AsyncGenerator<BulkOperation> {
    return bulkOperationProgress(this.options.store, this.changes, this.options.clock, id, PROGRESS_POLL_MS);
  }

  /**
   * Takes over the RUNNING operations nobody drives: their lease is free or expired, or its owner is
   * gone (a crash), and drives them on from their stored cursor. Returns how many.
   */
  async resumeRunning(): Promise<number> {
    const { store, clock } = this.options;
    const { owner, leaseMs } = this.options.leases;
    let resumed = 0;
    for (const operation of await store.running()) {
      if (this.driving.has(operation.id)) continue;
      const holder = operation.lease?.owner ?? null;
      const gone = holder && holder !== owner && this.options.leases.mayTakeOver(holder) ? [holder] : [];
      const taken = await store.acquire(operation.id, owner, clock.now(), leaseMs, gone);
      if (!taken) continue;
      this.options.logger.info(
        { bulkOperationId: taken.id, done: taken.done, skipped: taken.skipped, refused: taken.refused },
        'resuming a bulk operation',
      );
      this.drive(taken);
      resumed++;
    }
    return resumed;
  }

  /**
   * Cancels a RUNNING operation: no further batch starts. A batch under way here stops after its
   * current handoff; one another process drives finishes first. Either adds its counts. Handoffs
   * already acted on stay as they are.
   */
  async cancel(id: string): Promise<Outcome<BulkOperation>> {
    const cancelled = await this.options.store.cancel(id, this.options.clock.now());
    if (cancelled) {
      if (this.driving.has(id)) this.cancelled.add(id);
      this.changes.publish(id);
      return ok(cancelled);
    }
    const current = await this.options.store.get(id);
    if (!current) return fail('NOT_FOUND', `No bulk operation with id "${id}"`, ['input', 'id']);
    return fail('INVALID_STATE', `Bulk operation is ${current.status}: only a RUNNING one can be cancelled`, [
      'input',
      'id',
    ]);
  }

  /** Stops after the handoff each operation is at, storing its progress and handing its lease back. */
  async stop(): Promise<void> {
    this.stopped.abort(new Error('engine stopped'));
    await Promise.allSettled([...this.driving.values()]);
  }

  private drive(operation: BulkOperation): void {
    const run = this.runBatches(operation)
      .catch((error: unknown) => this.recordFailure(operation.id, error))
      .finally(() => {
        this.driving.delete(operation.id);
        this.cancelled.delete(operation.id);
      });
    this.driving.set(operation.id, run);
  }

  private async runBatches(start: BulkOperation): Promise<void> {
    const { handoffs, batchSize, batchIntervalMs, clock } = this.options;
    let operation = start;
    while (!this.stopped.signal.aborted) {
      const page = await handoffs.page(operation.filter!, { first: batchSize, after: operation.cursor }, WALK);
      const counts: Record<BulkItemOutcome, number> = { DONE: 0, SKIPPED: 0, REFUSED: 0 };
      let cursor = operation.cursor;
      for (const { node, cursor: itemCursor } of page.items) {
        if (this.stopped.signal.aborted || this.cancelled.has(operation.id)) break;
        counts[await BULK_ACTIONS[operation.action].apply(node, operation, handoffs)]++;
        cursor = itemCursor;
      }
      const finished = !page.hasNextPage && cursor === (page.items.at(-1)?.cursor ?? cursor);
      const next = await this.record(operation, counts, cursor, finished);
      if (!next) return;
      operation = next;
      if (finished) return;
      if (batchIntervalMs > 0) await clock.sleep(batchIntervalMs, this.stopped.signal).catch(() => undefined);
    }
    // Stopped between two batches: hand the lease back, so the next start takes the operation at once.
    await this.options.store.update(
      { ...operation, version: operation.version + 1, lease: null },
      this.options.leases.owner,
    );
  }

  /** Stores one batch's progress (compare-and-set on version and lease); null when another process took over. */
  private async record(
    operation: BulkOperation,
    counts: Record<BulkItemOutcome, number>,
    cursor: string | null,
    finished: boolean,
  ): Promise<BulkOperation | null> {
    const { store, clock, batchIntervalMs } = this.options;
    const { owner, leaseMs } = this.options.leases;
    const now = clock.now();
    const stopping = this.stopped.signal.aborted;
    const next: BulkOperation = {
      ...operation,
      done: operation.done + counts.DONE,
      skipped: operation.skipped + counts.SKIPPED,
      refused: operation.refused + counts.REFUSED,
      cursor,
      status: finished ? 'COMPLETED' : 'RUNNING',
      finishedAt: finished ? now : null,
      version: operation.version + 1,
      // Held through the pause before the next batch; handed back when done or stopping.
      lease: finished || stopping ? null : { owner, expiresAt: now + leaseMs + batchIntervalMs },
    };
    const stored = await store.update(next, owner);
    if (!stored) return this.recordAfterCancel(operation, counts, cursor);
    this.changes.publish(operation.id);
    return stored;
  }

  /**
   * A record refused because the operation was cancelled meanwhile still adds what this batch did
   * (on the cancelled state, which nobody drives). Always null: the driver stops.
   */
  private async recordAfterCancel(
    operation: BulkOperation,
    counts: Record<BulkItemOutcome, number>,
    cursor: string | null,
  ): Promise<null> {
    const { store, logger } = this.options;
    const current = await store.get(operation.id);
    if (current?.status === 'CANCELLED' && current.cursor === operation.cursor) {
      const counted: BulkOperation = {
        ...current,
        done: current.done + counts.DONE,
        skipped: current.skipped + counts.SKIPPED,
        refused: current.refused + counts.REFUSED,
        cursor,
        version: current.version + 1,
      };
      if (await store.update(counted, null)) this.changes.publish(operation.id);
      logger.info({ bulkOperationId: operation.id }, 'bulk operation cancelled: stopping here');
    } else {
      logger.warn({ bulkOperationId: operation.id }, 'bulk operation taken over by another process: stopping here');
    }
    return null;
  }

  /** An unexpected error ends the operation FAILED, with what it did so far. */
  private async recordFailure(id: string, error: unknown): Promise<void> {
    const { store, clock, logger } = this.options;
    const { owner } = this.options.leases;
    logger.error({ bulkOperationId: id, err: error }, 'bulk operation failed');
    try {
      const current = await store.get(id);
      if (!current || current.lease?.owner !== owner || current.status !== 'RUNNING') return;
      const message = error instanceof Error ? error.message : String(error);
      const failed = await store.update(
        {
          ...current,
          status: 'FAILED',
          error: message.slice(0, 500),
          finishedAt: clock.now(),
          version: current.version + 1,
          lease: null,
        },
        owner,
      );
      if (failed) this.changes.publish(id);
    } catch (recordError) {
      logger.error({ bulkOperationId: id, err: recordError }, 'could not record the failure of a bulk operation');
    }
  }
}
