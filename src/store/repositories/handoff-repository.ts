import type { Handoff, HandoffStatus, HandoffType, Priority } from '../../engine/kernel/handoff/handoff.js';
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
  PRIORITY_RANK,
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
import { type ChangePublisher, UNPUBLISHED } from '../change-publisher.js';
import type { Collection, Database, Filter } from '../collection.js';
import { EventLog, type LoggedEvent } from '../event-log.js';
import { decodeHandoffCursor, encodeHandoffCursor } from '../handoff-cursor.js';
import { eventFrom, handoffFromText, stateText } from '../handoff-text.js';
import { findManyInOrder, type Page, type PageRequest } from '../pagination.js';
import { FinishedHandoffs } from './finished-handoffs.js';
import { beyond, handoffDocumentFilter, metadataForQueries, orderSort } from './handoff-document-query.js';
import { addOrderFields } from './handoff-order-fields.js';

type StoredEventBody = Omit<HandoffEvent, 'handoffId' | 'seq' | 'at'>;

export interface HandoffDocument {
  _id: string;
  version: number;
  seq: number;
  status: HandoffStatus;
  procedureId: string;
  type: HandoffType;
  priority: Priority;
  sourceAgent: string | null;
  targetAgent: string | null;
  sourcePhase: string | null;
  testId: string | null;
  createdAt: number;
  /** When the latest transition was stored (creation counts). */
  updatedAt: number;
  /** Whether a step is retrying (hasRetryingStep), kept by every transition. */
  retrying: boolean;
  /** PRIORITY_RANK of the priority: what PRIORITY order sorts on. */
  priorityRank: number;
  /** The metadata as far as filters reach it (see metadataForQueries). */
  metaQuery: unknown;
  durationMs: number | null;
  /** When it reached a final status (null before; absent in documents stored before it was kept: filled at open). */
  finishedAt?: number | null;
  /** The handoff but its metadata, as JSON text: rewritten by every transition. */
  state: string;
  /** The metadata as JSON text (free-form, never query-able): written at creation, and by a redrive that patches it. */
  metadata: string;
  /** The events of the latest transition, as JSON text: rewritten to the log on recovery (outbox). */
  outbox: string;
  leaseOwner: string | null;
  leaseExpiresAt: number;
  /** Written by signalHandoff outside the version guard: step id → payload JSON text. */
  signals: Record<string, string>;
  /** Written by cancelHandoff outside the version guard. */
  cancelRequest: { reason: string; at: number } | null;
  /** Counts the signals and cancels recorded (absent in documents stored before: 0). */
  requestsRev?: number;
  /** When the scheduler must take it (see dueAtOf); null: never by itself (absent before: filled at open). */
  dueAt?: number | null;
  /** The deadline while unfinished (what the deadline sweep reads); null otherwise. */
  deadlineAt?: number | null;
}

/** Where a deadline still applies: not final, not PAUSED (its clock stands still), not rolling back already. */
const DEADLINE_APPLIES = ['PENDING', 'RUNNING', 'WAITING'];
/** Priority ranks, highest first: the due query reads one range of the due index per rank. */
const RANKS_HIGH_FIRST = [3, 2, 1, 0];

/**
 * What the scheduler asks about several times a second (due, overdue, unfinished, lease holders),
 * all about unfinished handoffs: kept in memory where the server would read every stored handoff
 * for it (FerretDB; see MirrorSpec). Its answers are checked again by the guarded write that follows.
 */
const SCHEDULING_MIRROR = {
  keep: { status: { $in: [...UNFINISHED_STATUSES] } },
  fields: [
    'status',
    'priority',
    'priorityRank',
    'dueAt',
    'leaseOwner',
    'leaseExpiresAt',
    'deadlineAt',
    'cancelRequest',
    'createdAt',
  ],
};

/** Fixed when a handoff is created (what, who, when): written once. */
function identityFields(handoff: Handoff) {
  return {
    procedureId: handoff.procedureId,
    type: handoff.type,
    priority: handoff.priority,
    sourceAgent: handoff.sourceAgent,
    targetAgent: handoff.targetAgent,
    sourcePhase: handoff.sourcePhase,
    testId: handoff.test?.testId ?? null,
    createdAt: handoff.createdAt,
    priorityRank: PRIORITY_RANK[handoff.priority],
    metaQuery: metadataForQueries(handoff.metadata),
  };
}

