import { Fifo } from '../../shared/fifo.js';
import { MinHeap } from '../../shared/min-heap.js';
import { PRIORITIES, type Priority } from '../handoff/handoff.js';
import { type FairShareRule, type FairShareSubject, fairShareKeyOf, fairShareLimitOf } from './fair-share.js';

const PRIORITIES_HIGH_FIRST = [...PRIORITIES].reverse();

/** A handoff waiting for a slot; `order` ranks it by arrival across keys. */
interface Waiting {
  id: string;
  key: string | null;
  order: number;
}

/** The handoffs of one fair-share key (null: those without one, or every handoff when fair share is off). */
interface Lane {
  key: string | null;
  byPriority: Map<Priority, Fifo<Waiting>>;
  waiting: number;
  running: number;
  /** Priorities this lane has a record in `ready` for (one at most each: no duplicates to wade through). */
  ranked: Set<Priority>;
}

/** How many handoffs of one key wait and run in this process, and the key's limit (null: none). */
export interface KeyDepth {
  key: string | null;
  waiting: number;
  running: number;
  limit: number | null;
}

/**
 * Runs at most `limit` handoffs at once; the rest wait, highest priority first, then oldest. With a
 * fair-share rule, each key also runs at most its own limit: a handoff whose key is at its limit
 * waits without holding up those of other keys behind it (no head-of-line blocking), and keeps its
 * place by priority and age within its key.
 */
export class HandoffQueue {
  private readonly lanes = new Map<string | null, Lane>();
  /**
   * Per priority, the lanes that may start a handoff of that priority, ranked by the arrival of
   * their oldest one: choosing the next handoff costs O(log keys), however many keys wait. Kept
   * lazily: a record whose lane filled up or whose head moved on is dropped or re-ranked when popped.
   */
  private readonly ready = new Map<Priority, MinHeap<Lane>>(PRIORITIES.map((p) => [p, new MinHeap<Lane>()]));
  private readonly queued = new Map<string, Waiting>();
  private readonly running = new Map<string, string | null>();
  private arrivals = 0;
  private idleWaiters: (() => void)[] = [];
  private paused = false;

  constructor(
    private readonly limit: number,
    private readonly execute: (id: string) => Promise<void>,
    /** Per-key limits; null: the overall limit alone. */
    readonly fairShare: FairShareRule | null = null,
  ) {}

  /**
   * Queues a handoff under its fair-share key: `keyOf(handoff)`, required so that no caller skips
   * the per-key limit by accident (null: the handoff has no key; ignored without a fair-share rule).
   */
  enqueue(id: string, priority: Priority, key: string | null): void {
    if (this.queued.has(id) || this.running.has(id)) return;
    const entry: Waiting = { id, key: this.fairShare ? key : null, order: this.arrivals++ };
    this.queued.set(id, entry);
    const lane = this.laneOf(entry.key);
    lane.byPriority.get(priority)!.push(entry);
    lane.waiting++;
    if (this.hasRoom(lane)) this.rank(lane, priority, entry.order);
    this.pump();
  }

  /** The handoff's fair-share key; null without a fair-share rule or when the handoff has none. */
  keyOf(handoff: FairShareSubject): string | null {
    return this.fairShare ? fairShareKeyOf(this.fairShare.key, handoff) : null;
  }

  /** Whether a handoff with this key queued now would start at once (a slot free, nothing waiting before it). */
  startsAtOnce(key: string | null): boolean {
    if (this.paused || this.running.size >= this.limit || this.queued.size > 0) return false;
    const lane = this.lanes.get(this.fairShare ? key : null);
    return !lane || this.hasRoom(lane);
  }

  /** Takes a handoff out of the backlog; true when it was waiting there. */
  remove(id: string): boolean {
    const entry = this.queued.get(id);
    if (!entry) return false;
    this.queued.delete(id); // its entry in the FIFO is skipped when reached
    const lane = this.lanes.get(entry.key)!;
    lane.waiting--;
    this.dropIfEmpty(lane);
    return true;
  }

  /** True while it waits for its turn (queued, not started). */
  isWaiting(id: string): boolean {
    return this.queued.has(id);
  }

  has(id: string): boolean {
    return this.queued.has(id) || this.running.has(id);
  }

  get runningCount(): number {
    return this.running.size;
  }

  get waitingCount(): number {
    return this.queued.size;
  }

