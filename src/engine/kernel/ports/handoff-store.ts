import type { Handoff, HandoffStatus, HandoffType, Priority } from '../handoff/handoff.js';
import type { HandoffEvent, HandoffEventDraft } from '../handoff/handoff-event.js';
import type { HandoffOrder } from './handoff-order.js';
import type { Page, PageRequest } from './page.js';

/** A time range: `from` inclusive, `before` exclusive (epoch ms). */
export interface TimeRange {
  from?: number;
  before?: number;
}

/** The JSON values a metadata path can be compared with. */
export type MetadataScalar = string | number | boolean | null;

/**
 * The metadata value at `path` (object keys, outermost first) equals `equals`: the same JSON type
 * and value. `null` matches a JSON null or a missing key. Arrays are not looked into.
 */
export interface MetadataEquality {
  path: string[];
  equals: MetadataScalar;
}

/** Which agent of a handoff a condition is about. */
export type AgentSide = 'SOURCE' | 'TARGET' | 'ANY';

export interface HandoffFilter {
  status?: HandoffStatus[];
  procedureId?: string[];
  type?: HandoffType[];
  /** Handoffs naming this agent as source or target. */
  agent?: string;
  /** Handoffs from this source agent. */
  sourceAgent?: string;
  /** Handoffs to this target agent. */
  targetAgent?: string;
  /** Exact source phase (null: handoffs without one). */
  sourcePhase?: string | null;
  /** true: only reliability-test traffic; false: only production; undefined: both. */
  test?: boolean;
  testId?: string;
  createdAt?: TimeRange;
  /** The time of the latest stored transition (creation counts as one). */
  updatedAt?: TimeRange;
  /** true: only handoffs with a step that is retrying (see hasRetryingStep); false: only without. */
  retrying?: boolean;
  /** Handoffs whose agent on `side` is one of `ids` (none: matches nothing). */
  agentIn?: { ids: string[]; side: AgentSide };
  /** Every equality must hold. */
  metadata?: MetadataEquality[];
  /** Only handoffs at or before this (createdAt, id): a set fixed when a bulk operation started. */
  upTo?: { createdAt: number; id: string };
}

/**
 * Signals and cancel requests, written outside the version guard. `rev` counts them: every signal or
 * cancel recorded bumps it, so a runner can tell whether it has seen the latest.
 */
export interface OutOfBandRequests {
  signals: Record<string, unknown>;
  cancelRequest: { reason: string; at: number } | null;
  rev: number;
}

/** What a runner sees when it loads a handoff: state plus the out-of-band requests. */
export interface HandoffRecord extends OutOfBandRequests {
  handoff: Handoff;
  leaseOwner: string | null;
  leaseExpiresAt: number;
  /**
   * Events of the latest transition that a store without multi-document transactions may not have
   * copied to the log yet (its outbox); empty where a transition and its events commit together.
   */
  outbox: HandoffEvent[];
}

/**
 * Final statuses that say a handoff was not cancelled. While a cancel request is recorded, a
 * transition to one of them is refused (the runner must honour the cancel instead), so a cancel
 * that was acknowledged can never be followed by one of them, whatever the timing.
 */
export const STATUSES_IGNORING_A_CANCEL: ReadonlySet<HandoffStatus> = new Set<HandoffStatus>([
  'COMPLETED',
  'FAILED',
  'ROLLED_BACK',
  'PAUSED',
]);

/**
 * What `transition` did: stored it with its events, or refused it and why: the stored version is not
 * the expected one (VERSION_CONFLICT: someone else changed it), the lease is someone else's
 * (LEASE_LOST), a recorded cancel forbids the status (CANCEL_REQUESTED, with the requests), or a
 * release was asked with `requestsSeen` and requests were recorded since (REQUESTS_CHANGED, with them).
 */
export type TransitionOutcome =
  | { applied: true; events: HandoffEvent[]; requests: OutOfBandRequests }
  | { applied: false; reason: 'CANCEL_REQUESTED' | 'REQUESTS_CHANGED'; requests: OutOfBandRequests }
  | { applied: false; reason: 'VERSION_CONFLICT' | 'LEASE_LOST'; requests: null };

/**
 * How a transition leaves the handoff's lease: kept by the runner that stored it (no `release`), or
 * handed back with the time the handoff is due again (`dueAt`: see dueAtOf; null: never by itself).
 * `requestsSeen`: release only if no signal or cancel was recorded after the requests with that `rev`
 * (else REQUESTS_CHANGED): a runner never lets a handoff wait for what has arrived already.
 */
export interface TransitionOptions {
  /** The metadata changed (a redrive's patch): write it too. */
  writesMetadata?: boolean;
  /** Without a lease owner: only if nobody holds a live lease (an operator's lever, not a runner). */
  requireUnleased?: boolean;
  release?: { dueAt: number | null; requestsSeen?: number };
}