/** What a transition changes: the only fields its update sets (each set field costs on every write). */
function progressFields(handoff: Handoff, at: number) {
  return {
    version: handoff.version,
    seq: handoff.seq,
    status: handoff.status,
    durationMs: durationMs(handoff),
    finishedAt: isFinal(handoff.status) ? (handoff.finishedAt ?? null) : null,
    state: stateText(handoff, at),
    updatedAt: at,
    retrying: hasRetryingStep(handoff),
    deadlineAt: isFinal(handoff.status) ? null : (handoff.deadlineAt ?? null),
  };
}

/**
 * A finished handoff (version and seq set) as this repository stores it, its last event as its outbox:
 * for fixtures that write many at once with a driver (benchmarks), not for the write path.
 */
export function finishedHandoffDocument(
  handoff: Handoff,
  lastEvent: HandoffEvent,
  cancelRequest: { reason: string; at: number } | null,
): HandoffDocument {
  const at = handoff.finishedAt ?? handoff.createdAt;
  return {
    _id: handoff.id,
    ...identityFields(handoff),
    ...progressFields(handoff, at),
    metadata: JSON.stringify(handoff.metadata),
    outbox: JSON.stringify([lastEvent]),
    leaseOwner: null,
    leaseExpiresAt: 0,
    signals: {},
    cancelRequest,
    requestsRev: 0,
    dueAt: null,
  };
}

/**
 * Documents stored before the scheduler kept due times: unfinished, unpaused ones are due at once,
 * the others never; their deadlines are copied out of the state.
 */
async function addDueTimes(handoffs: Collection<HandoffDocument>): Promise<void> {
  for (;;) {
    const docs = await handoffs.find({ dueAt: { $exists: false } }, { limit: 500 });
    if (docs.length === 0) return;
    for (const doc of docs) {
      const { deadlineAt = null } = JSON.parse(doc.state) as Partial<Handoff>;
      const resting = isFinal(doc.status) || doc.status === 'PAUSED';
      await handoffs.findOneAndUpdate(
        { _id: doc._id, dueAt: { $exists: false } },
        { $set: { dueAt: resting ? null : 0, deadlineAt: isFinal(doc.status) ? null : deadlineAt, requestsRev: 0 } },
      );
    }
  }
}

/**
 * Documents stored before `finishedAt` was kept get it from their state (finished ones) or null,
 * in batches, so retention can find them by index.
 */
async function addFinishedAt(handoffs: Collection<HandoffDocument>): Promise<void> {
  for (;;) {
    const docs = await handoffs.find({ finishedAt: { $exists: false } }, { limit: 500 });
    if (docs.length === 0) return;
    for (const doc of docs) {
      const { finishedAt = null } = JSON.parse(doc.state) as Partial<Handoff>;
      await handoffs.findOneAndUpdate(
        { _id: doc._id, finishedAt: { $exists: false } },
        { $set: { finishedAt: isFinal(doc.status) ? finishedAt : null } },
      );
    }
  }
}

/** What a handoff's document holds as text: its weight in the finished-handoff cache. */
function storedBytes(doc: HandoffDocument): number {
  return doc.state.length + (doc.metadata?.length ?? 0);
}

function toHandoff(doc: HandoffDocument): Handoff {
  return handoffFromText(doc.state, doc.metadata);
}

/**
 * Documents stored before metadata had its own field carry it inside `state`; give them the
 * field before anything rewrites `state` without it.
 */
async function moveMetadataOutOfState(handoffs: Collection<HandoffDocument>): Promise<void> {
  for (const doc of await handoffs.find({ metadata: { $exists: false } })) {
    const { metadata = {}, ...state } = JSON.parse(doc.state) as Handoff;
    await handoffs.findOneAndUpdate(
      { _id: doc._id, version: doc.version },
      { $set: { metadata: JSON.stringify(metadata), state: JSON.stringify(state) } },
    );
  }
}