  get concurrencyLimit(): number {
    return this.limit;
  }

  /** Waiting and running handoffs per key, most waiting first (then most running, then by key). */
  depthByKey(): KeyDepth[] {
    return [...this.lanes.values()]
      .map((lane) => ({ key: lane.key, waiting: lane.waiting, running: lane.running, limit: this.limitOf(lane.key) }))
      .sort((a, b) => b.waiting - a.waiting || b.running - a.running || String(a.key).localeCompare(String(b.key)));
  }

  /** Stops starting new work (shutdown); queued handoffs stay stored and resume on restart. */
  pause(): void {
    this.paused = true;
  }

  /** Resolves when nothing is running or waiting. */
  idle(): Promise<void> {
    if (this.running.size === 0 && (this.queued.size === 0 || this.paused)) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private laneOf(key: string | null): Lane {
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = {
        key,
        byPriority: new Map(PRIORITIES.map((p) => [p, new Fifo<Waiting>()])),
        waiting: 0,
        running: 0,
        ranked: new Set(),
      };
      this.lanes.set(key, lane);
    }
    return lane;
  }

  /** A lane with nothing waiting or running is forgotten: keys seen once do not pile up. */
  private dropIfEmpty(lane: Lane): void {
    if (lane.waiting === 0 && lane.running === 0) this.lanes.delete(lane.key);
  }

  private limitOf(key: string | null): number | null {
    return this.fairShare && key !== null ? fairShareLimitOf(this.fairShare, key) : null;
  }

  private hasRoom(lane: Lane): boolean {
    const limit = this.limitOf(lane.key);
    return limit === null || lane.running < limit;
  }

  /** The lane's oldest live entry of one priority (entries of removed handoffs are dropped on the way). */
  private headOf(lane: Lane, priority: Priority): Waiting | undefined {
    const fifo = lane.byPriority.get(priority)!;
    for (let entry = fifo.peek(); entry !== undefined; entry = fifo.peek()) {
      if (this.queued.get(entry.id) === entry) return entry;
      fifo.shift();
    }
    return undefined;
  }

  /**
   * Puts the lane in `ready` for a priority unless it is there already: a record's rank is then
   * never later than the lane's oldest handoff of that priority (heads only move on), so at worst
   * it is popped early and ranked again.
   */
  private rank(lane: Lane, priority: Priority, order: number): void {
    if (lane.ranked.has(priority)) return;
    lane.ranked.add(priority);
    this.ready.get(priority)!.push(order, lane);
  }

  /** The highest-priority, oldest waiting handoff among keys below their limit. */
  private next(): Waiting | undefined {
    for (const priority of PRIORITIES_HIGH_FIRST) {
      const ready = this.ready.get(priority)!;
      for (let record = ready.pop(); record !== undefined; record = ready.pop()) {
        const lane = record.value;
        lane.ranked.delete(priority);
        // A lane at its limit is ranked again when one of its runs finishes; one with nothing left, when it gets more.
        if (!this.hasRoom(lane)) continue;
        const head = this.headOf(lane, priority);
        if (!head) continue;
        if (head.order !== record.rank) {
          this.rank(lane, priority, head.order);
          continue;
        }
        lane.byPriority.get(priority)!.shift();
        return head;
      }
    }
    return undefined;
  }

  /** Ranks a lane with room in every priority it has handoffs waiting in. */
  private rankAgain(lane: Lane): void {
    if (lane.waiting === 0 || !this.hasRoom(lane)) return;
    for (const priority of PRIORITIES) {
      const head = this.headOf(lane, priority);
      if (head) this.rank(lane, priority, head.order);
    }
  }

  private pump(): void {
    while (!this.paused && this.running.size < this.limit) {
      const entry = this.next();
      if (entry === undefined) break;
      this.start(entry);
    }
    if (this.running.size === 0 && (this.queued.size === 0 || this.paused)) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  private start({ id, key }: Waiting): void {
    this.queued.delete(id);
    const lane = this.lanes.get(key)!;
    lane.waiting--;
    lane.running++;
    this.running.set(id, key);
    // Its next handoff competes for the next slot, unless the lane is at its limit now.
    this.rankAgain(lane);
    void this.execute(id).finally(() => {
      this.running.delete(id);
      lane.running--;
      this.dropIfEmpty(lane);
      this.rankAgain(lane);
      this.pump();
    });
  }
}
