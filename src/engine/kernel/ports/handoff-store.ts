import type { AgentFeedEntry } from '../../agents/agent-feed.js';
import { type Handoff, type HandoffStatus, type HandoffType, isFinal, type Priority } from '../handoff/handoff.js';
import type { HandoffEvent, HandoffEventDraft } from '../handoff/handoff-event.js';
import type { HandoffOrder } from '../handoff/handoff-order.js';
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

/** Signals and cancel requests, written outside the version guard. */
export interface OutOfBandRequests {
  signals: Record<string, unknown>;
  cancelRequest: { reason: string; at: number } | null;
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

/** Statuses whose transition hands the lease back: nothing runs the handoff on after them. */
export function releasesLease(status: HandoffStatus): boolean {
  return isFinal(status) || status === 'PAUSED';
}

/**
 * What `transition` did: stored it with its events, or refused it and why: the stored version is not
 * the expected one (VERSION_CONFLICT: someone else changed it), the lease is someone else's
 * (LEASE_LOST), or a recorded cancel forbids the status (CANCEL_REQUESTED, with the requests).
 */
export type TransitionOutcome =
  | { applied: true; events: HandoffEvent[]; requests: OutOfBandRequests }
  | { applied: false; reason: 'CANCEL_REQUESTED'; requests: OutOfBandRequests }
  | { applied: false; reason: 'VERSION_CONFLICT' | 'LEASE_LOST'; requests: null };

/** Why a guarded write matched nothing, from the stored version, lease and cancel request read after it. */
export function refusalReason(
  stored: { version: number; leaseOwner: string | null; cancelled: boolean } | null,
  expectedVersion: number,
  leaseOwner: string | null,
  honoursCancel: boolean,
): 'VERSION_CONFLICT' | 'LEASE_LOST' | 'CANCEL_REQUESTED' {
  if (!stored || stored.version !== expectedVersion) return 'VERSION_CONFLICT';
  if (leaseOwner !== null && stored.leaseOwner !== leaseOwner) return 'LEASE_LOST';
  return honoursCancel && stored.cancelled ? 'CANCEL_REQUESTED' : 'VERSION_CONFLICT';
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
  /** Stores a new handoff with its first events; DuplicateKeyError when the id exists. */
  create(
    handoff: Handoff,
    drafts: HandoffEventDraft[],
    at: number,
    lease?: { owner: string; expiresAt: number } | null,
  ): Promise<HandoffEvent[]>;
  /**
   * Replaces the stored state with `next` if the stored version is still `next.version - 1` and
   * (when given) the lease is still `leaseOwner`'s; records `drafts` as events. Refused with nothing
   * stored when the guard failed (VERSION_CONFLICT or LEASE_LOST: someone else changed it). A final
   * or PAUSED status also hands the lease back. The metadata is written only with `writesMetadata`.
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
    options?: { writesMetadata?: boolean },
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
   * Handoffs a runner should pick up (RESUMABLE_STATUSES: not final, not PAUSED; id and priority:
   * what queueing needs), oldest first; with `leasableAt`, only those whose lease is free or expired then.
   */
  unfinished(leasableAt?: number): Promise<{ id: string; priority: Priority }[]>;
  /** Who holds leases on unfinished handoffs (to find those of processes that are gone). */
  leaseHolders(): Promise<string[]>;
  /** Frees every lease `owner` holds: it is known to be gone. Returns how many. */
  releaseLeasesOf(owner: string): Promise<number>;
  /**
   * Takes the lease when it is free, expired or ours (or, `ignoreOthers`, whoever holds it: a store
   * only this process opens); returns the handoff as stored, or null when it is someone else's.
   */
  acquireLease(
    id: string,
    owner: string,
    now: number,
    leaseMs: number,
    ignoreOthers: boolean,
  ): Promise<HandoffRecord | null>;
  /**
   * Extends `owner`'s leases on `ids`; returns the cancel requests recorded on them meanwhile, and
   * the ids whose lease `owner` no longer holds (it expired and another process took it).
   */
  renewLeases(
    ids: string[],
    owner: string,
    expiresAt: number,
  ): Promise<{ cancels: { id: string; reason: string }[]; lost: string[] }>;
  releaseLease(id: string, owner: string): Promise<void>;
  /** Records a signal for a step (or a compensation) of an unfinished handoff, rolling back included; false when it is finished or unknown. */
  recordSignal(id: string, step: string, payload: unknown): Promise<boolean>;
  /** Records a cancel request on an unfinished handoff (PAUSED included); false when it is already final or rolling back. */
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

/**
 * Something another process committed that a process running or watching the handoff must hear
 * of, or that an agent following its feed here must see.
 */
export type HandoffChange =
  | { kind: 'events'; events: HandoffEvent[] }
  | { kind: 'signal'; handoffId: string; step: string; payload: unknown }
  | { kind: 'cancel'; handoffId: string; reason: string }
  | { kind: 'agentFeed'; entries: AgentFeedEntry[] };

/**
 * What other processes sharing the store committed, in commit order. The engine polls it on its
 * clock; a store only one process can open has none.
 */
export interface HandoffChangeFeed {
  /** The position of the newest change now: following starts there. */
  head(): Promise<string>;
  /**
   * Changes committed by other processes after `position` (at most `limit` stored rows), the
   * position to ask from next, and whether more were left for the next read.
   */
  read(position: string, limit: number): Promise<{ changes: HandoffChange[]; position: string; more: boolean }>;
  /** Stops following (a push-based feed lets its stream go). */
  close?(): Promise<void>;
}
