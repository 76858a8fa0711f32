import { type Clock, repeatEvery, startTimeout } from '../../shared/clock.js';
import type { Logger } from '../../shared/logger.js';
import type { EventBus } from '../events/event-bus.js';
import { type Handoff, isFinal, type Priority } from '../handoff/handoff.js';
import type { LeasedWork } from '../leases/leased-work.js';
import type { DueHandoff, HandoffStore } from '../ports/handoff-store.js';
import type { RunEnd } from '../runner/active-run.js';
import { deadlineReason, type HandoffRunner } from '../runner/handoff-runner.js';
import type { FairShareRule } from './fair-share.js';
import { HandoffQueue } from './handoff-queue.js';
import { WakeTimer } from './wake-timer.js';

/** Work a module keeps due in the store (an agent's silence past its heartbeat timeout), done when it falls due. */
export interface DueWork {
  /** For logs. */
  name: string;
  /** Does what fell due by `now`. */
  run(now: number): Promise<void>;
}

export interface SchedulerOptions {
  store: HandoffStore;
  runner: HandoffRunner;
  leases: LeasedWork;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  /** Handoffs this process runs at once (0: it runs none: an API-only process). */
  slots: number;
  fairShare: FairShareRule | null;
  /** How often the store is asked what is due. */
  pollMs: number;
  dueWork: readonly DueWork[];
}

/** Overdue handoffs cancelled per sweep: a backlog is worked off over a few ticks. */
const OVERDUE_BATCH = 200;

/**
 * Takes due work from the store and runs it, in any process that shares the store: what is due (a
 * queued start, a retry's back-off, a wait's end or timeout, a deadline, a signal or cancel that
 * arrived) is stored with the state that makes it due, so a restart re-arms nothing by hand and a
 * handoff started on a busy process runs on an idle one. Slots count only work executing now: a
 * handoff that waits is handed back and holds none. Within this process, the queue keeps priority
 * and fair share among what it took.
 */
export class Scheduler {
  readonly queue: HandoffQueue;
  private stopped = false;
  private stopTicking: (() => void) | null = null;
  /** A poll in flight, and whether another was asked for meanwhile. */
  private polling: Promise<void> | null = null;
  private pollAgain = false;
  private ticking: Promise<void> | null = null;
  private tickAgain = false;
  private readonly retries = new Map<string, { failures: number; cancel: () => void }>();
  private readonly wakeTimer: WakeTimer;

  constructor(private readonly options: SchedulerOptions) {
    this.queue = new HandoffQueue(Math.max(0, options.slots), (id) => this.execute(id), options.fairShare);
    this.wakeTimer = new WakeTimer(options.clock, () => void this.tick());
  }

  /** Whether this process runs handoffs at all. */
  get runsHandoffs(): boolean {
    return this.options.slots > 0;
  }

  /**
   * The lease a handoff created now is stored with, when this process will run it: at once (a slot is
   * free and nothing waits before it), or, on a store no other process opens, when its turn comes (it
   * runs here anyway, and needs no lease write then). Null: it is stored due, for whichever process
   * is free first.
   */
  creationLease(handoff: Handoff, now: number): { owner: string; expiresAt: number } | null {
    if (this.stopped || !this.runsHandoffs) return null;
    const { leases } = this.options;
    if (!leases.exclusiveStore && !this.queue.startsAtOnce(this.queue.keyOf(handoff))) return null;
    return { owner: leases.owner, expiresAt: leases.expiresAt(now) };
  }

  /** A handoff stored now (leased to this process by creationLease, or not): run it when a slot frees. */
  admit(handoff: Handoff, lease: { expiresAt: number } | null): void {
    if (!this.runsHandoffs || this.stopped) return;
    this.options.runner.adoptCreated(handoff, lease?.expiresAt ?? null);
    this.queue.enqueue(handoff.id, handoff.priority, this.queue.keyOf(handoff));
  }

  /** A handoff this process made due (a signal, a resume, a redrive recorded here): take it if there is room. */
  offer(handoff: { id: string; priority: Priority } & Partial<Handoff>): void {
    if (!this.runsHandoffs || this.stopped || this.options.runner.isActive(handoff.id)) return;
    this.queue.enqueue(
      handoff.id,
      handoff.priority,
      handoff.targetAgent !== undefined ? this.queue.keyOf(handoff as Handoff) : null,
    );
  }