function requestsOf(doc: HandoffDocument): OutOfBandRequests {
  const signals = doc.signals ?? {};
  return {
    signals:
      Object.keys(signals).length === 0
        ? {}
        : Object.fromEntries(Object.entries(signals).map(([step, json]) => [step, JSON.parse(json)])),
    cancelRequest: doc.cancelRequest ?? null,
    rev: doc.requestsRev ?? 0,
  };
}

function toRecord(doc: HandoffDocument): HandoffRecord {
  return {
    handoff: toHandoff(doc),
    ...requestsOf(doc),
    leaseOwner: doc.leaseOwner,
    leaseExpiresAt: doc.leaseExpiresAt,
    outbox: JSON.parse(doc.outbox) as HandoffEvent[],
  };
}

const toFilter = handoffDocumentFilter;

/**
 * Handoffs and their event history. Every state change is one compare-and-set on the
 * document that also records the change's events (the outbox); the events are then
 * appended to the change log (other processes follow it) and copied to the handoff's log,
 * while the document's write lock is held, and again on recovery if the process died in between.
 */
export class HandoffRepository implements HandoffStore {
  /** Where the scheduler's questions are answered: the in-memory mirror where the adapter keeps one. */
  private readonly scheduling: Collection<HandoffDocument>;
  /** Gone lease owners whose leases were searched for in the whole collection (where there is a mirror). */
  private readonly searchedOwners = new Set<string>();

  private constructor(
    private readonly handoffs: Collection<HandoffDocument>,
    private readonly log: EventLog<StoredEventBody>,
    private readonly finished: FinishedHandoffs,
    private readonly publisher: ChangePublisher,
  ) {
    this.scheduling = handoffs.mirror ?? handoffs;
  }

  /**
   * `finishedCacheBytes`: budget for finished handoffs kept parsed in memory, by stored text size (0: none).
   * `publisher`: where commits are announced to other processes (none for a store only this process uses).
   */
  static async open(
    db: Database,
    finishedCacheBytes = 0,
    writer?: string,
    publisher: ChangePublisher = UNPUBLISHED,
  ): Promise<HandoffRepository> {
    const handoffs = await db.collection<HandoffDocument>(
      'handoffs',
      [
        { fields: ['status', 'createdAt'] },
        { fields: ['createdAt'] },
        { fields: ['testId', 'createdAt'] },
        { fields: ['leaseOwner'] },
        // The list orders (each with _id last, see the adapters) and the filters that narrow most.
        { fields: ['updatedAt'] },
        { fields: ['status', 'updatedAt'] },
        { fields: ['priorityRank', 'createdAt'] },
        { fields: ['status', 'priorityRank', 'createdAt'] },
        { fields: ['retrying', 'createdAt'] },
        { fields: ['sourceAgent', 'createdAt'] },
        { fields: ['targetAgent', 'createdAt'] },
        { fields: ['finishedAt'] },
        // What the scheduler reads: due handoffs per priority, and deadlines that passed.
        { fields: ['priorityRank', 'dueAt'] },
        { fields: ['deadlineAt'] },
      ],
      { mirror: SCHEDULING_MIRROR },
    );
    await moveMetadataOutOfState(handoffs);
    await addFinishedAt(handoffs);
    await addDueTimes(handoffs);
    await addOrderFields(handoffs, toHandoff);
    const repository = new HandoffRepository(
      handoffs,
      await EventLog.open<StoredEventBody>(db, 'handoff', writer),
      new FinishedHandoffs(finishedCacheBytes),
      publisher,
    );
    publisher.onAbandoned('handoffs', (id) => repository.republish(id));
    return repository;
  }

  /**
   * Makes sure the events of the handoff's latest transition are in the log: after a crash (or
   * a failed write) between the state change and the log write, they may be only in the outbox.
   */
  async repairLog(id: string): Promise<void> {
    await this.publisher.locked('handoffs', id, async () => {
      const doc = await this.handoffs.findOne({ _id: id });
      if (doc) await this.finishOutbox(JSON.parse(doc.outbox) as HandoffEvent[]);
    });
  }