/** A handoff due to run, as the scheduler takes it: enough to queue it by priority. */
export interface DueHandoff {
  id: string;
  priority: Priority;
}

/**
 * Why a guarded write matched nothing, from the stored version, lease, cancel request and requests'
 * rev read after it (`requireUnleased`: the writer holds no lease and needs nobody to hold a live one).
 */
export function refusalReason(
  stored: {
    version: number;
    leaseOwner: string | null;
    leaseExpiresAt: number;
    cancelled: boolean;
    rev: number;
  } | null,
  expected: {
    version: number;
    leaseOwner: string | null;
    requireUnleased?: boolean;
    at: number;
    honoursCancel: boolean;
    requestsSeen?: number;
  },
): 'VERSION_CONFLICT' | 'LEASE_LOST' | 'CANCEL_REQUESTED' | 'REQUESTS_CHANGED' {
  if (!stored || stored.version !== expected.version) return 'VERSION_CONFLICT';
  if (expected.leaseOwner !== null && stored.leaseOwner !== expected.leaseOwner) return 'LEASE_LOST';
  if (expected.requireUnleased && stored.leaseOwner !== null && stored.leaseExpiresAt >= expected.at)
    return 'LEASE_LOST';
  if (expected.honoursCancel && stored.cancelled) return 'CANCEL_REQUESTED';
  return expected.requestsSeen !== undefined && stored.rev !== expected.requestsSeen
    ? 'REQUESTS_CHANGED'
    : 'VERSION_CONFLICT';
}

/**
 * Handoffs of one status, type and procedure, counted: what metrics are computed from, in memory
 * that does not grow with history. `durationMsSum` and `durationCount` cover those with a duration.
 */
export interface HandoffSummary {
  status: HandoffStatus;
  type: HandoffType;
  procedureId: string;
  count: number;
  durationMsSum: number;
  durationCount: number;
}

/**
 * Handoffs and their event history: what the engine needs from storage to run them.
 *
 * Every state change is one compare-and-set on the stored version (and the lease, when given),
 * and a change is never readable without its events: `events()` returns every event up to the
 * stored `seq` as soon as `get()` shows that seq.
 */
