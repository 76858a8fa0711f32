import { type Clock, startTimeout } from '../../shared/clock.js';
import { MinHeap } from '../../shared/min-heap.js';

/** Due times remembered at most: beyond, the periodic poll alone finds what falls due. */
const REMEMBERED = 10_000;

/**
 * The due times of handoffs this process handed back, so it looks at the store the moment the
 * earliest falls due (a retry's back-off ends exactly on time) instead of at the next poll. One timer,
 * armed for the earliest. Only a shortcut: what is due lives in the store, which every poll reads.
 */
export class WakeTimer {
  private readonly due = new MinHeap<null>();
  private armedFor: number | null = null;
  private cancel: () => void = () => undefined;

  constructor(
    private readonly clock: Clock,
    private readonly onDue: () => void,
  ) {}

  /** Remembers that something falls due at `at`. */
  add(at: number): void {
    if (this.due.size >= REMEMBERED) return;
    this.due.push(at, null);
    if (this.armedFor === null || at < this.armedFor) this.arm();
  }

  stop(): void {
    this.cancel();
    this.armedFor = null;
  }

  private arm(): void {
    this.cancel();
    const next = this.due.peek();
    if (next === undefined) {
      this.armedFor = null;
      return;
    }
    this.armedFor = next.rank;
    this.cancel = startTimeout(this.clock, Math.max(0, next.rank - this.clock.now()), () => this.fire());
  }

  private fire(): void {
    const now = this.clock.now();
    for (let next = this.due.peek(); next !== undefined && next.rank <= now; next = this.due.peek()) this.due.pop();
    this.armedFor = null;
    this.onDue();
    this.arm();
  }
}