  /**
   * A writer died holding the handoff's lock: it may have committed a transition, a signal or a
   * cancel without announcing it. All of them are announced again (followers drop what they had).
   */
  private async republish(id: string): Promise<void> {
    const doc = await this.handoffs.findOne({ _id: id });
    if (!doc) return;
    const { signals, cancelRequest } = requestsOf(doc);
    await this.publisher.publish(
      [
        ...Object.entries(signals).map(([step, payload]) => ({
          kind: 'signal' as const,
          handoffId: id,
          step,
          payload,
        })),
        ...(cancelRequest ? [{ kind: 'cancel' as const, handoffId: id, reason: cancelRequest.reason }] : []),
      ],
      'everyone',
    );
    await this.finishOutbox(JSON.parse(doc.outbox) as HandoffEvent[]);
  }

  /**
   * Announces a transition's events and copies them to the log, in that order: events found in the
   * log were announced already. `others`: this process's engine told its own listeners of them.
   */
  private async announce(
    events: HandoffEvent[],
    texts?: string[],
    audience: 'others' | 'everyone' = 'others',
  ): Promise<void> {
    await this.publisher.publish([{ kind: 'events', events }], audience);
    await this.writeEvents(events, texts);
  }

  /** Announces and logs an outbox unless its last event is in the log already (then all of it was done). */
  private async finishOutbox(outbox: HandoffEvent[]): Promise<void> {
    const last = outbox.at(-1);
    if (!last || (await this.log.has(last.handoffId, last.seq))) return;
    // Another process (or one that died) committed them: nobody here was told.
    await this.announce(outbox, undefined, 'everyone');
  }

  /** Stores a new handoff with its first events; DuplicateKeyError when the id exists. */
  async create(
    handoff: Handoff,
    drafts: HandoffEventDraft[],
    at: number,
    lease: { owner: string; expiresAt: number } | null = null,
  ): Promise<HandoffEvent[]> {
    const events = drafts.map((draft, index) => eventFrom(handoff, draft, index + 1, at));
    const stored: Handoff = { ...handoff, seq: events.length, version: 1 };
    await this.publisher.locked('handoffs', handoff.id, async () => {
      await this.handoffs.insertOne({
        _id: handoff.id,
        ...identityFields(stored),
        ...progressFields(stored, at),
        metadata: JSON.stringify(handoff.metadata),
        outbox: JSON.stringify(events),
        leaseOwner: lease?.owner ?? null,
        leaseExpiresAt: lease?.expiresAt ?? 0,
        signals: {},
        cancelRequest: null,
        requestsRev: 0,
        // Its creator runs it while the lease lasts; without one any scheduler may take it now.
        dueAt: lease ? lease.expiresAt : at,
      });
      await this.announce(events);
    });
    Object.assign(handoff, { seq: stored.seq, version: stored.version, updatedAt: at });
    return events;
  }

  /**
   * Replaces the stored state with `next` if the stored version is still `next.version - 1`
   * and the lease is as expected (see the port); records `drafts` as events. Returns the stored
   * events, or why the guard failed. A status that would ignore a recorded cancel is refused:
   * `cancelRequest: null` is part of the guard, as `requestsRev` is for a release that asks it.
   */
  async transition(
    next: Handoff,
    drafts: HandoffEventDraft[],
    at: number,
    leaseOwner: string | null,
    options: TransitionOptions = {},
  ): Promise<TransitionOutcome> {
    const expectedVersion = next.version - 1;
    const firstSeq = next.seq - drafts.length + 1;
    const events = drafts.map((draft, index) => eventFrom(next, draft, firstSeq + index, at));
    const guard: Filter = { _id: next.id, version: expectedVersion };
    if (leaseOwner) guard.leaseOwner = leaseOwner;
    else if (options.requireUnleased) guard.$or = [{ leaseOwner: null }, { leaseExpiresAt: { $lt: at } }];
    const honoursCancel = STATUSES_IGNORING_A_CANCEL.has(next.status);
    if (honoursCancel) guard.cancelRequest = null;
    // A final or PAUSED status hands the lease back whatever is asked: nothing runs it on, and it is never due by itself.
    const release = isFinal(next.status) || next.status === 'PAUSED' ? { dueAt: null } : options.release;
    // Documents stored before requests were counted have no requestsRev: read as 0.
    if (release?.requestsSeen !== undefined)
      guard.requestsRev = release.requestsSeen === 0 ? { $in: [0, null] } : release.requestsSeen;
    // Each event is serialised once: the same text goes to the outbox and to the log.
    const texts = events.map((event) => JSON.stringify(event));
    const fields: Record<string, unknown> = { ...progressFields(next, at), outbox: `[${texts.join(',')}]` };
    // A redrive with a patch rewrites the metadata, and the copy filters read with it.
    if (options.writesMetadata)
      Object.assign(fields, { metadata: JSON.stringify(next.metadata), metaQuery: metadataForQueries(next.metadata) });
    if (release) Object.assign(fields, { leaseOwner: null, leaseExpiresAt: 0, dueAt: release.dueAt });
    return this.publisher.locked('handoffs', next.id, async (): Promise<TransitionOutcome> => {
      const updated = await this.handoffs.findOneAndUpdate(guard, { $set: fields });
      if (!updated)
        return this.refused(next.id, {
          version: expectedVersion,
          leaseOwner,
          requireUnleased: options.requireUnleased,
          at,
          honoursCancel,
          requestsSeen: release?.requestsSeen,
        });
      // A redrive takes a finished handoff out of its final status: a cached copy is no longer true.
      this.finished.forgetOne(next.id);
      next.updatedAt = at;
      await this.announce(events, texts);
      return { applied: true, events, requests: requestsOf(updated) };
    });
  }