  /**
   * Takes a handoff out of this process's queue before its turn (a lever acts on it instead): true when
   * it waited here, with the lease its creation gave this process, which the lever's transition uses.
   */
  withdrawQueued(id: string): { leaseOwner: string | null } | null {
    if (!this.queue.remove(id)) return null;
    const lease = this.options.runner.forgetCreated(id);
    return { leaseOwner: lease ? this.options.leases.owner : null };
  }

  /**
   * Runs a handoff now, outside the slots: what is left is one short transition (a cancel of one that
   * never started, or of a PAUSED one). Elsewhere (an API-only process) it is left due for a worker.
   */
  runNow(id: string): void {
    if (!this.runsHandoffs || this.stopped) return;
    this.options.runner.forgetCreated(id);
    this.queue.remove(id);
    void this.execute(id);
  }

  /** Takes due work from now on: at once, then every pollMs (and whenever a slot frees with nothing waiting). */
  async start(): Promise<void> {
    await this.freeLeasesOfTheGone();
    const { bus } = this.options;
    // A signal or cancel recorded here made a waiting handoff due: look at once, not at the next tick.
    const unsubscribeRequests = bus.requests.subscribe((request) => {
      if (request.local) void this.poll();
    });
    // What this process made due is looked for the moment it falls due.
    const unsubscribeDueAt = bus.dueAt.subscribe((at) => this.wakeTimer.add(at));
    await this.tick();
    // What the last stop (or a crash) left due: taken now, the rest as slots free.
    if (this.queue.waitingCount + this.queue.runningCount > 0)
      this.options.logger.info(
        { due: this.queue.waitingCount + this.queue.runningCount },
        'resuming unfinished handoffs',
      );
    const stopRepeating = repeatEvery(this.options.clock, this.options.pollMs, () => this.tick());
    this.stopTicking = () => {
      unsubscribeRequests();
      unsubscribeDueAt();
      stopRepeating();
      this.wakeTimer.stop();
    };
  }

  /** Stops taking work and waits for the runs in progress to reach a safe point. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopTicking?.();
    for (const retry of this.retries.values()) retry.cancel();
    this.retries.clear();
    this.queue.pause();
    this.options.runner.stop();
    await this.polling;
    await this.ticking;
    await this.queue.idle();
    await this.options.runner.drained();
  }

  /** One round: due handoffs into the queue, passed deadlines recorded, modules' due work done (one at a time). */
  tick(): Promise<void> {
    if (this.ticking) {
      this.tickAgain = true;
      return this.ticking;
    }
    this.ticking = (async () => {
      do {
        this.tickAgain = false;
        await this.round();
      } while (this.tickAgain && !this.stopped);
    })().finally(() => {
      this.ticking = null;
    });
    return this.ticking;
  }

  private async round(): Promise<void> {
    await this.poll();
    const now = this.options.clock.now();
    await this.expireOverdue(now);
    for (const work of this.options.dueWork) {
      try {
        await work.run(now);
      } catch (error) {
        this.options.logger.warn(
          { err: error, work: work.name },
          'due work failed; it is tried again at the next tick',
        );
      }
    }
    await this.freeLeasesOfTheGone();
  }

  /** Asks the store for due handoffs while there is room to queue them (one poll at a time; asks coalesce). */
  private poll(): Promise<void> {
    if (this.polling) {
      this.pollAgain = true;
      return this.polling;
    }
    this.polling = this.pollUntilFull().finally(() => {
      this.polling = null;
    });
    return this.polling;
  }

  private async pollUntilFull(): Promise<void> {
    do {
      this.pollAgain = false;
      // Room for every slot, and as many again waiting: the next runs start without a round trip.
      const room = 2 * this.options.slots - this.queue.runningCount - this.queue.waitingCount;
      if (this.stopped || room <= 0) return;
      try {
        // What waits in the queue here is due too, and comes first: read past it.
        const limit = room + this.queue.waitingCount + this.queue.runningCount;
        const due = await this.options.store.due(this.options.clock.now(), limit);
        const added = await this.enqueueDue(due);
        if (added > 0 && due.length === limit) this.pollAgain = true;
      } catch (error) {
        this.options.logger.warn({ err: error }, 'reading due handoffs failed; trying again at the next tick');
        return;
      }
    } while (this.pollAgain);
  }

