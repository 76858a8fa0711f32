import { PRIORITIES, type Priority } from './handoff.js';

/** FIFO with O(1) push and shift, so a long backlog stays cheap. */
class Fifo<T> {
  private items: T[] = [];
  private head = 0;

  push(item: T): void {
    this.items.push(item);
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head++];
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  get size(): number {
    return this.items.length - this.head;
  }
}

/**
 * Runs at most `limit` handoffs at once; the rest wait, highest priority first, then oldest.
 */
export class HandoffQueue {
  private readonly waiting = new Map<Priority, Fifo<string>>(PRIORITIES.map((p) => [p, new Fifo<string>()]));
  private readonly queued = new Set<string>();
  private readonly running = new Set<string>();
  private idleWaiters: (() => void)[] = [];
  private paused = false;

  constructor(
    private readonly limit: number,
    private readonly execute: (id: string) => Promise<void>,
  ) {}

  enqueue(id: string, priority: Priority): void {
    if (this.queued.has(id) || this.running.has(id)) return;
    this.queued.add(id);
    this.waiting.get(priority)!.push(id);
    this.pump();
  }

  /** Takes a handoff out of the backlog; true when it was waiting there. */
  remove(id: string): boolean {
    return this.queued.delete(id); // its entry in the FIFO is skipped when reached
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

  /** Stops starting new work (shutdown); queued handoffs stay stored and resume on restart. */
  pause(): void {
    this.paused = true;
  }

  /** Resolves when nothing is running or waiting. */
  idle(): Promise<void> {
    if (this.running.size === 0 && (this.queued.size === 0 || this.paused)) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private next(): string | undefined {
    for (let p = PRIORITIES.length - 1; p >= 0; p--) {
      const fifo = this.waiting.get(PRIORITIES[p])!;
      for (let id = fifo.shift(); id !== undefined; id = fifo.shift()) {
        if (this.queued.delete(id)) return id;
      }
    }
    return undefined;
  }

  private pump(): void {
    while (!this.paused && this.running.size < this.limit) {
      const id = this.next();
      if (id === undefined) break;
      this.running.add(id);
      void this.execute(id).finally(() => {
        this.running.delete(id);
        this.pump();
      });
    }
    if (this.running.size === 0 && (this.queued.size === 0 || this.paused)) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }
}
