import type { HandoffEvent } from '../handoff/handoff-event.js';

/**
 * Every handoff event as committed, by every process, in commit order: what webhook deliveries are
 * made from. A position is opaque; reading from a stored position after a restart misses nothing.
 */
export interface CommittedHandoffEvents {
  /** The position of the newest committed event now: a new subscription starts there. */
  head(): Promise<string>;
  /** Events committed after `position` (at most `limit`), oldest first, and the position to read on from. */
  read(position: string, limit: number): Promise<{ events: HandoffEvent[]; position: string }>;
}
