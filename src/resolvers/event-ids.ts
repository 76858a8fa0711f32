import type { StreamEventIds } from '../http/sse-event-ids.js';

/**
 * Marks the event a numbered stream's resolver is resolving, so over SSE it goes out with `id: <seq>`
 * (see useSseEventIds); returns the event, for `resolve` to return.
 */
export function withEventId<T>(context: StreamEventIds, seq: number, event: T): T {
  context.eventId = seq;
  return event;
}

/** Marks the event a live feed's resolver is resolving as `handoffId#seq` (see StreamEventIds.eventMark); returns the event. */
export function withEventMark<T extends { handoffId: string; seq: number }>(context: StreamEventIds, event: T): T {
  context.eventMark = `${event.handoffId}#${event.seq}`;
  return event;
}

/** Where a numbered stream starts: after the seq the arguments name, or after the client's Last-Event-ID if later. */
export function streamStart(argument: number | null | undefined, context: StreamEventIds): number {
  return Math.max(0, argument ?? 0, context.resumeAfter ?? 0);
}
