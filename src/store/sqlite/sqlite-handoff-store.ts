import type BetterSqlite3 from 'better-sqlite3';
import type { Handoff } from '../../engine/kernel/handoff/handoff.js';
import type { HandoffEvent, HandoffEventDraft } from '../../engine/kernel/handoff/handoff-event.js';
import {
  durationMs,
  FINAL_STATUSES,
  isFinal,
  RESUMABLE_STATUSES,
  UNFINISHED_STATUSES,
} from '../../engine/kernel/ports/handoff-columns.js';
import {
  DEFAULT_HANDOFF_ORDER,
  type HandoffOrder,
  hasRetryingStep,
  sortKey,
} from '../../engine/kernel/ports/handoff-order.js';
import {
  type DueHandoff,
  type HandoffFilter,
  type HandoffRecord,
  type HandoffStore,
  type HandoffSummary,
  type OutOfBandRequests,
  refusalReason,
  STATUSES_IGNORING_A_CANCEL,
  type TransitionOptions,
  type TransitionOutcome,
} from '../../engine/kernel/ports/handoff-store.js';
import type { Page, PageRequest } from '../../engine/kernel/ports/page.js';
import type { OperationCounter } from '../collection.js';
import { decodeHandoffCursor, encodeHandoffCursor, type HandoffPosition } from '../handoff-cursor.js';
import { eventFrom, handoffFromText, stateText } from '../handoff-text.js';
import { FinishedHandoffs } from '../repositories/finished-handoffs.js';
import { GroupCommit } from './group-commit.js';
import { createHandoffTables, type HandoffRow } from './handoff-schema.js';
import { countsWhere, handoffWhere, type SqlCondition } from './handoff-where.js';
import { storeCall } from './sqlite-errors.js';

const UNFINISHED = JSON.stringify(UNFINISHED_STATUSES);
const RESUMABLE = JSON.stringify(RESUMABLE_STATUSES);
/** Priority ranks, highest first: the due query walks one range of the due index per rank. */
const RANKS_HIGH_FIRST = [3, 2, 1, 0];
/** Where a cancel may be recorded: not yet final, and not rolling back already. */
const CANCELLABLE = JSON.stringify(['PENDING', 'RUNNING', 'WAITING', 'PAUSED']);
const FINAL = JSON.stringify([...FINAL_STATUSES]);

/** When the handoff reached its final status; null while it has not. */
function finishedAtOf(handoff: Handoff): number | null {
  return isFinal(handoff.status) ? (handoff.finishedAt ?? null) : null;
}

/** The deadline the sweep reads: only while the handoff is unfinished. */
function deadlineAtOf(handoff: Handoff): number | null {
  return isFinal(handoff.status) ? null : (handoff.deadlineAt ?? null);
}
/** The most events one insert statement takes (a transition has a few; a creation or a redrive may have more). */
const EVENTS_PER_INSERT = 8;
const PAGE_COLUMNS = 'id, created_at, updated_at, priority_rank, state, metadata';

type PageRow = Pick<HandoffRow, 'id' | 'created_at' | 'updated_at' | 'priority_rank' | 'state' | 'metadata'>;

/** The columns an order sorts on, before the id tiebreak (each order has an index ending in them). */
const ORDER_COLUMNS: Record<HandoffOrder['field'], string[]> = {
  CREATED_AT: ['created_at'],
  UPDATED_AT: ['updated_at'],
  PRIORITY: ['priority_rank', 'created_at'],
};

function keyOf(order: HandoffOrder, row: PageRow): number[] {
  return sortKey(order, { createdAt: row.created_at, updatedAt: row.updated_at, priorityRank: row.priority_rank });
}

