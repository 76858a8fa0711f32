import type { Handoff } from '../engine/kernel/handoff/handoff.js';
import type { HandoffEvent, HandoffEventDraft } from '../engine/kernel/handoff/handoff-event.js';

/** How every adapter turns a handoff and its events into stored text, and back. */

// Built field by field (not by spreading drafts of varying shapes): this runs for every event.
export function eventFrom(handoff: Handoff, draft: HandoffEventDraft, seq: number, at: number): HandoffEvent {
  const event: HandoffEvent = {
    handoffId: handoff.id,
    seq,
    run: handoff.run ?? 1,
    at,
    type: draft.type,
    step: draft.step,
    ...(draft.branch !== undefined ? { branch: draft.branch } : {}),
    status: handoff.status,
    message: draft.message,
    testId: handoff.test?.testId ?? null,
  };
  if (draft.attempt !== undefined) event.attempt = draft.attempt;
  if (draft.durationMs !== undefined) event.durationMs = draft.durationMs;
  if (draft.data !== undefined) event.data = draft.data;
  return event;
}

/** Everything but the metadata, which changes only on a redrive with a patch and may be large. */
export function stateText(handoff: Handoff, updatedAt: number): string {
  // One copy, the metadata left out as undefined (JSON.stringify skips it): a rest pattern copied twice, and
  // slowly, for every transition. The text is the same, key for key.
  return JSON.stringify({ ...handoff, metadata: undefined, updatedAt });
}

/** A stored handoff from its state text and (separately stored) metadata text. */
export function handoffFromText(state: string, metadata: string | undefined): Handoff {
  const handoff = JSON.parse(state) as Handoff;
  // Documents stored before metadata had its own field carry it inside the state.
  if (metadata !== undefined) handoff.metadata = JSON.parse(metadata) as Record<string, unknown>;
  return handoff;
}