  /** Queues the due handoffs not queued or running here yet; returns how many. */
  private async enqueueDue(due: DueHandoff[]): Promise<number> {
    const fresh = due.filter(({ id }) => !this.queue.has(id) && !this.options.runner.isActive(id));
    const keys = await this.fairShareKeys(fresh.map(({ id }) => id));
    for (const { id, priority } of fresh) this.queue.enqueue(id, priority, keys.get(id) ?? null);
    return fresh.length;
  }

  /** The fair-share keys of stored handoffs, read in batches (nothing is read when fair share is off). */
  private async fairShareKeys(ids: string[]): Promise<Map<string, string | null>> {
    const keys = new Map<string, string | null>();
    if (!this.queue.fairShare || ids.length === 0) return keys;
    for (let start = 0; start < ids.length; start += 200) {
      const handoffs = await this.options.store.getMany(ids.slice(start, start + 200));
      for (const handoff of handoffs) if (handoff) keys.set(handoff.id, this.queue.keyOf(handoff));
    }
    return keys;
  }

  /**
   * Handoffs nobody runs whose deadline passed: the cancel is recorded (which makes them due); one
   * that never started is finished at once, outside the slots, not when its turn comes.
   */
  private async expireOverdue(now: number): Promise<void> {
    const { store, logger } = this.options;
    try {
      for (const id of await store.overdue(now, OVERDUE_BATCH)) {
        const handoff = await store.get(id);
        if (!handoff?.deadlineAt) continue;
        const reason =
          handoff.status === 'PENDING' && handoff.startedAt === null
            ? `${deadlineReason(handoff.deadlineAt)} while it waited for its turn`
            : deadlineReason(handoff.deadlineAt);
        if ((await store.requestCancel(id, reason, now)) && handoff.status === 'PENDING') this.runNow(id);
      }
    } catch (error) {
      logger.warn({ err: error }, 'the deadline sweep failed; it runs again at the next tick');
    }
  }

  /** Frees the leases of processes known to be gone (or, in a store only this process opens, of any other). */
  private async freeLeasesOfTheGone(): Promise<void> {
    const { store, leases, clock, logger } = this.options;
    try {
      for (const holder of await store.leaseHolders()) {
        if (holder === leases.owner || !leases.mayTakeOver(holder)) continue;
        const freed = await store.releaseLeasesOf(holder, clock.now());
        if (freed > 0) logger.info({ owner: holder, freed }, 'freed the leases of a process that is gone');
      }
    } catch (error) {
      logger.warn({ err: error }, 'could not free the leases of processes that are gone');
    }
  }

  /** Runs a handoff in a slot; afterwards, more due work is asked for when the queue runs low. */
  private async execute(id: string): Promise<void> {
    const end: RunEnd = await this.options.runner.execute(id);
    if (end === 'FAILED') this.retryLater(id);
    else this.retries.delete(id);
    if (!this.stopped && this.queue.waitingCount < this.options.slots) void this.poll();
  }

  /**
   * Runs a handoff again after its run stopped on an unexpected error (its lease kept meanwhile),
   * backing off 1 s, 2 s, 4 s … up to a minute so a persistent fault does not spin. Should this
   * process die first, the lease runs out and the handoff is due for any other.
   */
  private retryLater(id: string): void {
    const failures = (this.retries.get(id)?.failures ?? 0) + 1;
    const delay = Math.min(60_000, 1_000 * 2 ** (failures - 1));
    const cancel = startTimeout(
      this.options.clock,
      delay,
      async () => {
        if (this.stopped) return;
        try {
          const handoff = await this.options.store.get(id);
          if (handoff && handoff.status !== 'PAUSED' && !isFinal(handoff.status))
            return this.queue.enqueue(id, handoff.priority, this.queue.keyOf(handoff));
          this.retries.delete(id);
          // It reached a final status, but the failure may have kept that transition's events out of the log.
          if (handoff) await this.options.store.repairLog(id);
        } catch (error) {
          this.options.logger.error({ handoffId: id, err: error }, 'could not queue the handoff again');
          this.retryLater(id);
        }
      },
      { background: true },
    );
    this.retries.set(id, { failures, cancel });
  }
}
