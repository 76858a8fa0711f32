import { type HandoffEvent, isFinalEvent } from '../kernel/handoff/handoff-event.js';
import type { HandoffStore } from '../kernel/ports/handoff-store.js';
import { followEvent, type HandoffTrail, newTrail, procedureNamedBy } from './handoff-trail.js';

/** Trails kept in memory: handoffs in flight at once, with room to spare. One more is rebuilt from the store. */
const MAX_TRAILS = 50_000;

/**
 * The trails of the handoffs whose events the fold is reading, the most recently used kept in memory.
 * A handoff the fold meets mid-way (after a restart, or evicted) has its trail rebuilt from its own
 * stored events before the one at hand, so a trail is the same however the fold got there.
 */
export class HandoffTrails {
  private readonly trails = new Map<string, HandoffTrail>();

  constructor(private readonly handoffs: HandoffStore) {}

  /** Makes sure every handoff of `events` has its trail as of its first event in the batch. */
  async prepare(events: readonly HandoffEvent[]): Promise<void> {
    const firstSeen = new Map<string, HandoffEvent>();
    for (const event of events)
      if (!this.trails.has(event.handoffId) && !firstSeen.has(event.handoffId)) firstSeen.set(event.handoffId, event);
    for (const event of firstSeen.values()) this.remember(event.handoffId, await this.rebuild(event));
  }

  /** The trail of a handoff that `prepare` saw (or a fresh one), knowing its procedure when the event names it. */
  trailOf(event: HandoffEvent): HandoffTrail {
    let trail = this.trails.get(event.handoffId);
    if (!trail) {
      trail = newTrail(event);
      this.remember(event.handoffId, trail);
    }
    if (trail.procedureId === null) Object.assign(trail, procedureNamedBy(event));
    return trail;
  }

  /** Moves the trail past `event`; a handoff that finished is let go (a redrive rebuilds it). */
  follow(trail: HandoffTrail, event: HandoffEvent): void {
    followEvent(trail, event);
    if (isFinalEvent(event)) this.trails.delete(event.handoffId);
  }

  clear(): void {
    this.trails.clear();
  }

  private remember(id: string, trail: HandoffTrail): void {
    this.trails.delete(id);
    this.trails.set(id, trail);
    if (this.trails.size > MAX_TRAILS) this.trails.delete(this.trails.keys().next().value!);
  }

  /** The trail of `event`'s handoff just before it: from its earlier stored events, and the handoff for its procedure. */
  private async rebuild(event: HandoffEvent): Promise<HandoffTrail> {
    const trail = newTrail(event);
    if (event.seq > 1) {
      const earlier = await this.handoffs.events(event.handoffId, 0, event.seq - 1);
      for (const past of earlier) if (past.seq < event.seq) followEvent(trail, past);
    }
    if (trail.procedureId === null && !procedureNamedBy(event)) {
      // Events stored before HANDOFF_CREATED named the procedure: the handoff itself says.
      const handoff = await this.handoffs.get(event.handoffId);
      if (handoff) Object.assign(trail, { procedureId: handoff.procedureId, version: handoff.procedureVersion });
    }
    return trail;
  }
}
