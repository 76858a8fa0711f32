import type { LeasedWork, LeaseKind } from '../kernel/leases/leased-work.js';
import type { CommittedHandoffEvents } from '../kernel/ports/committed-events.js';
import type { HandoffStore } from '../kernel/ports/handoff-store.js';
import { type Clock, repeatEvery } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { FoldDeltas } from './fold-deltas.js';
import { buildCommit, FoldedDocuments } from './folded-documents.js';
import { HandoffTrails } from './handoff-trails.js';
import { ALL_PROCEDURES, type FoldState, type InsightStore } from './insight-store.js';

/** The one lease the fold runs under, whichever process holds it. */
const FOLD_LEASE = 'insight-fold';
/** How often the holder deletes buckets past their retention. */
const PRUNE_EVERY_MS = 3_600_000;

export interface InsightFoldSettings {
  /** How often the fold looks for new events. */
  pollMs: number;
  /** Events read per store round trip. */
  readBatch: number;
  /** Events folded into one commit at most (a tick that finds more commits again at once). */
  commitBatch: number;
  /**
   * The share of each poll interval the fold may spend folding: `busy` while this process's handoff
   * slots are all taken (handoffs come first; the fold catches up once they are not), `idle` otherwise.
   */
  share: { busy: number; idle: number };
  /** How long minute and hour buckets are kept. */
  minuteRetentionMs: number;
  hourRetentionMs: number;
}

export interface InsightFoldOptions {
  store: InsightStore;
  events: CommittedHandoffEvents;
  /** Where trails are rebuilt from (a handoff's own events), and where the queue is counted at the first fold. */
  handoffs: HandoffStore;
  leases: LeasedWork;
  clock: Clock;
  logger: Logger;
  settings: InsightFoldSettings;
  /** Whether every handoff slot of this process is taken (handoffs wait for one). */
  saturated(): boolean;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Folds the committed handoff events into time series and step statistics, in the background,
 * under one lease shared by every process on the store. It reads from the cursor the last commit
 * stored and commits the buckets with the cursor as one (see InsightStore.commitFold), so after a
 * crash it goes on from exactly where the last commit ended: no event counted twice or lost. The
 * handoff write path does nothing for it, and retention deleting handoffs leaves the series alone.
 */
export class InsightFold {
  private state: FoldState | null = null;
  private readonly trails: HandoffTrails;
  private readonly documents: FoldedDocuments;
  private readonly lease: LeaseKind;
  private ticking: Promise<void> = Promise.resolve();
  private prunedAt = 0;

  constructor(private readonly options: InsightFoldOptions) {
    const { store, leases, clock } = options;
    this.trails = new HandoffTrails(options.handoffs);
    this.documents = new FoldedDocuments(store);
    this.lease = leases.kind('insight fold', {
      renew: async () => {
        const attempt = await store.acquireFold(leases.owner, clock.now(), leases.leaseMs);
        return attempt.held ? [] : [FOLD_LEASE];
      },
    });
  }

  /** Folds every `pollMs` until the returned stop is awaited (which hands the lease back). */
  start(): () => Promise<void> {
    const stopRepeating = repeatEvery(
      this.options.clock,
      this.options.settings.pollMs,
      () => (this.ticking = this.tick()),
    );
    return async () => {
      stopRepeating();
      await this.ticking;
      if (this.state) {
        this.forget();
        await this.options.store
          .releaseFold(this.options.leases.owner)
          .catch((error) => this.options.logger.warn({ err: error }, 'insight fold lease release failed'));
      }
    };
  }

  /** Takes the fold's lease if it is free and, on a store never folded, sets its cursor at the newest event now. */
  async prime(): Promise<void> {
    try {
      await this.holdLease();
    } catch (error) {
      this.options.logger.warn({ err: error }, 'insight fold could not start; trying again on the next poll');
      this.forget();
    }
  }

  /** Folds what was committed since the last commit, in commits of at most commitBatch events. Errors are logged. */
  async tick(): Promise<void> {
    try {
      if (!(await this.holdLease())) return;
      const { clock, settings } = this.options;
      const share = this.options.saturated() ? settings.share.busy : settings.share.idle;
      const deadline = clock.now() + Math.max(1, settings.pollMs * share);
      while ((await this.foldOnce(deadline)) && clock.now() < deadline) await nextTurn();
      await this.prune();
    } catch (error) {
      this.options.logger.warn({ err: error }, 'insight fold failed; trying again on the next poll');
      this.forget();
    }
  }