  /**
   * Why a transition matched nothing. A cancel request, once recorded, stays, and the version and
   * requests' rev only grow; so a document still at the expected version and lease with one
   * recorded is the cancel's doing, and any other mismatch is read correctly after the fact.
   */
  private async refused(id: string, expected: Parameters<typeof refusalReason>[1]): Promise<TransitionOutcome> {
    const doc = await this.handoffs.findOne({ _id: id });
    const reason = refusalReason(
      doc
        ? {
            version: doc.version,
            leaseOwner: doc.leaseOwner,
            leaseExpiresAt: doc.leaseExpiresAt,
            cancelled: Boolean(doc.cancelRequest),
            rev: doc.requestsRev ?? 0,
          }
        : null,
      expected,
    );
    return reason === 'CANCEL_REQUESTED' || reason === 'REQUESTS_CHANGED'
      ? { applied: false, reason, requests: requestsOf(doc!) }
      : { applied: false, reason, requests: null };
  }

  forget(id: string): void {
    this.finished.forgetOne(id);
  }

  /** Writes events to the log; `texts` are their JSON when the caller has it already (the outbox did). */
  private async writeEvents(events: HandoffEvent[], texts?: string[]): Promise<void> {
    await this.log.write(
      events.map(
        (event, index): LoggedEvent<StoredEventBody> => ({
          owner: event.handoffId,
          seq: event.seq,
          at: event.at,
          body: event,
          bodyText: texts?.[index],
        }),
      ),
    );
  }

  /** Copies a record's outbox to the log (and the change log) again: after a crash it may not have arrived. */
  async flushOutbox(record: HandoffRecord): Promise<void> {
    await this.publisher.locked('handoffs', record.handoff.id, () => this.finishOutbox(record.outbox));
  }

  async get(id: string): Promise<Handoff | null> {
    const cached = this.finished.get(id);
    if (cached) return cached;
    const doc = await this.handoffs.findOne({ _id: id });
    return doc ? this.parseAndRemember(doc) : null;
  }

  /** The signals and cancel request written for a handoff, without parsing its state. */
  async requests(id: string): Promise<OutOfBandRequests | null> {
    const doc = await this.handoffs.findOne({ _id: id });
    return doc ? requestsOf(doc) : null;
  }

  async getMany(ids: readonly string[]): Promise<(Handoff | null)[]> {
    const known = new Map<string, Handoff | null>();
    for (const id of ids) {
      const cached = this.finished.get(id);
      if (cached) known.set(id, cached);
    }
    const missing = ids.filter((id) => !known.has(id));
    const read = await findManyInOrder(this.handoffs, missing, this.parseAndRemember);
    missing.forEach((id, index) => known.set(id, read[index]));
    return ids.map((id) => known.get(id) ?? null);
  }