/** Compares two rows in `order`: negative when `a` comes first. */
function compareRows(order: HandoffOrder, a: PageRow, b: PageRow): number {
  const ka = [...keyOf(order, a), a.id];
  const kb = [...keyOf(order, b), b.id];
  const sign = order.direction === 'ASC' ? 1 : -1;
  for (let index = 0; index < ka.length; index++) {
    if (ka[index]! < kb[index]!) return -sign;
    if (ka[index]! > kb[index]!) return sign;
  }
  return 0;
}

function requestsOf(row: Pick<HandoffRow, 'signals' | 'cancel_request' | 'requests_rev'>): OutOfBandRequests {
  return {
    signals: row.signals === '{}' ? {} : (JSON.parse(row.signals) as Record<string, unknown>),
    cancelRequest:
      row.cancel_request === null ? null : (JSON.parse(row.cancel_request) as { reason: string; at: number }),
    rev: row.requests_rev,
  };
}

function toRecord(row: HandoffRow): HandoffRecord {
  return {
    handoff: handoffFromText(row.state, row.metadata),
    ...requestsOf(row),
    leaseOwner: row.lease_owner,
    leaseExpiresAt: row.lease_expires_at,
    outbox: [],
  };
}

/** Which parts a transition's update has (see SqliteHandoffStore.transitionStatement). */
interface TransitionShape {
  metadata: boolean;
  release: boolean;
  requireUnleased: boolean;
  honoursCancel: boolean;
  requestsSeen: boolean;
}

/**
 * The handoff port on SQLite, natively: a transition and its events commit in one transaction,
 * so a final status is never readable without its final events, and there is no outbox to repair.
 * `writer` names this process's rows in the event and notice tables (the change feed skips them).
 */
export class SqliteHandoffStore implements HandoffStore {
  private readonly finished: FinishedHandoffs;
  private readonly statements = new Map<string, BetterSqlite3.Statement>();
  /** The inserts of 1 to EVENTS_PER_INSERT events (see insertEvents). */
  private readonly eventInserts: BetterSqlite3.Statement[] = [];
  /** The transition updates by shape (see transitionStatement), made on first use. */
  private readonly transitionStatements: BetterSqlite3.Statement[] = [];
  private readonly commits: GroupCommit;

  constructor(
    private readonly db: BetterSqlite3.Database,
    private readonly writer: string,
    private readonly counter: OperationCounter,
    finishedCacheBytes = 0,
  ) {
    createHandoffTables(db);
    this.finished = new FinishedHandoffs(finishedCacheBytes);
    this.commits = new GroupCommit(db, 'handoffs');
  }