  /** Folds until nothing committed by now is left (tests, benchmarks); throws if this process cannot hold the lease. */
  async catchUp(maxRounds = 1_000): Promise<void> {
    for (let round = 0; round < maxRounds; round++) {
      await this.ticking;
      this.ticking = this.tick();
      await this.ticking;
      const cursor = this.state?.cursor;
      if (cursor && (await this.options.events.read(cursor, 1)).events.length === 0) return;
    }
    throw new Error('the insight fold did not catch up (another process may hold its lease)');
  }

  private async holdLease(): Promise<boolean> {
    if (this.state && this.lease.holds(FOLD_LEASE)) return true;
    const { store, leases, clock } = this.options;
    const now = clock.now();
    let attempt = await store.acquireFold(leases.owner, now, leases.leaseMs);
    if (!attempt.held && attempt.holder && leases.mayTakeOver(attempt.holder))
      attempt = await store.acquireFold(leases.owner, now, leases.leaseMs, attempt.holder);
    if (!attempt.held) return false;
    // What another holder folded meanwhile is not in what this process remembers: start from the store.
    this.trails.clear();
    this.documents.clear();
    this.state = attempt.state;
    this.lease.hold(FOLD_LEASE, () => this.forget());
    if (this.state.cursor === null) await this.begin();
    return this.state !== null;
  }

  /** The first fold on this store starts at the newest event, with the queue as it stands. */
  private async begin(): Promise<void> {
    const { events, handoffs, store, leases, clock } = this.options;
    const cursor = await events.head();
    const depth: Record<string, number> = { [ALL_PROCEDURES]: 0 };
    for (const summary of await handoffs.summaries({ status: ['PENDING'], test: false })) {
      depth[ALL_PROCEDURES] += summary.count;
      depth[summary.procedureId] = (depth[summary.procedureId] ?? 0) + summary.count;
    }
    const commit = {
      batch: this.state!.batch + 1,
      cursor,
      depth,
      foldedThrough: clock.now(),
      series: [],
      steps: [],
      stats: [],
    };
    if (!(await store.commitFold(leases.owner, commit))) return this.forget();
    this.state = { ...this.state!, ...commit };
  }

  /**
   * Reads up to commitBatch events after the cursor (fewer if `deadline` passes first), folds them,
   * commits; true when more may be waiting.
   */
  private async foldOnce(deadline: number): Promise<boolean> {
    const { events, store, leases, settings, clock } = this.options;
    const state = this.state;
    if (!state?.cursor) return false;
    const deltas = new FoldDeltas({ ...state.depth }, state.foldedThrough);
    let cursor = state.cursor;
    let folded = 0;
    let more = false;
    while (folded < settings.commitBatch) {
      const read = await events.read(cursor, Math.min(settings.readBatch, settings.commitBatch - folded));
      if (read.events.length === 0) break;
      await this.trails.prepare(read.events);
      for (const event of read.events) {
        const trail = this.trails.trailOf(event);
        deltas.add(event, trail);
        this.trails.follow(trail, event);
      }
      folded += read.events.length;
      cursor = read.position;
      more = read.events.length === settings.readBatch;
      if (!more || clock.now() >= deadline) break;
      // Reads and folding are synchronous on SQLite: let handoffs run between two batches.
      await nextTurn();
    }
    if (cursor === state.cursor) return false;
    const commit = await buildCommit(this.documents, deltas, state.batch + 1, cursor);
    if (this.state !== state) return false;
    if (!(await store.commitFold(leases.owner, commit))) {
      this.options.logger.info(
        { owner: leases.owner },
        'insight fold lease lost to another process; it folds from here',
      );
      this.forget();
      return false;
    }
    this.documents.remember(commit);
    this.state = { ...state, batch: commit.batch, cursor, depth: commit.depth, foldedThrough: commit.foldedThrough };
    return more;
  }

  /** At most hourly, the holder deletes minute and hour buckets past their retention (statistics stay). */
  private async prune(): Promise<void> {
    const { clock, store, settings, logger } = this.options;
    const now = clock.now();
    if (now - this.prunedAt < PRUNE_EVERY_MS) return;
    this.prunedAt = now;
    const minutes = await store.pruneSeries('MINUTE', now - settings.minuteRetentionMs);
    const hours = await store.pruneSeries('HOUR', now - settings.hourRetentionMs);
    if (minutes + hours > 0) logger.info({ minutes, hours }, 'insight buckets past their retention deleted');
  }

  private forget(): void {
    this.state = null;
    this.trails.clear();
    this.documents.clear();
    this.lease.release(FOLD_LEASE);
  }
}