  /** Keyset pagination in `order`: one indexed range read per page, stable under concurrent inserts. */
  async page(
    filter: HandoffFilter,
    request: PageRequest,
    order: HandoffOrder = DEFAULT_HANDOFF_ORDER,
  ): Promise<Page<Handoff>> {
    let query = toFilter(filter);
    if (request.after) {
      const after = beyond(order, decodeHandoffCursor(order, request.after));
      query = Object.keys(query).length > 0 ? { $and: [query, after] } : after;
    }
    const docs = await this.handoffs.find(query, { sort: orderSort(order), limit: request.first + 1 });
    return {
      items: docs.slice(0, request.first).map((doc) => ({
        cursor: encodeHandoffCursor(order, { key: sortKey(order, doc), id: doc._id }),
        node: this.fromDocument(doc),
      })),
      hasNextPage: docs.length > request.first,
      hasPreviousPage: Boolean(request.after),
    };
  }

  /** A read document as a handoff, kept in the cache when it is finished. */
  private readonly parseAndRemember = (doc: HandoffDocument): Handoff =>
    this.finished.remember(toHandoff(doc), storedBytes(doc));

  /** A read document as a handoff, reusing the parsed copy of a finished one. */
  private readonly fromDocument = (doc: HandoffDocument): Handoff =>
    this.finished.get(doc._id) ?? this.parseAndRemember(doc);

  async count(filter: HandoffFilter): Promise<number> {
    return this.handoffs.count(toFilter(filter));
  }

  /** Summary rows for metrics, without parsing full states. */
  async summaries(filter: HandoffFilter): Promise<HandoffSummary[]> {
    const groups = new Map<string, HandoffSummary>();
    for (const doc of await this.handoffs.find(toFilter(filter))) {
      const key = `${doc.status}|${doc.type}|${doc.procedureId}`;
      let group = groups.get(key);
      if (!group) {
        group = {
          status: doc.status,
          type: doc.type,
          procedureId: doc.procedureId,
          count: 0,
          durationMsSum: 0,
          durationCount: 0,
        };
        groups.set(key, group);
      }
      group.count++;
      if (doc.durationMs !== null) {
        group.durationMsSum += doc.durationMs;
        group.durationCount++;
      }
    }
    return [...groups.values()];
  }

  async due(now: number, limit: number): Promise<DueHandoff[]> {
    const due: DueHandoff[] = [];
    for (const rank of RANKS_HIGH_FIRST) {
      if (due.length >= limit) break;
      const docs = await this.scheduling.find(
        { priorityRank: rank, dueAt: { $lte: now }, leaseExpiresAt: { $lte: now } },
        { sort: { priorityRank: 1, dueAt: 1 }, limit: limit - due.length },
      );
      due.push(...docs.map((doc) => ({ id: doc._id, priority: doc.priority })));
    }
    return due;
  }

  async overdue(now: number, limit: number): Promise<string[]> {
    const docs = await this.scheduling.find(
      {
        deadlineAt: { $lte: now },
        status: { $in: DEADLINE_APPLIES },
        cancelRequest: null,
        leaseExpiresAt: { $lte: now },
      },
      { sort: { deadlineAt: 1 }, limit },
    );
    return docs.map((doc) => doc._id);
  }

  async unfinished(): Promise<DueHandoff[]> {
    const docs = await this.scheduling.find({ status: { $in: [...RESUMABLE_STATUSES] } }, { sort: { createdAt: 1 } });
    return docs.map((doc) => ({ id: doc._id, priority: doc.priority }));
  }

  async leaseHolders(): Promise<string[]> {
    const docs = await this.scheduling.find({ status: { $in: [...UNFINISHED_STATUSES] }, leaseOwner: { $ne: null } });
    return [...new Set(docs.map((doc) => doc.leaseOwner!))];
  }

