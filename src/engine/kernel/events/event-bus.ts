import { Topic } from '../../shared/topic.js';
import type { Handoff } from '../handoff/handoff.js';
import type { HandoffEvent } from '../handoff/handoff-event.js';

/**
 * A signal or cancel recorded for a handoff, that an attempt running here must hear of. `local`:
 * recorded by this process (so its scheduler may take a waiting handoff at once); otherwise it came
 * from another process through the change feed or a lease renewal.
 */
export type HandoffRequest =
  | { kind: 'signal'; handoffId: string; name: string; payload: unknown; local: boolean }
  | { kind: 'cancel'; handoffId: string; reason: string; local: boolean };

/**
 * What happens to handoffs, as this process hears of it. The runner, the service and the modules
 * publish and subscribe here; none of them calls another to tell it something happened.
 */
export class EventBus {
  /** Every event this process hears of: its own as they commit, other processes' through the change feed. */
  readonly events = new Topic<HandoffEvent>();
  /** Only the events of the transitions this process stored: what its own metrics count. */
  readonly executed = new Topic<HandoffEvent>();
  /** Handoffs this process has just stored (before they run). */
  readonly created = new Topic<Handoff>();
  /** Signals and cancels recorded for handoffs (see HandoffRequest). */
  readonly requests = new Topic<HandoffRequest>();
  /**
   * Something this process stored falls due at this time (a handoff handed back, a queued handoff's
   * deadline, an agent's heartbeat timeout): the scheduler looks at the store then, not only at its
   * next poll. What is due lives in the store either way.
   */
  readonly dueAt = new Topic<number>();

  /** Events of transitions this process stored. */
  committed(events: readonly HandoffEvent[]): void {
    for (const event of events) {
      this.executed.publish(event);
      this.events.publish(event);
    }
  }

  /** Events another process stored: for watchers here (progress streams skip what they have by seq). */
  foreign(events: readonly HandoffEvent[]): void {
    for (const event of events) this.events.publish(event);
  }
}