  private sql(text: string): BetterSqlite3.Statement {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  private read<T>(operation: string, run: () => T): Promise<T> {
    this.counter.reads++;
    try {
      return Promise.resolve(storeCall('handoffs', operation, run));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Every write joins the turn's group commit (see GroupCommit). */
  private write<T>(operation: string, run: () => T): Promise<T> {
    this.counter.writes++;
    return this.commits.submit(operation, run);
  }

  private insertEvents(events: HandoffEvent[], texts: string[]): void {
    // A plain insert: a seq already taken is a bug that must fail the transition, never drop its events.
    // Up to EVENTS_PER_INSERT rows per statement: a transition's few events in one call, not one each.
    for (let from = 0; from < events.length; from += EVENTS_PER_INSERT) {
      const count = Math.min(EVENTS_PER_INSERT, events.length - from);
      const params: unknown[] = [];
      for (let index = from; index < from + count; index++)
        params.push(events[index]!.handoffId, events[index]!.seq, this.writer, texts[index]);
      this.eventInsert(count).run(...params);
    }
  }

  /** The insert of `count` events, made on first use. */
  private eventInsert(count: number): BetterSqlite3.Statement {
    let statement = this.eventInserts[count];
    if (!statement) {
      statement = this.db.prepare(
        `INSERT INTO handoff_events (handoff_id, seq, writer, body) VALUES ${Array(count).fill('(?, ?, ?, ?)').join(', ')}`,
      );
      this.eventInserts[count] = statement;
    }
    return statement;
  }

  create(
    handoff: Handoff,
    drafts: HandoffEventDraft[],
    at: number,
    lease: { owner: string; expiresAt: number } | null = null,
  ): Promise<HandoffEvent[]> {
    const events = drafts.map((draft, index) => eventFrom(handoff, draft, index + 1, at));
    const stored: Handoff = { ...handoff, seq: events.length, version: 1 };
    return this.write('create', () => {
      this.sql(
        `INSERT INTO handoffs (id, version, seq, status, procedure_id, type, priority, source_agent, target_agent, source_phase,
           test_id, created_at, duration_ms, finished_at, state, metadata, lease_owner, lease_expires_at, updated_at, retrying,
           due_at, deadline_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        stored.id,
        stored.version,
        stored.seq,
        stored.status,
        stored.procedureId,
        stored.type,
        stored.priority,
        stored.sourceAgent,
        stored.targetAgent,
        stored.sourcePhase,
        stored.test?.testId ?? null,
        stored.createdAt,
        durationMs(stored),
        finishedAtOf(stored),
        stateText(stored, at),
        JSON.stringify(handoff.metadata),
        lease?.owner ?? null,
        lease?.expiresAt ?? 0,
        at,
        hasRetryingStep(stored) ? 1 : 0,
        lease ? lease.expiresAt : at,
        deadlineAtOf(stored),
      );
      this.insertEvents(
        events,
        events.map((event) => JSON.stringify(event)),
      );
      Object.assign(handoff, { seq: stored.seq, version: stored.version, updatedAt: at });
      return events;
    });
  }

  transition(
    next: Handoff,
    drafts: HandoffEventDraft[],
    at: number,
    leaseOwner: string | null,
    options: TransitionOptions = {},
  ): Promise<TransitionOutcome> {
    const firstSeq = next.seq - drafts.length + 1;
    const events = drafts.map((draft, index) => eventFrom(next, draft, firstSeq + index, at));
    const texts = events.map((event) => JSON.stringify(event));
    const honoursCancel = STATUSES_IGNORING_A_CANCEL.has(next.status);
    // Only a redrive with a patch rewrites the metadata.
    const metadata = options.writesMetadata ? [JSON.stringify(next.metadata)] : [];
    // A final or PAUSED status hands the lease back whatever is asked: nothing runs it on, and it is never due by itself.
    const release = isFinal(next.status) || next.status === 'PAUSED' ? { dueAt: null } : options.release;
    const releasing = release ? [release.dueAt] : [];
    const requestsSeen = release?.requestsSeen;
    const guard = [
      next.id,
      next.version - 1,
      leaseOwner,
      leaseOwner,
      ...(options.requireUnleased ? [at] : []),
      ...(requestsSeen !== undefined ? [requestsSeen] : []),
    ];
    const shape: TransitionShape = {
      metadata: metadata.length > 0,
      release: release !== undefined,
      requireUnleased: options.requireUnleased === true,
      honoursCancel,
      requestsSeen: requestsSeen !== undefined,
    };
    return this.write('transition', () => {
      const state = stateText(next, at);
      const columns = [durationMs(next), finishedAtOf(next), hasRetryingStep(next) ? 1 : 0, deadlineAtOf(next)];
      // Most transitions leave the status and the columns kept from the state as they were (a step's
      // start or success): written anyway, each would move its entries in every index over it and fire
      // the counts trigger. First the update of the rest, if those columns already hold the same values;
      // else (or refused) the whole update. A final status is never kept (nothing moves a handoff from one
      // final status to another): straight to the whole update.
      const kept = isFinal(next.status)
        ? undefined
        : this.transitionStatement(shape, true).get(
            next.version,
            next.seq,
            state,
            at,
            ...metadata,
            ...releasing,
            ...guard,
            next.status,
            ...columns,
          );
      const row = (kept ??
        this.transitionStatement(shape, false).get(
          next.version,
          next.seq,
          state,
          at,
          next.status,
          ...columns,
          ...metadata,
          ...releasing,
          ...guard,
        )) as Pick<HandoffRow, 'signals' | 'cancel_request' | 'requests_rev'> | undefined;
      if (!row)
        return this.refused(next.id, {
          version: next.version - 1,
          leaseOwner,
          requireUnleased: options.requireUnleased,
          at,
          honoursCancel,
          requestsSeen,
        });
      // A redrive takes a finished handoff out of its final status: a cached copy is no longer true.
      this.finished.forgetOne(next.id);
      next.updatedAt = at;
      this.insertEvents(events, texts);
      return { applied: true, events, requests: requestsOf(row) };
    });
  }

  /**
   * The update of a transition, of this shape: `unchanged` sets only what every transition changes, and
   * matches only a row whose status and kept columns (duration, finish, retrying, deadline) are those given.
   */
  private transitionStatement(shape: TransitionShape, unchanged: boolean): BetterSqlite3.Statement {
    const key =
      (shape.metadata ? 1 : 0) |
      (shape.release ? 2 : 0) |
      (shape.requireUnleased ? 4 : 0) |
      (shape.honoursCancel ? 8 : 0) |
      (shape.requestsSeen ? 16 : 0) |
      (unchanged ? 32 : 0);
    let statement = this.transitionStatements[key];
    if (!statement) {
      const kept = 'status = ?, duration_ms = ?, finished_at = ?, retrying = ?, deadline_at = ?';
      statement = this.db.prepare(
        `UPDATE handoffs SET version = ?, seq = ?, state = ?, updated_at = ? ${unchanged ? '' : `, ${kept}`}
           ${shape.metadata ? ', metadata = ?' : ''} ${shape.release ? ', lease_owner = NULL, lease_expires_at = 0, due_at = ?' : ''}
         WHERE id = ? AND version = ? AND (? IS NULL OR lease_owner = ?)
           ${shape.requireUnleased ? 'AND (lease_owner IS NULL OR lease_expires_at < ?)' : ''}
           ${shape.honoursCancel ? 'AND cancel_request IS NULL' : ''} ${shape.requestsSeen ? 'AND requests_rev = ?' : ''}
           ${unchanged ? 'AND status = ? AND duration_ms IS ? AND finished_at IS ? AND retrying = ? AND deadline_at IS ?' : ''}
         RETURNING signals, cancel_request, requests_rev`,
      );
      this.transitionStatements[key] = statement;
    }
    return statement;
  }

  /** Why a transition matched nothing (read in the same write transaction, so nothing moved since). */
  private refused(id: string, expected: Parameters<typeof refusalReason>[1]): TransitionOutcome {
    const row = this.sql(
      'SELECT version, lease_owner, lease_expires_at, signals, cancel_request, requests_rev FROM handoffs WHERE id = ?',
    ).get(id) as
      | Pick<HandoffRow, 'version' | 'lease_owner' | 'lease_expires_at' | 'signals' | 'cancel_request' | 'requests_rev'>
      | undefined;
    const reason = refusalReason(
      row
        ? {
            version: row.version,
            leaseOwner: row.lease_owner,
            leaseExpiresAt: row.lease_expires_at,
            cancelled: row.cancel_request !== null,
            rev: row.requests_rev,
          }
        : null,
      expected,
    );
    return reason === 'CANCEL_REQUESTED' || reason === 'REQUESTS_CHANGED'
      ? { applied: false, reason, requests: requestsOf(row!) }
      : { applied: false, reason, requests: null };
  }

  forget(id: string): void {
    this.finished.forgetOne(id);
  }

  async repairLog(): Promise<void> {
    // A transition and its events commit together: there is never anything to repair.
  }

  async flushOutbox(): Promise<void> {
    // No outbox: see repairLog.
  }

  async get(id: string): Promise<Handoff | null> {
    const cached = this.finished.get(id);
    if (cached) return cached;
    const row = await this.read(
      'read',
      () =>
        this.sql('SELECT state, metadata FROM handoffs WHERE id = ?').get(id) as
          | Pick<HandoffRow, 'state' | 'metadata'>
          | undefined,
    );
    return row ? this.remember(row) : null;
  }

  private remember(row: Pick<HandoffRow, 'state' | 'metadata'>): Handoff {
    return this.finished.remember(handoffFromText(row.state, row.metadata), row.state.length + row.metadata.length);
  }

  async getMany(ids: readonly string[]): Promise<(Handoff | null)[]> {
    const known = new Map<string, Handoff>();
    for (const id of ids) {
      const cached = this.finished.get(id);
      if (cached) known.set(id, cached);
    }
    const missing = [...new Set(ids.filter((id) => !known.has(id)))];
    if (missing.length > 0) {
      const rows = await this.read(
        'read',
        () =>
          this.sql('SELECT id, state, metadata FROM handoffs WHERE id IN (SELECT value FROM json_each(?))').all(
            JSON.stringify(missing),
          ) as Pick<HandoffRow, 'id' | 'state' | 'metadata'>[],
      );
      for (const row of rows) known.set(row.id, this.remember(row));
    }
    return ids.map((id) => known.get(id) ?? null);
  }

  requests(id: string): Promise<OutOfBandRequests | null> {
    return this.read('read', () => {
      const row = this.sql('SELECT signals, cancel_request, requests_rev FROM handoffs WHERE id = ?').get(id) as
        | Pick<HandoffRow, 'signals' | 'cancel_request' | 'requests_rev'>
        | undefined;
      return row ? requestsOf(row) : null;
    });
  }

  /**
   * A page in `order`. A page filtered on several statuses walks the (status, order…, id) index once
   * per status and merges: one sorted range each, never a sort of every matching row.
   */
  async page(
    filter: HandoffFilter,
    request: PageRequest,
    order: HandoffOrder = DEFAULT_HANDOFF_ORDER,
  ): Promise<Page<Handoff>> {
    const statuses = filter.status?.length ? [...new Set(filter.status)] : [undefined];
    const after = request.after ? decodeHandoffCursor(order, request.after) : null;
    const rows = await this.read('page', () =>
      // One read transaction: the walks of every status see the same commit.
      this.db
        .transaction(() => {
          const merged = statuses.flatMap((status) =>
            this.pageRows({ ...filter, status: status ? [status] : undefined }, order, after, request.first + 1),
          );
          if (statuses.length > 1) merged.sort((a, b) => compareRows(order, a, b));
          return merged.slice(0, request.first + 1);
        })
        .deferred(),
    );
    const visible = rows.slice(0, request.first);
    return {
      // Rows of a list do not enter the cache (point reads do): a walk through history would churn it.
      items: visible.map((row) => ({
        cursor: encodeHandoffCursor(order, { key: keyOf(order, row), id: row.id }),
        node: this.finished.get(row.id) ?? handoffFromText(row.state, row.metadata),
      })),
      hasNextPage: rows.length > request.first,
      hasPreviousPage: Boolean(request.after),
    };
  }

  private pageRows(
    filter: HandoffFilter,
    order: HandoffOrder,
    after: HandoffPosition | null,
    limit: number,
  ): PageRow[] {
    const columns = [...ORDER_COLUMNS[order.field], 'id'];
    const direction = order.direction;
    const conditions: SqlCondition[] = [handoffWhere(filter)];
    if (after) {
      conditions.push({
        sql: `(${columns.join(', ')}) ${direction === 'ASC' ? '>' : '<'} (${columns.map(() => '?').join(', ')})`,
        params: [...after.key, after.id],
      });
    }
    const clause = conditions.map((condition) => condition.sql).join(' AND ');
    const orderBy = columns.map((column) => `${column} ${direction}`).join(', ');
    return this.sql(`SELECT ${PAGE_COLUMNS} FROM handoffs WHERE ${clause} ORDER BY ${orderBy} LIMIT ?`).all(
      ...conditions.flatMap((condition) => condition.params),
      limit,
    ) as PageRow[];
  }

  /** From the running counts when the filter is one they keep, else counted on the table's indexes. */
  count(filter: HandoffFilter): Promise<number> {
    const counted = countsWhere(filter);
    if (counted)
      return this.read(
        'count',
        () =>
          this.sql(`SELECT coalesce(sum(count), 0) FROM handoff_counts WHERE ${counted.sql}`)
            .pluck()
            .get(...counted.params) as number,
      );
    const where = handoffWhere(filter);
    return this.read(
      'count',
      () =>
        this.sql(`SELECT count(*) FROM handoffs WHERE ${where.sql}`)
          .pluck()
          .get(...where.params) as number,
    );
  }

  summaries(filter: HandoffFilter): Promise<HandoffSummary[]> {
    const counted = countsWhere(filter);
    if (counted) {
      return this.read(
        'read',
        () =>
          this.sql(
            `SELECT status, type, procedure_id AS procedureId, sum(count) AS count, sum(duration_sum) AS durationMsSum, sum(duration_count) AS durationCount
           FROM handoff_counts WHERE ${counted.sql} GROUP BY status, type, procedure_id HAVING sum(count) > 0`,
          ).all(...counted.params) as HandoffSummary[],
      );
    }
    const where = handoffWhere(filter);
    return this.read(
      'read',
      () =>
        this.sql(
          `SELECT status, type, procedure_id AS procedureId, count(*) AS count, total(duration_ms) AS durationMsSum, count(duration_ms) AS durationCount
         FROM handoffs WHERE ${where.sql} GROUP BY status, type, procedure_id`,
        ).all(...where.params) as HandoffSummary[],
    );
  }

  due(now: number, limit: number): Promise<DueHandoff[]> {
    if (limit <= 0) return Promise.resolve([]);
    return this.read('read due', () =>
      this.db
        .transaction(() => {
          // One exact range of the due index per priority, highest first: never a sort of everything due.
          const due: DueHandoff[] = [];
          for (const rank of RANKS_HIGH_FIRST) {
            if (due.length >= limit) break;
            const rows = this.sql(
              `SELECT id, priority FROM handoffs WHERE priority_rank = ? AND due_at <= ? AND lease_expires_at <= ?
               ORDER BY due_at LIMIT ?`,
            ).all(rank, now, now, limit - due.length) as DueHandoff[];
            due.push(...rows);
          }
          return due;
        })
        .deferred(),
    );
  }

  overdue(now: number, limit: number): Promise<string[]> {
    return this.read(
      'read overdue',
      () =>
        this.sql(
          // The deadline index alone: the planner would rather walk every unfinished handoff by status. A PAUSED
          // handoff's deadline stands still, and one rolling back has nothing left for it to do.
          `SELECT id FROM handoffs INDEXED BY handoffs_overdue
           WHERE deadline_at IS NOT NULL AND deadline_at <= ? AND status IN ('PENDING', 'RUNNING', 'WAITING')
             AND cancel_request IS NULL AND lease_expires_at <= ? ORDER BY deadline_at LIMIT ?`,
        )
          .pluck()
          .all(now, now, limit) as string[],
    );
  }

  unfinished(): Promise<DueHandoff[]> {
    return this.read(
      'read',
      () =>
        this.sql(
          'SELECT id, priority FROM handoffs WHERE status IN (SELECT value FROM json_each(?)) ORDER BY created_at, id',
        ).all(RESUMABLE) as DueHandoff[],
    );
  }

  leaseHolders(): Promise<string[]> {
    return this.read(
      'read',
      () =>
        this.sql('SELECT DISTINCT lease_owner FROM handoffs WHERE lease_owner IS NOT NULL').pluck().all() as string[],
    );
  }

  releaseLeasesOf(owner: string, now: number): Promise<number> {
    return this.write(
      'release leases',
      () =>
        this.sql('UPDATE handoffs SET lease_owner = NULL, lease_expires_at = 0, due_at = ? WHERE lease_owner = ?').run(
          now,
          owner,
        ).changes,
    );
  }

  acquireLease(
    id: string,
    owner: string,
    now: number,
    leaseMs: number,
    ignoreOthers: boolean,
  ): Promise<HandoffRecord | null> {
    return this.write('lease', () => {
      // A final handoff is never leased again: nothing is left to run.
      const row = this.sql(
        `UPDATE handoffs SET lease_owner = ?, lease_expires_at = ?, due_at = ?
         WHERE id = ? AND status IN (SELECT value FROM json_each(?))
           AND (? OR lease_owner IS NULL OR lease_owner = ? OR lease_expires_at < ?)
         RETURNING *`,
      ).get(owner, now + leaseMs, now + leaseMs, id, UNFINISHED, ignoreOthers ? 1 : 0, owner, now) as
        | HandoffRow
        | undefined;
      return row ? toRecord(row) : null;
    });
  }

  claim(id: string, owner: string, now: number, leaseMs: number, version: number): Promise<OutOfBandRequests | null> {
    return this.write('claim', () => {
      const row = this.sql(
        `UPDATE handoffs SET lease_owner = ?, lease_expires_at = ?, due_at = ?
         WHERE id = ? AND version = ? AND (lease_owner IS NULL OR lease_owner = ? OR lease_expires_at < ?)
         RETURNING signals, cancel_request, requests_rev`,
      ).get(owner, now + leaseMs, now + leaseMs, id, version, owner, now) as
        | Pick<HandoffRow, 'signals' | 'cancel_request' | 'requests_rev'>
        | undefined;
      return row ? requestsOf(row) : null;
    });
  }

  renewLeases(
    ids: string[],
    owner: string,
    expiresAt: number,
  ): Promise<{ cancels: { id: string; reason: string }[]; lost: string[] }> {
    if (ids.length === 0) return Promise.resolve({ cancels: [], lost: [] });
    const list = JSON.stringify(ids);
    return this.write('renew leases', () => {
      const renewed = new Set(
        this.sql(
          'UPDATE handoffs SET lease_expires_at = ?, due_at = ? WHERE id IN (SELECT value FROM json_each(?)) AND lease_owner = ? RETURNING id',
        )
          .pluck()
          .all(expiresAt, expiresAt, list, owner) as string[],
      );
      const cancelled = this.sql(
        'SELECT id, cancel_request FROM handoffs WHERE id IN (SELECT value FROM json_each(?)) AND cancel_request IS NOT NULL',
      ).all(list) as Pick<HandoffRow, 'id' | 'cancel_request'>[];
      return {
        cancels: cancelled.map((row) => ({
          id: row.id,
          reason: (JSON.parse(row.cancel_request!) as { reason: string }).reason,
        })),
        lost: ids.filter((id) => !renewed.has(id)),
      };
    });
  }

  releaseLease(id: string, owner: string, dueAt: number | null): Promise<void> {
    return this.write('release lease', () => {
      this.sql(
        'UPDATE handoffs SET lease_owner = NULL, lease_expires_at = 0, due_at = ? WHERE id = ? AND lease_owner = ?',
      ).run(dueAt, id, owner);
    });
  }

  recordSignal(id: string, step: string, payload: unknown, at: number): Promise<boolean> {
    return this.write('record signal', () => {
      // Rolling back included: a compensation may wait for a signal (an agent task's outcome).
      const current = this.sql(
        'SELECT signals FROM handoffs WHERE id = ? AND status IN (SELECT value FROM json_each(?))',
      )
        .pluck()
        .get(id, UNFINISHED) as string | undefined;
      if (current === undefined) return false;
      const signals = JSON.parse(current) as Record<string, unknown>;
      Object.defineProperty(signals, step, {
        value: payload ?? null,
        enumerable: true,
        writable: true,
        configurable: true,
      });
      // Whoever waits for it goes on: a handoff nobody holds (and not PAUSED) is due now.
      this.sql(
        `UPDATE handoffs SET signals = ?, requests_rev = requests_rev + 1,
           due_at = CASE WHEN lease_expires_at < ? AND status != 'PAUSED' THEN min(coalesce(due_at, ?), ?) ELSE due_at END
         WHERE id = ?`,
      ).run(JSON.stringify(signals), at, at, at, id);
      this.notice(id, 'signal', { step, payload: payload ?? null });
      return true;
    });
  }

  requestCancel(id: string, reason: string, at: number): Promise<boolean> {
    return this.write('record cancel', () => {
      const { changes } = this.sql(
        `UPDATE handoffs SET cancel_request = ?, requests_rev = requests_rev + 1,
           due_at = CASE WHEN lease_expires_at < ? THEN min(coalesce(due_at, ?), ?) ELSE due_at END
         WHERE id = ? AND status IN (SELECT value FROM json_each(?)) AND cancel_request IS NULL`,
      ).run(JSON.stringify({ reason, at }), at, at, at, id, CANCELLABLE);
      if (changes === 0) return false;
      this.notice(id, 'cancel', { reason });
      return true;
    });
  }

  /** Tells other processes (through the change feed) of a signal or cancel they may be running the step for. */
  private notice(id: string, kind: 'signal' | 'cancel', body: unknown): void {
    this.sql('INSERT INTO handoff_notices (handoff_id, writer, kind, body) VALUES (?, ?, ?, ?)').run(
      id,
      this.writer,
      kind,
      JSON.stringify(body),
    );
  }

  finishedBefore({
    finishedBefore,
    test,
    limit,
  }: {
    finishedBefore: number;
    test: boolean;
    limit: number;
  }): Promise<string[]> {
    this.finished.forget([], finishedBefore);
    return this.read(
      'read',
      () =>
        this.sql(
          `SELECT id FROM handoffs WHERE finished_at < ? AND (test_id IS NOT NULL) = ? AND status IN (SELECT value FROM json_each(?))
         ORDER BY finished_at LIMIT ?`,
        )
          .pluck()
          .all(finishedBefore, test ? 1 : 0, FINAL, limit) as string[],
    );
  }

  /**
   * One short write transaction: the handoffs (the counts triggers drop them from handoff_counts),
   * then their events and notices. Positions are AUTOINCREMENT, so the change feed never sees a
   * deleted position reused; a follower past them reads on unaffected.
   */
  deleteFinished(ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return Promise.resolve(0);
    const list = JSON.stringify(ids);
    return this.write('delete finished', () => {
      const deleted = this.sql(
        'DELETE FROM handoffs WHERE id IN (SELECT value FROM json_each(?)) AND status IN (SELECT value FROM json_each(?)) RETURNING id',
      )
        .pluck()
        .all(list, FINAL) as string[];
      if (deleted.length > 0) {
        const gone = JSON.stringify(deleted);
        this.sql('DELETE FROM handoff_events WHERE handoff_id IN (SELECT value FROM json_each(?))').run(gone);
        this.sql('DELETE FROM handoff_notices WHERE handoff_id IN (SELECT value FROM json_each(?))').run(gone);
      }
      this.finished.forget(deleted, 0);
      return deleted.length;
    });
  }

  events(id: string, afterSeq: number, limit = 10_000): Promise<HandoffEvent[]> {
    return this.read('read events', () =>
      (
        this.sql('SELECT body FROM handoff_events WHERE handoff_id = ? AND seq > ? ORDER BY seq LIMIT ?')
          .pluck()
          .all(id, afterSeq, limit) as string[]
      ).map((text) => JSON.parse(text) as HandoffEvent),
    );
  }
}