  async releaseLeasesOf(owner: string, now: number): Promise<number> {
    const release = { $set: { leaseOwner: null, leaseExpiresAt: 0, dueAt: now } };
    if (this.scheduling === this.handoffs) return this.handoffs.updateMany({ leaseOwner: owner }, release);
    // With a mirror (FerretDB, which reads every stored handoff for this filter): the collection is searched
    // once per gone owner; the scheduler asks again at every tick while the mirror shows the owner holding a
    // lease, and then only those are written (a copy the mirror kept stale is corrected by the guarded write
    // that finds the lease free). A lease neither search finds runs out, as any lease of a process that died.
    if (!this.searchedOwners.has(owner)) {
      const freed = await this.handoffs.updateMany({ leaseOwner: owner }, release);
      this.searchedOwners.add(owner);
      return freed;
    }
    const held = await this.scheduling.find({ leaseOwner: owner });
    if (held.length === 0) return 0;
    return this.handoffs.updateMany({ _id: { $in: held.map((doc) => doc._id) }, leaseOwner: owner }, release);
  }

  /**
   * Takes the lease when it is free, expired, ours, or (exclusive store) held by a dead
   * process; returns the handoff as stored, or null when the lease is someone else's.
   */
  async acquireLease(
    id: string,
    owner: string,
    now: number,
    leaseMs: number,
    ignoreOthers: boolean,
  ): Promise<HandoffRecord | null> {
    // A final handoff is never leased again: nothing is left to run.
    const unfinished = { $in: [...UNFINISHED_STATUSES] };
    const guard: Filter = ignoreOthers
      ? { _id: id, status: unfinished }
      : {
          _id: id,
          status: unfinished,
          $or: [{ leaseOwner: null }, { leaseOwner: owner }, { leaseExpiresAt: { $lt: now } }],
        };
    // A handoff another process is writing at this moment is that process's to run: no waiting for it.
    const updated = await this.handoffs.findOneAndUpdate(
      guard,
      { $set: { leaseOwner: owner, leaseExpiresAt: now + leaseMs, dueAt: now + leaseMs } },
      { unlessBusy: true },
    );
    return updated ? toRecord(updated) : null;
  }

  async claim(
    id: string,
    owner: string,
    now: number,
    leaseMs: number,
    version: number,
  ): Promise<OutOfBandRequests | null> {
    // As when taking a lease: a handoff another process is writing now is left to it (the next tick looks again).
    const updated = await this.handoffs.findOneAndUpdate(
      { _id: id, version, $or: [{ leaseOwner: null }, { leaseOwner: owner }, { leaseExpiresAt: { $lt: now } }] },
      { $set: { leaseOwner: owner, leaseExpiresAt: now + leaseMs, dueAt: now + leaseMs } },
      { unlessBusy: true },
    );
    return updated ? requestsOf(updated) : null;
  }

  /**
   * Extends the leases `owner` still holds on `ids`, and returns the cancel requests recorded
   * on them meanwhile (possibly by another process) so the runner can abort those steps.
   */
  async renewLeases(
    ids: string[],
    owner: string,
    expiresAt: number,
  ): Promise<{ cancels: { id: string; reason: string }[]; lost: string[] }> {
    if (ids.length === 0) return { cancels: [], lost: [] };
    await this.handoffs.updateMany(
      { _id: { $in: ids }, leaseOwner: owner },
      { $set: { leaseExpiresAt: expiresAt, dueAt: expiresAt } },
    );
    const docs = await this.handoffs.find({ _id: { $in: ids } });
    return {
      cancels: docs
        .filter((doc) => doc.cancelRequest)
        .map((doc) => ({ id: doc._id, reason: doc.cancelRequest!.reason })),
      // Read after the renewal: a lease another owner holds now was lost before it.
      lost: ids.filter((id) => docs.find((doc) => doc._id === id)?.leaseOwner !== owner),
    };
  }

  async releaseLease(id: string, owner: string, dueAt: number | null): Promise<void> {
    await this.handoffs.findOneAndUpdate(
      { _id: id, leaseOwner: owner },
      { $set: { leaseOwner: null, leaseExpiresAt: 0, dueAt } },
    );
  }