export interface HandoffStore {
  /**
   * Stores a new handoff with its first events; DuplicateKeyError when the id exists. With a lease it
   * is due when the lease runs out (its creator runs it); without, at once (any scheduler may take it).
   */
  create(
    handoff: Handoff,
    drafts: HandoffEventDraft[],
    at: number,
    lease?: { owner: string; expiresAt: number } | null,
  ): Promise<HandoffEvent[]>;
  /**
   * Replaces the stored state with `next` if the stored version is still `next.version - 1` and
   * (when given) the lease is still `leaseOwner`'s (with `requireUnleased`: nobody holds a live
   * lease); records `drafts` as events.
   * Refused with nothing stored when the guard failed (VERSION_CONFLICT or LEASE_LOST: someone else
   * changed it). `options.release` hands the lease back and sets when the handoff is due (see
   * TransitionOptions); the metadata is written only with `writesMetadata`.
   *
   * Refused, with nothing stored (reason CANCEL_REQUESTED), when `next.status` is one of
   * STATUSES_IGNORING_A_CANCEL and a cancel request is recorded: checked in the same atomic step as
   * the version guard, so a cancel recorded a moment before cannot be overtaken.
   */
  transition(
    next: Handoff,
    drafts: HandoffEventDraft[],
    at: number,
    leaseOwner: string | null,
    options?: TransitionOptions,
  ): Promise<TransitionOutcome>;
  /** Drops any cached copy of the handoff (another process redrove it: it is no longer final). */
  forget(id: string): void;
  /** Makes sure the events of the handoff's latest transition are in the log (a no-op where they always are). */
  repairLog(id: string): Promise<void>;
  /** Copies a loaded record's outbox to the log again (a no-op where the outbox is always empty). */
  flushOutbox(record: HandoffRecord): Promise<void>;
  get(id: string): Promise<Handoff | null>;
  getMany(ids: readonly string[]): Promise<(Handoff | null)[]>;
  /** The signals and cancel request written for a handoff, without parsing its state. */
  requests(id: string): Promise<OutOfBandRequests | null>;
  /**
   * One page in `order` (default CREATED_AT DESC); cursors encode the order, its sort key and the
   * id, and one of another order is InvalidCursorError.
   */
  page(filter: HandoffFilter, request: PageRequest, order?: HandoffOrder): Promise<Page<Handoff>>;
  count(filter: HandoffFilter): Promise<number>;
  /** Counts and durations grouped by status, type and procedure. */
  summaries(filter: HandoffFilter): Promise<HandoffSummary[]>;
  /**
   * Up to `limit` handoffs due by `now` (their due time passed and nobody holds a live lease): the
   * highest priority first, then the longest due. What a scheduler with free slots takes next.
   */
  due(now: number, limit: number): Promise<DueHandoff[]>;
  /**
   * Ids of up to `limit` handoffs nobody holds that are PENDING, RUNNING or WAITING past their
   * deadline with no cancel recorded yet: the deadline sweep records their cancel.
   */
  overdue(now: number, limit: number): Promise<string[]>;
  /** Unfinished handoffs that are not PAUSED (RESUMABLE_STATUSES), oldest first: for tests and tools. */
  unfinished(): Promise<DueHandoff[]>;
  /** Who holds leases on unfinished handoffs (to find those of processes that are gone). */
  leaseHolders(): Promise<string[]>;
  /** Frees every lease `owner` holds (it is known to be gone): those handoffs are due at `now`. Returns how many. */
  releaseLeasesOf(owner: string, now: number): Promise<number>;
  /**
   * Takes the lease of an unfinished handoff when it is free, expired or ours (or, `ignoreOthers`,
   * whoever holds it: a store only this process opens); returns the handoff as stored, or null when
   * it is someone else's or final. While leased it is due when the lease runs out.
   */
  acquireLease(
    id: string,
    owner: string,
    now: number,
    leaseMs: number,
    ignoreOthers: boolean,
  ): Promise<HandoffRecord | null>;
  /**
   * Takes the lease like acquireLease, but only while the stored version is still `version` (the
   * caller holds that state: it created the handoff), and returns just the out-of-band requests:
   * no state is read. Null when the lease is someone else's or the handoff changed meanwhile.
   */
  claim(id: string, owner: string, now: number, leaseMs: number, version: number): Promise<OutOfBandRequests | null>;
  /**
   * Extends `owner`'s leases on `ids` (and their due time with them); returns the cancel requests
   * recorded on them meanwhile, and the ids whose lease `owner` no longer holds (it expired and
   * another process took it).
   */
  renewLeases(
    ids: string[],
    owner: string,
    expiresAt: number,
  ): Promise<{ cancels: { id: string; reason: string }[]; lost: string[] }>;
  /** Hands `owner`'s lease back; the handoff is due at `dueAt` (now: another runner may take it at once; null: never by itself). */
  releaseLease(id: string, owner: string, dueAt: number | null): Promise<void>;
  /**
   * Records a signal for a step (or a compensation) of an unfinished handoff, rolling back included;
   * false when it is finished or unknown. A handoff nobody holds that is not PAUSED is due at `at`
   * (whoever waits for the signal goes on).
   */
  recordSignal(id: string, step: string, payload: unknown, at: number): Promise<boolean>;
  /**
   * Records a cancel request on an unfinished handoff (PAUSED included); false when it is already
   * final or rolling back. A handoff nobody holds is due at `at` (its cancel is honoured at once).
   */
  requestCancel(id: string, reason: string, at: number): Promise<boolean>;
  /**
   * Ids of up to `limit` handoffs in a final status that finished before `finishedBefore` (only
   * reliability-test ones with `test`, only production ones without), oldest first: what retention
   * deletes next. Cached copies of handoffs finished before then are dropped (another process's
   * retention may have deleted them already).
   */
  finishedBefore(options: { finishedBefore: number; test: boolean; limit: number }): Promise<string[]>;
  /**
   * Deletes those of `ids` that are in a final status, with their events and change notices, in one
   * short step; returns how many. Counts and summaries drop them in the same step. Unfinished
   * handoffs are never deleted; unknown ids are skipped.
   */
  deleteFinished(ids: readonly string[]): Promise<number>;
  /** Events with seq > afterSeq, oldest first. */
  events(id: string, afterSeq: number, limit?: number): Promise<HandoffEvent[]>;
}

/** Something another process committed that a process running or watching the handoff must hear of. */
export type HandoffChange =
  | { kind: 'events'; events: HandoffEvent[] }
  | { kind: 'signal'; handoffId: string; step: string; payload: unknown }
  | { kind: 'cancel'; handoffId: string; reason: string };

/**
 * What other processes sharing the store committed, in commit order. The engine polls it on its
 * clock; a store only one process can open has none. `Other`: changes the store also carries for
 * modules (an agent feed's entries), handed to them as they come.
 */
export interface HandoffChangeFeed<Other = never> {
  /** The position of the newest change now: following starts there. */
  head(): Promise<string>;
  /**
   * Changes committed by other processes after `position` (at most `limit` stored rows), the
   * position to ask from next, and whether more were left for the next read.
   */
  read(
    position: string,
    limit: number,
  ): Promise<{ changes: (HandoffChange | Other)[]; position: string; more: boolean }>;
  /** Stops following (a push-based feed lets its stream go). */
  close?(): Promise<void>;
}