  /**
   * Records a signal for a step of an unfinished handoff; false when it is finished or unknown. Then,
   * in a second guarded write, a handoff nobody holds (and not PAUSED) is made due now: a runner that
   * takes it in between sees the signal, and one releasing it in between is refused (its release
   * expects the requests' rev the signal just bumped).
   */
  async recordSignal(id: string, step: string, payload: unknown, at: number): Promise<boolean> {
    return this.publisher.locked('handoffs', id, async () => {
      const updated = await this.handoffs.findOneAndUpdate(
        // Rolling back included: a compensation may wait for a signal (an agent task's outcome).
        { _id: id, status: { $in: [...UNFINISHED_STATUSES] } },
        { $set: { [`signals.${step}`]: JSON.stringify(payload ?? null) }, $inc: { requestsRev: 1 } },
      );
      if (!updated) return false;
      await this.publisher.publish([{ kind: 'signal', handoffId: id, step, payload: payload ?? null }]);
      if (updated.status !== 'PAUSED') await this.dueNow(id, at);
      return true;
    });
  }

  /** Records a cancel request on an unfinished handoff; false when it is already final or rolling back. */
  async requestCancel(id: string, reason: string, at: number): Promise<boolean> {
    return this.publisher.locked('handoffs', id, async () => {
      const updated = await this.handoffs.findOneAndUpdate(
        { _id: id, status: { $in: ['PENDING', 'RUNNING', 'WAITING', 'PAUSED'] }, cancelRequest: null },
        { $set: { cancelRequest: { reason, at } }, $inc: { requestsRev: 1 } },
      );
      if (!updated) return false;
      await this.publisher.publish([{ kind: 'cancel', handoffId: id, reason }]);
      await this.dueNow(id, at);
      return true;
    });
  }

  /** Makes a handoff nobody holds due at `at` (unless it is due earlier already). */
  private async dueNow(id: string, at: number): Promise<void> {
    await this.handoffs.findOneAndUpdate(
      { _id: id, leaseExpiresAt: { $lt: at }, $or: [{ dueAt: null }, { dueAt: { $gt: at } }] },
      { $set: { dueAt: at } },
    );
  }

  /**
   * The log after `afterSeq`, completed from the outbox: the latest transition's events may not have
   * reached the log yet (a reader between the two writes, or a crash), and a stored status must never
   * be readable without them. The document is read first, so the log read sees everything before it.
   */
  async finishedBefore({
    finishedBefore,
    test,
    limit,
  }: {
    finishedBefore: number;
    test: boolean;
    limit: number;
  }): Promise<string[]> {
    this.finished.forget([], finishedBefore);
    const filter: Filter = {
      status: { $in: [...FINAL_STATUSES] },
      finishedAt: { $lt: finishedBefore },
      testId: test ? { $ne: null } : null,
    };
    return (await this.handoffs.find(filter, { sort: { finishedAt: 1 }, limit })).map((doc) => doc._id);
  }

  /**
   * Without multi-document transactions: the events go first, then the documents (still guarded by
   * a final status). A crash in between leaves finished handoffs without history, which the next
   * sweep deletes; never events without their handoff, which nothing would find again. Counts and
   * summaries are computed from the documents, so they drop the handoffs with them.
   */
  async deleteFinished(ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const finished = (await this.handoffs.find({ _id: { $in: [...ids] }, status: { $in: [...FINAL_STATUSES] } })).map(
      (doc) => doc._id,
    );
    if (finished.length === 0) return 0;
    await this.log.deleteOwners(finished);
    const deleted = await this.handoffs.deleteMany({ _id: { $in: finished }, status: { $in: [...FINAL_STATUSES] } });
    this.finished.forget(finished, 0);
    return deleted;
  }

  async events(id: string, afterSeq: number, limit = 10_000): Promise<HandoffEvent[]> {
    const doc = await this.handoffs.findOne({ _id: id });
    // With the document read, its seq bounds the log: the events are named by id, not found by range.
    const read = doc
      ? await this.log.between(id, afterSeq, Math.min(doc.seq, afterSeq + limit))
      : await this.log.after(id, afterSeq, limit);
    const logged = read.map((event) => ({
      ...event.body,
      handoffId: event.owner,
      seq: event.seq,
      at: event.at,
    }));
    if (!doc || logged.length >= limit) return logged;
    const last = logged.at(-1)?.seq ?? afterSeq;
    const pending = (JSON.parse(doc.outbox) as HandoffEvent[]).filter((event) => event.seq > last);
    return [...logged, ...pending].slice(0, limit);
  }
}
